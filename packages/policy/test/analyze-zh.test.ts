import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corporaDir, skipWithoutCorpora } from '@apprights/testkit';
import { analyzePolicy, readPolicy, SECTION_KINDS, type PolicyAnalysis } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/zh/', import.meta.url));

function analyse(file: string): PolicyAnalysis {
  const text = readFileSync(join(fixtures, file), 'utf8');
  return analyzePolicy(readPolicy(text, { name: file }), { source: file });
}

/** Every range the analysis gives indexes its text, and quoted texts are the text at that range. */
function assertConsistent(a: PolicyAnalysis): void {
  const spans = [...a.dataMentions, ...a.recipients, ...a.purposes, ...a.permissions, ...a.contacts];
  for (const s of spans) {
    assert.ok(0 <= s.start && s.start < s.end && s.end <= a.text.length, `range ${s.start}-${s.end}`);
    assert.equal(a.text.slice(s.start, s.end), s.text);
  }
  for (const s of a.sections) {
    assert.ok(0 <= s.start && s.start < s.end && s.end <= a.text.length);
    for (const k of s.kinds) assert.ok((SECTION_KINDS as readonly string[]).includes(k), k);
  }
  for (const m of a.dataMentions) assert.ok(m.section >= -1 && m.section < a.sections.length);
}

test('zh: sections, operator, contacts, 15 working days, dates and lists of a complete policy', () => {
  const a = analyse('full.md');
  assertConsistent(a);
  assert.equal(a.language, 'zh');
  const kinds = new Set(a.sections.flatMap((s) => s.kinds));
  for (const kind of [
    'collection-use',
    'user-provided',
    'third-party',
    'retention',
    'security',
    'user-rights',
    'minors',
    'policy-change',
    'contact',
  ] as const)
    assert.ok(kinds.has(kind), `missing ${kind}`);
  assert.ok(!kinds.has('cookies'));
  assert.equal(a.operator?.name, '杭州示例网络科技有限公司');
  assert.deepEqual(
    a.contacts.map((c) => [c.kind, c.value]),
    [
      ['email', 'privacy@example.com'],
      ['phone', '4001234567'],
      ['form', '帮助与反馈'],
      ['address', '浙江省杭州市西湖区示例路1号示例大厦'],
    ],
  );
  assert.deepEqual({ days: a.responseTime?.days, working: a.responseTime?.workingDays }, { days: 15, working: true });
  assert.deepEqual({ date: a.effectiveDate?.date, kind: a.effectiveDate?.kind }, { date: '2024-03-08', kind: 'effective' });
  assert.equal(a.lists.collectedPersonalInformation?.href, 'https://example.com/collected-list');
  assert.equal(a.lists.thirdPartySharing?.href, 'https://example.com/third-party-list');
});

test('zh: data mentions with categories, sensitivity, highlighting and necessity', () => {
  const a = analyse('full.md');
  const byText = new Map([...a.dataMentions].reverse().map((m) => [m.text, m]));
  const phone = byText.get('手机号码');
  assert.equal(phone?.category, 'phone-number');
  assert.equal(phone?.highlighted, true);
  assert.equal(phone?.required, true, 'the sentence says registration needs it');
  const location = byText.get('精确位置信息');
  assert.deepEqual([location?.category, location?.sensitive, location?.highlighted], ['location', true, true]);
  const id = byText.get('身份证号码');
  assert.deepEqual([id?.category, id?.sensitive, id?.highlighted], ['identity-documents', true, true], 'underlined');
  for (const [text, category] of [
    ['IMEI', 'device-identifiers'],
    ['Android ID', 'device-identifiers'],
    ['IP地址', 'network-identifiers'],
    ['设备型号', 'device-info'],
    ['真实姓名', 'basic-identity'],
  ] as const)
    assert.equal(byText.get(text)?.category, category, text);
  assert.equal(byText.get('设备型号')?.highlighted, false);
  // Named outside processing statements too: 安全 and rights sections still name the types they cover.
  for (const category of ['location', 'identity-documents', 'device-identifiers', 'transactions', 'accounts'])
    assert.ok(a.mentionedCategories.includes(category), category);
});

test('zh: SDK table rows, permissions with purposes, purposes and recipients', () => {
  const a = analyse('full.md');
  assert.deepEqual(
    a.sdkTable.map((r) => [r.name, r.company, r.purpose, r.policyUrl]),
    [
      ['高德定位SDK', '高德软件有限公司', '提供定位服务', 'https://lbs.amap.com/pages/privacy/'],
      ['极光推送SDK', '深圳市和讯华谷信息技术有限公司', '消息推送', 'https://www.jiguang.cn/license/privacy'],
    ],
  );
  assert.deepEqual(a.sdkTable[0]!.categories, ['device-info', 'location', 'network-identifiers']);
  const camera = a.permissions.find((p) => p.permissions.includes('android.permission.CAMERA'));
  assert.equal(camera?.purpose?.text, '用于扫描二维码');
  assert.ok(a.permissions.some((p) => p.permissions.includes('android.permission.ACCESS_FINE_LOCATION')));
  assert.ok(a.purposes.some((p) => p.text === '为了向您推荐附近的车辆' && p.data.some((i) => a.dataMentions[i]!.text === '精确位置信息')));
  assert.ok(a.recipients.some((r) => r.name === '支付宝（中国）网络技术有限公司'));
  assert.ok(a.recipients.some((r) => r.name === '第三方'));
});

test('zh: user-provided comes from what the user provides, not from a registration title or a terms-of-service pledge (issue 16)', () => {
  const kindsOf = (text: string) => {
    const a = analyzePolicy(readPolicy(text, { name: 'inline.txt' }), { source: 'inline.txt' });
    return (start: string) => a.sections.find((s) => a.text.slice(s.start, s.end).startsWith(start))?.kinds ?? [];
  };
  const policy = kindsOf(
    [
      'XX隐私政策',
      '一、我们如何收集和使用您的个人信息',
      '（一）为您提供注册、认证服务',
      '我们会在您使用本服务时记录操作日志。',
      '（二）您向我们提供的信息',
      '注册时，您需要向我们提供手机号码，用于创建账号。',
      '二、用户协议',
      '1.账号注册',
      '1.1 您注册时应提交真实、准确、完整的身份信息。',
    ].join('\n'),
  );
  assert.ok(!policy('我们会在您使用本服务时记录').includes('user-provided'), 'the operator providing a service to the user');
  assert.ok(policy('注册时，您需要向我们提供').includes('user-provided'), 'under a title on what the user provides');
  assert.ok(!policy('1.账号注册').includes('user-provided'), 'a registration title alone');
  assert.ok(!policy('1.1 您注册时').includes('user-provided'), 'a pledge that what is provided is true');
});

test('zh: user-provided is said, not referred to in passing; a collection chapter says it in its paragraphs (issue 16)', () => {
  const a = analyzePolicy(
    readPolicy(
      [
        'XX隐私政策',
        '一、我们如何收集和使用您的个人信息',
        '当您注册账号时，您需要提供手机号码，用于创建账号。',
        '在您参加抽奖活动并中奖后，我们会收集您提供的收货地址和联系电话。',
        '我们会记录您使用本服务的操作日志。',
        '二、我们如何保护您的个人信息',
        '（一）我们会采取加密技术，防止您提供给我们的个人信息遭到未经授权的访问。',
        '三、您的权利',
        '您可以访问、更正您提供的注册信息。',
        '四、用户上传的内容',
        '5.1您可以上传视频、图片等资料。',
        '1. 您对上传的内容享有合法权利；',
        '2. 您不会上传侵犯他人权利的内容；',
        '5.2平台有权检查您上传的内容。',
      ].join('\n'),
      { name: 'inline.txt' },
    ),
    { source: 'inline.txt' },
  );
  const section = (start: string) => a.sections.find((s) => a.text.slice(s.start, s.end).startsWith(start))!;
  const kinds = (start: string) => section(start).kinds;
  assert.ok(kinds('当您注册账号时').includes('user-provided'), 'a paragraph saying the user provides data, in a collection chapter');
  assert.ok(kinds('在您参加抽奖活动').includes('user-provided'), 'the operator collecting what the user provides');
  assert.ok(!kinds('我们会记录您使用').includes('user-provided'), 'data the app records is not provided by the user');
  assert.ok(!kinds('（一）我们会采取加密技术').includes('user-provided'), 'a security pledge naming what the user provided');
  assert.ok(!kinds('您可以访问、更正').includes('user-provided'), 'a right over what the user provided');
  // "5.2" is a sibling of "5.1", not a child of the list item "2." inside 5.1.
  const parent = a.sections[section('5.2平台有权').parent ?? -1];
  assert.ok(parent, 'under a heading');
  assert.ok(a.text.slice(parent.start).startsWith('四、'), 'under the chapter, not under the item "2."');
});

test('zh: a minimal plain-text policy has few kinds, no operator, no lists', () => {
  const a = analyse('minimal.txt');
  assertConsistent(a);
  const kinds = new Set(a.sections.flatMap((s) => s.kinds));
  for (const kind of ['third-party', 'retention', 'security', 'minors', 'policy-change', 'cookies'] as const)
    assert.ok(!kinds.has(kind), kind);
  assert.equal(a.operator, null);
  assert.equal(a.responseTime, null);
  assert.equal(a.effectiveDate, null);
  assert.deepEqual(a.lists, { collectedPersonalInformation: null, thirdPartySharing: null });
  assert.deepEqual(
    a.dataMentions.map((m) => [m.text, m.category, m.highlighted]),
    [['手机号码', 'phone-number', false]],
  );
  assert.deepEqual(a.mentionedCategories, ['phone-number']);
});

test('zh corpus: every analysis of the CA4P dev policies is consistent, and the main kinds are found', { skip: skipWithoutCorpora }, () => {
  const dir = join(corporaDir!, 'policies-zh', 'dev');
  let withCollection = 0;
  let files = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const a = analyzePolicy(readPolicy(readFileSync(join(dir, file), 'utf8'), { name: file }), { source: file });
    assertConsistent(a);
    files++;
    if (a.sections.some((s) => s.kinds.includes('collection-use'))) withCollection++;
  }
  // 89 of the 96 carry a collection paragraph by the annotations; the analyser must see nearly all.
  assert.ok(withCollection >= files * 0.85, `${withCollection}/${files}`);
});

test('zh: a purpose in one cell of a table row is the purpose of the permissions and data the row names', () => {
  const text = [
    '# 隐私政策',
    '',
    '## 权限申请与使用情况说明',
    '',
    '| 权限 | 收集的信息 | 使用目的 |',
    '|---|---|---|',
    '| android.permission.ACCESS\\_FINE\\_LOCATION | 我们会收集您的精确位置信息 | 用于推荐附近的门店 |',
    '| android.permission.RECORD\\_AUDIO | 我们会收集您的语音信息 | 【待填写】 |',
    '',
  ].join('\n');
  const a = analyzePolicy(readPolicy(text, { name: 'table.md' }), { source: 'table.md' });
  assertConsistent(a);
  const location = a.permissions.find((p) => p.permissions.includes('android.permission.ACCESS_FINE_LOCATION'));
  assert.equal(location?.purpose?.text, '用于推荐附近的门店');
  // One row's purpose is not another's: the microphone row gives none.
  const audio = a.permissions.find((p) => p.permissions.includes('android.permission.RECORD_AUDIO'));
  assert.ok(audio);
  assert.equal(audio.purpose, null);
  const purpose = a.purposes.find((p) => p.text === '用于推荐附近的门店');
  assert.deepEqual(purpose?.permissions, ['android.permission.ACCESS_FINE_LOCATION']);
  assert.deepEqual(
    purpose.data.map((i) => a.dataMentions[i]!.category),
    ['location'],
  );
});
