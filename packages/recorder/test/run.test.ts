import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdbError, FakeAdb, SpawnAdbRunner, assertPackageName, assertSafeDeviceArgs, isPackageName } from '../src/index.js';

/** A stand-in `adb` executable: prints its argv as JSON, or misbehaves on request. */
const FAKE_ADB = `#!${process.execPath}
const args = process.argv.slice(2);
const mode = args[args.indexOf('-s') >= 0 ? 2 : 0];
if (mode === 'hang') setInterval(() => {}, 1000);
else if (mode === 'flood') { const chunk = Buffer.alloc(65536, 120); const write = () => { while (process.stdout.write(chunk)) {} process.stdout.once('drain', write); }; write(); }
else if (mode === 'stdin') { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => process.stdout.write(s.toUpperCase())); }
else if (mode === 'fail') { process.stderr.write('error: device offline\\n'); process.exit(3); }
else process.stdout.write(JSON.stringify(args));
`;

function withFakeAdb(fn: (adbPath: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apprights-adb-'));
    const adbPath = join(dir, 'adb');
    writeFileSync(adbPath, FAKE_ADB);
    chmodSync(adbPath, 0o755);
    try {
      await fn(adbPath);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'the real runner passes argv without a shell and puts -s SERIAL first',
  withFakeAdb(async (adbPath) => {
    const adb = new SpawnAdbRunner({ adbPath, serial: 'emulator-5554' });
    const result = await adb.run(['argv', 'a b', '$(touch /tmp/x)', ';', '*']);
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout.toString()), ['-s', 'emulator-5554', 'argv', 'a b', '$(touch /tmp/x)', ';', '*']);
    const plain = new SpawnAdbRunner({ adbPath });
    assert.deepEqual(JSON.parse((await plain.run(['shell', 'getprop', 'ro.build.version.sdk'])).stdout.toString()), [
      'shell',
      'getprop',
      'ro.build.version.sdk',
    ]);
  }),
);

test(
  'the real runner: exit codes, stderr, stdin, timeout kill, output cap',
  withFakeAdb(async (adbPath) => {
    const adb = new SpawnAdbRunner({ adbPath, timeoutMs: 5000, maxOutputBytes: 100_000 });
    const failed = await adb.run(['fail']);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /device offline/);
    assert.equal((await adb.run(['stdin'], { input: 'hello' })).stdout.toString(), 'HELLO');
    const started = Date.now();
    const hung = await adb.run(['hang'], { timeoutMs: 300 });
    assert.equal(hung.timedOut, true);
    assert.equal(hung.code, -1);
    assert.match(hung.stderr, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 4000);
    const flood = await adb.run(['flood']);
    assert.equal(flood.truncated, true);
    assert.equal(flood.stdout.length, 100_000);
    assert.equal(flood.code, -1);
  }),
);

test('the real runner refuses device-shell syntax, bad serials, and reports a missing adb', async () => {
  const adb = new SpawnAdbRunner({ adbPath: '/nonexistent/adb' });
  await assert.rejects(adb.run(['shell', 'am', 'force-stop', 'com.x;reboot']), TypeError);
  await assert.rejects(adb.run(['exec-out', 'cat', '/sdcard/a b.xml']), TypeError);
  await assert.rejects(adb.run(['shell', 'input', 'text', '$(id)']), TypeError);
  await assert.rejects(adb.run(['shell', 'monkey', '-p', 'com.x', '']), TypeError);
  await assert.rejects(adb.run(['shell', 'getprop']), AdbError);
  assert.throws(() => new SpawnAdbRunner({ serial: 'x; rm -rf /' }), TypeError);
  assert.doesNotThrow(() => new SpawnAdbRunner({ serial: '192.168.1.20:5555' }));
  assert.doesNotThrow(() =>
    assertSafeDeviceArgs(['shell', 'logcat', '-d', '-v', 'epoch', '-T', '1704420720.512', '-s', 'ActivityManager:I']),
  );
  assert.doesNotThrow(() => assertSafeDeviceArgs(['shell', 'date', '+%s.%N']));
});

test('package names', () => {
  for (const ok of ['com.example.app', 'com.example.news2', 'a.b', 'com.Example_x.y']) assert.ok(isPackageName(ok), ok);
  for (const bad of [
    'com',
    'com.',
    '.com.x',
    'com..x',
    'com.1x',
    'com.x;reboot',
    'com.x y',
    '',
    'com.x\n',
    'com/x',
    `a.${'b'.repeat(300)}`,
  ])
    assert.ok(!isPackageName(bad), bad);
  assert.throws(() => assertPackageName('com.x$(id)'), TypeError);
});

test('FakeAdb: exact and prefix keys, sequences, functions, call log, unknown commands', async () => {
  const adb = new FakeAdb({
    'shell getprop ro.build.version.sdk': '33\n',
    'shell logcat -d': ['first', 'second'],
    'shell logcat -d -v epoch': (args, call) => `${call}:${args.length}`,
    'exec-out screencap -p': Buffer.from([1, 2, 3]),
    'shell broken': { code: 1, stderr: 'boom' },
  });
  assert.equal((await adb.run(['shell', 'getprop', 'ro.build.version.sdk'])).stdout.toString(), '33\n');
  assert.equal((await adb.run(['shell', 'logcat', '-d', '-v', 'epoch', '-T', '1.000'])).stdout.toString(), '0:7');
  assert.equal((await adb.run(['shell', 'logcat', '-d'])).stdout.toString(), 'first');
  assert.equal((await adb.run(['shell', 'logcat', '-d', '-b', 'all'])).stdout.toString(), 'second');
  assert.equal((await adb.run(['shell', 'logcat', '-d'])).stdout.toString(), 'second');
  assert.deepEqual([...(await adb.run(['exec-out', 'screencap', '-p'])).stdout], [1, 2, 3]);
  assert.deepEqual(await adb.run(['shell', 'broken']), { stdout: Buffer.alloc(0), stderr: 'boom', code: 1 });
  const unknown = await adb.run(['shell', 'reboot']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no recorded output for: shell reboot/);
  assert.equal(adb.calls.length, 8);
  assert.equal(adb.callsTo('shell logcat').length, 4);
  await assert.rejects(adb.run(['shell', 'echo', 'a|b']), TypeError);
});
