import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicCodeLoading } from '../../src/rules/dynamic-code-loading.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(dynamicCodeLoading, evidenceOf(facts));

test('dynamic-code-loading: hot-update SDKs are high, DexClassLoader callers medium with code evidence', () => {
  const facts = makeFacts({
    sdks: [sdk('tinker', { category: 'hot-update', tracker: false, version: '1.9.14' })],
    sensitiveApis: [
      apiUse('dexClassLoader.init', 'Ldalvik/system/DexClassLoader;-><init>', [
        { class: 'com.tencent.tinker.loader.TinkerDexLoader', sdk: 'tinker' },
      ]),
    ],
  });
  const found = run(facts);
  assert.equal(found.length, 2);
  const bySdk = found.find((f) => f.key === 'sdk:tinker')!;
  assert.equal(bySdk.severity, 'high');
  assert.equal(bySdk.messageId, 'sdk');
  assert.equal(bySdk.messageData!.version, ' 1.9.14');
  const byApi = found.find((f) => f.key === 'api:dexClassLoader.init')!;
  assert.equal(byApi.severity, 'medium');
  assert.deepEqual(byApi.evidence[0], {
    kind: 'code',
    artifact: 'classes.dex',
    class: 'com.tencent.tinker.loader.TinkerDexLoader',
    method: 'run()V',
    api: 'dexClassLoader.init',
    sdk: 'tinker',
  });
});

test('dynamic-code-loading: DEX or JAR files shipped in assets are reported', () => {
  const facts = makeFacts({
    archive: {
      entries: 10,
      issues: [],
      nested: [
        {
          path: 'assets/plugin.jar',
          kind: 'jar',
          size: 2048,
          depth: 1,
          entries: 3,
          dexFiles: 1,
          classes: 5,
          methods: 9,
          skipped: null,
          error: null,
        },
      ],
    },
  });
  const found = run(facts);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.evidence, [{ kind: 'resource', artifact: 'assets/plugin.jar', detail: 'jar, 2048 bytes' }]);
});

test('dynamic-code-loading: ordinary libraries and other APIs are not dynamic code', () => {
  const facts = makeFacts({
    sdks: [sdk('okhttp', { category: 'open-source-library', tracker: false })],
    sensitiveApis: [apiUse('system.loadLibrary', 'Ljava/lang/System;->loadLibrary', [{ class: 'com.example.app.Native', own: true }])],
  });
  assert.deepEqual(run(facts), []);
});
