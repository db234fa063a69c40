// Precision of the policy analyser, one written snippet per cause of error (issue 16): the outline
// as a tree whose scopes close, a child's own title deciding its kind, non-content blocks without
// kinds, data mentions only where data is processed (the rest kept with their context), the generic
// term only as a direct object, negation versus refusal and condition, broken spans, and recipients
// in the recipient role. The snippets are made up for these tests, not taken from any corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePolicy, readPolicy, type PolicyAnalysis, type SectionKind } from '../src/index.js';

function analyse(text: string, name = 'policy.txt'): PolicyAnalysis {
  return analyzePolicy(readPolicy(text, { name }), { source: name });
}

/** The section whose block starts with `start` (after white space). */
function block(a: PolicyAnalysis, start: string) {
  const found = a.sections.find((s) => a.text.slice(s.start, s.end).trimStart().startsWith(start));
  assert.ok(found, `no block starts with "${start}"`);
  return found;
}

const kindsOf = (a: PolicyAnalysis, start: string): SectionKind[] => block(a, start).kinds;
const mentionTexts = (a: PolicyAnalysis) => a.dataMentions.map((m) => m.text);
const contextOf = (a: PolicyAnalysis, text: string) => a.contextMentions?.find((m) => m.text === text)?.context;

test('outline: a chapter scope ends at the next chapter even when that chapter names no kind', () => {
  const a = analyse(
    [
      '星河记账隐私政策',
      '一、我们如何收集和使用您的个人信息',
      '（一）注册',
      '注册时我们会收集您的手机号码。',
      '（二）记账',
      '我们会保存您录入的账目。',
      '二、其他事项',
      '本政策未尽事宜按相关法律处理。',
      '三、如何联系我们',
      '如有问题，请发送邮件至 help@example.com。',
    ].join('\n'),
  );
  // 二、 has no kind of its own (其他事项 names a topic no kind covers): it still closes 一、.
  assert.deepEqual(kindsOf(a, '本政策未尽事宜'), []);
  assert.ok(kindsOf(a, '我们会保存您录入的账目').includes('collection-use'));
  assert.ok(kindsOf(a, '如有问题').includes('contact'));
  assert.ok(!kindsOf(a, '如有问题').includes('collection-use'));
  // The tree: （二） sits under 一、, its paragraph under （二）, 三、 at the top.
  const second = block(a, '（二）记账');
  assert.equal(second.role, 'heading');
  assert.equal(a.text.slice(a.sections[second.parent!]!.start).startsWith('一、'), true);
  assert.equal(block(a, '三、如何联系我们').depth, 0, 'a chapter is at the top');
});

test('outline: numbering schemes rank by convention, so 1. under 一、 and （1） under 1. close in order', () => {
  const a = analyse(
    [
      '一、我们如何共享您的个人信息',
      '1. 共享',
      '（1）支付：我们会向支付机构提供订单金额。',
      '（2）物流：我们会向快递公司提供收货地址。',
      '2. 转让',
      '我们不会转让您的个人信息。',
      '二、我们如何保存您的个人信息',
      '我们将您的信息存储在中华人民共和国境内，保存期限为账号存续期间。',
    ].join('\n'),
  );
  const item = block(a, '（2）物流');
  assert.equal(a.text.slice(a.sections[item.parent!]!.start).startsWith('1. 共享'), true);
  const transfer = block(a, '2. 转让');
  assert.equal(a.text.slice(a.sections[transfer.parent!]!.start).startsWith('一、'), true, '2. closes 1. and its items');
  assert.deepEqual(kindsOf(a, '我们将您的信息存储'), ['retention']);
});

test('outline: one numbering scheme with another mark is a level below (一. inside 六、)', () => {
  const a = analyse(
    [
      '六、我们如何保护您的个人信息',
      '一. 技术保护：',
      '我们使用加密技术。',
      '二. 人员管理：',
      '我们对员工进行培训。',
      '七、未成年人保护',
      '我们不会主动收集儿童的个人信息。',
    ].join('\n'),
  );
  const chapter = a.sections.findIndex((s) => a.text.slice(s.start, s.end).startsWith('六、'));
  const technical = block(a, '一. 技术保护');
  const staff = block(a, '二. 人员管理');
  assert.equal(technical.parent, chapter);
  assert.equal(staff.parent, chapter, 'the second item closes the first, not the chapter');
  assert.deepEqual(kindsOf(a, '我们对员工进行培训'), ['security']);
  assert.equal(block(a, '七、未成年人保护').parent, -1);
});

test('outline: table cells, statements, contents, licence and date lines never open a scope', () => {
  const a = analyse(
    [
      '目录',
      '一、我们如何收集信息',
      '二、我们如何共享信息',
      '三、您的权利',
      '更新日期：2024年3月1日',
      '京ICP备00000000号',
      '一、我们如何收集信息',
      '我们会收集您的设备型号。',
      '**我们不会收集您的通讯录**',
      '我们会读取您的剪贴板内容用于口令识别。',
      '二、我们如何共享信息',
      '| SDK名称 | 使用目的 |',
      '| --- | --- |',
      '| 某推送SDK | 消息推送 |',
      '三、您的权利',
      '您可以在设置中删除您的账号。',
    ].join('\n'),
  );
  for (const line of ['二、我们如何共享信息', '三、您的权利']) {
    const entry = a.sections.find((s) => a.text.slice(s.start, s.end).trim() === line)!;
    assert.equal(entry.role, 'contents', `${line} in the contents is an entry, not a chapter`);
    assert.deepEqual(entry.kinds, []);
  }
  assert.equal(block(a, '更新日期').role, 'other');
  assert.deepEqual(block(a, '京ICP备').kinds, []);
  // The bold statement is a paragraph of 一、, not a heading that would take the next paragraph over.
  assert.notEqual(block(a, '**我们不会收集').role, 'heading');
  assert.ok(kindsOf(a, '我们会读取您的剪贴板').includes('collection-use'));
  assert.ok(kindsOf(a, '您可以在设置中删除').includes('user-rights'));
  // The rows of a table copied as text are cells: no heading among them, and they stay in 二、's scope.
  for (const row of ['| SDK名称', '| --- |', '| 某推送SDK']) assert.notEqual(block(a, row).role, 'heading', row);
  assert.ok(kindsOf(a, '| 某推送SDK').includes('third-party'));
});

test("kinds: a child's own title decides; a two-topic parent is only a prior, narrowed by the text", () => {
  const a = analyse(
    [
      '五、我们如何存储和保护您的个人信息',
      '（一）存储地点与期限',
      '我们在境内收集的信息存储在中华人民共和国境内。',
      '（二）安全措施',
      '我们采用加密技术和访问控制保护您的信息。',
      '（三）其他说明',
      '我们定期开展安全培训，相关数据的保存期限以法律规定为准。',
    ].join('\n'),
  );
  assert.deepEqual(kindsOf(a, '（一）存储地点与期限'), ['retention']);
  assert.deepEqual(kindsOf(a, '我们在境内收集的信息'), ['retention']);
  assert.deepEqual(kindsOf(a, '我们采用加密技术'), ['security']);
  // A child without a kind of its own inherits both, and its text narrows them where it can.
  assert.ok(kindsOf(a, '（三）其他说明').includes('retention') && kindsOf(a, '（三）其他说明').includes('security'));
});

test('kinds: a paragraph that shows none of its two-topic heading goes on with the paragraph before it', () => {
  const a = analyse(
    [
      '六、我们如何存储和保护您的信息',
      '我们收集的信息保存在境内的服务器上，保存期限为实现目的所需的最短时间。',
      '到期后我们将及时处理。',
      '我们采用加密技术和访问控制保护您的信息。',
      '我们会定期组织员工培训。',
    ].join('\n'),
  );
  assert.deepEqual(kindsOf(a, '到期后我们将及时处理'), ['retention']);
  assert.deepEqual(kindsOf(a, '我们会定期组织员工培训'), ['security']);
});

test("kinds: an item does not add a chapter's topic it names in passing; exceptions stay in their chapter", () => {
  const a = analyse(
    [
      '三、我们如何共享您的个人信息',
      '1. 我们会与支付服务商共享您的订单信息，您可以在设置中查看和删除您的订单记录，该服务商会采取加密措施。',
      '2. 征得授权同意的例外',
      '以下情形中，我们共享您的个人信息无需征得您的同意：',
      '（1）与国家安全、国防安全有关的；',
      '四、通知和修订',
      '我们可能适时修订本政策。',
    ].join('\n'),
  );
  assert.deepEqual(kindsOf(a, '1. 我们会与支付服务商共享'), ['third-party']);
  assert.deepEqual(kindsOf(a, '2. 征得授权同意的例外'), ['third-party']);
  assert.ok(kindsOf(a, '四、通知和修订').includes('policy-change'));
});

test('mentions: PI words in rights, definitions, security pledges, advice and exceptions are contexts, not data', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '个人信息是指以电子或者其他方式记录的与已识别或者可识别的自然人有关的各种信息。',
      '我们会收集您的手机号码和设备型号。',
      '请您谨慎提供您的银行卡号，不要在评论中公开您的身份证号。',
      '根据法律规定，以下情形中，我们收集您的个人信息无需征得您的授权同意：',
      '1. 与国家安全有关的；',
      '2. 所收集的个人信息是您自行公开的；',
      '二、我们如何保护您的个人信息',
      '我们会采取加密等安全措施，防止您的身份证号被泄露。',
      '三、您的权利',
      '您有权访问、更正、删除您的手机号码和收货地址。',
    ].join('\n'),
  );
  const texts = mentionTexts(a);
  assert.ok(texts.includes('手机号码') && texts.includes('设备型号'), texts.join(','));
  assert.equal(contextOf(a, '银行卡号'), 'advice');
  assert.equal(contextOf(a, '身份证号'), 'advice');
  assert.equal(contextOf(a, '收货地址'), 'rights');
  assert.ok(a.contextMentions!.some((m) => m.context === 'definition'));
  assert.ok(a.contextMentions!.some((m) => m.context === 'exception'));
  assert.ok(a.contextMentions!.some((m) => m.context === 'security'));
  // The lead of the exceptions is a statement of processing; its items are not.
  const lead = block(a, '根据法律规定');
  assert.ok(a.dataMentions.some((m) => m.start >= lead.start && m.end <= lead.end));
  const item = block(a, '2. 所收集');
  assert.ok(!a.dataMentions.some((m) => m.start >= item.start && m.end <= item.end));
  for (const m of a.dataMentions) assert.ok(!['收货地址', '银行卡号'].includes(m.text), m.text);
});

test('mentions: the generic term counts only as the direct object of a verb that is not denied', () => {
  const a = analyse(
    [
      '一、我们如何使用信息',
      '我们会收集、使用您的个人信息以提供服务。',
      '我们重视个人信息对您的重要性。',
      '上述信息将用于身份核验。',
      '我们不会出售您的个人信息。',
      '您在注册账号后即可使用全部功能。',
    ].join('\n'),
  );
  const general = a.dataMentions.filter((m) => m.category === 'general');
  assert.equal(general.length, 1, general.map((m) => m.text).join(','));
  assert.ok(a.text.slice(general[0]!.start - 8, general[0]!.start).includes('使用'));
  assert.ok(!mentionTexts(a).includes('上述信息'), 'a reference names no data');
  assert.ok(!mentionTexts(a).includes('账号'), 'registering an account is not collecting one');
});

test('mentions: hardware is a permission, content and layout words are data only when the user owns them', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '拍摄头像时，我们会访问您的相机，并收集您拍摄的照片。',
      '我们会记录广告的展示位置和视频的播放次数，并通过短信向您发送验证码。',
      '我们会收集您上传的视频和您的位置，以及相关信息。',
      '您的个人信息可能会与我们的关联公司共享。',
    ].join('\n'),
  );
  const texts = mentionTexts(a);
  assert.ok(!texts.includes('相机'), texts.join());
  assert.ok(texts.includes('照片'), texts.join());
  for (const t of ['位置', '视频', '短信'])
    assert.equal(texts.filter((x) => x === t).length, t === '短信' ? 0 : 1, `${t}: ${texts.join()}`);
  assert.ok(!texts.includes('相关信息'), texts.join());
  // The generic term as the fronted object of a passive sharing verb.
  assert.ok(
    a.dataMentions.some((m) => m.text === '个人信息' && a.text.slice(m.start - 2, m.start) === '您的'),
    texts.join(),
  );
});

test('mentions: what standards name, list items, labelled lines and objects in brackets or fronted by 将 are data', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '1. 为完成实名认证，我们需要向您收集证件有效期和证件复印件，并为您保存您的通信记录。',
      '2. 购票时，我们会收集乘车人的姓名、出发城市、乘车日期。',
      '3. 需要您提供以下信息：',
      '1) 您的账号信息：手机号',
      '2) 身份信息：姓名',
      '3) 位置信息：城市',
      '4. 我们会记录系统故障时产生的信息，以及您所使用的设备相关信息。',
      '5. 语音输入时，我们会收集您的语音信息，但不会访问您的麦克风以外的设备。',
      '6. 我们可能会与关联公司共享您（或您的孩子）的个人信息。',
      '7. 我们不会将您的个人身份信息（指可以识别您身份的信息，例如姓名），与广告合作伙伴共享。',
      '8. 我们会收集您的浏览记录，您可以随时删除浏览记录。',
      '9. 我们仅会在采取符合业界标准的安全防护措施的前提下，公开披露您的个人信息。',
    ].join('\n'),
  );
  const texts = mentionTexts(a);
  // Terms of GB/T 35273 附录A and the CAC necessary-PI list; 向您收集/为您保存 keep the operator as subject.
  for (const t of ['证件有效期', '证件复印件', '通信记录']) assert.ok(texts.includes(t), `${t}: ${texts.join()}`);
  // Items of a list whose other items are PI terms.
  assert.ok(texts.includes('出发城市') && texts.includes('乘车日期'), texts.join());
  // Labelled lines of a list are data, and the run of them is no table of contents.
  for (const t of ['账号信息', '手机号', '身份信息', '位置信息']) assert.ok(texts.includes(t), `${t}: ${texts.join()}`);
  assert.notEqual(block(a, '2) 身份信息').role, 'contents');
  // A relative clause before 的信息, and 设备 before 相关信息.
  assert.ok(texts.includes('系统故障时产生的信息'), texts.join());
  assert.ok(
    a.dataMentions.some((m) => m.text.endsWith('设备相关信息') && m.category === 'device-info'),
    texts.join(),
  );
  // Speech is data of the microphone category; the microphone itself is a permission word.
  assert.ok(
    a.dataMentions.some((m) => m.text === '语音信息' && m.category === 'microphone'),
    texts.join(),
  );
  assert.ok(!texts.includes('麦克风'), texts.join());
  // An aside in brackets does not cut the generic term from its verb.
  assert.ok(texts.includes('个人信息'), texts.join());
  // A fronted object whose verb comes in a later clause: a data mention, denied.
  const identity = a.dataMentions.find((m) => m.text === '个人身份信息');
  assert.ok(identity?.negated, texts.join());
  // A statement of processing followed by a right, and a safeguard as a condition, stay statements.
  assert.ok(texts.includes('浏览记录'), texts.join());
  const disclosure = block(a, '9. 我们仅会');
  assert.ok(
    a.dataMentions.some((m) => m.start >= disclosure.start && m.end <= disclosure.end),
    texts.join(),
  );
});

test('mentions: 相关信息 and 其他信息 alone, and what the operator offers the user, name no data', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '我们会收集您的相关信息和其他信息，并向您提供个性化的信息。',
      '我们会收集您的姓名、出生日期，用于确定交易、支付结算、完成配送。',
    ].join('\n'),
  );
  const texts = mentionTexts(a);
  for (const t of ['相关信息', '其他信息', '个性化的信息', '确定交易', '支付结算', '完成配送'])
    assert.ok(!texts.includes(t), `${t}: ${texts.join()}`);
  assert.ok(texts.includes('姓名') && texts.includes('出生日期'), texts.join());
});

test('negation: denied, refused, and conditional statements are told apart', () => {
  const a = analyse(
    [
      '一、我们如何收集和共享信息',
      '我们不会收集您的通讯录、短信和通话记录。',
      '如果您不提供手机号码，将无法完成注册。',
      '我们不会在未经您同意的情况下向第三方共享您的位置信息。',
      '经您授权同意后，我们会收集您的人脸图像用于实名认证。',
      '当您使用扫码功能时，我们会访问您的相册照片。',
      '我们会收集您的设备型号。',
    ].join('\n'),
  );
  const byText = (t: string) => a.dataMentions.find((m) => m.text === t);
  for (const t of ['通讯录', '短信', '通话记录']) assert.equal(byText(t)?.negated, true, `${t} is denied`);
  assert.equal(byText('手机号码')?.negated, false, 'a refusal by the user is not a denial');
  assert.equal(byText('位置信息')?.negated, false);
  assert.equal(byText('位置信息')?.conditional, true, '不会在未经同意的情况下… is conditional');
  assert.equal(byText('人脸图像')?.conditional, true);
  assert.equal(a.dataMentions.find((m) => m.text.includes('照片'))?.conditional, true, 'only when the feature is used');
  assert.equal(byText('设备型号')?.conditional, false);
});

test('negation: a contrasting clause keeps its own verb; "一般不会…，如确需…" is conditional', () => {
  const a = analyse(
    [
      '三、我们如何共享您的个人信息',
      '我们不会将您的姓名共享给广告合作伙伴，仅会向这些合作伙伴提供去标识化的设备信息。',
      '一般我们不会向第三方转移儿童的位置信息，如确需转移，我们会征得监护人的同意。',
    ].join('\n'),
  );
  const byText = (t: string) => a.dataMentions.find((m) => m.text === t);
  assert.equal(byText('姓名')?.negated, true);
  assert.equal(byText('设备信息')?.negated, false, 'provided in the contrasting clause');
  assert.equal(byText('位置信息')?.negated, false);
  assert.equal(byText('位置信息')?.conditional, true);
});

test('negation: a clause opening with its own negated verb, and a denial by a third party or a feature', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '当您使用指纹登录时，我们仅接收验证结果，并不收集您的指纹信息。',
      '我们会读取您选定的手机号码，不会读取和存储您的全部通讯录信息。',
      '上述支付服务由第三方提供，并不会获取您的银行卡号。',
      '在不补充提供身份证号码的情况下，您将无法充值。',
      '乙方没有提供其护照号码的，甲方有权拒绝乙方的请求。',
      '我们会收集包括但不限于您的设备型号。',
    ].join('\n'),
  );
  const byText = (t: string) => a.dataMentions.find((m) => m.text === t);
  assert.equal(byText('指纹信息')?.negated, true, 'the clause states its own denial');
  assert.equal(byText('通讯录信息')?.negated, true);
  assert.equal(byText('手机号码')?.negated, false, 'read, in the clause before the denial');
  assert.equal(byText('银行卡号')?.negated, true, 'a denial by a third party');
  assert.equal(byText('身份证号码')?.negated ?? false, false, "the user's refusal, its consequence named after it");
  assert.equal(byText('护照号码')?.negated ?? false, false, '乙方 is the user in a contract');
  assert.equal(byText('设备型号')?.negated, false, '不限于 negates nothing');
});

test('contexts: a safeguard against unauthorised access is a security pledge; "…将被视为个人信息" is a definition', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '我们采用适当的物理、管理和技术保障措施来保护您的个人数据不被未经授权访问、披露、使用、修改或丢失。',
      '我们会收集您的手机号码，并采取措施保护其不被未经授权访问。',
      '在结合使用期间，这类非个人信息将被视为个人信息。',
    ].join('\n'),
  );
  const contexts = a.contextMentions!.map((m) => `${m.text}:${m.context}`);
  assert.ok(contexts.includes('个人数据:security'), contexts.join());
  assert.ok(!a.dataMentions.some((m) => m.text === '个人数据'), 'the pledge processes nothing');
  assert.ok(
    a.dataMentions.some((m) => m.text === '手机号码'),
    'collected, whatever the safeguard after it',
  );
  assert.ok(
    contexts.some((c) => c.endsWith(':definition')),
    contexts.join(),
  );
});

test('en: a clause opening with its own negated verb; "not limited to" negates nothing', () => {
  const a = analyse(
    [
      '# Privacy Policy',
      '## 1. Information we collect',
      'We receive the result of the check, and do not collect your fingerprint.',
      'The payment service is run by a third party and does not access your card number.',
      'We collect information including but not limited to your device model.',
    ].join('\n'),
    'policy.md',
  );
  const byText = (t: string) => a.dataMentions.find((m) => m.text.toLowerCase() === t);
  assert.equal(byText('fingerprint')?.negated, true, a.dataMentions.map((m) => m.text).join());
  assert.equal(byText('card number')?.negated, true, a.dataMentions.map((m) => m.text).join());
  assert.equal(byText('device model')?.negated, false);
});

test('spans: not inside a negated noun or the title of a law', () => {
  const a = analyse(['一、我们如何收集信息', '我们会收集非个人身份信息用于统计，并依照《个人信息保护法》收集您的手机号码。'].join('\n'));
  for (const m of [...a.dataMentions, ...(a.contextMentions ?? [])]) {
    assert.ok(!a.text.slice(m.start - 1, m.start).includes('非'), `${m.text} inside 非…`);
    assert.ok(!m.text.includes('保护法') && a.text[m.end] !== '》', `${m.text} inside 《…》`);
  }
  assert.ok(mentionTexts(a).includes('手机号码'));
});

test('recipients: parties in the recipient role only', () => {
  const a = analyse(
    [
      '三、我们如何共享您的个人信息',
      '我们会向广告效果评估服务商提供去标识化的设备信息。',
      '我们会从合作的运营商处获取您的本机号码用于一键登录。',
      '本公司会与关联公司共享您的订单信息。',
      '您可以使用微信分享功能把文章分享给好友。',
      '为保护您、其他用户或公众的人身财产安全，我们可能共享必要信息。',
    ].join('\n'),
  );
  const names = a.recipients.map((r) => r.name);
  assert.ok(
    names.some((n) => n.includes('广告效果评估服务商')),
    names.join(','),
  );
  assert.ok(names.includes('关联公司'), names.join(','));
  assert.ok(!names.some((n) => n.includes('运营商')), 'the source of the data is not a recipient');
  assert.ok(!names.includes('微信'), 'a feature named after a platform is not a party');
  assert.ok(!names.includes('本公司') && !names.includes('公众'), names.join(','));
});

test('recipients: 向…提供 names a recipient, 向您提供 does not; a party head inside a data word ends no party', () => {
  const a = analyse(
    [
      '一、我们如何收集和使用您的个人信息',
      '我们保证不会向任何第三方提供您的手机号码。',
      '为了向您提供服务，我们会收集您的设备信息。',
      '我们还可能与合法当局分享必要的用户信息，并要求与之共享个人信息的公司遵守本政策。',
    ].join('\n'),
  );
  const names = a.recipients.map((r) => r.name);
  assert.ok(names.includes('任何第三方') || names.includes('第三方'), names.join(','));
  assert.ok(names.includes('合法当局'), names.join(','));
  assert.ok(!names.some((n) => n.endsWith('个人')), names.join(','));
  assert.ok(!names.includes('您'), names.join(','));
});

test('lists: the contact card is no SDK table; a hand-written table loses its separators; the first line is the title', () => {
  const a = analyse(
    [
      '晨读笔记隐私政策',
      '一、我们如何共享您的个人信息',
      '我们接入了以下第三方SDK：',
      'SDK名称：极光推送SDK；',
      '使用目的：推送消息；',
      '收集个人信息类型：设备标识符、网络信息；',
      '第三方主体：深圳市和讯华谷信息技术有限公司；',
      '二、如何联系我们',
      '名称：晨读科技有限公司',
      '注册地：北京市海淀区某路1号',
      '个人信息保护负责人：张三',
    ].join('\n'),
  );
  assert.equal(a.title, '晨读笔记隐私政策');
  assert.equal(a.sdkTable.length, 1, JSON.stringify(a.sdkTable));
  const row = a.sdkTable[0]!;
  assert.equal(row.name, '极光推送SDK');
  assert.equal(row.purpose, '推送消息');
  assert.equal(row.company, '深圳市和讯华谷信息技术有限公司');
  assert.deepEqual(row.data, ['设备标识符', '网络信息']);
  assert.ok(a.lists.thirdPartySharing, 'the SDK list is the third-party list');
  assert.ok(!a.text.slice(a.lists.thirdPartySharing.start, a.lists.thirdPartySharing.end).includes('负责人'));
});

test('recipients: names in brackets or after 包括： following a party word, a conjunction glued to the party, brands in any case', () => {
  const a = analyse(
    [
      '三、我们如何共享您的个人信息',
      '我们可能通过推送SDK与终端设备制造商（甲手机、乙手机等）共享设备型号。',
      '我们的关联公司包括：丙商城、丁物流。',
      '您可以与您的好友及其他用户分享您的相关信息。',
      '我们会向VIVO提供必要的设备信息。',
    ].join('\n'),
  );
  const names = a.recipients.map((r) => r.name);
  for (const n of ['甲手机', '乙手机', '丙商城', '丁物流', 'VIVO']) assert.ok(names.includes(n), `${n}: ${names.join(',')}`);
  assert.ok(
    names.some((n) => n.endsWith('其他用户')),
    names.join(','),
  );
});

test('en: contexts, negation and condition work the same way', () => {
  const a = analyse(
    [
      '# Privacy Policy',
      '## 1. Information we collect',
      'We collect your email address and device model.',
      'We do not collect your precise location.',
      'If you do not provide your phone number, you cannot register.',
      'With your consent, we collect your contacts to find friends.',
      'Please be careful not to post your home address in public comments.',
      '## 2. Your rights',
      'You have the right to access, correct or delete your email address.',
    ].join('\n'),
    'policy.md',
  );
  const byText = (t: string) => a.dataMentions.find((m) => m.text.toLowerCase() === t);
  assert.equal(byText('email address')?.negated, false);
  assert.equal(byText('precise location')?.negated, true);
  assert.equal(byText('phone number')?.negated, false, 'a refusal is not a denial');
  assert.equal(byText('contacts')?.conditional, true);
  assert.ok(!a.dataMentions.some((m) => m.text.toLowerCase() === 'home address'));
  assert.ok(a.contextMentions!.some((m) => m.context === 'rights'));
});

test('en: hardware, owned-only words, contrast clauses, hedged denials and "our" parties work as in Chinese', () => {
  const a = analyse(
    [
      'Privacy Policy of Example Notes',
      '1. How We Collect and Use Your Personal Information',
      'When you scan a code, we access your camera and collect the photos you take.',
      'We record the position of ads on the page and the number of videos played.',
      'We collect your precise location and your videos.',
      'We share your email address with our payment processor.',
      'Generally we do not share your contacts with third parties, and where necessary we will ask for your consent.',
      'We do not sell your name to advertisers, but only share aggregated device data with them.',
      '2. Contact Us',
      'Name: Example Notes Ltd.',
      'Data protection officer: Jane Roe',
    ].join('\n'),
  );
  const texts = mentionTexts(a);
  assert.ok(!texts.includes('camera'), texts.join());
  assert.ok(texts.includes('photos'), texts.join());
  assert.equal(texts.filter((t) => t === 'videos').length, 1, texts.join());
  assert.ok(!texts.includes('position'), texts.join());
  const byText = (t: string) => a.dataMentions.find((m) => m.text === t);
  assert.equal(byText('contacts')?.conditional, true);
  assert.equal(byText('contacts')?.negated, false);
  assert.equal(byText('name')?.negated, true);
  assert.equal(byText('device data')?.negated, false);
  assert.ok(
    a.recipients.some((r) => r.name === 'payment processor'),
    a.recipients.map((r) => r.name).join(),
  );
  assert.deepEqual(a.sdkTable, [], 'the contact card is no SDK table');
  assert.equal(a.title, 'Privacy Policy of Example Notes');
});
