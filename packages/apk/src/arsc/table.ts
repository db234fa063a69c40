/**
 * Our own resources.arsc reader. We wrote it because no maintained npm library parses the resource
 * table defensively (hostile sizes, counts and offsets reported as errors rather than crashes) and with
 * the newer aapt2 encodings (sparse, offset16 and compact entries). The table is indexed, not decoded:
 * construction walks the chunk headers and checks that every offset array fits; entries and strings are
 * decoded when a lookup needs them, so a label lookup in framework-res.apk does not touch the rest.
 */
import { ApkFormatError, ensure, guarded } from '../errors.js';
import { ByteReader } from '../io/bytes.js';
import { ResType, isReference, splitResourceId, formatResourceId, type ResValue } from '../resources/res-value.js';
import type { ZipArchive } from '../zip/index.js';
import { ChunkType, chunkName, readChunkHeader, type ChunkHeader } from './chunks.js';
import { LAYOUTDIR_MASK, configLocale, configQualifiers, readConfig, type ResTableConfig } from './config.js';
import { DEFAULT_ARSC_LIMITS, type ArscLimits } from './limits.js';
import { canonicalLanguage, makeRequest, selectBest, type Request, type ResolveOptions } from './select.js';
import { StringPool } from '../resources/string-pool.js';

/** ResTable_type flags. */
export const TYPE_FLAG_SPARSE = 0x01;
export const TYPE_FLAG_OFFSET16 = 0x02;
/** ResTable_entry flags. */
export const ENTRY_FLAG_COMPLEX = 0x0001;
export const ENTRY_FLAG_PUBLIC = 0x0002;
export const ENTRY_FLAG_WEAK = 0x0004;
export const ENTRY_FLAG_COMPACT = 0x0008;

const NO_ENTRY32 = 0xffffffff;
const NO_ENTRY16 = 0xffff;
const TABLE_HEADER_SIZE = 12;
/** Package header without and with the later `typeIdOffset` field. */
const PACKAGE_HEADER_SIZE = 284;
const TYPE_SPEC_HEADER_SIZE = 16;
const TYPE_HEADER_SIZE_NO_CONFIG = 20;
const LIBRARY_ENTRY_SIZE = 260;
const FRAMEWORK_PACKAGE_ID = 0x01;

/** One complex (bag) entry: styles, attrs, arrays, plurals. */
export interface ResourceBag {
  /** The parent style's resource id, 0 for none. */
  parent: number;
  items: Array<{ name: number; value: ResValue }>;
}

/** One entry of one resource in one configuration. */
export interface ResourceEntry {
  id: number;
  config: ResTableConfig;
  /** Directory-style qualifiers ('' for the default config), e.g. `zh-rCN`, `xxhdpi-v4`. */
  qualifiers: string;
  /** The entry's name (`app_name`). */
  key: string;
  /** ResTable_entry flags (ENTRY_FLAG_*). */
  flags: number;
  /** Set for simple entries. */
  value?: ResValue;
  /** Set for complex entries. */
  bag?: ResourceBag;
}

export type UnresolvedReason = 'framework' | 'library' | 'missing' | 'loop' | 'depth';

/** A reference the table cannot follow by itself, kept visible rather than dropped. */
export interface UnresolvedReference {
  reason: UnresolvedReason;
  /** The id the chain stopped at. */
  id: number;
  /** A readable marker, e.g. `@android:0x01040001 (framework resource, not in this table)`. */
  marker: string;
}

export interface ResolvedResource {
  /** Ids visited, starting with the one asked for; the last one holds `entry`, or is `unresolved.id`. */
  chain: number[];
  entry?: ResourceEntry;
  value?: ResValue;
  bag?: ResourceBag;
  /** The decoded string for STRING values (file paths for drawables and mipmaps). */
  string?: string;
  /** The value of INT_BOOLEAN values. */
  boolean?: boolean;
  unresolved?: UnresolvedReference;
}

/** A file a drawable/mipmap/layout resource points at, per configuration. */
export interface ResourceFile {
  path: string;
  qualifiers: string;
  /** The config's density (0 for none; 0xfffe anydpi, 0xffff nodpi). */
  density: number;
  config: ResTableConfig;
}

/** An app name (or other string) as users of each locale see it. */
export interface LocalizedStrings {
  default?: string;
  'zh-CN'?: string;
  'zh-TW'?: string;
  'zh-HK'?: string;
  en?: string;
  [locale: string]: string | undefined;
}

export interface ParseResourceTableOptions {
  limits?: Partial<ArscLimits>;
  /** Name of the archive entry, for error messages (default `resources.arsc`). */
  entry?: string;
}

/** Where one type chunk keeps its entries; everything else about it is read on demand. */
interface TypeChunk {
  typeId: number;
  config: ResTableConfig;
  /** Computed on first use: thousands of chunks in framework-res, few of them ever read. */
  qualifiers: string | undefined;
  flags: number;
  entryCount: number;
  start: number;
  end: number;
  indexAt: number;
  entriesAt: number;
}

interface EntryGroups {
  all: ResourceEntry[];
  /** Indexes into `all` per canonical language ('' for language-less configs). */
  byLanguage: Map<string, number[]>;
  /** Best language-less entry index per layout direction (-1: none matches). */
  neutralBest: Map<number, number>;
}

interface TypeGroup {
  id: number;
  /** Entries declared by the type spec (0 if the spec is missing). */
  specEntryCount: number;
  /** Absolute offset of the spec's flags array, -1 without a spec. */
  specFlagsAt: number;
  chunks: TypeChunk[];
}

/** One package chunk (several chunks may share an id; lookups consult all of them). */
export class ResourcePackage {
  readonly types = new Map<number, TypeGroup>();
  /** Shared-library table: compile-time package id -> package name. */
  readonly libraries = new Map<number, string>();
  /** Staged resource id -> finalized resource id (TABLE_STAGED_ALIAS). */
  readonly stagedAliases = new Map<number, number>();
  typeStrings: StringPool | undefined;
  keyStrings: StringPool | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly typeIdOffset: number,
  ) {}

  /** The type's name (`string`, `mipmap`) or undefined when the type string pool lacks it. */
  typeName(typeId: number): string | undefined {
    return this.typeStrings?.tryGet(typeId - 1 - this.typeIdOffset);
  }

  /** Type ids present, ascending. */
  typeIds(): number[] {
    return [...this.types.keys()].sort((a, b) => a - b);
  }

  /** Entries declared by the type's spec and the number of configurations (type chunks) it has. */
  typeInfo(typeId: number): { entryCount: number; configCount: number } | undefined {
    const g = this.types.get(typeId);
    return g && { entryCount: g.specEntryCount, configCount: g.chunks.length };
  }
}

function utf16Name(r: ByteReader, at: number, chars: number): string {
  let s = '';
  for (let i = 0; i < chars; i++) {
    const c = r.u16At(at + i * 2, 'name');
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Parses a resources.arsc. Only ApkFormatError escapes for bad input. */
export function parseResourceTable(bytes: Uint8Array, options: ParseResourceTableOptions = {}): ResourceTable {
  const entry = options.entry ?? 'resources.arsc';
  return guarded(
    'arsc-corrupt',
    'resource table',
    () => new ResourceTable(bytes, { ...DEFAULT_ARSC_LIMITS, ...options.limits }, entry),
    entry,
  );
}

/** Reads `resources.arsc` from an APK; undefined when the APK has none (resource-less packages exist). */
export function readResourceTable(zip: ZipArchive, options: ParseResourceTableOptions = {}): ResourceTable | undefined {
  const name = options.entry ?? 'resources.arsc';
  if (!zip.has(name)) return undefined;
  return parseResourceTable(zip.read(name), { ...options, entry: name });
}

export class ResourceTable {
  /** The global string pool: values of STRING type index it. */
  readonly strings: StringPool;
  readonly packages: ResourcePackage[] = [];
  /** Oddities that did not stop parsing (skipped chunks, count mismatches, trailing bytes). */
  readonly issues: string[] = [];
  readonly limits: ArscLimits;
  readonly entryName: string;
  private readonly r: ByteReader;
  private readonly byId = new Map<number, ResourcePackage[]>();
  private chunkCount = 0;
  private localeCache: string[] | undefined;

  /** Use parseResourceTable(). */
  constructor(bytes: Uint8Array, limits: ArscLimits, entry: string) {
    this.limits = limits;
    this.entryName = entry;
    ensure(
      bytes.byteLength <= limits.maxTableSize,
      'arsc-corrupt',
      `table is ${bytes.byteLength} bytes, over the limit of ${limits.maxTableSize}`,
      entry,
    );
    this.r = new ByteReader(bytes, 'arsc-corrupt', entry);
    const root = this.header(0, bytes.byteLength, 'the file');
    ensure(root.type === ChunkType.TABLE, 'arsc-corrupt', `file starts with ${chunkName(root.type)}, not a resource table`, entry);
    ensure(
      root.headerSize >= TABLE_HEADER_SIZE,
      'arsc-corrupt',
      `TABLE header size ${root.headerSize} is below ${TABLE_HEADER_SIZE}`,
      entry,
    );
    if (root.end < bytes.byteLength) this.issues.push(`${bytes.byteLength - root.end} bytes after the table chunk`);
    const declaredPackages = this.r.u32At(8);
    let strings: StringPool | undefined;
    for (let at = root.start + root.headerSize; at < root.end;) {
      const chunk = this.header(at, root.end, 'TABLE');
      if (chunk.type === ChunkType.STRING_POOL) {
        if (strings) this.issues.push(`extra global string pool at 0x${at.toString(16)} ignored`);
        else strings = stringPool(this.r, chunk, limits.maxStrings, 'global');
      } else if (chunk.type === ChunkType.TABLE_PACKAGE) {
        ensure(this.packages.length < limits.maxPackages, 'arsc-corrupt', `more than ${limits.maxPackages} packages`, entry);
        this.readPackage(chunk);
      } else {
        this.issues.push(`${chunkName(chunk.type)} at 0x${at.toString(16)} skipped`);
      }
      at = chunk.end;
    }
    this.strings = strings ?? StringPool.empty(this.r);
    if (declaredPackages !== this.packages.length) {
      this.issues.push(`table header declares ${declaredPackages} packages, found ${this.packages.length}`);
    }
  }

  private fail(message: string): never {
    throw new ApkFormatError('arsc-corrupt', message, this.entryName);
  }

  private header(at: number, limit: number, parent: string): ChunkHeader {
    if (++this.chunkCount > this.limits.maxChunks) this.fail(`more than ${this.limits.maxChunks} chunks`);
    return readChunkHeader(this.r, at, limit, parent, this.entryName);
  }

  private readPackage(chunk: ChunkHeader): void {
    const r = this.r;
    const where = `TABLE_PACKAGE at 0x${chunk.start.toString(16)}`;
    if (chunk.headerSize < PACKAGE_HEADER_SIZE) this.fail(`${where}: header size ${chunk.headerSize} is below ${PACKAGE_HEADER_SIZE}`);
    const id = r.u32At(chunk.start + 8);
    if (id > 0xff) this.fail(`${where}: package id ${id} does not fit in a byte`);
    const name = utf16Name(r, chunk.start + 12, 128);
    const typeStringsAt = r.u32At(chunk.start + 268);
    const keyStringsAt = r.u32At(chunk.start + 276);
    const typeIdOffset = chunk.headerSize >= PACKAGE_HEADER_SIZE + 4 ? r.u32At(chunk.start + 284) : 0;
    if (typeIdOffset > 0xff) this.fail(`${where}: type id offset ${typeIdOffset} is out of range`);
    const pkg = new ResourcePackage(id, name, typeIdOffset);
    const pools: StringPool[] = [];
    for (let at = chunk.start + chunk.headerSize; at < chunk.end;) {
      const child = this.header(at, chunk.end, where);
      switch (child.type) {
        case ChunkType.STRING_POOL: {
          const rel = at - chunk.start;
          const what = rel === typeStringsAt ? 'type' : rel === keyStringsAt ? 'key' : 'package';
          const pool = stringPool(r, child, this.limits.maxStrings, what);
          if (rel === typeStringsAt) pkg.typeStrings = pool;
          else if (rel === keyStringsAt) pkg.keyStrings = pool;
          else pools.push(pool);
          break;
        }
        case ChunkType.TABLE_TYPE_SPEC:
          this.readTypeSpec(pkg, child);
          break;
        case ChunkType.TABLE_TYPE:
          this.readType(pkg, child);
          break;
        case ChunkType.TABLE_LIBRARY:
          this.readLibrary(pkg, child);
          break;
        case ChunkType.TABLE_STAGED_ALIAS:
          this.readStagedAlias(pkg, child);
          break;
        case ChunkType.TABLE_OVERLAYABLE:
          // Overlay policies (which RROs may replace what) do not affect what the app shows.
          break;
        default:
          this.issues.push(`${chunkName(child.type)} at 0x${at.toString(16)} in package ${name} skipped`);
      }
      at = child.end;
    }
    // Tables whose header offsets are wrong still order the pools types-then-keys.
    if (!pkg.typeStrings && pools.length > 0) pkg.typeStrings = pools.shift();
    if (!pkg.keyStrings && pools.length > 0) pkg.keyStrings = pools.shift();
    this.packages.push(pkg);
    const same = this.byId.get(id);
    if (same) same.push(pkg);
    else this.byId.set(id, [pkg]);
  }

  private group(pkg: ResourcePackage, typeId: number, where: string): TypeGroup {
    if (typeId === 0) this.fail(`${where}: type id 0 is invalid`);
    let g = pkg.types.get(typeId);
    if (!g) {
      g = { id: typeId, specEntryCount: 0, specFlagsAt: -1, chunks: [] };
      pkg.types.set(typeId, g);
    }
    return g;
  }

  private readTypeSpec(pkg: ResourcePackage, chunk: ChunkHeader): void {
    const r = this.r;
    const where = `TABLE_TYPE_SPEC at 0x${chunk.start.toString(16)}`;
    if (chunk.headerSize < TYPE_SPEC_HEADER_SIZE) this.fail(`${where}: header size ${chunk.headerSize} is below ${TYPE_SPEC_HEADER_SIZE}`);
    const typeId = r.bytes[chunk.start + 8]!;
    const entryCount = r.u32At(chunk.start + 12);
    if (entryCount > this.limits.maxEntriesPerType)
      this.fail(`${where}: ${entryCount} entries is over the limit of ${this.limits.maxEntriesPerType}`);
    if (entryCount * 4 > chunk.size - chunk.headerSize) this.fail(`${where}: flags for ${entryCount} entries overrun the chunk`);
    const g = this.group(pkg, typeId, where);
    if (g.specFlagsAt >= 0) this.issues.push(`${where}: second spec for type ${typeId} ignored`);
    else {
      g.specEntryCount = entryCount;
      g.specFlagsAt = chunk.start + chunk.headerSize;
    }
  }

  private readType(pkg: ResourcePackage, chunk: ChunkHeader): void {
    const r = this.r;
    const where = `TABLE_TYPE at 0x${chunk.start.toString(16)}`;
    if (chunk.headerSize < TYPE_HEADER_SIZE_NO_CONFIG + 4)
      this.fail(`${where}: header size ${chunk.headerSize} leaves no room for a config`);
    const typeId = r.bytes[chunk.start + 8]!;
    const flags = r.bytes[chunk.start + 9]!;
    const entryCount = r.u32At(chunk.start + 12);
    const entriesStart = r.u32At(chunk.start + 16);
    const configSize = r.u32At(chunk.start + 20);
    const configRoom = chunk.headerSize - TYPE_HEADER_SIZE_NO_CONFIG;
    if (configSize < 4 || configSize > configRoom)
      this.fail(`${where}: config size ${configSize} does not fit the ${configRoom} bytes of header left`);
    if (entryCount > this.limits.maxEntriesPerType)
      this.fail(`${where}: ${entryCount} entries is over the limit of ${this.limits.maxEntriesPerType}`);
    const indexWidth = flags & TYPE_FLAG_SPARSE ? 4 : flags & TYPE_FLAG_OFFSET16 ? 2 : 4;
    const indexEnd = chunk.headerSize + entryCount * indexWidth;
    if (indexEnd > chunk.size) this.fail(`${where}: index of ${entryCount} entries overruns the chunk`);
    if (entriesStart < indexEnd || entriesStart > chunk.size) {
      this.fail(`${where}: entries start ${entriesStart} lies outside [${indexEnd}, ${chunk.size}]`);
    }
    const config = readConfig(r, chunk.start + TYPE_HEADER_SIZE_NO_CONFIG, configSize, configRoom);
    const g = this.group(pkg, typeId, where);
    g.chunks.push({
      typeId,
      config,
      qualifiers: undefined,
      flags,
      entryCount,
      start: chunk.start,
      end: chunk.end,
      indexAt: chunk.start + chunk.headerSize,
      entriesAt: chunk.start + entriesStart,
    });
  }

  private readLibrary(pkg: ResourcePackage, chunk: ChunkHeader): void {
    const where = `TABLE_LIBRARY at 0x${chunk.start.toString(16)}`;
    if (chunk.headerSize < 12) this.fail(`${where}: header size ${chunk.headerSize} is below 12`);
    const count = this.r.u32At(chunk.start + 8);
    if (count > 0x100 || count * LIBRARY_ENTRY_SIZE > chunk.size - chunk.headerSize)
      this.fail(`${where}: ${count} entries do not fit the chunk`);
    for (let i = 0; i < count; i++) {
      const at = chunk.start + chunk.headerSize + i * LIBRARY_ENTRY_SIZE;
      pkg.libraries.set(this.r.u32At(at) & 0xff, utf16Name(this.r, at + 4, 128));
    }
  }

  private readStagedAlias(pkg: ResourcePackage, chunk: ChunkHeader): void {
    const where = `TABLE_STAGED_ALIAS at 0x${chunk.start.toString(16)}`;
    if (chunk.headerSize < 12) this.fail(`${where}: header size ${chunk.headerSize} is below 12`);
    const count = this.r.u32At(chunk.start + 8);
    if (count > this.limits.maxEntriesPerType || count * 8 > chunk.size - chunk.headerSize)
      this.fail(`${where}: ${count} entries do not fit the chunk`);
    for (let i = 0; i < count; i++) {
      const at = chunk.start + chunk.headerSize + i * 8;
      pkg.stagedAliases.set(this.r.u32At(at), this.r.u32At(at + 4));
    }
  }

  // ---- entry access -------------------------------------------------------------------------------

  /** Offset of entry `index` relative to the chunk's entries, or undefined when the chunk lacks it. */
  private entryOffset(c: TypeChunk, index: number): number | undefined {
    const r = this.r;
    if (c.flags & TYPE_FLAG_SPARSE) {
      // Sparse index: (u16 entry index, u16 offset/4) pairs sorted by index.
      let lo = 0;
      let hi = c.entryCount - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const at = c.indexAt + mid * 4;
        const idx = r.u16At(at);
        if (idx === index) return r.u16At(at + 2) * 4;
        if (idx < index) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    }
    if (index >= c.entryCount) return undefined;
    if (c.flags & TYPE_FLAG_OFFSET16) {
      const v = r.u16At(c.indexAt + index * 2);
      return v === NO_ENTRY16 ? undefined : v * 4;
    }
    const v = r.u32At(c.indexAt + index * 4);
    return v === NO_ENTRY32 ? undefined : v;
  }

  private readEntry(pkg: ResourcePackage, c: TypeChunk, index: number, offset: number): ResourceEntry {
    const r = this.r;
    const at = c.entriesAt + offset;
    const id = ((pkg.id << 24) | (c.typeId << 16) | index) >>> 0;
    const qualifiers = (c.qualifiers ??= configQualifiers(c.config));
    const where = () => `entry ${formatResourceId(id)} (${qualifiers || 'default'}) at 0x${at.toString(16)}`;
    if (at + 8 > c.end) this.fail(`${where()} lies outside its TABLE_TYPE chunk`);
    const first = r.u16At(at);
    const flags = r.u16At(at + 2);
    const keys = pkg.keyStrings;
    if (!keys) this.fail(`package ${pkg.name} has entries but no key string pool`);
    const base = { id, config: c.config, qualifiers, flags };
    if (flags & ENTRY_FLAG_COMPACT) {
      // Compact entries inline everything: 16-bit key, the value's type in the flags' high byte.
      return { ...base, key: keys.get(first), value: { type: flags >>> 8, data: r.u32At(at + 4) } };
    }
    const size = first;
    const key = keys.get(r.u32At(at + 4));
    if (flags & ENTRY_FLAG_COMPLEX) {
      if (size < 16 || at + 16 > c.end) this.fail(`${where()}: complex entry of ${size} bytes is too small`);
      const parent = r.u32At(at + 8);
      const count = r.u32At(at + 12);
      const itemsAt = at + size;
      if (count > this.limits.maxBagItems) this.fail(`${where()}: ${count} bag items is over the limit of ${this.limits.maxBagItems}`);
      if (itemsAt > c.end || count * 12 > c.end - itemsAt) this.fail(`${where()}: ${count} bag items overrun the chunk`);
      const items: ResourceBag['items'] = [];
      for (let i = 0; i < count; i++) {
        const p = itemsAt + i * 12;
        items.push({ name: r.u32At(p), value: { type: r.bytes[p + 7]!, data: r.u32At(p + 8) } });
      }
      return { ...base, key, bag: { parent, items } };
    }
    if (size < 8) this.fail(`${where()}: entry size ${size} is below 8`);
    const valueAt = at + size;
    if (valueAt + 8 > c.end) this.fail(`${where()}: value lies outside the chunk`);
    return { ...base, key, value: { type: r.bytes[valueAt + 3]!, data: r.u32At(valueAt + 4) } };
  }

  private safe<T>(what: string, step: () => T): T {
    return guarded('arsc-corrupt', what, step, this.entryName);
  }

  /** Every configured value of a resource, in file order (empty when the table lacks the id). */
  get(resId: number): ResourceEntry[] {
    return this.safe(`reading ${formatResourceId(resId)}`, () => {
      const { packageId, typeId, entryIndex } = splitResourceId(resId >>> 0);
      const out: ResourceEntry[] = [];
      for (const pkg of this.byId.get(packageId) ?? []) {
        const g = pkg.types.get(typeId);
        if (!g) continue;
        for (const c of g.chunks) {
          const off = this.entryOffset(c, entryIndex);
          if (off !== undefined) out.push(this.readEntry(pkg, c, entryIndex, off));
        }
      }
      return out;
    });
  }

  /** True when the table has a package with this id. */
  hasPackage(packageId: number): boolean {
    return this.byId.has(packageId);
  }

  /** Every entry in the table, package by package, type by type, config by config. */
  *entries(): Generator<ResourceEntry> {
    for (const pkg of this.packages) {
      for (const g of pkg.types.values()) {
        for (const c of g.chunks) {
          const list = this.safe('listing entries', () => {
            const found: Array<[number, number]> = [];
            for (let i = 0; i < c.entryCount; i++) {
              if (c.flags & TYPE_FLAG_SPARSE) found.push([this.r.u16At(c.indexAt + i * 4), this.r.u16At(c.indexAt + i * 4 + 2) * 4]);
              else {
                const off = this.entryOffset(c, i);
                if (off !== undefined) found.push([i, off]);
              }
            }
            return found;
          });
          for (const [index, off] of list) yield this.safe('reading an entry', () => this.readEntry(pkg, c, index, off));
        }
      }
    }
  }

  /** Resource ids declared by the type specs (every id that exists, whatever its configs). */
  *resourceIds(): Generator<number> {
    for (const pkg of this.packages) {
      for (const id of pkg.typeIds()) {
        const g = pkg.types.get(id)!;
        for (let i = 0; i < g.specEntryCount; i++) yield ((pkg.id << 24) | (id << 16) | i) >>> 0;
      }
    }
  }

  /** The type spec's configuration-change flags for a resource (bit 30 = public), if declared. */
  specFlags(resId: number): number | undefined {
    return this.safe('reading spec flags', () => {
      const { packageId, typeId, entryIndex } = splitResourceId(resId >>> 0);
      for (const pkg of this.byId.get(packageId) ?? []) {
        const g = pkg.types.get(typeId);
        if (g && g.specFlagsAt >= 0 && entryIndex < g.specEntryCount) return this.r.u32At(g.specFlagsAt + entryIndex * 4);
      }
      return undefined;
    });
  }

  /** `package:type/entry`, e.g. `com.example:string/app_name`; undefined when the id is unknown. */
  nameOf(resId: number): string | undefined {
    return this.safe('naming a resource', () => {
      const { packageId, typeId, entryIndex } = splitResourceId(resId >>> 0);
      for (const pkg of this.byId.get(packageId) ?? []) {
        const g = pkg.types.get(typeId);
        if (!g) continue;
        for (const c of g.chunks) {
          const off = this.entryOffset(c, entryIndex);
          if (off === undefined) continue;
          const e = this.readEntry(pkg, c, entryIndex, off);
          return `${pkg.name}:${pkg.typeName(typeId) ?? `type${typeId}`}/${e.key}`;
        }
      }
      return undefined;
    });
  }

  /** The id of `type/name` or `package:type/name` (first package when none is named). */
  idOf(name: string): number | undefined {
    return this.safe('looking up a name', () => {
      const m = /^@?(?:([^:]+):)?([^/]+)\/(.+)$/.exec(name);
      if (!m) return undefined;
      const [, pkgName, typeName, key] = m;
      for (const pkg of this.packages) {
        if (pkgName !== undefined && pkg.name !== pkgName) continue;
        const typeIndex = pkg.typeStrings?.indexOf(typeName!);
        const keyIndex = pkg.keyStrings?.indexOf(key!);
        if (typeIndex === undefined || keyIndex === undefined) continue;
        const typeId = typeIndex + 1 + pkg.typeIdOffset;
        const g = pkg.types.get(typeId);
        if (!g) continue;
        for (const c of g.chunks) {
          for (let i = 0; i < c.entryCount; i++) {
            const index = c.flags & TYPE_FLAG_SPARSE ? this.r.u16At(c.indexAt + i * 4) : i;
            const off = this.entryOffset(c, index);
            if (off === undefined) continue;
            if (this.entryKeyIndex(c, off) === keyIndex) return ((pkg.id << 24) | (typeId << 16) | index) >>> 0;
          }
        }
      }
      return undefined;
    });
  }

  private entryKeyIndex(c: TypeChunk, offset: number): number {
    const at = c.entriesAt + offset;
    if (at + 8 > c.end) this.fail(`entry at 0x${at.toString(16)} lies outside its TABLE_TYPE chunk`);
    return this.r.u16At(at + 2) & ENTRY_FLAG_COMPACT ? this.r.u16At(at) : this.r.u32At(at + 4);
  }

  /** Every locale some config of the table names, as BCP 47 tags (`zh-CN`, `sr-Latn`), sorted. */
  locales(): string[] {
    if (!this.localeCache) {
      const set = new Set<string>();
      for (const pkg of this.packages) for (const g of pkg.types.values()) for (const c of g.chunks) set.add(configLocale(c.config));
      set.delete('');
      this.localeCache = [...set].sort();
    }
    return [...this.localeCache];
  }

  // ---- resolution ---------------------------------------------------------------------------------

  /**
   * The value a device with these settings would see, following references (within this table) up to
   * the depth limit. Undefined when the id is not in the table or no config matches the device.
   */
  resolve(resId: number, options: ResolveOptions = {}): ResolvedResource | undefined {
    return this.safe(`resolving ${formatResourceId(resId)}`, () => this.resolveWith(resId >>> 0, makeRequest(options)));
  }

  private unresolved(chain: number[], reason: UnresolvedReason, id: number): ResolvedResource {
    const text: Record<UnresolvedReason, string> = {
      framework: 'framework resource, not in this table',
      library: 'shared-library resource, not in this table',
      missing: 'no such resource, or no value for this device',
      loop: 'reference loop',
      depth: `more than ${this.limits.maxReferenceDepth} references`,
    };
    const prefix = reason === 'framework' ? '@android:' : '@';
    return { chain, unresolved: { reason, id, marker: `${prefix}${formatResourceId(id)} (${text[reason]})` } };
  }

  /** A resource's entries split by language, so one request only weighs its own language and the language-less ones. */
  private candidates(id: number, req: Request, cache?: Map<number, EntryGroups>): ResourceEntry[] {
    let groups = cache?.get(id);
    if (!groups) {
      const all = this.get(id);
      const byLanguage = new Map<string, number[]>();
      all.forEach((e, i) => {
        const lang = canonicalLanguage(e.config.language);
        const list = byLanguage.get(lang);
        if (list) list.push(i);
        else byLanguage.set(lang, [i]);
      });
      groups = { all, byLanguage, neutralBest: new Map() };
      cache?.set(id, groups);
    }
    let neutral = groups.byLanguage.get('') ?? [];
    if (cache && neutral.length > 1) {
      // Many locales asked in a row (localizedStrings) share the language-less candidates; pick their
      // best once per layout direction (the only locale-dependent part of matching them), so the
      // total work stays linear in the number of entries rather than locales x entries.
      const dir = req.config.screenLayout & LAYOUTDIR_MASK;
      let winner = groups.neutralBest.get(dir);
      if (winner === undefined) {
        const list = neutral;
        const best = selectBest(list, (i) => groups.all[i]!.config, req);
        winner = best < 0 ? -1 : list[best]!;
        groups.neutralBest.set(dir, winner);
      }
      neutral = winner < 0 ? [] : [winner];
    }
    const own = req.config.language ? (groups.byLanguage.get(req.config.language) ?? []) : [];
    // Keep file order: the platform breaks ties by it.
    const picked = own.length === 0 ? neutral : [...neutral, ...own].sort((a, b) => a - b);
    return picked.map((i) => groups.all[i]!);
  }

  private resolveWith(start: number, req: Request, cache?: Map<number, EntryGroups>): ResolvedResource | undefined {
    const chain: number[] = [];
    let id = start;
    while (true) {
      if (chain.includes(id)) return this.unresolved([...chain, id], 'loop', id);
      chain.push(id);
      const packageId = id >>> 24;
      if (!this.byId.has(packageId)) {
        if (chain.length === 1 && packageId !== FRAMEWORK_PACKAGE_ID) return undefined;
        return this.unresolved(chain, packageId === FRAMEWORK_PACKAGE_ID ? 'framework' : 'missing', id);
      }
      const entries = this.candidates(id, req, cache);
      const best = selectBest(entries, (e) => e.config, req);
      if (best < 0) return chain.length === 1 ? undefined : this.unresolved(chain, 'missing', id);
      const entry = entries[best]!;
      const pkgContext = this.byId.get(packageId)![0]!;
      const value = entry.value;
      if (!value) return { chain, entry, bag: entry.bag };
      if (isReference(value) && value.data !== 0) {
        const next = this.mapReference(value, pkgContext);
        if (next === undefined) return this.unresolved(chain, 'library', value.data >>> 0);
        if (chain.length > this.limits.maxReferenceDepth) return this.unresolved(chain, 'depth', next);
        id = next;
        continue;
      }
      const out: ResolvedResource = { chain, entry, value };
      if (value.type === ResType.STRING) out.string = this.strings.get(value.data);
      if (value.type === ResType.INT_BOOLEAN) out.boolean = value.data !== 0;
      return out;
    }
  }

  /** Rewrites a reference's package byte: 0x00 means "this package", dynamic ids go through the library table. */
  private mapReference(value: ResValue, pkg: ResourcePackage): number | undefined {
    const id = value.data >>> 0;
    const packageId = id >>> 24;
    if (packageId === 0) return ((pkg.id << 24) | (id & 0xffffff)) >>> 0;
    if (value.type !== ResType.DYNAMIC_REFERENCE || packageId === pkg.id || packageId === FRAMEWORK_PACKAGE_ID) return id;
    const libName = pkg.libraries.get(packageId);
    if (libName === undefined) return id;
    const target = this.packages.find((p) => p.name === libName);
    return target ? ((target.id << 24) | (id & 0xffffff)) >>> 0 : undefined;
  }

  /** The string a device with this locale (or these settings) shows, or undefined. */
  resolveString(resId: number, locale?: string | ResolveOptions): string | undefined {
    const options = typeof locale === 'string' ? { locale } : (locale ?? {});
    return this.resolve(resId, options)?.string;
  }

  /** The boolean value of a `bool` resource for the device, or undefined. */
  resolveBoolean(resId: number, options: ResolveOptions = {}): boolean | undefined {
    return this.resolve(resId, options)?.boolean;
  }

  /** The file (e.g. `res/mipmap-xxhdpi-v4/ic_launcher.png`) a device of this density would load. */
  resolveFile(resId: number, options: ResolveOptions = {}): string | undefined {
    return this.resolve(resId, options)?.string;
  }

  /**
   * The string in the default config and in every locale the table knows (plus zh-CN, zh-TW, zh-HK
   * and en always), as the platform would pick it. Keys are BCP 47 tags; locales without a value for
   * this resource are left out.
   */
  localizedStrings(resId: number): LocalizedStrings {
    return this.safe(`localizing ${formatResourceId(resId)}`, () => {
      const out: LocalizedStrings = {};
      const cache = new Map<number, EntryGroups>();
      const base = this.resolveWith(resId >>> 0, makeRequest(), cache)?.string;
      if (base !== undefined) out.default = base;
      const locales = new Set(['zh-CN', 'zh-TW', 'zh-HK', 'en', ...this.locales().slice(0, this.limits.maxLocales)]);
      for (const locale of locales) {
        const v = this.resolveWith(resId >>> 0, makeRequest({ locale }), cache)?.string;
        if (v !== undefined) out[locale] = v;
      }
      return out;
    });
  }

  /**
   * Every file a resource can load, per configuration, following references (an alias drawable
   * pointing at a mipmap lists the mipmap's files).
   */
  files(resId: number): ResourceFile[] {
    return this.safe(`listing files of ${formatResourceId(resId)}`, () => {
      const out: ResourceFile[] = [];
      const seen = new Set<string>();
      // Each id is visited once: with several configs per id, re-walking shared targets could
      // grow exponentially with the chain length on a hostile table.
      const visited = new Set<number>();
      const visit = (id: number, depth: number) => {
        if (depth > this.limits.maxReferenceDepth || visited.has(id)) return;
        visited.add(id);
        const pkg = this.byId.get(id >>> 24)?.[0];
        if (!pkg) return;
        for (const e of this.get(id)) {
          if (e.value?.type === ResType.STRING) {
            const path = this.strings.get(e.value.data);
            const key = `${e.qualifiers}\u0000${path}`;
            if (!seen.has(key)) {
              seen.add(key);
              out.push({ path, qualifiers: e.qualifiers, density: e.config.density, config: e.config });
            }
          } else if (e.value && isReference(e.value) && e.value.data !== 0) {
            const next = this.mapReference(e.value, pkg);
            if (next !== undefined) visit(next, depth + 1);
          }
        }
      };
      visit(resId >>> 0, 0);
      return out;
    });
  }

  /** A readable rendering of a value: strings, booleans, `@pkg:type/name` references, colours, dimensions. */
  formatValue(value: ResValue): string {
    return this.safe('formatting a value', () => formatValue(value, this));
  }
}

/** resources.arsc reads its pools strictly: a damaged string is an error, not a warning. */
function stringPool(r: ByteReader, chunk: ChunkHeader, maxStrings: number, what: string): StringPool {
  return new StringPool(r, chunk, { where: `${what} string pool at 0x${chunk.start.toString(16)}`, maxStrings });
}

const RADIX_SCALE = [1 / (1 << 8), 1 / (1 << 15), 1 / (1 << 23), 1 / 2 ** 31];
const DIMENSION_UNITS = ['px', 'dp', 'sp', 'pt', 'in', 'mm'];

/** Android's "complex" number: 24-bit signed mantissa, 2-bit radix, 4-bit unit. */
export function complexToFloat(data: number): number {
  return (data & 0xffffff00) * RADIX_SCALE[(data >> 4) & 3]!;
}

function formatValue(value: ResValue, table: ResourceTable): string {
  const d = value.data >>> 0;
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  switch (value.type) {
    case ResType.NULL:
      return d === 1 ? '@empty' : '@null';
    case ResType.REFERENCE:
    case ResType.DYNAMIC_REFERENCE:
    case ResType.ATTRIBUTE:
    case ResType.DYNAMIC_ATTRIBUTE: {
      const sigil = value.type === ResType.ATTRIBUTE || value.type === ResType.DYNAMIC_ATTRIBUTE ? '?' : '@';
      if (d === 0) return `${sigil}null`;
      const name = table.nameOf(d);
      if (name) return `${sigil}${name}`;
      return d >>> 24 === FRAMEWORK_PACKAGE_ID ? `${sigil}android:${formatResourceId(d)}` : `${sigil}${formatResourceId(d)}`;
    }
    case ResType.STRING:
      return table.strings.get(d);
    case ResType.FLOAT: {
      const f = new DataView(new Uint32Array([d]).buffer).getFloat32(0, true);
      return String(f);
    }
    case ResType.DIMENSION:
      return `${complexToFloat(d)}${DIMENSION_UNITS[d & 0xf] ?? `unit${d & 0xf}`}`;
    case ResType.FRACTION:
      return `${complexToFloat(d) * 100}${(d & 0xf) === 1 ? '%p' : '%'}`;
    case ResType.INT_DEC:
      return String(d | 0);
    case ResType.INT_HEX:
      return `0x${hex(d, 8)}`;
    case ResType.INT_BOOLEAN:
      return d !== 0 ? 'true' : 'false';
    case ResType.INT_COLOR_ARGB8:
      return `#${hex(d, 8)}`;
    case ResType.INT_COLOR_RGB8:
      return `#${hex(d & 0xffffff, 6)}`;
    case ResType.INT_COLOR_ARGB4:
      return `#${hex((d >>> 28) & 0xf, 1)}${hex((d >>> 20) & 0xf, 1)}${hex((d >>> 12) & 0xf, 1)}${hex((d >>> 4) & 0xf, 1)}`;
    case ResType.INT_COLOR_RGB4:
      return `#${hex((d >>> 20) & 0xf, 1)}${hex((d >>> 12) & 0xf, 1)}${hex((d >>> 4) & 0xf, 1)}`;
    default:
      return `(type 0x${hex(value.type, 2)}) 0x${hex(d, 8)}`;
  }
}
