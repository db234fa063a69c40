import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_TRACE_LIMITS, MAX_TRACE_TIME_MS, TraceInputError, describeBytes, utf8LongerThan, type TraceLimits } from '../limits.js';
import {
  APP_STATES,
  CONSENT_ACTIONS,
  COMPONENT_KINDS,
  CONSENT_DETECTED_BY,
  DOWNLOAD_CHANNELS,
  LIFECYCLE_ACTIONS,
  NAVIGATION_ACTIONS,
  NAVIGATION_TRIGGERS,
  PERMISSION_ANSWERS,
  SENSOR_ACTIONS,
  SENSOR_TYPES,
  START_CAUSES,
  UI_ROLES,
  USER_ACTIONS,
  USER_SOURCES,
  isKnownEventKind,
  type KnownEventKind,
  type TraceLineEvent,
} from './kinds.js';
import { TRACE_FORMAT_VERSION, type AppState, type LifecycleEvent, type Trace, type TraceHeader } from './types.js';

export interface ReadTraceOptions {
  /** File name or other label of the input, kept as `Trace.source` (default `(text)`). */
  source?: string;
  limits?: Partial<TraceLimits>;
}

/** One field's rule: whether a value is acceptable, and how to say what is expected. */
interface FieldRule {
  accepts: (value: unknown) => boolean;
  expected: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const text: FieldRule = { accepts: (v) => typeof v === 'string', expected: 'a string' };
const nonEmptyText: FieldRule = { accepts: (v) => typeof v === 'string' && v !== '', expected: 'a non-empty string' };
const flag: FieldRule = { accepts: (v) => typeof v === 'boolean', expected: 'true or false' };
const anyNumber: FieldRule = { accepts: isFiniteNumber, expected: 'a finite number' };
const amount: FieldRule = { accepts: (v) => isFiniteNumber(v) && v >= 0, expected: 'a number ≥ 0' };
const count: FieldRule = { accepts: (v) => Number.isSafeInteger(v) && (v as number) >= 0, expected: 'an integer ≥ 0' };
const frames: FieldRule = {
  accepts: (v) => Array.isArray(v) && v.every((f) => typeof f === 'string'),
  expected: 'an array of strings (frames, innermost first)',
};
const texts: FieldRule = {
  accepts: (v) => Array.isArray(v) && v.every((f) => typeof f === 'string'),
  expected: 'an array of strings',
};
const box: FieldRule = {
  accepts: (v) => Array.isArray(v) && v.length === 4 && v.every(isFiniteNumber),
  expected: 'four numbers [left, top, right, bottom]',
};
const oneOf = (values: readonly string[]): FieldRule => ({
  accepts: (v) => typeof v === 'string' && values.includes(v),
  expected: `one of ${values.map((x) => `"${x}"`).join(', ')}`,
});
const objectWith = (fields: Record<string, FieldRule>, expected: string): FieldRule => ({
  accepts: (v) => isObject(v) && Object.entries(fields).every(([k, rule]) => v[k] === undefined || rule.accepts(v[k])),
  expected,
});

interface KindRules {
  required: Record<string, FieldRule>;
  optional: Record<string, FieldRule>;
}

/** Fields every event may have. */
const COMMON: Record<string, FieldRule> = { state: oneOf(APP_STATES), pid: count, process: text };

/** The fields of each known kind, as in `types.ts` and `schemas/trace.schema.json`. Other fields are kept unchecked. */
const KIND_RULES: Record<KnownEventKind, KindRules> = {
  trace: {
    required: { version: nonEmptyText, package: nonEmptyText, recorder: nonEmptyText },
    optional: {
      versionName: text,
      versionCode: count,
      startedAt: text,
      device: objectWith(
        { model: text, sdkInt: count, serial: text, emulator: flag },
        'an object { model?: string, sdkInt?: integer, serial?: string, emulator?: boolean }',
      ),
    },
  },
  api: {
    required: { class: nonEmptyText, method: nonEmptyText },
    optional: {
      api: text,
      args: text,
      result: text,
      pi: { accepts: (v) => v === null || typeof v === 'string', expected: 'a string or null' },
      stack: frames,
    },
  },
  consent: {
    required: { action: oneOf(CONSENT_ACTIONS), detectedBy: oneOf(CONSENT_DETECTED_BY) },
    optional: { snapshot: text },
  },
  'permission-request': {
    required: {
      permissions: {
        accepts: (v) => Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' && p !== ''),
        expected: 'a non-empty array of permission names',
      },
    },
    optional: {
      purposeShown: flag,
      purposeText: text,
      answers: {
        accepts: (v) => Array.isArray(v) && v.every((a) => (PERMISSION_ANSWERS as readonly unknown[]).includes(a)),
        expected: `an array of ${PERMISSION_ANSWERS.map((x) => `"${x}"`).join(', ')}`,
      },
      stack: frames,
    },
  },
  lifecycle: {
    required: { action: oneOf(LIFECYCLE_ACTIONS) },
    optional: { cause: oneOf(START_CAUSES), other: text, component: text },
  },
  sensor: {
    required: { action: oneOf(SENSOR_ACTIONS), sensor: oneOf(SENSOR_TYPES) },
    optional: { accelerationPeak: amount, rotationPeak: amount, durationMs: amount, stack: frames },
  },
  navigation: {
    required: { action: oneOf(NAVIGATION_ACTIONS), target: text },
    optional: {
      trigger: oneOf(NAVIGATION_TRIGGERS),
      triggerEvidence: text,
      confirmed: flag,
      intent: objectWith(
        { explicit: flag, component: oneOf(COMPONENT_KINDS), package: text, action: text },
        `an object { explicit?: boolean, component?: ${COMPONENT_KINDS.join(' | ')}, package?: string, action?: string }`,
      ),
      via: oneOf(DOWNLOAD_CHANNELS),
      host: text,
      file: text,
      caller: text,
      sdk: text,
      stack: frames,
    },
  },
  intent: {
    required: { explicit: flag, component: oneOf(COMPONENT_KINDS) },
    optional: {
      target: text,
      targetComponent: text,
      action: text,
      data: text,
      caller: text,
      sdk: text,
      stack: frames,
      trigger: oneOf(NAVIGATION_TRIGGERS),
      triggerEvidence: text,
    },
  },
  network: {
    required: { host: nonEmptyText },
    optional: { sdk: text, bytes: count, stack: frames },
  },
  ui: {
    required: { id: nonEmptyText },
    optional: {
      file: nonEmptyText,
      tree: { accepts: isObject, expected: 'a UI node object' },
      screenshot: text,
      screen: {
        accepts: (v) => isObject(v) && isFiniteNumber(v.width) && v.width > 0 && isFiniteNumber(v.height) && v.height > 0,
        expected: 'an object { width, height } of positive numbers',
      },
      role: oneOf(UI_ROLES),
      adSdks: texts,
      activity: text,
    },
  },
  user: {
    required: { action: oneOf(USER_ACTIONS) },
    optional: {
      x: anyNumber,
      y: anyNumber,
      node: text,
      nodeText: text,
      nodeClass: text,
      nodeBounds: box,
      package: text,
      key: text,
      source: oneOf(USER_SOURCES),
      accelerationPeak: amount,
      rotationPeak: amount,
      durationMs: amount,
    },
  },
};

/** The rules as lists, built once: this runs for every event of traces with millions of them. */
const RULE_LISTS = new Map(
  Object.entries(KIND_RULES).map(([kind, rules]) => [
    kind,
    { required: Object.entries(rules.required), optional: [...Object.entries(rules.optional), ...Object.entries(COMMON)] },
  ]),
);

/** What is wrong with a known-kind event's fields, or null when nothing is. */
function fieldProblem(kind: KnownEventKind, event: Record<string, unknown>): string | null {
  const rules = RULE_LISTS.get(kind)!;
  for (const [name, rule] of rules.required) {
    const value = event[name];
    if (value === undefined) return `${kind} event without "${name}" (${rule.expected})`;
    if (!rule.accepts(value)) return `${kind} event: "${name}" must be ${rule.expected}`;
  }
  for (const [name, rule] of rules.optional) {
    const value = event[name];
    if (value !== undefined && !rule.accepts(value)) return `${kind} event: "${name}" must be ${rule.expected}`;
  }
  if (kind === 'permission-request' && Array.isArray(event.answers)) {
    const asked = (event.permissions as unknown[]).length;
    if (event.answers.length !== asked)
      return `permission-request event: ${event.answers.length} answers for ${asked} permissions (one answer per permission, in order)`;
  }
  return null;
}

/**
 * Throws when a string anywhere in the event (keys included) is over the limit. Iterative: a line
 * of nested arrays must not exhaust the call stack.
 */
function checkStrings(value: unknown, limit: number, where: string): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (utf8LongerThan(v, limit)) throw new TraceInputError(`${where}: a string longer than the limit of ${describeBytes(limit)}`);
    } else if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (isObject(v)) {
      for (const key of Object.keys(v)) {
        pending.push(key);
        pending.push(v[key]);
      }
    }
  }
}

/** Start causes that bring up a process without a window: the app runs in the background. */
const BACKGROUND_CAUSES = new Set<string>(['boot', 'broadcast', 'push', 'service', 'alarm', 'job']);

/**
 * Fills `state` where an event has none, from the lifecycle events before it (in time order). An
 * app can run several processes (an SDK's `:push` process), so a secondary process starting or
 * dying does not send a foreground app to the background, and the app is not running only when the
 * last process it started has exited. Events before the first lifecycle event stay without a state:
 * the trace does not say.
 */
function fillStates(events: TraceLineEvent[]): void {
  let state: AppState | undefined;
  const processes = new Set<string>();
  for (const event of events) {
    if (event.kind === 'lifecycle') {
      const e = event as TraceLineEvent<LifecycleEvent>;
      const key = e.process ?? (e.pid !== undefined ? `pid ${e.pid}` : '');
      const mainProcess = !key.includes(':');
      if (e.action === 'process-start') {
        processes.add(key);
        const started: AppState = e.cause !== undefined && BACKGROUND_CAUSES.has(e.cause) ? 'background' : 'foreground';
        if (!(state === 'foreground' && !mainProcess)) state = started;
      } else if (e.action === 'foreground' || e.action === 'background') {
        state = e.action;
      } else {
        // exit or crash: without a process name or pid, the whole app is gone.
        if (key === '') processes.clear();
        else processes.delete(key);
        if (processes.size === 0) state = 'not-running';
        else if (mainProcess) state = 'background';
      }
    }
    if (event.state === undefined && state !== undefined) event.state = state;
  }
}

function majorOf(version: string): number | null {
  const m = /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : null;
}

interface RawItem {
  line: number;
  text?: string;
  value?: unknown;
}

/** Splits JSON Lines, or takes apart a JSON array of events (a format some tools write instead). */
function itemsOf(input: string, limits: TraceLimits, source: string): { items: RawItem[]; label: string } {
  const body = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (/^\s*\[/.test(body)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Not one JSON array: read it as lines, whose first line then reports itself.
    }
    if (Array.isArray(parsed)) return { items: parsed.map((value, i) => ({ line: i + 1, value })), label: 'item' };
  }
  const items: RawItem[] = [];
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    line++;
    let raw = body.slice(start, end);
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (utf8LongerThan(raw, limits.maxLineBytes))
      throw new TraceInputError(`${source}: line ${line} is longer than the limit of ${describeBytes(limits.maxLineBytes)} per line`);
    if (raw.trim() !== '') items.push({ line, text: raw });
    start = end + 1;
  }
  return { items, label: 'line' };
}

/**
 * Reads a trace: JSON Lines, one event per line (a BOM, CRLF line ends, blank lines and a JSON array
 * of events are tolerated). Lines that are not events — bad JSON, no `kind`, no finite `t`, a known
 * kind with wrong fields — are skipped and listed in `problems`; events of unknown kinds are kept.
 * Events come back sorted by time (stably, so lines with one time keep their order), each with its
 * line, and with `state` filled from the lifecycle events where the recorder did not set it. Throws
 * `TraceInputError` only when a limit is exceeded.
 */
export function readTrace(input: string, options: ReadTraceOptions = {}): Trace {
  const limits: TraceLimits = { ...DEFAULT_TRACE_LIMITS, ...options.limits };
  const source = options.source ?? '(text)';
  if (utf8LongerThan(input, limits.maxInputBytes))
    throw new TraceInputError(`${source}: trace larger than the input limit of ${describeBytes(limits.maxInputBytes)}`);
  const { items, label } = itemsOf(input, limits, source);
  const events: TraceLineEvent[] = [];
  const problems: Trace['problems'] = [];
  const unlisted = { first: 0, count: 0 };
  const report = (line: number, message: string) => {
    if (problems.length < limits.maxProblems) problems.push({ line, message });
    else if (unlisted.count++ === 0) unlisted.first = line;
  };
  let header: (TraceHeader & { line: number }) | null = null;

  for (const item of items) {
    const where = `${label} ${item.line}`;
    let value = item.value;
    if (item.text !== undefined) {
      try {
        value = JSON.parse(item.text);
      } catch (error) {
        report(item.line, `${where}: not JSON (${(error as Error).message})`);
        continue;
      }
    }
    if (!isObject(value)) {
      report(item.line, `${where}: not an event (a JSON object with "kind" and "t")`);
      continue;
    }
    checkStrings(value, limits.maxStringBytes, `${source}: ${where}`);
    if (typeof value.kind !== 'string' || value.kind === '') {
      report(item.line, `${where}: no "kind" (the event kind, a non-empty string)`);
      continue;
    }
    if (!isFiniteNumber(value.t)) {
      report(item.line, `${where}: ${value.kind} event without a time ("t", a finite number of milliseconds)`);
      continue;
    }
    if (Math.abs(value.t) > MAX_TRACE_TIME_MS) {
      report(item.line, `${where}: ${value.kind} event time ${value.t} ms is outside ±${MAX_TRACE_TIME_MS} ms (about 317 years)`);
      continue;
    }
    const kind = value.kind;
    if (isKnownEventKind(kind)) {
      const problem = fieldProblem(kind, value);
      if (problem) {
        report(item.line, `${where}: ${problem}`);
        continue;
      }
      if (Array.isArray(value.stack) && value.stack.length > limits.maxStackFrames)
        throw new TraceInputError(
          `${source}: ${where}: a stack of ${value.stack.length} frames, more than the limit of ${limits.maxStackFrames}`,
        );
    }
    if (events.length >= limits.maxEvents) throw new TraceInputError(`${source}: more events than the limit of ${limits.maxEvents}`);
    // The parsed object is ours: give it its line in place rather than copy every event.
    value.line = item.line;
    const event = value as TraceLineEvent;
    events.push(event);
    if (kind === 'trace') {
      const h = event as TraceLineEvent<TraceHeader>;
      if (header) {
        report(item.line, `${where}: a second trace header (the one on ${label} ${header.line} is used)`);
      } else {
        header = h;
        const major = majorOf(h.version);
        if (major === null || major !== majorOf(TRACE_FORMAT_VERSION))
          report(
            item.line,
            `${where}: trace format version "${h.version}"; this reader reads ${TRACE_FORMAT_VERSION} (fields and kinds it does not know are ignored)`,
          );
      }
    }
  }
  if (unlisted.count > 0)
    problems.push({
      line: unlisted.first,
      message: `${unlisted.count} more ${label}s from ${label} ${unlisted.first} on were skipped (not listed: the limit is ${limits.maxProblems} problems)`,
    });
  // Array.prototype.sort is stable: events with one time keep their trace order.
  events.sort((a, b) => a.t - b.t);
  fillStates(events);
  return { source, header, events: events as Trace['events'], problems };
}

/** Reads a trace file; its size is checked before it is read. */
export async function loadTrace(path: string, options: ReadTraceOptions = {}): Promise<Trace> {
  const limits: TraceLimits = { ...DEFAULT_TRACE_LIMITS, ...options.limits };
  const source = options.source ?? path;
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new TraceInputError(`${source}: not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof TraceInputError) throw error;
    throw new TraceInputError(`${source}: cannot read the trace (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (size > limits.maxInputBytes)
    throw new TraceInputError(`${source}: trace of ${size} bytes, larger than the input limit of ${describeBytes(limits.maxInputBytes)}`);
  return readTrace(await readFile(path, 'utf8'), { ...options, source, limits });
}
