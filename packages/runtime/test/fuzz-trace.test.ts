import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceInputError, attributeStack, buildTimeline, eventsOfKind, readTrace, readUiSnapshot, walk, type Trace } from '../src/index.js';

/**
 * The readers on hostile input: mutated example traces and UI dumps. They may report problems or
 * throw TraceInputError, nothing else, and must stay fast (a generous bound per input catches a
 * quadratic path, not a slow machine). FUZZ_SEED changes the run, FUZZ_ITERATIONS its length.
 */
const here = fileURLToPath(new URL('./', import.meta.url));
const read = (dir: string, pattern: RegExp) =>
  readdirSync(join(here, dir))
    .filter((f) => pattern.test(f))
    .map((f) => ({ name: f, text: readFileSync(join(here, dir, f), 'utf8') }));
const traceSeeds = read('traces', /\.jsonl$/);
const uiSeeds = read('ui', /\.xml$/);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300);

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const TRACE_PIECES = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\n',
  '\r\n',
  '\uFEFF',
  '"t":',
  '"kind":"api"',
  '"kind":"ui"',
  '"kind":"lifecycle"',
  '"action":"exit"',
  '"state":"background"',
  '"permissions":[]',
  '"stack":["a.b.C.d()"]',
  '"tree":{"children":[{}]}',
  'null',
  'true',
  '1e309',
  '-0',
  'NaN',
  '\\u0000',
  '\\ud800',
];
const XML_PIECES = [
  '<node>',
  '</node>',
  '<node/>',
  '<',
  '>',
  '"',
  '&amp;',
  '&#x0;',
  '&lol;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  'bounds="[1,2][3,4]"',
  '<?xml ?>',
];

function mutate(text: string, pieces: string[], next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const r = next();
    const piece = pieces[Math.floor(next() * pieces.length)]!;
    if (r < 0.3) out = out.slice(0, at) + piece + out.slice(at);
    else if (r < 0.5) out = out.slice(0, at) + out.slice(at + Math.floor(next() * 200));
    else if (r < 0.7) {
      const from = Math.floor(next() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(next() * 500)) + out.slice(at);
    } else if (r < 0.85) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x10000)) + out.slice(at);
    else out = out.slice(0, at) + piece.repeat(1 + Math.floor(next() * 300)) + out.slice(at);
  }
  return out;
}

/** Everything downstream of the reader must also take whatever it accepted. */
function useTrace(trace: Trace): void {
  const timeline = buildTimeline(trace);
  for (const e of trace.events) {
    timeline.consentAt(e.t);
    timeline.stateAt(e.t);
    timeline.lastUserEventBefore(e.t);
    assert.ok(Number.isFinite(e.t) && typeof e.kind === 'string' && e.kind !== '' && Number.isInteger(e.line));
  }
  for (const e of eventsOfKind(trace.events, 'api')) if (e.stack) attributeStack(e.stack);
  for (let i = 1; i < trace.events.length; i++) assert.ok(trace.events[i - 1]!.t <= trace.events[i]!.t, 'sorted by time');
}

function expectOnlyInputErrors(run: () => void, what: string): number {
  const started = performance.now();
  try {
    run();
  } catch (error) {
    if (!(error instanceof TraceInputError)) throw new Error(`${what} (FUZZ_SEED=${SEED}): ${(error as Error).stack ?? String(error)}`);
  }
  return performance.now() - started;
}

test('fuzz traces: mutated JSON Lines give events or problems, never another error', () => {
  const next = random(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = traceSeeds[i % traceSeeds.length]!;
    const text = mutate(seed.text, TRACE_PIECES, next);
    const ms = expectOnlyInputErrors(() => useTrace(readTrace(text, { source: seed.name })), `iteration ${i} on ${seed.name}`);
    assert.ok(ms < 2_000, `iteration ${i}: ${ms.toFixed(0)} ms`);
  }
});

test('fuzz UI: mutated dumps and JSON trees give a tree or a TraceInputError', () => {
  const next = random(SEED + 1);
  const jsonSeeds = traceSeeds.flatMap((s) =>
    s.text
      .split('\n')
      .filter((l) => l.includes('"tree"'))
      .map((l) => JSON.stringify((JSON.parse(l) as { tree: unknown }).tree)),
  );
  assert.ok(jsonSeeds.length > 0);
  for (let i = 0; i < ITERATIONS; i++) {
    const xml = i % 3 !== 2;
    const seed = xml ? uiSeeds[i % uiSeeds.length]!.text : jsonSeeds[i % jsonSeeds.length]!;
    const text = mutate(seed, xml ? XML_PIECES : TRACE_PIECES, next);
    const ms = expectOnlyInputErrors(
      () => {
        const root = readUiSnapshot(text, { id: `fuzz-${i}`, file: xml ? 'f.xml' : 'f.json' });
        for (const node of walk(root)) if (node.bounds) assert.equal(node.bounds.length, 4);
      },
      `iteration ${i} (${xml ? 'XML' : 'JSON'})`,
    );
    assert.ok(ms < 2_000, `iteration ${i}: ${ms.toFixed(0)} ms`);
  }
});

test('fuzz: inputs built to be slow or deep stay fast and bounded', () => {
  const api = '{"kind":"api","t":1,"class":"a.B","method":"m"}';
  const hostile: [string, () => unknown][] = [
    [
      '100 000 events out of order',
      () => readTrace(Array.from({ length: 100_000 }, (_, i) => api.replace('"t":1', `"t":${(i * 7919) % 1000}`)).join('\n')),
    ],
    ['100 000 bad lines', () => readTrace('{\n'.repeat(100_000))],
    ['100 000 blank lines', () => readTrace('\r\n'.repeat(100_000))],
    ['nested arrays on one line', () => readTrace(`{"kind":"x","t":1,"a":${'['.repeat(400_000)}${']'.repeat(400_000)}}`)],
    ['nested objects on one line', () => readTrace(`{"kind":"x","t":1,"a":${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}}`)],
    ['a huge JSON array of events', () => readTrace(`[${Array.from({ length: 50_000 }, () => api).join(',')}]`)],
    ['a deep inline UI tree', () => readTrace(`{"kind":"ui","t":1,"id":"d","tree":${nestedJson(3000)}}`)],
    [
      'a stack with every frame in a library',
      () => attributeStack(Array.from({ length: 256 }, (_, i) => `androidx.core.C${i}.m(C.java:1)`)),
    ],
    ['deep XML', () => readUiSnapshot('<node>'.repeat(200_000), { id: 'deep' })],
    ['wide XML', () => readUiSnapshot(`<hierarchy>${'<node text="x"/>'.repeat(99_000)}</hierarchy>`, { id: 'wide' })],
    ['attribute without end', () => readUiSnapshot(`<hierarchy><node text="${'x'.repeat(2_000_000)}`, { id: 'attr' })],
    ['many unclosed elements', () => readUiSnapshot('<a>'.repeat(300_000), { id: 'open' })],
    ['deep JSON tree', () => readUiSnapshot(nestedJson(400), { id: 'json' })],
    ['too deep JSON tree', () => readUiSnapshot(nestedJson(600), { id: 'json' })],
  ];
  for (const [what, run] of hostile) {
    const ms = expectOnlyInputErrors(() => void run(), what);
    if (process.env.FUZZ_TIMES) console.log(what, ms.toFixed(0));
    assert.ok(ms < 10_000, `${what}: ${ms.toFixed(0)} ms`);
  }
});

/** A UI tree `depth` levels deep, as JSON text (JSON.stringify itself recurses, and overflows on deep trees). */
function nestedJson(depth: number): string {
  return '{"class":"android.widget.FrameLayout","children":['.repeat(depth) + '{"text":"leaf"}' + ']}'.repeat(depth);
}
