import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportedComponents } from '../../src/rules/exported-components.js';
import { activity, evidenceOf, makeFacts, receiver, sdk, service } from '../support/facts.js';
import type { Component, PackageFacts } from '../../src/index.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(exportedComponents, evidenceOf(facts));

function provider(name: string, options: { permission?: string } = {}): Component {
  return { ...activity(name, { exported: true }), type: 'provider', exportedSource: 'explicit', permission: options.permission ?? null };
}

test('exported-components: an exported activity without a permission, with the export as evidence', () => {
  const main = activity('com.example.app.MainActivity', { launcher: true });
  const share = { ...activity('com.example.app.ShareActivity', { exported: true }), exportedSource: 'explicit' as const };
  const found = run(makeFacts({ components: [main, share] }));
  assert.equal(found.length, 1, 'the launcher entry is left out');
  assert.equal(found[0]!.key, 'com.example.app.ShareActivity');
  assert.equal(found[0]!.severity, 'low', 'screens are exported for deep links and sharing more often than services');
  assert.deepEqual(found[0]!.evidence, [
    {
      kind: 'manifest',
      artifact: 'AndroidManifest.xml',
      element: 'activity',
      name: 'com.example.app.ShareActivity',
      detail: 'android:exported=true',
      sdk: null,
    },
  ]);
});

test('exported-components: an exported provider is high; an implied export says so', () => {
  const found = run(
    makeFacts({ components: [provider('com.example.app.DataProvider'), service('com.example.app.Sync', ['com.example.SYNC'])] }),
  );
  const byKey = new Map(found.map((f) => [f.key, f]));
  assert.equal(byKey.get('com.example.app.DataProvider')!.severity, 'high');
  const sync = byKey.get('com.example.app.Sync')!;
  assert.equal(sync.severity, undefined);
  assert.deepEqual(sync.evidence[0], {
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element: 'service',
    name: 'com.example.app.Sync',
    detail: 'android:exported absent, implied true by intent-filter',
    sdk: null,
  });
});

test('exported-components: receivers of system-only broadcasts are low, any other action keeps them medium', () => {
  const boot = receiver('com.example.app.BootReceiver', [
    'android.intent.action.BOOT_COMPLETED',
    'android.intent.action.MY_PACKAGE_REPLACED',
  ]);
  const mixed = receiver('com.example.app.Mixed', ['android.intent.action.BOOT_COMPLETED', 'com.example.app.WAKE']);
  const byKey = new Map(run(makeFacts({ components: [boot, mixed] })).map((f) => [f.key, f]));
  assert.equal(byKey.get('com.example.app.BootReceiver')!.severity, 'low');
  assert.equal(byKey.get('com.example.app.BootReceiver')!.messageId, 'exported');
  assert.match((byKey.get('com.example.app.BootReceiver')!.messageData!.systemOnly as { en: string }).en, /explicit intent/);
  assert.equal(byKey.get('com.example.app.Mixed')!.severity, undefined);
});

test('exported-components: a component an SDK owns is attributed to it', () => {
  const push = service('cn.jpush.android.service.PushService', ['cn.jpush.android.intent.REGISTER']);
  const facts = makeFacts({
    components: [push],
    sdks: [sdk('jpush', { evidence: { classes: 50, classExamples: [], components: [push.name], nativeLibraries: [], domains: [] } })],
  });
  const found = run(facts);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.evidence[0]!.kind === 'manifest' && found[0]!.evidence[0]!.sdk, 'jpush');
  assert.match((found[0]!.messageData!.owner as { en: string }).en, /from jpush/);
});

test('exported-components: silent for permission-protected, unexported and launcher components', () => {
  const components = [
    activity('com.example.app.MainActivity', { launcher: true }),
    activity('com.example.app.Settings'),
    service('com.example.app.Ime', ['android.view.InputMethod'], { permission: 'android.permission.BIND_INPUT_METHOD' }),
    receiver('com.example.app.Private', [], { exported: false }),
    provider('com.example.app.Files', { permission: 'com.example.app.permission.FILES' }),
  ];
  assert.deepEqual(run(makeFacts({ components })), []);
});
