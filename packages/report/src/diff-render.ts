import { SEVERITIES, type Change, type DiffSide, type ReportDiff, type Severity } from '@apprights/rules';
import type { Lang } from './i18n.js';

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
