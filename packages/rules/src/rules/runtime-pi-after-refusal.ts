import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { ApiEvent, PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  apiFacts,
  attributeStack,
  buildTimeline,
  callerLabel,
  isApi,
  isConsent,
  isPermissionRequest,
  joinList,
  permissionPi,
  piLabel,
  refusedPermissions,
  seconds,
  shortPermission,
  traceRef,
  type AnyEvent,
  type ApiFacts,
  type Located,
} from '../evidence/trace.js';

/** Whether a call reads what the refused permission guards. */
export function guardedBy(knowledge: KnowledgeSnapshot, facts: ApiFacts, permission: string): boolean {
  if (!facts.pi) return false;
  if (facts.permission === permission) return true;
  const guarded = permissionPi(knowledge, permission);
  if (!guarded || facts.pi !== guarded) return false;
  // Same PI behind another permission (COARSE for FINE location), or an API the catalogue does not know.
  return facts.permission ? permissionPi(knowledge, facts.permission) === guarded : !facts.known;
}

interface Group {
  kind: 'consent' | 'permission';
  refusal: AnyEvent;
  refusalText: string;
  permission: string | null;
  sdk: string | null;
  pi: string;
  events: Located<ApiEvent>[];
  apis: Set<string>;
}

export const runtimePiAfterRefusal = defineRule({
  meta: {
    id: 'runtime-pi-after-refusal',
    measures: ['miit26-08', 'cac2019-3.2', 'miit164-t1'],
    evidence: ['trace'],
    severity: 'high',
    title: { zh: '用户拒绝后仍收集个人信息', en: 'Personal information collected after a refusal' },
    description: {
      zh: '认定方法 3.2 将“用户明确表示不同意后，仍收集个人信息”认定为违法违规。本规则在运行时记录中查找两种情况：用户拒绝或撤回隐私政策同意后（再次同意之前）读取个人信息的 API 调用；用户拒绝某项权限后（再次授予之前）读取该权限所保护个人信息的调用（权限与个人信息类别的对应见 permissions.json）。',
      en: 'Scenario 3.2 of the 2019 认定方法 counts collecting PI after the user has clearly refused as unlawful. This rule finds two cases in the runtime trace: calls reading PI after the user refused or withdrew consent to the privacy policy (until they agree again), and calls reading the PI a permission guards after the user denied that permission (until it is granted; permissions.json maps permissions to PI categories).',
    },
    fix: {
      zh: '用户拒绝隐私政策时只提供无需个人信息的浏览模式或退出，不初始化 SDK、不读取个人信息；撤回同意时立即停止相关 SDK 和采集。权限被拒绝后停止调用依赖该权限的接口，改用不需要该信息的功能路径。',
      en: 'When the user refuses the privacy policy, offer a mode that needs no PI (or quit) without initialising SDKs or reading PI; on withdrawal stop the SDKs and collection at once. After a permission is denied, stop calling the APIs that depend on it and take a path that needs no such data.',
    },
    options: { maxEvidence: { type: 'integer', minimum: 1, default: 3 } },
    messages: {
      afterRefusal: {
        zh: '{what}，{sdk}仍读取{pi}：{apis}，共 {events} 次，首次在第 {t} 秒。',
        en: '{what}, {sdk} still read {pi}: {apis}, {events} call(s), first at {t} s.',
      },
    },
  },
  check({ evidence, options, knowledge }) {
    const trace = evidence.trace;
    const maxEvidence = options.maxEvidence;
    const groups = new Map<string, Group>();
    const denied = new Map<string, Located<PermissionRequestEvent>>();
    let consentRefusal: AnyEvent | null = null;
    let consentAction = '';
    const add = (key: string, make: () => Omit<Group, 'events' | 'apis'>, event: Located<ApiEvent>, api: string) => {
      const group = groups.get(key) ?? { ...make(), events: [], apis: new Set<string>() };
      group.events.push(event);
      group.apis.add(api);
      groups.set(key, group);
    };
    for (const { event, consent } of buildTimeline(trace)) {
      if (isConsent(event)) {
        if (event.action === 'refused' || event.action === 'withdrawn') {
          consentRefusal = event;
          consentAction = event.action;
        } else if (event.action === 'agreed') consentRefusal = null;
      }
      if (isPermissionRequest(event)) {
        event.permissions.forEach((p, i) => {
          const answer = event.answers?.[i];
          if (answer === 'granted' || answer === 'already-granted') denied.delete(p);
        });
        for (const p of refusedPermissions(event)) denied.set(p, event);
      }
      if (!isApi(event)) continue;
      const facts = apiFacts(knowledge, event);
      if (!facts.pi) continue;
      const { sdk } = attributeStack(knowledge, event.stack, evidence.trace);
      const caller = sdk ?? 'app';
      const pi = facts.pi;
      if (consentRefusal && (consent === 'refused' || consent === 'withdrawn')) {
        const refusal = consentRefusal;
        const action = consentAction;
        add(
          `consent:${caller}:${pi}`,
          () => ({ kind: 'consent', refusal, refusalText: `consent ${action}`, permission: null, sdk, pi }),
          event,
          facts.name,
        );
        continue;
      }
      for (const [permission, request] of denied) {
        if (!guardedBy(knowledge, facts, permission)) continue;
        add(
          `permission:${permission}:${caller}:${pi}`,
          () => ({ kind: 'permission', refusal: request, refusalText: `${shortPermission(permission)} denied`, permission, sdk, pi }),
          event,
          facts.name,
        );
        break;
      }
    }
    const findings: FindingInput[] = [];
    for (const [key, g] of groups) {
      const first = g.events[0]!;
      const apis = [...g.apis];
      const what =
        g.kind === 'consent'
          ? {
              zh: `用户在第 ${seconds(g.refusal.t)} 秒拒绝或撤回隐私政策同意后`,
              en: `After the user refused or withdrew consent at ${seconds(g.refusal.t)} s`,
            }
          : {
              zh: `用户在第 ${seconds(g.refusal.t)} 秒拒绝权限 ${shortPermission(g.permission!)} 后`,
              en: `After the user denied ${shortPermission(g.permission!)} at ${seconds(g.refusal.t)} s`,
            };
      findings.push({
        key,
        // A denied permission makes most guarded calls fail; a refused privacy policy stops nothing by itself.
        severity: g.kind === 'permission' ? 'medium' : undefined,
        messageId: 'afterRefusal',
        messageData: {
          what,
          sdk: { zh: callerLabel(knowledge, g.sdk, 'zh'), en: callerLabel(knowledge, g.sdk, 'en') },
          pi: { zh: piLabel(knowledge, g.pi, 'zh'), en: piLabel(knowledge, g.pi, 'en') },
          apis: { zh: joinList(apis, 'zh'), en: joinList(apis, 'en') },
          events: g.events.length,
          t: seconds(first.t),
        },
        evidence: [
          traceRef(g.refusal, g.refusalText),
          ...g.events.slice(0, maxEvidence).map((e) => traceRef(e, `${apiFacts(knowledge, e).name} after ${g.refusalText}`)),
        ],
        data: {
          refusal: g.kind,
          permission: g.permission,
          sdk: g.sdk,
          pi: g.pi,
          apis,
          calls: g.events.length,
          refusedMs: g.refusal.t,
          firstMs: first.t,
        },
      });
    }
    return findings;
  },
});
