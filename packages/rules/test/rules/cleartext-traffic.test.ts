import { cleartextTraffic } from '../../src/rules/cleartext-traffic.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const manifest = (detail: string) => ({ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail }) as const;
const library = makeFacts({ app: { targetSdk: null, minSdk: null, flags: { usesCleartextTraffic: null } } });
library.file.kind = 'aar';

new RuleTester().run(cleartextTraffic, {
  valid: [
    { name: 'cleartext off', evidence: evidenceOf(makeFacts({ app: { flags: { usesCleartextTraffic: false } } })) },
    {
      name: 'cleartext off below API 28',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: false } } })),
    },
    {
      name: 'no attribute, target API 28',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 28, flags: { usesCleartextTraffic: null } } })),
    },
    {
      name: 'no attribute, target API 34',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 34, flags: { usesCleartextTraffic: null } } })),
    },
    {
      name: 'no attribute below API 28, with a network security config',
      evidence: evidenceOf(
        makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: null, networkSecurityConfig: 'res/xml/nsc.xml' } } }),
      ),
    },
    { name: 'a library without the attribute', evidence: evidenceOf(library) },
  ],
  invalid: [
    {
      name: 'usesCleartextTraffic="true" without a network security config, at the rule severity',
      evidence: evidenceOf(makeFacts({ app: { flags: { usesCleartextTraffic: true, networkSecurityConfig: null } } })),
      findings: [
        {
          messageId: 'allowed',
          key: 'application',
          severity: 'medium',
          data: { config: { zh: '', en: '' } },
          fix: [{ target: { element: 'application' }, attribute: 'usesCleartextTraffic', value: 'false' }],
          evidence: [manifest('android:usesCleartextTraffic=true')],
        },
      ],
    },
    {
      name: 'an explicit true still counts next to a network security config, which the message names',
      evidence: evidenceOf(makeFacts({ app: { flags: { usesCleartextTraffic: true, networkSecurityConfig: 'res/xml/nsc.xml' } } })),
      findings: [
        {
          messageId: 'allowed',
          key: 'application',
          severity: 'medium',
          data: {
            config: {
              zh: '；另有网络安全配置 res/xml/nsc.xml，在 Android 7.0 及以上由它决定是否允许明文',
              en: '; a network security config (res/xml/nsc.xml) also exists and decides on Android 7.0 and later',
            },
          },
        },
      ],
    },
    {
      name: 'no attribute, target API 27: the implicit, lower-severity case',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 27, flags: { usesCleartextTraffic: null } } })),
      findings: [
        {
          messageId: 'defaultAllowed',
          key: 'application',
          severity: 'low',
          data: { targetSdk: 27 },
          fix: [{ target: { element: 'application' }, attribute: 'usesCleartextTraffic', value: 'false' }],
          facts: { explicit: false, targetSdk: 27 },
          evidence: [manifest('android:usesCleartextTraffic absent (default true for targetSdkVersion 27 < 28)')],
        },
      ],
    },
    {
      name: 'without targetSdkVersion the minSdkVersion decides',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: null, minSdk: 19, flags: { usesCleartextTraffic: null } } })),
      findings: [
        {
          messageId: 'defaultAllowed',
          key: 'application',
          severity: 'low',
          data: { targetSdk: 19 },
          facts: { explicit: false, targetSdk: 19 },
        },
      ],
    },
  ],
});
