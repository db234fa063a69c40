import { defineRule } from '../engine/define.js';
import { intentActions, manifestRef, sdkName, sdkOfComponent } from '../evidence/queries.js';

/**
 * System broadcasts a manifest receiver can use to start the app's process without the user opening
 * it: boot, unlock, network and package changes, power. Grouped by what they reveal to a reader.
 */
export const SELF_START_TRIGGERS: Readonly<Record<string, string>> = {
  'android.intent.action.BOOT_COMPLETED': 'boot',
  'android.intent.action.LOCKED_BOOT_COMPLETED': 'boot',
  'android.intent.action.QUICKBOOT_POWERON': 'boot',
  'com.htc.intent.action.QUICKBOOT_POWERON': 'boot',
  'android.intent.action.REBOOT': 'boot',
  'android.intent.action.USER_PRESENT': 'unlock',
  'android.intent.action.USER_UNLOCKED': 'unlock',
  'android.intent.action.SCREEN_ON': 'unlock',
  'android.net.conn.CONNECTIVITY_CHANGE': 'network',
  'android.net.wifi.STATE_CHANGE': 'network',
  'android.net.wifi.WIFI_STATE_CHANGED': 'network',
  'android.intent.action.PACKAGE_ADDED': 'packages',
  'android.intent.action.PACKAGE_REMOVED': 'packages',
  'android.intent.action.PACKAGE_REPLACED': 'packages',
  'android.intent.action.PACKAGE_CHANGED': 'packages',
  'android.intent.action.PACKAGE_RESTARTED': 'packages',
  'android.intent.action.MY_PACKAGE_REPLACED': 'packages',
  'android.intent.action.ACTION_POWER_CONNECTED': 'power',
  'android.intent.action.ACTION_POWER_DISCONNECTED': 'power',
  'android.intent.action.BATTERY_CHANGED': 'power',
  'android.intent.action.BATTERY_LOW': 'power',
  'android.intent.action.BATTERY_OKAY': 'power',
  'android.intent.action.MEDIA_MOUNTED': 'media',
  'android.intent.action.TIME_SET': 'time',
  'android.intent.action.TIMEZONE_CHANGED': 'time',
  'android.intent.action.DATE_CHANGED': 'time',
  'android.intent.action.PHONE_STATE': 'telephony',
  'android.intent.action.NEW_OUTGOING_CALL': 'telephony',
  'android.provider.Telephony.SMS_RECEIVED': 'telephony',
};

const TRIGGER_TEXT: Record<string, { zh: string; en: string }> = {
  boot: { zh: '开机', en: 'boot' },
  unlock: { zh: '解锁/亮屏', en: 'unlock or screen on' },
  network: { zh: '网络变化', en: 'network changes' },
  packages: { zh: '应用安装/卸载/更新', en: 'app installs, removals and updates' },
  power: { zh: '充电与电量变化', en: 'power and battery changes' },
  media: { zh: '存储挂载', en: 'storage mounts' },
  time: { zh: '时间变化', en: 'time changes' },
  telephony: { zh: '来电/短信', en: 'calls and SMS' },
};

export const selfStartReceivers = defineRule({
  meta: {
    id: 'self-start-receivers',
    measures: ['miit26-06'],
    evidence: ['apk'],
    appliesTo: ['apk', 'aar'],
    severity: 'medium',
    title: { zh: '注册了可自启动的系统广播', en: 'Receivers that can self-start the app' },
    description: {
      zh: '在清单中监听开机、解锁、网络变化、应用安装等系统广播的接收器，可在用户未打开应用时拉起应用进程。26 号文要求无合理场景不得自启动；此类接收器需说明业务必要性并在用户同意后才启用。',
      en: 'Manifest receivers for boot, unlock, network, package and power broadcasts can start the app process without the user opening it. The 2023 notice forbids self-starting without a service need; each such receiver needs a reason and should only act after consent.',
    },
    fix: {
      zh: '删除不必要的接收器；必需的接收器改为在应用运行时动态注册，或默认禁用（android:enabled="false"）并在用户同意后启用；在隐私政策中说明自启动场景。对 SDK 引入的接收器，按 SDK 合规说明关闭其自启动能力。',
      en: 'Remove receivers you do not need; register needed ones at runtime, or ship them disabled (android:enabled="false") and enable them after consent; explain any self-start in the privacy policy. For receivers an SDK adds, turn its self-start off as its compliance guide describes.',
    },
    options: { actions: { type: 'array', items: { type: 'string' }, uniqueItems: true, default: Object.keys(SELF_START_TRIGGERS) } },
    messages: {
      receiver: {
        zh: '接收器 {component}{owner} 监听{said}广播，可在用户未操作时启动应用{disabled}。',
        en: 'Receiver {component}{owner} listens for {said} broadcasts and can start the app without user action{disabled}.',
      },
    },
  },
  check({ evidence, options }) {
    const facts = evidence.package;
    const watched = new Set(options.actions);
    const findings = [];
    for (const component of facts.components) {
      if (component.type !== 'receiver') continue;
      const actions = intentActions(component).filter((a) => watched.has(a));
      if (actions.length === 0) continue;
      const sdk = sdkOfComponent(facts, component.name);
      const triggers = [...new Set(actions.map((a) => SELF_START_TRIGGERS[a] ?? 'other'))];
      const said = (lang: 'zh' | 'en') => triggers.map((t) => TRIGGER_TEXT[t]?.[lang] ?? t).join(lang === 'zh' ? '、' : ', ');
      const owner = (lang: 'zh' | 'en') => (sdk ? sdkName(facts, sdk.id, lang) : null);
      // A receiver shipped disabled starts nothing until the app enables it, normally after consent.
      const disabled = component.enabled === false;
      findings.push({
        key: component.name,
        severity: disabled ? ('low' as const) : undefined,
        messageId: 'receiver',
        messageData: {
          component: component.name,
          said: { zh: said('zh'), en: said('en') },
          owner: { zh: owner('zh') ? `（来自 ${owner('zh')}）` : '', en: owner('en') ? ` (from ${owner('en')})` : '' },
          disabled: { zh: disabled ? '（清单中默认禁用）' : '', en: disabled ? ' (disabled in the manifest)' : '' },
        },
        evidence: actions.map((a) => manifestRef(component, `intent-filter/action=${a}`, sdk?.id ?? null)),
        data: { actions, triggers, sdk: sdk?.id ?? null, enabled: component.enabled },
      });
    }
    return findings;
  },
});
