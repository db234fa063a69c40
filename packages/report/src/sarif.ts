import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadMeasureCatalog } from '@apprights/knowledge';
import {
  allRules,
  EVIDENCE_OPTIONS,
  type EvidenceRef,
  type Finding,
  type PolicyReport,
  type RuleMeta,
  type RuleOutcome,
  type ScanReport,
  type Severity,
  type TraceReport,
  type TraceSummary,
  type UiSummary,
} from '@apprights/rules';
import type { PolicyFormat } from '@apprights/policy';

/**
 * The scan as a SARIF 2.1.0 log, for code-scanning dashboards and other SARIF viewers. Paths point
 * inside the package through the `APK` base id, so a viewer can tell `classes2.dex` of this APK
 * from a file of the same name in a source checkout.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/apprights/apprights';
const FINGERPRINT_KEY = 'apprightsFingerprint/v1';
const BASE_ID = 'APK';
const TAXONOMY = 'MIIT-2023-26';

type Level = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, Level> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

const MIME_TYPES: Record<ScanReport['file']['kind'], string> = {
  apk: 'application/vnd.android.package-archive',
  jar: 'application/java-archive',
  aar: 'application/zip',
  // No registered media type for DEX.
  dex: 'application/octet-stream',
};

const COMPONENT_ELEMENTS = new Set(['activity', 'activity-alias', 'service', 'receiver', 'provider']);

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
  index?: number;
}

interface LogicalLocation {
  name: string;
  fullyQualifiedName?: string;
  kind?: string;
}

interface Region {
  charOffset?: number;
  charLength?: number;
  startLine?: number;
  snippet?: { text: string };
}

interface SarifLocation {
  physicalLocation?: { artifactLocation: ArtifactLocation; region?: Region };
  logicalLocations?: LogicalLocation[];
  message?: { text: string };
}

/** `com.x.Y.run()V` style, readable in every viewer while still naming the exact overload. */
function memberName(cls: string, method: string): string {
  return `${cls}.${method}`;
}

/** Entry names may hold spaces, `#` or non-ASCII (a hostile APK picks them); URIs may not. */
function entryUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** PascalCase of the kebab-case id: SARIF's `name` is meant to read as an identifier. */
function ruleName(id: string): string {
  return id
    .split(/[-_.]/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

function helpText(meta: RuleMeta): string {
  return [
    `${meta.title.en}`,
    meta.description.en,
    `How to fix: ${meta.fix.en}`,
    '',
    `${meta.title.zh}`,
    meta.description.zh,
    `修复建议：${meta.fix.zh}`,
    '',
    `Measures / 措施: ${meta.measures.join(', ')}`,
  ].join('\n');
}

function helpMarkdown(meta: RuleMeta): string {
  return [
    `**${meta.title.en}**`,
    '',
    meta.description.en,
    '',
    `**How to fix:** ${meta.fix.en}`,
    '',
    `**${meta.title.zh}**`,
    '',
    meta.description.zh,
    '',
    `**修复建议：** ${meta.fix.zh}`,
    '',
    `Measures / 措施: ${meta.measures.map((m) => `\`${m}\``).join(', ')}`,
  ].join('\n');
}

function descriptor(meta: RuleMeta, taxa: Map<string, number>) {
  const relationships = meta.measures
    .filter((m) => taxa.has(m))
    .map((m) => ({ target: { id: m, index: taxa.get(m)!, toolComponent: { name: TAXONOMY, index: 0 } }, kinds: ['relevant'] }));
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: meta.title.en },
    fullDescription: { text: meta.description.en },
    help: { text: helpText(meta), markdown: helpMarkdown(meta) },
    defaultConfiguration: { level: LEVELS[meta.severity] },
    ...(relationships.length > 0 ? { relationships } : {}),
    properties: {
      measures: [...meta.measures],
      evidence: [...meta.evidence],
      tags: ['privacy', 'miit-2023-26', ...meta.measures],
      title: { zh: meta.title.zh, en: meta.title.en },
    },
  };
}

function inPackage(path: string): ArtifactLocation {
  return { uri: entryUri(path), uriBaseId: BASE_ID };
}

/** A policy file or URL as a URI: web addresses as they are, paths as file: URLs. */
export function sourceUri(source: string): string {
  if (/^https?:\/\//i.test(source)) {
    try {
      return new URL(source).href;
    } catch {
      // Not a URL after all: treated as a path below.
    }
  }
  return pathToFileURL(resolve(source)).href;
}

/**
 * The passage of the policy a finding quotes. Offsets index the policy text as read (HTML and
 * Markdown reduced to the text a reader sees), which is the file itself only for plain text; the
 * snippet lets a viewer show the passage either way.
 */
function policyLocation(ref: Extract<EvidenceRef, { kind: 'policy' }>, defaultSource: string | undefined): SarifLocation | null {
  const source = ref.source || defaultSource;
  const region: Region | undefined =
    Number.isInteger(ref.start) && ref.start! >= 0
      ? {
          charOffset: ref.start!,
          ...(Number.isInteger(ref.end) && ref.end! >= ref.start! ? { charLength: ref.end! - ref.start! } : {}),
          ...(ref.text ? { snippet: { text: ref.text } } : {}),
        }
      : undefined;
  const logical: LogicalLocation[] = ref.section ? [{ name: ref.section, kind: 'section' }] : [];
  if (!source) return logical.length > 0 ? { logicalLocations: logical } : null;
  return {
    physicalLocation: { artifactLocation: { uri: sourceUri(source) }, ...(region ? { region } : {}) },
    ...(logical.length > 0 ? { logicalLocations: logical } : {}),
  };
}

/** Where the run's non-package evidence lives: the policy, the trace, the UI snapshot files by id. */
interface Sources {
  policy: string | undefined;
  trace: string | undefined;
  /** Snapshot id → file path, for the snapshots that have one. */
  snapshots: Map<string, string>;
  /** The source AndroidManifest.xml the findings' fixes were located in (`--manifest-source`). */
  manifest?: string | undefined;
}

/** A trace event: the trace file at the event's line (JSON Lines: one event a line). */
function traceLocation(ref: Extract<EvidenceRef, { kind: 'trace' }>, source: string | undefined): SarifLocation {
  const text = [`trace line ${ref.event}`, ref.time !== undefined ? `t=${ref.time} ms` : '', ref.detail ?? ''].filter(Boolean).join(': ');
  if (!source || !Number.isInteger(ref.event) || ref.event < 1) return { message: { text } };
  return {
    physicalLocation: { artifactLocation: { uri: sourceUri(source) }, region: { startLine: ref.event } },
    message: { text },
  };
}

/** A UI node: the snapshot's file when known, the snapshot and node as logical locations. */
function uiLocation(ref: Extract<EvidenceRef, { kind: 'ui' }>, sources: Sources): SarifLocation {
  const logical: LogicalLocation[] = [
    ref.node
      ? { name: ref.node, fullyQualifiedName: `${ref.snapshot}/${ref.node}`, kind: 'element' }
      : { name: ref.snapshot, fullyQualifiedName: ref.snapshot, kind: 'resource' },
  ];
  const file = sources.snapshots.get(ref.snapshot);
  return {
    ...(file ? { physicalLocation: { artifactLocation: { uri: sourceUri(file) } } } : {}),
    logicalLocations: logical,
    message: { text: [`UI snapshot ${ref.snapshot}`, ref.detail].filter(Boolean).join(': ') },
  };
}

/** Snapshot files are relative to the `--ui` folder, or to the trace file's folder for snapshots the trace names. */
function snapshotFiles(ui: UiSummary | null | undefined, trace: TraceSummary | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!ui) return files;
  const base = trace && ui.source === trace.source ? dirname(trace.source) : ui.source;
  for (const s of ui.snapshots) if (s.file) files.set(s.id, isAbsolute(s.file) ? s.file : resolve(base, s.file));
  return files;
}

/** One SARIF location per evidence reference; null for evidence with nothing to point at. */
function location(ref: EvidenceRef, sources: Sources): SarifLocation | null {
  switch (ref.kind) {
    case 'manifest': {
      const logical: LogicalLocation = ref.name
        ? {
            name: ref.name,
            fullyQualifiedName: ref.name,
            kind: COMPONENT_ELEMENTS.has(ref.element.split('/').pop() ?? '') ? 'type' : 'element',
          }
        : { name: ref.element, fullyQualifiedName: `manifest/${ref.element}`, kind: 'element' };
      return {
        physicalLocation: { artifactLocation: inPackage(ref.artifact) },
        logicalLocations: [logical],
        ...(ref.detail ? { message: { text: `<${ref.element}> ${ref.detail}` } } : {}),
      };
    }
    case 'code': {
      const logical: LogicalLocation = ref.method
        ? { name: ref.method.replace(/\(.*$/, ''), fullyQualifiedName: memberName(ref.class, ref.method), kind: 'function' }
        : { name: ref.class.split('.').pop() ?? ref.class, fullyQualifiedName: ref.class, kind: 'type' };
      const notes = [ref.api && `calls ${ref.api}`, ref.sdk && `SDK ${ref.sdk}`].filter(Boolean).join('; ');
      return {
        ...(ref.artifact ? { physicalLocation: { artifactLocation: inPackage(ref.artifact) } } : {}),
        logicalLocations: [logical],
        ...(notes ? { message: { text: notes } } : {}),
      };
    }
    case 'permission':
      return {
        physicalLocation: { artifactLocation: inPackage(ref.artifact) },
        logicalLocations: [{ name: ref.permission, fullyQualifiedName: `uses-permission/${ref.permission}`, kind: 'element' }],
      };
    case 'signature':
      return ref.artifact
        ? { physicalLocation: { artifactLocation: inPackage(ref.artifact) }, message: { text: ref.detail } }
        : { message: { text: ref.detail } };
    case 'resource':
      return { physicalLocation: { artifactLocation: inPackage(ref.artifact) }, message: { text: ref.detail } };
    case 'sdk':
      return {
        logicalLocations: [{ name: ref.sdk, fullyQualifiedName: `sdk/${ref.sdk}`, kind: 'module' }],
        message: { text: ref.version ? `${ref.name} ${ref.version}` : ref.name },
      };
    case 'policy':
      return policyLocation(ref, sources.policy);
    case 'trace':
      return traceLocation(ref, sources.trace);
    case 'ui':
      return uiLocation(ref, sources);
    default:
      // Store evidence has no file to point at; its facts stay in properties.
      return null;
  }
}

function message(finding: Finding): string {
  return `${finding.message.en}\n${finding.message.zh}`;
}

/**
 * Code scanning drops results that point nowhere, so a finding whose evidence has no file in the
 * package (a signature-block problem, an SDK inventory entry) is pinned to the package itself (for
 * the policy report: to the policy).
 */
function locations(finding: Finding, packageUri: string, sources: Sources): SarifLocation[] {
  const out = finding.evidence.map((ref) => location(ref, sources)).filter((l): l is SarifLocation => l !== null);
  const physical = out.filter((l) => l.physicalLocation);
  const logicalOnly = out.filter((l) => !l.physicalLocation);
  if (physical.length > 0) return [...physical, ...logicalOnly];
  const whole: SarifLocation = { physicalLocation: { artifactLocation: { uri: packageUri, index: 0 } } };
  if (logicalOnly.length === 0) return [whole];
  const [first, ...rest] = logicalOnly;
  return [{ ...first, ...whole }, ...rest];
}

/**
 * A located fix as SARIF `fixes`: one artifact change on the source manifest. Regions carry both
 * character (UTF-16 code unit) and byte (UTF-8) offsets with lines and columns; an insertion is an
 * empty region. Fixes that could not be located stay in the result's properties only (SARIF asks
 * every fix for at least one change).
 */
function fixes(finding: Finding, manifest: string | undefined) {
  const patch = finding.fix?.patch;
  if (!manifest || !patch || patch.status !== 'applied' || patch.replacements.length === 0) return undefined;
  return [
    {
      description: { text: `${finding.fix!.description.en}\n${finding.fix!.description.zh}` },
      artifactChanges: [
        {
          artifactLocation: { uri: sourceUri(manifest) },
          replacements: patch.replacements.map((r) => ({
            deletedRegion: {
              startLine: r.startLine,
              startColumn: r.startColumn,
              endLine: r.endLine,
              endColumn: r.endColumn,
              charOffset: r.offset,
              charLength: r.length,
              byteOffset: r.byteOffset,
              byteLength: r.byteLength,
            },
            ...(r.inserted ? { insertedContent: { text: r.inserted } } : {}),
          })),
        },
      ],
    },
  ];
}

function result(finding: Finding, ruleIndex: Map<string, number>, packageUri: string, sources: Sources) {
  const index = ruleIndex.get(finding.ruleId);
  const fix = fixes(finding, sources.manifest);
  return {
    ruleId: finding.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: LEVELS[finding.severity],
    message: { text: message(finding) },
    locations: locations(finding, packageUri, sources),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    // An empty list says "checked, not suppressed"; leaving it out would say "unknown".
    suppressions: finding.suppressed
      ? [{ kind: 'external', status: 'accepted', justification: finding.suppressed.reason, properties: { by: finding.suppressed.by } }]
      : [],
    ...(fix ? { fixes: fix } : {}),
    properties: {
      severity: finding.severity,
      measures: [...finding.measures],
      evidence: finding.evidence,
      message: { zh: finding.message.zh, en: finding.message.en },
      ...(finding.data ? { data: finding.data } : {}),
      ...(finding.runtime ? { runtime: finding.runtime } : {}),
      ...(finding.related ? { related: finding.related } : {}),
      ...(finding.fix ? { fix: finding.fix } : {}),
    },
  };
}

/** The notice's measures as a SARIF taxonomy, so viewers can group rules by measure. */
function taxonomy() {
  const catalog = loadMeasureCatalog();
  const measures = catalog.measures;
  return {
    name: TAXONOMY,
    // The catalogue version: a viewer comparing runs sees when the measures behind the ids changed.
    version: String(catalog.version),
    organization: 'MIIT',
    shortDescription: { text: '工信部信管函〔2023〕26号: the 26 measures of the 2023 MIIT notice on app service capability' },
    isComprehensive: true,
    taxa: measures.map((m) => ({
      id: m.id,
      name: `Measure ${m.number}`,
      shortDescription: { text: `${m.title.en} / ${m.title.zh}` },
      fullDescription: { text: `${m.summary.en}\n${m.summary.zh}` },
      properties: { group: m.group, evidence: [...m.evidence], assessment: m.assessment },
    })),
  };
}

interface RunParts {
  version: string;
  rules: RuleOutcome[];
  findings: Finding[];
  /** The analysis target first: evidence-less findings point at it (artifact index 0). */
  artifacts: Record<string, unknown>[];
  originalUriBaseIds?: Record<string, unknown>;
  policySource: string | undefined;
  traceSource?: string | undefined;
  snapshots?: Map<string, string>;
  manifestSource?: string | undefined;
  properties: Record<string, unknown>;
}

/** Why a rule did not run, in English (SARIF messages have one language; the outcome is in properties). */
function notRunText(o: RuleOutcome): string {
  switch (o.status) {
    case 'skipped':
      return `rule ${o.id} skipped: needs ${(o.missing ?? []).map((k) => `${k} (${EVIDENCE_OPTIONS[k].join(' or ') || 'a person'})`).join(', ')}`;
    case 'error':
      return `rule ${o.id} failed: ${o.error ?? 'unknown error'}`;
    case 'disabled':
      return `rule ${o.id} disabled by configuration`;
    default:
      return `rule ${o.id} not applicable to this package`;
  }
}

function sarifLog(parts: RunParts): string {
  const tax = taxonomy();
  const taxa = new Map(tax.taxa.map((t, i) => [t.id, i]));
  const ruleIndex = new Map(allRules.map((r, i) => [r.meta.id, i]));
  const targetUri = (parts.artifacts[0]!.location as { uri: string }).uri;
  // Every rule that did not run is a notification: a viewer showing no results for a rule must be
  // able to tell "checked, nothing found" from "never checked" (and why: the evidence it lacked).
  const notRun = parts.rules.filter((o) => o.status !== 'ran');
  const notification = (o: RuleOutcome) => ({
    level: o.status === 'error' ? 'error' : 'note',
    message: { text: notRunText(o) },
    ...(ruleIndex.has(o.id) ? { associatedRule: { id: o.id, index: ruleIndex.get(o.id)! } } : {}),
    properties: { outcome: o.status, ...(o.missing ? { missing: o.missing } : {}) },
  });
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'AppRights',
            version: parts.version,
            informationUri: INFORMATION_URI,
            rules: allRules.map((r) => descriptor(r.meta, taxa)),
            supportedTaxonomies: [{ name: TAXONOMY, index: 0 }],
          },
        },
        taxonomies: [tax],
        invocations: [
          {
            executionSuccessful: true,
            ...(notRun.length > 0 ? { toolExecutionNotifications: notRun.map(notification) } : {}),
          },
        ],
        ...(parts.originalUriBaseIds ? { originalUriBaseIds: parts.originalUriBaseIds } : {}),
        artifacts: parts.artifacts,
        results: parts.findings.map((f) =>
          result(f, ruleIndex, targetUri, {
            policy: parts.policySource,
            trace: parts.traceSource,
            snapshots: parts.snapshots ?? new Map(),
            manifest: parts.manifestSource,
          }),
        ),
        properties: parts.properties,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

const POLICY_MIME_TYPES: Record<PolicyFormat, string> = { html: 'text/html', markdown: 'text/markdown', text: 'text/plain' };

const OFFSETS_NOTE =
  'Policy regions (charOffset, charLength) index the policy text as read: HTML and Markdown reduced to the text a reader sees, ' +
  'the file itself for plain text; the JSON report keeps that text, and each region carries its passage as a snippet.';

function policyArtifact(policy: { source: string; format: PolicyFormat }, roles: string[]) {
  return { location: { uri: sourceUri(policy.source) }, mimeType: POLICY_MIME_TYPES[policy.format] ?? 'text/plain', roles };
}

/** JSON Lines has no registered media type; this is the one tools use. */
function traceArtifact(trace: TraceSummary, roles: string[]) {
  return { location: { uri: sourceUri(trace.source) }, mimeType: 'application/x-ndjson', roles };
}

const TRACE_NOTE = 'Trace regions (startLine) are lines of the JSON Lines trace file: one event per line.';

export function renderSarif(report: ScanReport): string {
  const fileUri = pathToFileURL(resolve(report.file.path)).href;
  const policy = report.policy && report.policy.source ? report.policy : undefined;
  return sarifLog({
    version: report.tool.version,
    rules: report.rules,
    findings: report.findings,
    // SARIF wants a base URI to end in `/`: the package is addressed as a folder of its entries.
    originalUriBaseIds: {
      [BASE_ID]: { uri: `${fileUri}/`, description: { text: `Entries inside ${report.file.name}` } },
    },
    artifacts: [
      {
        location: { uri: fileUri },
        length: report.file.size,
        mimeType: MIME_TYPES[report.file.kind],
        roles: ['analysisTarget'],
        hashes: { 'sha-256': report.file.sha256 },
      },
      ...(policy ? [policyArtifact(policy, ['analysisTarget', 'referencedOnCommandLine'])] : []),
      ...(report.trace ? [traceArtifact(report.trace, ['analysisTarget', 'referencedOnCommandLine'])] : []),
      ...(report.manifestSource
        ? [
            {
              location: { uri: sourceUri(report.manifestSource.path) },
              mimeType: 'application/xml',
              encoding: 'utf-8',
              roles: ['referencedOnCommandLine'],
              hashes: { 'sha-256': report.manifestSource.sha256 },
            },
          ]
        : []),
    ],
    policySource: policy?.source,
    traceSource: report.trace?.source,
    snapshots: snapshotFiles(report.ui, report.trace),
    manifestSource: report.manifestSource?.path,
    properties: {
      schemaVersion: report.schemaVersion,
      app: {
        package: report.app.package,
        versionName: report.app.versionName,
        versionCode: report.app.versionCode,
        label: report.app.label,
      },
      context: report.context,
      coverage: report.coverage,
      rules: report.rules,
      ...(policy ? { policy: { source: policy.source, format: policy.format, language: policy.language, offsets: OFFSETS_NOTE } } : {}),
      ...(report.trace ? { trace: { ...report.trace, lines: TRACE_NOTE } } : {}),
      ...(report.ui ? { ui: report.ui } : {}),
      ...(report.manifestSource ? { manifestSource: report.manifestSource } : {}),
    },
  });
}

/** The policy report as SARIF: results located in the policy, by character range. */
export function renderPolicySarif(report: PolicyReport): string {
  return sarifLog({
    version: report.tool.version,
    rules: report.rules,
    findings: report.findings,
    artifacts: [policyArtifact(report, ['analysisTarget'])],
    policySource: report.source,
    properties: {
      reportVersion: report.reportVersion,
      analysisVersion: report.version,
      generatedAt: report.generatedAt,
      policy: { source: report.source, format: report.format, language: report.language, title: report.title, offsets: OFFSETS_NOTE },
      context: report.context,
      coverage: report.coverage,
      rules: report.rules,
      summary: report.summary,
    },
  });
}

/** The trace report as SARIF: results located in the trace file, by line, and in UI snapshot files. */
export function renderTraceSarif(report: TraceReport): string {
  return sarifLog({
    version: report.tool.version,
    rules: report.rules,
    findings: report.findings,
    artifacts: [traceArtifact(report.trace, ['analysisTarget'])],
    policySource: undefined,
    traceSource: report.trace.source,
    snapshots: snapshotFiles(report.ui, report.trace),
    properties: {
      reportVersion: report.reportVersion,
      generatedAt: report.generatedAt,
      trace: { ...report.trace, lines: TRACE_NOTE },
      ...(report.ui ? { ui: report.ui } : {}),
      context: report.context,
      coverage: report.coverage,
      rules: report.rules,
      summary: report.summary,
    },
  });
}
