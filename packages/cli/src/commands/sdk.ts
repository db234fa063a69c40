/**
 * `apprights sdk`: the SDK catalogue AppRights detects with. `list` and `show` let people check what
 * a report's SDK id means and where the facts come from; `validate` is what data contributors run.
 */
import { loadSdkCatalog, validateSdkDirectory, type SdkEntry } from '@apprights/knowledge';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '@apprights/report';
import { emit } from '../output.js';

export interface SdkListOptions {
  category?: string;
  region?: 'cn' | 'global';
  format: 'text' | 'json';
  lang: Lang;
}

function localized(text: { zh: string; en: string }, lang: Lang): string {
  return lang === 'zh' ? text.zh || text.en : text.en || text.zh;
}

/** Plain columns: the list is meant for terminals and for grep. */
function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => rows.reduce((max, r) => Math.max(max, [...(r[i] ?? '')].length), 0));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function runSdkList(options: SdkListOptions): number {
  const entries = loadSdkCatalog().entries.filter(
    (e) => (!options.category || e.category === options.category) && (!options.region || e.region === options.region),
  );
  if (options.format === 'json') {
    emit(JSON.stringify(entries, null, 2), undefined, options.lang);
    return ExitCode.ok;
  }
  const rows = [
    ['id', 'category', 'region', 'tracker', 'name'],
    ...entries.map((e) => [e.id, e.category, e.region, e.tracker ? 'yes' : 'no', localized(e.name, options.lang)]),
  ];
  emit(`${columns(rows)}\n(${entries.length})`, undefined, options.lang);
  return ExitCode.ok;
}

function describe(e: SdkEntry, lang: Lang): string {
  const lines: [string, string][] = [
    ['id', e.id],
    ['name', `${e.name.zh} / ${e.name.en}`],
    ['vendor', `${e.vendor.zh} / ${e.vendor.en}`],
    ['category', e.category],
    ['region', e.region],
    ['tracker', e.tracker ? 'yes' : 'no'],
    ['packages', e.packages.join(', ')],
  ];
  if (e.within) lines.push(['within', ([] as string[]).concat(e.within).join(', ')]);
  if (e.components?.length) lines.push(['components', e.components.join(', ')]);
  if (e.nativeLibraries?.length) lines.push(['nativeLibraries', e.nativeLibraries.join(', ')]);
  if (e.domains?.length) lines.push(['domains', e.domains.join(', ')]);
  lines.push(['personalInformation', e.personalInformation.join(', ') || '-']);
  if (e.privacyPolicy) lines.push(['privacyPolicy', e.privacyPolicy]);
  for (const [key, value] of Object.entries(e.sources ?? {})) lines.push([`sources.${key}`, value]);
  const width = lines.reduce((max, [k]) => Math.max(max, k.length), 0);
  return `${localized(e.name, lang)}\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`;
}

export function runSdkShow(id: string, options: { format: 'text' | 'json'; lang: Lang }): number {
  const entry = loadSdkCatalog().get(id);
  if (!entry) {
    process.stderr.write(`apprights: ${t(options.lang, 'errorPrefix')}: ${t(options.lang, 'sdkNotFound')}: ${id} (apprights sdk list)\n`);
    return ExitCode.usage;
  }
  emit(options.format === 'json' ? JSON.stringify(entry, null, 2) : describe(entry, options.lang), undefined, options.lang);
  return ExitCode.ok;
}

export function runSdkValidate(options: { format: 'text' | 'json'; lang: Lang }): number {
  const { files, problems } = validateSdkDirectory();
  if (options.format === 'json') {
    emit(JSON.stringify({ files, problems }, null, 2), undefined, options.lang);
  } else if (problems.length === 0) {
    emit(`${files} ${t(options.lang, 'sdkCatalogOk')}`, undefined, options.lang);
  } else {
    const lines = problems.map((p) => `${p.file}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
    emit(`${lines.join('\n')}\n${problems.length} ${t(options.lang, 'sdkCatalogProblems')}`, undefined, options.lang);
  }
  return problems.length === 0 ? ExitCode.ok : ExitCode.failed;
}
