/**
 * The package's DEX code as a call graph, walked forward from the entry points once: every method
 * with code is a node (numbered across all DEX files), and a method is reachable when the walk
 * gets to it. Built from the code index (the per-method reference ranges of each scan) on the
 * first question only, with numbers wherever the DEX format allows (type, method and string ids
 * within one file) and names only where a reference crosses files, so the cost follows the code
 * reached, not the size of the package.
 *
 * Edges (over-approximate on purpose: a path exists, not a proof that it runs):
 * - invoke-*: the method the reference resolves to (the class named or its nearest package
 *   ancestor that defines it) and, for virtual and interface calls on a package class, every
 *   package subclass or implementation overriding it (class hierarchy analysis, across files);
 * - framework callbacks: a package class created (new-instance, const-class) or named in a
 *   constant string for reflection (`Class.forName("a.b.C")`), whose hierarchy leaves the package
 *   for a platform or library type (a Runnable, a listener, a Handler), gets its instance methods
 *   and its package ancestors' reached: the framework may call any of them once it has the object;
 * - static initialisers: on creation, a static call, or a static field access of their class.
 * Entry points: every non-private method (and constructor) of the manifest's components and
 * Application class and of their package superclasses: lifecycle methods run there.
 */
import type { DexCodeScan, DexFile } from '@apprights/apk';

const ACC_STATIC = 0x8;
const ACC_PRIVATE = 0x2;
/** ACC_CONSTRUCTOR: set on <init> and <clinit> in DEX class_data, so no name needs decoding. */
const ACC_CONSTRUCTOR = 0x10000;
const NO_INDEX = 0xffffffff;
/** Deepest class hierarchy followed (hostile packages may chain thousands). */
const MAX_DEPTH = 24;
const SLASH = 0x2f;
const DOT = 0x2e;
const SEMICOLON = 0x3b;
const SPACE = 0x20;

const isInvoke = (op: number) => (op >= 0x6e && op <= 0x78 && op !== 0x73) || op === 0xfa || op === 0xfb;
/** invoke-virtual, invoke-interface and their /range forms: the receiver's class decides. */
const isVirtual = (op: number) => op === 0x6e || op === 0x72 || op === 0x74 || op === 0x78;
const isStaticInvoke = (op: number) => op === 0x71 || op === 0x77;
const isFieldOp = (op: number) => op >= 0x52 && op <= 0x6d;
const isStringOp = (op: number) => op === 0x1a || op === 0x1b;
const isTypeOp = (op: number) => op === 0x1c || op === 0x22;

export interface CallGraphStats {
  /** Methods with code in all DEX files. */
  methods: number;
  /** Of them, reached from the entry points. */
  reached: number;
  /** References walked. */
  edges: number;
  /** Classes whose creation handed their instance methods to the framework. */
  callbackClasses: number;
  /** Time to build (ms). */
  ms: number;
  /** Bytes of the graph's own tables (the per-file id tables and marks). */
  tableBytes: number;
}

/** A class defined in the package: its file, class_def and the run of its slots in that file's scan. */
interface ClassRef {
  dex: number;
  classDef: number;
}

export class CallGraph {
  readonly stats: CallGraphStats;
  private readonly base: number[] = [];
  private readonly classBase: number[] = [];
  /** Global node → the entry node it was first reached from (-1: not reached). */
  private readonly entryOf: Int32Array;
  /** Per file: method_id → slot with code in that file (-1 none). */
  private readonly methodSlot: Int32Array[];
  /** Per file: type_id → class_def defining it (-1 none). */
  private readonly classDefOfType: Int32Array[];
  /** Per file: first slot of each class_def (slots follow class_def order), and one past the last. */
  private readonly slotStart: Int32Array[];
  /** Per global class: 1 initialised, 2 instantiated (bits). */
  private readonly classMarks: Uint8Array;
  private readonly dispatched: Uint8Array[];
  private readonly typeSeen: Uint8Array[];
  private readonly stringSeen: Uint8Array[];
  private readonly fieldSeen: Uint8Array[];
  /** Per file: parent type_id → class_defs naming it as superclass or interface (built on first need). */
  private readonly children: (Map<number, number[]> | undefined)[];
  private readonly byName = new Map<string, ClassRef | null>();
  private readonly below = new Map<number, ClassRef[]>();
  /** Per file: type_id → global class id (-2 not looked up yet, -1 not a package class). */
  private readonly typeClass: Int32Array[];
  private readonly classRefs: ClassRef[] = [];
  private readonly typeIds = new Map<string, Int32Array>();
  private readonly work: number[] = [];
  private callbackClasses = 0;
  private edges = 0;
  /** False when the walk stopped at `maxEdges`: unreached methods are then undecided, not dead. */
  complete = true;

  constructor(
    private readonly dexes: readonly DexFile[],
    private readonly scans: readonly DexCodeScan[],
    entryClassNames: readonly string[],
    private readonly maxEdges = 5_000_000,
  ) {
    const started = performance.now();
    let total = 0;
    let classes = 0;
    let tableBytes = 0;
    for (let d = 0; d < dexes.length; d++) {
      this.base.push(total);
      this.classBase.push(classes);
      total += scans[d]!.slotCount;
      classes += dexes[d]!.counts.classDefs;
    }
    this.entryOf = new Int32Array(total).fill(-1);
    this.classMarks = new Uint8Array(classes);
    this.methodSlot = dexes.map((dex, d) => {
      const table = new Int32Array(dex.counts.methods).fill(-1);
      const scan = scans[d]!;
      for (let s = scan.slotCount - 1; s >= 0; s--) table[scan.methodIndex[s]!] = s;
      return table;
    });
    this.classDefOfType = dexes.map((dex) => {
      const table = new Int32Array(dex.counts.types).fill(-1);
      for (let i = dex.counts.classDefs - 1; i >= 0; i--) {
        const t = dex.classTypeIndex(i);
        if (t < table.length) table[t] = i;
      }
      return table;
    });
    this.slotStart = dexes.map((dex, d) => {
      const scan = scans[d]!;
      const starts = new Int32Array(dex.counts.classDefs + 1);
      let slot = 0;
      for (let i = 0; i <= dex.counts.classDefs; i++) {
        while (slot < scan.slotCount && scan.classDefIndex[slot]! < i) slot++;
        starts[i] = slot;
      }
      return starts;
    });
    this.dispatched = dexes.map((dex) => new Uint8Array(dex.counts.methods));
    this.typeSeen = dexes.map((dex) => new Uint8Array(dex.counts.types));
    this.stringSeen = dexes.map((dex) => new Uint8Array(dex.counts.strings));
    this.fieldSeen = dexes.map((dex) => new Uint8Array(dex.counts.fields));
    this.children = dexes.map(() => undefined);
    this.typeClass = dexes.map((dex) => new Int32Array(dex.counts.types).fill(-2));
    for (const dex of dexes) {
      const c = dex.counts;
      tableBytes += 4 * (c.methods + 2 * c.types + c.classDefs + 1) + c.methods + c.types + c.strings + c.fields;
    }
    tableBytes += 4 * total + classes;

    for (const name of entryClassNames) {
      let cls = this.classNamed(`L${name.replaceAll('.', '/')};`);
      for (let depth = 0; cls && depth < MAX_DEPTH; depth++) {
        const scan = scans[cls.dex]!;
        for (let s = this.slotStart[cls.dex]![cls.classDef]!; s < this.slotStart[cls.dex]![cls.classDef + 1]!; s++) {
          const flags = scan.accessFlags[s]!;
          if (!(flags & ACC_PRIVATE) || flags & ACC_CONSTRUCTOR) this.reach(this.base[cls.dex]! + s, -1);
        }
        this.initialise(cls, -1);
        cls = this.superclass(cls);
      }
    }
    this.run();
    let reached = 0;
    for (let i = 0; i < total; i++) if (this.entryOf[i]! >= 0) reached++;
    this.stats = {
      methods: total,
      reached,
      edges: this.edges,
      callbackClasses: this.callbackClasses,
      ms: performance.now() - started,
      tableBytes,
    };
  }

  /** The entry node a method (file, method_id) was reached from, or -1. */
  entryFor(dex: number, methodIndex: number): number {
    const slot = this.methodSlot[dex]?.[methodIndex] ?? -1;
    return slot < 0 ? -1 : this.entryOf[this.base[dex]! + slot]!;
  }

  /** `com.app.Main.onCreate(Landroid/os/Bundle;)V` for a node. */
  describe(node: number): string {
    const d = this.fileOf(node);
    const ref = this.dexes[d]!.methodRef(this.scans[d]!.methodIndex[node - this.base[d]!]!);
    return `${ref.classType.slice(1, -1).replaceAll('/', '.')}.${ref.name}${ref.proto}`;
  }

  private fileOf(node: number): number {
    let d = this.base.length - 1;
    while (d > 0 && this.base[d]! > node) d--;
    return d;
  }

  /** The package class with this descriptor (first file first, as the class loader finds it). */
  private classNamed(descriptor: string): ClassRef | undefined {
    const cached = this.byName.get(descriptor);
    if (cached !== undefined) return cached ?? undefined;
    let found: ClassRef | null = null;
    for (let d = 0; d < this.dexes.length && !found; d++) {
      const t = this.dexes[d]!.findType(descriptor);
      const def = t < 0 ? -1 : this.classDefOfType[d]![t]!;
      if (def >= 0) found = { dex: d, classDef: def };
    }
    this.byName.set(descriptor, found);
    return found ?? undefined;
  }

  /**
   * The package class for type `type` of file `d`: the same file's class_def when it defines it
   * (no name decoded), else looked up by name in the others; memoised per file and type.
   */
  private classOfType(d: number, type: number): ClassRef | undefined {
    const memo = this.typeClass[d]!;
    const known = memo[type]!;
    if (known >= 0) return this.classRefs[known];
    if (known === -1) return undefined;
    const def = this.classDefOfType[d]![type]!;
    // A class defined twice (in two files) loads from the first; such packages are rare enough
    // that the file holding the reference is taken, which keeps this path free of names.
    const ref = def >= 0 ? { dex: d, classDef: def } : this.classNamed(this.dexes[d]!.typeName(type));
    if (!ref) {
      memo[type] = -1;
      return undefined;
    }
    const id = this.classBase[ref.dex]! + ref.classDef;
    this.classRefs[id] ??= ref;
    memo[type] = id;
    return this.classRefs[id];
  }

  private superclass(cls: ClassRef): ClassRef | undefined {
    const dex = this.dexes[cls.dex]!;
    const sup = dex.view.getUint32(dex.header.classDefsOff + cls.classDef * 32 + 8, true);
    return sup === NO_INDEX || sup >= dex.counts.types ? undefined : this.classOfType(cls.dex, sup);
  }

  /** Superclass and interface type_ids of a class, in its file. */
  private parentTypes(cls: ClassRef): number[] {
    const dex = this.dexes[cls.dex]!;
    const v = dex.view;
    const at = dex.header.classDefsOff + cls.classDef * 32;
    const out: number[] = [];
    const sup = v.getUint32(at + 8, true);
    if (sup !== NO_INDEX && sup < dex.counts.types) out.push(sup);
    const interfacesOff = v.getUint32(at + 12, true);
    if (interfacesOff !== 0 && interfacesOff + 4 <= dex.bytes.length) {
      const size = Math.min(v.getUint32(interfacesOff, true), (dex.bytes.length - interfacesOff - 4) >>> 1);
      for (let k = 0; k < size; k++) {
        const t = v.getUint16(interfacesOff + 4 + k * 2, true);
        if (t < dex.counts.types) out.push(t);
      }
    }
    return out;
  }

  private childrenIn(d: number): Map<number, number[]> {
    let map = this.children[d];
    if (!map) {
      map = new Map();
      const dex = this.dexes[d]!;
      for (let i = 0; i < dex.counts.classDefs; i++) {
        for (const p of this.parentTypes({ dex: d, classDef: i })) {
          const list = map.get(p);
          if (list) list.push(i);
          else map.set(p, [i]);
        }
      }
      this.children[d] = map;
    }
    return map;
  }

  /** Marks `node` reached from `from` (-1: `node` is an entry point itself). */
  private reach(node: number, from: number): void {
    if (this.entryOf[node]! >= 0) return;
    this.entryOf[node] = from < 0 || from === node ? node : this.entryOf[from]!;
    this.work.push(node);
  }

  private run(): void {
    while (this.work.length > 0) {
      if (this.edges > this.maxEdges) {
        this.complete = false;
        return;
      }
      const node = this.work.pop()!;
      const d = this.fileOf(node);
      const scan = this.scans[d]!;
      const owner = scan.codeOwner[node - this.base[d]!]!;
      for (let r = scan.refStart[owner]!; r < scan.refEnd[owner]!; r++) {
        this.edges++;
        const op = scan.refOpcode[r]!;
        const index = scan.refIndex[r]!;
        if (isInvoke(op)) this.invoke(d, index, op, node);
        else if (isTypeOp(op)) this.typeUse(d, index, node);
        else if (isFieldOp(op)) this.fieldUse(d, index, node);
        else if (isStringOp(op)) this.stringUse(d, index, node);
      }
    }
  }

  /**
   * A class's own method with code matching method_id `method` of file `d` (same name and
   * descriptor), as a node, or -1. Within one file ids are unique, so they are compared as numbers.
   */
  private findMethod(cls: ClassRef, d: number, method: number): number {
    const dex = this.dexes[cls.dex]!;
    const scan = this.scans[cls.dex]!;
    const from = this.slotStart[cls.dex]![cls.classDef]!;
    const to = this.slotStart[cls.dex]![cls.classDef + 1]!;
    if (from === to) return -1;
    const other = this.dexes[d]!;
    const nameIndex = other.methodNameIndex(method);
    const protoIndex = other.view.getUint16(other.header.methodIdsOff + method * 8 + 2, true);
    if (cls.dex === d) {
      for (let s = from; s < to; s++) {
        const m = scan.methodIndex[s]!;
        if (dex.methodNameIndex(m) === nameIndex && dex.view.getUint16(dex.header.methodIdsOff + m * 8 + 2, true) === protoIndex) {
          return this.base[cls.dex]! + s;
        }
      }
      return -1;
    }
    const name = other.string(nameIndex);
    let proto: string | undefined;
    for (let s = from; s < to; s++) {
      const m = scan.methodIndex[s]!;
      if (dex.string(dex.methodNameIndex(m)) !== name) continue;
      proto ??= other.protoString(protoIndex);
      if (dex.protoString(dex.view.getUint16(dex.header.methodIdsOff + m * 8 + 2, true)) === proto) return this.base[cls.dex]! + s;
    }
    return -1;
  }

  private invoke(d: number, method: number, op: number, from: number): void {
    const slot = this.methodSlot[d]![method]!;
    const dex = this.dexes[d]!;
    let owner: ClassRef | undefined;
    if (slot >= 0) {
      this.reach(this.base[d]! + slot, from);
    } else {
      owner = this.classOfType(d, dex.methodClassIndex(method));
      // Resolution: the class named, else its nearest package ancestor defining the method.
      let cls = owner;
      for (let depth = 0; cls && depth < MAX_DEPTH; depth++) {
        const found = this.findMethod(cls, d, method);
        if (found >= 0) {
          this.reach(found, from);
          break;
        }
        cls = this.superclass(cls);
      }
    }
    if (isStaticInvoke(op)) {
      owner ??= this.classOfType(d, dex.methodClassIndex(method));
      if (owner) this.initialise(owner, from);
    }
    // invoke-direct and invoke-super run exactly the method resolved.
    if (!isVirtual(op) || this.dispatched[d]![method]) return;
    this.dispatched[d]![method] = 1;
    owner ??= this.classOfType(d, dex.methodClassIndex(method));
    // Overrides of a platform or library method are the callbacks' business (see instantiate):
    // walking every subclass of java.lang.Object for each toString() call would cost the most.
    if (!owner) return;
    for (const sub of this.descendants(owner)) {
      const found = this.findMethod(sub, d, method);
      if (found >= 0) this.reach(found, from);
    }
  }

  /** Package classes below `cls` (subclasses and implementations), across files; cached per class. */
  private descendants(cls: ClassRef): readonly ClassRef[] {
    const id = this.classBase[cls.dex]! + cls.classDef;
    let list = this.below.get(id);
    if (!list) this.below.set(id, (list = this.findDescendants(cls)));
    return list;
  }

  /** The type_id of `descriptor` in file `d` (-1 absent), memoised for all files at once. */
  private typeIn(d: number, descriptor: string): number {
    let ids = this.typeIds.get(descriptor);
    if (!ids) this.typeIds.set(descriptor, (ids = Int32Array.from(this.dexes, (dex) => dex.findType(descriptor))));
    return ids[d]!;
  }

  private findDescendants(cls: ClassRef): ClassRef[] {
    const out: ClassRef[] = [];
    const seen = new Set<number>([this.classBase[cls.dex]! + cls.classDef]);
    let level = [cls];
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: ClassRef[] = [];
      for (const parent of level) {
        const pdex = this.dexes[parent.dex]!;
        const ptype = pdex.classTypeIndex(parent.classDef);
        let descriptor: string | undefined;
        for (let d = 0; d < this.dexes.length; d++) {
          // The parent's type_id in file d: its own in its file, else looked up by name.
          let t = ptype;
          if (d !== parent.dex) {
            descriptor ??= pdex.typeName(ptype);
            t = this.typeIn(d, descriptor);
            if (t < 0) continue;
          }
          for (const child of this.childrenIn(d).get(t) ?? []) {
            const id = this.classBase[d]! + child;
            if (seen.has(id)) continue;
            seen.add(id);
            const ref = { dex: d, classDef: child };
            out.push(ref);
            next.push(ref);
          }
        }
      }
      level = next;
    }
    return out;
  }

  private typeUse(d: number, type: number, from: number): void {
    if (this.typeSeen[d]![type]) return;
    this.typeSeen[d]![type] = 1;
    const cls = this.classOfType(d, type);
    if (cls) this.instantiate(cls, from);
  }

  private fieldUse(d: number, field: number, from: number): void {
    if (this.fieldSeen[d]![field]) return;
    this.fieldSeen[d]![field] = 1;
    const cls = this.classOfType(d, this.dexes[d]!.fieldClassIndex(field));
    if (cls) this.initialise(cls, from);
  }

  private stringUse(d: number, index: number, from: number): void {
    if (this.stringSeen[d]![index]) return;
    this.stringSeen[d]![index] = 1;
    const dex = this.dexes[d]!;
    // `Class.forName("com.app.Plugin")`: only strings shaped like a class name are decoded.
    if (!classNameShaped(dex, index)) return;
    const value = dex.string(index);
    const cls = this.classNamed(`L${value.replaceAll('.', '/')};`);
    if (cls) this.instantiate(cls, from);
  }

  /** Static initialiser of a package class, once. */
  private initialise(cls: ClassRef, from: number): void {
    const id = this.classBase[cls.dex]! + cls.classDef;
    if (this.classMarks[id]! & 1) return;
    this.classMarks[id]! |= 1;
    const scan = this.scans[cls.dex]!;
    for (let s = this.slotStart[cls.dex]![cls.classDef]!; s < this.slotStart[cls.dex]![cls.classDef + 1]!; s++) {
      // <clinit> is the one static constructor.
      if ((scan.accessFlags[s]! & (ACC_STATIC | ACC_CONSTRUCTOR)) === (ACC_STATIC | ACC_CONSTRUCTOR))
        this.reach(this.base[cls.dex]! + s, from);
    }
  }

  /** A package class created or loaded: its initialiser, and its callbacks when its hierarchy leaves the package. */
  private instantiate(cls: ClassRef, from: number): void {
    const id = this.classBase[cls.dex]! + cls.classDef;
    if (this.classMarks[id]! & 2) return;
    this.classMarks[id]! |= 2;
    this.initialise(cls, from);
    const chain: ClassRef[] = [];
    let leaves = false;
    const seen = new Set<number>([id]);
    let level = [cls];
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: ClassRef[] = [];
      for (const c of level) {
        chain.push(c);
        for (const t of this.parentTypes(c)) {
          const parent = this.classOfType(c.dex, t);
          if (!parent) {
            if (this.dexes[c.dex]!.typeName(t) !== 'Ljava/lang/Object;') leaves = true;
            continue;
          }
          const pid = this.classBase[parent.dex]! + parent.classDef;
          if (seen.has(pid)) continue;
          seen.add(pid);
          next.push(parent);
        }
      }
      level = next;
    }
    if (!leaves) return;
    this.callbackClasses++;
    for (const c of chain) {
      const scan = this.scans[c.dex]!;
      for (let s = this.slotStart[c.dex]![c.classDef]!; s < this.slotStart[c.dex]![c.classDef + 1]!; s++) {
        if (scan.accessFlags[s]! & (ACC_STATIC | ACC_PRIVATE)) continue;
        this.reach(this.base[c.dex]! + s, from);
      }
    }
  }
}

/**
 * Whether string `index` could be a Java class name (`a.b.C`): 3 to 200 bytes, a dot, no space,
 * slash or semicolon. Checked on the MUTF-8 bytes, so most strings are never decoded.
 */
function classNameShaped(dex: DexFile, index: number): boolean {
  const bytes = dex.bytes;
  let at = dex.view.getUint32(dex.header.stringIdsOff + index * 4, true);
  while (at < bytes.length && bytes[at]! & 0x80) at++; // uleb128 length
  at++;
  let dot = false;
  let length = 0;
  for (; at < bytes.length; at++, length++) {
    const b = bytes[at]!;
    if (b === 0) break;
    if (length > 200 || b === SPACE || b === SLASH || b === SEMICOLON) return false;
    if (b === DOT) dot = true;
  }
  return dot && length >= 3;
}
