/**
 * `scan --manifest-source` and `--fix-manifest` on the real ApiDemos APK with a source manifest
 * written for the tests: SARIF fixes valid against the SARIF 2.1.0 schema, the JSON report valid
 * against its schema, the fixed copy written beside the source (never over a file) with its diff
 * printed, and another app's manifest refused with a stable exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, repoRoot, runCliAsync, sarifValidator, schemaErrors, tempDir } from './helpers.js';

const fixture = join(repoRoot, 'packages/engine/test/fixtures/manifest-source/api-demos.AndroidManifest.xml');

interface Replacement {
  deletedRegion: { charOffset: number; charLength: number; startLine: number; startColumn: number; byteOffset: number; byteLength: number };
  insertedContent?: { text: string };
}

interface FixResult {
  ruleId: string;
  fixes?: { description: { text: string }; artifactChanges: { artifactLocation: { uri: string }; replacements: Replacement[] }[] }[];
  properties: { fix?: { patch?: { status: string } } };
}

test('fix-manifest: SARIF carries each located fix as an artifact change on the source manifest, and validates', async () => {
  const r = await runCliAsync(['scan', realApks.apiDemos, '--manifest-source', fixture, '--format', 'sarif', '--no-progress']);
  assert.equal(r.status, 0, describeRun(r));
  const log = JSON.parse(r.stdout) as {
    runs: { results: FixResult[]; artifacts: { location: { uri: string }; hashes?: Record<string, string> }[] }[];
  };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  const [run] = log.runs;
  const uri = pathToFileURL(fixture).href;
  assert.ok(run!.artifacts.some((a) => a.location.uri === uri && a.hashes?.['sha-256']));
  const withFixes = run!.results.filter((x) => x.fixes);
  assert.equal(withFixes.length, 6);
  const text = readFileSync(fixture, 'utf8');
  const storage = withFixes.find((x) => x.ruleId === 'legacy-storage-permission');
  const [insertion] = storage!.fixes![0]!.artifactChanges[0]!.replacements;
  assert.equal(insertion!.deletedRegion.charLength, 0);
  assert.equal(insertion!.insertedContent?.text, ' android:maxSdkVersion="29"');
  assert.equal(
    text.slice(insertion!.deletedRegion.charOffset - 44, insertion!.deletedRegion.charOffset),
    'android:name="android.permission.WRITE_EXTERNAL_STORAGE"'.slice(-44),
  );
  for (const result of withFixes.filter((x) => x !== storage)) {
    assert.equal(result.ruleId, 'exported-components');
    assert.equal(result.properties.fix?.patch?.status, 'applied');
    const [change] = result.fixes![0]!.artifactChanges;
    assert.equal(change!.artifactLocation.uri, uri);
    for (const { deletedRegion: region, insertedContent } of change!.replacements) {
      assert.equal(text.slice(region.charOffset, region.charOffset + region.charLength), 'true');
      assert.equal(insertedContent?.text, 'false');
      assert.equal(text.split('\n')[region.startLine - 1]!.slice(region.startColumn - 1, region.startColumn + 3), 'true');
    }
    assert.match(
      result.fixes![0]!.description.text,
      /^Set android:exported="false" on <(activity|receiver) android:name="[^"]+">\..*\n将 /s,
    );
  }
  // A fix with nowhere to go in the source stays in the properties only (SARIF needs an artifact change).
  const unchanged = run!.results.find((x) => x.ruleId === 'debuggable');
  assert.equal(unchanged?.fixes, undefined);
  assert.equal(unchanged?.properties.fix?.patch?.status, 'unchanged');
});

test('fix-manifest: the JSON report validates with fix and manifestSource, and without a source manifest fixes carry no patch', async () => {
  const [withSource, without] = await Promise.all([
    runCliAsync(['scan', realApks.apiDemos, '--manifest-source', fixture, '--format', 'json', '--no-progress']),
    runCliAsync(['scan', realApks.apiDemos, '--format', 'json', '--no-progress']),
  ]);
  for (const r of [withSource, without]) assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(withSource.stdout) as {
    schemaVersion: string;
    manifestSource: { match: string; applied: number };
    findings: { ruleId: string; fix?: { description: { zh: string; en: string }; patch?: { status: string; diff: string } } }[];
  };
  assert.equal(schemaErrors('scan-report', report), undefined);
  assert.equal(report.schemaVersion, '1.7.0');
  assert.deepEqual([report.manifestSource.match, report.manifestSource.applied], ['package', 6]);
  const debuggable = report.findings.find((f) => f.ruleId === 'debuggable')!;
  assert.match(debuggable.fix!.description.en, /^Remove android:debuggable from <application>\. /);
  assert.match(debuggable.fix!.description.zh, /^从 <application> 中删除 android:debuggable。/);
  const plain = JSON.parse(without.stdout) as typeof report;
  assert.equal(schemaErrors('scan-report', plain), undefined);
  assert.equal(plain.manifestSource, undefined);
  assert.ok(plain.findings.some((f) => f.fix) && plain.findings.every((f) => !f.fix?.patch));
});

test('fix-manifest: writes FILE.fixed and prints the diff; never over an existing file; the APK is untouched', async () => {
  const dir = tempDir();
  const manifest = join(dir, 'AndroidManifest.xml');
  copyFileSync(fixture, manifest);
  const apkBefore = readFileSync(realApks.apiDemos);
  const r = await runCliAsync([
    'scan',
    realApks.apiDemos,
    '--fix-manifest',
    manifest,
    '--format',
    'json',
    '-o',
    join(dir, 'r.json'),
    '--no-progress',
  ]);
  assert.equal(r.status, 0, describeRun(r));
  const fixed = readFileSync(`${manifest}.fixed`, 'utf8');
  assert.equal(readFileSync(manifest, 'utf8'), readFileSync(fixture, 'utf8'), 'the source is left as it was');
  assert.ok(readFileSync(realApks.apiDemos).equals(apkBefore));
  // With -o the report is in the file, so the diff is on stdout.
  assert.match(r.stdout, /^--- a\/.*AndroidManifest\.xml\n\+\+\+ b\/.*AndroidManifest\.xml\.fixed\n@@ /);
  assert.equal((r.stdout.match(/^\+ .*android:exported=["']false["']/gm) ?? []).length, 5, r.stdout);
  assert.match(r.stderr, /fixed manifest written to .*AndroidManifest\.xml\.fixed \(.*6 fixes; 6 could not be located/);
  assert.equal(fixed.length, readFileSync(fixture, 'utf8').length + 5 + ' android:maxSdkVersion="29"'.length);
  // Again: the .fixed file exists now, so nothing is written and the exit code says so (4) before scanning.
  const again = await runCliAsync(['scan', realApks.apiDemos, '--fix-manifest', manifest, '--no-progress']);
  assert.equal(again.status, 4, describeRun(again));
  assert.match(again.stderr, /exists \(the fixed manifest never overwrites a file/);
  assert.equal(again.stdout, '');
  // --fix-manifest-out elsewhere, the diff on stderr when the report is on stdout.
  const out = join(dir, 'fixed.xml');
  const third = await runCliAsync([
    'scan',
    realApks.apiDemos,
    '--fix-manifest',
    manifest,
    '--fix-manifest-out',
    out,
    '--format',
    'json',
    '--no-progress',
    '--lang',
    'zh',
  ]);
  assert.equal(third.status, 0, describeRun(third));
  assert.doesNotThrow(() => JSON.parse(third.stdout));
  assert.match(third.stderr, /^--- a\//m);
  assert.match(third.stderr, /修复后的清单已写入 .*fixed\.xml/);
  assert.equal(readFileSync(out, 'utf8'), fixed);
});

test("fix-manifest: another app's manifest is refused (exit 3) in both languages, and nothing is written", async () => {
  const dir = tempDir();
  const manifest = join(dir, 'AndroidManifest.xml');
  copyFileSync(fixture, manifest);
  for (const lang of ['en', 'zh'] as const) {
    const r = await runCliAsync(['scan', realApks.settings, '--fix-manifest', manifest, '--lang', lang, '--no-progress']);
    assert.equal(r.status, 3, describeRun(r));
    assertNoStack(r.stderr);
    assert.match(
      r.stderr,
      lang === 'en'
        ? /is not the manifest of io\.appium\.settings: its package attribute is "io\.appium\.android\.apis"/
        : /不是 io\.appium\.settings 的清单/,
    );
    assert.equal(existsSync(`${manifest}.fixed`), false);
  }
});

test('fix-manifest: flag mistakes and a broken manifest are named (exit 2 and 3)', async () => {
  const dir = tempDir();
  const broken = join(dir, 'broken.xml');
  writeFileSync(
    broken,
    '<manifest xmlns:android="http://schemas.android.com/apk/res/android">\n  <application android:allowBackup="true">\n</manifest>\n',
  );
  const cases: [string[], number, RegExp][] = [
    [['--namespace', 'com.x'], 2, /--namespace needs --manifest-source or --fix-manifest/],
    [['--fix-manifest-out', join(dir, 'o.xml')], 2, /--fix-manifest-out needs --fix-manifest/],
    [['--manifest-source', fixture, '--fix-manifest', broken], 2, /must name the same file/],
    [['--manifest-source', fixture, '--namespace', 'not a package'], 2, /Java package name/],
    [['--manifest-source', broken], 3, /broken\.xml cannot be edited as XML: line 3, column 1: <\/manifest> closes <application>/],
    [['--manifest-source', join(dir, 'missing.xml')], 3, /cannot read the source manifest .*missing\.xml: ENOENT/],
  ];
  for (const [flags, status, message] of cases) {
    const r = await runCliAsync(['scan', realApks.apiDemos, ...flags, '--no-progress']);
    assert.equal(r.status, status, `${flags.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, message);
    assertNoStack(r.stderr);
  }
});
