import { readFileSync } from 'node:fs';
import { findConfigFile, gateFails, type Finding, type Severity } from '@apprights/rules';
import type { CheckOptions as EngineCheckOptions } from '@apprights/engine';
import type { Lang, TextOptions } from '@apprights/report';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { emit, textOptions, type TextFlags } from '../output.js';
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

/**
 * The engine's check options from the command line: the config file found or named, and the
 * listing file read as JSON (the engine checks its fields). The engine validates both before any
 * slow reading.
 */
export function engineChecks(options: CheckOptions, lang: Lang, version: string): EngineCheckOptions {
  const config = options.config === false ? undefined : (options.config ?? findConfigFile());
  return {
    ...(config !== undefined ? { config } : {}),
    ...(options.appType !== undefined ? { appType: options.appType } : {}),
    ...(options.storeListing !== undefined ? { storeListing: readStoreListing(options.storeListing, lang) } : {}),
    ...(options.failOn !== undefined ? { failOn: options.failOn } : {}),
    toolVersion: version,
  };
}

/** The listing file as JSON; the engine checks the fields and names this file in its messages. */
function readStoreListing(file: string, lang: Lang): Record<string, unknown> {
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
  return { ...(raw as Record<string, unknown>), source: file };
}

/** What every evidence command (scan, policy, trace) shares: progress, rendering and the gate. */
export interface ReportCommandOptions extends TextFlags {
  output?: string;
  lang: Lang;
  progress: boolean;
}

/**
 * Runs one evidence command: `build` asks the engine for the report (progress shown on a
 * terminal), `render` writes it in the format asked for, and the exit code says whether the
 * `--fail-on` gate failed.
 */
export async function runReportCommand<R extends { findings: Finding[]; context: { failOn: Severity | 'none' } }>(
  options: ReportCommandOptions,
  build: (progress: Progress) => Promise<R>,
  render: (report: R, text: TextOptions) => string,
): Promise<number> {
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  let report: R;
  try {
    report = await build(progress);
  } finally {
    progress.clear();
  }
  emit(render(report, textOptions(options)), options.output, options.lang);
  return gateFails(report.findings, report.context.failOn) ? ExitCode.failed : ExitCode.ok;
}
