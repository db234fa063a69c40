import { loadKnowledge, loadMeasureCatalog } from '@apprights/knowledge';
import { assembleTraceReport, type Severity, type TraceFacts, type UiFacts } from '@apprights/rules';
import { loadTrace, loadUiSnapshots, TraceInputError, type UiSnapshotSet } from '@apprights/runtime';
import { t, type Lang } from '../i18n.js';
import type { ReportFormat } from '../output.js';
import { renderTraceSarif } from '../report/sarif.js';
import { renderTraceHtml, renderTraceMarkdown, renderTraceText } from '../report/trace-render.js';
import type { Stats } from '../stats.js';
import { runReportCommand, type CheckOptions } from './checks.js';

export type TraceReportFormat = ReportFormat;

export const TRACE_HELP = `
Input / 输入: a runtime trace (JSON Lines, one event per line; see packages/runtime) and, with --ui DIR, a folder of
uiautomator XML dumps or JSON trees; snapshots the trace's ui events name are read too.
运行时行为记录（JSON Lines，每行一个事件）；--ui 指定界面快照目录（uiautomator XML 或 JSON）。
Lines that are not events stop the run with the line named (exit 3); --keep-going lists them in the report and goes on.
无法解析的行默认报错并指明行号（退出码 3）；--keep-going 时记入报告并继续。
Checks / 检测: the runtime and UI rules run; rules that also need the APK are listed as not run. Use
apprights scan APP --trace FILE [--ui DIR] to check the package and its behaviour together ("present" versus "active").
Exit codes / 退出码: 0 ok, 1 a finding reached --fail-on, 2 usage or configuration error, 3 the trace or a snapshot cannot
be read, 4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/trace-report.schema.json), md, sarif (SARIF 2.1.0), html (single file, zh/en).
Example / 示例: apprights trace run.jsonl --ui dumps/ --format html -o trace.html`;

export interface RuntimeEvidence {
  trace: TraceFacts;
  ui?: UiFacts;
}

export interface RuntimeLoadOptions {
  lang: Lang;
  /** List unreadable trace lines in the report instead of stopping (exit 3). */
  keepGoing?: boolean;
}

/** The reader's message, in the user's language: the reader names the file and line in English. */
function inputError(error: TraceInputError, lang: Lang): TraceInputError {
  return new TraceInputError(lang === 'zh' ? `无法读取运行时记录或界面快照：${error.message}` : error.message);
}

/**
 * Reads a trace and its UI snapshots: `apprights trace` and `scan --trace` share it. Snapshots come
 * from the trace's `ui` events and the `--ui` folder; without either there is no UI evidence, so the
 * UI rules say what to supply instead of passing on nothing.
 */
export async function readRuntimeEvidence(file: string, uiDir: string | undefined, options: RuntimeLoadOptions): Promise<RuntimeEvidence> {
  const { lang } = options;
  let trace: TraceFacts;
  let ui: UiSnapshotSet;
  try {
    trace = await loadTrace(file, { source: file });
    ui = await loadUiSnapshots(trace, uiDir);
  } catch (error) {
    if (error instanceof TraceInputError) throw inputError(error, lang);
    throw error;
  }
  const events = trace.events.filter((e) => e.kind !== 'trace').length;
  const problems = [...trace.problems, ...ui.problems.map((p) => ({ line: p.line, message: p.message }))];
  if (!options.keepGoing && problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length - 1;
    // The reader's message names the line ("line 3: not JSON (...)") or the snapshot and its line.
    throw new TraceInputError(
      lang === 'zh'
        ? `${file}：无法读取（${first.message}）${more > 0 ? `，另有 ${more} 处` : ''}；使用 --keep-going 可跳过并在报告中列出`
        : `${file}: ${first.message}${more > 0 ? ` (and ${more} more)` : ''}; --keep-going skips such lines and lists them in the report`,
    );
  }
  if (events === 0) {
    throw new TraceInputError(
      lang === 'zh'
        ? `${file}：不是运行时行为记录（没有任何事件；每行应为一个带 "kind" 和 "t" 的 JSON 对象）`
        : `${file}: not a runtime trace (no events; each line should be a JSON object with "kind" and "t")`,
    );
  }
  return { trace, ...(uiDir !== undefined || ui.snapshots.length > 0 ? { ui } : {}) };
}

export interface TraceCommandOptions extends CheckOptions {
  format: TraceReportFormat;
  output?: string;
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  ui?: string;
  failOn?: Severity | 'none';
  version: string;
  stats: Stats;
}

export async function runTrace(file: string, options: TraceCommandOptions): Promise<number> {
  return runReportCommand(
    options,
    async (checks, progress) => {
      progress.update(t(options.lang, 'progressReadTrace'));
      const evidence = await readRuntimeEvidence(file, options.ui, options);
      progress.update(t(options.lang, 'progressRules'));
      return options.stats.time('rules', () =>
        assembleTraceReport(evidence.trace, evidence.ui, {
          toolVersion: options.version,
          measures: loadMeasureCatalog().measures,
          knowledge: loadKnowledge(),
          config: checks.config,
          failOn: checks.failOn,
          ...(checks.store ? { store: checks.store } : {}),
        }),
      );
    },
    { text: renderTraceText, md: renderTraceMarkdown, sarif: renderTraceSarif, html: renderTraceHtml },
  );
}
