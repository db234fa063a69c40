import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfStartReceivers } from '../../src/rules/self-start-receivers.js';
import { evidenceOf, makeFacts, receiver, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(selfStartReceivers, evidenceOf(facts));

test('self-start-receivers: a boot receiver of a push SDK is reported with its SDK and action', () => {
  const facts = makeFacts({
    components: [receiver('cn.jpush.android.service.PushReceiver', ['android.intent.action.BOOT_COMPLETED', 'com.x.CUSTOM'])],
    sdks: [
      sdk('jpush', {
        category: 'push',
        evidence: {
          classes: 9,
          classExamples: [],
          components: ['cn.jpush.android.service.PushReceiver'],
          nativeLibraries: [],
          domains: [],
        },
      }),
    ],
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.key, 'cn.jpush.android.service.PushReceiver');
  assert.equal(finding!.messageId, 'receiver');
  assert.match((finding!.messageData!.owner as { en: string }).en, /from jpush/);
  assert.deepEqual(finding!.evidence, [
    {
      kind: 'manifest',
      artifact: 'AndroidManifest.xml',
      element: 'receiver',
      name: 'cn.jpush.android.service.PushReceiver',
      detail: 'intent-filter/action=android.intent.action.BOOT_COMPLETED',
      sdk: 'jpush',
    },
  ]);
});

test('self-start-receivers: unlock, network and package broadcasts count; a disabled receiver is low', () => {
  const disabled = { ...receiver('com.example.app.Net', ['android.net.conn.CONNECTIVITY_CHANGE']), enabled: false };
  const facts = makeFacts({
    components: [
      receiver('com.example.app.Unlock', ['android.intent.action.USER_PRESENT']),
      disabled,
      receiver('com.example.app.Pkg', ['android.intent.action.PACKAGE_ADDED']),
    ],
  });
  const found = run(facts);
  assert.equal(found.length, 3);
  assert.equal(found.find((f) => f.key === 'com.example.app.Net')!.severity, 'low');
  assert.equal(found.find((f) => f.key === 'com.example.app.Unlock')!.severity, undefined);
});

test('self-start-receivers: app-internal actions, services and other components are not self-start', () => {
  const facts = makeFacts({
    components: [
      receiver('com.example.app.Alarm', ['com.example.app.ALARM']),
      { ...receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED']), type: 'service' },
    ],
  });
  assert.deepEqual(run(facts), []);
});

test('self-start-receivers: the watched actions are an option', () => {
  const facts = makeFacts({ components: [receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED'])] });
  assert.deepEqual(checkRule(selfStartReceivers, evidenceOf(facts), { actions: ['android.intent.action.USER_PRESENT'] }), []);
});
