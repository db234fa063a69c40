import type { PermissionRequestEvent, UserEvent } from '@apprights/runtime';

/** The node a tap hit, for messages. */
function tapLabel(tap: Located<UserEvent>): string {
  const text = tap.nodeText?.trim();
  const node = tap.node?.replace(/^.*:id\//, '');
  return [text ? `「${text}」` : '', node ?? ''].filter(Boolean).join(' ') || `(${tap.x ?? '?'}, ${tap.y ?? '?'})`;
}
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  attributeStack,
  FEATURE_ACTIONS,
  featureTapBefore,
  notAFeatureTap,
  tapRelation,
  isLifecycle,
  isPermissionRequest,
  isUser,
  joinList,
  sdkLabel,
  seconds,
  shortPermission,
  traceRef,
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
      zh: '26 号文第 10 条要求在相关业务功能启动时再动态申请权限；164 号文任务 5 把“在用户使用相关功能前提前申请权限”列为检测场景。本规则报告三类申请：冷启动后若干秒内（默认 5 秒）、其间用户没有请求功能就弹出的申请（at-start）；之前若干秒内（默认 5 秒）没有用户操作的申请（no-user-action）；以及之前的用户操作与该权限的功能明显无关的申请（unrelated-action）。点击隐私政策弹窗的「同意」、点击系统弹窗或其他应用的窗口都不算用户请求功能；用户操作只有在应用自身界面上、并且与申请相关（控件文字或 ID 指向需要该权限的功能，或点击打开了发起申请的页面）时才能作为申请的理由。',
      en: 'Measure 10 of the 2023 notice asks for permissions to be requested when the feature that needs them starts, and task 5 of MIIT 164号 tests for requests made before the user uses the feature. This rule reports requests made within a few seconds (5 by default) of a cold start with no user tap in between (`at-start`), requests no user action preceded within the last few seconds (5 by default) (`no-user-action`), and requests after a user action plainly about something else (`unrelated-action`). Agreeing to the privacy dialog, or tapping a system dialog or another app’s window, is not the user asking for a feature; a tap excuses a request only when it is on the app’s own UI and plausibly related: its label or id names a feature needing the permission, or it opened the screen that asks.',
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
      unrelatedAction: {
        zh: '第 {t} 秒申请 {permissions} 权限{by}，此前 {before} 秒的用户操作（{tap}）与该权限对应的功能无关，不能视为用户主动触发{times}。',
        en: 'At {t} s the app asked for {permissions}{by}; the user action {before} s before ({tap}) has nothing to do with a feature needing it, so it does not count as the user asking{times}.',
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
    const own = evidence.trace.header?.package;
    type Kind = 'at-start' | 'no-user-action' | 'unrelated-action';
    const groups = new Map<string, { kind: Kind; start: AnyEvent | null; requests: Located<PermissionRequestEvent>[]; tap?: AnyEvent }>();
    let lastStart: { event: AnyEvent; index: number } | null = null;
    events.forEach((event, i) => {
      if (isStart(event)) lastStart = { event, index: i };
      if (!isPermissionRequest(event) || event.permissions.length === 0) return;
      const start = lastStart as { event: AnyEvent; index: number } | null;
      let kind: Kind | null = null;
      let tap: AnyEvent | undefined;
      // A tap since the cold start excuses a request only when it is the user asking for a feature:
      // on the app's own UI, not the consent answer, and not plainly about something else.
      const excusedSinceStart = () => {
        for (let j = start!.index + 1; j < i; j++) {
          const e = events[j]!;
          if (!isUser(e) || !FEATURE_ACTIONS.has(e.action) || notAFeatureTap(events, j, own)) continue;
          if (tapRelation(events, j, i, event.permissions) !== 'unrelated') return true;
        }
        return false;
      };
      if (start && event.t - start.event.t <= startWindow && !excusedSinceStart()) kind = 'at-start';
      else {
        const before = featureTapBefore(events, i, userWindow, event.permissions, own);
        if (!before) kind = 'no-user-action';
        else if (before.relation === 'unrelated') {
          kind = 'unrelated-action';
          tap = before.tap;
        }
      }
      if (!kind) return;
      const key = `${kind}:${[...event.permissions].sort().join(',')}`;
      const group = groups.get(key) ?? { kind, start: kind === 'at-start' ? start!.event : null, requests: [], ...(tap ? { tap } : {}) };
      group.requests.push(event);
      groups.set(key, group);
    });
    const findings: FindingInput[] = [];
    for (const [key, { kind, start, requests, tap }] of groups) {
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
          : kind === 'no-user-action'
            ? { messageId: 'noUserAction', messageData: { ...common, window: seconds(userWindow) } }
            : {
                messageId: 'unrelatedAction',
                messageData: { ...common, tap: tapLabel(tap as Located<UserEvent>), before: seconds(first.t - tap!.t) },
              }),
        evidence: [
          ...(start ? [traceRef(start, 'cold start')] : []),
          ...(tap ? [traceRef(tap, 'the user action before it, unrelated to the permission')] : []),
          ...requests
            .slice(0, 3)
            .map((r) =>
              traceRef(
                r,
                `request ${r.permissions.map(shortPermission).join(', ')}${kind === 'at-start' ? ' at start' : kind === 'no-user-action' ? ' without user action' : ' after an unrelated action'}`,
              ),
            ),
        ],
        data: { kind, permissions: first.permissions, requests: requests.length, sdk, firstMs: first.t, startMs: start?.t ?? null },
      });
    }
    return findings;
  },
});
