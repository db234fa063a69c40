/**
 * `apprights verify`: exit codes, per-scheme output, the JSON schema, and the minSdkVersion rules,
 * with apksigner as the oracle where it is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildApk, corporaDir, hasTool, realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, runCliAsync, runToolAsync, schemaErrors, tempDir, writeTemp, type VerifyJson } from './helpers.js';

const dir = tempDir();
const real = [realApks.apiDemos, realApks.settings, realApks.uiautomator2];
const skipReal = real.every(existsSync) ? false : 'skipped: the real APKs (npm devDependencies) are not installed';

function parse(stdout: string): VerifyJson[] {
  const results = JSON.parse(stdout) as VerifyJson[];
  assert.equal(schemaErrors('verify-report', results), undefined);
  return results;
}

/** apksigner's verdict, or undefined when it is not installed. */
async function apksigner(file: string, minSdk?: number): Promise<boolean | undefined> {
  if (!hasTool('apksigner')) return undefined;
  const args = ['verify', ...(minSdk !== undefined ? ['--min-sdk-version', String(minSdk)] : []), file];
  return (await runToolAsync('apksigner', args)).status === 0;
}

test('the three real APKs verify; text shows every scheme, JSON follows the schema', { skip: skipReal }, async () => {
  const [text, json] = await Promise.all([runCliAsync(['verify', ...real]), runCliAsync(['verify', '--format', 'json', ...real])]);
  assert.equal(text.status, 0, describeRun(text));
  assert.equal(json.status, 0, describeRun(json));
  for (const apk of real) assert.ok(text.stdout.includes(`${apk}: Verifies\n`), `${apk} in:\n${text.stdout}`);
  // ApiDemos: v1 + v2; uiautomator2 server: v2 + v3.
  const block = (apk: string) => text.stdout.slice(text.stdout.indexOf(`${apk}:`)).split(/\n(?=\S)/)[0]!;
  assert.match(block(realApks.apiDemos), /^ {2}v1: verified\n {2}v2: verified\n {2}v3: absent\n {2}v3\.1: absent$/m);
  assert.match(block(realApks.uiautomator2), /^ {2}v2: verified\n {2}v3: verified\n {2}v3\.1: absent$/m);
  // Its JAR signature files exist but, like apksigner, we skip them for minSdkVersion 26: say so.
  assert.match(block(realApks.uiautomator2), /^ {2}warning: v1: not checked\b/m);
  assert.match(block(realApks.apiDemos), /Certificate: C=US,O=Android,CN=Android Debug {2}SHA-256 18e8534fed30cbf9/);

  const results = parse(json.stdout);
  assert.deepEqual(
    results.map((r) => [r.file, r.verified, r.errors]),
    real.map((apk) => [apk, true, []]),
  );
  assert.deepEqual(
    results.map((r) => r.minSdk),
    [17, 26, 26],
    'minSdkVersion from each manifest',
  );
  assert.equal(results[2]!.schemes?.v3.verified, true);
});

// One signed APK per case, built once: key generation and signing dominate the cost otherwise.
const good = writeTemp(dir, 'good.apk', buildApk({ package: 'com.example.good', minSdk: 24, storeDex: true, sign: ['v1', 'v2', 'v3'] }));
const tampered = (() => {
  const bytes = buildApk({ package: 'com.example.tampered', minSdk: 24, storeDex: true, sign: ['v1', 'v2', 'v3'] });
  // classes.dex is stored, so its magic is in the file as is; flip a byte of its string table.
  const at = Buffer.from(bytes).indexOf('dex\n035\0', 0, 'latin1');
  assert.ok(at > 0, 'stored classes.dex found');
  bytes[at + 0x80] ^= 0x01;
  return writeTemp(dir, 'tampered.apk', bytes);
})();

test('a tampered APK does not verify: exit 1 and the reason', async () => {
  const [text, json, oracle] = await Promise.all([
    runCliAsync(['verify', tampered]),
    runCliAsync(['verify', '--format', 'json', tampered]),
    apksigner(tampered),
  ]);
  if (oracle !== undefined) assert.equal(oracle, false, 'apksigner rejects it too');
  assert.equal(text.status, 1, describeRun(text));
  assert.ok(text.stdout.startsWith(`${tampered}: DOES NOT VERIFY\n`), text.stdout);
  assert.match(text.stdout, /^ {2}error: /m);
  assertNoStack(text.stdout + text.stderr);
  assert.equal(json.status, 1);
  const [result] = parse(json.stdout);
  assert.equal(result!.verified, false);
  assert.ok(result!.errors.length > 0);
  assert.ok(result!.schemes && !result!.schemes.v2.verified, 'the v2 digest no longer matches');
});

const corpusBad = corporaDir && join(corporaDir, 'apksig/v2-only-with-rsa-pkcs1-sha256-2048-sig-does-not-verify.apk');
test(
  'apksig corpus: a v2 signature that does not verify',
  { skip: corpusBad && existsSync(corpusBad) ? false : 'skipped: ../shared/corpora/apksig is absent' },
  async () => {
    const r = await runCliAsync(['verify', '--format', 'json', corpusBad!]);
    assert.equal(r.status, 1, describeRun(r));
    const [result] = parse(r.stdout);
    assert.equal(result!.verified, false);
    assert.equal(result!.schemes?.v2.present, true);
    assert.equal(result!.schemes?.v2.verified, false);
  },
);

test('several files, one bad: exit 1, every file reported in argument order', async () => {
  const [text, json] = await Promise.all([
    runCliAsync(['verify', good, tampered, good]),
    runCliAsync(['verify', '--format', 'json', tampered, good]),
  ]);
  assert.equal(text.status, 1, describeRun(text));
  const heads = text.stdout.split('\n').filter((l) => !l.startsWith(' '));
  assert.deepEqual(heads.filter(Boolean), [`${good}: Verifies`, `${tampered}: DOES NOT VERIFY`, `${good}: Verifies`]);
  assert.equal(json.status, 1);
  assert.deepEqual(
    parse(json.stdout).map((r) => [basename(r.file), r.verified]),
    [
      ['tampered.apk', false],
      ['good.apk', true],
    ],
  );
});

test('--min-sdk decides which schemes must verify, as apksigner does', async () => {
  // v2 only, minSdkVersion 21: Android 5-6 need v1, so it fails unless told the minimum is 24.
  const v2only = writeTemp(dir, 'v2-only.apk', buildApk({ package: 'com.example.v2only', minSdk: 21, sign: ['v2'] }));
  // v1 only: its SHA-256 with RSA JAR signature is unsupported before API 18, fine from 18 on.
  const v1only = writeTemp(dir, 'v1-only.apk', buildApk({ package: 'com.example.v1only', minSdk: 21, sign: ['v1'] }));
  // [file, --min-sdk, verifies, ask apksigner too]: each apksigner run starts a JVM, so the
  // oracle checks the cases where the answer flips and the boundaries are left to us.
  const cases: [string, number | undefined, boolean, boolean][] = [
    [v2only, undefined, false, true],
    [v2only, 23, false, false],
    [v2only, 24, true, true],
    [v1only, undefined, true, false],
    [v1only, 1, false, true],
    [v1only, 18, true, false],
    [v1only, 24, true, true],
  ];
  const runs = await Promise.all(
    cases.map(([file, minSdk, , oracle]) =>
      Promise.all([
        runCliAsync(['verify', '--format', 'json', ...(minSdk !== undefined ? ['--min-sdk', String(minSdk)] : []), file]),
        oracle ? apksigner(file, minSdk) : undefined,
      ]),
    ),
  );
  runs.forEach(([r, oracle], i) => {
    const [file, minSdk, expected] = cases[i]!;
    const what = `${basename(file)} --min-sdk ${minSdk ?? '(manifest)'}`;
    if (oracle !== undefined) assert.equal(oracle, expected, `${what}: apksigner`);
    assert.equal(r.status, expected ? 0 : 1, `${what}: ${describeRun(r)}`);
    const [result] = parse(r.stdout);
    assert.equal(result!.verified, expected, what);
    assert.equal(result!.minSdk, minSdk ?? 21, what);
    if (!expected) assert.ok(result!.errors.length > 0, `${what}: says why`);
  });
});

test('a file that is not an APK: reported as not verified, exit 1, no stack trace', async () => {
  const text = writeTemp(dir, 'not-an-apk.txt', 'hello\n');
  const r = await runCliAsync(['verify', text, good]);
  assert.equal(r.status, 1, describeRun(r));
  assert.ok(r.stdout.startsWith(`${text}: DOES NOT VERIFY\n  error: not a ZIP archive`), r.stdout);
  assert.ok(r.stdout.includes(`${good}: Verifies`));
  assertNoStack(r.stdout + r.stderr);
});

test('verify --format json for a file that is not an APK follows the schema', async () => {
  const text = writeTemp(dir, 'not-an-apk-json.txt', 'hello\n');
  const r = await runCliAsync(['verify', '--format', 'json', text]);
  assert.equal(r.status, 1);
  parse(r.stdout);
});
