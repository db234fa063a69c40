/**
 * A test-time rewriter that renames the packages of every class in a JAR, the way R8's
 * `-repackageclasses` does: `cn/jpush/android/api/JPushInterface` becomes `p3/JPushInterface`.
 * Class names and descriptors in each class file's constant pool are rewritten; string constants
 * (CONSTANT_String) are left as they are, as shrinkers leave them. Used on the real SDK binaries
 * of the npm devDependencies to measure identification without package names; nothing written is
 * committed.
 */
import { readFileSync } from 'node:fs';
import { ZipArchive } from '@apprights/apk';
import { buildZip, type ZipWriterEntry } from '@apprights/testkit';

const CLASS_MAGIC = 0xcafebabe;

/** Constant pool entry sizes after the tag byte, for the fixed-size tags. */
const FIXED: Record<number, number> = {
  3: 4,
  4: 4,
  5: 8,
  6: 8,
  7: 2,
  8: 2,
  9: 4,
  10: 4,
  11: 4,
  12: 4,
  15: 3,
  16: 2,
  17: 4,
  18: 4,
  19: 2,
  20: 2,
};

/** The internal class name of a class file (`this_class`), or undefined when it is not one. */
function parseClass(bytes: Uint8Array): { utf8: Map<number, string>; strings: Set<number>; poolEnd: number; thisName: string } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 10 || view.getUint32(0) !== CLASS_MAGIC) return undefined;
  const count = view.getUint16(8);
  const utf8 = new Map<number, string>();
  const strings = new Set<number>();
  const classes = new Map<number, number>();
  let at = 10;
  for (let i = 1; i < count; i++) {
    const tag = bytes[at]!;
    if (tag === 1) {
      const length = view.getUint16(at + 1);
      utf8.set(i, Buffer.from(bytes.subarray(at + 3, at + 3 + length)).toString('utf8'));
      at += 3 + length;
      continue;
    }
    const size = FIXED[tag];
    if (size === undefined) return undefined;
    if (tag === 8) strings.add(view.getUint16(at + 1));
    if (tag === 7) classes.set(i, view.getUint16(at + 1));
    at += 1 + size;
    if (tag === 5 || tag === 6) i++;
  }
  const thisClass = view.getUint16(at + 2);
  const thisName = utf8.get(classes.get(thisClass) ?? -1);
  return thisName === undefined ? undefined : { utf8, strings, poolEnd: at, thisName };
}

function packageOf(internal: string): string {
  const slash = internal.lastIndexOf('/');
  return slash < 0 ? '' : internal.slice(0, slash);
}

/** Rewrites one class file's constant pool with `rename` applied to names and descriptors. */
function rewriteClass(bytes: Uint8Array, rename: (internal: string) => string | undefined): Uint8Array {
  const parsed = parseClass(bytes);
  if (!parsed) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(8);
  const out: number[] = [...bytes.subarray(0, 10)];
  let at = 10;
  const renameText = (text: string): string => {
    const whole = rename(text);
    if (whole !== undefined) return whole;
    // Descriptors and signatures: every `L<name>;` or `L<name><`.
    return text.replace(/L([\w$/]+)([;<])/g, (m, name: string, end: string) => {
      const to = rename(name);
      return to === undefined ? m : `L${to}${end}`;
    });
  };
  for (let i = 1; i < count; i++) {
    const tag = bytes[at]!;
    if (tag === 1) {
      const length = view.getUint16(at + 1);
      const text = parsed.utf8.get(i)!;
      // Strings the code loads stay as written: that is what survives shrinking.
      const next = parsed.strings.has(i) ? text : renameText(text);
      const encoded = Buffer.from(next, 'utf8');
      out.push(1, encoded.length >> 8, encoded.length & 0xff);
      for (const b of encoded) out.push(b);
      at += 3 + length;
      continue;
    }
    const size = FIXED[tag]!;
    for (let k = 0; k < 1 + size; k++) out.push(bytes[at + k]!);
    at += 1 + size;
    if (tag === 5 || tag === 6) i++;
  }
  const head = Uint8Array.from(out);
  const tail = bytes.subarray(at);
  const result = new Uint8Array(head.length + tail.length);
  result.set(head);
  result.set(tail, head.length);
  return result;
}

export interface Renamed {
  bytes: Uint8Array;
  /** Old package → new package (internal form). */
  packages: Map<string, string>;
}

/** The JAR at `path` with every package renamed to `p0`, `p1`, ... (class files moved to match). */
export function renamePackages(path: string): Renamed {
  const archive = ZipArchive.fromBytes(readFileSync(path));
  try {
    const files: { name: string; data: Uint8Array; internal?: string }[] = [];
    const packages = new Map<string, string>();
    for (const entry of archive.entries) {
      if (entry.isDirectory) continue;
      const data = archive.read(entry);
      const internal = entry.name.endsWith('.class') ? parseClass(data)?.thisName : undefined;
      if (internal !== undefined) {
        const pkg = packageOf(internal);
        if (!packages.has(pkg)) packages.set(pkg, `p${packages.size}`);
      }
      files.push({ name: entry.name, data, ...(internal !== undefined ? { internal } : {}) });
    }
    const rename = (internal: string): string | undefined => {
      const pkg = packageOf(internal);
      const to = packages.get(pkg);
      return to === undefined || pkg === '' ? undefined : `${to}/${internal.slice(pkg.length + 1)}`;
    };
    const entries: ZipWriterEntry[] = files.map((f) => {
      if (f.internal === undefined) return { name: f.name, data: f.data };
      const to = rename(f.internal) ?? f.internal;
      return { name: `${to}.class`, data: rewriteClass(f.data, rename) };
    });
    return { bytes: buildZip(entries), packages };
  } finally {
    archive.close();
  }
}
