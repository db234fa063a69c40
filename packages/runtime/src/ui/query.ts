import type { UiNode, UiSnapshot } from '../trace/types.js';

/** [left, top, right, bottom] in screen pixels, as in `UiNode.bounds`. */
export type Bounds = [number, number, number, number];

/** Every node of the tree, parents before children, in document order. Iterative: dumps can be deep. */
export function* walk(root: UiNode): Generator<UiNode> {
  const pending: UiNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    yield node;
    const children = node.children;
    if (children) for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
}

/** The nodes for which `predicate` holds, in document order. */
export function findNodes(root: UiNode, predicate: (node: UiNode) => boolean): UiNode[] {
  const out: UiNode[] = [];
  for (const node of walk(root)) if (predicate(node)) out.push(node);
  return out;
}

/** Width × height; 0 for an empty or inverted rectangle (uiautomator writes those for off-screen nodes). */
export function area(bounds: Bounds): number {
  return Math.max(0, bounds[2] - bounds[0]) * Math.max(0, bounds[3] - bounds[1]);
}

/**
 * The screen's rectangle: from the recorder's `screen` size, else the root's bounds (a uiautomator
 * root is the full display), else the extent of all nodes; null when nothing has bounds.
 */
export function screenBounds(snapshot: UiSnapshot): Bounds | null {
  if (snapshot.screen) return [0, 0, snapshot.screen.width, snapshot.screen.height];
  if (snapshot.root.bounds && area(snapshot.root.bounds) > 0) return [...snapshot.root.bounds];
  let out: Bounds | null = null;
  for (const node of walk(snapshot.root)) {
    const b = node.bounds;
    if (!b) continue;
    out = out ? [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])] : [...b];
  }
  return out;
}

/**
 * Packages whose windows are the system's, not the app's: status bar, navigation bar, permission
 * dialogs, installers, input methods. Used when the snapshot does not say which package is the app.
 */
export const SYSTEM_UI_PACKAGES: ReadonlySet<string> = new Set([
  'android',
  'com.android.systemui',
  'com.android.permissioncontroller',
  'com.google.android.permissioncontroller',
  'com.android.packageinstaller',
  'com.google.android.packageinstaller',
  'com.android.inputmethod.latin',
  'com.google.android.inputmethod.latin',
  'com.android.launcher3',
  'com.google.android.apps.nexuslauncher',
]);

/**
 * The nodes of the app's own windows: those of `snapshot.package`; when the package is not known,
 * those of any package that is not system UI. A node without a package belongs to its window's.
 */
export function appNodes(snapshot: UiSnapshot): UiNode[] {
  const out: UiNode[] = [];
  const pending: { node: UiNode; inherited: string | undefined }[] = [{ node: snapshot.root, inherited: undefined }];
  while (pending.length > 0) {
    const { node, inherited } = pending.pop()!;
    const pkg = node.packageName ?? inherited;
    const isApp = pkg !== undefined && (snapshot.package !== undefined ? pkg === snapshot.package : !SYSTEM_UI_PACKAGES.has(pkg));
    if (isApp) out.push(node);
    const children = node.children;
    if (children) for (let i = children.length - 1; i >= 0; i--) pending.push({ node: children[i]!, inherited: pkg });
  }
  return out;
}

/** What a node says to the user: its text, else its content description (icons), trimmed; '' for none. */
export function nodeLabel(node: UiNode): string {
  return (node.text ?? node.contentDescription ?? '').trim();
}
