import { DEFAULT_RECORDER_LIMITS, capText, type RecorderLimits } from './limits.js';

/** [left, top, right, bottom] in screen pixels. */
export type Bounds = [number, number, number, number];

/** One `<node>` of a uiautomator dump, flat, with its parent's index. */
export interface DumpNode {
  index: number;
  /** Index of the enclosing node in `UiDump.nodes`, or -1 for a window's root. */
  parent: number;
  depth: number;
  text: string;
  resourceId: string;
  className: string;
  packageName: string;
  contentDesc: string;
  clickable: boolean;
  checkable: boolean;
  checked: boolean;
  enabled: boolean;
  bounds?: Bounds;
}

export interface UiDump {
  nodes: DumpNode[];
  /** Whether the text looked like a uiautomator dump at all (`<hierarchy` or `<node`). */
  isDump: boolean;
  /** True when a limit cut the reading short. */
  truncated: boolean;
}

const BOUNDS = /^\s*\[(-?\d{1,6}),(-?\d{1,6})\]\s*\[(-?\d{1,6}),(-?\d{1,6})\]\s*$/;
const ATTRIBUTE = /\s+([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export function parseBounds(value: string | undefined): Bounds | undefined {
  const m = value === undefined ? null : BOUNDS.exec(value);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : undefined;
}

/** The middle of a rectangle, in whole pixels: where `input tap` should land. */
export function centerOf(bounds: Bounds): [number, number] {
  return [Math.round((bounds[0] + bounds[2]) / 2), Math.round((bounds[1] + bounds[3]) / 2)];
}

export function areaOf(bounds: Bounds | undefined): number {
  return bounds ? Math.max(0, bounds[2] - bounds[0]) * Math.max(0, bounds[3] - bounds[1]) : 0;
}

/**
 * Reads the `<node .../>` elements of a uiautomator XML dump (`uiautomator dump`, Android 4.3–15):
 * attributes only, nesting kept as parent indices. Anything else in the text is skipped; garbage
 * gives an empty list, never an exception. `exec-out uiautomator dump /dev/tty` output, with its
 * trailing "UI hierchary dumped to" line, reads the same.
 */
export function readUiDump(xml: unknown, limits: Partial<RecorderLimits> = {}): UiDump {
  const lim = { ...DEFAULT_RECORDER_LIMITS, ...limits };
  const text = capText(xml, lim.maxTextBytes);
  const nodes: DumpNode[] = [];
  const stack: number[] = [];
  let truncated = text !== xml && typeof xml === 'string';
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) break;
    if (text.startsWith('</node', lt)) {
      stack.pop();
      const gt = text.indexOf('>', lt);
      pos = gt < 0 ? text.length : gt + 1;
      continue;
    }
    if (!text.startsWith('<node', lt) || !/[\s/>]/.test(text[lt + 5] ?? '')) {
      pos = lt + 1;
      continue;
    }
    const attrs: Record<string, string> = {};
    let at = lt + 5;
    while (true) {
      ATTRIBUTE.lastIndex = at;
      const m = ATTRIBUTE.exec(text);
      if (!m) break;
      attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '');
      at = ATTRIBUTE.lastIndex;
    }
    TAG_END.lastIndex = at;
    const end = TAG_END.exec(text);
    if (!end) {
      // not a well-formed tag: skip past it
      pos = lt + 5;
      continue;
    }
    pos = TAG_END.lastIndex;
    if (nodes.length >= lim.maxUiNodes || stack.length >= lim.maxUiDepth) {
      truncated = true;
      break;
    }
    const index = nodes.length;
    const node: DumpNode = {
      index,
      parent: stack.length > 0 ? stack[stack.length - 1]! : -1,
      depth: stack.length,
      text: attrs['text'] ?? '',
      resourceId: attrs['resource-id'] ?? '',
      className: attrs['class'] ?? '',
      packageName: attrs['package'] ?? '',
      contentDesc: attrs['content-desc'] ?? '',
      clickable: attrs['clickable'] === 'true',
      checkable: attrs['checkable'] === 'true',
      checked: attrs['checked'] === 'true',
      enabled: attrs['enabled'] !== 'false',
    };
    const bounds = parseBounds(attrs['bounds']);
    if (bounds) node.bounds = bounds;
    nodes.push(node);
    if (end[1] !== '/') stack.push(index);
  }
  return { nodes, isDump: nodes.length > 0 || /<hierarchy[\s>]/.test(text.slice(0, 4096)), truncated };
}

/** What a node shows: its text, else its content description, with whitespace collapsed. */
export function labelOf(node: DumpNode): string {
  return (node.text || node.contentDesc).replace(/\s+/g, ' ').trim();
}

/** The node itself when clickable, else its nearest clickable ancestor (within `maxUp` levels), else the node. */
export function tapTarget(dump: UiDump, node: DumpNode, maxUp = 4): DumpNode {
  let current: DumpNode | undefined = node;
  for (let i = 0; current && i <= maxUp; i++) {
    if (current.clickable && current.bounds) return current;
    current = current.parent >= 0 ? dump.nodes[current.parent] : undefined;
  }
  return node;
}

/** The rectangle all window roots span: the screen, as far as the dump tells. */
export function screenOf(dump: UiDump): { width: number; height: number } | undefined {
  let right = 0;
  let bottom = 0;
  for (const n of dump.nodes) {
    if (n.parent !== -1 || !n.bounds) continue;
    right = Math.max(right, n.bounds[2]);
    bottom = Math.max(bottom, n.bounds[3]);
  }
  return right > 0 && bottom > 0 ? { width: right, height: bottom } : undefined;
}

/** Extracts the `<?xml …</hierarchy>` part of a command's output (drops `UI hierchary dumped to: …`). */
export function extractHierarchy(output: string): string | null {
  const start = output.search(/<\?xml|<hierarchy[\s>]/);
  if (start < 0) return null;
  const close = output.lastIndexOf('</hierarchy>');
  return close > start ? output.slice(start, close + '</hierarchy>'.length) : output.slice(start);
}
