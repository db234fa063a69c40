import type { ApiEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  apiFacts,
  attributeStack,
  callerLabel,
  capitalise,
  isApi,
  joinList,
  piLabel,
  seconds,
  traceRef,
  type Located,
} from '../evidence/trace.js';

/** The most calls within any window of `windowMs`, and where that window starts and ends. */
export function peakWindow(times: readonly number[], windowMs: number): { count: number; start: number; end: number } {
  let best = { count: 0, start: 0, end: 0 };
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    if (end - start + 1 > best.count) best = { count: end - start + 1, start, end };
  }
  return best;
}

export const runtimePiFrequency = defineRule({
  meta: {
    id: 'runtime-pi-frequency',
    measures: ['miit26-08', 'cac2019-4.4', 'miit164-t2'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '收集个人信息的频率超出需要', en: 'Personal information read too often' },
    description: {
      zh: '认定方法 4.4 将“收集个人信息的频度超出业务功能实际需要”认定为违反必要原则，164 号文任务 2 的检测中有每 30 秒、每 2 秒读取 IMEI 或位置的例子。本规则按调用方（应用或 SDK）和个人信息类别统计调用次数，在任一滑动时间窗（默认 60 秒）内超过上限（默认 10 次）时报告。',
      en: 'Scenario 4.4 of the 2019 认定方法 counts collecting PI more often than the function needs as a breach of necessity; the tests for task 2 of MIIT 164号 cite IMEI or location read every 30 s or every 2 s. This rule counts calls per caller (the app or an SDK) and PI category and reports when any sliding window (60 s by default) holds more than the limit (10 by default).',
    },
    fix: {
      zh: '缓存只需读取一次的信息（设备标识、应用列表），按功能实际需要设定定位和传感器的频率，在 SDK 配置中降低采集频率或关闭不需要的采集项。',
      en: 'Cache what only needs reading once (identifiers, the app list), set location and sensor rates to what the function needs, and lower the collection frequency or switch off unneeded collection in the SDKs’ settings.',
    },
    options: {
      maxCalls: { type: 'integer', minimum: 1, default: 10 },
      windowSeconds: { type: 'number', minimum: 0.001, default: 60 },
      // Per PI category: a limit other than maxCalls.
      perCategory: { type: 'object', additionalProperties: { type: 'number', minimum: 1 }, default: {} },
      maxEvidence: { type: 'integer', minimum: 1, default: 3 },
    },
    messages: {
      frequency: {
        zh: '{sdk}在 {span} 秒内（第 {from}–{to} 秒）读取{pi} {count} 次（{apis}），超过每 {windowSeconds} 秒 {limit} 次的上限；记录中共 {events} 次。',
        en: '{sdk} read {pi} {count} times in {span} s ({from}–{to} s; {apis}), more than the limit of {limit} per {windowSeconds} s; {events} call(s) in the whole trace.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const trace = evidence.trace;
    const maxCalls = options.maxCalls;
    const windowSeconds = options.windowSeconds;
    const maxEvidence = options.maxEvidence;
    const perCategory = options.perCategory;
    const groups = new Map<string, { sdk: string | null; pi: string; events: Located<ApiEvent>[] }>();
    for (const event of trace.events) {
      if (!isApi(event)) continue;
      const facts = apiFacts(knowledge, event);
      if (!facts.pi) continue;
      const { sdk } = attributeStack(knowledge, event.stack, evidence.trace);
      const key = `${sdk ?? 'app'}:${facts.pi}`;
      const group = groups.get(key) ?? { sdk, pi: facts.pi, events: [] };
      group.events.push(event);
      groups.set(key, group);
    }
    const findings: FindingInput[] = [];
    for (const [key, { sdk, pi, events }] of groups) {
      const limit = Object.prototype.hasOwnProperty.call(perCategory, pi) ? perCategory[pi]! : maxCalls;
      const peak = peakWindow(
        events.map((e) => e.t),
        windowSeconds * 1000,
      );
      if (peak.count <= limit) continue;
      const inWindow = events.slice(peak.start, peak.end + 1);
      const apis = [...new Set(inWindow.map((e) => apiFacts(knowledge, e).name))];
      const span = inWindow[inWindow.length - 1]!.t - inWindow[0]!.t;
      const picked = [...inWindow.slice(0, maxEvidence - 1), inWindow[inWindow.length - 1]!].filter((e, i, all) => all.indexOf(e) === i);
      findings.push({
        key,
        messageId: 'frequency',
        messageData: {
          span: seconds(span),
          from: seconds(inWindow[0]!.t),
          to: seconds(inWindow[inWindow.length - 1]!.t),
          pi: { zh: piLabel(knowledge, pi, 'zh'), en: piLabel(knowledge, pi, 'en') },
          count: peak.count,
          apis: { zh: joinList(apis, 'zh'), en: joinList(apis, 'en') },
          windowSeconds,
          limit,
          events: events.length,
          sdk: { zh: callerLabel(knowledge, sdk, 'zh'), en: capitalise(callerLabel(knowledge, sdk, 'en')) },
        },
        evidence: picked.map((e) =>
          traceRef(e, `${apiFacts(knowledge, e).name}, call ${inWindow.indexOf(e) + 1} of ${peak.count} within ${windowSeconds} s`),
        ),
        data: { sdk, pi, apis, peakCalls: peak.count, windowSeconds, limit, totalCalls: events.length },
      });
    }
    return findings;
  },
});
