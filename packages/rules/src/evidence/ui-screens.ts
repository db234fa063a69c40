/**
 * Recognising the screens measure 4 speaks about (splash screens and pop-ups) in a view tree, and
 * judging their close control: present, shown, large enough, away from the screen's very edge, and
 * (with a trace) effective.
 */
import type { Trace, UiNode, UiSnapshot, UserEvent } from '@apprights/runtime';
import type { Bilingual, EvidenceRef, FindingInput, OptionSpec } from '../engine/types.js';
import {
  area,
  type Bounds,
  clickableSelfOrAncestor,
  describeNode,
  formatBounds,
  heightOf,
  isShown,
  labelsOf,
  type Lined,
  type Located,
  matchesAny,
  navigations,
  type Screen,
  screenOf,
  taps,
  tapHits,
  type TimedSnapshot,
  toDp,
  traceRef,
  uiRef,
  walk,
  walkFrom,
  widthOf,
} from './ui.js';

export type WindowKind = 'splash' | 'popup';

/** A full-screen window counts as the whole screen from this share of its area on. */
const FULL_SCREEN_SHARE = 0.9;

const SKIP_WORDS = /跳过|skip|jump[ _]?over/i;
/** "跳过 3", "3 跳过", "5s", "5 秒", "关闭 3", "skip 5s": a countdown on the skip control. */
const COUNTDOWN = /^\s*(?:(?:跳过|skip|关闭|close)\s*\|?\s*\d{1,2}\s*(?:s|秒)?|\d{1,2}\s*(?:s|秒)?\s*\|?\s*(?:跳过|skip|关闭|close)?)\s*$/i;
const SPLASH_IDS = /splash|skip|jump_?over|count_?down/i;

const SPLASH_CLOSE_TEXT = /^(?:.*(?:跳过|skip|关闭|close).*|\s*[×✕✖╳xX]\s*)$/i;
const SPLASH_CLOSE_ID = /skip|close|jump_?over|count_?down|dismiss/i;
const POPUP_CLOSE_TEXT =
  /^(?:\s*[×✕✖╳xX]\s*|.*(?:关闭|close|dismiss|取消|以后再说|暂不|不感兴趣|不了|我知道了|知道了|残忍拒绝|跳过|skip).*)$/i;
const POPUP_CLOSE_ID = /close|dismiss|cancel|skip/i;

const POPUP_CONTAINER = /dialog|popup|pop_?window|pop_?up|modal|interstitial|tanchuang/i;
const PROMOTION = /广告|推广|领取|红包|优惠|福利|立即|抢购|限时|特惠|赢|抽奖|sponsored|promotion|\bad\b|offer|coupon|reward/i;

/** The window of a snapshot that a rule judges: where it lies, and what kind it is. */
export interface UiWindow {
  kind: WindowKind;
  bounds: Bounds;
  /** The node that is the window (the dump's root, or the dialog's container). */
  container: Located;
  /** Why the snapshot counts as one: `role` when the recorder said so. */
  by: 'role' | 'content';
}

function fullScreen(b: Bounds | undefined, screen: Screen): boolean {
  return !!b && area(b) >= FULL_SCREEN_SHARE * screen.width * screen.height;
}

/** A splash screen: the recorder says so, or a full-screen window with a skip control or countdown. */
export function splashWindow(root: UiNode, role: string | undefined, screen: Screen): UiWindow | null {
  const container: Located = { node: root, parent: null, depth: 0 };
  const bounds: Bounds = root.bounds ?? [0, 0, screen.width, screen.height];
  if (role === 'splash') return { kind: 'splash', bounds, container, by: 'role' };
  // `ad` (trace 1.1): the screen holds an ad SDK's views; whether it is a splash the content says.
  if (role !== undefined && role !== 'other' && role !== 'ad') return null;
  if (!fullScreen(bounds, screen)) return null;
  const nodes = walk(root);
  const skip = nodes.some(({ node }) =>
    labelsOf(node).some((l) => SKIP_WORDS.test(l) || (COUNTDOWN.test(l) && /跳过|skip|关闭|close/i.test(l))),
  );
  const countdown = nodes.some(({ node }) => SPLASH_IDS.test(node.resourceId ?? '') && labelsOf(node).some((l) => COUNTDOWN.test(l)));
  return skip || countdown ? { kind: 'splash', bounds, container, by: 'content' } : null;
}

/** Whether a window shows an advert or promotion: a large image, or promotional text. */
function promotional(container: UiNode, bounds: Bounds): boolean {
  const windowArea = area(bounds);
  return walk(container).some(
    ({ node }) => (/image/i.test(node.class ?? '') && area(node.bounds) >= 0.2 * windowArea) || matchesAny(node, PROMOTION),
  );
}

/**
 * A pop-up: the recorder says so, or a dialog-like window covering less than 90% of the screen (the
 * dump of a dialog window, or a dialog/popup container inside the app's window) showing an advert or
 * promotion.
 */
export function popupWindow(root: UiNode, role: string | undefined, screen: Screen): UiWindow | null {
  if (role !== undefined && role !== 'popup' && role !== 'other' && role !== 'ad') return null;
  const screenArea = screen.width * screen.height;
  let found: Located | null = null;
  const rootLocated: Located = { node: root, parent: null, depth: 0 };
  if (root.bounds && area(root.bounds) < FULL_SCREEN_SHARE * screenArea && area(root.bounds) > 0) found = rootLocated;
  else {
    found =
      walk(root).find(
        (l) =>
          l.depth > 0 &&
          POPUP_CONTAINER.test(`${l.node.resourceId ?? ''} ${l.node.class ?? ''}`) &&
          area(l.node.bounds) > 0.05 * screenArea &&
          area(l.node.bounds) < FULL_SCREEN_SHARE * screenArea,
      ) ?? null;
  }
  if (role === 'popup') {
    const container = found ?? rootLocated;
    return { kind: 'popup', bounds: container.node.bounds ?? [0, 0, screen.width, screen.height], container, by: 'role' };
  }
  if (!found || !found.node.bounds) return null;
  return promotional(found.node, found.node.bounds) ? { kind: 'popup', bounds: found.node.bounds, container: found, by: 'content' } : null;
}

export function windowOf(kind: WindowKind, root: UiNode, role: string | undefined, screen: Screen): UiWindow | null {
  return kind === 'splash' ? splashWindow(root, role, screen) : popupWindow(root, role, screen);
}

/** Whether a timeline snapshot (maybe a trace event with only a role) still shows the window. */
export function stillShows(kind: WindowKind, snapshot: TimedSnapshot, screen: Screen): boolean {
  if (snapshot.root) return windowOf(kind, snapshot.root, snapshot.role, screen) !== null;
  return snapshot.role === kind;
}

/** The close control of a window and the node a tap on it lands on. */
export interface CloseControl {
  control: Located;
  /** The node receiving the tap: the control, or its small clickable ancestor. */
  target: Located;
  clickable: boolean;
  /** A large clickable ancestor that takes the tap instead (the advert itself), when there is one. */
  swallowedBy: Located | null;
}

/**
 * The window's close control: the candidates whose text, description or id name closing or skipping,
 * clickable and shown ones first, then the largest tap area.
 */
export function findCloseControl(window: UiWindow, screen: Screen): CloseControl | null {
  const textPattern = window.kind === 'splash' ? SPLASH_CLOSE_TEXT : POPUP_CLOSE_TEXT;
  const idPattern = window.kind === 'splash' ? SPLASH_CLOSE_ID : POPUP_CLOSE_ID;
  const screenArea = screen.width * screen.height;
  const candidates: CloseControl[] = [];
  const base = window.container;
  for (const located of walkFrom(base)) {
    const { node } = located;
    const texts = [node.text, node.contentDescription].filter((s): s is string => !!s && s.trim() !== '');
    if (!texts.some((t) => textPattern.test(t)) && !idPattern.test(node.resourceId ?? '')) continue;
    if (located === base) continue;
    const clickableAt = clickableSelfOrAncestor(located);
    const small = clickableAt && area(clickableAt.node.bounds) <= 0.25 * screenArea;
    candidates.push({
      control: located,
      target: small ? clickableAt : located,
      clickable: !!small,
      swallowedBy: clickableAt && !small ? clickableAt : null,
    });
  }
  if (candidates.length === 0) return null;
  const score = (c: CloseControl) => (c.clickable ? 2 : 0) + (isShown(c.control.node, screen) ? 1 : 0);
  candidates.sort((a, b) => score(b) - score(a) || area(b.target.node.bounds) - area(a.target.node.bounds));
  return candidates[0]!;
}

export interface CloseOptions {
  /** A configured minimum tap area (dp); null: no published threshold applies, the size is only reported. */
  minSizeDp: number | null;
  minSizePx: number | null;
  /** Below this side (dp) the measured size is reported as info (a design reference, never a violation). */
  noteBelowDp: number;
  density: number | null;
  edgeBandDp: number;
  edgeBandPx: number | null;
  closeWithinMs: number;
  /** How long after closing a window's return on the same screen counts as popping up again. */
  reappearWithinMs: number;
}

export interface Reason {
  code: ReasonCode;
  message: Bilingual;
}

export type ReasonCode =
  | 'missing'
  | 'hidden'
  | 'not-clickable'
  | 'too-small'
  | 'edge'
  | 'ineffective'
  | 'countdown-only'
  | 'fake-close'
  | 'two-taps'
  | 'reappears';

/** The failures art. 10 of the 2023 internet advertising rules names, by reason. */
export const ART10_ITEMS: Partial<Record<ReasonCode, string>> = {
  missing: '(1)',
  'countdown-only': '(1)',
  'fake-close': '(2)',
  hidden: '(2)',
  'two-taps': '(3)',
  reappears: '(4)',
};

export type Effectiveness = 'effective' | 'ineffective' | 'countdown-only' | 'fake-close' | 'two-taps' | 'not-verified';

export interface CloseJudgement {
  reasons: Reason[];
  /** The measured tap area, when the control is shown: reported as info when small and no threshold is set. */
  size: { px: [number, number]; dp: [number, number]; density: number } | null;
  effective: Effectiveness;
  /** Why effectiveness could not be verified, or how it failed. */
  effectiveNote: Bilingual;
  evidence: EvidenceRef[];
  data: Record<string, unknown>;
}

const WINDOW_NAME: Record<WindowKind, Bilingual> = { splash: { zh: '开屏页', en: 'splash screen' }, popup: { zh: '弹窗', en: 'pop-up' } };

/** Judges a window's close control; an empty `reasons` list means it passed. */
export function judgeCloseControl(input: {
  kind: WindowKind;
  snapshotId: string;
  window: UiWindow;
  screen: Screen;
  options: CloseOptions;
  trace: Trace | undefined;
  timeline: TimedSnapshot[];
  /** The snapshot's time, when it is on the trace's timeline. */
  t: number | null;
}): CloseJudgement {
  const { kind, snapshotId, window, screen, options } = input;
  const density = options.density ?? (Math.min(screen.width, screen.height) * 2.75) / 1080;
  // No standard found publishes a minimum close-control size for apps in general (the catalogue's
  // taf078-window-close): a minimum applies only when configured, otherwise the size is reported.
  const minPx = options.minSizePx ?? (options.minSizeDp !== null ? Math.round(options.minSizeDp * density) : null);
  const minDp = options.minSizePx !== null ? toDp(options.minSizePx, density) : options.minSizeDp;
  let size: CloseJudgement['size'] = null;
  const bandPx = options.edgeBandPx ?? Math.round(options.edgeBandDp * density);
  const reasons: Reason[] = [];
  const evidence: EvidenceRef[] = [];
  const data: Record<string, unknown> = { window: kind, detectedBy: window.by, windowBounds: formatBounds(window.bounds), screen, density };
  const name = WINDOW_NAME[kind];
  const found = findCloseControl(window, screen);
  if (!found) {
    reasons.push({
      code: 'missing',
      message: {
        zh: `${name.zh}上找不到关闭/跳过控件（没有「跳过」「关闭」「×」等文字、描述或 skip/close 资源 ID）`,
        en: `the ${name.en} has no close or skip control (no 跳过/关闭/skip/close/× text, description or skip/close resource id)`,
      },
    });
    evidence.push(uiRef(snapshotId, window.container.node, `${kind} window ${formatBounds(window.bounds)} without a close control`));
    return { reasons, size, effective: 'not-verified', effectiveNote: { zh: '', en: '' }, evidence, data: { ...data, control: null } };
  }
  const { control, target } = found;
  const label = describeNode(control.node);
  const b = target.node.bounds ?? control.node.bounds;
  data.control = { node: label, bounds: b ? formatBounds(b) : null, clickable: found.clickable };
  evidence.push(uiRef(snapshotId, control.node, `close control ${label}${b ? ` at ${formatBounds(b)}` : ''}`));
  if (!isShown(control.node, screen)) {
    reasons.push({
      code: 'hidden',
      message: {
        zh: `关闭控件${label}不可见（${control.node.visible === false ? '标记为不可见' : b ? `位置 ${formatBounds(b)} 无面积或在屏幕外` : '无位置'}）`,
        en: `the close control ${label} is not visible (${control.node.visible === false ? 'marked invisible' : b ? `bounds ${formatBounds(b)} are empty or off screen` : 'no bounds'})`,
      },
    });
  }
  const countdownOnly = countdownOnlyControl(control.node, target.node);
  if (countdownOnly) reasons.push({ code: 'countdown-only', message: countdownOnly });
  if (!found.clickable) {
    const swallow = found.swallowedBy?.node.bounds;
    reasons.push({
      code: 'not-clickable',
      message: swallow
        ? {
            zh: `关闭控件${label}本身不可点击，点击会落到覆盖 ${formatBounds(swallow)} 的可点击区域（广告本身）上`,
            en: `the close control ${label} is not clickable itself: a tap lands on the clickable area ${formatBounds(swallow)} (the advert)`,
          }
        : { zh: `关闭控件${label}及其上层都不可点击`, en: `neither the close control ${label} nor its parents are clickable` },
    });
  }
  if (b && isShown(control.node, screen)) {
    const w = widthOf(b);
    const h = heightOf(b);
    data.sizePx = [w, h];
    data.sizeDp = [toDp(w, density), toDp(h, density)];
    size = { px: [w, h], dp: [toDp(w, density), toDp(h, density)], density };
    if (minPx !== null && (w < minPx || h < minPx)) {
      reasons.push({
        code: 'too-small',
        message: {
          zh: `关闭控件${label}的点击区域为 ${w}×${h} px（约 ${toDp(w, density)}×${toDp(h, density)} dp），小于 ${minDp}×${minDp} dp（${minPx}×${minPx} px，按 ${density.toFixed(2)} px/dp）`,
          en: `the close control ${label} has a tap area of ${w}×${h} px (about ${toDp(w, density)}×${toDp(h, density)} dp), below ${minDp}×${minDp} dp (${minPx}×${minPx} px at ${density.toFixed(2)} px/dp)`,
        },
      });
    }
    const outside = b[0] < 0 || b[1] < 0 || b[2] > screen.width || b[3] > screen.height;
    const edges: string[] = [];
    if (b[3] <= bandPx) edges.push('top');
    if (b[1] >= screen.height - bandPx) edges.push('bottom');
    if (b[2] <= bandPx) edges.push('left');
    if (b[0] >= screen.width - bandPx) edges.push('right');
    if (outside || edges.length > 0) {
      const zhEdges = edges.map((e) => ({ top: '顶部', bottom: '底部', left: '左侧', right: '右侧' })[e]).join('、');
      reasons.push({
        code: 'edge',
        message: outside
          ? {
              zh: `关闭控件${label}位于 ${formatBounds(b)}，部分超出 ${screen.width}×${screen.height} 的屏幕`,
              en: `the close control ${label} at ${formatBounds(b)} lies partly outside the ${screen.width}×${screen.height} screen`,
            }
          : {
              zh: `关闭控件${label}位于 ${formatBounds(b)}，挤在屏幕${zhEdges}宽 ${bandPx} px（${toDp(bandPx, density)} dp）的边缘带内`,
              en: `the close control ${label} at ${formatBounds(b)} is squeezed into the ${edges.join('/')} edge band of ${bandPx} px (${toDp(bandPx, density)} dp)`,
            },
      });
    }
  }
  const eff = effectiveness(input, target.node, b);
  for (const e of eff.evidence) evidence.push(e);
  data.effective = eff.effective;
  if (eff.effective === 'ineffective' || eff.effective === 'fake-close' || eff.effective === 'two-taps')
    reasons.push({ code: eff.effective, message: eff.note });
  else if (eff.effective === 'countdown-only' && !reasons.some((r) => r.code === 'countdown-only'))
    reasons.push({ code: 'countdown-only', message: eff.note });
  if (eff.closedAt !== undefined) {
    const back = reappearance(input, eff.closedAt);
    if (back) {
      reasons.push({ code: 'reappears', message: back.note });
      for (const e of back.evidence) evidence.push(e);
    }
  }
  return { reasons, size, effective: eff.effective, effectiveNote: eff.note, evidence, data };
}

const JUMPS = new Set(['jump-app', 'jump-browser', 'jump-store', 'deeplink', 'download-start', 'install-request']);

/** A countdown digit in a control's label ("跳过 5", "5s"). */
const COUNTDOWN_DIGITS = /\d{1,2}\s*(?:s|秒)?/i;
const CLOSE_WORDS = /跳过|skip|关闭|close|dismiss|取消|[×✕✖╳]/i;

/**
 * Art. 10 (1): a close control that works only once a countdown ends: disabled while it shows, or a
 * bare countdown ("5s") with no close mark at all.
 */
function countdownOnlyControl(control: UiNode, target: UiNode): Bilingual | null {
  const label = describeNode(control);
  const texts = subtreeLabels(control);
  const counting = texts.find((t) => COUNTDOWN_DIGITS.test(t));
  if (control.enabled === false || target.enabled === false) {
    return {
      zh: `关闭控件${label}处于禁用状态（enabled=false）${counting ? `，显示倒计时「${counting}」` : ''}：须倒计时结束才能关闭`,
      en: `the close control ${label} is disabled (enabled=false)${counting ? ` while showing the countdown "${counting}"` : ''}: it closes only when the countdown ends`,
    };
  }
  if (counting && !texts.some((t) => CLOSE_WORDS.test(t)) && !/skip|close|dismiss/i.test(control.resourceId ?? '')) {
    return {
      zh: `控件${label}只显示倒计时「${counting}」，没有关闭标志`,
      en: `the control ${label} shows only the countdown "${counting}", no close mark`,
    };
  }
  return null;
}

interface EffectResult {
  effective: Effectiveness;
  note: Bilingual;
  evidence: EvidenceRef[];
  /** When the window was seen closed (the first snapshot without it), for the reappearance check. */
  closedAt?: number;
}

/**
 * With a trace: the first tap on the control while the window is shown, and the next snapshot. The
 * control works when that snapshot, taken within `closeWithinMs`, no longer shows the window. A tap
 * that opens something instead is a fake close mark; a window still shown while its control counts
 * down ignored the tap until the countdown ends; a window that needs a second tap to go needs two
 * taps (art. 10 (1)-(3) of the 2023 internet advertising rules).
 */
function effectiveness(input: Parameters<typeof judgeCloseControl>[0], target: UiNode, bounds: Bounds | undefined): EffectResult {
  const { trace, timeline, t, kind, screen, options } = input;
  const notVerified = (zh: string, en: string): EffectResult => ({ effective: 'not-verified', note: { zh, en }, evidence: [] });
  if (!trace || t === null) return notVerified('无运行轨迹', 'no trace was given');
  const index = timeline.findIndex((s) => s.id === input.snapshotId);
  const next = index >= 0 ? timeline[index + 1] : timeline.find((s) => s.t > t);
  const allTaps = taps(trace);
  const tap: Lined<UserEvent> | undefined = allTaps.find(
    (e) => e.t >= t && (next === undefined || e.t <= next.t) && tapHits(e, target, bounds),
  );
  if (!tap) return notVerified('轨迹中没有点击该控件', 'the trace has no tap on it');
  const tapRef = traceRef(tap, `tap on the close control${tap.node ? ` ${tap.node}` : ''}`);
  const jump = navigations(trace).find((n) => n.t >= tap.t && n.t - tap.t <= options.closeWithinMs && JUMPS.has(n.action));
  if (jump) {
    return {
      effective: 'fake-close',
      note: {
        zh: `点击关闭控件后 ${jump.t - tap.t} ms 内发生跳转（${jump.action} → ${jump.target}），而不是关闭：关闭标志虚假`,
        en: `tapping the close control led to ${jump.action} → ${jump.target} within ${jump.t - tap.t} ms instead of closing: a false close mark`,
      },
      evidence: [tapRef, traceRef(jump, `${jump.action} ${jump.target} after the close tap`)],
    };
  }
  const after = timeline.find((s) => s.t > tap.t);
  if (!after || after.t <= tap.t || after.t - tap.t > options.closeWithinMs) {
    return notVerified(
      `点击后 ${options.closeWithinMs} ms 内没有新的界面快照`,
      `no snapshot was taken within ${options.closeWithinMs} ms of the tap`,
    );
  }
  const afterRef: EvidenceRef = { kind: 'ui', snapshot: after.id, detail: `${after.t - tap.t} ms after the close tap` };
  const name = WINDOW_NAME[kind];
  if (stillShows(kind, after, screen)) {
    // The window stayed: a second tap on its close control that then closes it means two taps.
    const afterIndex = timeline.indexOf(after);
    const second = allTaps.find(
      (e) => e.t > after.t && e.t - tap.t <= 10 * options.closeWithinMs && tapsCloseControl(e, after, kind, screen),
    );
    if (second) {
      const closed = timeline.slice(afterIndex + 1).find((s) => s.t > second.t);
      if (closed && closed.t - second.t <= options.closeWithinMs && !stillShows(kind, closed, screen)) {
        return {
          effective: 'two-taps',
          note: {
            zh: `第一次点击后快照 ${after.id} 仍显示${name.zh}，第二次点击（${second.t - tap.t} ms 后）才关闭：关闭须点击两次`,
            en: `the ${name.en} was still shown in snapshot ${after.id} after the first tap and closed only after a second tap ${second.t - tap.t} ms later: closing took two taps`,
          },
          evidence: [tapRef, afterRef, traceRef(second, 'second tap on the close control')],
          closedAt: closed.t,
        };
      }
    }
    const counting = after.root ? countdownLabel(after.root, kind, screen) : null;
    if (counting) {
      return {
        effective: 'countdown-only',
        note: {
          zh: `点击关闭控件 ${after.t - tap.t} ms 后，快照 ${after.id} 仍显示${name.zh}并在倒计时（「${counting}」）：点击被忽略，须倒计时结束才能关闭`,
          en: `${after.t - tap.t} ms after the tap on the close control, snapshot ${after.id} still shows the ${name.en} counting down ("${counting}"): the tap was ignored until the countdown ends`,
        },
        evidence: [tapRef, afterRef],
      };
    }
    return {
      effective: 'ineffective',
      note: {
        zh: `点击关闭控件 ${after.t - tap.t} ms 后的快照 ${after.id} 仍显示${name.zh}`,
        en: `the snapshot ${after.id} taken ${after.t - tap.t} ms after tapping the close control still shows the ${name.en}`,
      },
      evidence: [tapRef, afterRef],
    };
  }
  return {
    effective: 'effective',
    note: {
      zh: `点击后 ${after.t - tap.t} ms 内${name.zh}已关闭`,
      en: `the ${name.en} closed ${after.t - tap.t} ms after the tap`,
    },
    evidence: [],
    closedAt: after.t,
  };
}

/** Whether a tap lands on the close control of the window a snapshot shows. */
function tapsCloseControl(tap: UserEvent, snapshot: TimedSnapshot, kind: WindowKind, screen: Screen): boolean {
  if (!snapshot.root) return false;
  const window = windowOf(kind, snapshot.root, snapshot.role, snapshot.screen ?? screen);
  const control = window ? findCloseControl(window, snapshot.screen ?? screen) : null;
  return !!control && tapHits(tap, control.target.node, control.target.node.bounds ?? control.control.node.bounds);
}

/** The countdown shown on a window's close control, if any. */
function countdownLabel(root: UiNode, kind: WindowKind, screen: Screen): string | null {
  const window = windowOf(kind, root, undefined, screen) ?? windowOf(kind, root, kind, screen);
  const control = window ? findCloseControl(window, screen) : null;
  if (!control) return null;
  return subtreeLabels(control.control.node).find((l) => COUNTDOWN_DIGITS.test(l)) ?? null;
}

/** The labels of a control and the nodes inside it (a layout holding the "跳过 5" text). */
function subtreeLabels(node: UiNode): string[] {
  const out: string[] = [];
  for (const { node: n } of walk(node)) for (const l of labelsOf(n)) out.push(l);
  return out;
}

/** The words a window shows, to tell one advert from another. */
function windowWords(root: UiNode, kind: WindowKind, role: string | undefined, screen: Screen): Set<string> {
  const window = windowOf(kind, root, role, screen);
  const words = new Set<string>();
  for (const { node } of walk(window?.container.node ?? root)) {
    for (const l of labelsOf(node)) if (!COUNTDOWN_DIGITS.test(l)) words.add(l.trim());
    if (node.resourceId) words.add(shortIdOf(node.resourceId));
  }
  return words;
}

function shortIdOf(id: string): string {
  return id.replace(/^.*:id\//, '');
}

/**
 * Art. 10 (4): after the window was closed, the same kind of window back on the same screen (no
 * activity or page change, no trip to the background in between) within `reappearWithinMs`.
 */
function reappearance(
  input: Parameters<typeof judgeCloseControl>[0],
  closedAt: number,
): { note: Bilingual; evidence: EvidenceRef[] } | null {
  const { trace, timeline, kind, screen, options } = input;
  if (!trace) return null;
  const leaves = (trace.events as { kind: string; t: number; action?: string }[]).filter(
    (e) =>
      e.t > closedAt &&
      ((e.kind === 'navigation' && (e.action === 'activity' || e.action === 'page' || JUMPS.has(e.action ?? ''))) ||
        (e.kind === 'lifecycle' && e.action !== 'foreground')),
  );
  const limit = Math.min(closedAt + options.reappearWithinMs, leaves[0]?.t ?? Infinity);
  const original = timeline.find((s) => s.id === input.snapshotId);
  const back = timeline.find((s) => s.t > closedAt && s.t <= limit && stillShows(kind, s, s.screen ?? screen));
  if (!back) return null;
  let same: boolean | null = null;
  if (original?.root && back.root) {
    const a = windowWords(original.root, kind, original.role, screen);
    const b = windowWords(back.root, kind, back.role, screen);
    let shared = 0;
    for (const w of a) if (b.has(w)) shared++;
    same = a.size + b.size > 0 && shared / Math.max(1, Math.min(a.size, b.size)) >= 0.5;
  }
  const name = WINDOW_NAME[kind];
  const sameText = same === true ? { zh: '同一', en: 'the same ' } : { zh: '', en: '' };
  return {
    note: {
      zh: `关闭 ${back.t - closedAt} ms 后，在未离开当前页面的情况下快照 ${back.id} 再次显示${sameText.zh}${name.zh}：关闭后继续弹出`,
      en: `${back.t - closedAt} ms after it was closed, snapshot ${back.id} shows ${sameText.en}${name.en} again on the same screen: it popped up again after closing`,
    },
    evidence: [
      {
        kind: 'ui',
        snapshot: back.id,
        detail: `${kind} back ${back.t - closedAt} ms after closing${same === true ? ' (same content)' : ''}`,
      },
    ],
  };
}

/** The close options of a rule's configured options, with the defaults of the close-control rules. */
export function closeOptions(options: Record<string, unknown>): CloseOptions {
  const num = (key: string, fallback: number) => {
    const v = options[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const opt = (key: string) => {
    const v = options[key];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
  };
  return {
    minSizeDp: opt('minSizeDp'),
    minSizePx: opt('minSizePx'),
    noteBelowDp: num('noteBelowDp', 48),
    density: opt('densityPxPerDp'),
    edgeBandDp: num('edgeBandDp', 24),
    edgeBandPx: opt('edgeBandPx'),
    closeWithinMs: num('closeWithinMs', 1000),
    reappearWithinMs: num('reappearWithinMs', 60000),
  };
}

/** The close-control rules' options; the `…Px` and density ones are worked out from the screen when null. */
export const CLOSE_OPTIONS = {
  // No published minimum applies to apps in general (catalogue: taf078-window-close); set 44 for an
  // elderly-friendly version (closeControl.elderlyMinSize, T/TAF 114-2022 4.3.3).
  minSizeDp: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  // A design reference (Android's 48 dp touch target), used only to report the measured size as info.
  noteBelowDp: { type: 'number', minimum: 0, default: 48 },
  minSizePx: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  densityPxPerDp: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  edgeBandDp: { type: 'number', minimum: 0, default: 24 },
  edgeBandPx: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  closeWithinMs: { type: 'number', minimum: 0, default: 1000 },
  reappearWithinMs: { type: 'number', minimum: 0, default: 60000 },
  screenWidth: { type: 'number', exclusiveMinimum: 0, default: 1080 },
  screenHeight: { type: 'number', exclusiveMinimum: 0, default: 2340 },
} as const satisfies Record<string, OptionSpec>;

/** The close-control rules' message: the reasons and the unverified note are filled in per snapshot. */
export const CLOSE_MESSAGES = {
  closeControl: {
    zh: '{window}（快照 {snapshot}）的关闭控件不符合要求：{reasons}。{unverified}',
    en: 'The {window} in snapshot {snapshot} fails its close control: {reasons}.{unverified}',
  },
  closeSize: {
    zh: '{window}（快照 {snapshot}）的关闭控件{control}点击区域为 {widthPx}×{heightPx} px（约 {widthDp}×{heightDp} dp，按 {density} px/dp），小于 {noteDp} dp 的设计参考值。现行标准未规定关闭按钮的最小尺寸（适老化版本为 44×44 dp，T/TAF 114-2022），此处仅报告测得的尺寸，不作为违规。',
    en: 'The close control {control} of the {window} in snapshot {snapshot} has a tap area of {widthPx}×{heightPx} px (about {widthDp}×{heightDp} dp at {density} px/dp), below the {noteDp} dp design reference. No published standard sets a minimum close-control size for apps in general (elderly-friendly versions: 44×44 dp, T/TAF 114-2022), so the measured size is reported, not judged.',
  },
};

/** The close-control rules' check: one finding per snapshot whose splash screen or pop-up fails. */
export function checkCloseControls(
  kind: WindowKind,
  evidence: { ui?: { snapshots: UiSnapshot[] }; trace?: Trace },
  options: Record<string, unknown>,
  timeline: TimedSnapshot[],
): FindingInput[] {
  const settings = closeOptions(options);
  const fallback = { width: numberOr(options.screenWidth, 1080), height: numberOr(options.screenHeight, 2340) };
  const findings: FindingInput[] = [];
  const name = WINDOW_NAME[kind];
  for (const snapshot of evidence.ui?.snapshots ?? []) {
    const screen = screenOf(snapshot, fallback);
    const window = windowOf(kind, snapshot.root, snapshot.role, screen);
    if (!window) continue;
    const judgement = judgeCloseControl({
      kind,
      snapshotId: snapshot.id,
      window,
      screen,
      options: settings,
      trace: evidence.trace,
      timeline,
      t: snapshot.t,
    });
    if (judgement.reasons.length === 0) {
      const size = judgement.size;
      if (size && settings.minSizeDp === null && settings.minSizePx === null && Math.min(size.dp[0], size.dp[1]) < settings.noteBelowDp) {
        const control = judgement.data.control as { node: string } | undefined;
        findings.push({
          key: snapshot.id,
          severity: 'info',
          messageId: 'closeSize',
          messageData: {
            window: name,
            snapshot: snapshot.id,
            control: control?.node ?? '',
            widthPx: size.px[0],
            heightPx: size.px[1],
            widthDp: size.dp[0],
            heightDp: size.dp[1],
            density: size.density.toFixed(2),
            noteDp: settings.noteBelowDp,
          },
          evidence: judgement.evidence,
          data: { snapshot: snapshot.id, reasons: [], ...judgement.data },
        });
      }
      continue;
    }
    const codes = judgement.reasons.map((r) => r.code);
    const severe = codes.some((c) => c !== 'too-small' && c !== 'edge');
    const art10 = [...new Set(codes.map((c) => ART10_ITEMS[c]).filter((x): x is string => !!x))];
    const unverified =
      judgement.effective === 'not-verified' && !codes.includes('missing')
        ? {
            zh: `点击后能否关闭未验证：${judgement.effectiveNote.zh}。`,
            en: ` Whether tapping it closes the ${name.en} was not verified: ${judgement.effectiveNote.en}.`,
          }
        : { zh: '', en: '' };
    const eventRef: EvidenceRef[] =
      snapshot.line !== undefined
        ? [
            {
              kind: 'trace',
              event: snapshot.line,
              ...(snapshot.t !== null ? { time: snapshot.t } : {}),
              detail: `ui snapshot ${snapshot.id}`,
            },
          ]
        : [];
    findings.push({
      key: snapshot.id,
      severity: severe ? 'high' : 'medium',
      messageId: 'closeControl',
      messageData: {
        window: name,
        snapshot: snapshot.id,
        reasons: { zh: judgement.reasons.map((r) => r.message.zh).join('；'), en: judgement.reasons.map((r) => r.message.en).join('; ') },
        unverified,
      },
      evidence: [...judgement.evidence, ...eventRef],
      data: { snapshot: snapshot.id, reasons: codes, ...(art10.length > 0 ? { adRulesArt10: art10 } : {}), ...judgement.data },
    });
  }
  return findings;
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}
