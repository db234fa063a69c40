import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peakWindow, runtimePiFrequency } from '../../src/rules/runtime-pi-frequency.js';
import { exampleTrace, runOn } from '../support/trace.js';

const ID = 'runtime-pi-frequency';

test('runtime-pi-frequency: an SDK reading the Android ID 15 times in 28 s', () => {
  const found = runOn(runtimePiFrequency, exampleTrace(ID, 'violating'));
  assert.equal(found.length, 1, 'the app’s 5 location reads are within the limit');
  const [finding] = found;
  assert.equal(finding!.key, 'umeng-analytics:device-identifiers');
  assert.match(
    finding!.message.zh,
    /在 28 秒内（第 2–30 秒）读取设备标识符 15 次（settings\.secure\.getString），超过每 60 秒 10 次的上限/,
  );
  assert.match(finding!.message.en, /^SDK Umeng U-App Analytics .* read device identifiers 15 times in 28 s/);
  assert.deepEqual(
    finding!.evidence.map((r) => r.kind === 'trace' && r.event),
    [4, 5, 18],
  );
  assert.deepEqual(finding!.data, {
    sdk: 'umeng-analytics',
    pi: 'device-identifiers',
    apis: ['settings.secure.getString'],
    peakCalls: 15,
    windowSeconds: 60,
    limit: 10,
    totalCalls: 15,
  });
});

test('runtime-pi-frequency: one read every 10 s stays under 10 a minute', () => {
  assert.deepEqual(runOn(runtimePiFrequency, exampleTrace(ID, 'clean')), []);
});

test('runtime-pi-frequency: the limit, window and per-category limits are options', () => {
  const trace = exampleTrace(ID, 'clean');
  assert.equal(runOn(runtimePiFrequency, trace, { maxCalls: 5 }).length, 1);
  assert.equal(runOn(runtimePiFrequency, trace, { perCategory: { 'device-identifiers': 3 } }).length, 1);
  assert.equal(runOn(runtimePiFrequency, exampleTrace(ID, 'violating'), { windowSeconds: 10, maxCalls: 5 }).length, 0);
  assert.equal(runOn(runtimePiFrequency, exampleTrace(ID, 'violating'), { perCategory: { location: 4 } }).length, 2);
  assert.deepEqual(peakWindow([0, 1000, 2000, 70000, 70001], 60000), { count: 3, start: 0, end: 2 });
});
