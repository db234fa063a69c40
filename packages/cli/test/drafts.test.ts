/**
 * `apprights policy draft` and `apprights listing draft` as users run them: bilingual help, the
 * draft written where -o says, a stored scan report read in place of the package, JSON following
 * the published schemas, and failures with their exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realApks, realSdkBinaries } from '@apprights/testkit';
import { assertNoStack, describeRun, repoRoot, runCli, runCliAsync, schemaErrors, tempDir } from './helpers.js';

test('policy draft and listing draft: help in both languages, with exit codes and an example', () => {
  for (const args of [
    ['policy', 'draft', '--help'],
    ['listing', 'draft', '--help'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.stdout, /Exit codes \/ 退出码/);
    assert.match(r.stdout, /Example \/ 示例: apprights (policy|listing) draft/);
    assert.match(r.stdout, /--lang <lang>.*\/ 草稿语言/);
  }
  assert.match(runCli(['policy', '--help']).stdout, /draft \[options\] <input>/);
});

test('policy draft: writes the Markdown draft, the same from the APK and from its stored scan report', async () => {
  const dir = tempDir();
  const fromApk = join(dir, 'draft.md');
  const report = join(dir, 'report.json');
  const fromReport = join(dir, 'from-report.md');
  const [a, s] = await Promise.all([
    runCliAsync(['policy', 'draft', realApks.apiDemos, '--lang', 'zh-CN', '-o', fromApk, '--no-progress']),
    runCliAsync(['scan', realApks.apiDemos, '--format', 'json', '-o', report, '--no-progress']),
  ]);
  assert.equal(a.status, 0, describeRun(a));
  assert.match(a.stderr, /draft\.md/);
  assert.equal(s.status, 0, describeRun(s));
  const b = runCli(['policy', 'draft', report, '--lang', 'zh-CN', '-o', fromReport, '--no-progress']);
  assert.equal(b.status, 0, describeRun(b));
  const text = readFileSync(fromApk, 'utf8');
  assert.match(text, /^# 隐私政策草稿：API Demos/);
  assert.match(text, /## 三、权限申请与使用情况说明/);
  assert.equal(readFileSync(fromReport, 'utf8'), text);
});

test('policy draft: --policy gives the gap report; --format json follows policy-draft.schema.json', () => {
  const policy = join(repoRoot, 'packages/policy/test/fixtures/zh/full.md');
  const r = runCli([
    'policy',
    'draft',
    realApks.settings,
    '--policy',
    policy,
    '--app-type',
    'utilities',
    '--format',
    'json',
    '--no-progress',
  ]);
  assert.equal(r.status, 0, describeRun(r));
  const draft = JSON.parse(r.stdout) as { appType: { id: string }; gaps: { rows: { rule: string | null }[] } };
  assert.equal(schemaErrors('policy-draft', draft), undefined);
  assert.equal(draft.appType.id, 'utilities');
  assert.ok(draft.gaps.rows.some((row) => row.rule === 'policy-sdk-undisclosed'));
  const md = runCli(['policy', 'draft', realApks.settings, '--policy', policy, '--lang', 'en', '--no-progress']);
  assert.match(md.stdout, /^# Privacy policy gap report/);
});

test('listing draft: the six elements as JSON, the privacy policy as given', () => {
  const r = runCli([
    'listing',
    'draft',
    realSdkBinaries.jpush,
    '--privacy-policy',
    'https://example.com/privacy.html',
    '--format',
    'json',
    '--no-progress',
  ]);
  assert.equal(r.status, 0, describeRun(r));
  const draft = JSON.parse(r.stdout) as { elements: { element: string; value: unknown; filledBy: string }[] };
  assert.equal(schemaErrors('listing-draft', draft), undefined);
  assert.deepEqual(
    draft.elements.map((e) => `${e.element}:${e.filledBy}`),
    ['app-name:person', 'version:person', 'developer:person', 'privacy-policy:given', 'permissions:app', 'description:person'],
  );
  assert.equal(draft.elements[3]!.value, 'https://example.com/privacy.html');
});

test('drafts: an unknown app type is a usage error (2), a missing file unreadable input (3), named, no stack', () => {
  const badType = runCli(['policy', 'draft', realApks.apiDemos, '--app-type', 'no-such-type', '--no-progress']);
  assert.equal(badType.status, 2, describeRun(badType));
  assert.match(badType.stderr, /no-such-type/);
  const missing = runCli(['listing', 'draft', 'no-such.apk', '--lang', 'zh-CN', '--no-progress']);
  assert.equal(missing.status, 3, describeRun(missing));
  assert.match(missing.stderr, /no-such\.apk/);
  assertNoStack(missing.stderr);
  const badLang = runCli(['policy', 'draft', realApks.apiDemos, '--lang', 'fr']);
  assert.equal(badLang.status, 2, describeRun(badLang));
});
