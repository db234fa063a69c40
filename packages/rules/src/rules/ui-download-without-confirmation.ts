import type { NavigationEvent, UserEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import { DOWNLOAD_ELEMENTS, ELEMENT_NAMES, isDownloadPrompt } from '../evidence/ui-download.js';
import {
  clickableAtPoint,
  describeNode,
  type Lined,
  navigations,
  shortId,
  snapshotAt,
  snapshotTimeline,
  type TimedSnapshot,
  taps,
  traceRef,
} from '../evidence/ui.js';

/** Every finding serves these; one with no prompt at all also fails the six download elements. */
const MEASURES = ['miit26-01', 'miit26-02', 'miit164-t7'];
const NO_PROMPT_MEASURES = [...MEASURES, 'industry-download-six-elements'];
const DOWNLOADS = new Set<NavigationEvent['action']>(['download-start', 'install-request']);
const CONFIRM = /下载|安装|确定|确认|继续|允许|同意|download|install|confirm|continue|\bok\b|\byes\b/i;
const CANCEL = /取消|暂不|以后|不了|关闭|cancel|not now|later|close|\bno\b/i;

type Tapped = { verdict: 'confirm' | 'cancel' | 'unknown'; label: string | null };

/** What a tap on a prompt pressed: a confirming or cancelling control, or (no tree, no position) unknown. */
function pressed(tap: UserEvent, prompt: TimedSnapshot): Tapped {
  if (tap.node) {
    const name = shortId(tap.node) || tap.node;
    if (CANCEL.test(name)) return { verdict: 'cancel', label: tap.node };
    if (CONFIRM.test(name)) return { verdict: 'confirm', label: tap.node };
  }
  if (prompt.root && typeof tap.x === 'number' && typeof tap.y === 'number') {
    const hit = clickableAtPoint(prompt.root, tap.x, tap.y);
    if (!hit) return { verdict: 'cancel', label: null };
    const words = [hit.node.text, hit.node.contentDescription, shortId(hit.node.resourceId)].filter((w): w is string => !!w).join(' ');
    const label = describeNode(hit.node);
    if (CANCEL.test(words)) return { verdict: 'cancel', label };
    if (CONFIRM.test(words)) return { verdict: 'confirm', label };
    return { verdict: 'unknown', label };
  }
  return { verdict: 'unknown', label: tap.node ?? null };
}

export const uiDownloadWithoutConfirmation = defineRule({
  meta: {
    id: 'ui-download-without-confirmation',
    measures: NO_PROMPT_MEASURES,
    // The trace alone shows downloads, taps and the prompts' roles; the dumps, when given, tell which button was pressed.
    evidence: ['trace'],
    severity: 'high',
    title: { zh: '未经用户确认即下载或安装应用', en: 'App download or install without the user’s confirmation' },
    description: {
      zh: '26 号文第 1、2 条要求下载安装须在用户确认后进行，禁止静默下载和强制下载；164 号文任务 7 列出“广告或开屏页面在没有明确提示的情况下自动下载”。本规则检查运行轨迹中的下载开始（download-start）和安装请求（install-request）：记录为未确认（confirmed: false），或之前 10 秒内没有用户在下载确认提示（download-prompt）上点击确认的，即报告；之前根本没有出现下载提示的（如点击广告或横幅后直接下载），同时说明下载六要素全部缺失。',
      en: 'Measures 1 and 2 of the 2023 notice allow downloads and installs only after the user confirms, and rule out silent and forced downloads; task 7 of 164号 lists ads and splash pages that download without a clear prompt. This rule checks the download-start and install-request events of a trace: one recorded as unconfirmed (confirmed: false), or not preceded within 10 s by a tap confirming a download prompt, is reported.',
    },
    fix: {
      zh: '在开始下载或安装前弹出确认提示（展示应用名称、开发者、版本、隐私政策、权限列表和功能介绍，并提供明显的取消按钮），仅在用户点击确认后下载；检查广告 SDK 的“直接下载”或“WiFi 下自动下载”配置并关闭。',
      en: 'Before a download or install starts, show a confirmation (with the app name, developer, version, privacy policy, permission list and function description, and an obvious cancel button) and download only after the user confirms; turn off ad SDK options such as direct download or automatic download on Wi-Fi.',
    },
    options: { confirmWithinMs: { type: 'number', minimum: 0, default: 10000 } },
    messages: {
      recordedUnconfirmed: {
        zh: '{what}（第 {line} 行，{t} ms）被记录为未经确认{trigger}。',
        en: '{what} (line {line}, {t} ms) is recorded as unconfirmed{trigger}.',
      },
      afterCancel: {
        zh: '{what}（第 {line} 行）发生在用户于下载提示 {id} 上点击{pressed}之后 {t} ms，未经确认。',
        en: '{what} (line {line}) came {t} ms after the user tapped {pressed} on the download prompt {id}: not confirmed.',
      },
      noPrompt: {
        zh: '{what}（第 {line} 行，{t} ms）之前 {within} 秒内没有出现任何下载确认提示{trigger}{recorded}：没有提示，下载六要素（{elements}）按定义全部缺失。',
        en: '{what} (line {line}, {t} ms) had no download prompt at all in the {within} s before it{trigger}{recorded}: with no prompt, all six download elements ({elements}) are missing by construction.',
      },
      noConfirmation: {
        zh: '{what}（第 {line} 行，{t} ms）之前 {within} 秒内没有用户在下载确认提示上点击确认{trigger}。',
        en: '{what} (line {line}, {t} ms) was not preceded within {within} s by a tap confirming a download prompt{trigger}.',
      },
    },
  },
  check({ evidence, options }) {
    const trace = evidence.trace;
    const within = options.confirmWithinMs;
    const timeline = snapshotTimeline(evidence);
    const allTaps = taps(trace);
    const findings: FindingInput[] = [];
    for (const nav of navigations(trace)) {
      if (!DOWNLOADS.has(nav.action) || nav.confirmed === true) continue;
      const what = {
        zh: nav.action === 'download-start' ? `开始下载 ${nav.target}` : `请求安装 ${nav.target}`,
        en: nav.action === 'download-start' ? `The download of ${nav.target}` : `The install request for ${nav.target}`,
      };
      const refs: EvidenceRef[] = [traceRef(nav, `${nav.action} ${nav.target}${nav.confirmed === false ? ' (confirmed: false)' : ''}`)];
      const data: Record<string, unknown> = {
        action: nav.action,
        target: nav.target,
        trigger: nav.trigger ?? null,
        confirmed: nav.confirmed ?? null,
      };
      // No prompt on screen in the window (while the recorder was taking snapshots): nothing showed
      // the six elements, so all are missing, whatever the trigger.
      const watched = timeline.some((s) => s.t <= nav.t);
      const prompted = timeline.some(
        (s) =>
          s.t <= nav.t &&
          nav.t - s.t <= within &&
          (s.role === 'download-prompt' || (s.root !== undefined && isDownloadPrompt(s.root, s.role))),
      );
      if (watched && !prompted) {
        const list = (lang: 'zh' | 'en') => DOWNLOAD_ELEMENTS.map((e) => ELEMENT_NAMES[e][lang]).join(lang === 'zh' ? '、' : ', ');
        findings.push({
          key: `${nav.action}:${nav.target}`,
          messageId: 'noPrompt',
          measures: NO_PROMPT_MEASURES,
          messageData: {
            what,
            line: nav.line,
            t: nav.t,
            within: within / 1000,
            trigger: { zh: nav.trigger ? `（触发方式 ${nav.trigger}）` : '', en: nav.trigger ? ` (trigger ${nav.trigger})` : '' },
            recorded: {
              zh: nav.confirmed === false ? '，且被记录为未经确认' : '',
              en: nav.confirmed === false ? ', and is recorded as unconfirmed' : '',
            },
            elements: { zh: list('zh'), en: list('en') },
          },
          evidence: refs,
          data: { ...data, prompt: null, missingElements: [...DOWNLOAD_ELEMENTS] },
        });
        continue;
      }
      if (nav.confirmed === false) {
        findings.push({
          key: `${nav.action}:${nav.target}`,
          measures: MEASURES,
          messageId: 'recordedUnconfirmed',
          messageData: {
            what,
            line: nav.line,
            t: nav.t,
            trigger: { zh: nav.trigger ? `，触发方式 ${nav.trigger}` : '', en: nav.trigger ? `, trigger ${nav.trigger}` : '' },
          },
          evidence: refs,
          data,
        });
        continue;
      }
      // The latest tap within the window on a download prompt decides.
      let decided: { tap: Lined<UserEvent>; prompt: TimedSnapshot; pressed: Tapped } | null = null;
      for (const tap of allTaps.filter((t) => t.t <= nav.t && nav.t - t.t <= within).reverse()) {
        const prompt = snapshotAt(timeline, tap.t);
        if (!prompt) continue;
        if (!(prompt.role === 'download-prompt' || (prompt.root && isDownloadPrompt(prompt.root, prompt.role)))) continue;
        decided = { tap, prompt, pressed: pressed(tap, prompt) };
        break;
      }
      if (decided && decided.pressed.verdict !== 'cancel') continue;
      if (decided) {
        refs.push(
          { kind: 'ui', snapshot: decided.prompt.id, detail: 'download prompt shown' },
          traceRef(decided.tap, `tap on ${decided.pressed.label ?? 'outside the buttons'}`),
        );
        findings.push({
          key: `${nav.action}:${nav.target}`,
          measures: MEASURES,
          messageId: 'afterCancel',
          messageData: {
            what,
            line: nav.line,
            id: decided.prompt.id,
            t: nav.t - decided.tap.t,
            pressed: {
              zh: decided.pressed.label ? `「取消」类控件 ${decided.pressed.label}` : '按钮以外的区域',
              en: decided.pressed.label ? `the cancelling control ${decided.pressed.label}` : 'outside the buttons',
            },
          },
          evidence: refs,
          data: { ...data, prompt: decided.prompt.id, tapped: decided.pressed.label },
        });
        continue;
      }
      findings.push({
        key: `${nav.action}:${nav.target}`,
        measures: MEASURES,
        messageId: 'noConfirmation',
        messageData: {
          what,
          line: nav.line,
          t: nav.t,
          within: within / 1000,
          trigger: { zh: nav.trigger ? `（触发方式 ${nav.trigger}）` : '', en: nav.trigger ? ` (trigger ${nav.trigger})` : '' },
        },
        evidence: refs,
        data,
      });
    }
    return findings;
  },
});
