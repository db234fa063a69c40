/**
 * The app's source `AndroidManifest.xml` (what a developer edits, not the compiled one in the APK):
 * read with limits, checked to be the scanned app's, and edited by the findings' fixes as minimal
 * text replacements. The APK is never written.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { expandClassName } from '@apprights/apk';
import {
  elementLabel,
  isActionable,
  type Bilingual,
  type Finding,
  type ManifestEdit,
  type ManifestElementRef,
  type ManifestPatch,
  type ManifestSourceSummary,
  type PackageFacts,
  type TextReplacement,
} from '@apprights/rules';
import { InputError, LimitError } from '../errors.js';
import { unifiedDiff } from './diff.js';
import {
  ANDROID_NS,
  attributeOf,
  escapeAttribute,
  positionOf,
  scanXml,
  TOOLS_NS,
  XmlScanError,
  type XmlDocument,
  type XmlElement,
  type XmlScanLimits,
} from './xml-scan.js';

/** Largest source manifest read (bytes): real ones are a few to a few hundred KiB. */
export const MAX_SOURCE_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface SourceManifest {
  /** As given (reports and diffs show it). */
  path: string;
  text: string;
  sha256: string;
  document: XmlDocument;
  /** The root's `package` attribute, when it has one. */
  package: string | null;
  /** Start of each line in UTF-8 bytes (for `byteOffset`). */
  lineByteStarts: number[];
}

const COMPONENTS = new Set(['activity', 'activity-alias', 'service', 'receiver', 'provider']);

/** Reads and scans a source manifest; an unreadable, non-UTF-8, malformed or oversized one is an InputError or LimitError. */
export function readSourceManifest(path: string, options: { maxBytes?: number } = {}): SourceManifest {
  const maxBytes = options.maxBytes ?? MAX_SOURCE_MANIFEST_BYTES;
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // Checked before opening: opening a FIFO would wait for a writer.
    if (!statSync(path).isFile())
      throw new InputError('manifest-source', { en: `${path} is not a regular file`, zh: `${path} 不是普通文件` }, path);
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > maxBytes)
      throw new LimitError(
        'limit',
        {
          en: `the source manifest is ${size} bytes, over the limit of ${maxBytes}`,
          zh: `源清单大小为 ${size} 字节，超过上限 ${maxBytes} 字节`,
        },
        path,
      );
    bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    bytes = bytes.subarray(0, read);
  } catch (error) {
    if (error instanceof LimitError || error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError('io', { en: `cannot read the source manifest ${path}: ${code}`, zh: `无法读取源清单 ${path}：${code}` }, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return parseSourceManifest(bytes, path);
}

/** Scans a source manifest's bytes (UTF-8) or text. */
export function parseSourceManifest(input: Uint8Array | string, path: string, limits: Partial<XmlScanLimits> = {}): SourceManifest {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))
      throw new InputError(
        'manifest-source',
        { en: `${path} is UTF-16; only UTF-8 source manifests are edited`, zh: `${path} 为 UTF-16 编码；仅支持编辑 UTF-8 源清单` },
        path,
      );
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new InputError('manifest-source', { en: `${path} is not valid UTF-8`, zh: `${path} 不是有效的 UTF-8 文本` }, path);
    }
  }
  let document: XmlDocument;
  try {
    document = scanXml(text, limits);
  } catch (error) {
    if (!(error instanceof XmlScanError)) throw error;
    const Kind = error.code === 'limit' ? LimitError : InputError;
    throw new Kind(
      error.code === 'limit' ? 'limit' : 'manifest-source',
      { en: `${path} cannot be edited as XML: ${error.message}`, zh: `${path} 无法作为 XML 编辑：${error.message}` },
      path,
    );
  }
  const root = document.elements[0]!;
  if (root.local !== 'manifest' || root.namespace !== null)
    throw new InputError(
      'manifest-source',
      {
        en: `${path} is not an AndroidManifest.xml: its root is <${root.qname}>`,
        zh: `${path} 不是 AndroidManifest.xml：根元素为 <${root.qname}>`,
      },
      path,
    );
  const pkg = attributeOf(root, null, 'package')?.value.trim() || null;
  return {
    path,
    text,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    document,
    package: pkg,
    lineByteStarts: document.lineStarts.map(
      (() => {
        let bytes = 0;
        let previous = 0;
        return (start: number) => {
          bytes += Buffer.byteLength(text.slice(previous, start), 'utf8');
          previous = start;
          return bytes;
        };
      })(),
    ),
  };
}

function children(manifest: SourceManifest, parent: XmlElement, local: string): XmlElement[] {
  return manifest.document.elements.filter((e) => e.parent === parent.index && e.local === local && e.namespace === null);
}

/** `tools:node="remove"` takes an element out of the merged manifest: it is not what the package has. */
function removedByMerger(element: XmlElement): boolean {
  const node = attributeOf(element, TOOLS_NS, 'node')?.value.trim();
  return node === 'remove' || node === 'removeAll';
}

function androidName(element: XmlElement): string | undefined {
  return attributeOf(element, ANDROID_NS, 'name')?.value.trim() || undefined;
}

/** The components the source declares, with names expanded against the namespace. */
export function declaredComponents(manifest: SourceManifest, namespace: string | null): string[] {
  const root = manifest.document.elements[0]!;
  const names: string[] = [];
  for (const application of children(manifest, root, 'application'))
    for (const e of manifest.document.elements)
      if (e.parent === application.index && e.namespace === null && COMPONENTS.has(e.local) && !removedByMerger(e)) {
        const name = androidName(e);
        if (name) names.push(expandClassName(namespace ?? undefined, name));
      }
  return names;
}

export interface ManifestMatch {
  match: 'package' | 'components';
  namespace: string | null;
}

/**
 * Is this the scanned app's manifest? Yes when its `package` attribute is the package's name. A
 * Gradle project may leave `package` out (build.gradle's `namespace`) or build an applicationId
 * that differs from it (`applicationIdSuffix`, flavours): then every component the source declares,
 * with relative names resolved against `--namespace` (or the package attribute, or the package's
 * name), has to be in the package, and it has to declare at least one. Otherwise an InputError
 * `manifest-mismatch`: a fix written into another app's manifest would be wrong without a sign.
 */
export function matchManifest(manifest: SourceManifest, facts: PackageFacts, namespaceOption?: string): ManifestMatch {
  const appPackage = facts.app.package;
  const namespace = namespaceOption ?? manifest.package ?? appPackage;
  if (
    manifest.package !== null &&
    manifest.package === appPackage &&
    (namespaceOption === undefined || namespaceOption === manifest.package)
  )
    return { match: 'package', namespace };
  const declared = declaredComponents(manifest, namespace);
  const inPackage = new Set(facts.components.map((c) => c.name));
  const missing = declared.filter((name) => !inPackage.has(name));
  if (declared.length > 0 && missing.length === 0) return { match: 'components', namespace };
  const theirs = manifest.package ?? { en: 'none (a Gradle namespace)', zh: '无（Gradle namespace）' };
  const pkgText = (lang: 'en' | 'zh') => (typeof theirs === 'string' ? `"${theirs}"` : theirs[lang]);
  const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ', …' : '');
  const why: Bilingual =
    declared.length === 0
      ? { en: 'and it declares no component to match on', zh: '且未声明可供比对的组件' }
      : {
          en: `and ${missing.length} of its ${declared.length} components are not in the package (${shown})`,
          zh: `且其 ${declared.length} 个组件中有 ${missing.length} 个不在安装包中（${shown}）`,
        };
  throw new InputError(
    'manifest-mismatch',
    {
      en:
        `${manifest.path} is not the manifest of ${appPackage ?? 'this package'}: its package attribute is ${pkgText('en')} ${why.en}. ` +
        'If build.gradle sets the namespace, pass it with --namespace; otherwise give the manifest of the app that was built.',
      zh:
        `${manifest.path} 不是 ${appPackage ?? '该安装包'} 的清单：其 package 属性为 ${pkgText('zh')}，${why.zh}。` +
        '若 build.gradle 设置了 namespace，请用 --namespace 传入；否则请提供构建该应用所用的清单。',
    },
    manifest.path,
  );
}

/** The elements of the source a fix's target names (none when it is not there as text). */
/**
 * The elements a fix can target, by `element name`, built once per manifest and namespace: a
 * report may carry hundreds of fixes, and a search of every element for each would be quadratic.
 */
const targetIndexes = new WeakMap<SourceManifest, Map<string | null, Map<string, XmlElement[]>>>();

function targetIndex(manifest: SourceManifest, namespace: string | null): Map<string, XmlElement[]> {
  let byNamespace = targetIndexes.get(manifest);
  if (!byNamespace) targetIndexes.set(manifest, (byNamespace = new Map()));
  let index = byNamespace.get(namespace);
  if (index) return index;
  index = new Map();
  const add = (key: string, element: XmlElement) => {
    const list = index!.get(key);
    if (list) list.push(element);
    else index!.set(key, [element]);
  };
  const elements = manifest.document.elements;
  const applications = new Set<number>();
  for (const e of elements) {
    if (e.namespace !== null || e.parent < 0) continue;
    const parent = elements[e.parent]!;
    if (e.parent === 0) {
      if (e.local === 'application') {
        applications.add(e.index);
        add('application', e);
      } else if ((e.local === 'uses-permission' || e.local === 'uses-permission-sdk-23') && !removedByMerger(e)) {
        const name = androidName(e);
        if (name) add(`${e.local} ${name}`, e);
      }
    } else if (applications.has(parent.index) && COMPONENTS.has(e.local) && !removedByMerger(e)) {
      const name = androidName(e);
      if (name) add(`${e.local} ${expandClassName(namespace ?? undefined, name)}`, e);
    }
  }
  byNamespace.set(namespace, index);
  return index;
}

/** The elements of the source a fix's target names (none when it is not there as text). */
function locate(manifest: SourceManifest, target: ManifestElementRef, namespace: string | null): XmlElement[] {
  const key = 'name' in target ? `${target.element} ${target.name}` : target.element;
  return targetIndex(manifest, namespace).get(key) ?? [];
}

/** A value the build computes (`${placeholder}`, `@bool/x`, `?attr`): editing its text would not mean what the fix says. */
function computed(raw: string): boolean {
  const value = raw.trim();
  return value.startsWith('@') || value.startsWith('?') || value.includes('${');
}

/** A replacement before its lines, columns and bytes are worked out. */
type Located = Pick<TextReplacement, 'offset' | 'length' | 'deleted' | 'inserted'>;

type Planned = { kind: 'replace'; replacement: Located } | { kind: 'unchanged' } | { kind: 'blocked'; reason: Bilingual };

/** Where the new attribute goes and how it is spaced: on its own line when the tag lists attributes one a line. */
function insertion(manifest: SourceManifest, element: XmlElement, qname: string, value: string): { offset: number; text: string } {
  const last = element.attributes[element.attributes.length - 1];
  const quote = last?.quote ?? '"';
  const attribute = `${qname}=${quote}${escapeAttribute(value, quote)}${quote}`;
  if (!last) return { offset: element.nameEnd, text: ` ${attribute}` };
  const lead = manifest.text.slice(last.leadStart, last.nameStart);
  const newline = /\r\n|\n|\r/.exec(lead);
  const separator = newline ? `${newline[0]}${lead.slice(lead.lastIndexOf(newline[0]) + newline[0].length)}` : ' ';
  return { offset: last.valueEnd + 1, text: `${separator}${attribute}` };
}

function plan(manifest: SourceManifest, element: XmlElement, edit: ManifestEdit): Planned {
  const text = manifest.text;
  const present = attributeOf(element, ANDROID_NS, edit.attribute);
  const where = elementLabel(edit.target);
  if (edit.value === null) {
    if (!present) return { kind: 'unchanged' };
    const end = present.valueEnd + 1;
    return {
      kind: 'replace',
      replacement: {
        offset: present.leadStart,
        length: end - present.leadStart,
        deleted: text.slice(present.leadStart, end),
        inserted: '',
      },
    };
  }
  if (present) {
    const raw = text.slice(present.valueStart, present.valueEnd);
    if (present.value.trim() === edit.value) return { kind: 'unchanged' };
    if (computed(raw))
      return {
        kind: 'blocked',
        reason: {
          en: `${where} sets android:${edit.attribute} to ${raw.trim()}, which the build resolves: change it where that value is defined.`,
          zh: `${where} 的 android:${edit.attribute} 为 ${raw.trim()}，其值由构建解析：请在定义该值处修改。`,
        },
      };
    const inserted = escapeAttribute(edit.value, present.quote);
    return { kind: 'replace', replacement: { offset: present.valueStart, length: raw.length, deleted: raw, inserted } };
  }
  let prefix: string | undefined;
  for (const [p, ns] of element.scope) if (ns === ANDROID_NS && p !== '') prefix ??= p;
  if (prefix === undefined)
    return {
      kind: 'blocked',
      reason: {
        en: `no prefix is bound to the android namespace at ${where}`,
        zh: `${where} 处没有绑定 android 命名空间的前缀`,
      },
    };
  const { offset, text: inserted } = insertion(manifest, element, `${prefix}:${edit.attribute}`, edit.value);
  return { kind: 'replace', replacement: { offset, length: 0, deleted: '', inserted } };
}

function withPosition(manifest: SourceManifest, r: Located): TextReplacement {
  const { lineStarts } = manifest.document;
  const start = positionOf(lineStarts, r.offset);
  const end = positionOf(lineStarts, r.offset + r.length);
  const byteAt = (line: number, offset: number) =>
    manifest.lineByteStarts[line - 1]! + Buffer.byteLength(manifest.text.slice(lineStarts[line - 1]!, offset), 'utf8');
  const byteOffset = byteAt(start.line, r.offset);
  return {
    offset: r.offset,
    length: r.length,
    byteOffset,
    byteLength: byteAt(end.line, r.offset + r.length) - byteOffset,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
    deleted: r.deleted,
    inserted: r.inserted,
  };
}

/** Replacements applied to a text: sorted by offset, insertions at one offset in the order given. */
export function applyReplacements(text: string, replacements: readonly TextReplacement[]): string {
  const sorted = replacements.map((r, i) => ({ r, i })).sort((a, b) => a.r.offset - b.r.offset || a.i - b.i);
  let out = '';
  let at = 0;
  for (const { r } of sorted) {
    if (r.offset < at) throw new Error(`overlapping replacements at offset ${r.offset}`);
    out += text.slice(at, r.offset) + r.inserted;
    at = r.offset + r.length;
  }
  return out + text.slice(at);
}

/** Locates one fix's edits in the source: every edit must be located for the fix to apply. */
export function patchFor(
  manifest: SourceManifest,
  edits: readonly ManifestEdit[],
  namespace: string | null,
  diffPath: string,
): ManifestPatch {
  const replacements: TextReplacement[] = [];
  for (const edit of edits) {
    const elements = locate(manifest, edit.target, namespace);
    if (elements.length === 0) {
      const fromLibrary =
        'name' in edit.target && edit.target.element !== 'uses-permission' && edit.target.element !== 'uses-permission-sdk-23';
      return {
        status: 'not-located',
        replacements: [],
        diff: '',
        reason: fromLibrary
          ? {
              en: `${elementLabel(edit.target)} is not in ${manifest.path}: the manifest merger brought it from a library; override it there with tools:node="merge".`,
              zh: `${manifest.path} 中没有 ${elementLabel(edit.target)}：它由清单合并从某个库带入；请在应用清单中以 tools:node="merge" 覆盖。`,
            }
          : {
              en: `${elementLabel(edit.target)} is not in ${manifest.path}.`,
              zh: `${manifest.path} 中没有 ${elementLabel(edit.target)}。`,
            },
      };
    }
    for (const element of elements) {
      const planned = plan(manifest, element, edit);
      if (planned.kind === 'blocked') return { status: 'not-located', replacements: [], diff: '', reason: planned.reason };
      if (planned.kind === 'replace') replacements.push(withPosition(manifest, planned.replacement));
    }
  }
  if (replacements.length === 0)
    return {
      status: 'unchanged',
      replacements: [],
      diff: '',
      reason: {
        en: `${manifest.path} already says what the fix asks: the package's value came from the build (a build type, a manifest placeholder) or a library's manifest.`,
        zh: `${manifest.path} 已符合修复要求：安装包中的值来自构建配置（构建类型、清单占位符）或某个库的清单。`,
      },
    };
  return {
    status: 'applied',
    replacements,
    diff: windowDiff(manifest, replacements, diffPath),
  };
}

/**
 * One fix's diff, from the lines it touches and three around them rather than the whole file: a
 * report with hundreds of fixes to a large manifest would otherwise diff the file hundreds of times.
 */
function windowDiff(manifest: SourceManifest, replacements: readonly TextReplacement[], diffPath: string): string {
  const { lineStarts } = manifest.document;
  let low = Infinity;
  let high = 0;
  for (const r of replacements) {
    low = Math.min(low, r.startLine);
    high = Math.max(high, r.endLine);
  }
  const first = Math.max(1, low - 3);
  const last = Math.min(lineStarts.length, high + 3);
  const from = lineStarts[first - 1]!;
  const to = last < lineStarts.length ? lineStarts[last]! : manifest.text.length;
  const window = manifest.text.slice(from, to);
  const shifted = replacements.map((r) => ({ ...r, offset: r.offset - from }));
  return unifiedDiff(window, applyReplacements(window, shifted), diffPath, diffPath, first);
}

/**
 * Locates every finding's fix in the source manifest (`fix.patch`) and sums them up. Findings
 * without a fix are left alone.
 */
export function attachPatches(
  findings: Finding[],
  manifest: SourceManifest,
  matched: ManifestMatch,
  diffPath: string = manifest.path,
): ManifestSourceSummary {
  const counts = { applied: 0, unchanged: 0, notLocated: 0 };
  for (const finding of findings) {
    if (!finding.fix) continue;
    const patch = patchFor(manifest, finding.fix.edits, matched.namespace, diffPath);
    finding.fix.patch = patch;
    if (patch.status === 'applied') counts.applied++;
    else if (patch.status === 'unchanged') counts.unchanged++;
    else counts.notLocated++;
  }
  return {
    path: manifest.path,
    sha256: manifest.sha256,
    package: manifest.package,
    namespace: matched.namespace,
    match: matched.match,
    ...counts,
  };
}

export interface FixedManifest {
  text: string;
  /** Unified diff of the whole change (empty when nothing applies). */
  diff: string;
  /** Fingerprints of the findings whose fixes went in, in report order. */
  fixed: string[];
}

/**
 * The source with the located fixes of the actionable findings applied (not suppressed, above
 * `info`: an `info` finding is information, and its fix, in the report, a choice for the developer,
 * such as turning off backups the manifest leaves at the default). Two fixes that change
 * one attribute the same way count once; a fix overlapping another differently is left out (its
 * fingerprint is not in `fixed`), never merged into something neither said.
 */
export function fixedManifest(manifest: SourceManifest, findings: readonly Finding[], fromPath: string, toPath: string): FixedManifest {
  const taken: TextReplacement[] = [];
  const fixed: string[] = [];
  const key = (r: TextReplacement) => `${r.offset}:${r.length}:${r.inserted}`;
  for (const finding of findings) {
    const patch = finding.fix?.patch;
    if (!isActionable(finding) || !patch || patch.status !== 'applied') continue;
    const fresh = patch.replacements.filter((r) => !taken.some((t) => key(t) === key(r)));
    const clashes = fresh.some(
      (r) =>
        taken.some((t) => r.offset < t.offset + t.length && t.offset < r.offset + r.length) ||
        (r.length > 0 && taken.some((t) => t.length === 0 && t.offset > r.offset && t.offset < r.offset + r.length)),
    );
    if (clashes) continue;
    for (const r of fresh) taken.push(r);
    fixed.push(finding.fingerprint);
  }
  const text = applyReplacements(manifest.text, taken);
  return { text, diff: taken.length > 0 ? unifiedDiff(manifest.text, text, fromPath, toPath) : '', fixed };
}
