/**
 * The check results (coverage of the 26 measures, findings, SDK disclosure) as views the terminal,
 * Markdown and HTML reports share, so every format groups and labels things alike.
 */
import { loadMeasureCatalog, piCategory, sdkCategoryPurpose } from '@apprights/knowledge';
import {
  EVIDENCE_OPTIONS,
  ruleById,
  type RuleOutcome,
  type Bilingual,
  type CoverageEntry,
  type CoverageStatus,
  type DetectedSdk,
  type EvidenceKind,
  type EvidenceRef,
  type Finding,
  type ScanReport,
  type Severity,
} from '@apprights/rules';
import type { Lang } from './i18n.js';

export const STATUS_LABELS: Record<CoverageStatus | 'needs-evidence', Bilingual> = {
  passed: { en: 'passed', zh: '通过' },
  failed: { en: 'failed', zh: '不符合' },
  'partially-assessed': { en: 'partially assessed', zh: '部分评估' },
  'not-assessed': { en: 'not assessed', zh: '未评估' },
  organisational: { en: 'organisational', zh: '管理类措施' },
  'platform-checked': { en: 'platform-checked', zh: '由平台或终端核查' },
  // Only in reports written before 1.5.0, which a diff or a re-render may still read.
  'needs-evidence': { en: 'not assessed', zh: '未评估' },
};

/** The statuses in the order reports count them: what needs action first. */
export const STATUS_ORDER: readonly CoverageStatus[] = [
  'failed',
  'not-assessed',
  'partially-assessed',
  'platform-checked',
  'organisational',
  'passed',
];

/** Headings the Markdown and HTML reports both show, worded once. */
export const CHECK_LABELS = {
  coverage: { en: 'Coverage of the 26 measures', zh: '26 项措施覆盖情况' },
  findings: { en: 'Findings by measure', zh: '按措施列出的问题' },
  noFindings: { en: 'No findings.', zh: '未发现问题。' },
  noMeasure: { en: 'Not tied to a measure', zh: '未关联具体措施' },
  noSdks: { en: 'No catalogued SDK that collects personal information was found.', zh: '未发现收集个人信息的已知第三方 SDK。' },
} as const satisfies Record<string, Bilingual>;

export const SEVERITY_LABELS: Record<Severity, Bilingual> = {
  high: { en: 'high', zh: '高' },
  medium: { en: 'medium', zh: '中' },
  low: { en: 'low', zh: '低' },
  info: { en: 'info', zh: '提示' },
};

/** Phrased as what to hand over, because `needs` lists what would let the measure be checked. */
export const EVIDENCE_LABELS: Record<EvidenceKind, Bilingual> = {
  apk: { en: 'the APK', zh: '安装包（APK）' },
  policy: { en: 'the privacy policy text', zh: '隐私政策文本' },
  trace: { en: 'a runtime trace', zh: '运行时行为记录' },
  ui: { en: 'UI snapshots', zh: '界面截图或界面层级' },
  store: { en: 'the store listing', zh: '应用商店页面信息' },
  org: { en: 'organisational records', zh: '企业内部管理记录' },
};

/** An evidence kind with the options that supply it: "a runtime trace (--trace)". */
export function supplyLabel(kind: EvidenceKind): Bilingual {
  const label = EVIDENCE_LABELS[kind];
  const options = EVIDENCE_OPTIONS[kind];
  if (options.length === 0) return label;
  return { en: `${label.en} (${options.join(' or ')})`, zh: `${label.zh}（${options.join(' 或 ')}）` };
}

export const GAP_LABELS = {
  supply: { en: 'to assess, supply', zh: '待补充' },
  manual: { en: 'for a person to review', zh: '需人工核查' },
  notRun: { en: 'rules not run', zh: '未运行的规则' },
} as const satisfies Record<string, Bilingual>;

/** What a coverage entry still lacks: the missing kinds, from reports before 1.5.0 too. */
export function coverageMissing(c: CoverageEntry): EvidenceKind[] {
  return c.missing ?? c.needs.filter((kind) => kind !== 'org');
}

export function coverageManual(c: CoverageEntry): EvidenceKind[] {
  return c.manual ?? c.needs.filter((kind) => kind === 'org');
}

/**
 * One line on what an entry lacks, for every format: "to assess, supply: a runtime trace (--trace);
 * for a person to review: organisational records". Empty when nothing is lacking.
 */
export function coverageGap(c: CoverageEntry, lang: Lang): string {
  const sep = lang === 'zh' ? '、' : ', ';
  const colon = lang === 'zh' ? '：' : ': ';
  const parts: string[] = [];
  const missing = coverageMissing(c);
  const manual = coverageManual(c);
  if (missing.length > 0) parts.push(pick(lang, GAP_LABELS.supply) + colon + missing.map((k) => pick(lang, supplyLabel(k))).join(sep));
  if (manual.length > 0) parts.push(pick(lang, GAP_LABELS.manual) + colon + manual.map((k) => pick(lang, EVIDENCE_LABELS[k])).join(sep));
  return parts.join(lang === 'zh' ? '；' : '; ');
}

/** A rule's outcome as a reader wants it: "ran (3 findings)", "skipped: needs a runtime trace (--trace)". */
export function outcomeText(o: RuleOutcome, lang: Lang): string {
  const sep = lang === 'zh' ? '、' : ', ';
  switch (o.status) {
    case 'ran':
      return lang === 'zh' ? `已运行（${o.findings} 个问题）` : `ran (${o.findings} finding${o.findings === 1 ? '' : 's'})`;
    case 'skipped': {
      const missing = (o.missing ?? []).map((k) => pick(lang, supplyLabel(k))).join(sep);
      return lang === 'zh' ? `未运行：缺少${missing}` : `skipped: needs ${missing}`;
    }
    case 'not-applicable':
      return lang === 'zh' ? '不适用于此类安装包' : 'not applicable to this package';
    case 'disabled':
      return lang === 'zh' ? '已在配置中停用' : 'disabled by configuration';
    case 'error':
      return lang === 'zh' ? `运行出错：${o.error ?? ''}` : `error: ${o.error ?? ''}`;
  }
}

/**
 * What the check renderers read. The scan report has it all; the policy report has no package, so
 * no SDK list to disclose.
 */
export type CheckResults = Pick<ScanReport, 'findings' | 'coverage' | 'rules'> & {
  sdks?: ScanReport['sdks'];
  /** Reports before 1.5 (scan) and 1.1 (policy, trace) lack `measuresVersion`. */
  context?: { measuresVersion?: number };
};

/**
 * The line every format prints under the coverage heading: which catalogue version the measures
 * are, and what the two statuses an app scan cannot decide mean.
 */
export function catalogueNote(report: Pick<CheckResults, 'context'>): Bilingual {
  const version = report.context?.measuresVersion;
  const en =
    version === undefined
      ? 'Measures as listed by `apprights measures`.'
      : `Measures of catalogue version ${version} (\`apprights measures\`).`;
  const zh =
    version === undefined ? '措施以 `apprights measures` 所列为准。' : `措施依据措施目录第 ${version} 版（\`apprights measures\`）。`;
  return {
    en: `${en} Platform-checked measures are duties of stores and device makers, organisational ones show only in an organisation's own records: an app scan neither passes nor fails them, and findings there are signals.`,
    zh: `${zh}“由平台或终端核查”的措施是应用分发平台、终端厂商的责任，“管理类措施”只能由相关企业的内部记录证明：对应用的检测不判定其通过与否，相关问题仅作为线索。`,
  };
}

export function pick(lang: Lang, text: Bilingual): string {
  return lang === 'zh' ? text.zh : text.en;
}

export function purposeOf(category: string): Bilingual {
  return sdkCategoryPurpose(category);
}

export interface MeasureView {
  id: string;
  number: number | null;
  title: Bilingual;
  summary: Bilingual | null;
  coverage: CoverageEntry;
}

export interface MeasureGroupView {
  id: string;
  title: Bilingual;
  measures: MeasureView[];
}

const OTHER_GROUP: Bilingual = { en: 'Other', zh: '其他' };

/**
 * The coverage entries under their catalogue groups, in catalogue order. An entry the catalogue
 * does not know (a report from another AppRights version) still shows, under "Other".
 */
export function coverageGroups(report: Pick<CheckResults, 'coverage'>): MeasureGroupView[] {
  const catalog = loadMeasureCatalog();
  const groups = new Map<string, MeasureGroupView>(
    catalog.groups.map((g) => [g.id, { id: g.id, title: { en: g.en, zh: g.zh }, measures: [] }]),
  );
  const other: MeasureGroupView = { id: 'other', title: OTHER_GROUP, measures: [] };
  for (const entry of report.coverage) {
    const measure = catalog.measures.find((m) => m.id === entry.measure);
    const view: MeasureView = measure
      ? { id: measure.id, number: measure.number, title: measure.title, summary: measure.summary, coverage: entry }
      : { id: entry.measure, number: null, title: { en: entry.measure, zh: entry.measure }, summary: null, coverage: entry };
    (measure ? (groups.get(measure.group) ?? other) : other).measures.push(view);
  }
  return [...groups.values(), other].filter((g) => g.measures.length > 0);
}

export function measureHeading(view: { number: number | null; id: string }): Bilingual {
  return view.number === null ? { en: view.id, zh: view.id } : { en: `Measure ${view.number}`, zh: `第 ${view.number} 条` };
}

export interface FindingGroup {
  /** The measures every finding of the group serves, in catalogue order; empty for none. */
  measures: MeasureView[];
  findings: Finding[];
}

/**
 * Findings grouped by the measures they serve, in measure order. A finding serving several measures
 * (dynamic code loading: 15, 18 and 21) is shown once, under all of them, rather than repeated under
 * each: a repeated finding reads as three problems.
 */
export function findingsByMeasure(report: CheckResults): FindingGroup[] {
  const views = coverageGroups(report).flatMap((g) => g.measures);
  const position = new Map(views.map((v, i) => [v.id, i]));
  const groups = new Map<string, FindingGroup & { first: number }>();
  for (const finding of report.findings) {
    const measures = views.filter((v) => finding.measures.includes(v.id));
    const key = measures.map((m) => m.id).join(' ');
    let group = groups.get(key);
    if (!group) {
      group = { measures, findings: [], first: measures.length > 0 ? position.get(measures[0]!.id)! : Number.MAX_SAFE_INTEGER };
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  return [...groups.values()]
    .sort((a, b) => a.first - b.first || a.measures.length - b.measures.length)
    .map(({ measures, findings }) => ({ measures, findings }));
}

/** "Measure 15 · Measure 18" / "第 15 条 · 第 18 条". */
export function measuresHeading(measures: readonly MeasureView[]): Bilingual {
  const heads = measures.map(measureHeading);
  return { en: heads.map((h) => h.en).join(' · '), zh: heads.map((h) => h.zh).join(' · ') };
}

export function ruleTitle(ruleId: string): Bilingual {
  return ruleById(ruleId)?.meta.title ?? { en: ruleId, zh: ruleId };
}

export interface EvidenceView {
  /** The file inside the package, when there is one. */
  artifact: string | null;
  /** Class, method, component, permission or other place, as one line. */
  where: string;
  sdk: string | null;
}

export function evidenceView(ref: EvidenceRef): EvidenceView {
  switch (ref.kind) {
    case 'manifest':
      return {
        artifact: ref.artifact,
        where: [`<${ref.element}>`, ref.name, ref.detail && `(${ref.detail})`].filter(Boolean).join(' '),
        sdk: ref.sdk ?? null,
      };
    case 'code':
      return {
        artifact: ref.artifact,
        where: (ref.method ? `${ref.class}.${ref.method}` : ref.class) + (ref.api ? ` → ${ref.api}` : ''),
        sdk: ref.sdk ?? null,
      };
    case 'sdk':
      return { artifact: null, where: `SDK ${ref.name}${ref.version ? ` ${ref.version}` : ''}`, sdk: ref.sdk };
    case 'permission':
      return { artifact: ref.artifact, where: `<uses-permission> ${ref.permission}`, sdk: null };
    case 'signature':
      return { artifact: ref.artifact, where: [ref.scheme, ref.certificate, ref.detail].filter(Boolean).join(' · '), sdk: null };
    case 'resource':
      return { artifact: ref.artifact, where: ref.detail, sdk: null };
    case 'store':
      return { artifact: null, where: `store ${ref.field}: ${ref.value}`, sdk: null };
    case 'policy':
      return {
        artifact: null,
        where: ['policy', ref.section, ref.start !== undefined && `@${ref.start}`, ref.text && `“${ref.text}”`].filter(Boolean).join(' '),
        sdk: null,
      };
    case 'trace':
      return {
        artifact: null,
        where:
          `trace line ${ref.event}` + (ref.time !== undefined ? ` @ ${traceTime(ref.time)}` : '') + (ref.detail ? `: ${ref.detail}` : ''),
        sdk: null,
      };
    case 'ui':
      return {
        artifact: null,
        where: `UI snapshot ${ref.snapshot}` + (ref.node ? `, node ${ref.node}` : '') + (ref.detail ? `: ${ref.detail}` : ''),
        sdk: null,
      };
  }
}

/**
 * A trace time as people read it: seconds since the trace started (`3.2 s`), or, for a recorder that
 * writes Unix epoch milliseconds, the UTC time of day.
 */
export function traceTime(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) >= 1e11) {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? String(ms) : `${date.toISOString().slice(11, 23)} UTC`;
  }
  const seconds = ms / 1000;
  return `${seconds.toFixed(Math.abs(seconds) < 10 ? 2 : 1).replace(/\.?0+$/, '')} s`;
}

export const RUNTIME_LABELS = {
  active: { en: 'active in trace', zh: '运行时已触发' },
  'not-observed': { en: 'not seen in trace', zh: '运行时未观察到' },
  related: { en: 'static findings', zh: '相关静态问题' },
  lines: { en: 'lines', zh: '行' },
} as const satisfies Record<string, Bilingual>;

/**
 * A static finding's link to the trace as one short tag ("active in trace: lines 12, 14" /
 * "运行时已触发：第 12、14 行"), or null when the finding was not linked.
 */
export function runtimeTag(finding: Finding): Bilingual | null {
  const link = finding.runtime;
  if (!link) return null;
  const label = RUNTIME_LABELS[link.status];
  if (link.status !== 'active' || link.events.length === 0) return { ...label };
  return {
    en: `${label.en}: ${RUNTIME_LABELS.lines.en} ${link.events.join(', ')}`,
    zh: `${label.zh}：第 ${link.events.join('、')} ${RUNTIME_LABELS.lines.zh}`,
  };
}

/** A runtime finding's static counterparts, by fingerprint, as one short tag; null when there are none. */
export function relatedTag(finding: Finding): Bilingual | null {
  if (!finding.related || finding.related.length === 0) return null;
  return {
    en: `${RUNTIME_LABELS.related.en}: ${finding.related.join(', ')}`,
    zh: `${RUNTIME_LABELS.related.zh}：${finding.related.join('、')}`,
  };
}

export interface PiLabel {
  id: string;
  title: Bilingual;
}

export interface SdkDisclosure {
  sdk: DetectedSdk;
  purpose: Bilingual;
  /** PI categories of the sensitive APIs this SDK's own code was seen calling. */
  observed: PiLabel[];
  /** PI categories the vendor documents (from the catalogue). */
  documented: PiLabel[];
  /** The sensitive APIs behind `observed`. */
  apis: string[];
  privacyPolicy: string | null;
}

function piLabel(id: string): PiLabel {
  const category = piCategory(id);
  return { id, title: category ? { en: category.en, zh: category.zh } : { en: id, zh: id } };
}

/**
 * The SDKs a privacy policy has to name: the sdk-disclosure-list rule's findings, so every format
 * shows exactly the list the rule produced (and none when the rule was disabled). The other SDKs come
 * back apart, so the list can be pasted as it is.
 */
export function sdkDisclosures(report: CheckResults): { disclose: SdkDisclosure[]; libraries: DetectedSdk[] } {
  const sdks = report.sdks ?? [];
  const disclose: SdkDisclosure[] = [];
  const listed = new Set<string>();
  for (const finding of report.findings) {
    if (finding.ruleId !== 'sdk-disclosure-list' || !finding.data) continue;
    const data = finding.data as { sdk?: string; observedPersonalInformation?: string[]; apis?: string[] };
    const sdk = sdks.find((s) => s.id === data.sdk);
    if (!sdk || listed.has(sdk.id)) continue;
    listed.add(sdk.id);
    disclose.push({
      sdk,
      purpose: purposeOf(sdk.category),
      observed: (data.observedPersonalInformation ?? []).map(piLabel),
      documented: sdk.personalInformation.map(piLabel),
      apis: data.apis ?? [],
      // Only a web address may become a link: the page must not carry javascript: or data: URLs.
      privacyPolicy: sdk.privacyPolicy && /^https?:\/\/[^\s"'<>]+$/.test(sdk.privacyPolicy) ? sdk.privacyPolicy : null,
    });
  }
  return { disclose, libraries: sdks.filter((s) => !listed.has(s.id)) };
}
