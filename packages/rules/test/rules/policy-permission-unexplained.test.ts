import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyAnalysis, SectionKind } from '@apprights/policy';
import { policyPermissionUnexplained } from '../../src/rules/policy-permission-unexplained.js';
import { makeFacts, permission } from '../support/facts.js';
import { dataMention, permissionMention, policyFrom, purpose } from '../support/policy.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';

const facts = makeFacts({
  permissions: [
    permission('android.permission.CAMERA'),
    permission('android.permission.ACCESS_FINE_LOCATION'),
    permission('android.permission.READ_CONTACTS'),
    permission('android.permission.RECORD_AUDIO'),
    permission('android.permission.POST_NOTIFICATIONS'),
    permission('android.permission.INTERNET', 'normal'),
  ],
});

function analysed(): PolicyAnalysis {
  const policy = policyFrom([
    { text: '相机权限：用于扫描二维码。', kinds: ['collection-use'], heading: '权限调用说明' },
    { text: '为了向您推荐附近的门店，我们会收集您的位置信息。', kinds: ['collection-use'] },
    { text: '我们会申请通讯录权限。', kinds: ['collection-use'] },
  ]);
  const location = dataMention(policy, '位置信息', 'location');
  return {
    ...policy,
    permissions: [
      permissionMention(policy, '相机权限', ['android.permission.CAMERA'], '用于扫描二维码'),
      permissionMention(policy, '通讯录权限', ['android.permission.READ_CONTACTS']),
    ],
    dataMentions: [location],
    purposes: [purpose(policy, '为了向您推荐附近的门店', [0])],
  };
}

const run = (policy: PolicyAnalysis) => checkRule(policyPermissionUnexplained, { package: facts, policy });

test('policy-permission-unexplained: a permission with its purpose, or its data with a purpose, is explained', () => {
  const found = run(analysed()).map((f) => f.key);
  assert.ok(!found.includes('android.permission.CAMERA'));
  assert.ok(!found.includes('android.permission.ACCESS_FINE_LOCATION'));
  assert.ok(!found.includes('android.permission.INTERNET'));
});

test('policy-permission-unexplained: one finding per unexplained dangerous permission', () => {
  const found = run(analysed());
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['android.permission.POST_NOTIFICATIONS', 'low'],
      ['android.permission.READ_CONTACTS', 'low'],
      ['android.permission.RECORD_AUDIO', 'medium'],
    ],
  );
  const audio = found.find((f) => f.key === 'android.permission.RECORD_AUDIO')!;
  assert.match(
    audio.message.zh,
    /危险权限 “录音”（RECORD_AUDIO）（可获取麦克风），隐私政策既没有说明该权限及其用途，也没有说明收集麦克风的目的/,
  );
  assert.match(
    audio.message.en,
    /"record audio" \(RECORD_AUDIO\) \(which reaches microphone\); the privacy policy neither explains the permission nor gives a purpose for collecting microphone/,
  );
  const notifications = found.find((f) => f.key === 'android.permission.POST_NOTIFICATIONS')!;
  assert.match(notifications.message.zh, /POST_NOTIFICATIONS），隐私政策没有说明该权限及其用途。$/);
  assert.deepEqual(audio.evidence, [
    { kind: 'permission', artifact: 'AndroidManifest.xml', permission: 'android.permission.RECORD_AUDIO' },
    { kind: 'policy', source: 'https://example.com/privacy.html' },
  ]);
  // Named without a purpose: the passage is quoted.
  const contacts = found.find((f) => f.key === 'android.permission.READ_CONTACTS')!;
  assert.match(contacts.message.zh, /提到了权限.*“通讯录权限”.*没有说明申请目的/);
  const ref = contacts.evidence[1]!;
  assert.ok(ref.kind === 'policy' && ref.text === '我们会申请通讯录权限。');
});

test('policy-permission-unexplained: a negated data mention explains nothing', () => {
  const policy = analysed();
  const negated = { ...policy, dataMentions: [{ ...policy.dataMentions[0]!, negated: true }] };
  assert.ok(run(negated).some((f) => f.key === 'android.permission.ACCESS_FINE_LOCATION'));
});

/** The camera permission with its purpose, in a section of the given kinds. */
function cameraIn(kinds: SectionKind[]): PolicyAnalysis {
  const policy = policyFrom([{ text: '您可以在设置中关闭相机权限，用于扫描二维码的功能将无法使用。', kinds }]);
  return { ...policy, permissions: [permissionMention(policy, '相机权限', ['android.permission.CAMERA'], '用于扫描二维码')] };
}
const cameraOnly = makeFacts({ permissions: [permission('android.permission.CAMERA')] });

// Issue 16: only statements of processing explain a permission; the user's rights and definitions name it in passing.
new RuleTester().run(policyPermissionUnexplained, {
  valid: [
    { name: 'the camera and its purpose in a collection section', evidence: { package: cameraOnly, policy: cameraIn(['collection-use']) } },
  ],
  invalid: [
    {
      name: 'the camera named only in a rights paragraph',
      evidence: { package: cameraOnly, policy: cameraIn(['user-rights']) },
      findings: [{ messageId: 'unexplained', key: 'android.permission.CAMERA' }],
    },
    {
      name: 'the camera named only in a definition',
      evidence: { package: cameraOnly, policy: cameraIn(['definitions']) },
      findings: [{ messageId: 'unexplained', key: 'android.permission.CAMERA' }],
    },
  ],
});
