import { analyzePolicy, loadPolicy, readPolicy as readPolicyText, type PolicyAnalysis, type PolicyFormat } from '@apprights/policy';
import type { TraceFacts, UiFacts } from '@apprights/rules';
import { loadTrace, loadUiSnapshots, TraceInputError, type UiSnapshotSet } from '@apprights/runtime';
import { InputError, asEngineError, checkAborted } from './errors.js';
import { measured, type RunControl } from './progress.js';

/** A privacy policy to read: a file path or http(s) URL, or the text itself with a name for reports. */
export type PolicySource = string | { text: string; name: string; format?: PolicyFormat };

export interface ReadPolicyOptions extends RunControl {
  /** Fetching (for URLs), reading and analysing the policy, all of it (default 20 s). */
  timeoutMs?: number;
  /** Bytes read from the file or the response body (default 4 MiB); also the characters parsed: one size limit. */
  maxBytes?: number;
}

/** Reads and analyses a privacy policy (file, URL or text). Bad input is an InputError with code `policy`. */
export async function readPolicy(source: PolicySource, options: ReadPolicyOptions = {}): Promise<PolicyAnalysis> {
  const name = typeof source === 'string' ? source : source.name;
  checkAborted(options.signal);
  try {
    let document;
    let origin = name;
    // The time limit covers the analysis too: it gets what loading left.
    let deadline: number | undefined;
    if (typeof source === 'string') {
      options.onProgress?.(/^https?:\/\//i.test(source) ? 'policy-fetch' : 'policy-read');
      const loaded = await loadPolicy(source, {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      });
      document = loaded.document;
      origin = loaded.source;
      deadline = loaded.deadline;
    } else {
      options.onProgress?.('policy-read');
      document = readPolicyText(source.text, { name: source.name, ...(source.format ? { format: source.format } : {}) });
    }
    checkAborted(options.signal);
    options.onProgress?.('policy-analyse');
    return measured(options, 'policy', () => analyzePolicy(document, { source: origin, ...(deadline !== undefined ? { deadline } : {}) }));
  } catch (error) {
    throw asEngineError(error, name);
  }
}

/** A runtime trace with the UI snapshots checked with it. */
export interface RuntimeEvidence {
  trace: TraceFacts;
  ui?: UiFacts;
}

export interface ReadRuntimeOptions extends RunControl {
  /** A folder of uiautomator XML dumps or JSON trees; snapshots the trace's `ui` events name are read too. */
  uiDir?: string;
  /** List unreadable trace lines and snapshots in the report instead of failing. */
  keepGoing?: boolean;
}

/**
 * Reads a trace and its UI snapshots. Without snapshots (none named by the trace, no folder) there
 * is no UI evidence, so the UI rules say what to supply instead of passing on nothing.
 */
export async function readRuntime(file: string, options: ReadRuntimeOptions = {}): Promise<RuntimeEvidence> {
  checkAborted(options.signal);
  options.onProgress?.('trace');
  let trace: TraceFacts;
  let ui: UiSnapshotSet;
  try {
    trace = await loadTrace(file, { source: file });
    ui = await loadUiSnapshots(trace, options.uiDir);
  } catch (error) {
    if (error instanceof TraceInputError)
      throw new InputError('trace', { en: error.message, zh: `无法读取运行时记录或界面快照：${error.message}` }, file);
    throw asEngineError(error, file);
  }
  const events = trace.events.filter((e) => e.kind !== 'trace').length;
  const problems = [...trace.problems, ...ui.problems.map((p) => ({ line: p.line, message: p.message }))];
  if (!options.keepGoing && problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length - 1;
    // The reader's message names the line ("line 3: not JSON (...)") or the snapshot and its line.
    throw new InputError(
      'trace',
      {
        en: `${file}: ${first.message}${more > 0 ? ` (and ${more} more)` : ''}; --keep-going skips such lines and lists them in the report`,
        zh: `${file}：无法读取（${first.message}）${more > 0 ? `，另有 ${more} 处` : ''}；使用 --keep-going 可跳过并在报告中列出`,
      },
      file,
    );
  }
  if (events === 0) {
    throw new InputError(
      'trace',
      {
        en: `${file}: not a runtime trace (no events; each line should be a JSON object with "kind" and "t")`,
        zh: `${file}：不是运行时行为记录（没有任何事件；每行应为一个带 "kind" 和 "t" 的 JSON 对象）`,
      },
      file,
    );
  }
  if (options.uiDir !== undefined || ui.snapshots.length > 0) return { trace, ui };
  // No UI evidence to attach (the UI rules then say what to supply), but the snapshots the trace
  // named and that could not be read are still listed, as --keep-going promises: with the trace's lines.
  const missing = ui.problems.map((p) => ({ line: p.line ?? 1, message: p.message }));
  return { trace: missing.length > 0 ? { ...trace, problems: [...trace.problems, ...missing] } : trace };
}
