import { ApkFormatError, guarded } from '../errors.js';
import { ByteReader } from '../io/bytes.js';

export const EM = {
  I386: 3,
  MIPS: 8,
  ARM: 40,
  X86_64: 62,
  AARCH64: 183,
  RISCV: 243,
} as const;

const MACHINE_NAMES: Readonly<Record<number, string>> = {
  [EM.I386]: 'x86',
  [EM.MIPS]: 'MIPS',
  [EM.ARM]: 'ARM',
  [EM.X86_64]: 'x86-64',
  [EM.AARCH64]: 'AArch64',
  [EM.RISCV]: 'RISC-V',
};

export type ElfType = 'none' | 'relocatable' | 'executable' | 'shared' | 'core' | 'other';

export interface ElfInfo {
  /** The entry name we were given, e.g. `lib/arm64-v8a/libfoo.so`. */
  name: string;
  elfClass: 32 | 64;
  endianness: 'little' | 'big';
  osAbi: number;
  type: ElfType;
  /** Raw e_type. */
  typeCode: number;
  /** Raw e_machine. */
  machine: number;
  /** Human name of the machine (`AArch64`), or `EM_<n>` for ones we do not name. */
  machineName: string;
  /** The Android ABI this machine and class build for (`arm64-v8a`), when there is one. ARM maps to `armeabi-v7a`. */
  abi: string | undefined;
  flags: number;
  /** DT_SONAME. */
  soname: string | undefined;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** DT_RUNPATH and DT_RPATH entries. */
  runpath: string[];
  /** Where the dynamic information came from. */
  dynamicFrom: 'program-headers' | 'section-headers' | 'none';
  /** Names of defined global/weak dynamic symbols (from .dynsym, when there are section headers). */
  exports: string[];
  /** Names of undefined dynamic symbols. */
  imports: string[];
  /** Tables we could not read (out-of-bounds offsets, odd entry sizes...). Not fatal: the header is still valid. */
  issues: string[];
}

export interface ParseElfOptions {
  /** Read .dynsym for imports and exports (default true). */
  symbols?: boolean;
  /** Cap on dynamic symbols read (default 200 000). */
  maxSymbols?: number;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const MAX_STRING = 4096;
const MAX_DYNAMIC_ENTRIES = 65536;
const MAX_ISSUES = 50;

/** Is `bytes` an ELF file at all (magic only)? */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** The Android ABI folder name for a machine and ELF class, if Android has one. */
export function abiForMachine(machine: number, elfClass: 32 | 64): string | undefined {
  switch (machine) {
    case EM.ARM:
      return elfClass === 32 ? 'armeabi-v7a' : undefined;
    case EM.AARCH64:
      return elfClass === 64 ? 'arm64-v8a' : undefined;
    case EM.I386:
      return elfClass === 32 ? 'x86' : undefined;
    case EM.X86_64:
      return elfClass === 64 ? 'x86_64' : undefined;
    case EM.MIPS:
      return elfClass === 32 ? 'mips' : 'mips64';
    case EM.RISCV:
      return elfClass === 64 ? 'riscv64' : undefined;
    default:
      return undefined;
  }
}

/** Does a library built for `abi` (from the ELF header) belong in the ABI folder `folder`? */
export function abiMatchesFolder(abi: string | undefined, folder: string): boolean {
  if (abi === undefined) return false;
  // armeabi and armeabi-v7a share EM_ARM; the header cannot tell them apart.
  if (abi === 'armeabi-v7a') return folder === 'armeabi' || folder === 'armeabi-v7a';
  return abi === folder;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

interface StringTable {
  offset: number;
  size: number;
}

/**
 * Reads an ELF file's identification, header and dynamic linking information. Only a bad
 * identification or a truncated file header throws (ApkFormatError `elf-corrupt`); damaged program
 * or section tables are recorded in `issues` and whatever else can be read is still returned.
 */
export function parseElf(bytes: Uint8Array, name: string, options: ParseElfOptions = {}): ElfInfo {
  return guarded('elf-corrupt', 'ELF file', () => new ElfParser(bytes, name).parse(options), name);
}

class ElfParser {
  /** Replaced once the identification bytes give the byte order. */
  private r: ByteReader;
  private wide = false;
  private readonly issues: string[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly name: string,
  ) {
    this.r = new ByteReader(bytes, 'elf-corrupt', name);
  }

  /** Issues are capped: a hostile .dynsym could otherwise yield one per symbol. */
  private issue(message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push(message);
    else if (this.issues.length === MAX_ISSUES) this.issues.push('further issues omitted');
  }

  private fail(message: string): never {
    throw new ApkFormatError('elf-corrupt', message, this.name);
  }

  private inBounds(offset: number, length: number): boolean {
    return (
      Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.bytes.byteLength
    );
  }

  /** A 64-bit field as a number; values past 2^53 become NaN, which every bounds check rejects. */
  private u64(o: number): number {
    const little = this.r.littleEndian;
    const lo = this.r.u32At(o + (little ? 0 : 4));
    const hi = this.r.u32At(o + (little ? 4 : 0));
    return hi > 0x1fffff ? NaN : hi * 0x1_0000_0000 + lo;
  }

  /** An address-sized field: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
  private addr(o: number): number {
    return this.wide ? this.u64(o) : this.r.u32At(o);
  }

  parse(options: ParseElfOptions): ElfInfo {
    const b = this.bytes;
    if (!isElf(b)) this.fail('not an ELF file (no \\x7fELF magic)');
    if (b.byteLength < 16) this.fail('truncated ELF identification');
    const cls = b[4];
    if (cls !== 1 && cls !== 2) this.fail(`unknown ELF class ${cls}`);
    const data = b[5];
    if (data !== 1 && data !== 2) this.fail(`unknown ELF data encoding ${data}`);
    this.wide = cls === 2;
    this.r = new ByteReader(b, 'elf-corrupt', this.name, 0, data === 1);
    const headerSize = this.wide ? 64 : 52;
    if (b.byteLength < headerSize) this.fail(`truncated ELF header (${b.byteLength} bytes, need ${headerSize})`);

    const typeCode = this.r.u16At(16);
    const machine = this.r.u16At(18);
    const w = this.wide;
    const phoff = this.addr(w ? 32 : 28);
    const shoff = this.addr(w ? 40 : 32);
    const flags = this.r.u32At(w ? 48 : 36);
    const phentsize = this.r.u16At(w ? 54 : 42);
    let phnum = this.r.u16At(w ? 56 : 44);
    const shentsize = this.r.u16At(w ? 58 : 46);
    let shnum = this.r.u16At(w ? 60 : 48);
    const elfClass = w ? 64 : 32;

    // Extended numbering: counts that do not fit in 16 bits live in section header 0.
    const section0 = this.readSectionHeader(shoff, shentsize, 0);
    if (shnum === 0 && section0) shnum = section0.size;
    if (phnum === 0xffff && section0) phnum = section0.info;

    const segments = this.readSegments(phoff, phentsize, phnum);
    const sections = this.readSections(shoff, shentsize, shnum);

    const info: ElfInfo = {
      name: this.name,
      elfClass,
      endianness: this.r.littleEndian ? 'little' : 'big',
      osAbi: b[7]!,
      type: typeName(typeCode),
      typeCode,
      machine,
      machineName: MACHINE_NAMES[machine] ?? `EM_${machine}`,
      abi: abiForMachine(machine, elfClass),
      flags,
      soname: undefined,
      needed: [],
      runpath: [],
      dynamicFrom: 'none',
      exports: [],
      imports: [],
      issues: this.issues,
    };
    this.readDynamic(info, segments, sections);
    if (options.symbols ?? true) this.readSymbols(info, sections, options.maxSymbols ?? 200_000);
    return info;
  }

  private readSectionHeader(shoff: number, shentsize: number, index: number): (Section & { info: number }) | undefined {
    if (shoff === 0) return undefined;
    const min = this.wide ? 64 : 40;
    const at = shoff + index * shentsize;
    if (shentsize < min || !this.inBounds(at, min)) return undefined;
    const w = this.wide;
    return {
      type: this.r.u32At(at + 4),
      offset: this.addr(at + (w ? 24 : 16)),
      size: this.addr(at + (w ? 32 : 20)),
      link: this.r.u32At(at + (w ? 40 : 24)),
      info: this.r.u32At(at + (w ? 44 : 28)),
      entsize: this.addr(at + (w ? 56 : 36)),
    };
  }

  private readSegments(phoff: number, phentsize: number, phnum: number): Segment[] {
    if (phnum === 0 || phoff === 0) return [];
    const min = this.wide ? 56 : 32;
    if (phentsize < min) {
      this.issue(`program header entry size ${phentsize} is below ${min}`);
      return [];
    }
    if (!this.inBounds(phoff, phnum * phentsize)) {
      this.issue(`program header table (offset ${phoff}, ${phnum} entries) lies outside the file`);
      return [];
    }
    const out: Segment[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      const type = this.r.u32At(at);
      if (type !== PT_LOAD && type !== PT_DYNAMIC) continue;
      out.push(
        this.wide
          ? { type, offset: this.u64(at + 8), vaddr: this.u64(at + 16), filesz: this.u64(at + 32) }
          : { type, offset: this.r.u32At(at + 4), vaddr: this.r.u32At(at + 8), filesz: this.r.u32At(at + 16) },
      );
    }
    return out;
  }

  private readSections(shoff: number, shentsize: number, shnum: number): Section[] {
    if (shoff === 0 || shnum === 0) return [];
    const min = this.wide ? 64 : 40;
    if (shentsize < min) {
      this.issue(`section header entry size ${shentsize} is below ${min}`);
      return [];
    }
    if (!this.inBounds(shoff, shnum * shentsize)) {
      this.issue(`section header table (offset ${shoff}, ${shnum} entries) lies outside the file`);
      return [];
    }
    const out: Section[] = [];
    for (let i = 0; i < shnum; i++) out.push(this.readSectionHeader(shoff, shentsize, i)!);
    return out;
  }

  /** Maps a virtual address to a file offset through the PT_LOAD segments. */
  private fileOffset(segments: readonly Segment[], vaddr: number): number | undefined {
    for (const s of segments) {
      if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return s.offset + (vaddr - s.vaddr);
    }
    return undefined;
  }

  private readDynamic(info: ElfInfo, segments: readonly Segment[], sections: readonly Section[]): void {
    const entrySize = this.wide ? 16 : 8;
    const dynamicSegment = segments.find((s) => s.type === PT_DYNAMIC);
    const dynamicSection = sections.find((s) => s.type === SHT_DYNAMIC);
    const sectionStrings = (): StringTable | undefined => {
      const linked = dynamicSection ? sections[dynamicSection.link] : undefined;
      return linked ? { offset: linked.offset, size: linked.size } : undefined;
    };

    let table: { offset: number; size: number } | undefined;
    let from: ElfInfo['dynamicFrom'] = 'none';
    if (dynamicSegment && this.inBounds(dynamicSegment.offset, Math.min(dynamicSegment.filesz, entrySize))) {
      table = { offset: dynamicSegment.offset, size: dynamicSegment.filesz };
      from = 'program-headers';
    } else if (dynamicSection && this.inBounds(dynamicSection.offset, Math.min(dynamicSection.size, entrySize))) {
      table = { offset: dynamicSection.offset, size: dynamicSection.size };
      from = 'section-headers';
    } else if (dynamicSegment || dynamicSection) {
      this.issue('the dynamic table lies outside the file');
    }
    if (!table) return;

    const available = Math.min(table.size, this.bytes.byteLength - table.offset);
    const count = Math.min(Math.floor(available / entrySize), MAX_DYNAMIC_ENTRIES);
    const needed: number[] = [];
    const paths: number[] = [];
    let soname: number | undefined;
    let strtabAddress: number | undefined;
    let strsz: number | undefined;
    for (let i = 0; i < count; i++) {
      const at = table.offset + i * entrySize;
      const tag = this.wide ? this.u64(at) : this.r.u32At(at);
      const value = this.wide ? this.u64(at + 8) : this.r.u32At(at + 4);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) needed.push(value);
      else if (tag === DT_SONAME) soname = value;
      else if (tag === DT_STRTAB) strtabAddress = value;
      else if (tag === DT_STRSZ) strsz = value;
      else if (tag === DT_RUNPATH || tag === DT_RPATH) paths.push(value);
    }

    let strings: StringTable | undefined;
    if (strtabAddress !== undefined) {
      const offset = this.fileOffset(segments, strtabAddress);
      if (offset !== undefined) strings = { offset, size: strsz ?? this.bytes.byteLength - offset };
      // Without any PT_LOAD there is nothing to map through; sections are the normal route then.
      else if (segments.some((s) => s.type === PT_LOAD))
        this.issue(`DT_STRTAB address 0x${strtabAddress.toString(16)} is not in any loaded segment`);
    }
    // Objects without program headers (or with a lying DT_STRTAB) can still name .dynstr via sh_link.
    strings ??= sectionStrings();
    if (!strings) {
      if (needed.length > 0 || soname !== undefined) this.issue('no dynamic string table found');
      info.dynamicFrom = from;
      return;
    }
    const read = (index: number) => this.string(strings, index);
    info.dynamicFrom = from;
    info.needed = needed.map(read).filter((s): s is string => s !== undefined);
    info.soname = soname === undefined ? undefined : read(soname);
    info.runpath = paths
      .map(read)
      .filter((s): s is string => s !== undefined)
      .flatMap((s) => s.split(':'))
      .filter((s) => s.length > 0);
  }

  private readSymbols(info: ElfInfo, sections: readonly Section[], maxSymbols: number): void {
    const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
    if (!dynsym) return;
    const entrySize = this.wide ? 24 : 16;
    const strtab = sections[dynsym.link];
    if (!strtab || !this.inBounds(dynsym.offset, dynsym.size)) {
      this.issue('.dynsym or its string table lies outside the file');
      return;
    }
    if (dynsym.entsize !== 0 && dynsym.entsize !== entrySize) {
      this.issue(`.dynsym entry size ${dynsym.entsize} is not ${entrySize}`);
      return;
    }
    const count = Math.floor(dynsym.size / entrySize);
    if (count > maxSymbols) this.issue(`.dynsym holds ${count} symbols; only the first ${maxSymbols} were read`);
    const table = { offset: strtab.offset, size: strtab.size };
    // Symbol 0 is the reserved null symbol.
    for (let i = 1; i < Math.min(count, maxSymbols); i++) {
      const at = dynsym.offset + i * entrySize;
      const nameIndex = this.r.u32At(at);
      const symInfo = this.wide ? this.bytes[at + 4]! : this.bytes[at + 12]!;
      const shndx = this.wide ? this.r.u16At(at + 6) : this.r.u16At(at + 14);
      const bind = symInfo >> 4;
      if (nameIndex === 0) continue;
      const symbolName = this.string(table, nameIndex);
      if (!symbolName) continue;
      if (shndx === 0) info.imports.push(symbolName);
      else if (bind === 1 || bind === 2 || bind === 10) info.exports.push(symbolName);
    }
  }

  /** A NUL-terminated string from a string table, bounded by the table, the file and MAX_STRING. */
  private string(table: StringTable, index: number): string | undefined {
    const start = table.offset + index;
    if (!(index < table.size) || !this.inBounds(start, 1)) {
      this.issue(`string index ${index} lies outside the string table`);
      return undefined;
    }
    const limit = Math.min(table.offset + table.size, this.bytes.byteLength, start + MAX_STRING);
    let end = start;
    while (end < limit && this.bytes[end] !== 0) end++;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }
}

function typeName(code: number): ElfType {
  switch (code) {
    case 0:
      return 'none';
    case 1:
      return 'relocatable';
    case 2:
      return 'executable';
    case 3:
      return 'shared';
    case 4:
      return 'core';
    default:
      return 'other';
  }
}
