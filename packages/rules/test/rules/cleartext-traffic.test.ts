import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleartextTraffic } from '../../src/rules/cleartext-traffic.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import type { PackageFacts } from '../../src/index.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(cleartextTraffic, evidenceOf(facts));

test('cleartext-traffic: flags android:usesCleartextTraffic=true at the rule severity', () => {
  const found = run(makeFacts({ app: { flags: { usesCleartextTraffic: true } } }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, undefined);
  assert.deepEqual(found[0]!.evidence, [
    { kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:usesCleartextTraffic=true' },
  ]);
});

test('cleartext-traffic: an explicit true still counts next to a network security config, which the message names', () => {
  const found = run(makeFacts({ app: { flags: { usesCleartextTraffic: true, networkSecurityConfig: 'res/xml/nsc.xml' } } }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.messageId, 'allowed');
  assert.match((found[0]!.messageData!.config as { en: string }).en, /res\/xml\/nsc\.xml/);
});

test('cleartext-traffic: the attribute left out below API 28 is the implicit, lower-severity case', () => {
  const found = run(makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: null } } }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'low');
  assert.equal(found[0]!.messageId, 'defaultAllowed');
  assert.equal(typeof found[0]!.messageData!.targetSdk, 'number');
  assert.deepEqual(found[0]!.evidence[0], {
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element: 'application',
    detail: 'android:usesCleartextTraffic absent (default true for targetSdkVersion 27 < 28)',
  });
});

test('cleartext-traffic: without targetSdkVersion the minSdkVersion decides', () => {
  const found = run(makeFacts({ app: { targetSdk: null, minSdk: 19, flags: { usesCleartextTraffic: null } } }));
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.data, { explicit: false, targetSdk: 19 });
});

test('cleartext-traffic: silent for false, for API 28+ defaults, with a network security config, and for libraries', () => {
  const cases = [
    makeFacts({ app: { flags: { usesCleartextTraffic: false } } }),
    makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: false } } }),
    makeFacts({ app: { targetSdk: 28, flags: { usesCleartextTraffic: null } } }),
    makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: null, networkSecurityConfig: 'res/xml/nsc.xml' } } }),
  ];
  const aar = makeFacts({ app: { targetSdk: null, minSdk: null, flags: { usesCleartextTraffic: null } } });
  aar.file.kind = 'aar';
  cases.push(aar);
  for (const facts of cases) assert.deepEqual(run(facts), []);
});

new RuleTester().run(cleartextTraffic, {
  valid: [
    { name: 'cleartext off', evidence: evidenceOf(makeFacts({ app: { flags: { usesCleartextTraffic: false } } })) },
    {
      name: 'no attribute, target API 28+',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 34, flags: { usesCleartextTraffic: null } } })),
    },
  ],
  invalid: [
    {
      name: 'usesCleartextTraffic="true" without a network security config',
      evidence: evidenceOf(makeFacts({ app: { flags: { usesCleartextTraffic: true, networkSecurityConfig: null } } })),
      findings: [{ messageId: 'allowed', key: 'application', severity: 'medium', data: { config: { zh: '', en: '' } } }],
    },
    {
      name: 'no attribute, target API 26',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 26, flags: { usesCleartextTraffic: null } } })),
      findings: [{ messageId: 'defaultAllowed', key: 'application', severity: 'low', data: { targetSdk: 26 } }],
    },
  ],
});
