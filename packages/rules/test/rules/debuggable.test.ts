import { debuggable } from '../../src/rules/debuggable.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

new RuleTester().run(debuggable, {
  valid: [
    { name: 'debuggable="false"', evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: false } } })) },
    { name: 'no debuggable attribute', evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: null } } })) },
  ],
  invalid: [
    {
      name: 'debuggable="true" on the application element',
      evidence: evidenceOf(makeFacts({ app: { flags: { debuggable: true } } })),
      findings: [
        {
          messageId: 'debuggable',
          data: {},
          key: 'application',
          severity: 'high',
          measures: ['miit26-14'],
          // Removed, not set false: Gradle's build type decides, and a release build is not debuggable.
          fix: [{ target: { element: 'application' }, attribute: 'debuggable', value: null }],
          evidence: [{ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:debuggable=true' }],
        },
      ],
    },
  ],
  badOptions: [{ name: 'the rule has no options', options: { strict: true }, error: /unknown option \(the rule has none\)/ }],
});
