/**
 * Unified diffs (`diff -u` / `git diff` format) of two versions of a text, line by line, for the
 * source-manifest fixes. Lines keep their own terminators, so a CRLF file's diff applies to it.
 */

const CONTEXT = 3;
/** Beyond this many differing lines the changed middle is shown as one block rather than searched. */
const MAX_EDIT_DISTANCE = 1000;

function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Myers' O(ND) shortest edit script over the lines, or null when it is longer than the bound. */
function myers(a: readonly string[], b: readonly string[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(next);
        return backtrack(a, b, trace, offset, d);
      }
    }
    v = next;
  }
  return null;
}

function backtrack(a: readonly string[], b: readonly string[], trace: Int32Array[], offset: number, depth: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = depth; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[--x]! });
      y--;
    }
    if (x === prevX) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[--x]! });
    y--;
  }
  return ops.reverse();
}

function script(a: readonly string[], b: readonly string[]): Op[] {
  // Common head and tail first: fixes change a few lines of a long file.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = myers(midA, midB) ?? [
    ...midA.map((line) => ({ kind: '-' as const, line })),
    ...midB.map((line) => ({ kind: '+' as const, line })),
  ];
  return [
    ...a.slice(0, head).map((line) => ({ kind: ' ' as const, line })),
    ...middle,
    ...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })),
  ];
}

function render(op: Op): string {
  const terminated = /[\r\n]$/.test(op.line);
  return `${op.kind}${op.line}${terminated ? '' : '\n\\ No newline at end of file\n'}`;
}

/**
 * `--- a/PATH` / `+++ b/PATH` and hunks with three lines of context; empty when the texts are equal.
 * `firstLine` is the line number `before` starts at, when it is a window of a longer file that
 * holds every change and three lines around it (the diff is then the whole file's).
 */
export function unifiedDiff(before: string, after: string, fromPath: string, toPath: string, firstLine = 1): string {
  if (before === after) return '';
  const ops = script(splitLines(before), splitLines(after));
  const changed = ops.map((op, i) => (op.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= 2 * CONTEXT) last[1] = i;
    else hunks.push([i, i]);
  }
  const shown = (path: string) => path.replace(/\\/g, '/').replace(/^\/+/, '');
  let out = `--- a/${shown(fromPath)}\n+++ b/${shown(toPath)}\n`;
  for (const [first, last] of hunks) {
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(ops.length - 1, last + CONTEXT);
    let oldStart = firstLine;
    let newStart = firstLine;
    for (let i = 0; i < from; i++) {
      if (ops[i]!.kind !== '+') oldStart++;
      if (ops[i]!.kind !== '-') newStart++;
    }
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const range = (start: number, count: number) => `${count === 0 ? start - 1 : start}${count === 1 ? '' : `,${count}`}`;
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    for (const op of slice) out += render(op);
  }
  return out;
}
