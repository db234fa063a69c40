/**
 * Cross-DEX questions over the per-method scans: "which methods call
 * Landroid/telephony/TelephonyManager;->getImei", "who reads Landroid/os/Build;->SERIAL", "who loads
 * this string". Every DEX has its own id tables, so a query is resolved in each file separately
 * (cheap: a type lookup plus a pass over method_ids) and answered from that file's inverted
 * reference index, which is built on the first query that needs it.
 */
import { ApkFormatError } from '../errors.js';
import type { DexFile } from './dex-file.js';
import type { DexCodeScan, DexRefPool, DexScanOptions } from './code-scan.js';

/** A member pattern. `name` undefined matches every member of the class; `descriptor` is the
 * method prototype (`(I)V`) or the field type (`I`), undefined for any. */
export interface MemberQuery {
  classType: string;
  name?: string;
  descriptor?: string;
}

/** One method's use of a target: one per (caller, target), with the first instruction's details. */
export interface CodeSite {
  dexIndex: number;
  dex: DexFile;
  /** method_id of the calling method in `dex`. */
  callerMethod: number;
  /** Descriptor of the class that defines the caller. */
  callerClass: string;
  /** Index of the target in its pool (method_id, field_id, string_id or type_id) in `dex`. */
  target: number;
  opcode: number;
  /** Code-unit offset of the first such instruction in the caller. */
  pc: number;
  /** How many instructions of the caller refer to this target. */
  count: number;
}

export interface DexMemberHandle {
  dexIndex: number;
  index: number;
}

/**
 * Parses `Lcls;->name(params)ret`, `Lcls;->name:type`, `Lcls;->name` or `Lcls;` into a MemberQuery.
 * Throws ApkFormatError('limit') for strings that are not in descriptor form.
 */
export function parseMemberQuery(query: string): MemberQuery {
  const arrow = query.indexOf('->');
  const classType = arrow < 0 ? query : query.slice(0, arrow);
  if (!/^\[*L[^;]+;$/.test(classType)) {
    throw new ApkFormatError('limit', `not a member reference in descriptor form: ${JSON.stringify(query)}`);
  }
  if (arrow < 0) return { classType };
  const rest = query.slice(arrow + 2);
  const paren = rest.indexOf('(');
  const colon = rest.indexOf(':');
  if (paren >= 0) return { classType, name: rest.slice(0, paren), descriptor: rest.slice(paren) };
  if (colon >= 0) return { classType, name: rest.slice(0, colon), descriptor: rest.slice(colon + 1) };
  return { classType, name: rest };
}

export function buildCodeIndex(dexFiles: readonly DexFile[], options: DexScanOptions = {}): CodeIndex {
  return new CodeIndex(dexFiles, options);
}

export class CodeIndex {
  readonly scans: readonly DexCodeScan[];

  /** Scans every file now (the work is O(total bytecode)); queries are answered lazily. */
  constructor(
    readonly dexFiles: readonly DexFile[],
    options: DexScanOptions = {},
  ) {
    this.scans = dexFiles.map((dex) => dex.scanCode(options));
  }

  /** Totals across all files. */
  get stats(): { methodsWithCode: number; definedMethods: number; instructions: number; references: number } {
    let methodsWithCode = 0;
    let definedMethods = 0;
    let instructions = 0;
    let references = 0;
    for (const s of this.scans) {
      methodsWithCode += s.slotCount;
      definedMethods += s.definedMethodCount;
      instructions += s.instructionCount;
      references += s.refCount;
    }
    return { methodsWithCode, definedMethods, instructions, references };
  }

  /** method_ids matching the query, in every file (a file only has ids for what it defines or uses). */
  findMethods(query: MemberQuery | string): DexMemberHandle[] {
    return this.findMembers(query, 'method');
  }

  findFields(query: MemberQuery | string): DexMemberHandle[] {
    return this.findMembers(query, 'field');
  }

  /** Methods that invoke a matching method (invoke-*, /range and invoke-polymorphic). */
  callersOf(query: MemberQuery | string): CodeSite[] {
    return this.sitesFor('method', this.findMethods(query));
  }

  /** Methods that read (and, when scanned with fieldWrites, write) a matching field. */
  fieldAccessesOf(query: MemberQuery | string): CodeSite[] {
    return this.sitesFor('field', this.findFields(query));
  }

  /** Methods that load a string (const-string, const-string/jumbo) equal to or accepted by `match`. */
  stringLoads(match: string | ((value: string) => boolean)): CodeSite[] {
    const handles: DexMemberHandle[] = [];
    this.scans.forEach((scan, dexIndex) => {
      const inv = scan.invertedRefs('string');
      for (let s = 0; s < inv.start.length - 1; s++) {
        if (inv.start[s] === inv.start[s + 1]) continue;
        const value = scan.dex.string(s);
        if (typeof match === 'string' ? value === match : match(value)) handles.push({ dexIndex, index: s });
      }
    });
    return this.sitesFor('string', handles);
  }

  /** Methods that name a class with const-class or new-instance. */
  typeUses(descriptor: string): CodeSite[] {
    const handles: DexMemberHandle[] = [];
    this.dexFiles.forEach((dex, dexIndex) => {
      const t = dex.findType(descriptor);
      if (t >= 0) handles.push({ dexIndex, index: t });
    });
    return this.sitesFor('type', handles);
  }

  /** Distinct descriptors of the classes whose methods call a matching method, sorted. */
  classesCalling(query: MemberQuery | string): string[] {
    return [...new Set(this.callersOf(query).map((s) => s.callerClass))].sort();
  }

  /** `Lcaller;->m()V -> Ltarget;->n()V` style line for reports and logs. */
  describe(site: CodeSite, pool: DexRefPool = 'method'): string {
    const caller = site.dex.methodString(site.callerMethod);
    const target =
      pool === 'method'
        ? site.dex.methodString(site.target)
        : pool === 'field'
          ? site.dex.fieldString(site.target)
          : pool === 'string'
            ? JSON.stringify(site.dex.string(site.target))
            : pool === 'type'
              ? site.dex.typeName(site.target)
              : `call_site ${site.target}`;
    return `${caller} -> ${target} (${site.dex.name ?? `dex ${site.dexIndex}`} +0x${site.pc.toString(16)}${site.count > 1 ? `, ${site.count}x` : ''})`;
  }

  private findMembers(query: MemberQuery | string, kind: 'method' | 'field'): DexMemberHandle[] {
    const q = typeof query === 'string' ? parseMemberQuery(query) : query;
    const out: DexMemberHandle[] = [];
    this.dexFiles.forEach((dex, dexIndex) => {
      const t = dex.findType(q.classType);
      if (t < 0) return;
      const count = kind === 'method' ? dex.counts.methods : dex.counts.fields;
      for (let i = 0; i < count; i++) {
        if ((kind === 'method' ? dex.methodClassIndex(i) : dex.fieldClassIndex(i)) !== t) continue;
        if (q.name !== undefined && dex.string(kind === 'method' ? dex.methodNameIndex(i) : dex.fieldNameIndex(i)) !== q.name) continue;
        if (q.descriptor !== undefined) {
          const d = kind === 'method' ? dex.methodRef(i).proto : dex.fieldRef(i).type;
          if (d !== q.descriptor) continue;
        }
        out.push({ dexIndex, index: i });
      }
    });
    return out;
  }

  private sitesFor(pool: DexRefPool, targets: DexMemberHandle[]): CodeSite[] {
    const out: CodeSite[] = [];
    for (const { dexIndex, index } of targets) {
      const scan = this.scans[dexIndex]!;
      const dex = this.dexFiles[dexIndex]!;
      const refs = scan.refsTo(pool, index);
      let i = 0;
      while (i < refs.length) {
        const owner = scan.ownerOfRef(refs[i]!);
        const first = refs[i]!;
        let count = 0;
        // Refs are ascending, so one owner's refs to this target are adjacent.
        while (i < refs.length && refs[i]! < scan.refEnd[owner]!) {
          count++;
          i++;
        }
        for (const slot of scan.slotsSharingCode(owner)) {
          out.push({
            dexIndex,
            dex,
            callerMethod: scan.methodIndex[slot]!,
            callerClass: dex.typeName(dex.classTypeIndex(scan.classDefIndex[slot]!)),
            target: index,
            opcode: scan.refOpcode[first]!,
            pc: scan.refPc[first]!,
            count,
          });
        }
      }
    }
    return out;
  }
}
