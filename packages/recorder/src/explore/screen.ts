/**
 * What the explorer reads from one uiautomator dump: which window is in front, whether it is a
 * dialog it knows (the app's privacy dialog, a system permission dialog, a crash dialog), an advert,
 * and the app's clickable controls. Pure functions over the dump; they never throw.
 */
import { findConsentDialog, POLICY_TEXT, type ConsentDialog } from '../adb/consent-dialog.js';
import { parsePermissionDialog, PERMISSION_DIALOG_PACKAGES, type PermissionDialog } from '../adb/permission-dialog.js';
import { areaOf, centerOf, labelOf, readUiDump, screenOf, tapTarget, type Bounds, type DumpNode, type UiDump } from '../adb/xml.js';

/** An ad SDK's view classes, from the SDK catalogue (the CLI passes them; the recorder knows no catalogue). */
export interface AdViewPrefixes {
  sdk: string;
  prefixes: readonly string[];
}

/** The system's "app keeps stopping" dialog: AOSP, MIUI, EMUI, ColorOS, OriginOS, One UI wordings. */
const CRASH_TEXT =
  /已停止运行|已停止|屡次停止运行|停止运行|一直停止|keeps stopping|has stopped|isn[’']t responding|没有响应|无响应|unfortunately/i;
const CRASH_CLOSE = /^(关闭应用|关闭|确定|close app|close|ok)$/i;

/** Never tapped by the walk: payment, deletion, sending, calling, system settings, signing out. */
export const DEFAULT_DENY_WORDS: readonly string[] = [
  '支付',
  '付款',
  '购买',
  '充值',
  '下单',
  '提交订单',
  '删除',
  '清空',
  '注销',
  '卸载',
  '发送',
  '拨打',
  '呼叫',
  '打电话',
  '设置',
  '退出登录',
  'pay',
  'purchase',
  'buy',
  'checkout',
  'delete',
  'remove',
  'erase',
  'send',
  'call',
  'dial',
  'settings',
  'log out',
  'logout',
  'sign out',
  'uninstall',
];

export type ScreenKind = 'permission' | 'consent' | 'crash' | 'unreadable-dialog' | 'app' | 'other-app' | 'empty';

export interface ScreenReading {
  dump: UiDump;
  kind: ScreenKind;
  role?: 'permission' | 'consent' | 'ad' | 'splash' | 'main' | 'other';
  permission?: PermissionDialog;
  consent?: ConsentDialog;
  crashClose?: [number, number];
  /** The node of the crash dialog's close control (written with the explorer's tap). */
  crashCloseNode?: TapNode;
  adSdks: string[];
  /** A splash screen (a skip control or countdown, a splash id): the explorer waits it out. */
  splash: boolean;
  /** The packages whose nodes are on screen, the app's first. */
  packages: string[];
  /** Identifies a screen of the app by its structure (ids and classes), not its changing texts. */
  signature: string;
  screen?: { width: number; height: number };
}

const SPLASH = /^(跳过|跳过广告|点击跳过|skip|skip ad)\s*\d{0,2}\s*[sS秒]?$|^\d{1,2}\s*[sS秒]?\s*(跳过|skip)$/i;
const BUTTONISH = /button|textview/i;

function signatureOf(nodes: readonly DumpNode[]): string {
  const parts = nodes.map((n) => `${n.className}#${n.resourceId.replace(/^.*:id\//, '')}`);
  // Lists repeat rows: the set, not the count, identifies the screen.
  return [...new Set(parts)].sort().join('|').slice(0, 4000);
}

/** Reads one dump for the app `pkg`. */
export function readScreen(xml: string, pkg: string, adViews: readonly AdViewPrefixes[] = []): ScreenReading {
  const dump = readUiDump(xml);
  const screen = screenOf(dump);
  const packages = [...new Set(dump.nodes.map((n) => n.packageName).filter((p) => p !== ''))];
  packages.sort((a, b) => (a === pkg ? -1 : b === pkg ? 1 : 0));
  const own = dump.nodes.filter((n) => n.packageName === pkg);
  const base: ScreenReading = {
    dump,
    kind: 'empty',
    adSdks: [],
    splash: false,
    packages,
    signature: signatureOf(own),
    ...(screen ? { screen } : {}),
  };
  if (dump.nodes.length === 0) return base;
  const permission = parsePermissionDialog(xml);
  if (permission) return { ...base, kind: 'permission', role: 'permission', permission };
  const crash = dump.nodes.find((n) => !own.includes(n) && CRASH_TEXT.test(labelOf(n)));
  if (crash) {
    const close = dump.nodes.find((n) => CRASH_CLOSE.test(labelOf(n).trim()) && n.bounds);
    const bounds = close ? (tapTarget(dump, close, 2).bounds ?? close.bounds) : undefined;
    return {
      ...base,
      kind: 'crash',
      ...(close && bounds
        ? { crashClose: centerOf(bounds), crashCloseNode: { bounds, text: labelOf(close), id: close.resourceId, pkg: close.packageName } }
        : {}),
    };
  }
  const consent = findConsentDialog(xml, { package: pkg });
  if (consent) return { ...base, kind: 'consent', role: 'consent', consent };
  if (own.length === 0) return { ...base, kind: packages.length > 0 ? 'other-app' : 'empty' };
  const adSdks = [
    ...new Set(
      adViews
        .filter((a) => own.some((n) => a.prefixes.some((p) => n.className.startsWith(p.endsWith('.') ? p : `${p}.`))))
        .map((a) => a.sdk),
    ),
  ];
  // A small window of the app with buttons and some text, that is neither dialog the explorer knows.
  const roots = own.filter((n) => n.parent < 0 || dump.nodes[n.parent]?.packageName !== pkg);
  const screenArea = screen ? screen.width * screen.height : 0;
  // A dialog is its own small window (root) over the app's: its nodes are those under that root.
  const under = (root: DumpNode) =>
    own.filter((n) => {
      for (let p: DumpNode | undefined = n; p; p = p.parent >= 0 ? dump.nodes[p.parent] : undefined) if (p === root) return true;
      return false;
    });
  const dialogLike =
    screenArea > 0 &&
    roots.some((r) => {
      if (!(areaOf(r.bounds) > 0 && areaOf(r.bounds) < 0.6 * screenArea)) return false;
      const inside = under(r);
      return (
        inside.some((n) => n.clickable && BUTTONISH.test(n.className)) &&
        inside.some((n) => POLICY_TEXT.test(labelOf(n)) || labelOf(n).length >= 16)
      );
    });
  const splash = own.some((n) => SPLASH.test(labelOf(n).trim())) || own.some((n) => /[:/](splash|skip)/i.test(n.resourceId));
  // No role for the app's other screens: the explorer cannot tell a home screen from a pop-up over
  // it, and a role would stop the rules from judging by content.
  const role = adSdks.length > 0 ? 'ad' : splash ? 'splash' : undefined;
  return {
    ...base,
    kind: dialogLike ? 'unreadable-dialog' : 'app',
    ...(dialogLike ? { role: 'other' as const } : role ? { role } : {}),
    adSdks,
    splash,
  };
}

/** A clickable control of the app the walk may tap. */
export interface Control {
  key: string;
  label: string;
  resourceId: string;
  className: string;
  bounds: Bounds;
  center: [number, number];
}

/** The app's clickable controls, denied ones left out, in reading order (top to bottom, left to right). */
export function controlsOf(reading: ScreenReading, pkg: string, deny: RegExp): Control[] {
  const { dump } = reading;
  const out: Control[] = [];
  const seen = new Set<string>();
  for (const node of dump.nodes) {
    if (node.packageName !== pkg || !node.clickable || !node.enabled || !node.bounds) continue;
    const [l, t, r, b] = node.bounds;
    if (r - l < 4 || b - t < 4) continue;
    // The control's own words and those of the nodes inside it.
    const words = [labelOf(node)];
    for (const child of dump.nodes) if (child.parent === node.index) words.push(labelOf(child));
    const label = words.filter(Boolean).join(' ').trim().slice(0, 80);
    const id = node.resourceId.replace(/^.*:id\//, '');
    if (deny.test(label) || deny.test(id.replace(/_/g, ' '))) continue;
    const key = `${id}|${label}|${node.className}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, label, resourceId: node.resourceId, className: node.className, bounds: node.bounds, center: centerOf(node.bounds) });
  }
  out.sort((a, b) => a.bounds[1] - b.bounds[1] || a.bounds[0] - b.bounds[0]);
  return out;
}

/** The deny-list as one pattern: the default words and the configured ones, matched case-blind. */
export function denyPattern(extra: readonly string[] = []): RegExp {
  const words = [...DEFAULT_DENY_WORDS, ...extra].filter((w) => w.trim() !== '').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(words.join('|'), 'i');
}

/** The policy link of a consent dialog: a short node naming the policy (《隐私政策》). */
/** A node the explorer taps, as its user event records it. */
export interface TapNode {
  bounds: [number, number, number, number];
  text: string;
  id: string;
  pkg: string;
}

/** The privacy dialog's policy link: where to tap, and the node. */
export function policyLinkNode(reading: ScreenReading, pkg: string): (TapNode & { center: [number, number] }) | null {
  const node = policyNodeOf(reading, pkg);
  return node?.bounds
    ? { center: centerOf(node.bounds), bounds: node.bounds, text: labelOf(node), id: node.resourceId, pkg: node.packageName }
    : null;
}

export function policyLink(reading: ScreenReading, pkg: string): [number, number] | null {
  return policyLinkNode(reading, pkg)?.center ?? null;
}

function policyNodeOf(reading: ScreenReading, pkg: string) {
  const links = reading.dump.nodes.filter(
    (n) => n.packageName === pkg && n.bounds && POLICY_TEXT.test(labelOf(n)) && labelOf(n).length <= 24,
  );
  // A clickable link first (a title naming the policy opens nothing), then the shortest text.
  links.sort((a, b) => Number(b.clickable) - Number(a.clickable) || labelOf(a).length - labelOf(b).length);
  return links[0];
}

/** The text the app shows (a policy page): its nodes' labels, in order. */
export function screenText(reading: ScreenReading, pkg: string, maxBytes: number): string {
  let out = '';
  for (const n of reading.dump.nodes) {
    if (n.packageName !== pkg && !/webview|chrome/i.test(n.packageName)) continue;
    const label = labelOf(n).trim();
    if (label === '') continue;
    if (Buffer.byteLength(out) + Buffer.byteLength(label) + 1 > maxBytes) break;
    out += `${label}\n`;
  }
  return out;
}

export const isPermissionPackage = (p: string) => PERMISSION_DIALOG_PACKAGES.has(p);

/** `mResumedActivity` / `topResumedActivity` of `dumpsys activity activities`: the package and activity in front. */
export function resumedActivity(output: string): { package: string; activity: string } | null {
  const m = /(?:mResumedActivity|topResumedActivity|ResumedActivity)[:=]\s*ActivityRecord\{[^}\s]*\s+\S+\s+([\w.]+)\/([\w.$]+)/.exec(
    output,
  );
  if (!m) return null;
  const activity = m[2]!.startsWith('.') ? `${m[1]}${m[2]}` : m[2]!;
  return { package: m[1]!, activity };
}
