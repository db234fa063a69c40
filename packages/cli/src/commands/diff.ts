import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ApkFormatError } from '@apprights/apk';
import {
  SEVERITIES,
  diffGateFails,
  diffReports,
  type Change,
  type DiffSide,
  type ReportDiff,
  type ScanReport,
  type Severity,
} from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '../i18n.js';
import { emit } from '../output.js';
import { produceReport, type ReportOptions } from './scan.js';
import { packageRoot } from '../package-root.js';

export type DiffFormat = 'text' | 'json' | 'md';

export interface DiffOptions extends Omit<ReportOptions, 'failOn'> {
  format: DiffFormat;
  output?: string;
  /** `gating` (default): a change that needs review; a severity: any change that severe; `none`: never. */
  failOn?: Severity | 'gating' | 'none';
}

export const DIFF_HELP = `
Inputs / 输入: OLD and NEW are each an APK, JAR or AAR, or a JSON report written by \`apprights scan --format json\`
(read as is, not rescanned). 新旧版本可以是安装包，也可以是 scan 输出的 JSON 报告。
Gate / 门禁: --fail-on gating (default) exits 1 when a change needs review before the update goes out: another package
name or signer, a lower targetSdk, a new dangerous permission, tracker SDK, personal-information API, self-start receiver
or dynamic code loading, a new high finding. --fail-on SEVERITY: any change at least that severe (info: any change).
Exit codes / 退出码: 0 ok, 1 the gate failed, 2 usage or configuration error, 3 unreadable input, 4 cannot write the output,
70 internal error.
Formats / 格式: text (terminal), json (schemas/diff-report.schema.json), md.
Example / 示例: apprights diff app-3.1.apk app-3.2.apk --format md -o diff.md`;

/** An input that is neither a package nor a scan report this version reads: exit code 3, naming the file. */
class DiffInputError extends Error {
  constructor(readonly text: Record<Lang, string>) {
    super(text.en);
  }
}

function unreadable(file: string, error: unknown): DiffInputError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new DiffInputError({ en: `cannot read ${file}: ${code}`, zh: `无法读取 ${file}：${code}` });
}

const WORDS = {
  title: { en: 'AppRights version diff', zh: 'AppRights 版本对比' },
  old: { en: 'Old', zh: '旧版本' },
  new: { en: 'New', zh: '新版本' },
  file: { en: 'File', zh: '文件' },
  package: { en: 'Package', zh: '包名' },
  version: { en: 'Version', zh: '版本' },
  noChanges: { en: 'No changes between the two versions.', zh: '两个版本之间没有发现变化。' },
  gating: { en: 'gating', zh: '需拦截' },
  before: { en: 'before', zh: '之前' },
  after: { en: 'after', zh: '之后' },
  summary: { en: 'Summary', zh: '汇总' },
  high: { en: 'High', zh: '高' },
  medium: { en: 'Medium', zh: '中' },
  low: { en: 'Low', zh: '低' },
  info: { en: 'Info', zh: '提示' },
} as const satisfies Record<string, Record<Lang, string>>;

function w(lang: Lang, key: keyof typeof WORDS): string {
  return WORDS[key][lang];
}

function gateText(diff: ReportDiff, lang: Lang): string {
  const n = diff.changes.filter((c) => c.gating).length;
  if (n === 0) return lang === 'zh' ? '没有需要拦截审核的变化' : 'no change needs review before release';
  return lang === 'zh' ? `${n} 项变化需在发布前审核` : `${n} change${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} review before release`;
}

function countsText(diff: ReportDiff, lang: Lang): string {
  return SEVERITIES.map((s) => `${w(lang, s)} ${diff.summary.bySeverity[s]}`).join(lang === 'zh' ? '、' : ', ');
}

/** Whether an input is a JSON report: by name, or by its first non-blank byte, so a renamed report still works. */
function looksLikeJson(file: string): boolean {
  if (file.toLowerCase().endsWith('.json')) return true;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    return head
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{');
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readReport(file: string): ScanReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw unreadable(file, error);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message;
    throw new DiffInputError({ en: `${file}: not valid JSON (${why})`, zh: `${file}：不是有效的 JSON（${why}）` });
  }
  const report = data as Partial<ScanReport> | null;
  if (typeof report !== 'object' || report === null || Array.isArray(report) || typeof report.schemaVersion !== 'string') {
    throw new DiffInputError({
      en: `${file}: not an AppRights scan report (no schemaVersion); write one with apprights scan --format json`,
      zh: `${file}：不是 AppRights 扫描报告（缺少 schemaVersion）；请用 apprights scan --format json 生成`,
    });
  }
  const major = /^(\d+)\.\d+\.\d+$/.exec(report.schemaVersion)?.[1];
  if (major !== '1') {
    const version = report.schemaVersion;
    throw new DiffInputError({
      en: `${file}: scan report schema version ${version} is not supported; this AppRights reads version 1 reports (1.x.y)`,
      zh: `${file}：不支持扫描报告格式版本 ${version}；当前 AppRights 只读取 1.x.y 版本的报告`,
    });
  }
  // The diff reads these without further checks; anything else a 1.x report may lack is compared only when present.
  const missing = [
    typeof report.file?.sha256 === 'string' && typeof report.file.name === 'string' ? null : 'file',
    typeof report.app === 'object' && report.app !== null ? null : 'app',
    Array.isArray(report.permissions) ? null : 'permissions',
    Array.isArray(report.components) ? null : 'components',
  ].filter((k) => k !== null);
  if (missing.length > 0) {
    throw new DiffInputError({
      en: `${file}: not an AppRights scan report (missing ${missing.join(', ')})`,
      zh: `${file}：不是 AppRights 扫描报告（缺少 ${missing.join('、')}）`,
    });
  }
  return report as ScanReport;
}

let validator: Promise<ValidateFunction> | undefined;

/**
 * Compiled once per run (two JSON inputs share it), and loaded only here: most commands never need
 * it. The policy report schema comes along because the scan report's `policy` is defined there.
 */
function scanReportValidator(): Promise<ValidateFunction> {
  validator ??= import('ajv/dist/2020.js').then(({ Ajv2020 }) => {
    const load = (name: string) => JSON.parse(readFileSync(join(packageRoot, `schemas/${name}.schema.json`), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(load('policy-report'));
    return ajv.compile(load('scan-report'));
  });
  return validator;
}

/**
 * A stored report is input from outside, like an APK: one written by this schema version (1.2 or
 * later) is checked against the published schema before any field is trusted, so a damaged or
 * hand-edited report is refused with the place that is wrong. Older 1.x reports predate the schema's
 * newer required sections; the diff reads them defensively instead (see runDiff).
 */
async function checkAgainstSchema(file: string, report: ScanReport): Promise<void> {
  const version = report.schemaVersion;
  const minor = Number(/^1\.(\d+)\./.exec(version)?.[1] ?? 0);
  if (minor < 2) return;
  const validate = await scanReportValidator();
  if (validate(report as unknown)) return;
  const where = (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    .join('; ');
  throw new DiffInputError({
    en: `${file}: not a valid AppRights scan report ${version}: ${where}`,
    zh: `${file}：不是有效的 AppRights 扫描报告 ${version}：${where}`,
  });
}

async function loadSide(file: string, options: Omit<DiffOptions, 'failOn'>): Promise<ScanReport> {
  if (looksLikeJson(file)) {
    const report = readReport(file);
    await checkAgainstSchema(file, report);
    return report;
  }
  try {
    return await produceReport(file, options);
  } catch (error) {
    // Two files are in play, so a format error must say which one it concerns; I/O messages already do.
    if (error instanceof ApkFormatError && error.code !== 'io') {
      throw new DiffInputError({ en: `${file}: ${error.message}`, zh: `${file}：${error.message}` });
    }
    throw error;
  }
}

export async function runDiff(oldPath: string, newPath: string, options: DiffOptions): Promise<number> {
  const { failOn = 'gating', ...reportOptions } = options;
  let diff: ReportDiff;
  try {
    const before = await loadSide(oldPath, reportOptions);
    const after = await loadSide(newPath, reportOptions);
    try {
      diff = diffReports(before, after);
    } catch (error) {
      // Only a stored report of an older schema version can be malformed past the checks above.
      if (!(error instanceof TypeError)) throw error;
      throw new DiffInputError({
        en: `a stored report is malformed (${error.message}); scan the package again with this version`,
        zh: `存储的报告格式有误（${error.message}）；请用当前版本重新扫描`,
      });
    }
  } catch (error) {
    if (!(error instanceof DiffInputError)) throw error;
    process.stderr.write(`apprights: ${t(options.lang, 'errorPrefix')}: ${error.text[options.lang]}\n`);
    return ExitCode.badInput;
  }
  const rendered =
    options.format === 'json'
      ? JSON.stringify(diff, null, 2)
      : options.format === 'md'
        ? renderDiffMarkdown(diff, options.lang)
        : renderDiffText(diff, options.lang);
  emit(rendered, options.output, options.lang);
  return diffGateFails(diff, failOn) ? ExitCode.failed : ExitCode.ok;
}

function sideText(side: DiffSide): string {
  return `${side.package ?? '-'} ${side.versionName ?? '-'} (${side.versionCode ?? '-'})`;
}

/**
 * before/after worth a line of their own: values that changed in place (a version, a flag, the
 * signer). Added or removed things carry whole records, which the message already describes.
 */
function plainValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '-';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.length > 0 ? value.join(', ') : '-';
  }
  return undefined;
}

function valueLines(c: Change): [string, string] | undefined {
  if (c.before === undefined || c.after === undefined) return undefined;
  const [b, a] = [plainValue(c.before), plainValue(c.after)];
  return b !== undefined && a !== undefined ? [b, a] : undefined;
}

/**
 * Informational changes of two builds far apart run into the hundreds (every removed screen); past
 * this many the terminal and Markdown show a count, and JSON keeps them all.
 */
const MAX_INFO = 50;

function bySeverity(diff: ReportDiff): { severity: Severity; shown: Change[]; hidden: number }[] {
  return SEVERITIES.map((severity) => {
    const list = diff.changes.filter((c) => c.severity === severity);
    const shown = severity === 'info' ? list.slice(0, MAX_INFO) : list;
    return { severity, shown, hidden: list.length - shown.length };
  }).filter((g) => g.shown.length > 0);
}

function hiddenText(n: number, lang: Lang): string {
  return lang === 'zh' ? `另有 ${n} 项未列出，--format json 列出全部` : `${n} more not listed; --format json lists them all`;
}

export function renderDiffText(diff: ReportDiff, lang: Lang): string {
  const out: string[] = [w(lang, 'title'), `  ${sideText(diff.old)} → ${sideText(diff.new)}`];
  const key = Math.max(w(lang, 'old').length, w(lang, 'new').length);
  for (const [name, side] of [
    [w(lang, 'old'), diff.old],
    [w(lang, 'new'), diff.new],
  ] as const) {
    out.push(`  ${name.padEnd(key)}  ${side.file}  sha256 ${side.sha256}`);
  }
  out.push('');
  if (diff.changes.length === 0) {
    out.push(w(lang, 'noChanges'));
    return out.join('\n');
  }
  const labels = [w(lang, 'before'), w(lang, 'after')];
  const labelWidth = labels.reduce((max, l) => Math.max(max, l.length), 0);
  for (const { severity, shown, hidden } of bySeverity(diff)) {
    const title = `${w(lang, severity)} (${shown.length + hidden})`;
    out.push(title, '-'.repeat(Math.max(8, title.length)));
    for (const c of shown) {
      out.push(`  ${c.gating ? `[${w(lang, 'gating')}] ` : ''}${c.message[lang]}  (${c.kind})`);
      const values = valueLines(c);
      if (values) values.forEach((v, i) => out.push(`      ${`${labels[i]}:`.padEnd(labelWidth + 1)} ${v}`));
    }
    if (hidden > 0) out.push(`  … ${hiddenText(hidden, lang)}`);
    out.push('');
  }
  out.push(
    lang === 'zh'
      ? `汇总：${countsText(diff, lang)}；${gateText(diff, lang)}`
      : `Summary: ${countsText(diff, lang)}; ${gateText(diff, lang)}`,
  );
  return out.join('\n');
}

function md(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

export function renderDiffMarkdown(diff: ReportDiff, lang: Lang): string {
  const row = (name: string, a: string, b: string) => `| ${md(name)} | ${md(a)} | ${md(b)} |`;
  const out: string[] = [
    `# ${w(lang, 'title')}`,
    '',
    `| | ${w(lang, 'old')} | ${w(lang, 'new')} |`,
    '|---|---|---|',
    row(w(lang, 'file'), diff.old.file, diff.new.file),
    row(w(lang, 'package'), diff.old.package ?? '-', diff.new.package ?? '-'),
    row(
      w(lang, 'version'),
      `${diff.old.versionName ?? '-'} (${diff.old.versionCode ?? '-'})`,
      `${diff.new.versionName ?? '-'} (${diff.new.versionCode ?? '-'})`,
    ),
    row('SHA-256', diff.old.sha256, diff.new.sha256),
    '',
  ];
  if (diff.changes.length === 0) {
    out.push(w(lang, 'noChanges'));
    return out.join('\n');
  }
  out.push(`**${w(lang, 'summary')}:** ${md(countsText(diff, lang))}; ${md(gateText(diff, lang))}`, '');
  for (const { severity, shown, hidden } of bySeverity(diff)) {
    out.push(`## ${w(lang, severity)} (${shown.length + hidden})`, '');
    for (const c of shown) {
      const values = valueLines(c);
      out.push(
        `- ${c.gating ? `**${w(lang, 'gating')}** ` : ''}\`${c.kind}\` ${md(c.message[lang])}` +
          (values ? ` (${md(values[0])} → ${md(values[1])})` : ''),
      );
    }
    if (hidden > 0) out.push(`- … ${md(hiddenText(hidden, lang))}`);
    out.push('');
  }
  return out.join('\n');
}
