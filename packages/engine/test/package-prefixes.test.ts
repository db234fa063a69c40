import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_PREFIX_CAP, prefixKey, prefixSetOf, scanPackage } from '@apprights/engine';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('package prefixes: 1–4 segments of each class’s package; the cap cuts whole levels, deepest first, and says so', () => {
  const classes = ['Lcom/umeng/analytics/pro/sub/A;', 'Lcom/umeng/B;', 'LTopLevel;', 'cn/jpush/android/api/JPushInterface'];
  assert.deepEqual(prefixSetOf(classes), {
    depth: 4,
    cap: PACKAGE_PREFIX_CAP,
    omitted: 0,
    prefixes: [
      'cn',
      'cn.jpush',
      'cn.jpush.android',
      'cn.jpush.android.api',
      'com',
      'com.umeng',
      'com.umeng.analytics',
      'com.umeng.analytics.pro',
    ],
  });
  // Cap 4: level 1 (2) fits, levels 1–2 (2 + 2) fit, level 3 would make 6: cut there.
  assert.deepEqual(prefixSetOf(classes, 4), { depth: 2, cap: 4, omitted: 4, prefixes: ['cn', 'cn.jpush', 'com', 'com.umeng'] });
  assert.deepEqual(prefixSetOf(classes, 1), { depth: 0, cap: 1, omitted: 8, prefixes: [] });
  assert.equal(prefixKey('com.tencent.mm.opensdk.modelmsg.'), 'com.tencent.mm.opensdk');
  assert.equal(prefixKey('cn.jpush.android', 2), 'cn.jpush');
  assert.equal(prefixKey('...'), null);
});

test('package prefixes: a scan’s facts carry them (JPush’s JAR holds cn.jpush.android)', async () => {
  const report = await scanPackage(join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'));
  const set = report.facts?.packagePrefixes;
  assert.ok(set);
  assert.equal(set.depth, 4);
  assert.ok(set.prefixes.includes('cn.jpush.android'));
  assert.deepEqual([...set.prefixes].sort(), set.prefixes);
});
