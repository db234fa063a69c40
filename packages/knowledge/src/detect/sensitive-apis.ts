/**
 * Where the package's code uses the catalogue's privacy-sensitive APIs, and on whose behalf: each
 * calling class is attributed to the detected SDK owning its package, to the app itself, or to
 * nobody known (third-party code the catalogue does not cover).
 */
import {
  isFieldOpcode,
  isInvokeOpcode,
  isStringOpcode,
  parseMemberQuery,
  type DexCodeScan,
  type DexFile,
  type MemberQuery,
  type PackageAnalysis,
} from '@apprights/apk';
import type { SensitiveApiSpec } from './api-data.js';
import { SdkPackageMatcher, javaName, type SdkDetection } from './sdks.js';
import { Reachability, type Reach } from './reachability.js';
import { classMembers } from './dex-members.js';

export interface SensitiveApiCaller {
  /** Java name of the calling class. */
  class: string;
  /** The calling method: name and descriptor, `onCreate(Landroid/os/Bundle;)V`. */
  method: string;
  /** The detected SDK whose package holds the class, or null. */
  sdk: string | null;
  /** The class lies under the app's own package (and no SDK claims a longer prefix of it). */
  own: boolean;
  /** Where the class is: the DEX entry (`classes2.dex`) or the class file's path in a JAR/AAR. */
  artifact: string | null;
  /**
   * Set when the call names a class of the package that inherits the API from the platform class
   * without overriding it (`com.app.MyTelephonyManager.getDeviceId()`): that class, in Java form.
   */
  through?: string;
  /**
   * `reachable`: a call path leads from an entry point (a manifest component, the Application, a
   * callback the framework calls) to this method; `present`: none was found (dead or only reached
   * in ways static analysis cannot see, such as reflection with computed names). Set when
   * reachability was computed (APKs).
   */
  reach?: Reach;
  /** For `reachable`: the entry point the path starts from (`com.app.Main.onCreate(Landroid/os/Bundle;)V`). */
  entry?: string;
}

/** A method calling one of the package's own wrappers of the API (a method of its own that calls it). */
export interface SensitiveApiWrapperCall {
  class: string;
  method: string;
  /** The wrapper called: `com.app.util.Device.imei()Ljava/lang/String;`. */
  wrapper: string;
  sdk: string | null;
  own: boolean;
}

export interface SensitiveApiUse {
  /** The catalogue id (`telephony.getImei`). */
  api: string;
  kind: SensitiveApiSpec['kind'];
  signature: string;
  pi: string | null;
  sensitivity: SensitiveApiSpec['sensitivity'];
  permission: string | string[] | null;
  /** Up to `maxCallers` calling methods: the app's own first, then SDKs, then unidentified code. */
  callers: SensitiveApiCaller[];
  /** All calling methods, listed or not. */
  callerCount: number;
  /**
   * The most a caller reaches: `reachable` when any does, `present` when every caller was searched
   * to the end without finding an entry; absent when not computed or a search hit its bound.
   */
  reach?: Reach;
  /**
   * Calls through the package's own wrappers: methods calling a caller that belongs to the app's
   * own code or to code no SDK claims (up to `maxCallers`); set when reachability was computed.
   */
  wrapperCalls?: SensitiveApiWrapperCall[];
  wrapperCallCount?: number;
}

export interface FindSensitiveApiOptions {
  /** Callers listed per API (default 50); `callerCount` still counts them all. */
  maxCallers?: number;
  /** The app's package, for `own`; default: the manifest's (APK) or the AAR's. */
  ownPackage?: string | null;
  /**
   * Whether callers are reachable from entry points (APKs with DEX code): `true` builds a search
   * for this call, or pass one to share it. Default: off.
   */
  reachability?: boolean | Reachability;
}

/** A calling method; its readable name is built only for the callers that get listed. */
interface RawCaller {
  descriptor: string;
  artifact: string | null;
  /** Identifies the method within the package for de-duplication. */
  key: string;
  method: string | (() => string);
  /** The package's subclass the call was made on (descriptor), when not the catalogue's class. */
  through?: string;
  /** DEX file and method_id of the caller (DEX callers only), for reachability. */
  dexIndex?: number;
  methodIndex?: number;
}

/** Matches a DEX/JVM member reference against catalogue signatures with or without descriptors. */
function memberBase(target: string): string {
  const arrow = target.indexOf('->');
  if (arrow < 0) return target;
  // The first `(` or `:` after the arrow (called for every reference of a JAR: no regular expression).
  const paren = target.indexOf('(', arrow + 2);
  const colon = target.indexOf(':', arrow + 2);
  const cut = paren < 0 ? colon : colon < 0 ? paren : Math.min(paren, colon);
  return cut < 0 ? target : target.slice(0, cut);
}

function stringMatches(spec: SensitiveApiSpec, value: string): boolean {
  if (spec.kind === 'string') return value === spec.signature;
  // content://sms also covers content://sms/inbox, not content://smsfoo.
  return value === spec.signature || (value.startsWith(spec.signature) && '/?#'.includes(value[spec.signature.length]!));
}

/** A class's members (see classMembers) that match the catalogue entry's name and descriptor. */
function membersOf(dex: DexFile, kind: 'method' | 'field', query: MemberQuery, type: number): number[] {
  return classMembers(dex, kind, type).filter(
    (i) =>
      (query.name === undefined || dex.string(kind === 'method' ? dex.methodNameIndex(i) : dex.fieldNameIndex(i)) === query.name) &&
      (query.descriptor === undefined || (kind === 'method' ? dex.methodRef(i).proto : dex.fieldRef(i).type) === query.descriptor),
  );
}

/**
 * string_ids are sorted by content (again enforced by ART), so the strings starting with a prefix
 * are a contiguous run: a binary search decodes ~log2(n) strings instead of all of them.
 */
function stringsStartingWith(dex: DexFile, prefix: string): number[] {
  let lo = 0;
  let hi = dex.counts.strings;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dex.string(mid) < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < dex.counts.strings && dex.string(i).startsWith(prefix); i++) out.push(i);
  return out;
}

const POOL_METHOD = 0;
const POOL_FIELD = 1;
const POOL_STRING = 2;
const NO_POOL = 255;

/** Which id pool an instruction's index refers to, by opcode (255: none we look at). */
const POOL_OF_OPCODE = (() => {
  const table = new Uint8Array(256).fill(NO_POOL);
  for (let op = 0; op < 256; op++) {
    if (isInvokeOpcode(op)) table[op] = POOL_METHOD;
    else if (isFieldOpcode(op)) table[op] = POOL_FIELD;
    else if (isStringOpcode(op)) table[op] = POOL_STRING;
  }
  return table;
})();

/** Code-owner slots that refer to a wanted target, with its catalogue entries; one per target and code. */
function referencesTo(scan: DexCodeScan, targets: Map<number, SensitiveApiSpec[]>[]): [number, SensitiveApiSpec[], number, number][] {
  const out: [number, SensitiveApiSpec[], number, number][] = [];
  const { refOpcode, refIndex, refStart, refEnd, codeOwner, slotCount } = scan;
  // A byte per id of each pool: most references miss, and a typed-array read is cheaper than a Map lookup.
  const counts = scan.dex.counts;
  const wanted = [new Uint8Array(counts.methods), new Uint8Array(counts.fields), new Uint8Array(counts.strings)];
  targets.forEach((map, pool) => {
    for (const index of map.keys()) wanted[pool]![index] = 1;
  });
  const seen = new Set<string>();
  // Slots own their refs in ascending ranges; slots sharing another's code have no refs of their own.
  for (let owner = 0; owner < slotCount; owner++) {
    if (codeOwner[owner] !== owner) continue;
    const end = refEnd[owner]!;
    let cleared = false;
    for (let r = refStart[owner]!; r < end; r++) {
      const pool = POOL_OF_OPCODE[refOpcode[r]!]!;
      if (pool === NO_POOL || wanted[pool]![refIndex[r]!] !== 1) continue;
      const specs = targets[pool]!.get(refIndex[r]!);
      if (!specs) continue;
      if (!cleared) {
        seen.clear();
        cleared = true;
      }
      // One entry per (code, target): several calls in one method are one caller.
      const key = `${pool}:${refIndex[r]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push([owner, specs, pool, refIndex[r]!]);
    }
  }
  return out;
}

/** Deepest class hierarchy followed below a catalogue class (hostile packages may chain thousands). */
const MAX_HIERARCHY_DEPTH = 16;

/**
 * The package's own classes (every DEX file, multidex included, and class files) that extend or
 * implement the catalogue's platform classes, directly or through each other, with the methods
 * each declares: enough to tell which classes inherit a platform method without overriding it.
 * DEX files are walked level by level comparing type indexes, so no class name is decoded unless
 * the class really is below a catalogue class.
 */
class PackageHierarchy {
  /** Parent descriptor → descriptors of the package classes that extend or implement it. */
  private readonly children = new Map<string, string[]>();
  /** Class descriptor → `name` and `name(desc)ret` of its declared methods, decoded on request. */
  private readonly declared = new Map<string, () => Set<string>>();
  /** inheritors' answers: asked again for every DEX file, the same each time (the hierarchy is whole). */
  private readonly inheritorCache = new Map<string, readonly string[]>();

  constructor(analysis: PackageAnalysis, roots: Iterable<string>) {
    const link = (parent: string, child: string) => {
      const list = this.children.get(parent);
      if (!list) this.children.set(parent, [child]);
      else if (!list.includes(child)) list.push(child);
    };
    const seen = new Set<string>(roots);
    let frontier = [...seen];
    for (let depth = 0; depth < MAX_HIERARCHY_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      const found = (parent: string, child: string, declared: () => Set<string>) => {
        link(parent, child);
        if (seen.has(child)) return;
        seen.add(child);
        next.push(child);
        this.declared.set(child, declared);
      };
      for (const d of analysis.dex) {
        const dex = d.dex;
        // The frontier's type indexes in this file: classes are compared by index, not by name.
        const wanted = new Map<number, string>();
        for (const descriptor of frontier) {
          const type = dex.findType(descriptor);
          if (type >= 0) wanted.set(type, descriptor);
        }
        if (wanted.size === 0) continue;
        const v = dex.view;
        for (let i = 0; i < dex.counts.classDefs; i++) {
          const at = dex.header.classDefsOff + i * 32;
          let parent = wanted.get(v.getUint32(at + 8, true));
          if (parent === undefined) {
            const interfacesOff = v.getUint32(at + 12, true);
            if (interfacesOff !== 0 && interfacesOff + 4 <= dex.bytes.length) {
              const size = Math.min(v.getUint32(interfacesOff, true), (dex.bytes.length - interfacesOff - 4) >>> 1);
              for (let k = 0; k < size && parent === undefined; k++) parent = wanted.get(v.getUint16(interfacesOff + 4 + k * 2, true));
            }
          }
          if (parent === undefined) continue;
          let cache: Set<string> | undefined;
          found(parent, dex.typeName(dex.classTypeIndex(i)), () => {
            if (cache) return cache;
            cache = new Set();
            const data = dex.classData(i);
            for (const m of [...(data?.directMethods ?? []), ...(data?.virtualMethods ?? [])]) {
              const ref = dex.methodRef(m.methodIndex);
              cache.add(ref.name);
              cache.add(`${ref.name}${ref.proto}`);
            }
            return cache;
          });
        }
      }
      const wantedNames = new Set(frontier);
      for (const c of analysis.jar?.classes ?? []) {
        const parent = [c.superClass, ...c.interfaces].find((p) => p !== undefined && wantedNames.has(p));
        if (parent) found(parent, c.name, () => new Set(c.methods.flatMap((m) => [m.name, `${m.name}${m.descriptor}`])));
      }
      frontier = next;
    }
  }

  /**
   * Package classes below `classType` through which a call still reaches `classType`'s member:
   * every subclass or implementation that does not declare the member itself (an override
   * replaces the platform's code for it and for the classes below it).
   */
  inheritors(classType: string, member: string, descriptor: string | undefined): readonly string[] {
    const key = descriptor !== undefined ? `${member}${descriptor}` : member;
    const cacheKey = `${classType}\0${key}`;
    let out = this.inheritorCache.get(cacheKey);
    if (!out) this.inheritorCache.set(cacheKey, (out = this.findInheritors(classType, key)));
    return out;
  }

  private findInheritors(classType: string, key: string): string[] {
    const out: string[] = [];
    const visited = new Set<string>([classType]);
    let level = [classType];
    for (let depth = 0; depth < MAX_HIERARCHY_DEPTH && level.length > 0; depth++) {
      const next: string[] = [];
      for (const parent of level) {
        for (const child of this.children.get(parent) ?? []) {
          if (visited.has(child)) continue;
          visited.add(child);
          if (this.declared.get(child)?.().has(key)) continue;
          out.push(child);
          next.push(child);
        }
      }
      level = next;
    }
    return out;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function findSensitiveApis(
  analysis: PackageAnalysis,
  apis: readonly SensitiveApiSpec[],
  sdks: readonly SdkDetection[],
  options: FindSensitiveApiOptions = {},
): SensitiveApiUse[] {
  const maxCallers = options.maxCallers ?? 50;
  const reach =
    options.reachability instanceof Reachability
      ? options.reachability
      : options.reachability === true && analysis.dex.length > 0 && analysis.manifest
        ? new Reachability(analysis)
        : undefined;
  const ownPackage =
    options.ownPackage !== undefined ? options.ownPackage : (analysis.manifest?.package ?? analysis.jar?.manifest?.package ?? null);
  const ownPrefix = ownPackage ? `L${ownPackage.replaceAll('.', '/')}/` : undefined;
  const ownSegments = ownPackage ? ownPackage.split('.').length : 0;
  const matcher = new SdkPackageMatcher(sdks.map((d) => d.sdk));
  const found = new Map<string, RawCaller[]>();
  const add = (spec: SensitiveApiSpec, caller: RawCaller) => {
    let list = found.get(spec.id);
    if (!list) found.set(spec.id, (list = []));
    list.push(caller);
  };

  const members = apis.filter((a) => a.kind === 'method' || a.kind === 'field');
  let hierarchyCache: PackageHierarchy | undefined;
  const hierarchy = () => {
    if (hierarchyCache) return hierarchyCache;
    const roots = new Set<string>();
    for (const spec of members) {
      const arrow = spec.signature.indexOf('->');
      if (spec.kind === 'method' && arrow > 0) roots.add(spec.signature.slice(0, arrow));
    }
    return (hierarchyCache = new PackageHierarchy(analysis, roots));
  };
  const strings = apis.filter((a) => a.kind === 'content-uri' || a.kind === 'string');

  if (analysis.dex.length > 0) {
    const parsed: [SensitiveApiSpec, MemberQuery][] = [];
    for (const spec of members) {
      try {
        parsed.push([spec, parseMemberQuery(spec.signature)]);
      } catch {
        // A signature not in descriptor form: the catalogue validator reports it; nothing to find here.
      }
    }
    analysis.dex.forEach((d, dexIndex) => {
      const dex = d.dex;
      // The targets in this file's id pools, then one pass over the scanned references. The same
      // answers as CodeIndex.callersOf per entry (the tests compare them), without building an
      // inverted index per pool for a catalogue whose members are mostly absent.
      const targets: Map<number, SensitiveApiSpec[]>[] = [new Map(), new Map(), new Map()];
      const want = (pool: number, index: number, spec: SensitiveApiSpec) => {
        const list = targets[pool]!.get(index);
        if (list) list.push(spec);
        else targets[pool]!.set(index, [spec]);
      };
      const types = new Map<string, number>();
      const typeOf = (descriptor: string): number => {
        let type = types.get(descriptor);
        if (type === undefined) types.set(descriptor, (type = dex.findType(descriptor)));
        return type;
      };
      /** Method ids named on a package subclass rather than the catalogue class → that subclass. */
      const through = new Map<number, string>();
      for (const [spec, query] of parsed) {
        // Many catalogue entries share a class; look each class up once per file.
        const kind = spec.kind === 'method' ? 'method' : 'field';
        const type = typeOf(query.classType);
        if (type >= 0) {
          for (const member of membersOf(dex, kind, query, type)) want(kind === 'method' ? POOL_METHOD : POOL_FIELD, member, spec);
        }
        if (kind !== 'method' || query.name === undefined) continue;
        // invoke-virtual Lcom/app/MyTelephonyManager;->getDeviceId() runs TelephonyManager's code.
        for (const sub of hierarchy().inheritors(query.classType, query.name, query.descriptor)) {
          const subType = typeOf(sub);
          if (subType < 0) continue;
          for (const member of membersOf(dex, 'method', { ...query, classType: sub }, subType)) {
            want(POOL_METHOD, member, spec);
            through.set(member, sub);
          }
        }
      }
      for (const spec of strings) {
        for (const i of stringsStartingWith(dex, spec.signature)) if (stringMatches(spec, dex.string(i))) want(POOL_STRING, i, spec);
      }
      if (targets.every((t) => t.size === 0)) return;
      const scan = d.scan ?? dex.scanCode();
      for (const [owner, specs, pool, index] of referencesTo(scan, targets)) {
        const via = pool === POOL_METHOD ? through.get(index) : undefined;
        for (const slot of scan.slotsSharingCode(owner)) {
          const methodIndex = scan.methodIndex[slot]!;
          const caller: RawCaller = {
            descriptor: dex.typeName(dex.classTypeIndex(scan.classDefIndex[slot]!)),
            artifact: d.name,
            key: `${dexIndex}:${methodIndex}`,
            dexIndex,
            methodIndex,
            method: () => {
              const m = dex.methodRef(methodIndex);
              return `${m.name}${m.proto}`;
            },
            ...(via !== undefined ? { through: via } : {}),
          };
          for (const spec of specs) add(spec, caller);
        }
      }
    });
  }

  const classes = analysis.jar?.classes ?? [];
  if (classes.length > 0) {
    const exact = new Map<string, SensitiveApiSpec[]>();
    const jarThrough = new Map<string, string>();
    const put = (signature: string, spec: SensitiveApiSpec) => {
      const list = exact.get(signature);
      if (list) list.push(spec);
      else exact.set(signature, [spec]);
    };
    for (const spec of members) {
      put(spec.signature, spec);
      if (spec.kind !== 'method') continue;
      let query: MemberQuery;
      try {
        query = parseMemberQuery(spec.signature);
      } catch {
        continue;
      }
      if (query.name === undefined) continue;
      const member = spec.signature.slice(spec.signature.indexOf('->'));
      for (const sub of hierarchy().inheritors(query.classType, query.name, query.descriptor)) {
        put(`${sub}${member}`, spec);
        jarThrough.set(`${sub}${member}`, sub);
      }
    }
    // Most references name nothing in the catalogue: two lookups per reference, nothing allocated.
    const matchJarTarget = (target: string, isField: boolean, where: RawCaller) => {
      const base = memberBase(target);
      const direct = exact.get(target);
      const byBase = exact.get(base);
      if (direct === undefined && byBase === undefined) return;
      const via = jarThrough.get(target) ?? jarThrough.get(base);
      const caller = via !== undefined ? { ...where, through: via } : where;
      const field = isField || target.includes(':');
      for (const spec of direct ?? []) if ((spec.kind === 'field') === field) add(spec, caller);
      for (const spec of byBase ?? []) if ((spec.kind === 'field') === field) add(spec, caller);
    };
    for (const cls of classes) {
      for (const method of cls.methods) {
        const refs = method.code?.references;
        if (!refs) continue;
        const where: RawCaller = {
          descriptor: cls.name,
          artifact: cls.path,
          key: method.signature,
          method: `${method.name}${method.descriptor}`,
        };
        for (const r of refs) {
          if (r.kind === 'ldc-string') {
            for (const spec of strings) if (stringMatches(spec, r.target)) add(spec, where);
            continue;
          }
          if (r.kind === 'new' || r.kind === 'ldc-class') continue;
          const isField = r.kind === 'getstatic' || r.kind === 'putstatic' || r.kind === 'getfield' || r.kind === 'putfield';
          if (r.kind !== 'invokedynamic') matchJarTarget(r.target, isField, where);
          else for (const handle of r.handles ?? []) matchJarTarget(handle, isField, where);
        }
      }
    }
  }

  const out: SensitiveApiUse[] = [];
  for (const spec of apis) {
    const raw = found.get(spec.id);
    if (!raw) continue;
    const seen = new Set<string>();
    const callers: { raw: RawCaller; sdk: string | null; own: boolean; rank: number }[] = [];
    for (const r of raw) {
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      // The longer claim wins: an SDK inside the app's package (com.app.sdk.x) is the SDK's, and an
      // app inside a vendor's namespace claimed by a catalogue entry (io.appium.settings) is the app's.
      const match = matcher.matchPackageOf(r.descriptor);
      const inOwn = ownPrefix !== undefined && r.descriptor.startsWith(ownPrefix);
      const own = inOwn && (!match || match.segments <= ownSegments);
      const sdk = own ? null : (match?.sdk.id ?? null);
      callers.push({ raw: r, sdk, own, rank: own ? 0 : sdk ? 1 : 2 });
    }
    // Plain code-unit order: stable across locales, and far cheaper than localeCompare.
    const text = (r: RawCaller) => (typeof r.method === 'string' ? r.method : (r.method = r.method()));
    const listed = callers.sort((a, b) => a.rank - b.rank || compare(a.raw.descriptor, b.raw.descriptor)).slice(0, maxCallers);
    // Within one class, order by method only among the listed ones (names are decoded for them alone).
    listed.sort((a, b) => a.rank - b.rank || compare(a.raw.descriptor, b.raw.descriptor) || compare(text(a.raw), text(b.raw)));
    const reachOf = (r: RawCaller) =>
      reach && r.dexIndex !== undefined && r.methodIndex !== undefined ? reach.of(r.dexIndex, r.methodIndex) : undefined;
    const use: SensitiveApiUse = {
      api: spec.id,
      kind: spec.kind,
      signature: spec.signature,
      pi: spec.pi,
      sensitivity: spec.sensitivity,
      permission: spec.permission,
      callers: listed.map((c) => {
        const r = reachOf(c.raw);
        return {
          class: javaName(c.raw.descriptor),
          method: text(c.raw),
          sdk: c.sdk,
          own: c.own,
          artifact: c.raw.artifact,
          ...(c.raw.through !== undefined ? { through: javaName(c.raw.through) } : {}),
          // A search stopped by its bound decided nothing: no reach rather than a guess.
          ...(r?.complete ? { reach: r.reach, ...(r.entry !== undefined ? { entry: r.entry } : {}) } : {}),
        };
      }),
      callerCount: callers.length,
    };
    if (reach) {
      // The API is reachable when any caller is, listed or not (answers are cached across APIs).
      let all = 'present' as Reach | undefined;
      for (const c of callers) {
        const r = reachOf(c.raw);
        if (r?.reach === 'reachable') {
          all = 'reachable';
          break;
        }
        if (!r?.complete) all = undefined;
      }
      if (all) use.reach = all;
      const wrappers = wrapperCallsOf(reach, callers, matcher, ownPrefix, ownSegments, maxCallers);
      use.wrapperCalls = wrappers.listed;
      use.wrapperCallCount = wrappers.count;
    }
    out.push(use);
  }
  return out;
}

/**
 * One level up from the callers that are the app's own code or unclaimed code: the methods calling
 * them are calls of the API through a wrapper (`DeviceUtil.imei()` called from `LoginActivity`).
 */
function wrapperCallsOf(
  reach: Reachability,
  callers: readonly { raw: RawCaller; sdk: string | null; own: boolean }[],
  matcher: SdkPackageMatcher,
  ownPrefix: string | undefined,
  ownSegments: number,
  max: number,
): { listed: SensitiveApiWrapperCall[]; count: number } {
  const out: SensitiveApiWrapperCall[] = [];
  const seen = new Set<string>();
  for (const c of callers) {
    if (c.sdk !== null || c.raw.dexIndex === undefined || c.raw.methodIndex === undefined) continue;
    const wrapper = `${javaName(c.raw.descriptor)}.${typeof c.raw.method === 'string' ? c.raw.method : c.raw.method()}`;
    for (const w of reach.callersOf(c.raw.dexIndex, c.raw.methodIndex)) {
      const k = `${w.dex}:${w.method}`;
      if (k === c.raw.key || seen.has(k)) continue;
      seen.add(k);
      if (out.length >= max) continue;
      const match = matcher.matchPackageOf(w.classType);
      const inOwn = ownPrefix !== undefined && w.classType.startsWith(ownPrefix);
      const own = inOwn && (!match || match.segments <= ownSegments);
      out.push({ class: javaName(w.classType), method: w.method, wrapper, sdk: own ? null : (match?.sdk.id ?? null), own });
    }
  }
  out.sort((a, b) => compare(a.class, b.class) || compare(a.method, b.method));
  return { listed: out, count: seen.size };
}
