import type { PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  attributeStack,
  FEATURE_ACTIONS,
  isLifecycle,
  isPermissionRequest,
  isUser,
  joinList,
  sdkLabel,
  seconds,
  shortPermission,
  traceRef,
  userActionBefore,
  type AnyEvent,
  type Located,
} from '../evidence/trace.js';

/** A cold start: the launcher started the process, or the tester launched the app. */
const isStart = (e: AnyEvent) =>
  (isLifecycle(e) && e.action === 'process-start' && e.cause === 'launcher') || (isUser(e) && e.action === 'launch');

export const runtimePermissionAtStart = defineRule({
  meta: {
    id: 'runtime-permission-at-start',
    measures: ['miit26-10', 'miit164-t5', 'taf078-permission-requests'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '权限申请与用户操作无关（启动即申请）', en: 'Permission requested at start or without a user action' },
    description: {
      zh: '26 号文第 10 条要求在相关业务功能启动时再动态申请权限；164 号文任务 5 把“在用户使用相关功能前提前申请权限”列为检测场景。本规则报告两类申请：冷启动后若干秒内（默认 5 秒）、其间用户没有任何点击等操作就弹出的申请（at-start）；以及之前若干秒内（默认 5 秒）没有用户操作、与用户动作无关的申请（no-user-action）。',
      en: 'Measure 10 of the 2023 notice asks for permissions to be requested when the feature that needs them starts, and task 5 of MIIT 164号 tests for requests made before the user uses the feature. This rule reports requests made within a few seconds (5 by default) of a cold start with no user tap in between (`at-start`), and requests no user action preceded within the last few seconds (5 by default), so not tied to anything the user did (`no-user-action`).',
    },
    fix: {
      zh: '不要在启动页或首页一打开就申请权限；在用户点击需要该权限的功能（拍照、扫码、定位、通讯录）时再申请，并先说明用途。',
      en: 'Do not ask for permissions as the splash or home screen opens; ask when the user taps the feature that needs the permission (camera, scanning, location, contacts), after saying what it is for.',
    },
    messages: {
      atStart: {
        zh: '应用冷启动后 {after} 秒（第 {t} 秒），用户尚未进行任何操作就申请了 {permissions} 权限{by}{times}。',
        en: '{after} s after a cold start (at {t} s), before any user action, the app asked for {permissions}{by}{times}.',
      },
      noUserAction: {
        zh: '第 {t} 秒申请 {permissions} 权限{by}，此前 {window} 秒内没有用户操作，申请与用户触发的功能无关{times}。',
        en: 'At {t} s the app asked for {permissions}{by} with no user action in the {window} s before: the request is not tied to a feature the user started{times}.',
      },
    },
    options: {
      startWindowSeconds: { type: 'number', minimum: 0, default: 5 },
      userActionSeconds: { type: 'number', minimum: 0, default: 5 },
    },
  },
  check({ evidence, options, knowledge }) {
    const events = evidence.trace.events;
    const startWindow = options.startWindowSeconds * 1000;
    const userWindow = options.userActionSeconds * 1000;
    const groups = new Map<
      string,
      { kind: 'at-start' | 'no-user-action'; start: AnyEvent | null; requests: Located<PermissionRequestEvent>[] }
    >();
    let lastStart: AnyEvent | null = null;
    let tappedSinceStart = false;
    events.forEach((event, i) => {
      if (isStart(event)) {
        lastStart = event;
        tappedSinceStart = false;
      } else if (isUser(event) && FEATURE_ACTIONS.has(event.action)) tappedSinceStart = true;
      if (!isPermissionRequest(event) || event.permissions.length === 0) return;
      const start = lastStart as AnyEvent | null;
      let kind: 'at-start' | 'no-user-action' | null = null;
      if (start && !tappedSinceStart && event.t - start.t <= startWindow) kind = 'at-start';
      else if (!userActionBefore(events, i, userWindow)) kind = 'no-user-action';
      if (!kind) return;
      const key = `${kind}:${[...event.permissions].sort().join(',')}`;
      const group = groups.get(key) ?? { kind, start: kind === 'at-start' ? start : null, requests: [] };
      group.requests.push(event);
      groups.set(key, group);
    });
    const findings: FindingInput[] = [];
    for (const [key, { kind, start, requests }] of groups) {
      const first = requests[0]!;
      const permissions = first.permissions.map(shortPermission);
      const { sdk } = attributeStack(knowledge, first.stack, evidence.trace);
      const by = {
        zh: sdk ? `（由 SDK ${sdkLabel(knowledge, sdk, 'zh')} 发起）` : '',
        en: sdk ? ` (by SDK ${sdkLabel(knowledge, sdk, 'en')})` : '',
      };
      const times = {
        zh: requests.length > 1 ? `，共 ${requests.length} 次` : '',
        en: requests.length > 1 ? `, ${requests.length} times` : '',
      };
      const common = {
        t: seconds(first.t),
        permissions: { zh: joinList(permissions, 'zh'), en: joinList(permissions, 'en') },
        by,
        times,
      };
      findings.push({
        key,
        ...(kind === 'at-start'
          ? { messageId: 'atStart', messageData: { ...common, after: seconds(first.t - start!.t) } }
          : { messageId: 'noUserAction', messageData: { ...common, window: seconds(userWindow) } }),
        evidence: [
          ...(start ? [traceRef(start, 'cold start')] : []),
          ...requests
            .slice(0, 3)
            .map((r) =>
              traceRef(
                r,
                `request ${r.permissions.map(shortPermission).join(', ')}${kind === 'at-start' ? ' at start' : ' without user action'}`,
              ),
            ),
        ],
        data: { kind, permissions: first.permissions, requests: requests.length, sdk, firstMs: first.t, startMs: start?.t ?? null },
      });
    }
    return findings;
  },
});
