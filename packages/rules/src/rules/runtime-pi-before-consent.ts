import type { ApiEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  apiFacts,
  attributeStack,
  buildTimeline,
  callerLabel,
  isApi,
  isConsent,
  joinList,
  piLabel,
  seconds,
  traceRef,
  type Located,
} from '../evidence/trace.js';

const SDK_ONLY = new Set(['miit26-20', 'tc260-sdk-init-after-consent']);
const MEASURES = ['miit26-08', 'miit26-20', 'cac2019-3.1', 'miit164-t1', 'tc260-sdk-init-after-consent'];

export const runtimePiBeforeConsent = defineRule({
  meta: {
    id: 'runtime-pi-before-consent',
    measures: MEASURES,
    evidence: ['trace'],
    severity: 'high',
    title: { zh: '用户同意隐私政策前收集个人信息', en: 'Personal information collected before consent' },
    description: {
      zh: '认定方法 3.1 将“征得用户同意前就开始收集个人信息”认定为违法违规；26 号文第 20 条要求 SDK 提供可由 APP 配置的功能选项，行业 SDK 指引要求 SDK 在宿主 APP 取得用户同意前不收集个人信息。本规则在运行时记录中查找首次“同意”隐私政策之前读取个人信息的敏感 API 调用，按调用栈归属到应用或 SDK，每个（调用方，个人信息类别）报告一条。',
      en: 'Scenario 3.1 of the 2019 认定方法 counts collecting PI before the user consents as unlawful, measure 20 of the 2023 notice asks SDKs to let apps configure their functions, and the industry SDK guides say SDKs collect nothing before the host app has consent. This rule finds sensitive-API calls that read PI before the first "agreed" consent event in the runtime trace, attributes each to the app or an SDK by its call stack, and reports one finding per (caller, PI category).',
    },
    fix: {
      zh: '在用户点击“同意”隐私政策之前，不初始化会收集个人信息的 SDK，也不调用读取设备标识、位置、应用列表等的接口；把 SDK 初始化移到同意回调之后，并使用 SDK 提供的“延迟初始化”或合规开关。',
      en: 'Before the user agrees to the privacy policy, initialise no SDK that collects PI and call no API that reads identifiers, location, the app list and the like: move SDK initialisation into the consent callback and use the SDKs’ deferred-initialisation or compliance switches.',
    },
    options: { maxEvidence: { type: 'integer', minimum: 1, default: 3 } },
    messages: {
      beforeConsent: {
        zh: '用户同意隐私政策前，{sdk}读取了{pi}：{apiList}，共 {events} 次，首次在第 {t} 秒{when}。',
        en: 'Before the user agreed to the privacy policy, {sdk} read {pi}: {apiList}, {events} call(s), first at {t} s{when}.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const trace = evidence.trace;
    const maxEvidence = options.maxEvidence;
    const timeline = buildTimeline(trace);
    const agreed = trace.events.find((e) => isConsent(e) && e.action === 'agreed');
    const anyConsent = trace.events.some(isConsent);
    const groups = new Map<string, { sdk: string | null; pi: string; events: Located<ApiEvent>[]; apis: Set<string> }>();
    for (const { event, consent } of timeline) {
      if (consent === 'agreed' || consent === 'refused' || consent === 'withdrawn') break; // refusals: runtime-pi-after-refusal
      if (!isApi(event)) continue;
      const facts = apiFacts(knowledge, event);
      if (!facts.pi) continue;
      const { sdk } = attributeStack(knowledge, event.stack, evidence.trace);
      const key = `${sdk ?? 'app'}:${facts.pi}`;
      const group = groups.get(key) ?? { sdk, pi: facts.pi, events: [], apis: new Set<string>() };
      group.events.push(event);
      group.apis.add(facts.name);
      groups.set(key, group);
    }
    const findings: FindingInput[] = [];
    for (const [key, { sdk, pi, events, apis }] of groups) {
      const first = events[0]!;
      const apiList = [...apis];
      const when = {
        zh: agreed
          ? `（用户在第 ${seconds(agreed.t)} 秒同意）`
          : anyConsent
            ? '（记录中用户始终未同意）'
            : '（记录中没有隐私政策同意事件）',
        en: agreed
          ? ` (the user agreed at ${seconds(agreed.t)} s)`
          : anyConsent
            ? ' (the user never agreed in this trace)'
            : ' (the trace has no consent event)',
      };
      findings.push({
        key,
        // Without any consent event the recorder may have missed the dialog: still worth a look, less certain.
        severity: anyConsent ? undefined : 'medium',
        measures: sdk ? MEASURES : MEASURES.filter((m) => !SDK_ONLY.has(m)),
        messageId: 'beforeConsent',
        messageData: {
          sdk: { zh: callerLabel(knowledge, sdk, 'zh'), en: callerLabel(knowledge, sdk, 'en') },
          pi: { zh: piLabel(knowledge, pi, 'zh'), en: piLabel(knowledge, pi, 'en') },
          apiList: { zh: joinList(apiList, 'zh'), en: joinList(apiList, 'en') },
          events: events.length,
          t: seconds(first.t),
          when,
        },
        evidence: [
          ...events
            .slice(0, maxEvidence)
            .map((e) => traceRef(e, `${apiFacts(knowledge, e).name} before consent${sdk ? ` (sdk ${sdk})` : ''}`)),
          ...(agreed ? [traceRef(agreed, 'consent agreed')] : []),
        ],
        data: { sdk, pi, apis: apiList, calls: events.length, firstMs: first.t, agreedMs: agreed?.t ?? null },
      });
    }
    return findings;
  },
});
