/**
 * What the UI rules need of snapshots and traces: walking a view tree, sizes in px and dp, naming a
 * node in evidence, and a timeline that puts snapshots, taps and navigation in one order.
 * (`@apprights/runtime` reads traces and dumps; these are the queries over what it read.)
 */
import type { NavigationEvent, SensorEvent, Trace, UiEvent, UiNode, UiSnapshot, UserEvent } from '@apprights/runtime';
import type { EvidenceRef } from '../engine/types.js';
import type { Evidence } from './evidence.js';

export type Bounds = [number, number, number, number];

/** A node with the path to it, so a rule can look at its clickable ancestors. */
export interface Located {
  node: UiNode;
  parent: Located | null;
  depth: number;
}

export interface Screen {
  width: number;
  height: number;
}

/** Every node of a tree, parents before children. */
export function walk(root: UiNode): Located[] {
  return walkFrom({ node: root, parent: null, depth: 0 });
}

/** Every node under a located node (itself first), keeping the path above it. */
export function walkFrom(start: Located): Located[] {
  const out: Located[] = [];
  const stack: Located[] = [start];
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    const children = item.node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, parent: item, depth: item.depth + 1 });
  }
  return out;
}

export function widthOf(b: Bounds): number {
  return Math.max(0, b[2] - b[0]);
}

export function heightOf(b: Bounds): number {
  return Math.max(0, b[3] - b[1]);
}

export function area(b: Bounds | undefined): number {
  return b ? widthOf(b) * heightOf(b) : 0;
}

export function containsPoint(b: Bounds, x: number, y: number): boolean {
  return x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
}

export function formatBounds(b: Bounds): string {
  return `[${b[0]},${b[1]}][${b[2]},${b[3]}]`;
}

/** `com.example:id/tv_skip` → `tv_skip`. */
export function shortId(resourceId: string | undefined): string {
  if (!resourceId) return '';
  const at = resourceId.indexOf(':id/');
  return at >= 0 ? resourceId.slice(at + 4) : resourceId;
}

/** Text, content description and short resource id: what a person or a pattern can recognise a node by. */
export function labelsOf(node: UiNode): string[] {
  return [node.text, node.contentDescription, shortId(node.resourceId)].filter((s): s is string => !!s && s.trim() !== '');
}

/** How evidence names a node: its resource id, else its text, else class@bounds. */
export function nodeRef(node: UiNode): string {
  if (node.resourceId) return node.resourceId;
  const text = node.text?.trim() || node.contentDescription?.trim();
  if (text) return text;
  return `${node.class ?? 'node'}@${node.bounds ? formatBounds(node.bounds) : '?'}`;
}

/** A short human description: `「跳过 3」 (tv_skip)`. */
export function describeNode(node: UiNode): string {
  const text = node.text?.trim() || node.contentDescription?.trim();
  const id = shortId(node.resourceId);
  if (text && id) return `「${text}」 (${id})`;
  if (text) return `「${text}」`;
  if (id) return id;
  return `${(node.class ?? 'node').split('.').pop()!}@${node.bounds ? formatBounds(node.bounds) : '?'}`;
}

/**
 * The screen a snapshot was taken on: as recorded, else the root's bounds when the root is a full
 * window from the top-left corner, else the fallback (a dialog's own dump does not show the screen).
 */
export function screenOf(snapshot: { screen?: Screen; root?: UiNode }, fallback: Screen): Screen {
  if (snapshot.screen && snapshot.screen.width > 0 && snapshot.screen.height > 0) return snapshot.screen;
  const b = snapshot.root?.bounds;
  if (b && b[0] === 0 && b[1] === 0 && widthOf(b) >= 480 && heightOf(b) >= 480) return { width: b[2], height: b[3] };
  return fallback;
}

/** Pixels per dp: configured, else 2.75 for a 1080-pixel-wide screen (scaled to other widths). */
export function densityOf(screen: Screen, configured: unknown): number {
  if (typeof configured === 'number' && configured > 0) return configured;
  return (Math.min(screen.width, screen.height) * 2.75) / 1080;
}

export function toDp(px: number, density: number): number {
  return Math.round((px / density) * 10) / 10;
}

/** A node counts as shown unless it says it is not, or has no size, or lies off the screen. */
export function isShown(node: UiNode, screen: Screen): boolean {
  if (node.visible === false) return false;
  const b = node.bounds;
  if (!b) return true;
  if (area(b) <= 0) return false;
  return b[2] > 0 && b[3] > 0 && b[0] < screen.width && b[1] < screen.height;
}

/** The node a tap on `item` lands on: itself when clickable, else its nearest clickable ancestor. */
export function clickableSelfOrAncestor(item: Located): Located | null {
  for (let at: Located | null = item; at; at = at.parent) if (at.node.clickable) return at;
  return null;
}

/** Whether a tap (by node name or position) hit the node. */
export function tapHits(tap: UserEvent, node: UiNode, bounds: Bounds | undefined = node.bounds): boolean {
  if (tap.node) {
    const want = tap.node.trim();
    const names = [node.resourceId, shortId(node.resourceId), node.text?.trim(), node.contentDescription?.trim()];
    if (names.some((n) => n && n === want)) return true;
    if (want.includes(':id/') && shortId(want) === shortId(node.resourceId) && shortId(want) !== '') return true;
  }
  if (typeof tap.x === 'number' && typeof tap.y === 'number' && bounds) return containsPoint(bounds, tap.x, tap.y);
  return false;
}

export function uiRef(snapshotId: string, node: UiNode | undefined, detail: string): EvidenceRef {
  return node ? { kind: 'ui', snapshot: snapshotId, node: nodeRef(node), detail } : { kind: 'ui', snapshot: snapshotId, detail };
}

export type Lined<E> = E & { line: number };

export { traceRef } from './trace.js';

export function userEvents(trace: Trace | undefined): Lined<UserEvent>[] {
  return (trace?.events ?? []).filter((e) => e.kind === 'user') as Lined<UserEvent>[];
}

export function taps(trace: Trace | undefined): Lined<UserEvent>[] {
  return userEvents(trace).filter((e) => e.action === 'tap');
}

export function navigations(trace: Trace | undefined): Lined<NavigationEvent>[] {
  return (trace?.events ?? []).filter((e) => e.kind === 'navigation') as Lined<NavigationEvent>[];
}

export function sensorReadings(trace: Trace | undefined): Lined<SensorEvent>[] {
  return (trace?.events ?? []).filter((e) => e.kind === 'sensor' && (e as SensorEvent).action === 'reading') as Lined<SensorEvent>[];
}

/** A snapshot on the timeline: from `evidence.ui` (with its tree) or a trace `ui` event (maybe role only). */
export interface TimedSnapshot {
  id: string;
  t: number;
  line?: number;
  role?: UiEvent['role'];
  root?: UiNode;
  screen?: Screen;
}

/** The snapshots that have a time, in time order: the read ones first, trace `ui` events filling the gaps. */
export function snapshotTimeline(evidence: Evidence): TimedSnapshot[] {
  const byId = new Map<string, TimedSnapshot>();
  for (const s of evidence.ui?.snapshots ?? []) {
    if (s.t === null) continue;
    const entry: TimedSnapshot = { id: s.id, t: s.t, root: s.root };
    if (s.line !== undefined) entry.line = s.line;
    if (s.role) entry.role = s.role;
    if (s.screen) entry.screen = s.screen;
    byId.set(s.id, entry);
  }
  for (const e of evidence.trace?.events ?? []) {
    if (e.kind !== 'ui') continue;
    const ui = e as Lined<UiEvent>;
    if (byId.has(ui.id)) continue;
    const entry: TimedSnapshot = { id: ui.id, t: ui.t, line: ui.line };
    if (ui.role) entry.role = ui.role;
    if (ui.tree) entry.root = ui.tree;
    if (ui.screen) entry.screen = ui.screen;
    byId.set(ui.id, entry);
  }
  return [...byId.values()].sort((a, b) => a.t - b.t || (a.line ?? 0) - (b.line ?? 0));
}

/** The snapshot shown at time t: the last one taken at or before it. */
export function snapshotAt(timeline: TimedSnapshot[], t: number): TimedSnapshot | undefined {
  let found: TimedSnapshot | undefined;
  for (const s of timeline) {
    if (s.t <= t) found = s;
    else break;
  }
  return found;
}

/** Reads an optional number option (`null` or absent: not set). */
export function optionalNumber(options: Record<string, unknown>, key: string): number | null {
  const v = options[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

export function snapshotsOf(evidence: Evidence): UiSnapshot[] {
  return evidence.ui?.snapshots ?? [];
}

/** Any text, content description or resource id in the tree that matches. */
export function findNodes(root: UiNode, test: (node: UiNode) => boolean): Located[] {
  return walk(root).filter((l) => test(l.node));
}

export function matchesAny(node: UiNode, pattern: RegExp): boolean {
  return labelsOf(node).some((l) => pattern.test(l));
}

/** The node a tap at (x, y) lands on: the last-drawn (last in document order) clickable node there. */
export function clickableAtPoint(root: UiNode, x: number, y: number): Located | undefined {
  let found: Located | undefined;
  for (const l of walk(root))
    if (l.node.clickable && l.node.visible !== false && l.node.bounds && containsPoint(l.node.bounds, x, y)) found = l;
  return found;
}
