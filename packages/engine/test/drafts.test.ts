/**
 * The drafts' facts. The gap report of `apprights policy draft --policy` and the policy-versus-app
 * rules of a scan read one comparison (comparePolicy): on real packages and policies they must name
 * exactly the same SDKs, permissions and personal-information categories; the draft's SDK list is
 * the sdk-disclosure-list rule's; the listing's developer comes from the certificate. (The rendered
 * drafts are checked byte for byte in packages/report/test/drafts.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftListing, draftPolicy, readPolicy, scanPackage, type Finding } from '@apprights/engine';
import { buildApk, generateTestKey, realApks, realSdkBinaries, repoRoot } from '@apprights/testkit';

const policies = {
  zhFull: join(repoRoot, 'packages/policy/test/fixtures/zh/full.md'),
  zhMinimal: join(repoRoot, 'packages/policy/test/fixtures/zh/minimal.txt'),
  enVideo: join(repoRoot, 'packages/policy/test/fixtures/en/pipl-video.html'),
  enFitness: join(repoRoot, 'packages/policy/test/fixtures/en/gdpr-fitness.md'),
};

/** The rules that judge the comparison, and the field of their finding's data that names the row. */
const RULE_KEYS: Record<string, string> = {
  'policy-sdk-undisclosed': 'sdk',
  'policy-sdk-not-found': 'sdk',
  'policy-permission-unexplained': 'permission',
  'policy-api-pi-unmentioned': 'pi',
};

function findingKeys(findings: Finding[]): string[] {
  return findings
    .filter((f) => f.ruleId in RULE_KEYS)
    .map((f) => `${f.ruleId} ${String(f.data?.[RULE_KEYS[f.ruleId]!])}`)
    .sort();
}

const pairs: [string, string, string][] = [
  ['settings', realApks.settings, policies.zhFull],
  ['settings', realApks.settings, policies.enFitness],
  ['ApiDemos', realApks.apiDemos, policies.zhFull],
  ['ApiDemos', realApks.apiDemos, policies.enVideo],
  ['uiautomator2', realApks.uiautomator2, policies.zhMinimal],
  ['uiautomator2', realApks.uiautomator2, policies.enVideo],
  ['the JPush JAR', realSdkBinaries.jpush, policies.zhFull],
];

for (const [name, file, policyFile] of pairs) {
  test(`policy gaps: ${name} against ${policyFile.split('/').slice(-2).join('/')} names what the rules report`, async () => {
    const policy = await readPolicy(policyFile);
    const report = await scanPackage(file, { policy, facts: false });
    const draft = await draftPolicy(file, { policy });
    const gaps = draft.gaps!;
    const rows = gaps.rows.filter((r) => r.rule !== null).map((r) => `${r.rule} ${r.key}`);
    // One row per finding: the same comparison, one difference each.
    assert.deepEqual(rows.sort(), findingKeys(report.findings));
    // A rule that does not judge this kind of package (a JAR) is said to, and leaves no rows.
    for (const rule of gaps.rulesNotApplicable) {
      assert.ok(rule in RULE_KEYS);
      assert.equal(
        report.rules.find((r) => r.id === rule)?.status,
        'not-applicable',
        `${rule} does not judge ${draft.app.kind} packages in the scan either`,
      );
    }
    // Every row points at the policy and at the app.
    for (const row of gaps.rows) {
      assert.equal(row.policy.kind, 'policy');
      assert.ok(row.app.length > 0, `${row.kind} ${row.key} has app evidence`);
    }
  });
}

test('policy gaps: a policy naming a permission the app does not request is an app-lacks row', async () => {
  // zh/full.md explains the camera permission ("我们会申请相机权限，用于扫描二维码"); the Appium Settings app requests no camera.
  const draft = await draftPolicy(realApks.settings, { policy: policies.zhFull });
  const row = draft.gaps!.rows.find((r) => r.kind === 'permission-not-requested');
  assert.equal(row?.key, 'android.permission.CAMERA');
  assert.equal(row.direction, 'app-lacks');
  assert.equal(row.rule, null);
  assert.match(row.policy.text ?? '', /相机权限/);
});

test('policy draft: its SDK list holds exactly the SDKs the sdk-disclosure-list rule asks a policy to name', async () => {
  for (const file of [realApks.settings, realApks.apiDemos, realSdkBinaries.jpush, realSdkBinaries.wechat, realSdkBinaries.baiduLocation]) {
    const report = await scanPackage(file, { facts: false });
    const draft = await draftPolicy(file);
    const listed = [...draft.sdks.trackers, ...draft.sdks.others].map((s) => s.id).sort();
    const asked = report.findings.filter((f) => f.ruleId === 'sdk-disclosure-list').map((f) => String(f.data?.sdk));
    assert.deepEqual(listed, asked.sort(), file);
    // Every SDK found is in the list or in the note, once.
    assert.equal(listed.length + draft.sdks.notListed.length, report.sdks.length);
  }
});

test('listing draft: the developer is the organisation of the signing certificate’s subject, escapes read', async () => {
  const organisation = 'Example Tech, Ltd. + Partners';
  const key = generateTestKey('ec', 'release', { organisation });
  const apk = buildApk({
    package: 'com.example.listing',
    versionName: '2.1',
    versionCode: 21,
    label: 'Example',
    sign: ['v2'],
    keys: [key],
  });
  const listing = await draftListing(apk, { name: 'example.apk', privacyPolicyUrl: 'https://example.com/privacy' });
  const developer = listing.elements.find((e) => e.element === 'developer')!;
  assert.equal(developer.value, organisation);
  assert.equal(developer.filledBy, 'app');
  assert.equal(developer.sources[0]?.kind, 'signature');
  const [name, version] = listing.elements;
  assert.equal(name.value, 'Example');
  assert.deepEqual(version.value, { name: '2.1', code: 21 });
  // Without an organisation in the subject, nothing is made up.
  const bare = buildApk({ package: 'com.example.listing', sign: ['v2'], keys: [generateTestKey('ec', 'Jane')] });
  const unnamed = (await draftListing(bare, { name: 'bare.apk' })).elements.find((e) => e.element === 'developer')!;
  assert.equal(unnamed.value, null);
  assert.equal(unnamed.filledBy, 'person');
});
