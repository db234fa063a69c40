import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFacts, attributeStack, buildTimeline, permissionGroup, readTrace } from '../../src/evidence/trace.js';

test('trace evidence: lines are numbered from 1, kept in time order, and bad lines are problems', () => {
  const text = [
    '{"kind":"trace","t":0,"version":"1.0.0","package":"p","recorder":"r"}',
    '{"kind":"user","t":20,"action":"tap"}',
    'oops',
    '',
    '{"kind":"api","t":10,"api":"telephony.getImei","class":"android.telephony.TelephonyManager","method":"getImei"}',
    '{"kind":"x"}',
  ].join('\n');
  const trace = readTrace(text, { source: 't.jsonl' });
  assert.equal(trace.header?.package, 'p');
  assert.deepEqual(
    trace.events.map((e) => [e.line, e.t]),
    [
      [1, 0],
      [5, 10],
      [2, 20],
    ],
  );
  assert.deepEqual(
    trace.problems.map((p) => p.line),
    [3, 6],
  );
});

test('trace evidence: the innermost non-platform frame names the caller and its SDK', () => {
  assert.deepEqual(
    attributeStack([
      'android.telephony.TelephonyManager.getImei(TelephonyManager.java:1)',
      'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
      'com.example.app.App.onCreate(App.java:3)',
    ]),
    {
      sdk: 'umeng-analytics',
      frame: 'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
    },
  );
  assert.deepEqual(attributeStack(['at com.example.app.Util.imei(Util.java:2)']), {
    sdk: null,
    frame: 'at com.example.app.Util.imei(Util.java:2)',
  });
  assert.deepEqual(attributeStack(undefined), { sdk: null, frame: null });
});

test('trace evidence: catalogue facts, permission groups and the state and consent timeline', () => {
  const facts = apiFacts({ kind: 'api', t: 0, class: 'android.location.LocationManager', method: 'getLastKnownLocation' });
  assert.deepEqual(facts, {
    name: 'locationManager.getLastKnownLocation',
    pi: 'location',
    permission: 'android.permission.ACCESS_COARSE_LOCATION',
    known: true,
  });
  assert.equal(permissionGroup('android.permission.ACCESS_FINE_LOCATION'), 'location');
  assert.equal(permissionGroup('android.permission.INTERNET'), null);
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
