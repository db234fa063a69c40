import { defineRule } from '../engine/define.js';
import type { FixInput } from '../engine/types.js';

function cleartextFix(networkSecurityConfig: string | null): FixInput {
  const config = networkSecurityConfig
    ? {
        zh: `Android 7.0 及以上由网络安全配置 ${networkSecurityConfig} 决定，需在其中同样设置 cleartextTrafficPermitted="false"。`,
        en: `On Android 7.0 and later the network security config ${networkSecurityConfig} decides instead: set cleartextTrafficPermitted="false" there too.`,
      }
    : { zh: '', en: '' };
  return {
    edits: [{ target: { element: 'application' }, attribute: 'usesCleartextTraffic', value: 'false' }],
    note: {
      zh: `应用访问的所有地址须先改用 HTTPS，否则这些请求会失败。${config.zh}`,
      en: `Every address the app calls must use HTTPS first, or those requests fail.${config.en ? ` ${config.en}` : ''}`,
    },
  };
}

/** Plain HTTP lets anyone on the network path read or change what the app sends, personal information included. */
export const cleartextTraffic = defineRule({
  meta: {
    id: 'cleartext-traffic',
    measures: ['miit26-14'],
    evidence: ['apk'],
    appliesTo: ['apk', 'aar'],
    severity: 'medium',
    fixable: 'manifest',
    title: { zh: '允许明文网络传输', en: 'Cleartext network traffic allowed' },
    description: {
      zh: '应用允许未加密的 HTTP 等明文流量时，同一网络中的他人可以窃听或篡改传输内容，其中可能包含个人信息，不符合采取技术措施保障个人信息安全的要求。',
      en: 'When an app allows unencrypted traffic such as plain HTTP, others on the same network can read or alter what it sends, personal information included; that falls short of the technical safeguards operators must apply.',
    },
    fix: {
      zh: '将 android:usesCleartextTraffic 设为 false，或通过网络安全配置（networkSecurityConfig）仅对确需明文的域名放行；所有接口改用 HTTPS。',
      en: 'Set android:usesCleartextTraffic to false, or use a network security config that allows cleartext only for the domains that truly need it; move every endpoint to HTTPS.',
    },
    messages: {
      allowed: {
        zh: '清单声明允许明文流量（android:usesCleartextTraffic="true"）{config}。',
        en: 'The manifest allows cleartext traffic (android:usesCleartextTraffic="true"){config}.',
      },
      defaultAllowed: {
        zh: '清单未设置 android:usesCleartextTraffic，也没有网络安全配置；目标 API 级别为 {targetSdk}（低于 28），此时 Android 默认允许明文流量。',
        en: 'The manifest sets neither android:usesCleartextTraffic nor a network security config, and targets API {targetSdk}; below API 28 Android allows cleartext traffic by default.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const { usesCleartextTraffic, networkSecurityConfig } = facts.app.flags;
    if (usesCleartextTraffic === true) {
      // On Android 7.0+ a network security config replaces this flag, so the reader needs to know one exists.
      const config = networkSecurityConfig
        ? {
            zh: `；另有网络安全配置 ${networkSecurityConfig}，在 Android 7.0 及以上由它决定是否允许明文`,
            en: `; a network security config (${networkSecurityConfig}) also exists and decides on Android 7.0 and later`,
          }
        : { zh: '', en: '' };
      return [
        {
          key: 'application',
          messageId: 'allowed',
          messageData: { config },
          evidence: [
            { kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:usesCleartextTraffic=true' },
          ],
          data: { explicit: true, networkSecurityConfig },
          fix: cleartextFix(networkSecurityConfig),
        },
      ];
    }
    // A library's manifest defaults say nothing: the app that merges it decides its own target level.
    if (usesCleartextTraffic !== null || networkSecurityConfig !== null || facts.file.kind !== 'apk') return [];
    // Without targetSdkVersion Android uses minSdkVersion, and without that API level 1.
    const targetSdk = facts.app.targetSdk ?? facts.app.minSdk ?? 1;
    if (targetSdk >= 28) return [];
    return [
      {
        key: 'application',
        severity: 'low',
        messageId: 'defaultAllowed',
        messageData: { targetSdk },
        evidence: [
          {
            kind: 'manifest',
            artifact: 'AndroidManifest.xml',
            element: 'application',
            detail: `android:usesCleartextTraffic absent (default true for targetSdkVersion ${targetSdk} < 28)`,
          },
        ],
        data: { explicit: false, targetSdk },
        fix: cleartextFix(null),
      },
    ];
  },
});
