/**
 * The SDK catalogue commands and the scan report's SDK / sensitive-API sections, through the built
 * CLI bundle (which must find the knowledge package's data files at run time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { reachabilityFixture, realApks } from '@apprights/testkit';
// eslint-disable-next-line apprights/no-cross-package-imports -- a test helper of another package's tests, not yet in @apprights/testkit
import { oneClickLoginAar } from '../../knowledge/test/support/sdk-binaries.js';
import { assertNoStack, describeRun, repoRoot, runCli, runCliAsync, schemaErrors, tempDir, writeTemp } from './helpers.js';

const jpushJar = join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar');

interface SdkListEntry {
  id: string;
  category: string;
  region: string;
  tracker: boolean;
  packages: string[];
}

interface ScanKnowledgeJson {
  schemaVersion: string;
  sdks: { id: string; tracker: boolean; confidence: string; evidence: { classes: number } }[];
  sensitiveApis: { api: string; callerCount: number; callers: { class: string; sdk: string | null; own: boolean }[] }[];
  permissionUse: { declaredUnused: string[]; usedUndeclared: string[] };
}

function json<T>(args: string[]): T {
  const r = runCli(args);
  assert.equal(r.status, 0, describeRun(r));
  return JSON.parse(r.stdout) as T;
}

test('sdk list prints the catalogue, and filters by category and region', () => {
  const all = json<SdkListEntry[]>(['sdk', 'list', '--format', 'json']);
  assert.ok(all.length > 0, 'the catalogue has entries');
  const text = runCli(['sdk', 'list']);
  assert.equal(text.status, 0, describeRun(text));
  assert.match(text.stdout, /^id\s+category\s+region\s+tracker\s+name$/m);
  assert.match(text.stdout, new RegExp(`^\\(${all.length}\\)$`, 'm'));
  const cn = json<SdkListEntry[]>(['sdk', 'list', '--region', 'cn', '--format', 'json']);
  assert.ok(cn.length > 0 && cn.every((e) => e.region === 'cn'));
  const push = json<SdkListEntry[]>(['sdk', 'list', '--category', 'push', '--format', 'json']);
  assert.ok(push.every((e) => e.category === 'push'));
  assert.equal(runCli(['sdk', 'list', '--region', 'mars']).status, 2);
});

test('sdk show describes one entry; an unknown id is a usage error with a message', () => {
  const [first] = json<SdkListEntry[]>(['sdk', 'list', '--format', 'json']);
  const shown = json<SdkListEntry>(['sdk', 'show', first!.id, '--format', 'json']);
  assert.equal(shown.id, first!.id);
  const text = runCli(['sdk', 'show', first!.id]);
  assert.equal(text.status, 0, describeRun(text));
  assert.match(text.stdout, new RegExp(`^\\s+id\\s+${first!.id}$`, 'm'));
  assert.match(text.stdout, /^\s+sources\./m);

  const missing = runCli(['sdk', 'show', 'nosuch']);
  assert.equal(missing.status, 2, describeRun(missing));
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /no SDK with this id in the catalogue: nosuch/);
  assertNoStack(missing.stderr);
  const zh = runCli(['sdk', 'show', 'nosuch', '--lang', 'zh']);
  assert.match(zh.stderr, /目录中没有该 id 的 SDK/);
});

test('sdk validate checks the shipped catalogue', () => {
  const r = runCli(['sdk', 'validate']);
  assert.equal(r.status, 0, describeRun(r));
  assert.match(r.stdout, /^\d+ entries, no problems$/m);
  const asJson = json<{ files: number; problems: unknown[] }>(['sdk', 'validate', '--format', 'json']);
  assert.deepEqual(asJson.problems, []);
});

test('sdk validate: review warnings for unseen entries and old sources exit 0, 1 with --strict; a bad date is a usage error', () => {
  const r = json<{
    files: number;
    errors: number;
    warnings: number;
    problems: { file: string; severity?: string; check?: string }[];
    corpus: { files: number };
  }>(['sdk', 'validate', '--corpus', jpushJar, '--sources-before', '2026-01-01', '--format', 'json']);
  assert.equal(r.errors, 0);
  assert.equal(r.corpus.files, 1);
  const unseen = r.problems.filter((p) => p.check === 'never-seen').map((p) => p.file);
  assert.ok(!unseen.includes('jpush.json') && unseen.includes('admob.json'), 'jpush is seen in its jar, admob is not');
  // Entries re-checked in this review carry a "checked" date after 2026-01-01; the others have none yet.
  const dated = r.problems.filter((p) => p.check === 'sources-date').map((p) => p.file);
  assert.ok(
    dated.includes('admob.json') && !dated.includes('chuanglan-shanyan.json'),
    'admob has no checked date, chuanglan-shanyan was checked',
  );
  assert.ok(dated.length > 0 && dated.length < r.files);
  assert.ok(r.problems.every((p) => p.severity === 'warning'));
  const strict = runCli(['sdk', 'validate', '--corpus', jpushJar, '--strict']);
  assert.equal(strict.status, 1, describeRun(strict));
  assert.match(strict.stdout, /^warning: admob\.json: never detected in any corpus binary/m);
  const bad = runCli(['sdk', 'validate', '--sources-before', 'yesterday']);
  assert.equal(bad.status, 2, describeRun(bad));
  assert.match(bad.stderr, /expected a date YYYY-MM-DD/);
  assertNoStack(bad.stderr);
});

test('scan of a one-click login AAR lists every carrier SDK inside it with its version and where it came from', () => {
  const aar = writeTemp(tempDir(), 'oneclick-login-2.13.4.aar', oneClickLoginAar());
  const r = runCli(['scan', aar, '--format', 'json']);
  assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(r.stdout) as {
    sdks: { id: string; version: string | null; versionSource: { kind: string; where: string } | null; bundledBy: string[] }[];
  };
  assert.equal(schemaErrors('scan-report', report), undefined);
  const byId = new Map(report.sdks.map((s) => [s.id, s]));
  assert.deepEqual(
    ['aliyun-number-auth', 'cmic-sso', 'chinaunicom-account', 'chinatelecom-account'].map((id) => [id, byId.get(id)?.version]),
    [
      ['aliyun-number-auth', '2.13.4'],
      ['cmic-sso', '5.9.6'],
      ['chinaunicom-account', '5.2.0'],
      ['chinatelecom-account', '3.8.4'],
    ],
  );
  for (const id of ['cmic-sso', 'chinaunicom-account', 'chinatelecom-account'])
    assert.deepEqual(byId.get(id)?.bundledBy, ['aliyun-number-auth']);
  const text = runCli(['scan', aar, '--verbose']);
  assert.equal(text.status, 0, describeRun(text));
  assert.match(text.stdout, /cmic-sso .*5\.9\.6 \(file-name: libs\/quick_login_android_5\.9\.6\.jar\).*bundled by aliyun-number-auth/);
});

test('scan --format json reports SDKs, sensitive APIs and permission use, valid against the schema', async () => {
  const [jar, apk] = await Promise.all([
    runCliAsync(['scan', jpushJar, '--format', 'json']),
    runCliAsync(['scan', realApks.settings, '--format', 'json']),
  ]);
  for (const r of [jar, apk]) {
    assert.equal(r.status, 0, describeRun(r));
    const report = JSON.parse(r.stdout) as ScanKnowledgeJson;
    assert.equal(schemaErrors('scan-report', report), undefined);
    assert.equal(report.schemaVersion, '1.7.0');
    assert.ok(Array.isArray(report.sdks) && Array.isArray(report.sensitiveApis));
  }
  const jarReport = JSON.parse(jar.stdout) as ScanKnowledgeJson;
  const jpush = jarReport.sdks.find((s) => s.id === 'jpush');
  assert.ok(jpush, `jpush among ${jarReport.sdks.map((s) => s.id).join(', ')}`);
  assert.equal(jpush.confidence, 'high');
  assert.ok(jarReport.sensitiveApis.some((a) => a.callers.some((c) => c.sdk === 'jpush')));
  assert.deepEqual(jarReport.permissionUse, { declaredUnused: [], usedUndeclared: [] });

  const apkReport = JSON.parse(apk.stdout) as ScanKnowledgeJson;
  assert.deepEqual(
    apkReport.sdks.filter((s) => s.tracker).map((s) => s.id),
    [],
  );
  // The settings app reads the location itself (io.appium.settings.LocationTracker).
  const callers = apkReport.sensitiveApis.flatMap((a) => a.callers);
  assert.ok(
    callers.some((c) => c.own && c.class.startsWith('io.appium.settings.')),
    'own callers',
  );
  for (const a of apkReport.sensitiveApis) assert.ok(a.callers.length <= 50 && a.callerCount >= a.callers.length);
});

test('the text and Markdown reports have SDK and sensitive API sections, in English and Chinese', async () => {
  const [en, zh, md] = await Promise.all([
    runCliAsync(['scan', jpushJar, '--verbose']),
    runCliAsync(['scan', jpushJar, '--verbose', '--lang', 'zh']),
    runCliAsync(['scan', jpushJar, '--format', 'md']),
  ]);
  for (const r of [en, zh, md]) assert.equal(r.status, 0, describeRun(r));
  assert.match(en.stdout, /^SDKs \(\d+\)$/m);
  assert.match(en.stdout, /^\s+jpush\s+JPush\s+push \(cn\)\s+yes\s+high/m);
  assert.match(en.stdout, /^Sensitive APIs \(\d+\)$/m);
  assert.match(zh.stdout, /^第三方 SDK \(\d+\)$/m);
  assert.match(zh.stdout, /^敏感 API \(\d+\)$/m);
  assert.match(md.stdout, /^## SDKs \(\d+\)$/m);
  assert.match(md.stdout, /^\| jpush \| JPush \|/m);
});

test('sdk list --category offers exactly the catalogue categories (main.ts keeps its own copy to load no catalogue code at start)', async () => {
  const { SDK_CATEGORY_CHOICES } = await import('../src/main.js');
  const { SDK_CATEGORIES } = await import('@apprights/knowledge');
  assert.deepEqual([...SDK_CATEGORY_CHOICES], [...SDK_CATEGORIES]);
});

test('scan --reachability: sensitive API calls say reachable or present, with the entry point; undeclared permissions too', () => {
  const apk = writeTemp(tempDir(), 'reach.apk', reachabilityFixture());
  const r = runCli(['scan', apk, '--reachability', '--format', 'json']);
  assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(r.stdout) as {
    sensitiveApis: { api: string; reach?: string; callers: { class: string; reach?: string; entry?: string }[] }[];
    permissionUse: { usedUndeclared: string[]; reach?: Record<string, string> };
  };
  assert.equal(schemaErrors('scan-report', report), undefined);
  const byApi = new Map(report.sensitiveApis.map((u) => [u.api, u]));
  assert.equal(byApi.get('telephony.getDeviceId')?.reach, 'reachable');
  assert.equal(byApi.get('telephony.getDeviceId')?.callers[0]?.entry, 'com.example.app.MainActivity.onCreate(Landroid/os/Bundle;)V');
  assert.equal(byApi.get('telephony.getImei')?.reach, 'present');
  assert.equal(report.permissionUse.reach?.['android.permission.READ_PHONE_STATE'], 'reachable');
  const plain = JSON.parse(runCli(['scan', apk, '--format', 'json']).stdout) as typeof report;
  assert.ok(plain.sensitiveApis.every((u) => u.reach === undefined));
});
