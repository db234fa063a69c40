/**
 * `apprights explore --adb PACKAGE -o DIR --analyse` on the scripted fake device: every scenario's
 * trace is checked by the rules and the merged report names the scenario and trace lines of each
 * finding; the re-ask across b (deny) and e (second start) is found on the device clock. The help
 * documents the scenarios and limits; bad package names and scenario letters are usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, runCli, tempDir } from './helpers.js';
import { SHOP, exploreFakeShop, exploreFakeShopFrida } from './explore/fake-shop.js';
import { FakeDevice } from '@apprights/recorder';
import { parseScenarios, runExplore, type ExploreReport } from '../src/commands/explore.js';
import { EnvironmentError } from '../src/errors.js';

test('explore --analyse on the fake shop: one merged report, each finding with its scenario and lines', async () => {
  const dir = join(tempDir(), 'explore-shop');
  const code = await exploreFakeShop(dir);
  assert.equal(code, 0);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ExploreReport;
  assert.deepEqual(
    report.scenarios.map((s) => [s.dir, s.status]),
    [
      ['a-refuse', 'completed'],
      ['b-deny', 'completed'],
      ['e-second-start', 'aborted'],
      ['c-grant', 'completed'],
      ['d-background', 'completed'],
      ['f-walk', 'aborted'],
    ],
  );
  const has = (scenario: string, rule: string) => report.findings.filter((f) => f.scenario === scenario && f.ruleId === rule);
  // Every trace reference names its scenario.
  for (const f of report.findings) for (const l of f.lines) assert.ok(l.scenario && l.line > 0, `${f.ruleId}: ${JSON.stringify(l)}`);
  // a: collection before consent and after the refusal.
  assert.ok(has('a-refuse', 'runtime-pi-before-consent').length > 0, 'before consent');
  assert.ok(has('a-refuse', 'runtime-pi-after-refusal').length > 0, 'after refusal');
  // b: the phone permission at start, and asked again at once after the denial.
  assert.ok(has('b-deny', 'runtime-permission-at-start').length > 0);
  assert.ok(has('b-deny', 'runtime-permission-reask').length > 0);
  // b + e: denied in b, asked again at the second cold start, within 48 h on the device clock.
  const across = has('b-deny+e-second-start', 'runtime-permission-reask');
  assert.equal(across.length, 1);
  assert.deepEqual([...new Set(across[0]!.lines.map((l) => l.scenario))].sort(), ['b-deny', 'e-second-start']);
  // e: the refusal makes the app quit.
  assert.ok(has('e-second-start', 'runtime-permission-refusal-exit').length > 0);
  // d: location read in the background, and another app opened with no input (trigger app).
  assert.ok(has('d-background', 'runtime-pi-background').length > 0);
  assert.ok(has('d-background', 'runtime-self-start').some((f) => f.messageId === 'wakes'));
  // c: the promotion pop-up over the home screen; f: the package installer opened from a tap, no prompt.
  assert.ok(has('c-grant', 'ui-popup-close-control').length > 0);
  assert.ok(has('f-walk', 'ui-download-without-confirmation').some((f) => f.messageId === 'noPrompt'));
  // The splash advert's skip control (role ad, pangle views): its size reported, no 48 dp violation.
  const splash = report.findings.filter((f) => f.ruleId === 'ui-splash-close-control');
  assert.ok(splash.length > 0 && splash.every((f) => f.severity === 'info' || !(f.data?.reasons as string[]).includes('too-small')));
  // The merged report in Markdown names scenarios and lines.
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /\[b-deny\+e-second-start\] .*\(b-deny line \d+, .*e-second-start line \d+/);
  assert.ok(existsSync(join(dir, 'privacy-policy.txt')));
});

test('explore: the committed example output is a fake-device run with its merged report', () => {
  const example = new URL('./explore/example/', import.meta.url);
  const report = JSON.parse(readFileSync(new URL('report.json', example), 'utf8')) as ExploreReport;
  assert.equal(report.package, 'com.example.shop');
  for (const s of report.scenarios) assert.ok(existsSync(new URL(`${s.dir}/trace.jsonl`, example)), s.dir);
  assert.ok(existsSync(new URL('report.md', example)) && existsSync(new URL('explore.json', example)));
  // With Frida attached (scenario a on a fake Frida): the agent's call in the trace, its raw trace beside it.
  const withFrida = new URL('./explore/example-frida/', import.meta.url);
  const trace = readFileSync(new URL('a-refuse/trace.jsonl', withFrida), 'utf8');
  assert.match(trace, /"recorder":"apprights-explore\+frida"/);
  assert.match(trace, /com\.umeng\.commonsdk/);
  assert.ok(existsSync(new URL('a-refuse/frida/launch-1/trace.jsonl', withFrida)));
  assert.ok(existsSync(new URL('report.md', withFrida)));
});

test('explore: usage errors before any device command', async () => {
  assert.throws(() => parseScenarios('a,x', 'en'), /unknown scenario "x": choose from a \(refuse\)/);
  assert.deepEqual(parseScenarios('f,a,deny', 'en'), ['refuse', 'deny', 'walk']);
  await assert.rejects(
    runExplore('com.example.app;reboot', { adb: true, progress: false, lang: 'en', version: 'x' }),
    /not an Android package name/,
  );
  await assert.rejects(runExplore('com.example.app', { frida: true, progress: false, lang: 'zh', version: 'x' }), /explore 需要 --adb/);
});

test('explore --frida: the Frida recorder attached to each launch, its stacks attributed to the SDK in the report', async () => {
  const dir = join(tempDir(), 'explore-frida');
  const { code, frida } = await exploreFakeShopFrida(dir);
  assert.equal(code, 0);
  assert.deepEqual(frida.log, ['attach 4321', 'start', 'stop', 'detach']);
  const trace = readFileSync(join(dir, 'a-refuse', 'trace.jsonl'), 'utf8');
  assert.match(trace, /"recorder":"apprights-explore\+frida"/);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ExploreReport;
  // The call came through Frida with its stack: the finding names Umeng, with the SDK-only measures.
  const umeng = report.findings.filter(
    (f) => f.scenario === 'a-refuse' && f.ruleId === 'runtime-pi-before-consent' && /umeng/i.test(f.message.en),
  );
  assert.equal(umeng.length, 1, JSON.stringify(report.findings.map((f) => [f.ruleId, f.message.en])));
  assert.ok(umeng[0]!.measures.includes('tc260-sdk-init-after-consent'));
  assert.ok(umeng[0]!.lines.every((l) => l.scenario === 'a-refuse'));
});

test('explore --frida fails with exit 5 when Frida is missing or cannot attach, never explores without it', async () => {
  // This machine has no `frida` package: the check before any device command says what to install.
  await assert.rejects(
    runExplore('com.example.shop', { adb: true, frida: true, output: join(tempDir(), 'x'), progress: false, lang: 'en', version: 'x' }),
    (error: unknown) => error instanceof EnvironmentError && /npm install frida|agent script is not built/.test(error.message),
  );
  const device = new FakeDevice(SHOP);
  await assert.rejects(
    runExplore(
      SHOP.package,
      { adb: true, frida: true, scenarios: 'a,b', output: join(tempDir(), 'explore-no-server'), progress: false, lang: 'en', version: 'x' },
      {
        adb: device,
        clock: device.clock,
        sleep: device.sleep,
        recordFrida: () => Promise.reject(new Error('unable to connect to remote frida-server: closed')),
      },
    ),
    (error: unknown) => error instanceof EnvironmentError && /frida-server/.test(error.message),
  );
});

test('apprights explore --help documents the scenarios, faults and limits', () => {
  const r = runCli(['explore', '--help']);
  assert.equal(r.status, 0, describeRun(r));
  for (const word of [
    'a refuse',
    'b deny',
    'e second-start',
    'c grant',
    'd background',
    'f walk',
    '--walk-depth',
    '--walk-taps',
    'Faults',
    'fake device',
    '--frida',
    'instrument-failed',
  ])
    assert.ok(r.stdout.includes(word), word);
  const bad = runCli(['explore', '--adb', 'not a package']);
  assert.equal(bad.status, 2, describeRun(bad));
});
