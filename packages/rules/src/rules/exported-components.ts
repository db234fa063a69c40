import { defineRule } from '../engine/define.js';
import type { Bilingual, FindingInput, FixInput, Severity } from '../engine/types.js';
import type { Component, ComponentType } from '../evidence/package-facts.js';
import { COMPONENT_TYPE_NAMES, intentActions, isLauncherEntry, manifestRef, sdkName, sdkOfComponent } from '../evidence/queries.js';

/**
 * Protected broadcasts: Android refuses them from any sender but the system, so a receiver that only
 * filters for these is reached by other apps through an explicit intent alone.
 */
const SYSTEM_ONLY_ACTIONS = new Set([
  'android.intent.action.BOOT_COMPLETED',
  'android.intent.action.LOCKED_BOOT_COMPLETED',
  'android.intent.action.USER_PRESENT',
  'android.intent.action.USER_UNLOCKED',
  'android.intent.action.SCREEN_ON',
  'android.intent.action.SCREEN_OFF',
  'android.intent.action.ACTION_SHUTDOWN',
  'android.intent.action.PACKAGE_ADDED',
  'android.intent.action.PACKAGE_REMOVED',
  'android.intent.action.PACKAGE_REPLACED',
  'android.intent.action.PACKAGE_CHANGED',
  'android.intent.action.PACKAGE_FULLY_REMOVED',
  'android.intent.action.PACKAGE_DATA_CLEARED',
  'android.intent.action.PACKAGE_RESTARTED',
  'android.intent.action.MY_PACKAGE_REPLACED',
  'android.intent.action.ACTION_POWER_CONNECTED',
  'android.intent.action.ACTION_POWER_DISCONNECTED',
  'android.intent.action.BATTERY_CHANGED',
  'android.intent.action.BATTERY_LOW',
  'android.intent.action.BATTERY_OKAY',
  'android.intent.action.TIME_SET',
  'android.intent.action.TIMEZONE_CHANGED',
  'android.intent.action.DATE_CHANGED',
  'android.intent.action.LOCALE_CHANGED',
  'android.intent.action.AIRPLANE_MODE',
  'android.intent.action.MEDIA_MOUNTED',
  'android.intent.action.MEDIA_UNMOUNTED',
  'android.intent.action.MEDIA_REMOVED',
  'android.intent.action.DOWNLOAD_COMPLETE',
  'android.intent.action.PHONE_STATE',
  'android.intent.action.NEW_OUTGOING_CALL',
  'android.provider.Telephony.SMS_RECEIVED',
  'android.net.conn.CONNECTIVITY_CHANGE',
  'android.net.wifi.STATE_CHANGE',
  'android.net.wifi.WIFI_STATE_CHANGED',
  'android.bluetooth.adapter.action.STATE_CHANGED',
]);

/** What any other app on the device may do with an unprotected exported component. */
const REACH: Record<ComponentType, Bilingual> = {
  activity: { zh: '启动该界面', en: 'start it' },
  'activity-alias': { zh: '启动该界面', en: 'start it' },
  service: { zh: '启动或绑定该服务', en: 'start or bind to it' },
  receiver: { zh: '向其发送广播', en: 'send it broadcasts' },
  provider: { zh: '访问其数据', en: 'query and change its data' },
};

/** The home-screen entry has to be exported for the launcher to open it. */
function exportedDetail(component: Component): string {
  switch (component.exportedSource) {
    case 'explicit':
      return 'android:exported=true';
    case 'implied-by-intent-filter':
      return 'android:exported absent, implied true by intent-filter';
    case 'default':
      return 'android:exported absent, default true';
  }
}

/**
 * `android:exported="false"` as a mechanical fix, only where it takes away nothing the component is
 * declared to receive: a component with no intent filter is reached only by its class name, and a
 * receiver of protected broadcasts alone still gets them from the system when not exported. A screen
 * or service with intent filters (deep links, share targets, bound APIs) is left to a person.
 */
function unexportFix(component: Component, actions: readonly string[], fromSdk: boolean): FixInput | undefined {
  const systemOnly = component.type === 'receiver' && actions.length > 0 && actions.every((a) => SYSTEM_ONLY_ACTIONS.has(a));
  if (component.intentFilters.length > 0 && !systemOnly) return undefined;
  const library = fromSdk
    ? {
        zh: '该组件来自 SDK 的清单：在应用清单中声明同名组件并加 tools:node="merge" 以覆盖该属性。',
        en: 'The component comes from an SDK\'s manifest: declare it in the app\'s manifest with tools:node="merge" to override the attribute.',
      }
    : { zh: '', en: '' };
  return {
    edits: [{ target: { element: component.type, name: component.name }, attribute: 'exported', value: 'false' }],
    note: {
      zh: `${systemOnly ? '系统仍可向其发送这些受保护广播；' : ''}仅在其他应用（包括 adb）无需调用它时适用，否则它们的显式调用将失败。${library.zh}`,
      en: `${systemOnly ? 'The system still delivers those protected broadcasts to it. ' : ''}Only when no other app (adb included) needs to call it: their explicit intents fail afterwards.${library.en ? ` ${library.en}` : ''}`,
    },
  };
}

/** Components other apps can reach without holding any permission: the app's own attack surface. */
export const exportedComponents = defineRule({
  meta: {
    id: 'exported-components',
    measures: ['miit26-14'],
    evidence: ['apk'],
    appliesTo: ['apk', 'aar'],
    severity: 'medium',
    fixable: 'manifest',
    title: { zh: '导出的组件未受权限保护', en: 'Exported components without a permission' },
    description: {
      zh: '导出（exported）且未设置 android:permission 的组件可被设备上任何应用调用：界面可被直接打开、服务可被绑定、内容提供器中的数据可被读写，可能泄露个人信息或被滥用。',
      en: 'A component that is exported and has no android:permission can be called by any app on the device: screens can be opened directly, services bound and provider data read or written, which can leak personal information or be abused.',
    },
    fix: {
      zh: '不需要被其他应用调用的组件设为 android:exported="false"；确需导出的组件通过 android:permission 要求 signature 级别的权限，并在代码中校验调用方和输入。',
      en: 'Set android:exported="false" on components no other app needs; protect the ones that must be exported with a signature-level android:permission and check callers and input in code.',
    },
    messages: {
      exported: {
        zh: '{type} {component}{owner} 已导出且未设置权限，任何应用都可以{reach}{systemOnly}。',
        en: '{type} {component}{owner} is exported without a permission, so any app can {reach}{systemOnly}.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const findings: FindingInput[] = [];
    for (const component of facts.components) {
      if (!component.exported || component.permission !== null || isLauncherEntry(component, { tv: true })) continue;
      const actions = intentActions(component);
      let severity: Severity | undefined;
      if (component.type === 'provider') severity = 'high';
      // Screens are exported on purpose for deep links and sharing far more often than services are;
      // they still take input from any app, but one finding per screen at medium drowns the rest.
      else if (component.type === 'activity' || component.type === 'activity-alias') severity = 'low';
      else if (component.type === 'receiver' && actions.length > 0 && actions.every((a) => SYSTEM_ONLY_ACTIONS.has(a))) severity = 'low';
      const sdk = sdkOfComponent(facts, component.name);
      const owner = (lang: 'zh' | 'en') => {
        const name = sdkName(facts, sdk?.id, lang);
        if (!name) return '';
        return lang === 'zh' ? `（来自 ${name}）` : ` (from ${name})`;
      };
      const systemOnly =
        severity === 'low' && component.type === 'receiver'
          ? {
              zh: '；其监听的均为仅系统可发送的受保护广播，但其他应用仍可用显式 Intent 调用它',
              en: '; it only listens for protected broadcasts that only the system can send, yet other apps can still call it with an explicit intent',
            }
          : { zh: '', en: '' };
      const type = COMPONENT_TYPE_NAMES[component.type];
      const reach = REACH[component.type];
      const fix = unexportFix(component, actions, sdk !== undefined);
      findings.push({
        key: component.name,
        severity,
        messageId: 'exported',
        messageData: { type, component: component.name, owner: { zh: owner('zh'), en: owner('en') }, reach, systemOnly },
        evidence: [manifestRef(component, exportedDetail(component), sdk?.id ?? null)],
        data: { type: component.type, exportedSource: component.exportedSource, actions, sdk: sdk?.id ?? null },
        ...(fix ? { fix } : {}),
      });
    }
    return findings;
  },
});
