/**
 * `apprights record --adb|--frida PACKAGE`: the built CLI runs against a stand-in `adb` executable (a
 * small Node script put first on PATH) that answers from the recorder's recorded outputs
 * (packages/recorder/test/recorded/): privacy dialog → (tap) → main screen, logcat lines
 * and AppOps accesses timed from the launch. The trace it writes must be one `apprights trace` reads.
 * Also: exit 2 for command-line mistakes before adb is ever called, exit 5 (environment) when adb, a
 * device, the app or frida is missing, and Ctrl-C keeping the trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { TraceReport } from '@apprights/rules';
import { assertNoStack, binPath, describeRun, repoRoot, runCliAsync, schemaErrors, tempDir, type CliResult } from './helpers.js';

const APP = 'com.example.news';
const RECORDED = join(repoRoot, 'packages/recorder/test/recorded');
const root = tempDir();
let dirs = 0;

interface StandInConfig {
  /** `adb devices` output. */
  devices?: string;
  /** Packages `pm path` / `dumpsys package` know. */
  installed?: string[];
  /** `exec-out uiautomator dump /dev/tty` fails, as on some devices: the recorder falls back to a file and `cat`. */
  noTtyDump?: boolean;
}

/**
 * A stand-in `adb`: one Node script per test folder, state (screens dumped, taps, launch time) kept
 * in a file next to it because each adb command is a new process. Every call is logged.
 */
function standInAdb(config: StandInConfig = {}): { bin: string; home: string; calls: () => string[][] } {
  const home = join(root, `adb-${++dirs}`);
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  const cfg = {
    home,
    recorded: RECORDED,
    devices: config.devices ?? 'List of devices attached\nemulator-5554\tdevice\n\n',
    installed: config.installed ?? [APP],
    noTtyDump: config.noTtyDump === true,
  };
  const script = `#!${process.execPath}
'use strict';
const fs = require('fs');
const path = require('path');
const CFG = ${JSON.stringify(cfg)};
let args = process.argv.slice(2);
fs.appendFileSync(path.join(CFG.home, 'calls.log'), JSON.stringify(args) + '\\n');
if (args[0] === '-s') args = args.slice(2);
const j = args.join(' ');
const stateFile = path.join(CFG.home, 'state.json');
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : { dumps: 0, tapped: false, launchMs: null, file: '' };
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
const rec = (p) => fs.readFileSync(path.join(CFG.recorded, p), 'utf8');
const out = (x) => process.stdout.write(x);
const fail = (message, code = 1) => { process.stderr.write(message + '\\n'); process.exit(code); };
/** The recorded logcat session starts at this device time; lines are moved to this run's launch. */
const RECORDED_LAUNCH = 1704420720.1;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function screen() {
  state.dumps++;
  // the privacy dialog from the first poll on (one poll is enough on a slow machine), the main screen after a tap
  const xml = state.tapped ? rec('ui/main.xml') : rec('ui/consent-zh.xml');
  save();
  return xml;
}
function logcat() {
  if (state.launchMs === null) return '';
  const ti = args.indexOf('-T');
  const since = ti >= 0 ? Number(args[ti + 1]) * 1000 : -Infinity;
  let text = '--------- beginning of main\\n';
  for (const line of (rec('session/logcat-1.txt') + rec('session/logcat-3.txt')).split('\\n')) {
    const m = /^(\\s*)(\\d+\\.\\d+)(\\s.*)$/.exec(line);
    if (!m) continue;
    const at = state.launchMs + Math.round((Number(m[2]) - RECORDED_LAUNCH) * 1000);
    if (at > Date.now() || at < since) continue;
    text += m[1] + (at / 1000).toFixed(3) + m[3] + '\\n';
  }
  return text;
}
function appops() {
  let text = 'Current AppOps Service state:\\n  Settings:\\n    top_state_settle_time=+5s0ms\\n\\n  Uid u0a123:\\n    state=top\\n    Package ' + CFG.installed[0] + ':\\n';
  if (state.launchMs === null) return text;
  for (const a of [{ op: 'READ_PHONE_STATE', after: 100 }, { op: 'COARSE_LOCATION', after: 900 }]) {
    const ago = Date.now() - (state.launchMs + a.after);
    if (ago < 0) continue;
    const s = Math.floor(ago / 1000);
    text += '      ' + a.op + ' (allow):\\n        null=[\\n          Access: [top-s] 2024-01-05 10:12:00.000 (-' + (s ? s + 's' : '') + (ago % 1000) + 'ms)\\n        ]\\n';
  }
  return text;
}

if (j === 'devices') out(CFG.devices);
else if (args[0] === 'shell' && args[1] === 'getprop') {
  const props = Object.fromEntries(rec('session/getprop.txt').trim().split('\\n').map((l) => l.split('=')));
  out((props[args[2]] ?? '') + '\\n');
} else if (j.startsWith('shell pm path ')) {
  if (CFG.installed.includes(args[3])) out('package:/data/app/~~abc==/' + args[3] + '-1/base.apk\\n');
  else process.exit(1);
} else if (j.startsWith('shell dumpsys package ')) {
  if (CFG.installed.includes(args[3])) out(rec('dumpsys/package-android13-before.txt'));
  else out('Unable to find package: ' + args[3] + '\\n');
} else if (j === 'shell date +%s.%N') out((Date.now() / 1000).toFixed(3) + '000000\\n');
else if (j.startsWith('shell am force-stop ') || j === 'shell logcat -c') out('');
else if (j.startsWith('shell monkey ')) {
  state.launchMs = Date.now();
  save();
  out('Events injected: 1\\n## Network stats: elapsed time=43ms (0ms mobile, 0ms wifi, 43ms not connected)\\n');
} else if (j.startsWith('shell dumpsys appops --package ')) out(appops());
else if (j === 'exec-out uiautomator dump /dev/tty') {
  if (CFG.noTtyDump) fail('ERROR: null root node returned by UiTestAutomationBridge.');
  out(screen() + 'UI hierchary dumped to: /dev/tty\\n');
} else if (args[0] === 'shell' && args[1] === 'uiautomator' && args[2] === 'dump') {
  state.file = screen();
  save();
  out('UI hierchary dumped to: ' + args[3] + '\\n');
} else if ((args[0] === 'exec-out' && args[1] === 'cat') || args[0] === 'pull') out(state.file);
else if (j === 'exec-out screencap -p') out(PNG);
else if (j.startsWith('shell input tap ')) {
  state.tapped = true;
  save();
} else if (j.startsWith('shell logcat -d')) out(logcat());
else fail('stand-in adb: no recorded answer for: ' + j);
`;
  const path = join(bin, 'adb');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  const log = join(home, 'calls.log');
  return {
    bin,
    home,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as string[])
        : [],
  };
}

/** PATH with the stand-in first (or only an empty folder: no adb at all). */
function pathWith(bin: string, alone = false): NodeJS.ProcessEnv {
  return { PATH: alone ? bin : `${bin}${delimiter}${process.env.PATH ?? ''}` };
}

type Ev = { kind: string; t: number } & Record<string, unknown>;
function readEvents(file: string): Ev[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Ev);
}

function outDir(name: string): string {
  return join(root, `out-${++dirs}-${name}`);
}

test('record --adb: a trace apprights trace reads, with the privacy dialog shown and auto-agreed', async () => {
  const adb = standInAdb();
  const out = outDir('auto');
  const r = await runCliAsync(['record', '--adb', APP, '--duration', '2', '--interval', '0.5', '-o', out], { env: pathWith(adb.bin) });
  assert.equal(r.status, 0, describeRun(r));
  // where the files are, and what to run next
  const traceFile = join(out, 'trace.jsonl');
  assert.match(r.stdout, /recorded com\.example\.news: \d+ events, \d+ UI snapshots, \d+ screenshots/);
  assert.ok(r.stdout.includes(traceFile), r.stdout);
  assert.ok(r.stdout.includes(`apprights trace ${traceFile} --ui ${join(out, 'ui')}`), r.stdout);
  // progress on stderr (not a terminal: a line every few seconds) with elapsed time, snapshots and events
  assert.match(r.stderr, /recording com\.example\.news on emulator-5554 with adb/);
  assert.match(r.stderr, /recording \d+\/2 s · \d+ snapshots · \d+ events/);
  // the device was chosen from adb devices and every device command names it
  const calls = adb.calls();
  assert.deepEqual(calls[0], ['devices']);
  for (const call of calls.slice(1)) assert.deepEqual(call.slice(0, 2), ['-s', 'emulator-5554'], call.join(' '));
  assert.ok(calls.some((c) => c.join(' ') === `-s emulator-5554 shell pm path ${APP}`));

  const events = readEvents(traceFile);
  const header = events[0]!;
  assert.equal(header.kind, 'trace');
  assert.equal(header['package'], APP);
  assert.equal(header['recorder'], 'apprights-adb');
  assert.deepEqual(header['device'], { emulator: false, model: 'Pixel 7', sdkInt: 33, serial: 'emulator-5554' });
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.t >= events[i - 1]!.t, `time order at line ${i + 1}`);
  const consent = events.filter((e) => e.kind === 'consent');
  assert.deepEqual(
    consent.map((e) => [e['action'], e['detectedBy']]),
    [
      ['shown', 'ui'],
      ['agreed', 'auto'],
    ],
  );
  // the dialog, then (when a second poll came within the 2 s) the main screen
  const ui = events.filter((e) => e.kind === 'ui');
  assert.equal(ui[0]!['role'], 'consent');
  assert.ok(ui.length <= 2 && ui.slice(1).every((e) => e['role'] === undefined), JSON.stringify(ui));
  assert.ok(
    calls.some((c) => c.slice(2, 5).join(' ') === 'shell input tap'),
    'the agree button was tapped',
  );
  assert.ok(
    events.some((e) => e.kind === 'api' && e['method'] === 'READ_PHONE_STATE'),
    'AppOps access in the trace',
  );
  assert.ok(
    events.some((e) => e.kind === 'lifecycle' && e['action'] === 'process-start'),
    'logcat process start in the trace',
  );
  assert.deepEqual(
    readdirSync(join(out, 'ui')).sort(),
    ui.map((e) => `${String(e['id'])}.xml`),
  );
  assert.equal(readdirSync(join(out, 'screenshots')).length, ui.length);

  const report = await runCliAsync(['trace', traceFile, '--ui', join(out, 'ui'), '--format', 'json', '--no-config']);
  assert.ok(report.status === 0 || report.status === 1, describeRun(report));
  const json = JSON.parse(report.stdout) as TraceReport;
  assert.equal(schemaErrors('trace-report', json), undefined);
  assert.equal(json.trace.package, APP);
  assert.equal(json.trace.consent.shown.length, 1);
  assert.equal(json.trace.consent.agreed.length, 1);
  assert.ok(json.trace.consent.agreed[0]! >= json.trace.consent.shown[0]!);
  assert.equal(json.ui?.snapshots.length, ui.length);
});

test('record --adb --no-auto-consent --no-screenshots --analyse: the dialog stays, the report follows', async () => {
  const adb = standInAdb({ noTtyDump: true });
  const out = outDir('manual');
  const r = await runCliAsync(
    [
      'record',
      '--adb',
      '--device',
      'emulator-5554',
      APP,
      '--duration',
      '1.5',
      '--interval',
      '0.5',
      '--no-auto-consent',
      '--no-screenshots',
      '--no-progress',
      '--analyse',
      '-o',
      out,
    ],
    { env: pathWith(adb.bin), cwd: root },
  );
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  // the trace report on stdout, where the files are on stderr; no progress lines
  assert.doesNotMatch(r.stderr, /recording \d+\//);
  assert.match(r.stderr, /recorded com\.example\.news/);
  assert.match(r.stdout, /com\.example\.news/);
  assert.match(r.stdout, /Measures of the 2023 notice \(26\)/);
  const events = readEvents(join(out, 'trace.jsonl'));
  assert.deepEqual(
    events.filter((e) => e.kind === 'consent').map((e) => e['action']),
    ['shown'],
  );
  assert.ok(!adb.calls().some((c) => c.includes('tap')), 'nothing tapped');
  assert.ok(!adb.calls().some((c) => c.includes('screencap')), 'no screenshots');
  assert.ok(
    adb.calls().some((c) => c.slice(2).join(' ') === 'shell uiautomator dump /data/local/tmp/apprights-ui.xml'),
    'fell back to a dump file',
  );
  assert.ok(!existsSync(join(out, 'screenshots')) || readdirSync(join(out, 'screenshots')).length === 0);
  assert.deepEqual(readdirSync(join(out, 'ui')), ['ui-0001.xml'], 'the dialog stayed: one snapshot');
});

test('record: a second recording into the same folder is refused (old snapshots would mix in)', async () => {
  const adb = standInAdb();
  const out = outDir('again');
  mkdirSync(out);
  writeFileSync(join(out, 'trace.jsonl'), '{"kind":"trace","t":0}\n');
  const r = await runCliAsync(['record', '--adb', APP, '-o', out], { env: pathWith(adb.bin) });
  assert.equal(r.status, 2, describeRun(r));
  assert.match(r.stderr, /already holds a recording/);
  assert.deepEqual(adb.calls(), [], 'refused before adb was called');
});

test('record: command-line mistakes exit 2 before adb is called', async () => {
  const adb = standInAdb();
  const cases: [string[], RegExp][] = [
    [['record', '--adb', 'com.x;reboot'], /not an Android package name: "com\.x;reboot"/],
    [['record', '--adb', 'notapackage'], /not an Android package name/],
    [['record', '--adb', '$(id).x'], /not an Android package name/],
    [['record', '--adb', '--frida', APP], /choose one recorder: --adb .* or --frida/],
    [['record', APP], /choose one recorder/],
    [['record', '--frida', APP, '--interval', '1'], /--interval: only with --adb/],
    [['record', '--frida', APP, '--no-auto-consent'], /only with --adb/],
    [['record', '--adb', APP, '--attach'], /--attach: only with --frida/],
    [['record', '--adb', APP, '--interval', '0.1'], /--interval must be at least 0\.2 seconds/],
    [['record', '--adb', APP, '--duration', '0'], /--duration takes a positive number/],
    [['record', '--adb', APP, '--auto-permission', 'maybe'], /invalid/],
    [['record', '--adb', '--device', 'x; rm -rf /', APP], /not an adb device serial/],
    [['record', '--adb'], /missing required argument/],
  ];
  for (const [args, message] of cases) {
    const r = await runCliAsync(args, { env: pathWith(adb.bin) });
    assert.equal(r.status, 2, `${args.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, message, args.join(' '));
    assertNoStack(r.stderr);
  }
  const zh = await runCliAsync(['record', '--adb', 'com.x;reboot', '--lang', 'zh'], { env: pathWith(adb.bin) });
  assert.equal(zh.status, 2);
  assert.match(zh.stderr, /不是安卓包名/);
  assert.deepEqual(adb.calls(), [], 'adb was never called');
});

test('record --adb: no adb, no device, an unauthorised device, the app not installed → exit 5 with what to do', async () => {
  const empty = join(root, 'empty-path');
  mkdirSync(empty, { recursive: true });
  const noAdb = await runCliAsync(['record', '--adb', APP, '-o', outDir('noadb')], { env: pathWith(empty, true) });
  assert.equal(noAdb.status, 5, describeRun(noAdb));
  assert.match(noAdb.stderr, /adb not found .*install Android platform-tools/);
  assertNoStack(noAdb.stderr);
  const noAdbZh = await runCliAsync(['record', '--adb', APP, '--lang', 'zh'], { env: pathWith(empty, true) });
  assert.equal(noAdbZh.status, 5);
  assert.match(noAdbZh.stderr, /找不到 adb/);

  const none = standInAdb({ devices: 'List of devices attached\n\n' });
  const noDevice = await runCliAsync(['record', '--adb', APP, '-o', outDir('nodev')], { env: pathWith(none.bin) });
  assert.equal(noDevice.status, 5, describeRun(noDevice));
  assert.match(noDevice.stderr, /no device: adb devices lists none; connect a phone/);
  const other = await runCliAsync(['record', '--adb', '--device', 'R58M123ABC', APP], { env: pathWith(standInAdb().bin) });
  assert.equal(other.status, 5, describeRun(other));
  assert.match(other.stderr, /no device R58M123ABC: adb devices lists emulator-5554 \(device\)/);

  const locked = standInAdb({ devices: 'List of devices attached\nR58M123ABC\tunauthorized\n\n' });
  const unauthorised = await runCliAsync(['record', '--adb', APP], { env: pathWith(locked.bin) });
  assert.equal(unauthorised.status, 5, describeRun(unauthorised));
  assert.match(unauthorised.stderr, /R58M123ABC is unauthorized: accept the "Allow USB debugging\?" prompt/);

  const two = standInAdb({ devices: 'List of devices attached\nemulator-5554\tdevice\nR58M123ABC\tdevice\n\n' });
  const several = await runCliAsync(['record', '--adb', APP], { env: pathWith(two.bin) });
  assert.equal(several.status, 2, describeRun(several));
  assert.match(several.stderr, /several devices \(emulator-5554, R58M123ABC\): choose one with --device SERIAL/);

  const adb = standInAdb();
  const out = outDir('missing');
  const missing = await runCliAsync(['record', '--adb', 'com.example.missing', '-o', out], { env: pathWith(adb.bin) });
  assert.equal(missing.status, 5, describeRun(missing));
  assert.match(missing.stderr, /com\.example\.missing is not installed on emulator-5554: install it with adb -s emulator-5554 install -r/);
  assertNoStack(missing.stderr);
  assert.ok(!existsSync(out), 'nothing written');
  assert.ok(!adb.calls().some((c) => c.includes('monkey')), 'nothing launched');
});

test('the bundled CLI never imports frida at start (only record --frida loads it, from the recorder package)', () => {
  const bundle = readFileSync(join(repoRoot, 'packages/cli/dist/bundle/apprights.cjs'), 'utf8');
  assert.doesNotMatch(bundle, /(?:^|[;\s])import\s*(?:[\w${}*,\s]+from\s*)?["']frida(?:\/[^"']*)?["']/m, 'a static import of frida');
  assert.doesNotMatch(bundle, /\brequire\(\s*["']frida["']\s*\)/, 'a require of frida');
  assert.doesNotMatch(bundle, /frida-node|frida_binding/i, 'the frida binding bundled');
});

function fridaInstalled(): boolean {
  try {
    createRequire(binPath).resolve('frida');
    return true;
  } catch {
    return false;
  }
}

test(
  'record --frida without the frida module: exit 5 with a clear message',
  { skip: fridaInstalled() && 'frida is installed here' },
  async () => {
    const adb = standInAdb();
    const out = outDir('frida');
    const r = await runCliAsync(['record', '--frida', APP, '--duration', '1', '-o', out], { env: pathWith(adb.bin) });
    assert.equal(r.status, 5, describeRun(r));
    // the recorder's bilingual message (it needs the optional frida npm package), or this build's own without a Frida recorder
    assert.match(r.stderr, /apprights: error: .*frida/i);
    assert.match(r.stderr, /npm install frida|not available in this build|agent script is not built/);
    // What --frida needs is checked before a recording is announced.
    assert.doesNotMatch(r.stdout + r.stderr, /^recording |正在用 frida 录制/m);
    assertNoStack(r.stderr);
    assert.ok(!existsSync(out), 'no empty output folder left behind');
  },
);

test('record --adb: Ctrl-C stops the recording and still writes the trace', async () => {
  const adb = standInAdb();
  const out = outDir('sigint');
  const child = spawn(process.execPath, [binPath, 'record', '--adb', APP, '--duration', '60', '--interval', '0.5', '-o', out], {
    cwd: repoRoot,
    env: { ...process.env, ...pathWith(adb.bin), LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const started = Date.now();
  const sent = new Promise<void>((resolve) => {
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // the first progress line comes after the first poll
      if (/recording \d+\/60 s/.test(stderr) && !child.killed) {
        child.kill('SIGINT');
        resolve();
      }
    });
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await sent;
  const r: CliResult = { status, stdout, stderr };
  assert.equal(status, 0, describeRun(r));
  assert.ok(Date.now() - started < 30_000, 'stopped well before --duration');
  assert.match(stderr, /stopping: finishing the trace/);
  assert.match(stdout, /recorded com\.example\.news \(stopped early\)/);
  const events = readEvents(join(out, 'trace.jsonl'));
  assert.equal(events[0]!.kind, 'trace');
  assert.ok(events.some((e) => e.kind === 'user' && e['action'] === 'launch'));
  assert.ok(events.some((e) => e.kind === 'ui'));
});
