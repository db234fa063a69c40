import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import { popupWindow, splashWindow } from '../evidence/ui-screens.js';
import {
  area,
  containsPoint,
  describeNode,
  formatBounds,
  isShown,
  type Located,
  navigations,
  screenOf,
  shortId,
  snapshotTimeline,
  taps,
  traceRef,
  uiRef,
  walk,
} from '../evidence/ui.js';

const EXTERNAL = new Set(['jump-app', 'jump-browser', 'jump-store', 'deeplink', 'download-start', 'install-request']);
const WHERE = { splash: { zh: '开屏页', en: 'splash screen' }, popup: { zh: '弹窗', en: 'pop-up' } };

/** The node a tap at (x, y) lands on: the last-drawn (last in document order) shown clickable node there. */
function clickableAt(nodes: Located[], x: number, y: number, screen: { width: number; height: number }): Located | undefined {
  let found: Located | undefined;
  for (const l of nodes) if (l.node.clickable && l.node.bounds && isShown(l.node, screen) && containsPoint(l.node.bounds, x, y)) found = l;
  return found;
}

export const uiFullScreenJump = defineRule({
  meta: {
    id: 'ui-full-screen-jump',
    measures: ['miit26-04', 'miit2021-splash-close', 'miit164-t7'],
    evidence: ['ui'],
    severity: 'medium',
    title: { zh: '开屏/弹窗整屏可点击跳转（全屏热区）', en: 'Splash or pop-up is a full-screen tap-to-jump area' },
    description: {
      zh: '26 号文第 4 条禁止把整个屏幕设为点击即跳转的热区（“全屏热力图”），524 行动也要求不得以全屏图片或视频作为跳转链接。本规则在开屏页和弹窗快照中查找覆盖屏幕大部分（默认 ≥70%）的可点击区域；提供运行轨迹时，检查点击该区域后 2 秒内是否跳转到其他应用、页面、应用商店或浏览器（确认违规），没有轨迹时报告为“疑似”。',
      en: 'Measure 4 of the 2023 notice bans making the whole screen a tap-to-jump area, and the 2021 campaign bans full-screen images or videos as jump links. This rule looks for a clickable area covering most of the screen (default ≥ 70%) on splash screens and pop-ups; with a trace, whether a tap on it led to another app, page, store or browser within 2 s (confirmed), else it reports the area as a possible hot zone.',
    },
    fix: {
      zh: '只让明确标示的按钮（如「点击跳转详情页或第三方应用」）响应点击，广告图片或视频本身不可点击；检查广告 SDK 的开屏/插屏配置，关闭“全屏点击”或“热区”选项。',
      en: 'Let only a clearly labelled button (such as "view details or open the third-party app") react to taps, not the advert image or video itself; turn off full-screen click or hot-zone options in the ad SDK\'s splash and interstitial settings.',
    },
    options: {
      minScreenShare: { type: 'number', minimum: 0, maximum: 1, default: 0.7 },
      jumpWithinMs: { type: 'number', minimum: 0, default: 2000 },
      screenWidth: { type: 'number', exclusiveMinimum: 0, default: 1080 },
      screenHeight: { type: 'number', exclusiveMinimum: 0, default: 2340 },
    },
    messages: {
      confirmedJump: {
        zh: '{area}；点击其中 ({x}, {y}) 后 {t} ms 跳转（{action} → {target}）。',
        en: '{area}; a tap at ({x}, {y}) led to {action} → {target} {t} ms later.',
      },
      possibleHotZone: {
        zh: '{area}，疑似全屏点击跳转热区{trace}。',
        en: '{area}: possibly a full-screen tap-to-jump area ({trace}, so the jump was not verified).',
      },
    },
  },
  check({ evidence, options }) {
    const share = options.minScreenShare;
    const within = options.jumpWithinMs;
    const fallback = { width: options.screenWidth, height: options.screenHeight };
    const timeline = snapshotTimeline(evidence);
    const trace = evidence.trace;
    const findings: FindingInput[] = [];
    for (const snapshot of evidence.ui?.snapshots ?? []) {
      const screen = screenOf(snapshot, fallback);
      const window = splashWindow(snapshot.root, snapshot.role, screen) ?? popupWindow(snapshot.root, snapshot.role, screen);
      if (!window) continue;
      const screenArea = screen.width * screen.height;
      const nodes = walk(snapshot.root);
      const hot = nodes
        .filter((l) => l.node.clickable && isShown(l.node, screen) && area(l.node.bounds) >= share * screenArea)
        .sort((a, b) => area(b.node.bounds) - area(a.node.bounds))[0];
      if (!hot) continue;
      const bounds = hot.node.bounds!;
      const percent = Math.round((area(bounds) / screenArea) * 100);
      const label = describeNode(hot.node);
      const where = WHERE[window.kind];
      const areaText = {
        zh: `${where.zh}（快照 ${snapshot.id}）上的可点击区域 ${label} 覆盖 ${formatBounds(bounds)}，占屏幕 ${percent}%`,
        en: `On the ${where.en} in snapshot ${snapshot.id}, the clickable area ${label} covers ${formatBounds(bounds)}, ${percent}% of the screen`,
      };
      const refs: EvidenceRef[] = [
        uiRef(snapshot.id, hot.node, `clickable ${formatBounds(bounds)}, ${percent}% of ${screen.width}×${screen.height}`),
      ];
      const data: Record<string, unknown> = {
        snapshot: snapshot.id,
        window: window.kind,
        bounds: formatBounds(bounds),
        screenShare: percent / 100,
      };
      let confirmed: FindingInput | null = null;
      let tappedWithoutJump = false;
      if (trace && snapshot.t !== null) {
        const t = snapshot.t;
        const next = timeline.find((s) => s.t > t);
        const onHot = taps(trace).filter((tap) => {
          if (tap.t < t || (next && tap.t > next.t)) return false;
          // A tap lands on the topmost clickable node there: the skip control or a labelled button is not the hot zone.
          if (typeof tap.x === 'number' && typeof tap.y === 'number') return clickableAt(nodes, tap.x, tap.y, screen) === hot;
          return (
            !!tap.node && [hot.node.resourceId, shortId(hot.node.resourceId), hot.node.text, hot.node.contentDescription].includes(tap.node)
          );
        });
        for (const tap of onHot) {
          const jump = navigations(trace).find((n) => n.t >= tap.t && n.t - tap.t <= within);
          if (!jump) continue;
          const external = EXTERNAL.has(jump.action);
          confirmed = {
            key: snapshot.id,
            severity: external ? 'high' : 'medium',
            messageId: 'confirmedJump',
            messageData: { area: areaText, x: tap.x ?? '?', y: tap.y ?? '?', t: jump.t - tap.t, action: jump.action, target: jump.target },
            evidence: [...refs, traceRef(tap, 'tap on the clickable area'), traceRef(jump, `${jump.action} ${jump.target}`)],
            data: { ...data, confirmed: true, jump: { action: jump.action, target: jump.target, afterMs: jump.t - tap.t } },
          };
          break;
        }
        tappedWithoutJump = !confirmed && onHot.length > 0;
      }
      if (confirmed) findings.push(confirmed);
      else if (!tappedWithoutJump)
        findings.push({
          key: snapshot.id,
          severity: 'low',
          messageId: 'possibleHotZone',
          messageData: {
            area: areaText,
            trace: {
              zh: trace ? '（轨迹中没有点击该区域，跳转未验证）' : '（无运行轨迹，跳转未验证）',
              en: trace ? 'the trace has no tap on it' : 'no trace',
            },
          },
          evidence: refs,
          data: { ...data, confirmed: false },
        });
    }
    return findings;
  },
});
