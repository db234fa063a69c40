/**
 * The engine as a library, used the way the platform will: through its public entry point only
 * (the built package, not its sources), on the real APKs and the repository's example evidence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSource } from '@apprights/apk';
import {
  AbortError,
  EngineError,
  FACTS_VERSION,
  InputError,
  LimitError,
  checkPolicy,
  checkTrace,
  diffPackages,
  readPolicy,
  readRuntime,
  rerunRules,
  scanPackage,
  schemasDir,
  type ScanFacts,
} from '@apprights/engine';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const apks = {
  apiDemos: join(repoRoot, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk'),
  settings: join(repoRoot, 'node_modules/io.appium.settings/apks/settings_apk-debug.apk'),
  uiautomator2: join(repoRoot, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
  uiautomator2Test: join(repoRoot, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk'),
  jpush: join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'),
};
const policyZh = join(repoRoot, 'packages/policy/test/fixtures/zh/full.md');
const trace = join(repoRoot, 'packages/runtime/test/traces/violating.jsonl');
const uiDir = join(repoRoot, 'packages/runtime/test/ui');

test('scanPackage: a path gives the report with the package and a facts section', async () => {
  const report = await scanPackage(apks.apiDemos, { toolVersion: 'test' });
  assert.equal(report.app.package, 'io.appium.android.apis');
  assert.equal(report.tool.version, 'test');
  assert.equal(report.facts?.schemaVersion, FACTS_VERSION);
  assert.equal(report.facts?.package.app.package, 'io.appium.android.apis');
  assert.equal(report.coverage.length, 26);
  const lean = await scanPackage(apks.apiDemos, { facts: false });
  assert.equal(lean.facts, undefined);
});

test('scanPackage: bytes and a random-access source read like the file', async () => {
  const fromPath = await scanPackage(apks.settings, { facts: false });
  const fromBytes = await scanPackage(new Uint8Array(readFileSync(apks.settings)), { facts: false, name: 'settings.apk' });
  const fromSource = await scanPackage(new FileSource(apks.settings), { facts: false, name: 'settings.apk' });
  for (const other of [fromBytes, fromSource]) {
    assert.equal(other.file.sha256, fromPath.file.sha256);
    assert.deepEqual(other.findings, fromPath.findings);
    assert.deepEqual(other.sdks, fromPath.sdks);
    assert.deepEqual(other.coverage, fromPath.coverage);
  }
});

/** Stored facts travel as JSON: what a database or a file gives back. */
function stored(facts: ScanFacts | undefined): ScanFacts {
  assert.ok(facts, 'the report has a facts section');
  return JSON.parse(JSON.stringify(facts)) as ScanFacts;
}

test('rerunRules: stored facts give byte-identical findings, rule outcomes and coverage', async () => {
  const policy = await readPolicy(policyZh);
  const runtime = await readRuntime(trace, { uiDir });
  const cases: [string, Parameters<typeof scanPackage>[1]][] = [
    [apks.apiDemos, {}],
    [apks.settings, { appType: 'map-navigation' }],
    [apks.uiautomator2Test, {}],
    [apks.uiautomator2, {}],
    [apks.jpush, {}],
    [apks.apiDemos, { policy, trace: runtime.trace, ...(runtime.ui ? { ui: runtime.ui } : {}), appType: '1' }],
  ];
  for (const [file, options] of cases) {
    const report = await scanPackage(file, options);
    const again = rerunRules(stored(report.facts), { ...(options?.appType ? { appType: options.appType } : {}) });
    assert.equal(JSON.stringify(again.findings), JSON.stringify(report.findings), `${file}: findings`);
    assert.equal(JSON.stringify(again.rules), JSON.stringify(report.rules), `${file}: rule outcomes`);
    assert.equal(JSON.stringify(again.coverage), JSON.stringify(report.coverage), `${file}: coverage`);
  }
});

test('rerunRules: facts of another major version or not facts at all are an InputError', () => {
  assert.throws(
    () => rerunRules({ schemaVersion: '9.0.0', package: {} } as unknown as ScanFacts),
    (e: unknown) => e instanceof InputError && e.code === 'facts',
  );
  assert.throws(
    () => rerunRules(null as unknown as ScanFacts),
    (e: unknown) => e instanceof InputError && e.code === 'facts',
  );
});

test('checkPolicy, checkTrace and diffPackages through the engine', async () => {
  const policyReport = await checkPolicy(policyZh, { appType: 'map-navigation' });
  assert.ok(policyReport.sections.length > 0);
  const text = readFileSync(policyZh, 'utf8');
  const fromText = await checkPolicy({ text, name: 'full.md' });
  assert.equal(fromText.text, policyReport.text);
  const traceReport = await checkTrace(trace, { uiDir });
  assert.ok(traceReport.findings.length > 0, 'the violating trace has findings');
  const diff = await diffPackages(apks.apiDemos, apks.settings);
  assert.ok(diff.changes.length > 0);
});

test('typed errors: bad input, bad configuration, limits', async () => {
  await assert.rejects(scanPackage(new Uint8Array(1000)), (e: unknown) => e instanceof InputError && e.code === 'not-zip');
  await assert.rejects(scanPackage(join(repoRoot, 'no-such.apk')), (e: unknown) => e instanceof InputError && e.code === 'io');
  await assert.rejects(scanPackage(apks.apiDemos, { appType: 'no-such-type' }), (e: unknown) => {
    assert.ok(e instanceof InputError && e.code === 'app-type');
    assert.match(e.text.zh, /未知的应用类型/);
    return true;
  });
  await assert.rejects(
    scanPackage(apks.apiDemos, { storeListing: { appType: 5 } }),
    (e: unknown) => e instanceof InputError && e.code === 'store-listing',
  );
  const dir = mkdtempSync(join(tmpdir(), 'engine-config-'));
  try {
    const config = join(dir, 'apprights.config.json');
    writeFileSync(config, JSON.stringify({ rules: { 'no-such-rule': 'off' } }));
    await assert.rejects(scanPackage(apks.apiDemos, { config }), (e: unknown) => e instanceof InputError && e.code === 'config');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(scanPackage(apks.apiDemos, { limits: { zip: { maxEntries: 3 } } }), (e: unknown) => e instanceof LimitError);
  await assert.rejects(readPolicy(join(repoRoot, 'no-such-policy.html')), (e: unknown) => e instanceof InputError && e.code === 'policy');
  await assert.rejects(readRuntime(policyZh), (e: unknown) => e instanceof InputError && e.code === 'trace');
});

test('abort: a scan given a signal stops within 100 ms of the abort and frees its thread', async () => {
  for (const delay of [0, 40, 120]) {
    const controller = new AbortController();
    const started = scanPackage(apks.uiautomator2, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, delay));
    const at = performance.now();
    controller.abort();
    await assert.rejects(started, (e: unknown) => e instanceof AbortError);
    assert.ok(performance.now() - at < 100, `rejected ${Math.round(performance.now() - at)} ms after the abort`);
  }
  // The workers are gone: nothing keeps a thread (or the event loop) busy afterwards. The promise
  // settles within 100 ms; the thread's own exit is asynchronous, and on a loaded machine it takes a
  // little longer than that, so its going is awaited (boundedly) rather than timed.
  let workers: string[] = [];
  for (let waited = 0; waited < 5000; waited += 25) {
    workers = process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort');
    if (workers.length === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(workers, []);
  const aborted = AbortSignal.abort();
  await assert.rejects(scanPackage(apks.apiDemos, { signal: aborted }), (e: unknown) => e instanceof AbortError);
  // A signal that never fires changes nothing.
  const report = await scanPackage(apks.settings, { signal: new AbortController().signal, facts: false });
  assert.equal(report.app.package, 'io.appium.settings');
});

test('fuzz: mutated packages through the engine API raise only typed errors, and write nothing', async () => {
  const seed = new Uint8Array(readFileSync(apks.settings));
  const iterations = Number(process.env.ENGINE_FUZZ_ITERATIONS ?? 60);
  let random = 20261206;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31);
  const cwd = mkdtempSync(join(tmpdir(), 'engine-fuzz-'));
  const before = process.cwd();
  process.chdir(cwd);
  const codes = new Map<string, number>();
  try {
    for (let i = 0; i < iterations; i++) {
      const bytes = Uint8Array.from(seed);
      const flips = 1 + (next() % 16);
      // Half the runs hit the central directory and the headers at the end, where a flip changes the most.
      const tail = i % 2 === 0;
      for (let f = 0; f < flips; f++) {
        const at = tail ? bytes.length - 1 - (next() % Math.min(4096, bytes.length)) : next() % bytes.length;
        bytes[at] = next() & 0xff;
      }
      try {
        await scanPackage(bytes, { name: `fuzz-${i}.apk`, facts: false });
      } catch (error) {
        assert.ok(error instanceof EngineError, `iteration ${i}: ${(error as Error)?.stack ?? String(error)}`);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
    }
    assert.deepEqual(readdirSync(cwd), [], 'the engine wrote nothing');
  } finally {
    process.chdir(before);
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('schemas: engine reports with their facts section validate; facts alone validate against scan-facts', async () => {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const name of ['policy-report', 'scan-facts', 'scan-report'])
    ajv.addSchema(JSON.parse(readFileSync(join(schemasDir, `${name}.schema.json`), 'utf8')) as object, name);
  const policy = await readPolicy(policyZh);
  const runtime = await readRuntime(trace, { uiDir });
  const report = await scanPackage(apks.apiDemos, { policy, trace: runtime.trace, ...(runtime.ui ? { ui: runtime.ui } : {}) });
  const roundTrip = JSON.parse(JSON.stringify(report)) as unknown;
  const validReport = ajv.getSchema('scan-report')!;
  assert.ok(validReport(roundTrip), JSON.stringify(validReport.errors?.slice(0, 3)));
  const validFacts = ajv.getSchema('scan-facts')!;
  assert.ok(validFacts(JSON.parse(JSON.stringify(report.facts))), JSON.stringify(validFacts.errors?.slice(0, 3)));
});
