/**
 * The terminal report people read: the verdict first, then what needs doing, worst first. The
 * hundreds of low-severity lines a real app produces (one per exported activity) are counted by rule
 * unless `--verbose` asks for each one; the HTML and JSON reports always have them all.
 */
import { loadMeasureCatalog } from '@apprights/knowledge';
import { EVIDENCE_KINDS } from '@apprights/knowledge';
import {
  EVIDENCE_OPTIONS,
  SEVERITIES,
  type Bilingual,
  type CoverageStatus,
  type EvidenceKind,
  type Finding,
  type Severity,
} from '@apprights/rules';
import type { Lang } from './i18n.js';
import { paint, stripControls, type Paint } from './ansi.js';
import {
  coverageManual,
  coverageMissing,
  EVIDENCE_LABELS,
  evidenceView,
  outcomeText,
  pick,
  relatedTag,
  ruleTitle,
  runtimeTag,
  SEVERITY_LABELS,
  STATUS_LABELS,
  STATUS_ORDER,
  type CheckResults,
} from './check-views.js';

export interface TextOptions {
  /** List every finding and every rule outcome (and, for a scan, the package's facts). */
  verbose?: boolean;
  /** ANSI colours: only when writing to a terminal that wants them. */
  colour?: boolean;
  /** The last line: where the full report is (null: none, because the report was written to a file). */
  fullReport?: Bilingual | null;
}

/** Findings of these severities are listed one by one; the others are counted by rule. */
const LISTED: readonly Severity[] = ['high', 'medium'];
/** A terminal line: longer messages are cut, the full text is in the other formats. */
const MAX_MESSAGE = 160;

const L = {
  verdict: { en: 'Verdict', zh: '结论' },
  findings: { en: 'findings', zh: '个问题' },
  measures: { en: 'measures', zh: '措施' },
  suppressed: { en: 'suppressed', zh: '已豁免' },
  measuresTitle: { en: 'Measures of the 2023 notice', zh: '26 号文措施' },
  toAssess: { en: 'To assess more, supply:', zh: '补充以下证据可评估更多措施：' },
  measureNumbers: { en: 'measures', zh: '措施' },
  manualAll: {
    en: 'Left to a person (organisational records or evidence no rule reads):',
    zh: '需人工核查（企业管理记录或规则未读取的证据）：',
  },
  findingsTitle: { en: 'Findings', zh: '检测发现' },
  byRule: { en: 'by rule; --verbose lists each', zh: '按规则汇总；--verbose 逐条列出' },
  none: { en: 'No findings.', zh: '未发现问题。' },
  rulesNotRun: { en: 'Rules not run', zh: '未运行的规则' },
  rulesNotRunShort: { en: '(--verbose lists them)', zh: '（--verbose 逐条列出）' },
  moreEvidence: { en: 'more evidence', zh: '条证据' },
  serves: { en: 'measures', zh: '措施' },
} as const satisfies Record<string, Bilingual>;

const NOT_RUN = {
  skipped: { en: 'skipped for missing evidence', zh: '条因缺少证据未运行' },
  'not-applicable': { en: 'not applicable to this package', zh: '条不适用于此类安装包' },
  disabled: { en: 'disabled', zh: '条已停用' },
  error: { en: 'failed', zh: '条运行出错' },
} as const satisfies Record<string, Bilingual>;

/** Terminal width of a string: CJK characters take two columns. */
export function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

export function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

function cut(text: string, max: number): string {
  const clean = stripControls(text.replace(/\s+/g, ' '));
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function severityPaint(p: Paint, severity: Severity): (text: string) => string {
  return severity === 'high' ? (s) => p.bold(p.red(s)) : severity === 'medium' ? p.yellow : severity === 'low' ? p.blue : p.dim;
}

export function statusPaint(p: Paint, status: CoverageStatus | 'needs-evidence'): (text: string) => string {
  switch (status) {
    case 'passed':
      return p.green;
    case 'failed':
      return (s) => p.bold(p.red(s));
    case 'partially-assessed':
      return p.yellow;
    case 'organisational':
      return p.magenta;
    default:
      return p.dim;
  }
}

function measureNumber(id: string): string {
  const m = loadMeasureCatalog().measures.find((x) => x.id === id);
  return m ? String(m.number) : id;
}

/** "high 2, medium 6, low 333, info 2" with each count coloured by its severity. */
function severityCounts(findings: readonly Finding[], lang: Lang, p: Paint): string {
  const active = findings.filter((f) => !f.suppressed);
  return SEVERITIES.map((s) => {
    const n = active.filter((f) => f.severity === s).length;
    const text = `${pick(lang, SEVERITY_LABELS[s])} ${n}`;
    return n > 0 ? severityPaint(p, s)(text) : p.dim(text);
  }).join(lang === 'zh' ? '，' : ', ');
}

/** The verdict line: findings by severity, then the measures by status. */
export function verdictLine(report: CheckResults, lang: Lang, p: Paint): string {
  const active = report.findings.filter((f) => !f.suppressed).length;
  const suppressed = report.findings.length - active;
  const statuses = STATUS_ORDER.map((s) => {
    const n = report.coverage.filter((c) => c.status === s || (s === 'not-assessed' && (c.status as string) === 'needs-evidence')).length;
    const text = lang === 'zh' ? `${pick(lang, STATUS_LABELS[s])} ${n}` : `${n} ${pick(lang, STATUS_LABELS[s])}`;
    return n > 0 ? statusPaint(p, s)(text) : p.dim(text);
  }).join(lang === 'zh' ? '，' : ', ');
  const findings =
    lang === 'zh'
      ? `${active} 个问题（${severityCounts(report.findings, lang, p)}${suppressed ? `；已豁免 ${suppressed}` : ''}）`
      : `${active} findings (${severityCounts(report.findings, lang, p)}${suppressed ? `; ${suppressed} suppressed` : ''})`;
  const colon = lang === 'zh' ? '：' : ': ';
  return `${p.bold(pick(lang, L.verdict))}${colon}${findings} · ${pick(lang, L.measures)}${colon}${statuses}`;
}

/** Measures by status, compactly, then one line per option that would assess more of them. */
function coverageLines(report: CheckResults, lang: Lang, p: Paint, verbose: boolean): string[] {
  const catalog = loadMeasureCatalog();
  const out: string[] = [p.bold(`${pick(lang, L.measuresTitle)} (${report.coverage.length})`)];
  const labelWidth = STATUS_ORDER.reduce((max, s) => Math.max(max, width(pick(lang, STATUS_LABELS[s]))), 0) + 5;
  for (const status of STATUS_ORDER) {
    const entries = report.coverage.filter(
      (c) => c.status === status || (status === 'not-assessed' && (c.status as string) === 'needs-evidence'),
    );
    const label = statusPaint(p, status)(pad(`${pick(lang, STATUS_LABELS[status])} (${entries.length})`, labelWidth));
    if (entries.length === 0) {
      out.push(`  ${label}${p.dim('-')}`);
      continue;
    }
    // Failed measures one per line with their titles (there are few, and they are what to fix first).
    if (status === 'failed' || verbose) {
      out.push(`  ${statusPaint(p, status)(`${pick(lang, STATUS_LABELS[status])} (${entries.length})`)}`);
      for (const c of entries) {
        const m = catalog.measures.find((x) => x.id === c.measure);
        const title = m ? pick(lang, m.title) : c.measure;
        const count = c.findings > 0 ? p.dim(lang === 'zh' ? `（${c.findings} 个问题）` : ` (${c.findings})`) : '';
        out.push(`      ${pad(measureNumber(c.measure), 3)}${title}${count}`);
      }
    } else {
      out.push(`  ${label}${entries.map((c) => measureNumber(c.measure)).join(' ')}`);
    }
  }
  // Which option would assess which measures: the reader's next step.
  const byKind = new Map<EvidenceKind, string[]>();
  for (const c of report.coverage)
    for (const kind of coverageMissing(c)) byKind.set(kind, [...(byKind.get(kind) ?? []), measureNumber(c.measure)]);
  if (byKind.size > 0) {
    out.push(`  ${pick(lang, L.toAssess)}`);
    const rows = EVIDENCE_KINDS.filter((k) => byKind.has(k)).map((k) => [
      EVIDENCE_OPTIONS[k].join(lang === 'zh' ? ' 或 ' : ' or '),
      pick(lang, EVIDENCE_LABELS[k]),
      `${pick(lang, L.measureNumbers)} ${byKind.get(k)!.join(' ')}`,
    ]);
    const w0 = rows.reduce((max, r) => Math.max(max, width(r[0]!)), 0);
    const w1 = rows.reduce((max, r) => Math.max(max, width(r[1]!)), 0);
    for (const [option, label, numbers] of rows) out.push(`    ${p.bold(pad(option!, w0))}  ${pad(label!, w1)}  ${numbers}`);
  }
  const manual = new Set<string>();
  for (const c of report.coverage) if (coverageManual(c).length > 0) manual.add(measureNumber(c.measure));
  if (verbose && manual.size > 0) out.push(`  ${pick(lang, L.manualAll)} ${[...manual].join(' ')}`);
  return out;
}

function whereText(f: Finding): string {
  if (f.evidence.length === 0) return '';
  const view = evidenceView(f.evidence[0]!);
  const first = view.artifact ? `${view.artifact} ${view.where}` : view.where;
  return cut(first, 120) + (f.evidence.length > 1 ? ` (+${f.evidence.length - 1})` : '');
}

function findingLines(f: Finding, lang: Lang, p: Paint, indent: string): string[] {
  const tags = [runtimeTag(f), relatedTag(f)].filter((tag) => tag !== null).map((tag) => `[${pick(lang, tag)}]`);
  const suppressed = f.suppressed ? `[${pick(lang, L.suppressed)}: ${cut(f.suppressed.reason, 80)}] ` : '';
  const measures = f.measures.length > 0 ? p.dim(` (${pick(lang, L.serves)} ${f.measures.map(measureNumber).join(', ')})`) : '';
  // The severity is the heading the finding sits under; the rule id takes its colour.
  const head = `${indent}${p.bold(severityPaint(p, f.severity)(f.ruleId))}${measures}`;
  const lines = [head, `${indent}  ${suppressed}${cut(pick(lang, f.message), MAX_MESSAGE)}${tags.length ? ` ${tags.join(' ')}` : ''}`];
  const where = whereText(f);
  if (where) lines.push(`${indent}  ${p.dim(where)}`);
  return lines;
}

/** Findings by severity: high and medium one by one, low and info counted by rule (unless verbose). */
function findingsLines(report: CheckResults, lang: Lang, p: Paint, verbose: boolean): string[] {
  const out: string[] = [];
  const active = report.findings.filter((f) => !f.suppressed);
  out.push(p.bold(`${pick(lang, L.findingsTitle)} (${active.length})`));
  if (report.findings.length === 0) {
    out.push(`  ${pick(lang, L.none)}`);
    return out;
  }
  for (const severity of SEVERITIES) {
    const list = report.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    const colour = severityPaint(p, severity);
    if (verbose || LISTED.includes(severity)) {
      out.push(colour(`${pick(lang, SEVERITY_LABELS[severity]).toUpperCase()} (${list.length})`));
      for (const f of list) for (const line of findingLines(f, lang, p, '  ')) out.push(line);
      continue;
    }
    out.push(`${colour(`${pick(lang, SEVERITY_LABELS[severity]).toUpperCase()} (${list.length})`)} ${p.dim(`— ${pick(lang, L.byRule)}`)}`);
    const byRule = new Map<string, Finding[]>();
    for (const f of list) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
    const idWidth = [...byRule.keys()].reduce((max, id) => Math.max(max, width(id)), 0);
    for (const [ruleId, findings] of byRule) {
      const measures = [...new Set(findings.flatMap((f) => f.measures))].map(measureNumber);
      out.push(
        `  ${p.bold(pad(ruleId, idWidth))}  ${pad(String(findings.length), 4)} ${pick(lang, ruleTitle(ruleId))}` +
          (measures.length > 0 ? p.dim(` (${pick(lang, L.serves)} ${measures.join(', ')})`) : ''),
      );
    }
  }
  return out;
}

/** The rules that did not run: counted by the evidence they lacked, or listed when verbose. */
function notRunLines(report: CheckResults, lang: Lang, p: Paint, verbose: boolean): string[] {
  const notRun = report.rules.filter((o) => o.status !== 'ran');
  if (notRun.length === 0) return [];
  if (verbose) return [p.bold(pick(lang, L.rulesNotRun)), ...notRun.map((o) => `  ${o.id}: ${outcomeText(o, lang)}`)];
  const errors = notRun.filter((o) => o.status === 'error');
  const counts = (['skipped', 'not-applicable', 'disabled', 'error'] as const)
    .map((status) => [status, notRun.filter((o) => o.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${pick(lang, NOT_RUN[status])}`)
    .join(lang === 'zh' ? '，' : ', ');
  const lines = [`${p.bold(pick(lang, L.rulesNotRun))}: ${counts} ${p.dim(pick(lang, L.rulesNotRunShort))}`];
  // A rule that crashed is never folded away: its measures were not checked because of us.
  for (const o of errors) lines.push(`  ${p.red(o.id)}: ${outcomeText(o, lang)}`);
  return lines;
}

/** Coverage, findings, rules not run and the closing hint: the checks part of every text report. */
export function checksText(report: CheckResults, lang: Lang, options: TextOptions = {}): string[] {
  const p = paint(options.colour === true);
  const verbose = options.verbose === true;
  const out = [
    verdictLine(report, lang, p),
    '',
    ...coverageLines(report, lang, p, verbose),
    '',
    ...findingsLines(report, lang, p, verbose),
  ];
  const notRun = notRunLines(report, lang, p, verbose);
  if (notRun.length > 0) {
    out.push('');
    for (const line of notRun) out.push(line);
  }
  if (options.fullReport) out.push('', p.dim(pick(lang, options.fullReport)));
  return out;
}
