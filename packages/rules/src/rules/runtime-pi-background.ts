import type { ApiEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  apiFacts,
  attributeStack,
  buildTimeline,
  callerLabel,
  isApi,
  isPermissionRequest,
  joinList,
  piLabel,
  seconds,
  traceRef,
  type Located,
} from '../evidence/trace.js';

const BACKGROUND_LOCATION = 'android.permission.ACCESS_BACKGROUND_LOCATION';

export const runtimePiBackground = defineRule({
  meta: {
    id: 'runtime-pi-background',
    measures: ['miit26-08', 'miit164-t2'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '应用在后台或未运行时收集个人信息', en: 'Personal information collected in the background' },
    description: {
      zh: '164 号文任务 2（超范围收集）把应用在静默、后台状态下收集个人信息列为检测场景；26 号文第 8 条要求处理个人信息目的明确、合理。本规则报告应用处于后台或进程未在前台运行（按事件的 state，或最近的生命周期事件推断）时读取个人信息的 API 调用，按调用方和个人信息类别归并。用户授予了后台定位权限时，后台读取位置仍报告，但降为低风险。',
      en: 'Task 2 of MIIT 164号 (collection beyond need) tests for PI collected while the app is silent or in the background, and measure 8 of the 2023 notice asks for a clear, reasonable purpose. This rule reports calls reading PI while the app is in the background or not running (the event’s state, else the one the last lifecycle event set), grouped by caller and PI category. Location read in the background after the user granted ACCESS_BACKGROUND_LOCATION is still reported, at low severity.',
    },
    fix: {
      zh: '退到后台时停止定位、传感器和设备信息采集，注销监听；确需后台采集（如导航、运动记录）时向用户说明并取得后台定位等权限，在前台通知中提示，并在隐私政策中写明。',
      en: 'Stop location, sensor and device-data collection and unregister listeners when the app goes to the background; where background collection is really needed (navigation, workout tracking) tell the user, get the background permission, show a foreground notification and say so in the privacy policy.',
    },
    options: { maxEvidence: { type: 'integer', minimum: 1, default: 3 } },
    messages: {
      background: {
        zh: '应用在后台或未在前台运行时，{sdk}读取了{pi}：{apis}，共 {events} 次，首次在第 {t} 秒{allowed}。',
        en: 'While the app was in the background or not running, {sdk} read {pi}: {apis}, {events} call(s), first at {t} s{allowed}.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const trace = evidence.trace;
    const maxEvidence = options.maxEvidence;
    const groups = new Map<string, { sdk: string | null; pi: string; events: Located<ApiEvent>[]; apis: Set<string>; allowed: boolean }>();
    let backgroundLocation = false;
    for (const { event, state } of buildTimeline(trace)) {
      if (isPermissionRequest(event)) {
        const i = event.permissions.indexOf(BACKGROUND_LOCATION);
        const answer = i >= 0 ? event.answers?.[i] : undefined;
        if (answer === 'granted' || answer === 'already-granted') backgroundLocation = true;
        else if (answer === 'denied' || answer === 'denied-forever') backgroundLocation = false;
      }
      if (!isApi(event) || (state !== 'background' && state !== 'not-running')) continue;
      const facts = apiFacts(knowledge, event);
      if (!facts.pi) continue;
      const { sdk } = attributeStack(knowledge, event.stack, evidence.trace);
      const allowed = facts.pi === 'location' && backgroundLocation;
      const key = `${sdk ?? 'app'}:${facts.pi}`;
      const group = groups.get(key) ?? { sdk, pi: facts.pi, events: [], apis: new Set<string>(), allowed };
      group.events.push(event);
      group.apis.add(facts.name);
      group.allowed &&= allowed;
      groups.set(key, group);
    }
    const findings: FindingInput[] = [];
    for (const [key, g] of groups) {
      const first = g.events[0]!;
      const apis = [...g.apis];
      findings.push({
        key,
        severity: g.allowed ? 'low' : undefined,
        messageId: 'background',
        messageData: {
          sdk: { zh: callerLabel(knowledge, g.sdk, 'zh'), en: callerLabel(knowledge, g.sdk, 'en') },
          pi: { zh: piLabel(knowledge, g.pi, 'zh'), en: piLabel(knowledge, g.pi, 'en') },
          apis: { zh: joinList(apis, 'zh'), en: joinList(apis, 'en') },
          events: g.events.length,
          t: seconds(first.t),
          allowed: {
            zh: g.allowed ? '（用户已授予后台定位权限，请确认确有后台定位场景并已告知）' : '',
            en: g.allowed ? ' (the user granted background location: check there is a background scenario the user was told of)' : '',
          },
        },
        evidence: g.events.slice(0, maxEvidence).map((e) => traceRef(e, `${apiFacts(knowledge, e).name} in the background`)),
        data: { sdk: g.sdk, pi: g.pi, apis, calls: g.events.length, firstMs: first.t, backgroundLocationGranted: g.allowed },
      });
    }
    return findings;
  },
});
