/**
 * Limits on what the recorder reads from a device. Everything a device prints comes from a phone
 * that runs the very app under test, so every parser bounds its input and skips what it does not
 * know instead of throwing.
 */
export interface RecorderLimits {
  /** Bytes of one command's text output a parser reads (default 16 MiB); the rest is ignored. */
  maxTextBytes: number;
  /** Lines of one output a parser looks at (default 200,000). */
  maxLines: number;
  /** Characters of one line a parser looks at (default 8,192); longer lines are skipped. */
  maxLineChars: number;
  /** Nodes read from one UI dump (default 100,000). */
  maxUiNodes: number;
  /** Nesting depth of one UI dump (default 500). */
  maxUiDepth: number;
}

export const DEFAULT_RECORDER_LIMITS: Readonly<RecorderLimits> = Object.freeze({
  maxTextBytes: 16 * 1024 * 1024,
  maxLines: 200_000,
  maxLineChars: 8192,
  maxUiNodes: 100_000,
  maxUiDepth: 500,
});

/** The input cut to the byte limit (counted as UTF-16 units times at most 3 bytes: cheap and safe). */
export function capText(text: unknown, maxBytes: number): string {
  if (typeof text !== 'string') return '';
  return text.length * 3 > maxBytes ? text.slice(0, Math.floor(maxBytes / 3)) : text;
}

/** Lines of a command's output (LF or CRLF, as old adb `shell` converts), capped in number. */
export function linesOf(text: string, maxLines: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= text.length && out.length < maxLines) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    out.push(line);
    start = end + 1;
  }
  return out;
}

/** A device-derived string, shortened for a trace field. */
export function shorten(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
