import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debuggable } from '../../src/rules/debuggable.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

test('debuggable: flags android:debuggable=true on the application element', () => {
  const found = checkRule(debuggable, evidenceOf(makeFacts({ app: { flags: { debuggable: true } } })));
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.evidence[0], {
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element: 'application',
    detail: 'android:debuggable=true',
  });
});

test('debuggable: silent when the flag is false or absent', () => {
  for (const value of [false, null]) {
    const facts = makeFacts({ app: { flags: { debuggable: value } } });
    assert.deepEqual(checkRule(debuggable, evidenceOf(facts)), []);
  }
});
