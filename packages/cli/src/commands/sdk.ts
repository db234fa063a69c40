/**
 * `apprights sdk`: the SDK catalogue AppRights detects with. `list` and `show` let people check what
 * a report's SDK id means and where the facts come from; `validate` is what data contributors run.
 */
import { REVIEW_FLAGS, loadSdkCatalog, scanCorpus, validateSdkDirectory, type SdkEntry } from '@apprights/knowledge';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '../i18n.js';
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
  if (e.bundles?.length) lines.push(['bundles', e.bundles.join(', ')]);
  if (e.bundledBy?.length) lines.push(['bundledBy', e.bundledBy.join(', ')]);
  if (e.components?.length) lines.push(['components', e.components.join(', ')]);
  if (e.nativeLibraries?.length) lines.push(['nativeLibraries', e.nativeLibraries.join(', ')]);
  if (e.domains?.length) lines.push(['domains', e.domains.join(', ')]);
  lines.push(['personalInformation', e.personalInformation.join(', ') || '-']);
  for (const c of e.personalInformationChanges ?? []) {
    const diff = [...(c.added ?? []).map((id) => `+${id}`), ...(c.removed ?? []).map((id) => `-${id}`)].join(' ');
    lines.push([`  from ${c.version}`, `${diff ? `${diff}: ` : ''}${c.items} (${c.source})`]);
  }
  if (e.privacyPolicy) lines.push(['privacyPolicy', e.privacyPolicy]);
  for (const [key, value] of Object.entries(e.sources ?? {})) lines.push([`sources.${key}`, value]);
  if (e.unsourced?.length) lines.push(['unsourced', e.unsourced.join(', ')]);
  for (const flag of e.reviewFlags ?? []) lines.push(['reviewFlags', `${flag}: ${REVIEW_FLAGS[flag as keyof typeof REVIEW_FLAGS] ?? ''}`]);
  if (e.checked) lines.push(['checked', e.checked]);
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

export interface SdkValidateOptions {
  format: 'text' | 'json';
  lang: Lang;
  /** Warn about entries whose sources were last checked before this date (YYYY-MM-DD) or never dated. */
  sourcesBefore?: string;
  /** APK/JAR/AAR files or folders: warn about entries no binary among them confirms. */
  corpus?: string[];
  /** Warnings fail too (exit 1), not only errors. */
  strict?: boolean;
}

export function runSdkValidate(options: SdkValidateOptions): number {
  if (options.sourcesBefore !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.sourcesBefore)) {
    process.stderr.write(
      `apprights: ${t(options.lang, 'errorPrefix')}: --sources-before ${JSON.stringify(options.sourcesBefore)}: ${t(options.lang, 'sdkBadDate')}\n`,
    );
    return ExitCode.usage;
  }
  let corpus: { files: number; failures: { path: string; message: string }[]; truncated: boolean } | undefined;
  let seen: Set<string> | undefined;
  if (options.corpus && options.corpus.length > 0) {
    const scan = scanCorpus(options.corpus, loadSdkCatalog());
    corpus = { files: scan.files.length, failures: scan.failures, truncated: scan.truncated };
    seen = scan.seen;
  }
  const { files, problems } = validateSdkDirectory(undefined, {
    ...(options.sourcesBefore !== undefined ? { sourcesBefore: options.sourcesBefore } : {}),
    ...(seen ? { seen } : {}),
  });
  const errors = problems.filter((p) => (p.severity ?? 'error') === 'error').length;
  const warnings = problems.length - errors;
  if (options.format === 'json') {
    emit(JSON.stringify({ files, errors, warnings, problems, ...(corpus ? { corpus } : {}) }, null, 2), undefined, options.lang);
  } else if (problems.length === 0) {
    emit(
      `${files} ${t(options.lang, 'sdkCatalogOk')}${corpus ? ` (${t(options.lang, 'sdkCorpusFiles')}: ${corpus.files})` : ''}`,
      undefined,
      options.lang,
    );
  } else {
    const lines = problems.map(
      (p) =>
        `${p.severity === 'warning' ? `${t(options.lang, 'warningPrefix')} ` : ''}${p.file}${p.field ? ` ${p.field}` : ''}: ${p.message}`,
    );
    if (corpus)
      lines.push(
        `${t(options.lang, 'sdkCorpusFiles')}: ${corpus.files}, ${t(options.lang, 'sdkCorpusUnreadable')}: ${corpus.failures.length}`,
      );
    emit(
      `${lines.join('\n')}\n${errors} ${t(options.lang, 'sdkCatalogProblems')}, ${warnings} ${t(options.lang, 'sdkCatalogWarnings')}`,
      undefined,
      options.lang,
    );
  }
  return errors > 0 || (options.strict === true && warnings > 0) ? ExitCode.failed : ExitCode.ok;
}
