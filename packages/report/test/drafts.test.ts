/**
 * The drafts of `apprights policy draft` and `apprights listing draft` for the real APKs and SDK
 * binaries in devDependencies, in both languages, against the checked-in expected outputs
 * (test/expected/drafts: byte for byte; APPRIGHTS_UPDATE_EXPECTED=1 rewrites them after a
 * deliberate change, to be reviewed in the diff). And a policy written from a draft, its purposes
 * filled in, passes the policy-versus-app rules for that app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { draftListing, draftPolicy, readPolicy, scanPackage, schemasDir, type PolicyDraft } from '@apprights/engine';
import { renderListingDraft, renderPolicyDraft, type Lang } from '@apprights/report';
import { realApks, realSdkBinaries, repoRoot } from '@apprights/testkit';

const expectedDir = join(repoRoot, 'packages/report/test/expected/drafts');
const update = process.env.APPRIGHTS_UPDATE_EXPECTED === '1';
/** A fixed tool version: the drafts say which AppRights wrote them. */
const TOOL = '0.0.0-test';

const LANGS: [Lang, string][] = [
  ['zh', 'zh-CN'],
  ['en', 'en'],
];

function expectBytes(name: string, actual: string): void {
  const file = join(expectedDir, name);
  if (update) {
    mkdirSync(expectedDir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `${name} is missing: run with APPRIGHTS_UPDATE_EXPECTED=1 and review it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the checked-in draft`);
}

/** APKs with their app type (a type makes the "needs a separate consent" column say yes or no). */
const apps: { name: string; file: string; appType?: string }[] = [
  { name: 'api-demos', file: realApks.apiDemos },
  { name: 'appium-settings', file: realApks.settings, appType: 'utilities' },
  { name: 'uiautomator2-server', file: realApks.uiautomator2 },
];
const sdks: { name: string; file: string; appType?: string }[] = [
  { name: 'jpush-4.8.1', file: realSdkBinaries.jpush },
  { name: 'wechat-sdk', file: realSdkBinaries.wechat },
  { name: 'baidu-location', file: realSdkBinaries.baiduLocation },
];

for (const { name, file, appType } of [...apps, ...sdks]) {
  test(`policy draft of ${name}: the checked-in Markdown, zh-CN and en`, async () => {
    const draft = await draftPolicy(file, { toolVersion: TOOL, ...(appType ? { appType } : {}) });
    for (const [lang, tag] of LANGS) expectBytes(`${name}.policy.${tag}.md`, renderPolicyDraft(draft, 'md', lang));
  });
}

for (const { name, file } of apps) {
  test(`listing draft of ${name}: the checked-in Markdown, zh-CN and en`, async () => {
    const draft = await draftListing(file, { toolVersion: TOOL });
    for (const [lang, tag] of LANGS) expectBytes(`${name}.listing.${tag}.md`, renderListingDraft(draft, 'md', lang));
  });
}

test('policy gap report of Appium Settings against a policy: the checked-in Markdown, zh-CN and en', async () => {
  const policy = join(repoRoot, 'packages/policy/test/fixtures/zh/full.md');
  const draft = await draftPolicy(realApks.settings, { toolVersion: TOOL, policy });
  // The policy's path as given: relative to the repository, so the bytes do not depend on the checkout.
  draft.gaps!.policy.source = 'packages/policy/test/fixtures/zh/full.md';
  for (const row of draft.gaps!.rows) if (row.policy.source) row.policy.source = draft.gaps!.policy.source;
  for (const [lang, tag] of LANGS) expectBytes(`appium-settings.gaps.${tag}.md`, renderPolicyDraft(draft, 'md', lang));
});

test('drafts: JSON matches the published schemas, and the same input gives the same bytes in every format', async () => {
  const load = (name: string) => JSON.parse(readFileSync(join(schemasDir, `${name}.schema.json`), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const name of ['policy-report', 'scan-facts', 'scan-report', 'policy-draft']) ajv.addSchema(load(name));
  const validatePolicy = ajv.getSchema(`https://github.com/apprights/apprights/packages/engine/schemas/policy-draft.schema.json`)!;
  const validateListing = ajv.compile(load('listing-draft'));
  const policy = join(repoRoot, 'packages/policy/test/fixtures/zh/full.md');
  for (const file of [realApks.settings, realSdkBinaries.jpush]) {
    const first = await draftPolicy(file, { toolVersion: TOOL, appType: 'utilities', policy });
    const again = await draftPolicy(file, { toolVersion: TOOL, appType: 'utilities', policy });
    const json = renderPolicyDraft(first, 'json', 'en');
    assert.ok(validatePolicy(JSON.parse(json)), JSON.stringify(validatePolicy.errors?.slice(0, 3)));
    for (const format of ['json', 'md', 'html'] as const)
      for (const [lang] of LANGS) assert.equal(renderPolicyDraft(again, format, lang), renderPolicyDraft(first, format, lang));
    const listing = await draftListing(file, { toolVersion: TOOL, privacyPolicyUrl: 'https://example.com/privacy.html' });
    assert.ok(validateListing(JSON.parse(renderListingDraft(listing, 'json', 'en'))), JSON.stringify(validateListing.errors?.slice(0, 3)));
  }
});

test('drafts: HTML escapes what the package says and holds both languages', async () => {
  const draft = await draftPolicy(realApks.apiDemos, { toolVersion: TOOL });
  const hostile: PolicyDraft = { ...draft, app: { ...draft.app, label: '<img src=x onerror=alert(1)>' } };
  const html = renderPolicyDraft(hostile, 'html', 'zh');
  assert.ok(!html.includes('<img src=x'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.match(html, /<html lang="zh-CN"/);
  assert.ok(html.includes('个人信息收集清单') && html.includes('List of personal information collected'));
});

/** The draft's Markdown with each slot filled by a purpose, as a developer would: a policy written from the draft. */
function filled(markdown: string, lang: Lang): string {
  let n = 0;
  return markdown.replace(/\\\[to fill\\\]|【待填写】/g, () => (lang === 'zh' ? `用于第 ${++n} 项演示功能` : `to run demo feature ${++n}`));
}

for (const { name, file } of apps) {
  test(`a policy written from the draft of ${name} (purposes filled in) passes the policy-versus-app rules`, async () => {
    const draft = await draftPolicy(file, { toolVersion: TOOL });
    for (const [lang] of LANGS) {
      const policy = await readPolicy({ text: filled(renderPolicyDraft(draft, 'md', lang), lang), name: `policy.${lang}.md` });
      const report = await scanPackage(file, { policy, facts: false });
      const comparison = ['policy-sdk-undisclosed', 'policy-sdk-not-found', 'policy-permission-unexplained', 'policy-api-pi-unmentioned'];
      for (const rule of comparison) assert.equal(report.rules.find((r) => r.id === rule)?.status, 'ran', `${rule} ran`);
      const left = report.findings.filter((f) => comparison.includes(f.ruleId) || f.ruleId === 'policy-collected-pi-list');
      assert.deepEqual(
        left.map((f) => `${f.ruleId}: ${f.message.en}`),
        [],
        `${lang}: the filled draft leaves findings`,
      );
      const gaps = await draftPolicy(file, { toolVersion: TOOL, policy });
      assert.deepEqual(gaps.gaps!.rows, [], `${lang}: the gap report against the filled draft is empty`);
    }
  });
}
