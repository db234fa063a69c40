import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkOfClass, sdkOfComponent } from '../../src/evidence/queries.js';
import { makeFacts, sdk } from '../support/facts.js';

const pushSdk = sdk('jpush', {
  evidence: {
    classes: 9,
    classExamples: ['cn.jpush.android.service.PushService'],
    components: ['cn.jpush.android.service.DaemonService'],
    nativeLibraries: [],
    domains: [],
  },
});

test('sdkOfComponent: the detector’s component list first, then the longest shared package of three segments or more', () => {
  const facts = makeFacts({ sdks: [pushSdk] });
  assert.equal(sdkOfComponent(facts, 'cn.jpush.android.service.DaemonService')?.id, 'jpush');
  assert.equal(sdkOfComponent(facts, 'cn.jpush.android.ui.PopWinActivity')?.id, 'jpush');
  assert.equal(sdkOfComponent(facts, 'cn.jpush.other.Thing'), undefined, 'two shared segments are not enough');
});

test('sdkOfComponent: under the app’s own package an SDK must claim more than the app does', () => {
  const vendor = sdk('appium', {
    evidence: {
      classes: 50,
      classExamples: ['io.appium.android.apis.Foo'],
      components: ['io.appium.android.apis.Main'],
      nativeLibraries: [],
      domains: [],
    },
  });
  const app = makeFacts({ app: { package: 'io.appium.android.apis' }, sdks: [vendor] });
  assert.equal(sdkOfComponent(app, 'io.appium.android.apis.Main'), undefined);
  const embedded = sdk('inner', {
    evidence: { classes: 5, classExamples: ['com.example.app.sdk.push.Core'], components: [], nativeLibraries: [], domains: [] },
  });
  const host = makeFacts({ sdks: [embedded] });
  assert.equal(sdkOfComponent(host, 'com.example.app.sdk.push.Receiver')?.id, 'inner');
  assert.equal(sdkOfComponent(host, 'com.example.app.MainActivity'), undefined);
});

test('sdkOfClass: by package only, so a name on the detector’s component list does not count by itself', () => {
  const facts = makeFacts({ sdks: [pushSdk] });
  assert.equal(sdkOfClass(facts, 'cn.jpush.android.startup.JPushInitializer')?.id, 'jpush');
  assert.equal(sdkOfClass(facts, 'cn.jpush.Initializer'), undefined, 'two shared segments are not enough');
  const listedOnly = sdk('listed', {
    evidence: { classes: 1, classExamples: [], components: ['com.vendor.sdk.Provider'], nativeLibraries: [], domains: [] },
  });
  assert.equal(sdkOfClass(makeFacts({ sdks: [listedOnly] }), 'com.vendor.sdk.Provider'), undefined);
  assert.equal(sdkOfComponent(makeFacts({ sdks: [listedOnly] }), 'com.vendor.sdk.Provider')?.id, 'listed');
});
