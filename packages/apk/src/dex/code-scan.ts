/**
 * One pass over every method's bytecode that keeps only what compliance checks ask about: which
 * methods a method invokes, which fields it touches, which strings it loads and which classes it
 * names. Everything is stored in parallel typed arrays (about 9 bytes per reference, nothing per
 * instruction) so apps with 100k+ classes stay within a few tens of MB.
 */
import type { DexCounts, DexIssueKind } from './dex-types.js';
import { OPCODE_WIDTH, payloadWidth, isInvokeOpcode, isFieldOpcode, isStringOpcode } from './opcodes.js';

/**
 * What the scan reads of a DEX file and what its users read back through `scan.dex`. DexFile has
 * these members; the scan names them here rather than importing DexFile, because dex-file.ts
 * imports this file to scan and cache.
 */
export interface DexCodeSource {
  readonly bytes: Uint8Array;
  readonly units: Uint16Array;
  readonly counts: DexCounts;
  /** Checks a code_item's bounds and returns its insns_size in code units. */
  checkCodeItem(offset: number): number;
  classDataOffset(classDefIndex: number): number;
  decodeClassData(
    off: number,
    onField: ((list: 0 | 1, fieldIndex: number, accessFlags: number) => void) | undefined,
    onMethod: (direct: boolean, methodIndex: number, accessFlags: number, codeOffset: number) => void,
  ): void;
  issue(kind: DexIssueKind, message: string): void;
  string(index: number): string;
}

export interface DexScanOptions {
  /** Also record sput-* and iput-* (default false: only field reads). */
  fieldWrites?: boolean;
}

/** What an index in the reference arrays points into. */
export type DexRefPool = 'method' | 'field' | 'string' | 'type' | 'call-site';

// Pool of each recorded opcode: 0 = not recorded.
const POOL_NONE = 0;
const POOL_STRING = 1;
const POOL_TYPE = 2;
const POOL_FIELD = 3;
const POOL_METHOD = 4;
const POOL_CALL_SITE = 5;
const POOL_NAMES: readonly DexRefPool[] = ['method', 'string', 'type', 'field', 'method', 'call-site'];

function recordTable(fieldWrites: boolean): Uint8Array {
  const t = new Uint8Array(256);
  t[0x1a] = POOL_STRING; // const-string
  t[0x1b] = POOL_STRING; // const-string/jumbo
  t[0x1c] = POOL_TYPE; // const-class
  t[0x22] = POOL_TYPE; // new-instance
  for (let op = 0x52; op <= 0x58; op++) t[op] = POOL_FIELD; // iget-*
  for (let op = 0x60; op <= 0x66; op++) t[op] = POOL_FIELD; // sget-*
  if (fieldWrites) {
    for (let op = 0x59; op <= 0x5f; op++) t[op] = POOL_FIELD; // iput-*
    for (let op = 0x67; op <= 0x6d; op++) t[op] = POOL_FIELD; // sput-*
  }
  for (let op = 0x6e; op <= 0x78; op++) if (op !== 0x73) t[op] = POOL_METHOD; // invoke-*, invoke-*/range
  t[0xfa] = POOL_METHOD; // invoke-polymorphic
  t[0xfb] = POOL_METHOD;
  t[0xfc] = POOL_CALL_SITE; // invoke-custom
  t[0xfd] = POOL_CALL_SITE;
  return t;
}
const RECORD_READS = recordTable(false);
const RECORD_ALL = recordTable(true);

/** The pool an opcode's recorded index points into. */
export function refPoolOf(opcode: number): DexRefPool | undefined {
  const pool = RECORD_ALL[opcode]!;
  return pool === POOL_NONE ? undefined : POOL_NAMES[pool];
}

class U32Buffer {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }
  private grow(): void {
    const next = new Uint32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
  /** A view, not a copy: copying costs more (fresh memory) than the unused tail wastes. */
  finish(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

class RefBuffer {
  opcode: Uint8Array;
  index: Uint32Array;
  pc: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    const n = Math.max(64, capacity);
    this.opcode = new Uint8Array(n);
    this.index = new Uint32Array(n);
    this.pc = new Uint32Array(n);
  }
  push(opcode: number, index: number, pc: number): void {
    if (this.length === this.index.length) this.grow();
    const i = this.length++;
    this.opcode[i] = opcode;
    this.index[i] = index;
    this.pc[i] = pc;
  }
  private grow(): void {
    const n = this.index.length * 2;
    const opcode = new Uint8Array(n);
    const index = new Uint32Array(n);
    const pc = new Uint32Array(n);
    opcode.set(this.opcode);
    index.set(this.index);
    pc.set(this.pc);
    this.opcode = opcode;
    this.index = index;
    this.pc = pc;
  }
}

/** Target-keyed view of the references of one pool: refs of target t are `refs[start[t]..start[t+1])`. */
export interface DexInvertedRefs {
  start: Uint32Array;
  refs: Uint32Array;
}

/**
 * The result of scanning one DEX. A "slot" is one method with code; slot s has method_id
 * `methodIndex[s]`, its references are positions `refStart[s]..refEnd[s]` of the ref arrays, and
 * `refPc` holds each reference's instruction offset in code units from the method's start.
 * Methods that share one code_item (dexlayout deduplicates identical code) share one ref range;
 * `codeOwner[s]` is the first slot that scanned it.
 */
/** What a DexCodeScan is made of: seven per-slot arrays, the reference arrays and two counters. */
export interface DexCodeScanTransfer {
  slots: Uint32Array[];
  refOpcode: Uint8Array;
  refIndex: Uint32Array;
  refPc: Uint32Array;
  instructionCount: number;
  definedMethodCount: number;
}

export class DexCodeScan {
  readonly slotCount: number;
  readonly methodIndex: Uint32Array;
  readonly classDefIndex: Uint32Array;
  readonly accessFlags: Uint32Array;
  readonly codeOffset: Uint32Array;
  readonly codeOwner: Uint32Array;
  readonly refStart: Uint32Array;
  readonly refEnd: Uint32Array;
  readonly refCount: number;
  readonly refOpcode: Uint8Array;
  readonly refIndex: Uint32Array;
  readonly refPc: Uint32Array;
  /** Instructions walked (payload pseudo-instructions count as one). */
  readonly instructionCount: number;
  /** Methods defined by class_data, with or without code. */
  readonly definedMethodCount: number;

  private readonly inverted = new Map<DexRefPool, DexInvertedRefs>();
  private ownerSlots: Uint32Array | undefined;
  private sharers: Map<number, number[]> | undefined;

  /** @internal built by scanDexCode, or from a transfer by fromTransfer */
  constructor(
    readonly dex: DexCodeSource,
    readonly options: DexScanOptions,
    parts: DexCodeScanTransfer,
  ) {
    const [methodIndex, classDefIndex, accessFlags, codeOffset, codeOwner, refStart, refEnd] = parts.slots as [
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
    ];
    this.methodIndex = methodIndex;
    this.classDefIndex = classDefIndex;
    this.accessFlags = accessFlags;
    this.codeOffset = codeOffset;
    this.codeOwner = codeOwner;
    this.refStart = refStart;
    this.refEnd = refEnd;
    this.slotCount = methodIndex.length;
    this.refCount = parts.refOpcode.length;
    this.refOpcode = parts.refOpcode;
    this.refIndex = parts.refIndex;
    this.refPc = parts.refPc;
    this.instructionCount = parts.instructionCount;
    this.definedMethodCount = parts.definedMethodCount;
  }

  /**
   * The scan as plain typed arrays, to send to another thread (the arrays' buffers can be moved in
   * the transfer list). `fromTransfer` rebuilds it there over the same DEX bytes.
   */
  toTransfer(): DexCodeScanTransfer {
    return {
      slots: [this.methodIndex, this.classDefIndex, this.accessFlags, this.codeOffset, this.codeOwner, this.refStart, this.refEnd],
      refOpcode: this.refOpcode,
      refIndex: this.refIndex,
      refPc: this.refPc,
      instructionCount: this.instructionCount,
      definedMethodCount: this.definedMethodCount,
    };
  }

  static fromTransfer(dex: DexCodeSource, options: DexScanOptions, parts: DexCodeScanTransfer): DexCodeScan {
    if (parts.slots.length !== 7 || parts.refIndex.length !== parts.refOpcode.length || parts.refPc.length !== parts.refOpcode.length) {
      throw new Error('malformed DEX code scan transfer');
    }
    return new DexCodeScan(dex, options, parts);
  }

  /** References grouped by target for one pool, built on first use (O(refs), 4 bytes per ref). */
  invertedRefs(pool: DexRefPool): DexInvertedRefs {
    let inv = this.inverted.get(pool);
    if (inv) return inv;
    const counts = this.dex.counts;
    const size =
      pool === 'method'
        ? counts.methods
        : pool === 'field'
          ? counts.fields
          : pool === 'string'
            ? counts.strings
            : pool === 'type'
              ? counts.types
              : counts.callSites;
    const match = poolMatcher(pool);
    const start = new Uint32Array(size + 1);
    const { refOpcode, refIndex, refCount } = this;
    let total = 0;
    for (let r = 0; r < refCount; r++) {
      if (match(refOpcode[r]!)) {
        start[refIndex[r]! + 1]!++;
        total++;
      }
    }
    for (let t = 0; t < size; t++) start[t + 1]! += start[t]!;
    const fill = start.slice(0, size);
    const refs = new Uint32Array(total);
    for (let r = 0; r < refCount; r++) {
      if (match(refOpcode[r]!)) refs[fill[refIndex[r]!]!++] = r;
    }
    inv = { start, refs };
    this.inverted.set(pool, inv);
    return inv;
  }

  /** Ref positions whose target is `index` in `pool`, in ascending order. */
  refsTo(pool: DexRefPool, index: number): Uint32Array {
    const inv = this.invertedRefs(pool);
    if (!(index >= 0 && index < inv.start.length - 1)) return new Uint32Array(0);
    return inv.refs.subarray(inv.start[index]!, inv.start[index + 1]!);
  }

  /** The slot whose own scan produced ref position `ref` (the code owner). */
  ownerOfRef(ref: number): number {
    if (!this.ownerSlots) {
      const owners: number[] = [];
      for (let s = 0; s < this.slotCount; s++) if (this.codeOwner[s] === s) owners.push(s);
      this.ownerSlots = Uint32Array.from(owners);
    }
    const owners = this.ownerSlots;
    let lo = 0;
    let hi = owners.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.refStart[owners[mid]!]! <= ref) lo = mid;
      else hi = mid - 1;
    }
    return owners[lo]!;
  }

  /** All slots running the code first scanned by `owner` (usually just `[owner]`). */
  slotsSharingCode(owner: number): readonly number[] {
    if (!this.sharers) {
      const map = new Map<number, number[]>();
      for (let s = 0; s < this.slotCount; s++) {
        const o = this.codeOwner[s]!;
        if (o !== s) {
          let list = map.get(o);
          if (!list) map.set(o, (list = [o]));
          list.push(s);
        }
      }
      this.sharers = map;
    }
    return this.sharers.get(owner) ?? [owner];
  }

  /** The slot of a method_id, or -1 when this file defines no code for it. */
  slotOfMethod(methodIndex: number): number {
    return this.methodIndex.indexOf(methodIndex);
  }
}

function poolMatcher(pool: DexRefPool): (opcode: number) => boolean {
  switch (pool) {
    case 'method':
      return isInvokeOpcode;
    case 'field':
      return isFieldOpcode;
    case 'string':
      return isStringOpcode;
    case 'type':
      return (op) => op === 0x1c || op === 0x22;
    case 'call-site':
      return (op) => op === 0xfc || op === 0xfd;
  }
}

interface WalkState {
  unknown: number;
  firstUnknownOp: number;
  firstUnknownAt: number;
  badRefs: number;
  firstBadOp: number;
  firstBadAt: number;
  /** Code unit of an instruction that runs past the end, or -1. */
  truncatedAt: number;
}

/**
 * Walks one method's instructions `units[start, end)` and records references; returns the number
 * of instructions. Kept small and free of closures so V8 optimises it early: it is the hot loop.
 * Every step advances at least one unit, so the walk ends within insns_size steps.
 */
function walkCode(
  units: Uint16Array,
  start: number,
  end: number,
  record: Uint8Array,
  limits: Uint32Array,
  refs: RefBuffer,
  state: WalkState,
): number {
  let pc = start;
  let count = 0;
  while (pc < end) {
    const op = units[pc]! & 0xff;
    let width = OPCODE_WIDTH[op]!;
    if (width === 0) {
      if (op === 0) {
        width = payloadWidth(units, pc, end);
      } else {
        // An unused opcode: ART's verifier would reject the method; we note it and step on.
        width = 1;
        if (state.unknown++ === 0) {
          state.firstUnknownOp = op;
          state.firstUnknownAt = pc - start;
        }
      }
    }
    if (width < 0 || pc + width > end) {
      state.truncatedAt = pc - start;
      break;
    }
    const pool = record[op]!;
    if (pool !== POOL_NONE) {
      const index = op === 0x1b ? (units[pc + 1]! | (units[pc + 2]! << 16)) >>> 0 : units[pc + 1]!;
      if (index < limits[pool]!) {
        refs.push(op, index, pc - start);
      } else if (state.badRefs++ === 0) {
        state.firstBadOp = op;
        state.firstBadAt = pc - start;
      }
    }
    count++;
    pc += width;
  }
  return count;
}

/** Scans every method with code in `dex`. Throws ApkFormatError for code items outside the file. */
export function scanDexCode(dex: DexCodeSource, options: DexScanOptions): DexCodeScan {
  const units = dex.units;
  const record = options.fieldWrites ? RECORD_ALL : RECORD_READS;
  const counts = dex.counts;
  const limits = new Uint32Array([0, counts.strings, counts.types, counts.fields, counts.methods, counts.callSites]);
  // Rough sizing from real apps (about one reference per 24 bytes of DEX) to avoid most regrowth.
  const refs = new RefBuffer(dex.bytes.length >>> 4);
  const slotGuess = counts.methods;
  const slots = Array.from({ length: 7 }, () => new U32Buffer(slotGuess));
  const [sMethod, sClass, sAccess, sCode, sOwner, sStart, sEnd] = slots as [
    U32Buffer,
    U32Buffer,
    U32Buffer,
    U32Buffer,
    U32Buffer,
    U32Buffer,
    U32Buffer,
  ];
  // Which slot first scanned each code_item, found without a Map (70k entries would cost GC time):
  // code items are at least 16 bytes long, so offset/16 identifies one unless items overlap, which
  // only a corrupt file does; such collisions fall back to the Map. Slot + 1 is stored, so 0 (what a
  // new array holds) means none: the array is never filled, and its untouched pages cost nothing.
  const ownerByBucket = new Uint32Array((dex.bytes.length >>> 4) + 1);
  const collisions = new Map<number, number>();
  const seenClassData = new Set<number>();
  let instructionCount = 0;
  let definedMethodCount = 0;
  let unknownOpcodes = 0;
  let badRefs = 0;
  const walk: WalkState = { unknown: 0, firstUnknownOp: 0, firstUnknownAt: 0, badRefs: 0, firstBadOp: 0, firstBadAt: 0, truncatedAt: -1 };
  let currentClass = 0;

  const onMethod = (_direct: boolean, methodIndex: number, accessFlags: number, codeOff: number): void => {
    definedMethodCount++;
    if (codeOff === 0) return;
    const slot = sMethod.length;
    sMethod.push(methodIndex);
    sClass.push(currentClass);
    sAccess.push(accessFlags);
    sCode.push(codeOff);
    const bucket = codeOff >>> 4;
    let owner: number | undefined = ownerByBucket[bucket]! - 1;
    if (owner < 0) {
      ownerByBucket[bucket] = slot + 1;
      owner = undefined;
    } else if (sCode.data[owner] !== codeOff) {
      owner = collisions.get(codeOff);
      if (owner === undefined) collisions.set(codeOff, slot);
    }
    if (owner !== undefined) {
      // Shared code_item: reuse the first scan instead of walking it again (bounds the work).
      sOwner.push(owner);
      sStart.push(sStart.data[owner]!);
      sEnd.push(sEnd.data[owner]!);
      return;
    }
    sOwner.push(slot);
    const insnsSize = dex.checkCodeItem(codeOff);
    const registers = units[codeOff >>> 1]!;
    const ins = units[(codeOff >>> 1) + 1]!;
    if (ins > registers) dex.issue('bad-code', `method ${methodIndex}: ins_size ${ins} exceeds registers_size ${registers}`);
    const start = (codeOff + 16) >>> 1;
    sStart.push(refs.length);
    walk.unknown = 0;
    walk.badRefs = 0;
    walk.truncatedAt = -1;
    instructionCount += walkCode(units, start, start + insnsSize, record, limits, refs, walk);
    if (walk.unknown > 0 && unknownOpcodes++ < 10) {
      dex.issue(
        'unknown-opcode',
        `method ${methodIndex}: ${walk.unknown} unused opcode(s), first 0x${walk.firstUnknownOp.toString(16)} at code unit ${walk.firstUnknownAt}`,
      );
    }
    if (walk.badRefs > 0 && badRefs++ < 10) {
      dex.issue(
        'bad-reference',
        `method ${methodIndex}: ${walk.badRefs} index(es) out of range, first for 0x${walk.firstBadOp.toString(16)} at code unit ${walk.firstBadAt}`,
      );
    }
    if (walk.truncatedAt >= 0) {
      dex.issue('truncated-instruction', `instruction at code unit ${walk.truncatedAt} of method ${methodIndex} runs past insns_size`);
    }
    sEnd.push(refs.length);
  };

  for (let c = 0; c < counts.classDefs; c++) {
    const off = dex.classDataOffset(c);
    if (off === 0) continue;
    if (seenClassData.has(off)) {
      dex.issue('shared-class-data', `class_defs[${c}] reuses class_data at offset ${off}; not scanned twice`);
      continue;
    }
    seenClassData.add(off);
    currentClass = c;
    dex.decodeClassData(off, undefined, onMethod);
  }
  const n = refs.length;
  return new DexCodeScan(dex, options, {
    slots: slots.map((b) => b.finish()),
    refOpcode: refs.opcode.subarray(0, n),
    refIndex: refs.index.subarray(0, n),
    refPc: refs.pc.subarray(0, n),
    instructionCount,
    definedMethodCount,
  });
}
