import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { featureTapBefore, isPermissionRequest, REFUSALS, seconds, shortPermission, traceRef, type Located } from '../evidence/trace.js';

type Request = Located<PermissionRequestEvent>;

/** `90 s`, `12 min`, `3.5 h`: a gap for messages. */
function gap(ms: number, lang: 'zh' | 'en'): string {
  if (ms < 120_000) return lang === 'zh' ? `${seconds(ms)} 秒` : `${seconds(ms)} s`;
  if (ms < 7_200_000) return lang === 'zh' ? `${Math.round(ms / 60_000)} 分钟` : `${Math.round(ms / 60_000)} min`;
  const hours = Math.round(ms / 360_000) / 10;
  return lang === 'zh' ? `${hours} 小时` : `${hours} h`;
}

export const runtimePermissionReask = defineRule({
  meta: {
    id: 'runtime-permission-reask',
    measures: ['miit26-10', 'cac2019-3.2', 'miit164-t5', 'industry-permission-reask-48h'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '用户拒绝后短期内再次申请同一权限', en: 'Permission asked again soon after a refusal' },
    description: {
      zh: '认定方法 3.2 将用户拒绝后频繁征求同意、干扰正常使用认定为违规；164 号文任务 5 检测拒绝后重复弹出权限申请（包括重启后）。应用商店审核普遍要求用户拒绝后 48 小时内不再弹出同一权限申请（度量参数 permission.reaskAfterRefusal，行业做法，非强制条文）。本规则报告拒绝后在该时间内再次申请同一权限的情况；再次申请前几秒内，用户在应用自身界面上进行了与该权限相关的操作（控件文字或 ID 指向需要该权限的功能，或点击打开了发起申请的页面）时降为低风险；无关的点击、同意隐私政策或点击系统弹窗不降低风险。',
      en: 'Scenario 3.2 of the 2019 认定方法 counts asking again and again after a refusal as a violation, and task 5 of MIIT 164号 tests for requests popping up again after a refusal (also after a restart). App-store review widely asks for no new prompt for the same permission within 48 hours of a refusal (catalogue parameter permission.reaskAfterRefusal, industry practice rather than binding text). This rule reports a permission requested again within that time after a denial; it is low when, just before the new request, the user acted on the app’s own UI in a way that plausibly leads to it (a control naming a feature needing the permission, or a tap that opened the screen asking); an unrelated tap, the consent answer or a tap on a system dialog does not lower it.',
    },
    fix: {
      zh: '记录用户拒绝的时间，在 48 小时内不再主动弹出同一权限申请；只有用户再次主动使用需要该权限的功能时才申请，或引导用户到系统设置中开启。',
      en: 'Remember when the user refused and do not pop the same request again for 48 hours; ask again only when the user actively uses the feature that needs it, or point them to the system settings.',
    },
    options: {
      // The catalogue's pause after a refusal (permission.reaskAfterRefusal, 48 h: store review practice).
      hours: {
        type: 'number',
        minimum: 0,
        default: (knowledge: KnowledgeSnapshot) => knowledge.measures.parameter('permission.reaskAfterRefusal').value,
      },
      userActionSeconds: { type: 'number', minimum: 0, default: 5 },
    },
    messages: {
      reask: {
        zh: '用户在第 {deniedAt} 秒拒绝 {name} 后，应用在 {after}后（第 {askedAt} 秒）再次申请，早于 {hours} 小时{asks}{userTriggered}。',
        en: 'The user denied {name} at {deniedAt} s and the app asked again {after} later (at {askedAt} s), within {hours} h{asks}{userTriggered}.',
      },
    },
  },
  check({ evidence, options }) {
    const events = evidence.trace.events;
    const pauseMs = options.hours * 3_600_000;
    const userWindow = options.userActionSeconds * 1000;
    const own = evidence.trace.header?.package;
    const denials = new Map<string, Request>();
    const found = new Map<string, { denial: Request; asks: { request: Request; after: number; userTriggered: boolean }[] }>();
    events.forEach((event, i) => {
      if (!isPermissionRequest(event)) return;
      event.permissions.forEach((permission, k) => {
        const denial = denials.get(permission);
        if (denial && event.t - denial.t < pauseMs) {
          const entry = found.get(permission) ?? { denial, asks: [] };
          entry.asks.push({
            request: event,
            after: event.t - denial.t,
            // Only a tap on the app's own UI that plausibly leads to this permission lowers it: not the
            // consent answer, not a system dialog, not a tap about something else.
            userTriggered: featureTapBefore(events, i, userWindow, [permission], own)?.relation === 'related',
          });
          found.set(permission, entry);
        }
        const answer = event.answers?.[k];
        if (answer && REFUSALS.has(answer)) denials.set(permission, event);
        else if (answer === 'granted' || answer === 'already-granted') denials.delete(permission);
      });
    });
    const findings: FindingInput[] = [];
    const hours = pauseMs / 3_600_000;
    for (const [permission, { denial, asks }] of found) {
      const first = asks[0]!;
      const name = shortPermission(permission);
      const userTriggered = asks.every((a) => a.userTriggered);
      findings.push({
        key: permission,
        severity: userTriggered ? 'low' : undefined,
        messageId: 'reask',
        messageData: {
          deniedAt: seconds(denial.t),
          name,
          after: { zh: gap(first.after, 'zh'), en: gap(first.after, 'en') },
          askedAt: seconds(first.request.t),
          hours,
          asks: {
            zh: asks.length > 1 ? `；拒绝后共再次申请 ${asks.length} 次` : '',
            en: asks.length > 1 ? `; ${asks.length} new requests after refusals in all` : '',
          },
          userTriggered: {
            zh: userTriggered ? '（再次申请前有用户操作，可能由用户主动触发）' : '',
            en: userTriggered ? ' (a user action came just before: the user may have started the feature)' : '',
          },
        },
        evidence: [
          traceRef(denial, `${name} denied`),
          ...asks.slice(0, 3).map((a) => traceRef(a.request, `${name} asked again after ${gap(a.after, 'en')}`)),
        ],
        data: { permission, denialMs: denial.t, reasks: asks.length, firstAfterMs: first.after, pauseHours: hours, userTriggered },
      });
    }
    return findings;
  },
});
