import { readFileSync } from 'node:fs';
import { appType, appTypes, type AppType } from '@apprights/knowledge';
import {
  allRules,
  emptyConfig,
  findConfigFile,
  gateFails,
  loadConfigFile,
  validateConfig,
  type Finding,
  type RulesConfig,
  type Severity,
  type StoreListing,
} from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import type { Lang } from '../i18n.js';
import { emit, renderReport, textOptions, type ReportFormat, type TextFlags } from '../output.js';
import { Progress } from '../progress.js';

/** The command-line side of the checks: which config, app type and gate a run uses. */
export interface CheckOptions {
  /** `--config FILE`; false for `--no-config`; undefined: look for apprights.config.json in the working directory. */
  config?: string | false;
  /** `--app-type ID`: the CAC 2021 app type (id or number 1–39). */
  appType?: string;
  /** `--store-listing FILE`: what the app's store page says (JSON: appType, name, developer, url). */
  storeListing?: string;
  failOn?: Severity | 'none';
}

export interface ResolvedChecks {
  config: RulesConfig;
  store: StoreListing | undefined;
  failOn: Severity | 'none';
}

/** A wrong flag value or configuration: exit code 2, the message says what to change. */
export class UsageError extends Error {}

export function resolveChecks(options: CheckOptions, lang: Lang): ResolvedChecks {
  let config = emptyConfig();
  const file = options.config === false ? undefined : (options.config ?? findConfigFile());
  if (file) {
    config = loadConfigFile(file);
    const problems = validateConfig(config, new Set(allRules.map((r) => r.meta.id)));
    if (problems.length > 0) throw new UsageError(`${file}: ${problems.join('; ')}`);
  }
  const listing = options.storeListing !== undefined ? readStoreListing(options.storeListing, lang) : undefined;
  // The command line wins over the listing file, which wins over the config.
  const requested = options.appType ?? listing?.appType ?? config.appType;
  let store: StoreListing | undefined = listing ? { ...listing } : undefined;
  if (requested !== undefined) {
    const type = findAppType(requested);
    if (!type) {
      const known = appTypes()
        .map((a) => `${a.number} ${a.id} (${lang === 'zh' ? a.zh : a.en})`)
        .join(', ');
      throw new UsageError(
        lang === 'zh' ? `未知的应用类型 ${requested}；可选：${known}` : `unknown app type ${requested}; one of: ${known}`,
      );
    }
    const source = options.appType !== undefined ? 'cli' : listing?.appType !== undefined ? listing.source : (config.source ?? 'config');
    store = { ...store, appType: type.id, source: source ?? 'store-listing' };
  }
  return { config, store, failOn: options.failOn ?? config.failOn ?? 'none' };
}

/** An app type by id, number (1–39) or its Chinese or English name, as store pages write it. */
function findAppType(value: string): AppType | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return appType(Number(trimmed));
  return (
    appType(trimmed) ?? appTypes().find((a) => a.zh === trimmed || a.zh === `${trimmed}类` || a.en.toLowerCase() === trimmed.toLowerCase())
  );
}

const LISTING_FIELDS = ['appType', 'name', 'developer', 'url'] as const;

/**
 * A store listing as JSON. Only the fields the checks use are kept; others are allowed, because
 * stores export more than we read. Strings only: a listing is data from outside, like an APK.
 */
function readStoreListing(file: string, lang: Lang): StoreListing {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${file}: ${lang === 'zh' ? '无法读取商店信息文件' : 'cannot read the store listing'}: ${(error as Error).message}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${file}: ${lang === 'zh' ? '商店信息须为 JSON 对象' : 'the store listing must be a JSON object'}`);
  const listing: StoreListing = { source: file };
  for (const key of LISTING_FIELDS) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '')
      throw new UsageError(`${file}: ${key}: ${lang === 'zh' ? '须为非空字符串' : 'must be a non-empty string'}`);
    listing[key] = value.trim();
  }
  return listing;
}

/** What every evidence command (policy, trace) shares: the checks, progress, rendering and the gate. */
export interface ReportCommandOptions extends CheckOptions, TextFlags {
  format: ReportFormat;
  output?: string;
  lang: Lang;
  progress: boolean;
}

/**
 * Runs one evidence command: configuration is checked before any slow reading, `build` reads the
 * evidence and assembles the report (progress shown on a terminal), the report is written in the
 * format asked for, and the exit code says whether the `--fail-on` gate failed.
 */
export async function runReportCommand<R extends { findings: Finding[]; context: { failOn: Severity | 'none' } }>(
  options: ReportCommandOptions,
  build: (checks: ResolvedChecks, progress: Progress) => Promise<R>,
  renderers: Parameters<typeof renderReport<R>>[3],
): Promise<number> {
  const checks = resolveChecks(options, options.lang);
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  let report: R;
  try {
    report = await build(checks, progress);
  } finally {
    progress.clear();
  }
  emit(renderReport(report, options.format, options.lang, renderers, textOptions(options)), options.output, options.lang);
  return gateFails(report.findings, report.context.failOn) ? ExitCode.failed : ExitCode.ok;
}
