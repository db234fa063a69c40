import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTrace } from '@apprights/runtime';
import { loadKnowledge } from '@apprights/knowledge';
import { apiFacts, attributeStack, buildTimeline, permissionGroup } from '../../src/evidence/trace.js';

const knowledge = loadKnowledge();

test('trace evidence: the innermost non-platform frame names the caller and its SDK', () => {
  assert.deepEqual(
    attributeStack(knowledge, [
      'android.telephony.TelephonyManager.getImei(TelephonyManager.java:1)',
      'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
      'com.example.app.App.onCreate(App.java:3)',
    ]),
    {
      sdk: 'umeng-analytics',
      frame: 'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
    },
  );
  assert.deepEqual(attributeStack(knowledge, ['at com.example.app.Util.imei(Util.java:2)']), {
    sdk: null,
    frame: 'at com.example.app.Util.imei(Util.java:2)',
  });
  assert.deepEqual(attributeStack(knowledge, undefined), { sdk: null, frame: null });
  // The app's own classes are the app even when a catalogue SDK shares their package space.
  const apiDemos = { header: { kind: 'trace' as const, t: 0, version: '1.0.0', package: 'io.appium.android.apis', recorder: 'test' } };
  assert.equal(attributeStack(knowledge, ['io.appium.android.apis.app.Main.onCreate(Main.java:1)'], apiDemos).sdk, null);
});

test('trace evidence: catalogue facts, permission groups and the state and consent timeline', () => {
  const facts = apiFacts(knowledge, { kind: 'api', t: 0, class: 'android.location.LocationManager', method: 'getLastKnownLocation' });
  assert.deepEqual(facts, {
    name: 'locationManager.getLastKnownLocation',
    pi: 'location',
    permission: 'android.permission.ACCESS_COARSE_LOCATION',
    known: true,
  });
  assert.equal(permissionGroup(knowledge, 'android.permission.ACCESS_FINE_LOCATION'), 'location');
  assert.equal(permissionGroup(knowledge, 'android.permission.INTERNET'), null);
  const trace = readTrace(
    [
      '{"kind":"lifecycle","t":0,"action":"process-start","cause":"boot"}',
      '{"kind":"consent","t":1,"action":"agreed","detectedBy":"ui"}',
      '{"kind":"lifecycle","t":2,"action":"foreground"}',
      '{"kind":"user","t":3,"action":"tap","state":"background"}',
    ].join('\n'),
    { source: 's' },
  );
  assert.deepEqual(
    buildTimeline(trace).map((e) => [e.state, e.consent]),
    [
      ['background', 'none'],
      ['background', 'agreed'],
      ['foreground', 'agreed'],
      ['background', 'agreed'],
    ],
  );
});
