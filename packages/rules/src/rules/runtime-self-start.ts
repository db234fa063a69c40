import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  isLifecycle,
  isNavigation,
  judgeTrigger,
  sdkLabel,
  sdkOfClass,
  seconds,
  traceRef,
  UNKNOWN_TRIGGER_SETTLE,
  userActionBefore,
  type AnyEvent,
} from '../evidence/trace.js';
import type { IntentEvent } from '@apprights/runtime';

const MEASURES = ['miit26-06', 'miit164-t6', 'taf078-self-start', 'tc260-sdk-no-self-start'];
const SDK_ONLY = new Set(['tc260-sdk-no-self-start']);

const CAUSE_TEXT: Record<string, { zh: string; en: string }> = {
  boot: { zh: '开机广播', en: 'the boot broadcast' },
  broadcast: { zh: '系统或其他广播', en: 'a broadcast' },
  push: { zh: '推送', en: 'a push message' },
  alarm: { zh: '定时闹钟', en: 'an alarm' },
  job: { zh: '后台任务调度', en: 'a scheduled job' },
  service: { zh: '服务绑定或启动', en: 'a service start or bind' },
  unknown: { zh: '未知原因', en: 'an unknown cause' },
};

type Kind = 'self-start' | 'started-by' | 'wakes' | 'wakes-unknown';

const isIntent = (e: AnyEvent): e is AnyEvent & IntentEvent & { line: number } => e.kind === 'intent';

export const runtimeSelfStart = defineRule({
  meta: {
    id: 'runtime-self-start',
    measures: MEASURES,
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '运行时自启动或关联启动', en: 'Self-start or associated start at run time' },
    description: {
      zh: '26 号文第 6 条要求没有服务需要或合理场景时，APP 不得自行启动，也不得关联启动、唤醒其他 APP；APP 内集成的 SDK 同样适用，行业 SDK 指引亦有同样要求；164 号文任务 6 与 T/TAF 078.10 检测频繁自启动和关联启动。本规则在运行时记录中报告：因开机、广播、推送、闹钟、任务调度而非用户从桌面启动的进程启动（self-start）；用户未操作时被其他 APP 拉起（started-by）；应用在用户未操作时启动或唤醒其他 APP（wakes，包括 1.1 轨迹中指向其他应用的 activity、service、receiver intent）。跳转没有记录触发方式、之前也没有用户输入时，不会被忽略，而以低置信度报告（wakes-unknown），并说明什么证据可以判定。',
      en: 'Measure 6 of the 2023 notice forbids an app to start itself, or launch or wake other apps, without a service need or sensible scenario; the same holds for the SDKs inside the app, as the industry SDK guides also say; task 6 of MIIT 164号 and T/TAF 078.10 test for frequent self-start and associated start. This rule reports, from the runtime trace: process starts caused by boot, broadcasts, push, alarms or jobs rather than the user opening the app (`self-start`); starts by another app without a user action (`started-by`); and the app starting or waking other apps without a user action (`wakes`, including 1.1 intents to another app’s activity, service or receiver). A jump with no recorded trigger and no user input before it is not dropped: it is reported with low confidence (`wakes-unknown`), saying what evidence would settle it.',
    },
    fix: {
      zh: '关闭推送、统计等 SDK 的自启动和“链式唤醒”功能；不要监听开机等广播拉起进程；只在用户明确操作（如点击“打开某 APP”）后再跳转或启动其他应用，并在隐私政策中说明必要的自启动场景。',
      en: 'Switch off the self-start and “chain wake-up” features of push, analytics and other SDKs; do not start the process from boot and similar broadcasts; open or start other apps only after a clear user action (a tap on “open X”), and explain any needed self-start in the privacy policy.',
    },
    options: {
      causes: {
        type: 'array',
        items: { type: 'string' },
        uniqueItems: true,
        default: ['boot', 'broadcast', 'push', 'alarm', 'job'],
      },
      userActionSeconds: { type: 'number', minimum: 0, default: 5 },
    },
    messages: {
      selfStart: {
        zh: '第 {at} 秒，应用进程因{cause}自行启动，而非用户从桌面打开{component}{times}。',
        en: 'At {at} s the app’s process was started by {cause}, not by the user opening it{component}{times}.',
      },
      startedBy: {
        zh: '第 {at} 秒，应用在用户未操作时被 {other} 拉起（关联启动）{component}{times}。',
        en: 'At {at} s the app was started by {other} with no user action (associated start){component}{times}.',
      },
      wakes: {
        zh: '第 {at} 秒，应用在用户未操作时启动或唤醒了其他应用 {other}{component}{times}。',
        en: 'At {at} s the app started or woke another app, {other}, with no user action{component}{times}.',
      },
      wakesUnknown: {
        zh: '第 {at} 秒，应用启动或唤醒了其他应用 {other}{component}{times}，可能是关联启动（置信度低）：{settle}。',
        en: 'At {at} s the app started or woke another app, {other}{component}{times}: possibly an associated start (low confidence): {settle}.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const events = evidence.trace.events;
    const causes = new Set(options.causes);
    const userWindow = options.userActionSeconds * 1000;
    const own = evidence.trace.header?.package;
    const found = new Map<string, { kind: Kind; what: string; sdk: string | null; events: AnyEvent[] }>();
    const add = (kind: Kind, what: string, sdk: string | null, event: AnyEvent) => {
      const key = `${kind}:${what}`;
      const entry = found.get(key) ?? { kind, what, sdk, events: [] };
      entry.events.push(event);
      found.set(key, entry);
    };
    events.forEach((event, i) => {
      const userActed = () => userActionBefore(events, i, userWindow) !== undefined;
      if (isLifecycle(event)) {
        const sdk = event.component ? sdkOfClass(knowledge, event.component, evidence.trace) : null;
        if (event.action === 'process-start') {
          if (event.cause === 'other-app') {
            if (!userActed()) add('started-by', event.other ?? 'unknown', sdk, event);
          } else if (event.cause && causes.has(event.cause))
            add('self-start', `${event.cause}${event.component ? `:${event.component}` : ''}`, sdk, event);
        } else if (event.other && event.other !== own && !userActed()) add('wakes', event.other, sdk, event);
      } else if (isNavigation(event) && event.action === 'jump-app') {
        // One rule for every trigger (judgeTrigger): the app's own starts are reported, unknown ones
        // with low confidence and what would settle them; the user's, a push's and a shake's are not
        // (shakes are ui-shake-jump's).
        const trigger = judgeTrigger(events, i, userWindow).trigger;
        const sdk = event.sdk && knowledge.sdks.get(event.sdk) ? event.sdk : null;
        if (trigger === 'app') add('wakes', event.target, sdk, event);
        else if (trigger === 'unknown') add('wakes-unknown', event.target, sdk, event);
      } else if (isIntent(event) && event.target && event.target !== own && event.component !== 'provider') {
        // 1.1 intents: an explicit or resolved start of another app's activity, service or receiver.
        const trigger = judgeTrigger(events, i, userWindow).trigger;
        const sdk = event.sdk && knowledge.sdks.get(event.sdk) ? event.sdk : null;
        if (trigger === 'app') add('wakes', event.target, sdk, event);
        else if (trigger === 'unknown') add('wakes-unknown', event.target, sdk, event);
      }
    });
    const findings: FindingInput[] = [];
    for (const [key, { kind, what, sdk, events: seen }] of found) {
      const first = seen[0]!;
      const component = isLifecycle(first) ? first.component : undefined;
      const owner = {
        zh: sdk ? `（SDK ${sdkLabel(knowledge, sdk, 'zh')}）` : '',
        en: sdk ? ` (SDK ${sdkLabel(knowledge, sdk, 'en')})` : '',
      };
      const comp = {
        zh: component ? `，组件 ${component}${owner.zh}` : owner.zh,
        en: component ? `, component ${component}${owner.en}` : owner.en,
      };
      const times = { zh: seen.length > 1 ? `，共 ${seen.length} 次` : '', en: seen.length > 1 ? `, ${seen.length} times` : '' };
      const at = seconds(first.t);
      let message;
      if (kind === 'self-start') {
        const cause = isLifecycle(first) ? (first.cause ?? 'unknown') : 'unknown';
        const text = CAUSE_TEXT[cause] ?? { zh: cause, en: cause };
        message = { messageId: 'selfStart', messageData: { at, cause: text, component: comp, times } };
      } else if (kind === 'started-by') message = { messageId: 'startedBy', messageData: { at, other: what, component: comp, times } };
      else if (kind === 'wakes') message = { messageId: 'wakes', messageData: { at, other: what, component: comp, times } };
      else
        message = {
          messageId: 'wakesUnknown',
          messageData: { at, other: what, component: comp, times, settle: UNKNOWN_TRIGGER_SETTLE },
        };
      const intent = isIntent(first) ? first : null;
      findings.push({
        key,
        ...(kind === 'wakes-unknown' ? { severity: 'low' as const } : {}),
        measures: sdk ? MEASURES : MEASURES.filter((m) => !SDK_ONLY.has(m)),
        ...message,
        evidence: seen
          .slice(0, 3)
          .map((e) =>
            traceRef(
              e,
              kind === 'self-start'
                ? `process start: ${what}`
                : kind === 'started-by'
                  ? `started by ${what}`
                  : `woke ${what}${kind === 'wakes-unknown' ? ' (trigger unknown)' : ''}`,
            ),
          ),
        data: {
          kind,
          target: what,
          sdk,
          component: component ?? intent?.targetComponent ?? null,
          occurrences: seen.length,
          firstMs: first.t,
          ...(intent ? { intent: { explicit: intent.explicit, component: intent.component } } : {}),
          ...(kind === 'wakes-unknown' ? { trigger: 'unknown', confidence: 'low' } : {}),
        },
      });
    }
    return findings;
  },
});
