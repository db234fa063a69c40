import type { PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput, Severity } from '../engine/types.js';
import {
  isLifecycle,
  isPermissionRequest,
  isUser,
  joinList,
  refusedPermissions,
  seconds,
  shortPermission,
  traceRef,
  type AnyEvent,
  type Located,
  notAFeatureTap,
} from '../evidence/trace.js';

type Reaction = 'exit' | 'loop' | 'background';

const SEVERITY: Record<Reaction, Severity | undefined> = { exit: undefined, loop: undefined, background: 'medium' };

export const runtimePermissionRefusalExit = defineRule({
  meta: {
    id: 'runtime-permission-refusal-exit',
    measures: ['miit26-10', 'miit26-08', 'cac2019-4.2', 'miit164-t5', 'taf078-permission-requests'],
    evidence: ['trace'],
    severity: 'high',
    title: { zh: '拒绝权限后应用退出、反复弹窗或退到后台', en: 'App quits, loops or hides after a permission is denied' },
    description: {
      zh: '164 号文任务 5 与 T/TAF 078.4 检测用户拒绝权限后应用闪退、关闭或反复弹出申请；认定方法 4.2 与 26 号文第 8 条要求用户拒绝非必要权限时基本功能仍可使用。本规则报告拒绝后：若干秒内（默认 10 秒）无用户操作而退出或崩溃（exit）；60 秒内再申请同一权限至少 2 次（loop）；若干秒内（默认 3 秒）无用户操作而退到后台（background，中风险）。',
      en: 'Task 5 of MIIT 164号 and T/TAF 078.4 test for apps that quit, close or pop the request again and again after a permission is refused; scenario 4.2 of the 2019 认定方法 and measure 8 of the 2023 notice ask for the basic function to keep working when non-essential permissions are refused. After a denial this rule reports: an exit or crash within a few seconds (10 by default) with no user action (`exit`); at least 2 more requests for the same permission within 60 s (`loop`); going to the background within a few seconds (3 by default) with no user action (`background`, medium).',
    },
    fix: {
      zh: '用户拒绝权限后，继续提供不依赖该权限的功能，只在需要该权限的功能处提示“未授权”并给出去设置开启的入口；不要退出应用、不要循环弹窗。',
      en: 'After a denial, keep offering everything that does not need the permission; where a feature does need it, say so and offer a way to the settings. Do not quit and do not ask in a loop.',
    },
    options: {
      exitSeconds: { type: 'number', minimum: 0, default: 10 },
      backgroundSeconds: { type: 'number', minimum: 0, default: 3 },
      loopSeconds: { type: 'number', minimum: 0, default: 60 },
      loopRequests: { type: 'integer', minimum: 1, default: 2 },
    },
    messages: {
      refusalExit: {
        zh: '{what}{repeat}。',
        en: '{what}{repeat}.',
      },
    },
  },
  check({ evidence, options }) {
    const events = evidence.trace.events;
    const own = evidence.trace.header?.package;
    const exitMs = options.exitSeconds * 1000;
    const backgroundMs = options.backgroundSeconds * 1000;
    const loopMs = options.loopSeconds * 1000;
    const loopRequests = options.loopRequests;
    const found = new Map<
      string,
      { reaction: Reaction; denied: string[]; denial: Located<PermissionRequestEvent>; after: AnyEvent[]; times: number }
    >();
    const report = (reaction: Reaction, denied: string[], denial: Located<PermissionRequestEvent>, after: AnyEvent[]) => {
      const key = `${reaction}:${[...denied].sort().join(',')}`;
      const entry = found.get(key);
      if (entry) entry.times++;
      else found.set(key, { reaction, denied, denial, after, times: 1 });
    };
    events.forEach((event, i) => {
      if (!isPermissionRequest(event)) return;
      const denied = refusedPermissions(event);
      if (denied.length === 0) return;
      let userActed = false;
      let quit = false;
      const again: AnyEvent[] = [];
      for (let j = i + 1; j < events.length; j++) {
        const next = events[j]!;
        const dt = next.t - event.t;
        if (dt > Math.max(exitMs, backgroundMs, loopMs)) break;
        // The answer itself (a tap on the system dialog, trace 1.1 `package`) is not a user action in the app.
        if (isUser(next) && notAFeatureTap(events, j, own) !== 'other-window') userActed = true;
        if (!quit && !userActed && isLifecycle(next)) {
          if ((next.action === 'exit' || next.action === 'crash') && dt <= exitMs) {
            report('exit', denied, event, [next]);
            quit = true;
          } else if (next.action === 'background' && dt <= backgroundMs) {
            report('background', denied, event, [next]);
            quit = true;
          }
        }
        if (isPermissionRequest(next) && dt <= loopMs && next.permissions.some((p) => denied.includes(p))) again.push(next);
      }
      if (again.length >= loopRequests) report('loop', denied, event, again);
    });
    const findings: FindingInput[] = [];
    for (const [key, { reaction, denied, denial, after, times }] of found) {
      const names = denied.map(shortPermission);
      const first = after[0]!;
      const dt = seconds(first.t - denial.t);
      const what = (lang: 'zh' | 'en') => {
        const p = joinList(names, lang);
        const at = seconds(denial.t);
        if (reaction === 'exit') {
          const crash = isLifecycle(first) && first.action === 'crash';
          return lang === 'zh'
            ? `用户在第 ${at} 秒拒绝 ${p} 后 ${dt} 秒，应用在无用户操作的情况下${crash ? '崩溃' : '退出'}`
            : `${dt} s after the user denied ${p} at ${at} s, the app ${crash ? 'crashed' : 'exited'} with no user action`;
        }
        if (reaction === 'background')
          return lang === 'zh'
            ? `用户在第 ${at} 秒拒绝 ${p} 后 ${dt} 秒，应用在无用户操作的情况下退到后台`
            : `${dt} s after the user denied ${p} at ${at} s, the app went to the background with no user action`;
        const span = seconds(after[after.length - 1]!.t - denial.t);
        return lang === 'zh'
          ? `用户在第 ${at} 秒拒绝 ${p} 后，应用在 ${span} 秒内又申请了 ${after.length} 次，形成循环弹窗`
          : `after the user denied ${p} at ${at} s, the app asked again ${after.length} times within ${span} s, a request loop`;
      };
      const repeat = { zh: times > 1 ? `（记录中出现 ${times} 次）` : '', en: times > 1 ? ` (${times} times in the trace)` : '' };
      const en = what('en');
      findings.push({
        key,
        severity: SEVERITY[reaction],
        messageId: 'refusalExit',
        messageData: { what: { zh: what('zh'), en: `${en.charAt(0).toUpperCase()}${en.slice(1)}` }, repeat },
        evidence: [
          traceRef(denial, `${names.join(', ')} denied`),
          ...after.slice(0, 3).map((e) => traceRef(e, reaction === 'loop' ? 'asked again' : isLifecycle(e) ? e.action : e.kind)),
        ],
        data: { reaction, permissions: denied, denialMs: denial.t, afterMs: first.t - denial.t, events: after.length, occurrences: times },
      });
    }
    return findings;
  },
});
