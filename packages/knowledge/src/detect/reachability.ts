/**
 * Whether the package's sensitive API calls can run, and who calls the app's own wrappers.
 *
 * `of()` answers from the call graph (call-graph.ts), walked forward once from the entry points
 * on the first question: the manifest's components and Application class and their package
 * superclasses; edges for invocations (with class hierarchy dispatch across DEX files), framework
 * callbacks of created classes, constant-string reflection and static initialisers. Over-approximate
 * on purpose: `reachable` means a path exists, not that it runs (a trace says that).
 *
 * `callersOf()` goes one step backwards from a method (invocations naming it, its package
 * ancestors' or inheriting descendants' method ids), for the calls through the app's wrappers.
 * `leavesPackage()` says where a class hierarchy leaves the package, and for what.
 */
import type { DexCodeScan, DexFile, PackageAnalysis } from '@apprights/apk';
import { CallGraph } from './call-graph.js';
import { classMembers } from './dex-members.js';

export type Reach = 'present' | 'reachable' | 'active';

export interface ReachabilityOptions {
  /** References the call graph walks at most (default 5,000,000); past it, unreached methods are undecided. */
  maxEdges?: number;
}

export interface MethodReach {
  reach: 'present' | 'reachable';
  /** For `reachable`: the entry point the path starts from, `com.app.Main.onCreate(Landroid/os/Bundle;)V`. */
  entry?: string;
  /** False when the walk's bound stopped it before it could decide (the method is not known to be dead). */
  complete: boolean;
}

export interface ReachabilityStats {
  /** Entry-point classes (components, Application and their package superclasses). */
  entryClasses: number;
  queries: number;
  /** Methods the call graph reached from the entry points. */
  visited: number;
  /** The walk stopped at its bound. */
  truncated: number;
  /** Time spent building the call graph (ms). */
  ms: number;
}

const ACC_STATIC = 0x8;
const ACC_PRIVATE = 0x2;
const NO_INDEX = 0xffffffff;
/** Deepest class hierarchy followed (hostile packages may chain thousands). */
const MAX_DEPTH = 24;

/**
 * Namespaces of the Android platform and the Java library it ships: a hierarchy reaching one of
 * them leaves the package for the framework. Other classes missing from the package are libraries
 * that were not packaged (compile-only) and are reported as such.
 */
const PLATFORM_PREFIXES = [
  'Landroid/',
  'Ljava/',
  'Ljavax/',
  'Ldalvik/',
  'Lorg/json/',
  'Lorg/w3c/dom/',
  'Lorg/xml/sax/',
  'Lorg/apache/http/',
];

export function isPlatformClass(descriptor: string): boolean {
  return PLATFORM_PREFIXES.some((p) => descriptor.startsWith(p));
}

interface ClassLoc {
  dex: number;
  classDef: number;
}

interface Node {
  dex: number;
  method: number;
}

const key = (dex: number, method: number) => dex * 0x10000 + method;

export class Reachability {
  readonly stats: ReachabilityStats = { entryClasses: 0, queries: 0, visited: 0, truncated: 0, ms: 0 };
  private readonly dexes: DexFile[];
  private readonly scans: (DexCodeScan | undefined)[];
  private readonly classDefOfType: (Int32Array | undefined)[];
  private readonly childrenByType: (Map<number, number[]> | undefined)[];
  private readonly locs = new Map<string, ClassLoc | null>();
  /** Descriptor → its type_id in each file (-1 where absent). */
  private readonly typeIndex = new Map<string, Int32Array>();
  /** Per file, proto_id → its descriptor string (methodRef decodes it anew each time). */
  private readonly protos: (string | undefined)[][];
  private readonly ancestorCache = new Map<string, { descriptor: string; external: boolean }[]>();
  private readonly refs = new Map<number, { classType: string; name: string; proto: string }>();
  private readonly entryClasses = new Set<string>();
  private readonly roots: string[];
  private readonly maxEdges: number;
  private callGraph: CallGraph | undefined;
  private readonly slotCache: (Map<number, number> | undefined)[];

  constructor(analysis: PackageAnalysis, options: ReachabilityOptions = {}) {
    this.maxEdges = options.maxEdges ?? 5_000_000;
    this.dexes = analysis.dex.map((d) => d.dex);
    this.scans = analysis.dex.map((d) => d.scan);
    this.classDefOfType = this.dexes.map(() => undefined);
    this.childrenByType = this.dexes.map(() => undefined);
    this.slotCache = this.dexes.map(() => undefined);
    this.protos = this.dexes.map(() => []);
    const app = analysis.manifest?.application;
    const roots = [app?.name, ...(app?.components ?? []).map((c) => c.name)].filter((n): n is string => typeof n === 'string');
    this.roots = roots;
    for (const name of roots) {
      // The component and its package superclasses: BaseActivity.onCreate runs for MainActivity.
      let descriptor: string | undefined = `L${name.replaceAll('.', '/')};`;
      for (let depth = 0; descriptor && depth < MAX_DEPTH && !this.entryClasses.has(descriptor); depth++) {
        const loc = this.locate(descriptor);
        if (!loc) break;
        this.entryClasses.add(descriptor);
        descriptor = this.superOf(loc);
      }
    }
    this.stats.entryClasses = this.entryClasses.size;
  }

  /** Whether the package has entry points at all (an APK with a manifest; JARs and AARs have none here). */
  get hasEntryPoints(): boolean {
    return this.entryClasses.size > 0;
  }

  /** Reachability of the method `methodIndex` of DEX file `dexIndex` (a method with code in that file). */
  of(dexIndex: number, methodIndex: number): MethodReach {
    this.stats.queries++;
    // No entry points seen (a test APK driven by another package's instrumentation): nothing decided.
    if (!this.hasEntryPoints) return { reach: 'present', complete: false };
    const graph = this.graph();
    const entry = graph.entryFor(dexIndex, methodIndex);
    return entry < 0
      ? { reach: 'present', complete: graph.complete }
      : { reach: 'reachable', entry: graph.describe(entry), complete: true };
  }

  /** The call graph, built on the first question. */
  graph(): CallGraph {
    if (!this.callGraph) {
      const scans = this.dexes.map((_, d) => this.scanOf(d));
      this.callGraph = new CallGraph(this.dexes, scans, this.roots, this.maxEdges);
      this.stats.ms += this.callGraph.stats.ms;
      this.stats.visited = this.callGraph.stats.reached;
      if (!this.callGraph.complete) this.stats.truncated++;
    }
    return this.callGraph;
  }

  private accessOf(node: Node): number {
    const scan = this.scanOf(node.dex);
    let slots = this.slotCache[node.dex];
    if (!slots) {
      slots = new Map();
      for (let s = 0; s < scan.slotCount; s++) slots.set(scan.methodIndex[s]!, s);
      this.slotCache[node.dex] = slots;
    }
    const slot = slots.get(node.method);
    return slot === undefined ? 0 : scan.accessFlags[slot]!;
  }

  private scanOf(dexIndex: number): DexCodeScan {
    let scan = this.scans[dexIndex];
    if (!scan) this.scans[dexIndex] = scan = this.dexes[dexIndex]!.scanCode();
    return scan;
  }

  /**
   * The methods that call method `methodIndex` of file `dexIndex`: invocations naming it, and
   * virtual calls dispatched to it (not the framework's callbacks). Bounded by `max`.
   */
  callersOf(dexIndex: number, methodIndex: number, max = 1000): { dex: number; method: string; classType: string }[] {
    const out: { dex: number; method: string; classType: string }[] = [];
    const seen = new Set<number>();
    for (const p of this.predecessors({ dex: dexIndex, method: methodIndex })) {
      const k = key(p.dex, p.method);
      if (seen.has(k)) continue;
      seen.add(k);
      const ref = this.refOf(p);
      out.push({ dex: p.dex, method: `${ref.name}${ref.proto}`, classType: ref.classType });
      if (out.length >= max) break;
    }
    return out;
  }

  /** Invocations naming the method, and virtual calls its class's package ancestors or inheriting descendants name. */
  private *predecessors(node: Node): Generator<Node> {
    const ref = this.refOf(node);
    const access = this.accessOf(node);
    yield* this.callersOfMember(ref.classType, ref.name, ref.proto);
    if (access & (ACC_STATIC | ACC_PRIVATE) || ref.name.startsWith('<')) return;
    for (const ancestor of this.ancestors(ref.classType)) {
      if (!ancestor.external) yield* this.callersOfMember(ancestor.descriptor, ref.name, ref.proto);
    }
    for (const d of this.descendants(ref.classType, ref.name, ref.proto)) yield* this.callersOfMember(d, ref.name, ref.proto);
  }

  /** Where a class is defined in the package (first DEX file wins, as the class loader does). */
  private locate(descriptor: string): ClassLoc | undefined {
    const cached = this.locs.get(descriptor);
    if (cached !== undefined) return cached ?? undefined;
    let found: ClassLoc | null = null;
    for (let d = 0; d < this.dexes.length && !found; d++) {
      const type = this.typeIn(d, descriptor);
      if (type < 0) continue;
      const def = this.classDefs(d)[type]!;
      if (def >= 0) found = { dex: d, classDef: def };
    }
    this.locs.set(descriptor, found);
    return found ?? undefined;
  }

  private typeIn(dexIndex: number, descriptor: string): number {
    let t = this.typeIndex.get(descriptor);
    if (t === undefined) {
      t = Int32Array.from(this.dexes, (dex) => dex.findType(descriptor));
      this.typeIndex.set(descriptor, t);
    }
    return t[dexIndex]!;
  }

  private protoOf(d: number, method: number): string {
    const dex = this.dexes[d]!;
    const proto = dex.view.getUint16(dex.header.methodIdsOff + method * 8 + 2, true);
    const cache = this.protos[d]!;
    let s = cache[proto];
    if (s === undefined) cache[proto] = s = dex.protoString(proto);
    return s;
  }

  private refOf(node: Node): { classType: string; name: string; proto: string } {
    const k = key(node.dex, node.method);
    let ref = this.refs.get(k);
    if (!ref) {
      const dex = this.dexes[node.dex]!;
      ref = {
        classType: dex.typeName(dex.methodClassIndex(node.method)),
        name: dex.string(dex.methodNameIndex(node.method)),
        proto: this.protoOf(node.dex, node.method),
      };
      this.refs.set(k, ref);
    }
    return ref;
  }

  /** type_id → class_def index (-1 when the file does not define it), numbers only. */
  private classDefs(dexIndex: number): Int32Array {
    let table = this.classDefOfType[dexIndex];
    if (!table) {
      const dex = this.dexes[dexIndex]!;
      table = new Int32Array(dex.counts.types).fill(-1);
      for (let i = 0; i < dex.counts.classDefs; i++) {
        const t = dex.classTypeIndex(i);
        if (t < table.length && table[t]! < 0) table[t] = i;
      }
      this.classDefOfType[dexIndex] = table;
    }
    return table;
  }

  /** Parent type_id → class_defs extending or implementing it, per file, numbers only. */
  private children(dexIndex: number): Map<number, number[]> {
    let map = this.childrenByType[dexIndex];
    if (!map) {
      map = new Map();
      const dex = this.dexes[dexIndex]!;
      const v = dex.view;
      const add = (parent: number, child: number) => {
        const list = map!.get(parent);
        if (list) list.push(child);
        else map!.set(parent, [child]);
      };
      for (let i = 0; i < dex.counts.classDefs; i++) {
        const at = dex.header.classDefsOff + i * 32;
        const sup = v.getUint32(at + 8, true);
        if (sup !== NO_INDEX) add(sup, i);
        const interfacesOff = v.getUint32(at + 12, true);
        if (interfacesOff !== 0 && interfacesOff + 4 <= dex.bytes.length) {
          const size = Math.min(v.getUint32(interfacesOff, true), (dex.bytes.length - interfacesOff - 4) >>> 1);
          for (let k = 0; k < size; k++) add(v.getUint16(interfacesOff + 4 + k * 2, true), i);
        }
      }
      this.childrenByType[dexIndex] = map;
    }
    return map;
  }

  private superOf(loc: ClassLoc): string | undefined {
    const dex = this.dexes[loc.dex]!;
    const sup = dex.view.getUint32(dex.header.classDefsOff + loc.classDef * 32 + 8, true);
    return sup === NO_INDEX ? undefined : dex.typeName(sup);
  }

  /** Superclasses and interfaces, transitively; `external` for those the package does not define. */
  ancestors(descriptor: string): { descriptor: string; external: boolean }[] {
    let cached = this.ancestorCache.get(descriptor);
    if (!cached) this.ancestorCache.set(descriptor, (cached = this.findAncestors(descriptor)));
    return cached;
  }

  private findAncestors(descriptor: string): { descriptor: string; external: boolean }[] {
    const out: { descriptor: string; external: boolean }[] = [];
    const seen = new Set<string>([descriptor]);
    let level = [descriptor];
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: string[] = [];
      for (const c of level) {
        const loc = this.locate(c);
        if (!loc) continue;
        const def = this.dexes[loc.dex]!.classDef(loc.classDef);
        for (const parent of [def.superclass, ...def.interfaces]) {
          if (parent === undefined || seen.has(parent)) continue;
          seen.add(parent);
          const external = !this.locate(parent);
          out.push({ descriptor: parent, external });
          if (!external) next.push(parent);
        }
      }
      level = next;
    }
    return out;
  }

  /**
   * Where a class's hierarchy leaves the package: the first classes above it that the package does
   * not define, each marked platform (Android/Java namespaces) or not (a library left out of the package).
   */
  leavesPackage(descriptor: string): { descriptor: string; platform: boolean }[] {
    return this.ancestors(descriptor)
      .filter((a) => a.external)
      .map((a) => ({ descriptor: a.descriptor, platform: isPlatformClass(a.descriptor) }));
  }

  /** Package subclasses below `descriptor` that inherit `name+proto` (stopping under an override). */
  private descendants(descriptor: string, name: string, proto: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>([descriptor]);
    let level = [descriptor];
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: string[] = [];
      for (const parent of level) {
        for (let d = 0; d < this.dexes.length; d++) {
          const type = this.typeIn(d, parent);
          if (type < 0) continue;
          const dex = this.dexes[d]!;
          for (const child of this.children(d).get(type) ?? []) {
            const childType = dex.typeName(dex.classTypeIndex(child));
            if (seen.has(childType)) continue;
            seen.add(childType);
            if (this.declares(d, dex.classTypeIndex(child), name, proto)) continue;
            out.push(childType);
            next.push(childType);
          }
        }
      }
      level = next;
    }
    return out;
  }

  /** Whether file `d`'s class of type `type` has a method_id `name+proto` it defines. */
  private declares(d: number, type: number, name: string, proto: string): boolean {
    const def = this.classDefs(d)[type]!;
    if (def < 0) return false;
    const data = this.dexes[d]!.classData(def);
    for (const m of [...(data?.directMethods ?? []), ...(data?.virtualMethods ?? [])]) {
      const dex = this.dexes[d]!;
      if (dex.string(dex.methodNameIndex(m.methodIndex)) === name && this.protoOf(d, m.methodIndex) === proto) return true;
    }
    return false;
  }

  /** Methods (in every file) invoking `cls->name proto`; name undefined: any member of the class, fields too. */
  private *callersOfMember(cls: string, name: string, proto: string): Generator<Node> {
    for (let d = 0; d < this.dexes.length; d++) {
      const type = this.typeIn(d, cls);
      if (type < 0) continue;
      const dex = this.dexes[d]!;
      for (const m of classMembers(dex, 'method', type)) {
        if (dex.string(dex.methodNameIndex(m)) !== name || this.protoOf(d, m) !== proto) continue;
        yield* this.referrers(d, 'method', m);
      }
    }
  }

  private *referrers(d: number, pool: 'method', index: number): Generator<Node> {
    const scan = this.scanOf(d);
    const refs = scan.refsTo(pool, index);
    let last = -1;
    for (let i = 0; i < refs.length; i++) {
      const owner = scan.ownerOfRef(refs[i]!);
      if (owner === last) continue;
      last = owner;
      for (const slot of scan.slotsSharingCode(owner)) yield { dex: d, method: scan.methodIndex[slot]! };
    }
  }
}
