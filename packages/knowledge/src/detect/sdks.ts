/**
 * Finds the catalogue's SDKs in an analysed APK/JAR/AAR: class packages first (a segment trie, so
 * the cost is one walk per distinct package, not classes x prefixes), then manifest components and
 * native library names, and API host names in string constants only for SDKs nothing else found.
 */
import type { PackageAnalysis } from '@apprights/apk';
import { SdkVersionFinder, type SdkVersionSource } from './sdk-versions.js';
import type { SdkCatalog, SdkEntry } from '../catalog/sdks.js';

export type SdkConfidence = 'high' | 'medium' | 'low';

export interface SdkEvidence {
  /** Classes under the SDK's packages. */
  classes: number;
  /** A few of them (Java names), for the report. */
  classExamples: string[];
  /** Manifest components matching the SDK's component names or prefixes. */
  components: string[];
  /** Native library file names matching the SDK's globs. */
  nativeLibraries: string[];
  /** The SDK's API hosts found in string constants. */
  domains: string[];
  /**
   * String constants naming the SDK's packages (intent actions, provider authorities, reflection
   * targets: `cn.jpush.android.intent.REGISTRATION`) loaded by code no found SDK claims: what
   * survives when the SDK's own packages were renamed. Up to 5.
   */
  strings?: string[];
}

export interface SdkDetection {
  sdk: SdkEntry;
  confidence: SdkConfidence;
  evidence: SdkEvidence;
  version: string | null;
  /** Where `version` was read (null with it). */
  versionSource: SdkVersionSource | null;
  /**
   * Detected SDKs that ship this one inside them (catalogue `bundles` / `bundledBy`): its code came
   * with them, so it does not by itself show a separate SDK the app's operator chose. Empty otherwise.
   */
  bundledBy: string[];
}

export interface DetectSdkOptions {
  /**
   * Look for the evidence that survives renamed packages in string constants (API host names,
   * strings naming an SDK's packages): `auto` (default) when the code looks obfuscated or much of
   * it is claimed by no catalogue SDK nor the app, for SDKs not found otherwise; `always`; `never`.
   */
  domains?: 'auto' | 'always' | 'never';
  /** How many example classes to keep per SDK (default 5). */
  examples?: number;
}

const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const DOT = 0x2e;

/** FNV-1a step; package prefixes are looked up by the hash of their bytes, then compared. */
function step(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 16777619);
}
const HASH_SEED = 0x811c9dc5 | 0;

interface Prefix {
  /** `cn/jpush/android`, as char codes. */
  codes: Uint8Array;
  segments: number;
  sdk: SdkEntry;
}

function matchBytes(candidates: readonly Prefix[], bytes: Uint8Array, start: number, length: number): Prefix | undefined {
  for (const p of candidates) {
    if (p.codes.length !== length) continue;
    let i = 0;
    while (i < length && p.codes[i] === bytes[start + i]) i++;
    if (i === length) return p;
  }
  return undefined;
}

export interface PackageMatch {
  sdk: SdkEntry;
  /** Package segments of the matching prefix, to compare with other claims (the app's own package). */
  segments: number;
}

/**
 * Longest-prefix lookup of class packages to SDKs, over whole segments. Each class is read once,
 * byte by byte: at every `/` the package so far is looked up by its hash, so the cost is one pass
 * over the class name whatever the catalogue size, and DEX descriptors are never decoded to strings.
 */
export class SdkPackageMatcher {
  private readonly byHash = new Map<number, Prefix[]>();
  /** Hashes of every leading run of whole segments of a prefix (`com`, `com/tencent`, ...): past one not here, nothing can match. */
  private readonly partial = new Set<number>();
  private readonly cache = new Map<string, PackageMatch | null>();

  constructor(entries: Iterable<SdkEntry>) {
    for (const sdk of entries) {
      for (const prefix of sdk.packages) {
        const path = prefix.replaceAll('.', '/');
        // Package names are ASCII in practice; any other character cannot match a descriptor byte here.
        if (!/^[\x21-\x7e]+$/.test(path)) continue;
        // Plain loops: this runs for every prefix of the catalogue at the start of every scan.
        const codes = new Uint8Array(path.length);
        let hash = HASH_SEED;
        let segments = 1;
        for (let i = 0; i < path.length; i++) {
          const c = path.charCodeAt(i);
          codes[i] = c;
          if (c === SLASH) {
            this.partial.add(hash);
            segments++;
          }
          hash = step(hash, c);
        }
        this.partial.add(hash);
        let list = this.byHash.get(hash);
        if (!list) this.byHash.set(hash, (list = []));
        // The validator rejects two SDKs on one prefix; should a bad catalogue do it, the first wins.
        if (matchBytes(list, codes, 0, codes.length) === undefined) list.push({ codes, segments, sdk });
      }
    }
  }

  private lookup(hash: number, at: (i: number) => number, start: number, length: number): Prefix | undefined {
    const list = this.byHash.get(hash);
    if (!list) return undefined;
    for (const p of list) {
      if (p.codes.length !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = p.codes[i] === at(start + i);
      if (same) return p;
    }
    return undefined;
  }

  /**
   * The SDK owning the class whose descriptor's MUTF-8 bytes start at `pos` (at the `L`). Reading
   * stops at the first package segment no catalogue prefix continues with, usually the second.
   */
  matchDescriptorBytes(bytes: Uint8Array, pos: number): PackageMatch | undefined {
    if (bytes[pos] !== 0x4c) return undefined;
    const start = pos + 1;
    let hash = HASH_SEED;
    let best: Prefix | undefined;
    for (let i = start; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === SEMICOLON || b === 0) break;
      if (b === SLASH) {
        const candidates = this.byHash.get(hash);
        if (candidates) best = matchBytes(candidates, bytes, start, i - start) ?? best;
        if (!this.partial.has(hash)) break;
      }
      hash = step(hash, b);
    }
    return best ? { sdk: best.sdk, segments: best.segments } : undefined;
  }

  /** The SDK owning a class given as a descriptor (`Lcn/jpush/android/api/JPushInterface;`) or a Java name. */
  matchClass(name: string): SdkEntry | undefined {
    return this.matchPackageOf(name)?.sdk;
  }

  /** Cached per package: callers and JAR classes come many to a package. */
  matchPackageOf(name: string): PackageMatch | undefined {
    const descriptor = name.startsWith('L') && name.endsWith(';');
    const end = name.lastIndexOf(descriptor ? '/' : '.');
    if (end <= (descriptor ? 1 : 0)) return undefined;
    const key = descriptor ? name.slice(1, end) : name.slice(0, end).replaceAll('.', '/');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let hash = HASH_SEED;
    let best: Prefix | undefined;
    const at = (k: number) => key.charCodeAt(k);
    for (let i = 0; i <= key.length; i++) {
      const c = i < key.length ? key.charCodeAt(i) : SLASH;
      if (c === SLASH) best = this.lookup(hash, at, 0, i) ?? best;
      hash = step(hash, c === DOT ? SLASH : c);
    }
    const match = best ? { sdk: best.sdk, segments: best.segments } : null;
    this.cache.set(key, match);
    return match ?? undefined;
  }
}

const matchers = new WeakMap<object, SdkPackageMatcher>();

/** One matcher per catalogue object, built on first use. */
export function packageMatcher(catalog: SdkCatalog | readonly SdkEntry[]): SdkPackageMatcher {
  const key = catalog as object;
  let m = matchers.get(key);
  if (!m) matchers.set(key, (m = new SdkPackageMatcher(entriesOf(catalog))));
  return m;
}

function entriesOf(catalog: SdkCatalog | readonly SdkEntry[]): readonly SdkEntry[] {
  return Array.isArray(catalog) ? (catalog as readonly SdkEntry[]) : (catalog as SdkCatalog).entries;
}

/** `Lcom/x/Y;` → `com.x.Y`. */
export function javaName(descriptor: string): string {
  return descriptor.startsWith('L') && descriptor.endsWith(';') ? descriptor.slice(1, -1).replaceAll('/', '.') : descriptor;
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replaceAll('*', '.*')}$`);
}

/** Class descriptors defined by the package: DEX class_defs and JAR/AAR class files. */
export function* classDescriptors(analysis: PackageAnalysis): Generator<string> {
  for (const d of analysis.dex) {
    const dex = d.dex;
    for (let i = 0; i < dex.counts.classDefs; i++) yield dex.typeName(dex.classTypeIndex(i));
  }
  for (const c of analysis.jar?.classes ?? []) yield c.name;
}

/** Component class names from the APK manifest (AARs carry text XML, read with a light pattern). */
function componentNames(analysis: PackageAnalysis): string[] {
  const fromApk = analysis.manifest?.application?.components.map((c) => c.name) ?? [];
  if (fromApk.length > 0) return fromApk;
  const text = analysis.jar?.manifest?.text;
  if (!text) return [];
  const pkg = analysis.jar?.manifest?.package;
  const out: string[] = [];
  for (const m of text.matchAll(/<(?:activity|activity-alias|service|receiver|provider)\b[^>]*?\bandroid:name\s*=\s*"([^"]+)"/g)) {
    const name = m[1]!;
    out.push(name.startsWith('.') && pkg ? pkg + name : name);
  }
  return out;
}

function nativeLibraryNames(analysis: PackageAnalysis): string[] {
  const names = new Set<string>();
  for (const l of analysis.nativeLibraries?.libraries ?? []) names.add(l.fileName);
  for (const l of analysis.jar?.nativeLibraries ?? []) names.add(l.fileName);
  return [...names].sort();
}

/** A dotted Java name with at least three segments (`cn.jpush.android.intent.REGISTRATION`). */
const JAVA_NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){2,}$/;

/** Whether the bytes from `at` start with `prefix` (undefined: no prefix, false). */
function startsWithBytes(bytes: Uint8Array, at: number, prefix: Uint8Array | undefined): boolean {
  if (!prefix || at < 0 || at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/** Host names in a string: whole hosts or their parent domains are compared with the catalogue. */
function hostsIn(value: string): string[] {
  const out: string[] = [];
  for (const m of value.toLowerCase().matchAll(/(?:^|[^a-z0-9.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![a-z0-9-])/g)) out.push(m[1]!);
  if (out.length === 0 && /^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i.test(value)) out.push(value.toLowerCase());
  return out;
}

/** Where the MUTF-8 bytes of type `type`'s descriptor start, or -1 when the offsets are out of range. */
function descriptorOffset(bytes: Uint8Array, view: DataView, typeIdsOff: number, stringIdsOff: number, type: number): number {
  const stringIndex = view.getUint32(typeIdsOff + type * 4, true);
  const idAt = stringIdsOff + stringIndex * 4;
  if (idAt + 4 > bytes.length) return -1;
  let at = view.getUint32(idAt, true);
  // Skip the uleb128 UTF-16 length that precedes the characters.
  while (at < bytes.length && bytes[at]! & 0x80) at++;
  return at + 1 < bytes.length ? at + 1 : -1;
}

const CONSTANT_SUFFIXES = ['BuildConfig', 'Constants', 'Constant', 'Config', 'Version', 'VersionInfo', 'SdkInfo', 'Consts'].map((s) =>
  Uint8Array.from(`${s};`, (c) => c.charCodeAt(0)),
);
/** The last letter of each suffix, before its `;`: most classes end in another and are passed over at once. */
const CONSTANT_LAST = new Uint8Array(256);
for (const suffix of CONSTANT_SUFFIXES) CONSTANT_LAST[suffix[suffix.length - 2]!] = 1;

/**
 * The descriptor whose characters start at `at` ends in a version-holder name (`.../BuildConfig;`):
 * checked on bytes, nothing decoded. The uleb128 UTF-16 length before the characters gives the end
 * directly for ASCII names (class names are ASCII in practice; others are simply not candidates).
 */
function endsLikeConstantClass(bytes: Uint8Array, at: number): boolean {
  // Back up over the uleb128: its last byte is the one before `at`, earlier ones have the high bit set.
  let start = at - 1;
  while (start > 0 && bytes[start - 1]! & 0x80 && at - start < 5) start--;
  let length = 0;
  for (let i = start, shift = 0; i < at; i++, shift += 7) length |= (bytes[i]! & 0x7f) << shift;
  const end = at + length - 1;
  if (length < 2 || end >= bytes.length || bytes[end] !== SEMICOLON || CONSTANT_LAST[bytes[end - 1]!] !== 1) return false;
  for (const suffix of CONSTANT_SUFFIXES) {
    const from = end + 1 - suffix.length;
    if (from <= at) continue;
    let i = 0;
    while (i < suffix.length && bytes[from + i] === suffix[i]) i++;
    if (i === suffix.length) return true;
  }
  return false;
}

/**
 * Whether the string_data_item at `off` holds a '.' before its NUL. MUTF-8 writes '.' as the one
 * byte 0x2e and every byte of a multi-byte sequence is >= 0x80, so this answers exactly what
 * `string.includes('.')` would after decoding. Offsets were checked by the DEX parser.
 */
function stringDataHasDot(bytes: Uint8Array, off: number): boolean {
  let at = off;
  while (at < bytes.length && bytes[at]! & 0x80) at++; // the uleb128 length
  for (at++; at < bytes.length; at++) {
    const b = bytes[at]!;
    if (b === DOT) return true;
    if (b === 0) return false;
  }
  // No NUL: decoding reports the damage, as it did before this check.
  return true;
}

/** One- or two-letter simple names in a sample of the classes: ProGuard/R8 output is full of them. */
function looksObfuscated(analysis: PackageAnalysis): boolean {
  let total = 0;
  let short = 0;
  const count = (simpleNameLength: number) => {
    total++;
    if (simpleNameLength <= 2) short++;
  };
  for (const d of analysis.dex) {
    const { bytes, view, header } = d.dex;
    const step = Math.max(1, Math.floor(d.dex.counts.classDefs / 500));
    for (let i = 0; i < d.dex.counts.classDefs; i += step) {
      const at = descriptorOffset(bytes, view, header.typeIdsOff, header.stringIdsOff, d.dex.classTypeIndex(i));
      if (at < 0) continue;
      let slash = at;
      let end = at;
      while (end < bytes.length && bytes[end] !== 0 && bytes[end] !== SEMICOLON) if (bytes[end++] === SLASH) slash = end;
      count(end - slash);
    }
  }
  const classes = analysis.jar?.classes ?? [];
  const step = Math.max(1, Math.floor(classes.length / 500));
  for (let i = 0; i < classes.length; i += step) count(classes[i]!.name.length - classes[i]!.name.lastIndexOf('/') - 2);
  return total >= 20 && short / total > 0.3;
}

interface Found {
  sdk: SdkEntry;
  classes: number;
  examples: string[];
  components: string[];
  libraries: string[];
  domains: Set<string>;
  strings: Set<string>;
}

/** SDKs of the catalogue found in the analysis, most evidence first. */
export function detectSdks(
  analysis: PackageAnalysis,
  catalog: SdkCatalog | readonly SdkEntry[],
  options: DetectSdkOptions = {},
): SdkDetection[] {
  const entries = entriesOf(catalog);
  const matcher = packageMatcher(catalog);
  const maxExamples = options.examples ?? 5;
  const found = new Map<string, Found>();
  const entry = (sdk: SdkEntry): Found => {
    let f = found.get(sdk.id);
    if (!f)
      found.set(sdk.id, (f = { sdk, classes: 0, examples: [], components: [], libraries: [], domains: new Set(), strings: new Set() }));
    return f;
  };

  /** Per DEX file, SDK classes named like version holders (BuildConfig, *Constants, ...): read for versions later. */
  const constantClasses: number[][] = [];
  // Classes claimed by no SDK and outside the app's package (counted on bytes, nothing decoded).
  const own = analysis.manifest?.package ?? analysis.jar?.manifest?.package;
  const ownBytes = own ? Uint8Array.from(`L${own.replaceAll('.', '/')}/`, (c) => c.charCodeAt(0) & 0xff) : undefined;
  let classCount = 0;
  let unclaimed = 0;
  for (const d of analysis.dex) {
    const dex = d.dex;
    const { bytes, view, header } = dex;
    const candidates: number[] = [];
    constantClasses.push(candidates);
    for (let i = 0; i < dex.counts.classDefs; i++) {
      const type = dex.classTypeIndex(i);
      const at = descriptorOffset(bytes, view, header.typeIdsOff, header.stringIdsOff, type);
      const match = at < 0 ? undefined : matcher.matchDescriptorBytes(bytes, at);
      classCount++;
      if (!match) {
        if (at >= 0 && !startsWithBytes(bytes, at, ownBytes)) unclaimed++;
        continue;
      }
      const f = entry(match.sdk);
      f.classes++;
      if (f.examples.length < maxExamples) f.examples.push(dex.typeName(type));
      if (endsLikeConstantClass(bytes, at)) candidates.push(i);
    }
  }
  const ownPrefix = own ? `L${own.replaceAll('.', '/')}/` : undefined;
  for (const c of analysis.jar?.classes ?? []) {
    const sdk = matcher.matchClass(c.name);
    classCount++;
    if (!sdk) {
      if (!(ownPrefix && c.name.startsWith(ownPrefix))) unclaimed++;
      continue;
    }
    const f = entry(sdk);
    f.classes++;
    if (f.examples.length < maxExamples) f.examples.push(c.name);
  }

  const exactComponents = new Map<string, SdkEntry>();
  const prefixComponents: [string, SdkEntry][] = [];
  for (const sdk of entries) {
    for (const c of sdk.components ?? []) {
      if (c.endsWith('.*')) prefixComponents.push([c.slice(0, -1), sdk]);
      else exactComponents.set(c, sdk);
    }
  }
  for (const name of componentNames(analysis)) {
    let sdk = exactComponents.get(name);
    if (!sdk) {
      // Longest matching `prefix.*`; apps declare tens of components, catalogues a few hundred prefixes.
      let bestLength = -1;
      for (const [prefix, s] of prefixComponents) {
        if (name.startsWith(prefix) && prefix.length > bestLength) {
          bestLength = prefix.length;
          sdk = s;
        }
      }
    }
    if (sdk) entry(sdk).components.push(name);
  }

  const libraries = nativeLibraryNames(analysis);
  if (libraries.length > 0) {
    for (const sdk of entries) {
      for (const glob of sdk.nativeLibraries ?? []) {
        const re = globRegExp(glob);
        for (const lib of libraries) if (re.test(lib) && !entry(sdk).libraries.includes(lib)) entry(sdk).libraries.push(lib);
      }
    }
  }

  const mode = options.domains ?? 'auto';
  const wanted = entries.filter((s) => mode === 'always' || !found.has(s.id));
  if (
    wanted.length > 0 &&
    (mode === 'always' || (mode === 'auto' && (looksObfuscated(analysis) || (classCount >= 5 && unclaimed * 2 > classCount))))
  ) {
    // A host named in the code of an SDK already identified by its classes is that SDK's business
    // (Baidu location calls api.map.baidu.com): it is not evidence of another SDK.
    const explained = (classDescriptor: string) => {
      const sdk = matcher.matchClass(classDescriptor);
      return sdk !== undefined && found.has(sdk.id);
    };
    searchDomains(analysis, wanted, entry, explained, matcher);
  }

  // Code that names many of one SDK's packages is that SDK's; a few names of another SDK in the
  // same code are usually probes for it (Class.forName to see whether the app also has it).
  let leadingStrings = 0;
  for (const f of found.values()) leadingStrings = Math.max(leadingStrings, f.strings.size);
  const kept: [Found, SdkConfidence][] = [];
  for (const f of found.values()) {
    const strong = f.components.length + f.libraries.length > 0;
    const confidence: SdkConfidence | undefined =
      f.classes >= 3 || (f.classes >= 1 && strong)
        ? 'high'
        : f.classes > 0 || strong || survivingIsStrong(f, leadingStrings)
          ? 'medium'
          : f.strings.size + f.domains.size > 0
            ? 'low'
            : undefined;
    if (confidence) kept.push([f, confidence]);
  }
  const ids = new Set(kept.map(([f]) => f.sdk.id));
  const versions = new SdkVersionFinder(analysis, matcher, ids, constantClasses);
  const out: SdkDetection[] = [];
  for (const [f, confidence] of kept) {
    const version = versions.find(f.sdk, f.libraries);
    out.push({
      sdk: f.sdk,
      confidence,
      evidence: {
        classes: f.classes,
        classExamples: f.examples.map(javaName),
        components: f.components,
        nativeLibraries: f.libraries,
        domains: [...f.domains].sort(),
        ...(f.strings.size > 0 ? { strings: [...f.strings].sort().slice(0, 5) } : {}),
      },
      version: version?.version ?? null,
      versionSource: version?.source ?? null,
      bundledBy: bundlersOf(
        f.sdk,
        kept.map(([k]) => k.sdk),
        ids,
      ),
    });
  }
  const rank = { high: 0, medium: 1, low: 2 } as const;
  const surviving = (d: SdkDetection) => (found.get(d.sdk.id)?.strings.size ?? 0) + d.evidence.domains.length;
  return out.sort(
    (a, b) =>
      rank[a.confidence] - rank[b.confidence] ||
      b.evidence.classes - a.evidence.classes ||
      surviving(b) - surviving(a) ||
      a.sdk.id.localeCompare(b.sdk.id),
  );
}

/**
 * Surviving evidence without classes is enough for `medium` when it is independent (a package
 * name and an API host), plentiful (5 or more names of its packages), or a fair share (a fifth or
 * more) of what the leading SDK has; else it is `low`: possibly a probe for another SDK.
 */
function survivingIsStrong(f: Found, leadingStrings: number): boolean {
  const n = f.strings.size;
  if (n >= 1 && f.domains.size > 0) return true;
  if (n >= 5) return true;
  return n >= 2 && n * 5 >= leadingStrings;
}

/** Strings loaded by code (const-string, ldc) that name one of the wanted SDKs' hosts. */
function searchDomains(
  analysis: PackageAnalysis,
  wanted: readonly SdkEntry[],
  entry: (sdk: SdkEntry) => Found,
  explained: (classDescriptor: string) => boolean,
  matcher: SdkPackageMatcher,
): void {
  const byDomain = new Map<string, SdkEntry>();
  for (const sdk of wanted) for (const d of sdk.domains ?? []) byDomain.set(d.toLowerCase(), sdk);
  const wantedIds = new Set(wanted.map((s) => s.id));
  const test = (value: string): void => {
    if (!value.includes('.')) return;
    if (JAVA_NAME.test(value) && value.length <= 200) {
      // `cn.jpush.android.intent.REGISTRATION` names JPush's package whatever its classes are called now.
      const sdk = matcher.matchPackageOf(value)?.sdk;
      if (sdk && wantedIds.has(sdk.id)) {
        const f = entry(sdk);
        if (f.strings.size < 50) f.strings.add(value);
        return;
      }
    }
    for (const host of hostsIn(value)) {
      // api.jpush.cn → jpush.cn → cn: a host matches a catalogue domain or any subdomain of it.
      for (let h: string = host; h.includes('.'); h = h.slice(h.indexOf('.') + 1)) {
        const sdk = byDomain.get(h);
        if (sdk) {
          entry(sdk).domains.add(h);
          break;
        }
      }
    }
  };
  for (const d of analysis.dex) {
    const scan = d.scan ?? d.dex.scanCode();
    const inv = scan.invertedRefs('string');
    const { bytes, view, header } = d.dex;
    for (let s = 0; s < inv.start.length - 1; s++) {
      if (inv.start[s] === inv.start[s + 1]) continue;
      // Most loaded strings name no host: look for a '.' in the MUTF-8 bytes before decoding.
      if (!stringDataHasDot(bytes, view.getUint32(header.stringIdsOff + s * 4, true))) continue;
      const value = d.dex.string(s);
      if (!value.includes('.')) continue;
      // Unexplained when at least one loading class is not inside an identified SDK.
      let unexplained = false;
      for (let r = inv.start[s]!; r < inv.start[s + 1]! && !unexplained; r++) {
        const slot = scan.ownerOfRef(inv.refs[r]!);
        unexplained = !explained(d.dex.typeName(d.dex.classTypeIndex(scan.classDefIndex[slot]!)));
      }
      if (unexplained) test(value);
    }
  }
  for (const c of analysis.jar?.classes ?? []) {
    if (explained(c.name)) continue;
    for (const m of c.methods) for (const r of m.code?.references ?? []) if (r.kind === 'ldc-string') test(r.target);
  }
}

/** The detected SDKs that bundle `sdk`, by either side's declaration (`bundledBy` on it, `bundles` on them). */
function bundlersOf(sdk: SdkEntry, detected: readonly SdkEntry[], ids: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const id of sdk.bundledBy ?? []) if (ids.has(id) && id !== sdk.id) out.add(id);
  for (const other of detected) if (other.id !== sdk.id && (other.bundles ?? []).includes(sdk.id)) out.add(other.id);
  return [...out].sort();
}
