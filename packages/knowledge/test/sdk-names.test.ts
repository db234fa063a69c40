/**
 * SDK names as privacy policies write them, found against the real catalogue, and the ordinary
 * words that must not be taken for one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findSdkNames,
  loadSdkCatalog,
  normalizeSdkName,
  sdkByName,
  sdkNameIndex,
  SdkNameIndex,
  validateSdkCatalog,
  type SdkEntry,
  type SdkFile,
  type SdkNameMatch,
} from '../src/index.js';

/** The SDKs a text names on its own (one SDK per name), in order. */
function named(text: string): string[] {
  return findSdkNames(text)
    .filter((m) => m.shared === 1)
    .map((m) => m.sdk);
}

function spans(matches: SdkNameMatch[]): string[] {
  return [...new Set(matches.map((m) => `${m.text}@${m.start}`))];
}

test('sdk names: product names as Chinese policies write them', () => {
  const text =
    '我们接入了以下第三方SDK：友盟+SDK、极光推送（JPush）、腾讯Bugly、高德定位SDK、微信开放平台SDK，' + '以及个推消息推送和百度地图SDK。';
  assert.deepEqual(named(text), [
    'umeng-analytics',
    'jpush',
    'jpush',
    'tencent-bugly',
    'amap-location',
    'wechat-opensdk',
    'getui',
    'baidu-map',
  ]);
  const bugly = findSdkNames(text).find((m) => m.sdk === 'tencent-bugly')!;
  assert.equal(text.slice(bugly.start, bugly.end), '腾讯Bugly');
  assert.equal(bugly.text, '腾讯Bugly');
  // A following "SDK" belongs to the name.
  const amap = findSdkNames(text).find((m) => m.sdk === 'amap-location')!;
  assert.equal(amap.text, '高德定位SDK');
});

test('sdk names: spacing, full-width letters and "+" do not matter', () => {
  assert.deepEqual(named('友盟+ SDK'), ['umeng-analytics']);
  assert.deepEqual(named('友盟SDK'), ['umeng-analytics']);
  assert.deepEqual(named('腾讯 Bugly'), ['tencent-bugly']);
  assert.deepEqual(named('ＪＰｕｓｈ推送'), ['jpush']);
  assert.deepEqual(named('极光推送 SDK（深圳市和讯华谷信息技术有限公司）').slice(0, 1), ['jpush']);
  assert.equal(normalizeSdkName('友盟+ SDK'), '友盟sdk');
});

test('sdk names: English policies and Latin names', () => {
  const text =
    'We use JPush for notifications, Tencent Bugly for crash reports and the Umeng SDK for statistics. Firebase Crashlytics too.';
  assert.deepEqual(named(text), ['jpush', 'tencent-bugly', 'umeng-analytics', 'firebase-crashlytics']);
  // Word boundaries: a Latin name is not part of a longer word.
  assert.deepEqual(findSdkNames('MyJPushWrapper and JPushInterface'), []);
});

test('sdk names: brands and vendors several SDKs share give one match per SDK', () => {
  const brand = findSdkNames('我们使用友盟+提供的服务。');
  assert.deepEqual(spans(brand), ['友盟+@4']);
  assert.deepEqual(
    brand.map((m) => m.sdk),
    ['umeng-analytics', 'umeng-apm', 'umeng-push', 'umeng-share', 'umeng-verify'],
  );
  assert.ok(brand.every((m) => m.via === 'brand' && m.shared === 5));

  const vendor = findSdkNames('开发者：北京锐讯灵通科技有限公司');
  assert.deepEqual(spans(vendor), ['北京锐讯灵通科技有限公司@4']);
  assert.ok(vendor.every((m) => m.via === 'vendor' && m.shared === 5 && m.sdk.startsWith('umeng-')));

  const umeng = findSdkNames('Data is shared with Umeng.');
  assert.equal(umeng.length, 5);
  assert.equal(umeng[0]!.text, 'Umeng');

  // A vendor with one SDK in the catalogue names it, but as a vendor.
  const shanyan = findSdkNames('上海璟梦信息科技有限公司');
  assert.deepEqual(
    shanyan.map((m) => [m.sdk, m.via, m.shared]),
    [['chuanglan-shanyan', 'vendor', 1]],
  );
  // Getui's five SDKs (push, GTC, one-click auth, user operations, OneID) share the vendor; the
  // brand alone is an alias of the push SDK.
  assert.equal(findSdkNames('每日互动股份有限公司').length, 5);
});

test('sdk names: Java packages, by the longest catalogue prefix', () => {
  const text = '包名：com.umeng.analytics；类：cn.jpush.android.api.JPushInterface；com.tencent.bugly.crashreport.CrashReport';
  const found = findSdkNames(text);
  assert.deepEqual(
    found.map((m) => [m.sdk, m.text, m.via]),
    [
      ['umeng-analytics', 'com.umeng.analytics', 'package'],
      ['jpush', 'cn.jpush.android', 'package'],
      ['tencent-bugly', 'com.tencent.bugly', 'package'],
    ],
  );
  // A package above several SDKs' prefixes names the family.
  const family = findSdkNames('com.umeng.xyz');
  assert.ok(family.length > 1 && family.every((m) => m.via === 'package' && m.sdk.startsWith('umeng-')));
  // E-mail addresses and URLs are not packages.
  assert.deepEqual(findSdkNames('privacy@com.umeng.analytics.example'), []);
});

test('sdk names: ordinary words are not SDK names', () => {
  for (const text of [
    '推送',
    '统计',
    '我们会向您推送消息，并统计分析您的使用情况。',
    '一个推荐算法会为您推荐内容。',
    '每个推送都可以关闭。',
    '我们没有道理收集您的通讯录。',
    '金融云服务',
    '我们使用第三方合作伙伴提供的消息推送和统计分析服务。',
    '您可以通过微信联系我们的客服。',
    '华为手机、小米手机用户',
    'Adjust your settings at any time.',
    'Our branch offices may process data.',
    'We segment users by region and keep a heap of logs.',
    'Analytics, push notifications and crash reporting.',
    'Sign in with your account.',
  ]) {
    assert.deepEqual(
      findSdkNames(text).map((m) => `${m.sdk}:${m.text}`),
      [],
      text,
    );
  }
});

test('sdk names: two-character Chinese names end at a particle or punctuation', () => {
  assert.deepEqual(named('个推、极光推送等'), ['getui', 'jpush']);
  assert.deepEqual(named('使用个推SDK'), ['getui']);
  assert.deepEqual(named('个推和融云'), ['getui', 'rongcloud']);
  assert.deepEqual(named('一个推送'), []);
});

test('sdk names: dictionary-shaped Latin names need their capital and no sentence start, unless "SDK" follows', () => {
  assert.deepEqual(named('Deep links are handled by Branch.'), ['branch']);
  assert.deepEqual(named('Branch offices are excluded.'), []);
  assert.deepEqual(named('we use the branch sdk'), ['branch']);
  assert.deepEqual(named('Segment SDK'), ['segment']);
});

test('sdkByName: a table cell to one catalogue id, or null', () => {
  assert.equal(sdkByName('友盟+SDK'), 'umeng-analytics');
  assert.equal(sdkByName('腾讯Bugly'), 'tencent-bugly');
  assert.equal(sdkByName('JPush'), 'jpush');
  assert.equal(sdkByName('极光推送 SDK'), 'jpush');
  assert.equal(sdkByName('com.umeng.analytics'), 'umeng-analytics');
  assert.equal(sdkByName('微信SDK'), 'wechat-opensdk');
  assert.equal(sdkByName('高德定位SDK'), 'amap-location');
  assert.equal(sdkByName('上海璟梦信息科技有限公司'), 'chuanglan-shanyan');
  assert.equal(sdkByName('个推'), 'getui');
  // Shared names and non-names decide nothing.
  assert.equal(sdkByName('北京锐讯灵通科技有限公司'), null);
  assert.equal(sdkByName('友盟+'), null);
  assert.equal(sdkByName('消息推送'), null);
  assert.equal(sdkByName('极光推送、腾讯Bugly'), null);
});

test('sdk names: every catalogue SDK is found by its own name in an SDK list', () => {
  const catalog = loadSdkCatalog();
  const missing: string[] = [];
  for (const sdk of catalog.entries) {
    const byName = [sdk.name.zh, sdk.name.en].some((name) => findSdkNames(`SDK名称：${name}；`).some((m) => m.sdk === sdk.id));
    if (!byName) missing.push(sdk.id);
  }
  // "Android 支持库" / "Android Support Library" is generic words only: nothing to tell it by.
  assert.deepEqual(missing, ['android-support']);
});

test('sdk names: no derived name is a generic word', () => {
  const generic = [
    '推送',
    '统计',
    '消息推送',
    '统计分析',
    '广告',
    '定位',
    '地图',
    '支付',
    '登录',
    '分享',
    'sdk',
    'analytics',
    'push',
    'ads',
    'google play',
    'core',
  ];
  const keys = new Set(
    sdkNameIndex()
      .names()
      .map((n) => n.key),
  );
  for (const word of generic) assert.ok(!keys.has(normalizeSdkName(word)), word);
  // Names of one SDK outnumber shared ones: the index is mostly specific.
  const names = sdkNameIndex().names();
  assert.ok(names.filter((n) => n.sdks.length === 1).length > names.length * 0.8);
});

test('sdk names: aliases from the catalogue data win over derived names', () => {
  const entries: SdkEntry[] = [
    entry('alpha-push', { name: { zh: '阿尔法推送', en: 'Alpha Push' } }),
    entry('alpha-stats', { name: { zh: '阿尔法统计', en: 'Alpha Stats' }, aliases: ['阿尔法SDK'] }),
  ];
  const index = new SdkNameIndex(entries);
  assert.deepEqual(
    index.find('阿尔法SDK').map((m) => [m.sdk, m.via, m.shared]),
    [['alpha-stats', 'alias', 1]],
  );
  assert.deepEqual(
    index.find('阿尔法的服务').map((m) => m.sdk),
    ['alpha-push', 'alpha-stats'],
  );
  assert.equal(index.byName('阿尔法推送'), 'alpha-push');
});

test('sdk names: a 100 000-character policy is scanned in well under a second', () => {
  const paragraph =
    '我们会收集您的设备信息（包括IMEI、Android ID、OAID），用于消息推送和统计分析。第三方SDK：极光推送SDK，提供方：深圳市和讯华谷信息技术有限公司。' +
    'We use Tencent Bugly and the Umeng SDK (com.umeng.analytics) to analyse crashes.\n';
  const text = paragraph.repeat(Math.ceil(100_000 / paragraph.length));
  sdkNameIndex();
  const started = performance.now();
  const found = findSdkNames(text);
  const elapsed = performance.now() - started;
  assert.ok(found.length > 1000);
  assert.ok(elapsed < 1000, `${elapsed.toFixed(0)} ms`);
});

test('validator: aliases are strings with a reason, and one alias names one SDK', () => {
  const file = (id: string, extra: Record<string, unknown>): SdkFile => ({
    file: `${id}.json`,
    data: {
      id,
      name: { zh: id, en: id },
      vendor: { zh: 'v', en: 'v' },
      category: 'push',
      region: 'cn',
      tracker: false,
      packages: [`com.${id.replaceAll('-', '')}.sdk`],
      personalInformation: [],
      sources: { identity: 'fixture', packages: 'fixture' },
      ...extra,
    },
  });
  const piIds = new Set<string>();
  const ok = file('a', { aliases: ['阿尔法SDK'], sources: { identity: 'fixture', packages: 'fixture', aliases: 'policies call it so' } });
  assert.deepEqual(validateSdkCatalog([ok], { piIds }), []);
  const noReason = validateSdkCatalog([file('a', { aliases: ['阿尔法SDK'] })], { piIds });
  assert.match(noReason.map((p) => p.message).join('\n'), /sources\.aliases/);
  const twice = file('b', { aliases: ['阿尔法 sdk'], sources: { identity: 'fixture', packages: 'fixture', aliases: 'also' } });
  assert.match(
    validateSdkCatalog([ok, twice], { piIds })
      .map((p) => p.message)
      .join('\n'),
    /also an alias in a\.json/,
  );
  const bad = validateSdkCatalog([file('c', { aliases: ['x', 7], sources: { identity: 'fixture', packages: 'fixture', aliases: 'r' } })], {
    piIds,
  });
  assert.ok(bad.length > 0);
});

function entry(id: string, patch: Partial<SdkEntry>): SdkEntry {
  return {
    id,
    name: { zh: id, en: id },
    vendor: { zh: '阿尔法科技有限公司', en: 'Alpha Ltd.' },
    category: 'push',
    region: 'cn',
    tracker: true,
    packages: [`com.alpha.${id.replaceAll('-', '')}`],
    personalInformation: [],
    sources: {},
    ...patch,
  };
}
