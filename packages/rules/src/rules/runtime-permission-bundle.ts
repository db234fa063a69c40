import type { PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  isPermissionRequest,
  joinList,
  permissionGroup,
  piLabel,
  seconds,
  shortPermission,
  traceRef,
  type Located,
} from '../evidence/trace.js';
import type { KnowledgeSnapshot } from '@apprights/knowledge';

type Request = Located<PermissionRequestEvent>;

/** Requests less than `windowMs` apart, chained: the user sees them as one burst of dialogs. */
export function bursts(requests: readonly Request[], windowMs: number): Request[][] {
  const out: Request[][] = [];
  for (const request of requests) {
    const last = out[out.length - 1];
    if (last && request.t - last[last.length - 1]!.t <= windowMs) last.push(request);
    else out.push([request]);
  }
  return out;
}

const groupLabel = (knowledge: KnowledgeSnapshot, group: string, lang: 'zh' | 'en') =>
  knowledge.isPICategoryId(group) ? piLabel(knowledge, group, lang) : group;

export const runtimePermissionBundle = defineRule({
  meta: {
    id: 'runtime-permission-bundle',
    measures: ['miit26-10', 'cac2019-4.6', 'miit164-t5'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '一次捆绑申请多项权限', en: 'Several permissions requested at once' },
    description: {
      zh: '26 号文第 10 条禁止一次性捆绑申请多项非必要权限；认定方法 4.6 将“要求用户一次性同意打开多个权限”认定为违反必要原则。本规则报告一次申请、或间隔不超过 1 秒的连续申请中，涉及至少 2 个不同危险权限组（按平台权限组，Android 10 起未分组的按其保护的个人信息类别）的情况。',
      en: 'Measure 10 of the 2023 notice forbids bundling several non-essential permissions into one request, and scenario 4.6 of the 2019 认定方法 counts demanding consent to several permissions at once as a breach of necessity. This rule reports a request, or requests at most 1 s apart, that ask for at least 2 different dangerous permission groups (the platform group, or for permissions Android 10 left ungrouped the PI category they guard).',
    },
    fix: {
      zh: '每个功能只在用户使用时申请它需要的那一组权限，不在启动时或同一时刻连续弹出多个权限申请。',
      en: 'Ask for the one permission group a feature needs when the user uses that feature; never pop several permission dialogs at start or in a row.',
    },
    options: { windowSeconds: { type: 'number', minimum: 0, default: 1 }, minGroups: { type: 'integer', minimum: 2, default: 2 } },
    messages: {
      bundle: {
        zh: '第 {t} 秒，应用{how}同时申请了 {groups} 组危险权限（{g}）：{short}{seen}。',
        en: 'At {t} s the app asked for {groups} dangerous permission groups ({g}) {how}: {short}{seen}.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const windowMs = options.windowSeconds * 1000;
    const minGroups = options.minGroups;
    const requests = evidence.trace.events.filter(isPermissionRequest);
    const found = new Map<string, { groups: string[]; permissions: string[]; bursts: Request[][] }>();
    for (const burst of bursts(requests, windowMs)) {
      const permissions = [...new Set(burst.flatMap((r) => r.permissions))];
      const groups = [...new Set(permissions.map((p) => permissionGroup(knowledge, p)).filter((g): g is string => g !== null))].sort();
      if (groups.length < minGroups) continue;
      const key = groups.join('+');
      const entry = found.get(key) ?? { groups, permissions, bursts: [] };
      entry.bursts.push(burst);
      found.set(key, entry);
    }
    const findings: FindingInput[] = [];
    for (const [key, { groups, permissions, bursts: seen }] of found) {
      const first = seen[0]!;
      const span = first[first.length - 1]!.t - first[0]!.t;
      const how = {
        zh: first.length === 1 ? '在一次申请中' : `在 ${seconds(span)} 秒内连续 ${first.length} 次申请中`,
        en: first.length === 1 ? 'in one request' : `in ${first.length} requests within ${seconds(span)} s`,
      };
      const short = permissions.filter((p) => permissionGroup(knowledge, p)).map(shortPermission);
      findings.push({
        key,
        messageId: 'bundle',
        messageData: {
          t: seconds(first[0]!.t),
          how,
          groups: groups.length,
          g: {
            zh: joinList(
              groups.map((g) => groupLabel(knowledge, g, 'zh')),
              'zh',
            ),
            en: joinList(
              groups.map((g) => groupLabel(knowledge, g, 'en')),
              'en',
            ),
          },
          short: { zh: joinList(short, 'zh'), en: joinList(short, 'en') },
          seen: {
            zh: seen.length > 1 ? `；这样的捆绑申请出现 ${seen.length} 次` : '',
            en: seen.length > 1 ? `; such a bundle occurs ${seen.length} times` : '',
          },
        },
        evidence: first.map((r) => traceRef(r, `request ${r.permissions.map(shortPermission).join(', ')}`)),
        data: { groups, permissions, bursts: seen.length, firstMs: first[0]!.t },
      });
    }
    return findings;
  },
});
