/**
 * Limits on runtime inputs. Traces and UI dumps come from recorders we do not control (and from
 * devices running the very apps under test), so every reader bounds what it accepts and fails with
 * an error that names the limit, instead of exhausting memory or time.
 */
export interface TraceLimits {
  /** Bytes of trace text accepted (default 64 MiB). */
  maxInputBytes: number;
  /** Bytes of one line (default 1 MiB): an event is a few hundred bytes; a UI tree inline may be large. */
  maxLineBytes: number;
  /** Events kept (default 2,000,000). */
  maxEvents: number;
  /** Bytes of any one string inside an event (default 64 KiB). */
  maxStringBytes: number;
  /** Frames of one `stack` (default 256). */
  maxStackFrames: number;
  /**
   * Problems listed one by one (default 10,000); past it they are counted in one last entry. Not an
   * error: a recorder bug can break every line, and the first ones say what went wrong.
   */
  maxProblems: number;
}

export const DEFAULT_TRACE_LIMITS: Readonly<TraceLimits> = Object.freeze({
  maxInputBytes: 64 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
  maxEvents: 2_000_000,
  maxStringBytes: 64 * 1024,
  maxStackFrames: 256,
  maxProblems: 10_000,
});

/**
 * The largest trace time accepted, either way from zero: 10^13 ms, about 317 years. Times are
 * milliseconds since the trace started or Unix epoch milliseconds (1.8 × 10^12 in 2026), so a real
 * trace stays far inside; beyond it a time is a recorder bug or hostile, and ±1e308 would make
 * durations Infinity (null in JSON) and put events before or after everything else.
 */
export const MAX_TRACE_TIME_MS = 1e13;

export interface UiLimits {
  /** Bytes of one dump, XML or JSON (default 16 MiB; real dumps are 10–500 KiB). */
  maxUiBytes: number;
  /** Nodes of one snapshot (default 100,000). */
  maxUiNodes: number;
  /** Nesting depth of one snapshot (default 500; real layouts stay below ~60). */
  maxUiDepth: number;
  /** Snapshots read by `loadUiSnapshots` (default 10,000). */
  maxUiSnapshots: number;
}

export const DEFAULT_UI_LIMITS: Readonly<UiLimits> = Object.freeze({
  maxUiBytes: 16 * 1024 * 1024,
  maxUiNodes: 100_000,
  maxUiDepth: 500,
  maxUiSnapshots: 10_000,
});

/**
 * A trace or UI snapshot that cannot be read at all: over a limit, not a file, not a dump. The
 * message names the input and the problem. (Single bad trace lines are not errors: they are
 * reported in `Trace.problems` and skipped.)
 */
export class TraceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceInputError';
  }
}

/**
 * Whether a string's UTF-8 encoding is longer than `limit` bytes. Cheap for the common cases: a
 * string is at least as many bytes as UTF-16 units and at most three times as many.
 */
export function utf8LongerThan(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
