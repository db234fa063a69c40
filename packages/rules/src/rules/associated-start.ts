import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { codeRef, describeCallers, intentActions, manifestRef, sdkOfComponent } from '../evidence/queries.js';

/** Code that starts another app by package name. */
const LAUNCH_OTHER_APP = 'packageManager.getLaunchIntentForPackage';
/** Code that addresses a component of a named package; in push SDKs this is how they wake each other. */
const EXPLICIT_TARGET = new Set(['componentName.init', 'intent.setClassName', 'intent.setPackage']);
/** SDK kinds whose job is handing the user over to a partner app (log in with WeChat, pay with Alipay). */
const HANDOFF_CATEGORIES = new Set(['social', 'login', 'payment']);
/** SDK kinds known for waking their other host apps ("链式唤醒"). */
const WAKING_CATEGORIES = new Set(['push', 'im-rtc']);

export const associatedStart = defineRule({
  meta: {
    id: 'associated-start',
    measures: ['miit26-06'],
    evidence: ['apk'],
    severity: 'medium',
    title: { zh: '关联启动与唤醒其他应用', en: 'Starting or waking other apps' },
    description: {
      zh: '应用或 SDK 按包名启动其他应用，或推送类 SDK 导出可被其他应用唤醒的组件并构造指向其他应用的显式 Intent（链式唤醒）。26 号文要求无合理场景不得关联启动、唤醒、调用其他应用。',
      en: 'The app or an SDK starts other apps by package name, or a push SDK exports components other apps can wake and builds explicit intents to other packages (chain wake-ups). The 2023 notice forbids starting, waking or calling other apps without a service need.',
    },
    fix: {
      zh: '删除无业务必要的关联启动代码；在推送 SDK 配置中关闭应用间唤醒（如「关联启动」「保活」开关），并给其导出组件加权限或设为不导出。',
      en: 'Remove code that starts other apps without a service need; switch off cross-app wake-ups in the push SDK settings (often called associated start or keep-alive) and protect or un-export its components.',
    },
    messages: {
      api: {
        zh: '代码按包名获取其他应用的启动 Intent（getLaunchIntentForPackage），可拉起其他应用；调用方：{use}。',
        en: "Code gets other apps' launch intents by package name (getLaunchIntentForPackage) and can start them; called by {use}.",
      },
      sdk: {
        zh: '{name} 导出了 {components} 个无权限保护、可被其他应用唤醒的组件{explicit}，存在应用间相互唤醒的可能。',
        en: '{name} exports {components} component{s} other apps can wake without a permission{explicit}: apps embedding it can wake each other.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const findings: FindingInput[] = [];
    const ownPackage = facts.app.package;
    for (const use of facts.sensitiveApis) {
      if (use.api === LAUNCH_OTHER_APP) {
        // Opening the partner app is what these SDKs are for, on the user's tap: worth knowing, rarely the problem.
        const handoffOnly = use.callers.every((c) => {
          const category = c.sdk ? facts.sdks.find((s) => s.id === c.sdk)?.category : undefined;
          return category !== undefined && HANDOFF_CATEGORIES.has(category);
        });
        findings.push({
          key: `api:${use.api}`,
          severity: handoffOnly ? 'low' : undefined,
          messageId: 'api',
          messageData: { use: { zh: describeCallers(facts, use, 'zh'), en: describeCallers(facts, use, 'en') } },
          evidence: use.callers.slice(0, 10).map((c) => codeRef(use, c)),
          data: { api: use.api, callerCount: use.callerCount },
        });
      }
    }
    const wakingSdks = facts.sdks.filter((s) => WAKING_CATEGORIES.has(s.category));
    for (const sdk of wakingSdks) {
      const components = facts.components.filter(
        (c) =>
          c.type !== 'activity' &&
          c.exported &&
          c.permission === null &&
          intentActions(c).length > 0 &&
          sdkOfComponent(facts, c.name)?.id === sdk.id,
      );
      const explicit = facts.sensitiveApis.flatMap((use) =>
        EXPLICIT_TARGET.has(use.api) ? use.callers.filter((c) => c.sdk === sdk.id).map((c) => codeRef(use, c)) : [],
      );
      if (components.length === 0) continue;
      findings.push({
        key: `sdk:${sdk.id}`,
        // Wake-able components plus code addressing other packages is the chain wake-up pattern itself.
        severity: explicit.length > 0 ? 'medium' : 'low',
        messageId: 'sdk',
        messageData: {
          name: sdk.name,
          components: components.length,
          s: components.length === 1 ? '' : 's',
          explicit: {
            zh: explicit.length > 0 ? '，且其代码构造指向其他包的显式 Intent' : '',
            en: explicit.length > 0 ? ', and its code builds explicit intents to other packages' : '',
          },
        },
        evidence: [
          { kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version },
          ...components.map((c) => manifestRef(c, `exported, actions=${intentActions(c).join(',')}`, sdk.id)),
          ...explicit.slice(0, 5),
        ],
        data: { sdk: sdk.id, components: components.map((c) => c.name), explicitIntentCallers: explicit.length, ownPackage },
      });
    }
    return findings;
  },
});
