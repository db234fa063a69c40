import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debuggable } from '../../src/rules/debuggable.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';

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

new RuleTester().run(debuggable, {
  valid: [
    { name: 'debuggable="false"', evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: false } } })) },
    { name: 'no debuggable attribute', evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: null } } })) },
  ],
  invalid: [
    {
      name: 'debuggable="true"',
      evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: true } } })),
      findings: [{ messageId: 'debuggable', key: 'application', severity: 'high', measures: ['miit26-14'] }],
    },
  ],
  badOptions: [{ name: 'the rule has no options', options: { strict: true }, error: /unknown option \(the rule has none\)/ }],
});
