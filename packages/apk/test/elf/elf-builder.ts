/** Builds small ELF shared objects in memory, with every table placement under test control. */

export interface ElfSpec {
  elfClass: 32 | 64;
  little: boolean;
  machine: number;
  soname?: string;
  needed?: readonly string[];
  exports?: readonly string[];
  imports?: readonly string[];
  /** Include program headers (PT_LOAD + PT_DYNAMIC); default true. */
  programHeaders?: boolean;
  /** Include section headers (.dynstr, .dynamic, .dynsym); default true. */
  sections?: boolean;
  /** Added to DT_STRTAB, to make it point outside every segment. */
  strtabSkew?: number;
}

const BASE = 0x10000;

export function buildElf(spec: ElfSpec): Uint8Array {
  const w = spec.elfClass === 64;
  const addr = w ? 8 : 4;
  const ehsize = w ? 64 : 52;
  const phentsize = w ? 56 : 32;
  const shentsize = w ? 64 : 40;
  const dynEntry = 2 * addr;
  const symEntry = w ? 24 : 16;

  // String table.
  const strings: number[] = [0];
  const index = (s: string): number => {
    const at = strings.length;
    strings.push(...Buffer.from(s, 'utf8'), 0);
    return at;
  };
  const needed = (spec.needed ?? []).map(index);
  const soname = spec.soname === undefined ? undefined : index(spec.soname);
  const exports = (spec.exports ?? []).map(index);
  const imports = (spec.imports ?? []).map(index);

  const withPh = spec.programHeaders ?? true;
  const withSh = spec.sections ?? true;
  const phnum = withPh ? 2 : 0;
  const phoff = withPh ? ehsize : 0;
  const strOff = ehsize + phnum * phentsize;
  const dynOff = align(strOff + strings.length, addr);
  const dynCount = needed.length + (soname === undefined ? 0 : 1) + 3;
  const symOff = align(dynOff + dynCount * dynEntry, addr);
  const symCount = 1 + exports.length + imports.length;
  const shOff = align(symOff + symCount * symEntry, addr);
  const shnum = withSh ? 4 : 0;
  const size = shOff + shnum * shentsize;

  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  const le = spec.little;
  const u16 = (o: number, x: number) => v.setUint16(o, x, le);
  const u32 = (o: number, x: number) => v.setUint32(o, x, le);
  const word = (o: number, x: number) => (w ? v.setBigUint64(o, BigInt(x), le) : v.setUint32(o, x, le));

  bytes.set([0x7f, 0x45, 0x4c, 0x46, w ? 2 : 1, le ? 1 : 2, 1, 0]);
  u16(16, 3); // ET_DYN
  u16(18, spec.machine);
  u32(20, 1);
  word(w ? 32 : 28, phoff);
  word(w ? 40 : 32, withSh ? shOff : 0);
  u16(w ? 52 : 40, ehsize);
  u16(w ? 54 : 42, phentsize);
  u16(w ? 56 : 44, phnum);
  u16(w ? 58 : 46, shentsize);
  u16(w ? 60 : 48, shnum);

  if (withPh) {
    const ph = (at: number, type: number, offset: number, vaddr: number, filesz: number) => {
      u32(at, type);
      if (w) {
        v.setBigUint64(at + 8, BigInt(offset), le);
        v.setBigUint64(at + 16, BigInt(vaddr), le);
        v.setBigUint64(at + 32, BigInt(filesz), le);
        v.setBigUint64(at + 40, BigInt(filesz), le);
      } else {
        u32(at + 4, offset);
        u32(at + 8, vaddr);
        u32(at + 16, filesz);
        u32(at + 20, filesz);
      }
    };
    ph(phoff, 1, 0, BASE, size);
    ph(phoff + phentsize, 2, dynOff, BASE + dynOff, dynCount * dynEntry);
  }

  bytes.set(strings, strOff);
  let d = dynOff;
  const dyn = (tag: number, value: number) => {
    word(d, tag);
    word(d + addr, value);
    d += dynEntry;
  };
  for (const n of needed) dyn(1, n);
  if (soname !== undefined) dyn(14, soname);
  dyn(5, BASE + strOff + (spec.strtabSkew ?? 0));
  dyn(10, strings.length);
  dyn(0, 0);

  let s = symOff + symEntry;
  const sym = (name: number, shndx: number) => {
    u32(s, name);
    const info = (1 << 4) | 2; // STB_GLOBAL, STT_FUNC
    if (w) {
      bytes[s + 4] = info;
      u16(s + 6, shndx);
    } else {
      bytes[s + 12] = info;
      u16(s + 14, shndx);
    }
    s += symEntry;
  };
  for (const e of exports) sym(e, 1);
  for (const i of imports) sym(i, 0);

  if (withSh) {
    const sh = (i: number, type: number, offset: number, length: number, link: number, entsize: number) => {
      const at = shOff + i * shentsize;
      u32(at + 4, type);
      word(at + (w ? 24 : 16), offset);
      word(at + (w ? 32 : 20), length);
      u32(at + (w ? 40 : 24), link);
      word(at + (w ? 56 : 36), entsize);
    };
    sh(1, 3, strOff, strings.length, 0, 0);
    sh(2, 6, dynOff, dynCount * dynEntry, 1, dynEntry);
    sh(3, 11, symOff, symCount * symEntry, 1, symEntry);
  }
  return bytes;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
