import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { Parser } from 'htmlparser2';
import { DEFAULT_UI_LIMITS, TraceInputError, describeBytes, utf8LongerThan, type UiLimits } from '../limits.js';
import type { Trace, UiEvent, UiNode, UiSnapshot } from '../trace/types.js';
import type { Bounds } from './query.js';

export interface ReadUiOptions {
  /** The snapshot id, for messages. */
  id: string;
  /** The file it came from, for messages and for the format (`.xml`, `.json`). */
  file?: string;
  limits?: Partial<UiLimits>;
}

const BOUNDS = /^\s*\[(-?\d+),(-?\d+)\]\s*\[(-?\d+),(-?\d+)\]\s*$/;

function parseBounds(value: string | undefined): Bounds | undefined {
  const m = value === undefined ? null : BOUNDS.exec(value);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : undefined;
}

function union(nodes: UiNode[]): Bounds | undefined {
  let out: Bounds | undefined;
  for (const n of nodes) {
    if (!n.bounds) continue;
    out = out
      ? [Math.min(out[0], n.bounds[0]), Math.min(out[1], n.bounds[1]), Math.max(out[2], n.bounds[2]), Math.max(out[3], n.bounds[3])]
      : [...n.bounds];
  }
  return out;
}

/** A dump with several windows (or none at top level) gets one root above them, spanning them all. */
function rootOf(tops: UiNode[], label: string): UiNode {
  if (tops.length === 0) throw new TraceInputError(`${label}: no UI nodes (not a uiautomator dump or a UI tree)`);
  if (tops.length === 1) return tops[0]!;
  const root: UiNode = { children: tops };
  const bounds = union(tops);
  if (bounds) root.bounds = bounds;
  return root;
}

/** uiautomator's boolean attributes and the UiNode fields they fill. */
const FLAGS: [string, keyof UiNode][] = [
  ['clickable', 'clickable'],
  ['visible-to-user', 'visible'],
  ['checkable', 'checkable'],
  ['checked', 'checked'],
  ['enabled', 'enabled'],
  ['selected', 'selected'],
  ['scrollable', 'scrollable'],
  ['long-clickable', 'longClickable'],
];
/** Its string attributes; uiautomator writes `text=""` for none, which we leave out. */
const TEXTS: [string, keyof UiNode][] = [
  ['class', 'class'],
  ['text', 'text'],
  ['content-desc', 'contentDescription'],
  ['resource-id', 'resourceId'],
  ['package', 'packageName'],
  ['hint', 'hint'],
];

function nodeFromAttributes(attributes: Record<string, string>): UiNode {
  const node: Record<string, unknown> = {};
  for (const [attribute, field] of TEXTS) {
    const value = attributes[attribute];
    if (value !== undefined && value !== '') node[field] = value;
  }
  const bounds = parseBounds(attributes.bounds);
  if (bounds) node.bounds = bounds;
  for (const [attribute, field] of FLAGS) {
    const value = attributes[attribute];
    if (value === 'true') node[field] = true;
    else if (value === 'false') node[field] = false;
  }
  return node as UiNode;
}

/**
 * A uiautomator dump (`uiautomator dump`, Appium's page source): `<hierarchy>` holding nested `<node>`
 * elements. htmlparser2 in XML mode is tolerant (truncated dumps from a device that was killed
 * mid-write still give the nodes read so far) and does not expand DTD entities.
 */
function readXml(content: string, label: string, limits: UiLimits): UiNode {
  const tops: UiNode[] = [];
  // Open elements; null for elements other than <node>, whose node children go to the nearest <node>.
  const open: (UiNode | null)[] = [];
  let nodes = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (open.length >= limits.maxUiDepth + 1)
          throw new TraceInputError(`${label}: nested deeper than the limit of ${limits.maxUiDepth} levels`);
        if (name !== 'node') {
          open.push(null);
          return;
        }
        if (++nodes > limits.maxUiNodes) throw new TraceInputError(`${label}: more than the limit of ${limits.maxUiNodes} nodes`);
        const node = nodeFromAttributes(attributes);
        let parent: UiNode | null = null;
        for (let i = open.length - 1; i >= 0 && parent === null; i--) parent = open[i]!;
        if (parent) (parent.children ??= []).push(node);
        else tops.push(node);
        open.push(node);
      },
      onclosetag() {
        // htmlparser2 closes every element it opened (implied closes included), innermost first.
        open.pop();
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(content);
  parser.end();
  return rootOf(tops, label);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const JSON_TEXTS = ['class', 'text', 'contentDescription', 'resourceId', 'packageName', 'hint'] as const;
const JSON_FLAGS = ['clickable', 'visible', 'checkable', 'checked', 'enabled', 'selected', 'scrollable', 'longClickable'] as const;

/**
 * A UI tree as JSON (the `UiNode` shape), checked field by field into a fresh object: a wrong field is
 * an error that names the node's path (`0/2/1`: child indices from the root), because a hand-written
 * tree with a typo should say so rather than lose the field. Walked without recursion.
 */
export function uiNodeFromJson(value: unknown, label: string, limits: Partial<UiLimits> = {}): UiNode {
  const { maxUiNodes, maxUiDepth } = { ...DEFAULT_UI_LIMITS, ...limits };
  const convert = (raw: unknown, path: string): UiNode => {
    if (!isObject(raw)) throw new TraceInputError(`${label}: node ${path} is not an object`);
    const node: Record<string, unknown> = {};
    for (const field of JSON_TEXTS) {
      const v = raw[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') throw new TraceInputError(`${label}: node ${path}: "${field}" must be a string`);
      node[field] = v;
    }
    for (const field of JSON_FLAGS) {
      const v = raw[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'boolean') throw new TraceInputError(`${label}: node ${path}: "${field}" must be true or false`);
      node[field] = v;
    }
    if (raw.bounds !== undefined && raw.bounds !== null) {
      const b = raw.bounds;
      if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new TraceInputError(`${label}: node ${path}: "bounds" must be [left, top, right, bottom] numbers`);
      node.bounds = [...b];
    }
    if (raw.children !== undefined && raw.children !== null && !Array.isArray(raw.children))
      throw new TraceInputError(`${label}: node ${path}: "children" must be an array of nodes`);
    return node as UiNode;
  };
  const root = convert(value, 'root');
  let nodes = 1;
  const pending: { raw: unknown; node: UiNode; path: string; depth: number }[] = [{ raw: value, node: root, path: 'root', depth: 1 }];
  while (pending.length > 0) {
    const { raw, node, path, depth } = pending.pop()!;
    const children = (raw as Record<string, unknown>).children;
    if (!Array.isArray(children) || children.length === 0) continue;
    if (depth + 1 > maxUiDepth) throw new TraceInputError(`${label}: nested deeper than the limit of ${maxUiDepth} levels`);
    nodes += children.length;
    if (nodes > maxUiNodes) throw new TraceInputError(`${label}: more than the limit of ${maxUiNodes} nodes`);
    node.children = children.map((child, i) => {
      const childPath = path === 'root' ? String(i) : `${path}/${i}`;
      const converted = convert(child, childPath);
      pending.push({ raw: child, node: converted, path: childPath, depth: depth + 1 });
      return converted;
    });
  }
  return root;
}

/**
 * Reads one UI snapshot: a uiautomator XML dump or the same tree as JSON (by the file's extension,
 * else by the first character). Throws `TraceInputError` naming the snapshot and the problem.
 */
export function readUiSnapshot(content: string, options: ReadUiOptions): UiNode {
  const limits: UiLimits = { ...DEFAULT_UI_LIMITS, ...options.limits };
  const label = `UI snapshot ${options.id}${options.file ? ` (${options.file})` : ''}`;
  if (utf8LongerThan(content, limits.maxUiBytes))
    throw new TraceInputError(`${label}: larger than the limit of ${describeBytes(limits.maxUiBytes)}`);
  const body = content.replace(/^\uFEFF/, '').trimStart();
  const extension = options.file ? extname(options.file).toLowerCase() : '';
  if (extension === '.json' || (extension !== '.xml' && body.startsWith('{'))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new TraceInputError(`${label}: not JSON (${(error as Error).message})`);
    }
    return uiNodeFromJson(parsed, label, limits);
  }
  if (!body.startsWith('<')) throw new TraceInputError(`${label}: neither a uiautomator XML dump nor a JSON UI tree`);
  return readXml(body, label, limits);
}

export interface UiLoadProblem {
  /** The `ui` event's line, when the snapshot was announced by one. */
  line?: number;
  id: string;
  message: string;
}

export interface UiSnapshotSet {
  /** Where the snapshots came from: the UI folder, else the trace's source. */
  source: string;
  snapshots: UiSnapshot[];
  /** Snapshots that could not be read (missing file, bad dump, over a limit): reported, not fatal. */
  problems: UiLoadProblem[];
}

const SNAPSHOT_EXTENSIONS = new Set(['.xml', '.json']);

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A path named by a trace, resolved inside `folder`. Traces come off test devices, so a name may not
 * climb out of the folder (`../`, absolute paths): the reader only reads dumps next to the trace.
 */
function inside(folder: string, name: string): string | null {
  if (isAbsolute(name)) return null;
  const path = resolve(folder, name);
  const rel = relative(resolve(folder), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : path;
}

/**
 * The UI snapshots of a run: one per `ui` event of the trace (its tree inline, or its file looked up
 * in `uiDir`, then in the trace file's folder; an event with neither is looked up as `<id>.xml` or
 * `<id>.json`), then every `*.xml` / `*.json` in `uiDir` no event named (time null, id = file name).
 * Snapshots that cannot be read are listed in `problems`; more snapshots than the limit throw.
 */
export async function loadUiSnapshots(trace: Trace | null, uiDir?: string, limits: Partial<UiLimits> = {}): Promise<UiSnapshotSet> {
  const all: UiLimits = { ...DEFAULT_UI_LIMITS, ...limits };
  const folders = [uiDir, trace && trace.source !== '(text)' ? dirname(trace.source) : undefined].filter(
    (f): f is string => f !== undefined,
  );
  const snapshots: UiSnapshot[] = [];
  const problems: UiLoadProblem[] = [];
  const used = new Set<string>();
  const appPackage = trace?.header?.package;
  // Checked before each snapshot, outside the per-snapshot error handling: this limit ends the load.
  const checkCount = () => {
    if (snapshots.length + problems.length >= all.maxUiSnapshots)
      throw new TraceInputError(`${uiDir ?? trace?.source ?? 'UI snapshots'}: more than the limit of ${all.maxUiSnapshots} snapshots`);
  };
  const add = (snapshot: UiSnapshot) => snapshots.push(snapshot);
  const readFromFile = async (path: string, id: string, name: string): Promise<UiNode> => {
    const size = (await stat(path)).size;
    if (size > all.maxUiBytes)
      throw new TraceInputError(`UI snapshot ${id} (${name}): ${size} bytes, larger than the limit of ${describeBytes(all.maxUiBytes)}`);
    return readUiSnapshot(await readFile(path, 'utf8'), { id, file: name, limits: all });
  };

  for (const event of trace?.events ?? []) {
    if (event.kind !== 'ui') continue;
    const e = event as UiEvent & { line: number };
    checkCount();
    const base: Omit<UiSnapshot, 'root'> = { id: e.id, t: e.t, line: e.line };
    if (e.screenshot !== undefined) base.screenshot = e.screenshot;
    if (e.screen !== undefined) base.screen = e.screen;
    if (e.role !== undefined) base.role = e.role;
    if (appPackage !== undefined) base.package = appPackage;
    try {
      if (e.tree !== undefined) {
        add({ ...base, root: uiNodeFromJson(e.tree, `UI snapshot ${e.id} (line ${e.line})`, all) });
        continue;
      }
      const names = e.file !== undefined ? [e.file] : [`${e.id}.xml`, `${e.id}.json`];
      let found: { path: string; name: string } | null = null;
      for (const folder of folders) {
        for (const name of names) {
          const path = inside(folder, name);
          if (path && (await isFile(path))) {
            found = { path, name };
            break;
          }
        }
        if (found) break;
      }
      if (!found) {
        const why =
          e.file !== undefined && folders.every((f) => inside(f, e.file!) === null)
            ? `file "${e.file}" is outside the trace and UI folders`
            : e.file !== undefined
              ? `file "${e.file}" not found in ${folders.join(' or ') || 'any folder (no UI folder, trace read from text)'}`
              : `no tree, no file, and no ${e.id}.xml or ${e.id}.json in ${folders.join(' or ') || 'any folder'}`;
        problems.push({ line: e.line, id: e.id, message: `UI snapshot ${e.id} (line ${e.line}): ${why}` });
        continue;
      }
      used.add(found.path);
      add({ ...base, file: found.name, root: await readFromFile(found.path, e.id, found.name) });
    } catch (error) {
      if (!(error instanceof TraceInputError) && !(error as NodeJS.ErrnoException).code) throw error;
      problems.push({ line: e.line, id: e.id, message: (error as Error).message });
    }
  }

  if (uiDir !== undefined) {
    let names: string[];
    try {
      names = (await readdir(uiDir)).filter((n) => SNAPSHOT_EXTENSIONS.has(extname(n).toLowerCase())).sort();
    } catch (error) {
      throw new TraceInputError(
        `${uiDir}: cannot read the UI folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    for (const name of names) {
      const path = resolve(uiDir, name);
      if (used.has(path) || !(await isFile(path))) continue;
      const id = basename(name);
      checkCount();
      try {
        const snapshot: UiSnapshot = { id, t: null, file: name, root: await readFromFile(path, id, name) };
        if (appPackage !== undefined) snapshot.package = appPackage;
        add(snapshot);
      } catch (error) {
        if (!(error instanceof TraceInputError) && !(error as NodeJS.ErrnoException).code) throw error;
        problems.push({ id, message: (error as Error).message });
      }
    }
  }
  return { source: uiDir ?? trace?.source ?? '', snapshots, problems };
}
