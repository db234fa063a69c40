/**
 * The SDK catalogue commands and the scan report's SDK / sensitive-API sections, through the built
 * CLI bundle (which must find the knowledge package's data files at run time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, repoRoot, runCli, runCliAsync, schemaErrors } from './helpers.js';

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

test('scan --format json reports SDKs, sensitive APIs and permission use, valid against the schema', async () => {
  const [jar, apk] = await Promise.all([
    runCliAsync(['scan', jpushJar, '--format', 'json']),
    runCliAsync(['scan', realApks.settings, '--format', 'json']),
  ]);
  for (const r of [jar, apk]) {
    assert.equal(r.status, 0, describeRun(r));
    const report = JSON.parse(r.stdout) as ScanKnowledgeJson;
    assert.equal(schemaErrors('scan-report', report), undefined);
    assert.equal(report.schemaVersion, '1.5.0');
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
    runCliAsync(['scan', jpushJar]),
    runCliAsync(['scan', jpushJar, '--lang', 'zh']),
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
