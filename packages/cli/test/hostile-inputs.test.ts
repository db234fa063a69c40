/**
 * Issue 12 §3, through the command line: inputs sized to overflow an argument list (a 130,000-event
 * trace, a manifest with 150,000 permissions), extreme trace times, a missing UI snapshot under
 * --keep-going, and the runtime README's complete examples. Every input is generated here.
 */
import { loadKnowledge } from '@apprights/knowledge';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMeasureCatalog } from '@apprights/knowledge';
import { assembleTraceReport } from '@apprights/rules';
import { readTrace } from '@apprights/runtime';
import { buildApk } from '@apprights/testkit';
// eslint-disable-next-line apprights/no-cross-package-imports -- a test helper of another package's tests, not yet in @apprights/testkit
import { Rng } from '../../apk/test/fuzz/mutate.js';
import { assertNoStack, describeRun, repoRoot, runCliAsync, schemaErrors, tempDir, writeTemp } from './helpers.js';

const HEADER = { kind: 'trace', t: 0, version: '1.0.0', package: 'com.example.app', recorder: 'test' };
const jsonl = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

test('a trace of 130,000 events goes through the text report (no argument-list overflow)', async () => {
  const events: object[] = [HEADER];
  for (let i = 0; i < 130_000; i++) events.push({ kind: 'user', t: 10 + i, action: 'tap', node: `n${i % 7}` });
  const dir = tempDir();
  const file = writeTemp(dir, 'big.jsonl', jsonl(events));
  const r = await runCliAsync(['trace', file, '--format', 'text']);
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  assertNoStack(r.stderr);
  assert.match(r.stdout, /130000|130,000/);
});

test('a manifest with 150,000 permissions goes through the text report', async () => {
  const permissions = Array.from({ length: 150_000 }, (_, i) => `com.example.permission.P${i}`);
  const dir = tempDir();
  const apk = writeTemp(dir, 'many-permissions.apk', buildApk({ permissions }));
  const r = await runCliAsync(['scan', apk, '--format', 'text', '--verbose']);
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  assertNoStack(r.stderr);
  assert.match(r.stdout, /com\.example\.permission\.P0/);
});

test('times beyond ±10^13 ms are problems on their line, not Infinity in the report', async () => {
  const dir = tempDir();
  const file = writeTemp(
    dir,
    'extreme.jsonl',
    jsonl([
      HEADER,
      { kind: 'consent', t: -5000, action: 'agreed', detectedBy: 'user' },
      { kind: 'user', t: 1e308, action: 'tap', node: 'far' },
      { kind: 'user', t: -1e308, action: 'tap', node: 'before' },
      { kind: 'user', t: 20, action: 'tap', node: 'ok' },
    ]),
  );
  const stopped = await runCliAsync(['trace', file]);
  assert.equal(stopped.status, 3, describeRun(stopped));
  assert.match(stopped.stderr, /line 3: user event time 1e\+308 ms is outside/);
  const r = await runCliAsync(['trace', file, '--keep-going', '--format', 'json']);
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  const report = JSON.parse(r.stdout) as { trace: { durationMs: number; consent: { agreed: number[] }; problems: { line: number }[] } };
  assert.equal(schemaErrors('trace-report', report), undefined);
  assert.deepEqual(
    report.trace.problems.map((p) => p.line),
    [3, 4],
  );
  assert.equal(report.trace.durationMs, 5020);
  // The consent before the header reads -5 s in the summary, as in any finding's evidence.
  assert.deepEqual(report.trace.consent.agreed, [-5000]);
  const text = await runCliAsync(['trace', file, '--keep-going']);
  assert.doesNotMatch(text.stdout, /Infinity|NaN/);
  assert.match(text.stdout, /-5 s/);
});

test('--keep-going lists a UI snapshot the trace names but that is missing', async () => {
  const dir = tempDir();
  const file = writeTemp(
    dir,
    'missing-ui.jsonl',
    jsonl([HEADER, { kind: 'ui', t: 5, id: 'splash', file: 'nowhere.xml' }, { kind: 'user', t: 9, action: 'tap', node: 'x' }]),
  );
  const stopped = await runCliAsync(['trace', file]);
  assert.equal(stopped.status, 3, describeRun(stopped));
  assert.match(stopped.stderr, /nowhere\.xml/);
  const r = await runCliAsync(['trace', file, '--keep-going', '--format', 'json']);
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  const report = JSON.parse(r.stdout) as { trace: { problems: { line: number; message: string }[] } };
  assert.equal(schemaErrors('trace-report', report), undefined);
  assert.ok(
    report.trace.problems.some((p) => p.line === 2 && /nowhere\.xml/.test(p.message)),
    JSON.stringify(report.trace.problems),
  );
  const text = await runCliAsync(['trace', file, '--keep-going']);
  assert.match(text.stdout, /nowhere\.xml/);
});

test("the runtime README's complete examples run as it says", async () => {
  const readme = readFileSync(join(repoRoot, 'packages/runtime/README.md'), 'utf8');
  const command = /`apprights trace (packages\/runtime\/test\/traces\/clean\.jsonl) --ui (packages\/runtime\/test\/ui)`/.exec(readme);
  assert.ok(command, 'the README gives the command for its complete examples');
  for (const name of ['clean.jsonl', 'violating.jsonl']) {
    const r = await runCliAsync(['trace', join('packages/runtime/test/traces', name), '--ui', command[2]!]);
    assert.ok(r.status === 0 || r.status === 1, `${name}: ${describeRun(r)}`);
  }
});

/**
 * Fuzzed traces (example lines with numbers swapped for extremes, fields dropped or retyped): every
 * JSON report validates against its schema. In-process, so hundreds of inputs stay quick.
 */
test('trace reports of fuzzed traces validate against the schema', () => {
  const seeds: string[] = [];
  for (const dir of [join(repoRoot, 'packages/runtime/test/traces')]) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) seeds.push(readFileSync(join(dir, f), 'utf8'));
  }
  const EXTREMES = [1e308, -1e308, 1e13, -1e13, 1e13 + 1, -0, 0.5, 2 ** 53, -1, 1e-300];
  const rng = new Rng(Number(process.env.FUZZ_SEED ?? 20261206));
  const measures = loadMeasureCatalog().measures;
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 200);
  for (let i = 0; i < iterations; i++) {
    const lines = seeds[i % seeds.length]!.split('\n').filter(Boolean);
    const mutated = lines.map((line) => {
      if (rng.below(3) !== 0) return line;
      const event = JSON.parse(line) as Record<string, unknown>;
      const keys = Object.keys(event);
      const key = rng.pick(keys);
      switch (rng.below(4)) {
        case 0:
          event[key] = rng.pick(EXTREMES);
          break;
        case 1:
          event.t = rng.pick(EXTREMES);
          break;
        case 2:
          delete event[key];
          break;
        default:
          event[key] = rng.pick([null, 'x', [], {}, true]);
      }
      return JSON.stringify(event);
    });
    const trace = readTrace(mutated.join('\n'), { source: `fuzz-${i}.jsonl` });
    if (trace.events.filter((e) => e.kind !== 'trace').length === 0) continue;
    const report = assembleTraceReport(trace, undefined, {
      toolVersion: '0.0.0-test',
      knowledge: loadKnowledge(),
      measures,
      generatedAt: new Date(0),
    });
    const errors = schemaErrors('trace-report', JSON.parse(JSON.stringify(report)));
    assert.equal(errors, undefined, `iteration ${i}:\n${mutated.join('\n')}\n${errors}`);
  }
});
