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
  if (role !== undefined && role !== 'other') return null;
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
  if (role !== undefined && role !== 'popup' && role !== 'other') return null;
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
  minSizeDp: number;
  minSizePx: number | null;
  density: number | null;
  edgeBandDp: number;
  edgeBandPx: number | null;
  closeWithinMs: number;
}

export interface Reason {
  code: 'missing' | 'hidden' | 'not-clickable' | 'too-small' | 'edge' | 'ineffective';
  message: Bilingual;
}

export type Effectiveness = 'effective' | 'ineffective' | 'not-verified';

export interface CloseJudgement {
  reasons: Reason[];
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
  const minPx = options.minSizePx ?? Math.round(options.minSizeDp * density);
  const minDp = options.minSizePx !== null ? toDp(options.minSizePx, density) : options.minSizeDp;
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
    return { reasons, effective: 'not-verified', effectiveNote: { zh: '', en: '' }, evidence, data: { ...data, control: null } };
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
    if (w < minPx || h < minPx) {
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
  if (eff.effective === 'ineffective') reasons.push({ code: 'ineffective', message: eff.note });
  return { reasons, effective: eff.effective, effectiveNote: eff.note, evidence, data };
}

const JUMPS = new Set(['jump-app', 'jump-browser', 'jump-store', 'deeplink', 'download-start', 'install-request']);

/**
 * With a trace: the first tap on the control while the window is shown, and the next snapshot. The
 * control works when that snapshot, taken within `closeWithinMs`, no longer shows the window.
 */
function effectiveness(
  input: Parameters<typeof judgeCloseControl>[0],
  target: UiNode,
  bounds: Bounds | undefined,
): { effective: Effectiveness; note: Bilingual; evidence: EvidenceRef[] } {
  const { trace, timeline, t, kind, screen, options } = input;
  const notVerified = (zh: string, en: string) => ({ effective: 'not-verified' as const, note: { zh, en }, evidence: [] });
  if (!trace || t === null) return notVerified('无运行轨迹', 'no trace was given');
  const index = timeline.findIndex((s) => s.id === input.snapshotId);
  const next = index >= 0 ? timeline[index + 1] : timeline.find((s) => s.t > t);
  const tap: Lined<UserEvent> | undefined = taps(trace).find(
    (e) => e.t >= t && (next === undefined || e.t <= next.t) && tapHits(e, target, bounds),
  );
  if (!tap) return notVerified('轨迹中没有点击该控件', 'the trace has no tap on it');
  const tapRef = traceRef(tap, `tap on the close control${tap.node ? ` ${tap.node}` : ''}`);
  const jump = navigations(trace).find((n) => n.t >= tap.t && n.t - tap.t <= options.closeWithinMs && JUMPS.has(n.action));
  if (jump) {
    return {
      effective: 'ineffective',
      note: {
        zh: `点击关闭控件后 ${jump.t - tap.t} ms 内发生跳转（${jump.action} → ${jump.target}），而不是关闭`,
        en: `tapping the close control led to ${jump.action} → ${jump.target} within ${jump.t - tap.t} ms instead of closing`,
      },
      evidence: [tapRef, traceRef(jump, `${jump.action} ${jump.target} after the close tap`)],
    };
  }
  const after = timeline.find((s) => s.t > tap.t);
  if (!after || after.t <= tap.t || after.t - tap.t > options.closeWithinMs) {
    return {
      effective: 'not-verified',
      note: {
        zh: `点击后 ${options.closeWithinMs} ms 内没有新的界面快照`,
        en: `no snapshot was taken within ${options.closeWithinMs} ms of the tap`,
      },
      evidence: [tapRef],
    };
  }
  const afterRef: EvidenceRef = { kind: 'ui', snapshot: after.id, detail: `${after.t - tap.t} ms after the close tap` };
  if (stillShows(kind, after, screen)) {
    return {
      effective: 'ineffective',
      note: {
        zh: `点击关闭控件 ${after.t - tap.t} ms 后的快照 ${after.id} 仍显示${WINDOW_NAME[kind].zh}`,
        en: `the snapshot ${after.id} taken ${after.t - tap.t} ms after tapping the close control still shows the ${WINDOW_NAME[kind].en}`,
      },
      evidence: [tapRef, afterRef],
    };
  }
  return {
    effective: 'effective',
    note: {
      zh: `点击后 ${after.t - tap.t} ms 内${WINDOW_NAME[kind].zh}已关闭`,
      en: `the ${WINDOW_NAME[kind].en} closed ${after.t - tap.t} ms after the tap`,
    },
    evidence: [],
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
    minSizeDp: num('minSizeDp', 48),
    minSizePx: opt('minSizePx'),
    density: opt('densityPxPerDp'),
    edgeBandDp: num('edgeBandDp', 24),
    edgeBandPx: opt('edgeBandPx'),
    closeWithinMs: num('closeWithinMs', 1000),
  };
}

/** The close-control rules' options; the `…Px` and density ones are worked out from the screen when null. */
export const CLOSE_OPTIONS = {
  minSizeDp: { type: 'number', minimum: 0, default: 48 },
  minSizePx: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  densityPxPerDp: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  edgeBandDp: { type: 'number', minimum: 0, default: 24 },
  edgeBandPx: { type: 'number', exclusiveMinimum: 0, nullable: true, default: null },
  closeWithinMs: { type: 'number', minimum: 0, default: 1000 },
  screenWidth: { type: 'number', exclusiveMinimum: 0, default: 1080 },
  screenHeight: { type: 'number', exclusiveMinimum: 0, default: 2340 },
} as const satisfies Record<string, OptionSpec>;

/** The close-control rules' message: the reasons and the unverified note are filled in per snapshot. */
export const CLOSE_MESSAGES = {
  closeControl: {
    zh: '{window}（快照 {snapshot}）的关闭控件不符合要求：{reasons}。{unverified}',
    en: 'The {window} in snapshot {snapshot} fails its close control: {reasons}.{unverified}',
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
    if (judgement.reasons.length === 0) continue;
    const codes = judgement.reasons.map((r) => r.code);
    const severe = codes.some((c) => c === 'missing' || c === 'hidden' || c === 'not-clickable' || c === 'ineffective');
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
      data: { snapshot: snapshot.id, reasons: codes, ...judgement.data },
    });
  }
  return findings;
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}
