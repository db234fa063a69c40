import { exportedComponents } from '../../src/rules/exported-components.js';
import { activity, evidenceOf, makeFacts, receiver, sdk, service } from '../support/facts.js';
import type { Component } from '../../src/index.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

function provider(name: string, options: { permission?: string } = {}): Component {
  return { ...activity(name, { exported: true }), type: 'provider', exportedSource: 'explicit', permission: options.permission ?? null };
}

const main = activity('com.example.app.MainActivity', { launcher: true });
const push = service('cn.jpush.android.service.PushService', ['cn.jpush.android.intent.REGISTER']);

new RuleTester().run(exportedComponents, {
  valid: [
    {
      name: 'permission-protected, unexported and launcher components',
      evidence: evidenceOf(
        makeFacts({
          components: [
            main,
            activity('com.example.app.Settings'),
            service('com.example.app.Ime', ['android.view.InputMethod'], { permission: 'android.permission.BIND_INPUT_METHOD' }),
            receiver('com.example.app.Private', [], { exported: false }),
            provider('com.example.app.Files', { permission: 'com.example.app.permission.FILES' }),
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'an exported activity without a permission is low (the launcher entry is left out)',
      evidence: evidenceOf(
        makeFacts({
          components: [main, { ...activity('com.example.app.ShareActivity', { exported: true }), exportedSource: 'explicit' as const }],
        }),
      ),
      findings: [
        {
          messageId: 'exported',
          data: {
            type: { zh: 'Activity', en: 'Activity' },
            component: 'com.example.app.ShareActivity',
            owner: { zh: '', en: '' },
            reach: { zh: '启动该界面', en: 'start it' },
            systemOnly: { zh: '', en: '' },
          },
          key: 'com.example.app.ShareActivity',
          fix: [{ target: { element: 'activity', name: 'com.example.app.ShareActivity' }, attribute: 'exported', value: 'false' }],
          severity: 'low',
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'activity',
              name: 'com.example.app.ShareActivity',
              detail: 'android:exported=true',
              sdk: null,
            },
          ],
        },
      ],
    },
    {
      name: 'an exported provider is high; a service exported by its intent filter is medium and says so',
      evidence: evidenceOf(
        makeFacts({ components: [provider('com.example.app.DataProvider'), service('com.example.app.Sync', ['com.example.SYNC'])] }),
      ),
      findings: [
        {
          messageId: 'exported',
          data: {
            type: { zh: '内容提供器', en: 'Provider' },
            component: 'com.example.app.DataProvider',
            owner: { zh: '', en: '' },
            reach: { zh: '访问其数据', en: 'query and change its data' },
            systemOnly: { zh: '', en: '' },
          },
          key: 'com.example.app.DataProvider',
          fix: [{ target: { element: 'provider', name: 'com.example.app.DataProvider' }, attribute: 'exported', value: 'false' }],
          severity: 'high',
        },
        {
          messageId: 'exported',
          data: {
            type: { zh: '服务', en: 'Service' },
            component: 'com.example.app.Sync',
            owner: { zh: '', en: '' },
            reach: { zh: '启动或绑定该服务', en: 'start or bind to it' },
            systemOnly: { zh: '', en: '' },
          },
          key: 'com.example.app.Sync',
          fix: null,
          severity: 'medium',
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'service',
              name: 'com.example.app.Sync',
              detail: 'android:exported absent, implied true by intent-filter',
              sdk: null,
            },
          ],
        },
      ],
    },
    {
      name: 'a receiver of system-only broadcasts is low, one with any other action medium',
      evidence: evidenceOf(
        makeFacts({
          components: [
            receiver('com.example.app.BootReceiver', ['android.intent.action.BOOT_COMPLETED', 'android.intent.action.MY_PACKAGE_REPLACED']),
            receiver('com.example.app.Mixed', ['android.intent.action.BOOT_COMPLETED', 'com.example.app.WAKE']),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'exported',
          data: {
            type: { zh: '广播接收器', en: 'Receiver' },
            component: 'com.example.app.Mixed',
            owner: { zh: '', en: '' },
            reach: { zh: '向其发送广播', en: 'send it broadcasts' },
            systemOnly: { zh: '', en: '' },
          },
          key: 'com.example.app.Mixed',
          fix: null,
          severity: 'medium',
        },
        {
          messageId: 'exported',
          data: {
            type: { zh: '广播接收器', en: 'Receiver' },
            component: 'com.example.app.BootReceiver',
            owner: { zh: '', en: '' },
            reach: { zh: '向其发送广播', en: 'send it broadcasts' },
            systemOnly: {
              zh: '；其监听的均为仅系统可发送的受保护广播，但其他应用仍可用显式 Intent 调用它',
              en: '; it only listens for protected broadcasts that only the system can send, yet other apps can still call it with an explicit intent',
            },
          },
          key: 'com.example.app.BootReceiver',
          fix: [{ target: { element: 'receiver', name: 'com.example.app.BootReceiver' }, attribute: 'exported', value: 'false' }],
          severity: 'low',
        },
      ],
    },
    {
      name: 'a component an SDK owns is attributed to it',
      evidence: evidenceOf(
        makeFacts({
          components: [push],
          sdks: [sdk('jpush', { evidence: { classes: 50, classExamples: [], components: [push.name], nativeLibraries: [], domains: [] } })],
        }),
      ),
      findings: [
        {
          messageId: 'exported',
          data: {
            type: { zh: '服务', en: 'Service' },
            component: 'cn.jpush.android.service.PushService',
            owner: { zh: '（来自 jpush）', en: ' (from jpush)' },
            reach: { zh: '启动或绑定该服务', en: 'start or bind to it' },
            systemOnly: { zh: '', en: '' },
          },
          key: push.name,
          fix: null,
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'service',
              name: push.name,
              detail: 'android:exported absent, implied true by intent-filter',
              sdk: 'jpush',
            },
          ],
        },
      ],
    },
  ],
});
