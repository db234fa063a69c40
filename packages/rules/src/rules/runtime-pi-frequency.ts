import type { ApiEvent } from '@apprights/runtime';
import type { FindingInput, Rule } from '../engine/types.js';
import {
  apiFacts,
  attributeStack,
  callerLabel,
  capitalise,
  isApi,
  joinList,
  numberOption,
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

export const runtimePiFrequency: Rule = {
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
    options: { maxCalls: 10, windowSeconds: 60, perCategory: {}, maxEvidence: 3 },
  },
  check({ evidence, options }) {
    const trace = evidence.trace!;
    const maxCalls = numberOption(options, 'maxCalls', 10, 1);
    const windowSeconds = numberOption(options, 'windowSeconds', 60, 0.001);
    const maxEvidence = numberOption(options, 'maxEvidence', 3, 1);
    const perCategory =
      typeof options.perCategory === 'object' && options.perCategory !== null ? (options.perCategory as Record<string, unknown>) : {};
    const groups = new Map<string, { sdk: string | null; pi: string; events: Located<ApiEvent>[] }>();
    for (const event of trace.events) {
      if (!isApi(event)) continue;
      const facts = apiFacts(event);
      if (!facts.pi) continue;
      const { sdk } = attributeStack(event.stack, evidence.trace);
      const key = `${sdk ?? 'app'}:${facts.pi}`;
      const group = groups.get(key) ?? { sdk, pi: facts.pi, events: [] };
      group.events.push(event);
      groups.set(key, group);
    }
    const findings: FindingInput[] = [];
    for (const [key, { sdk, pi, events }] of groups) {
      const limit = numberOption(perCategory, pi, maxCalls, 1);
      const peak = peakWindow(
        events.map((e) => e.t),
        windowSeconds * 1000,
      );
      if (peak.count <= limit) continue;
      const inWindow = events.slice(peak.start, peak.end + 1);
      const apis = [...new Set(inWindow.map((e) => apiFacts(e).name))];
      const span = inWindow[inWindow.length - 1]!.t - inWindow[0]!.t;
      const picked = [...inWindow.slice(0, maxEvidence - 1), inWindow[inWindow.length - 1]!].filter((e, i, all) => all.indexOf(e) === i);
      findings.push({
        key,
        message: {
          zh: `${callerLabel(sdk, 'zh')}在 ${seconds(span)} 秒内（第 ${seconds(inWindow[0]!.t)}–${seconds(inWindow[inWindow.length - 1]!.t)} 秒）读取${piLabel(pi, 'zh')} ${peak.count} 次（${joinList(apis, 'zh')}），超过每 ${windowSeconds} 秒 ${limit} 次的上限；记录中共 ${events.length} 次。`,
          en: `${capitalise(callerLabel(sdk, 'en'))} read ${piLabel(pi, 'en')} ${peak.count} times in ${seconds(span)} s (${seconds(inWindow[0]!.t)}–${seconds(inWindow[inWindow.length - 1]!.t)} s; ${joinList(apis, 'en')}), more than the limit of ${limit} per ${windowSeconds} s; ${events.length} call(s) in the whole trace.`,
        },
        evidence: picked.map((e) =>
          traceRef(e, `${apiFacts(e).name}, call ${inWindow.indexOf(e) + 1} of ${peak.count} within ${windowSeconds} s`),
        ),
        data: { sdk, pi, apis, peakCalls: peak.count, windowSeconds, limit, totalCalls: events.length },
      });
    }
    return findings;
  },
};
