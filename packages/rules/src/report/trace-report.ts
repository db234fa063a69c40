import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { ConsentAction, PermissionAnswer, TraceHeader } from '@apprights/runtime';
import { availableEvidence, type Evidence, type StoreListing, type TraceFacts, type UiFacts } from '../evidence/evidence.js';
import { emptyConfig, type RulesConfig } from '../engine/config.js';
import { computeCoverage, runRules, type MeasureRef } from '../engine/run.js';
import { SEVERITIES, type CoverageEntry, type Finding, type Rule, type RuleOutcome, type Severity } from '../engine/types.js';
import { allRules } from '../rules/index.js';
import type { ReportContext } from './context.js';

/**
 * The report of `apprights trace FILE [--ui DIR]`: what the trace holds (a summary, not every event:
 * the trace file is the record), what the runtime and UI rules found in it, and the coverage of the
 * 26 measures. Documented by the CLI's `schemas/trace-report.schema.json`. 1.1.0 added
 * `context.knowledge` and, on findings, `messageId` and `messageData`.
 */
/** 1.1.0: the coverage of the scan report's 1.5.0 (strict `passed`, `partially-assessed`, `not-assessed`, `platform-checked`, `missing`, ...) and `context.measuresVersion`. */
export const TRACE_REPORT_VERSION = '1.1.0';

/** A runtime permission request, with the user's answers, as the summary lists it. */
export interface TracePermissionRequest {
  line: number;
  /** Milliseconds since the trace started. */
  time: number;
  permissions: string[];
  /** One per permission; null while unknown. */
  answers: (PermissionAnswer | null)[];
  purposeShown: boolean | null;
  /** Asked before the user agreed to the privacy policy (or with no agreement in the trace). */
  beforeConsent: boolean;
}

/** What a trace holds, in a few numbers: the scan and trace reports both carry it. */
export interface TraceSummary {
  /** The trace file. */
  source: string;
  /** The trace format version of the header, or null without a header. */
  format: string | null;
  package: string | null;
  versionName: string | null;
  versionCode: number | null;
  recorder: string | null;
  device: TraceHeader['device'] | null;
  startedAt: string | null;
  /** Milliseconds from the first event to the last. */
  durationMs: number;
  /** Events recorded, not counting the header. */
  events: number;
  /** Events by kind (`api`, `consent`, ...; unknown kinds too; not the header). */
  eventsByKind: Record<string, number>;
  /** When the consent dialog was shown, agreed to, refused, withdrawn: milliseconds since the trace started. */
  consent: Record<ConsentAction, number[]>;
  permissionRequests: TracePermissionRequest[];
  /** Sensitive-API calls before the first agreement (all of them when nobody agreed). */
  apiCallsBeforeConsent: number;
  /** UI snapshots available (from the trace's `ui` events and the `--ui` folder). */
  snapshots: number;
  /** Lines the reader skipped, with why. */
  problems: { line: number; message: string }[];
}

/** A UI snapshot as reports list it: the tree itself stays in its file. */
export interface UiSnapshotRef {
  id: string;
  file: string | null;
  /** Milliseconds since the trace started, or null for a snapshot the trace does not announce. */
  time: number | null;
  line: number | null;
  role: string | null;
}

export interface UiSummary {
  /** The `--ui` folder, or the trace file when the snapshots came only from it. */
  source: string;
  snapshots: UiSnapshotRef[];
  /** Snapshots the reader could not read (missing file, bad dump), with why. */
  problems: { id: string; line: number | null; message: string }[];
}

export interface TraceReportSummary {
  /** Unsuppressed findings by severity. */
  findings: Record<Severity, number>;
  suppressed: number;
}

export interface TraceReport {
  reportVersion: string;
  tool: { name: 'apprights'; version: string };
  generatedAt: string;
  context: ReportContext;
  trace: TraceSummary;
  ui: UiSummary | null;
  rules: RuleOutcome[];
  findings: Finding[];
  coverage: CoverageEntry[];
  summary: TraceReportSummary;
}

export interface AssembleTraceOptions {
  toolVersion: string;
  measures: readonly MeasureRef[];
  /** The catalogue version those measures come from (default: the snapshot's measure catalogue's). */
  measuresVersion?: number;
  /** The catalogues the rules judge by; its id is recorded in the report. */
  knowledge: KnowledgeSnapshot;
  store?: StoreListing;
  config?: RulesConfig;
  failOn?: Severity | 'none';
  rules?: readonly Rule[];
  generatedAt?: Date;
}

/** The trace's time origin: the header's time, else the first event's. */
function origin(trace: TraceFacts): number {
  if (trace.header && Number.isFinite(trace.header.t)) return trace.header.t;
  const first = trace.events.find((e) => Number.isFinite(e.t));
  return first ? first.t : 0;
}

const CONSENT_ACTIONS: readonly ConsentAction[] = ['shown', 'agreed', 'refused', 'withdrawn'];

export function summariseTrace(trace: TraceFacts, ui?: UiFacts): TraceSummary {
  const start = origin(trace);
  // Not clamped at 0: an event before the header shows as negative here, as in the findings' evidence.
  const rel = (t: number) => Math.round(t - start);
  // One pass, no spread: a trace may hold millions of events, past what an argument list takes.
  let first = Infinity;
  let last = -Infinity;
  for (const e of trace.events) {
    if (!Number.isFinite(e.t)) continue;
    if (e.t < first) first = e.t;
    if (e.t > last) last = e.t;
  }
  const eventsByKind: Record<string, number> = {};
  const consent = Object.fromEntries(CONSENT_ACTIONS.map((a) => [a, [] as number[]])) as Record<ConsentAction, number[]>;
  for (const event of trace.events) {
    // The header describes the recording; it is not something the app did.
    if (event.kind === 'trace') continue;
    eventsByKind[event.kind] = (eventsByKind[event.kind] ?? 0) + 1;
    if (event.kind === 'consent') {
      const action = (event as { action?: unknown }).action;
      if (typeof action === 'string' && action in consent) consent[action as ConsentAction].push(rel(event.t));
    }
  }
  const agreedAt = trace.events.find((e) => e.kind === 'consent' && (e as { action?: unknown }).action === 'agreed')?.t;
  const before = (t: number) => agreedAt === undefined || t < agreedAt;
  const permissionRequests: TracePermissionRequest[] = [];
  for (const event of trace.events) {
    if (event.kind !== 'permission-request') continue;
    const e = event as { permissions?: unknown; answers?: unknown; purposeShown?: unknown };
    const permissions = Array.isArray(e.permissions) ? e.permissions.filter((p): p is string => typeof p === 'string') : [];
    const answers = Array.isArray(e.answers) ? (e.answers as unknown[]) : [];
    permissionRequests.push({
      line: event.line,
      time: rel(event.t),
      permissions,
      answers: permissions.map((_, i) => (typeof answers[i] === 'string' ? (answers[i] as PermissionAnswer) : null)),
      purposeShown: typeof e.purposeShown === 'boolean' ? e.purposeShown : null,
      beforeConsent: before(event.t),
    });
  }
  const header = trace.header;
  return {
    source: trace.source,
    format: header?.version ?? null,
    package: header?.package ?? null,
    versionName: header?.versionName ?? null,
    versionCode: header?.versionCode ?? null,
    recorder: header?.recorder ?? null,
    device: header?.device ?? null,
    startedAt: header?.startedAt ?? null,
    durationMs: last >= first ? Math.round(last - first) : 0,
    events: trace.events.filter((e) => e.kind !== 'trace').length,
    eventsByKind,
    consent,
    permissionRequests,
    apiCallsBeforeConsent: trace.events.filter((e) => e.kind === 'api' && before(e.t)).length,
    snapshots: ui?.snapshots.length ?? 0,
    problems: trace.problems.map((p) => ({ line: p.line, message: p.message })),
  };
}

export function summariseUi(ui: UiFacts, trace?: TraceFacts): UiSummary {
  const start = trace ? origin(trace) : 0;
  return {
    source: ui.source,
    snapshots: ui.snapshots.map((s) => ({
      id: s.id,
      file: s.file ?? null,
      time: s.t === null || !Number.isFinite(s.t) ? null : Math.round(s.t - start),
      line: s.line ?? null,
      role: s.role ?? null,
    })),
    problems: uiProblems(ui),
  };
}

/** The UI reader's `problems`, when the UI facts came from it (`loadUiSnapshots`). */
function uiProblems(ui: UiFacts): UiSummary['problems'] {
  const problems = (ui as { problems?: unknown }).problems;
  if (!Array.isArray(problems)) return [];
  return problems
    .filter((p): p is { id?: unknown; line?: unknown; message?: unknown } => typeof p === 'object' && p !== null)
    .map((p) => ({
      id: typeof p.id === 'string' ? p.id : '',
      line: typeof p.line === 'number' ? p.line : null,
      message: typeof p.message === 'string' ? p.message : String(p.message),
    }));
}

/** Runs the rules over a trace and its UI snapshots (rules that also need the package are skipped) and makes the report. */
export function assembleTraceReport(trace: TraceFacts, ui: UiFacts | undefined, options: AssembleTraceOptions): TraceReport {
  const config = options.config ?? emptyConfig();
  const rules = options.rules ?? allRules;
  const evidence: Evidence = { trace };
  if (ui) evidence.ui = ui;
  if (options.store) evidence.store = options.store;
  const result = runRules(evidence, rules, config, options.knowledge);
  const coverage = computeCoverage(options.measures, rules, result, evidence);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of result.findings) if (!f.suppressed) bySeverity[f.severity]++;
  return {
    reportVersion: TRACE_REPORT_VERSION,
    tool: { name: 'apprights', version: options.toolVersion },
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    context: {
      store: options.store ?? null,
      config: config.source,
      failOn: options.failOn ?? config.failOn ?? 'none',
      evidence: [...availableEvidence(evidence)],
      measuresVersion: options.measuresVersion ?? options.knowledge.measures.version,
      knowledge: { id: options.knowledge.id, versions: options.knowledge.versions },
    },
    trace: summariseTrace(trace, ui),
    ui: ui ? summariseUi(ui, trace) : null,
    rules: result.rules,
    findings: result.findings,
    coverage,
    summary: { findings: bySeverity, suppressed: result.findings.filter((f) => f.suppressed).length },
  };
}
