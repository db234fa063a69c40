import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceInputError, eventsOfKind, isEventOfKind, loadTrace, readTrace, type TraceEvent, type UnknownEvent } from '../src/index.js';

const traces = fileURLToPath(new URL('./traces/', import.meta.url));
const HEADER = '{"kind":"trace","t":0,"version":"1.0.0","package":"com.example.app","recorder":"test"}';
const lines = (...events: (string | object)[]) => events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n');

test('reads the example traces without problems', async () => {
  const clean = await loadTrace(join(traces, 'clean.jsonl'));
  assert.deepEqual(clean.problems, []);
  assert.equal(clean.header?.package, 'com.example.news');
  assert.equal(clean.source, join(traces, 'clean.jsonl'));
  assert.equal(clean.events.length, 22);
  const violating = await loadTrace(join(traces, 'violating.jsonl'));
  assert.deepEqual(violating.problems, []);
  assert.equal(violating.header?.recorder, 'apprights-frida/0.1.0');
  // The unknown kind is kept as it is, fields and all.
  const clipboard = violating.events.find((e) => e.kind === 'clipboard');
  assert.deepEqual(clipboard && { length: (clipboard as UnknownEvent).length, line: clipboard.line }, { length: 18, line: 11 });
  const requests = eventsOfKind(violating.events, 'permission-request');
  assert.equal(requests.length, 2);
  assert.equal(requests[1]!.permissions.length, 5);
});

test('every kind of bad line is reported with its line and skipped', () => {
  const trace = readTrace(
    lines(
      HEADER,
      '{"kind":"api","t":1,"class":"a.B","method":"m"', // truncated JSON
      '42',
      '["kind","t"]',
      'null',
      { t: 5 },
      { kind: '', t: 5 },
      { kind: 7, t: 5 },
      { kind: 'api', class: 'a.B', method: 'm' },
      { kind: 'api', t: '10', class: 'a.B', method: 'm' },
      { kind: 'api', t: 10 },
      { kind: 'api', t: 10, class: 'a.B', method: 'm', stack: 'a.B.m()' },
      { kind: 'api', t: 10, class: 'a.B', method: 'm', stack: ['a', 3] },
      { kind: 'permission-request', t: 11, permissions: 'android.permission.CAMERA' },
      { kind: 'permission-request', t: 11, permissions: [] },
      { kind: 'permission-request', t: 11, permissions: ['android.permission.CAMERA'], answers: ['yes'] },
      { kind: 'permission-request', t: 11, permissions: ['android.permission.CAMERA'], answers: ['granted', 'denied'] },
      { kind: 'consent', t: 12, action: 'accepted', detectedBy: 'ui' },
      { kind: 'consent', t: 12, action: 'agreed' },
      { kind: 'lifecycle', t: 13, action: 'process-start', cause: 'magic' },
      { kind: 'sensor', t: 14, action: 'reading', sensor: 'accelerometer', accelerationPeak: -1 },
      { kind: 'ui', t: 15, id: 's', screen: { width: 0, height: 10 } },
      { kind: 'ui', t: 15, id: 's', tree: [] },
      { kind: 'user', t: 16, action: 'tap', x: 'left' },
      { kind: 'network', t: 17, host: 'a.example', bytes: 1.5 },
      { kind: 'navigation', t: 18, action: 'activity' },
      { kind: 'api', t: 19, class: 'a.B', method: 'm', state: 'asleep' },
      { kind: 'api', t: 19, class: 'a.B', method: 'm', pid: -1 },
      { kind: 'trace', t: 0, version: '1.0.0', package: 'x' },
      { kind: 'trace', t: 0, version: '1.0.0', package: 'x', recorder: 'y', device: { sdkInt: 'thirty' } },
    ),
  );
  assert.equal(trace.events.length, 1, JSON.stringify(trace.events));
  const byLine = new Map(trace.problems.map((p) => [p.line, p.message]));
  assert.equal(trace.problems.length, 29);
  for (const [line, message] of byLine) assert.ok(message.startsWith(`line ${line}: `), message);
  assert.match(byLine.get(2)!, /not JSON/);
  assert.match(byLine.get(3)!, /not an event/);
  assert.match(byLine.get(4)!, /not an event/);
  assert.match(byLine.get(6)!, /no "kind"/);
  assert.match(byLine.get(9)!, /api event without a time/);
  assert.match(byLine.get(10)!, /without a time/);
  assert.match(byLine.get(11)!, /api event without "class"/);
  assert.match(byLine.get(12)!, /"stack" must be an array of strings/);
  assert.match(byLine.get(14)!, /"permissions" must be a non-empty array of permission names/);
  assert.match(byLine.get(16)!, /"answers" must be an array of "granted"/);
  assert.match(byLine.get(17)!, /2 answers for 1 permissions/);
  assert.match(byLine.get(18)!, /"action" must be one of "shown", "agreed"/);
  assert.match(byLine.get(19)!, /without "detectedBy"/);
  assert.match(byLine.get(20)!, /"cause" must be one of/);
  assert.match(byLine.get(21)!, /"accelerationPeak" must be a number ≥ 0/);
  assert.match(byLine.get(22)!, /"screen" must be/);
  assert.match(byLine.get(23)!, /"tree" must be a UI node object/);
  assert.match(byLine.get(27)!, /"state" must be one of/);
  assert.match(byLine.get(29)!, /trace event without "recorder"/);
  assert.match(byLine.get(30)!, /"device" must be/);
});

test('unknown kinds are kept with all their fields; known fields of unknown kinds are not checked', () => {
  const trace = readTrace(lines(HEADER, { kind: 'clipboard', t: 5, stack: 'not checked', extra: { nested: [1, 2] } }));
  assert.deepEqual(trace.problems, []);
  assert.deepEqual(trace.events[1], { kind: 'clipboard', t: 5, stack: 'not checked', extra: { nested: [1, 2] }, line: 2 });
});

test('fields a later 1.x version adds to a known kind are kept, not refused', () => {
  const trace = readTrace(lines(HEADER, { kind: 'api', t: 1, class: 'a.B', method: 'm', thread: 'main' }));
  assert.deepEqual(trace.problems, []);
  assert.equal((trace.events[1] as TraceEvent & { thread?: string }).thread, 'main');
});

test('tolerates a BOM, CRLF line ends, blank lines and whitespace', () => {
  const text = `\uFEFF${HEADER}\r\n\r\n   \r\n${JSON.stringify({ kind: 'user', t: 3, action: 'tap' })}\r\n\t\r\n`;
  const trace = readTrace(text);
  assert.deepEqual(trace.problems, []);
  assert.deepEqual(
    trace.events.map((e) => [e.kind, e.line]),
    [
      ['trace', 1],
      ['user', 4],
    ],
  );
});

test('reads a JSON array of events, numbering them as items', () => {
  const trace = readTrace(
    JSON.stringify([JSON.parse(HEADER), { kind: 'user', t: 2, action: 'tap' }, { kind: 'user', action: 'tap' }, 'nonsense']),
  );
  assert.equal(trace.events.length, 2);
  assert.equal(trace.header?.package, 'com.example.app');
  assert.deepEqual(
    trace.problems.map((p) => p.message),
    [
      'item 3: user event without a time ("t", a finite number of milliseconds)',
      'item 4: not an event (a JSON object with "kind" and "t")',
    ],
  );
  // A line that merely starts with "[" but is not one array is read as lines.
  const broken = readTrace(`[1,2\n${HEADER}`);
  assert.equal(broken.header?.package, 'com.example.app');
  assert.equal(broken.problems[0]!.line, 1);
});

test('sorts by time stably and keeps line numbers', () => {
  const trace = readTrace(
    lines(
      HEADER,
      { kind: 'user', t: 30, action: 'tap', node: 'c' },
      { kind: 'user', t: 10, action: 'tap', node: 'a' },
      { kind: 'user', t: 30, action: 'tap', node: 'd' },
      { kind: 'user', t: 10, action: 'tap', node: 'b' },
      { kind: 'user', t: -5, action: 'tap', node: 'first' },
    ),
  );
  const users = eventsOfKind(trace.events, 'user');
  assert.deepEqual(
    users.map((e) => [e.node, e.line]),
    [
      ['first', 6],
      ['a', 3],
      ['b', 5],
      ['c', 2],
      ['d', 4],
    ],
  );
});

test('the first trace header is the header; another is reported and kept as an event', () => {
  const second = '{"kind":"trace","t":1,"version":"1.0.0","package":"other","recorder":"test"}';
  const trace = readTrace(lines({ kind: 'user', t: 0, action: 'launch' }, HEADER, second));
  assert.equal(trace.header?.package, 'com.example.app');
  assert.equal(trace.events.find((e) => e === trace.header)?.line, 2);
  assert.equal(eventsOfKind(trace.events, 'trace').length, 2);
  assert.deepEqual(trace.problems, [{ line: 3, message: 'line 3: a second trace header (the one on line 2 is used)' }]);
  const none = readTrace(lines({ kind: 'user', t: 0, action: 'launch' }));
  assert.equal(none.header, null);
});

test('a header of another major version is read, with a problem that says so', () => {
  const trace = readTrace(
    lines({ kind: 'trace', t: 0, version: '2.0.0', package: 'p', recorder: 'r' }, { kind: 'user', t: 1, action: 'tap' }),
  );
  assert.equal(trace.header?.version, '2.0.0');
  assert.equal(trace.events.length, 2);
  assert.match(trace.problems[0]!.message, /version "2\.0\.0"; this reader reads 1\.1\.0/);
});

test('fills state from lifecycle events, keeping states the recorder set', () => {
  const stateOf = (text: string) =>
    readTrace(text).events.map((e) => `${e.kind === 'lifecycle' ? String(e.action) : e.kind}:${e.state ?? '-'}`);
  assert.deepEqual(
    stateOf(
      lines(
        HEADER,
        { kind: 'api', t: 1, class: 'a.B', method: 'm' },
        { kind: 'lifecycle', t: 2, action: 'process-start', cause: 'launcher' },
        { kind: 'api', t: 3, class: 'a.B', method: 'm' },
        { kind: 'lifecycle', t: 4, action: 'background' },
        { kind: 'api', t: 5, class: 'a.B', method: 'm' },
        { kind: 'api', t: 5.5, class: 'a.B', method: 'm', state: 'foreground' },
        { kind: 'lifecycle', t: 6, action: 'foreground' },
        { kind: 'lifecycle', t: 7, action: 'exit' },
        { kind: 'api', t: 8, class: 'a.B', method: 'm' },
      ),
    ),
    [
      'trace:-',
      'api:-',
      'process-start:foreground',
      'api:foreground',
      'background:background',
      'api:background',
      'api:foreground',
      'foreground:foreground',
      'exit:not-running',
      'api:not-running',
    ],
  );
  for (const cause of ['boot', 'broadcast', 'push', 'service', 'alarm', 'job']) {
    const trace = readTrace(
      lines({ kind: 'lifecycle', t: 1, action: 'process-start', cause }, { kind: 'api', t: 2, class: 'a.B', method: 'm' }),
    );
    assert.equal(trace.events[1]!.state, 'background', cause);
  }
  for (const cause of ['launcher', 'other-app', 'unknown', undefined]) {
    const trace = readTrace(
      lines({ kind: 'lifecycle', t: 1, action: 'process-start', cause }, { kind: 'api', t: 2, class: 'a.B', method: 'm' }),
    );
    assert.equal(trace.events[1]!.state, 'foreground', String(cause));
  }
});

test('a secondary process starting or exiting does not move a foreground app', () => {
  const trace = readTrace(
    lines(
      { kind: 'lifecycle', t: 1, action: 'process-start', cause: 'launcher', process: 'com.example.app' },
      { kind: 'lifecycle', t: 2, action: 'process-start', cause: 'push', process: 'com.example.app:push' },
      { kind: 'api', t: 3, class: 'a.B', method: 'm' },
      { kind: 'lifecycle', t: 4, action: 'exit', process: 'com.example.app:push' },
      { kind: 'api', t: 5, class: 'a.B', method: 'm' },
      { kind: 'lifecycle', t: 6, action: 'process-start', cause: 'push', process: 'com.example.app:push' },
      { kind: 'lifecycle', t: 7, action: 'crash', process: 'com.example.app' },
      { kind: 'api', t: 8, class: 'a.B', method: 'm', process: 'com.example.app:push' },
      { kind: 'lifecycle', t: 9, action: 'exit', process: 'com.example.app:push' },
      { kind: 'api', t: 10, class: 'a.B', method: 'm' },
    ),
  );
  assert.deepEqual(
    trace.events.map((e) => e.state),
    [
      'foreground',
      'foreground',
      'foreground',
      'foreground',
      'foreground',
      'foreground',
      'background',
      'background',
      'not-running',
      'not-running',
    ],
  );
});

test('isEventOfKind narrows to the known interface', () => {
  const trace = readTrace(lines(HEADER, { kind: 'permission-request', t: 1, permissions: ['android.permission.CAMERA'] }));
  const e = trace.events[1]!;
  assert.ok(isEventOfKind(e, 'permission-request'));
  if (isEventOfKind(e, 'permission-request')) assert.deepEqual(e.permissions, ['android.permission.CAMERA']);
  assert.equal(isEventOfKind(e, 'api'), false);
});

test('limits throw TraceInputError naming the limit', async () => {
  const api = (extra: object = {}) => JSON.stringify({ kind: 'api', t: 1, class: 'a.B', method: 'm', ...extra });
  const cases: [string, () => unknown, RegExp][] = [
    ['input', () => readTrace(lines(HEADER, api()), { limits: { maxInputBytes: 100 } }), /input limit of 100 bytes/],
    [
      'line',
      () => readTrace(lines(HEADER, api({ args: 'x'.repeat(2000) })), { limits: { maxLineBytes: 1024 } }),
      /line 2 .*limit of 1 KiB per line/,
    ],
    ['events', () => readTrace(lines(HEADER, api(), api()), { limits: { maxEvents: 2 } }), /more events than the limit of 2/],
    ['string', () => readTrace(lines(HEADER, api({ args: '界'.repeat(30_000) }))), /line 2: a string longer than the limit of 64 KiB/],
    ['key', () => readTrace(lines(HEADER, api({ ['k'.repeat(70_000)]: 1 }))), /a string longer than the limit of 64 KiB/],
    [
      'nested string',
      () => readTrace(lines({ kind: 'x', t: 1, a: [{ b: 'y'.repeat(100) }] }), { limits: { maxStringBytes: 50 } }),
      /limit of 50 bytes/,
    ],
    [
      'stack',
      () => readTrace(lines(HEADER, api({ stack: Array.from({ length: 257 }, (_, i) => `a.B.m${i}()`) }))),
      /257 frames, more than the limit of 256/,
    ],
  ];
  for (const [what, run, message] of cases) {
    assert.throws(run, (error: unknown) => error instanceof TraceInputError && message.test(error.message), what);
  }
  // A stack at the limit is fine, and the default line limit holds a large inline UI tree.
  readTrace(lines(HEADER, api({ stack: Array.from({ length: 256 }, (_, i) => `a.B.m${i}()`) })));

  const dir = mkdtempSync(join(tmpdir(), 'apprights-trace-'));
  try {
    const file = join(dir, 'big.jsonl');
    writeFileSync(file, lines(HEADER, api(), api()));
    await assert.rejects(
      loadTrace(file, { limits: { maxInputBytes: 64 } }),
      /big\.jsonl: trace of \d+ bytes, larger than the input limit of 64 bytes/,
    );
    await assert.rejects(loadTrace(join(dir, 'missing.jsonl')), (e: unknown) => e instanceof TraceInputError && /ENOENT/.test(e.message));
    await assert.rejects(loadTrace(dir), (e: unknown) => e instanceof TraceInputError && /not a file/.test(e.message));
    const read = await loadTrace(file, { source: 'label' });
    assert.equal(read.source, 'label');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('problems past the limit are counted in one last entry, not listed', () => {
  const trace = readTrace(['{', '{', HEADER, '{', '{', '{'].join('\n'), { limits: { maxProblems: 2 } });
  assert.equal(trace.events.length, 1);
  assert.deepEqual(
    trace.problems.map((p) => p.line),
    [1, 2, 4],
  );
  assert.equal(trace.problems[2]!.message, '3 more lines from line 4 on were skipped (not listed: the limit is 2 problems)');
});

test('a deeply nested line is bounded by the line limit and does not overflow the stack', () => {
  const deep = `{"kind":"x","t":1,"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const trace = readTrace(deep);
  // Whether V8 parses it or reports it, the reader must answer, not crash.
  assert.equal(trace.events.length + trace.problems.length, 1);
});
