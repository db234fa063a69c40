import { selfStartReceivers } from '../../src/rules/self-start-receivers.js';
import { evidenceOf, makeFacts, receiver, sdk } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const PUSH = 'cn.jpush.android.service.PushReceiver';

new RuleTester().run(selfStartReceivers, {
  valid: [
    {
      name: 'app-internal actions, services and other components are not self-start',
      evidence: evidenceOf(
        makeFacts({
          components: [
            receiver('com.example.app.Alarm', ['com.example.app.ALARM']),
            { ...receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED']), type: 'service' },
          ],
        }),
      ),
    },
    {
      name: 'the watched actions are an option',
      evidence: evidenceOf(makeFacts({ components: [receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED'])] })),
      options: { actions: ['android.intent.action.USER_PRESENT'] },
    },
  ],
  invalid: [
    {
      name: 'a boot receiver of a push SDK, with its SDK and action',
      evidence: evidenceOf(
        makeFacts({
          components: [receiver(PUSH, ['android.intent.action.BOOT_COMPLETED', 'com.x.CUSTOM'])],
          sdks: [
            sdk('jpush', {
              category: 'push',
              evidence: { classes: 9, classExamples: [], components: [PUSH], nativeLibraries: [], domains: [] },
            }),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'receiver',
          data: {
            component: 'cn.jpush.android.service.PushReceiver',
            said: { zh: '开机', en: 'boot' },
            owner: { zh: '（来自 jpush）', en: ' (from jpush)' },
            disabled: { zh: '', en: '' },
          },
          key: PUSH,
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'receiver',
              name: PUSH,
              detail: 'intent-filter/action=android.intent.action.BOOT_COMPLETED',
              sdk: 'jpush',
            },
          ],
        },
      ],
    },
    {
      name: 'unlock, network and package broadcasts count; a disabled receiver is low',
      evidence: evidenceOf(
        makeFacts({
          components: [
            receiver('com.example.app.Unlock', ['android.intent.action.USER_PRESENT']),
            { ...receiver('com.example.app.Net', ['android.net.conn.CONNECTIVITY_CHANGE']), enabled: false },
            receiver('com.example.app.Pkg', ['android.intent.action.PACKAGE_ADDED']),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'receiver',
          data: {
            component: 'com.example.app.Unlock',
            said: { zh: '解锁/亮屏', en: 'unlock or screen on' },
            owner: { zh: '', en: '' },
            disabled: { zh: '', en: '' },
          },
          key: 'com.example.app.Unlock',
        },
        {
          messageId: 'receiver',
          data: {
            component: 'com.example.app.Pkg',
            said: { zh: '应用安装/卸载/更新', en: 'app installs, removals and updates' },
            owner: { zh: '', en: '' },
            disabled: { zh: '', en: '' },
          },
          key: 'com.example.app.Pkg',
        },
        {
          messageId: 'receiver',
          data: {
            component: 'com.example.app.Net',
            said: { zh: '网络变化', en: 'network changes' },
            owner: { zh: '', en: '' },
            disabled: { zh: '（清单中默认禁用）', en: ' (disabled in the manifest)' },
          },
          key: 'com.example.app.Net',
          severity: 'low',
        },
      ],
    },
  ],
});
