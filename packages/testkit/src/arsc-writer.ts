/**
 * A small resources.arsc encoder for tests: enough of the format to build tables with chosen
 * configs, entry encodings (dense, offset16, sparse, compact), bags, references, libraries and odd
 * chunks, plus one realistic app table (`sampleAppTable`) for APK fixtures. Written from the format
 * description in ResourceTypes.h; it favours clarity over speed.
 */
import { ChunkType, packCode, ResType } from '@apprights/apk';
import { append } from './append.js';

/** Little-endian byte sink. */
export class ByteSink {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.grow(2);
    this.view.setUint16(this.length, v & 0xffff, true);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.grow(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  pad4(): this {
    while (this.length % 4) this.u8(0);
    return this;
  }
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A chunk: 8-byte common header, then `header` (the type-specific header fields), then `body`. */
export function encodeChunk(type: number, header: Uint8Array, body: Uint8Array): Uint8Array {
  const s = new ByteSink();
  s.u16(type)
    .u16(8 + header.length)
    .u32(8 + header.length + body.length);
  return s.bytes(header).bytes(body).done();
}

function utf8Length(s: ByteSink, n: number): void {
  if (n > 0x7f) s.u8(0x80 | (n >> 8)).u8(n & 0xff);
  else s.u8(n);
}

/** A string pool chunk (UTF-8 unless `utf16`). */
export function encodeStringPool(strings: readonly string[], options: { utf16?: boolean } = {}): Uint8Array {
  const data = new ByteSink();
  const offsets: number[] = [];
  for (const str of strings) {
    offsets.push(data.length);
    if (options.utf16) {
      const n = str.length;
      if (n > 0x7fff) data.u16(0x8000 | (n >>> 16)).u16(n & 0xffff);
      else data.u16(n);
      for (let i = 0; i < n; i++) data.u16(str.charCodeAt(i));
      data.u16(0);
    } else {
      const bytes = new TextEncoder().encode(str);
      utf8Length(data, str.length);
      utf8Length(data, bytes.length);
      data.bytes(bytes).u8(0);
    }
  }
  data.pad4();
  const header = new ByteSink();
  const headerLen = 20 + strings.length * 4; // fields after the common header, plus the offsets array
  header
    .u32(strings.length)
    .u32(0)
    .u32(options.utf16 ? 0 : 0x100)
    .u32(8 + headerLen)
    .u32(0);
  for (const o of offsets) header.u32(o);
  // The offsets array is not part of the header proper: headerSize stays 28.
  const out = encodeChunk(ChunkType.STRING_POOL, header.done(), data.done());
  new DataView(out.buffer).setUint16(2, 28, true);
  return out;
}

export interface WriterConfig {
  mcc?: number;
  mnc?: number;
  language?: string;
  region?: string;
  script?: string;
  variant?: string;
  orientation?: number;
  density?: number;
  sdkVersion?: number;
  /** uiMode byte (type | night bits). */
  uiMode?: number;
  smallestScreenWidthDp?: number;
  screenLayout?: number;
  /** Bytes of the struct to write (default 64); values below 48 drop script and variant. */
  size?: number;
  /** Extra non-zero bytes appended after the known 64 (a "future" config). */
  extraBytes?: number;
}

/** ResTable_config: `size` bytes of the known 64 (default all), or 64 plus `extraBytes` non-zero ones. */
export function encodeConfig(c: WriterConfig = {}): Uint8Array {
  const known = new Uint8Array(64);
  const v = new DataView(known.buffer);
  v.setUint16(4, c.mcc ?? 0, true);
  v.setUint16(6, c.mnc ?? 0, true);
  known.set(packCode(c.language ?? '', 0x61), 8);
  known.set(packCode(c.region ?? '', 0x30), 10);
  known[12] = c.orientation ?? 0;
  v.setUint16(14, c.density ?? 0, true);
  v.setUint16(24, c.sdkVersion ?? 0, true);
  known[28] = c.screenLayout ?? 0;
  known[29] = c.uiMode ?? 0;
  v.setUint16(30, c.smallestScreenWidthDp ?? 0, true);
  for (let i = 0; i < (c.script ?? '').length; i++) known[36 + i] = c.script!.charCodeAt(i);
  for (let i = 0; i < (c.variant ?? '').length; i++) known[40 + i] = c.variant!.charCodeAt(i);
  let out: Uint8Array;
  if (c.extraBytes) {
    out = new Uint8Array(64 + c.extraBytes).fill(0x5a);
    out.set(known);
  } else {
    out = known.slice(0, c.size ?? 64);
  }
  new DataView(out.buffer).setUint32(0, out.length, true);
  return out;
}

export type WriterValue =
  | { string: string }
  | { ref: number; dynamic?: boolean }
  | { bool: boolean }
  | { int: number }
  | { raw: { type: number; data: number } }
  | { bag: { parent?: number; items: Array<{ name: number; value: WriterValue }> } };

export interface WriterEntry {
  name: string;
  values: Array<{ config?: WriterConfig; value: WriterValue }>;
}

export interface WriterType {
  name: string;
  entries: WriterEntry[];
  /** How entry offsets are stored (default dense u32). */
  encoding?: 'dense' | 'offset16' | 'sparse';
  /** Write simple entries in the 8-byte compact form. */
  compact?: boolean;
}

export interface WriterPackage {
  id: number;
  name: string;
  types: WriterType[];
  libraries?: Array<{ id: number; name: string }>;
  stagedAliases?: Array<[number, number]>;
  /** Raw chunks appended inside the package (unknown or overlayable ones). */
  extraChunks?: Uint8Array[];
  typeIdOffset?: number;
}

export interface WriterTable {
  packages: WriterPackage[];
  utf16?: boolean;
  /** Raw chunks appended at table level. */
  extraChunks?: Uint8Array[];
}

function configKey(c: WriterConfig | undefined): string {
  return JSON.stringify(c ?? {});
}

function utf16Name(name: string): Uint8Array {
  const out = new Uint8Array(256);
  for (let i = 0; i < Math.min(name.length, 127); i++) {
    out[i * 2] = name.charCodeAt(i) & 0xff;
    out[i * 2 + 1] = name.charCodeAt(i) >> 8;
  }
  return out;
}

/** Builds a whole resources.arsc. */
export function writeResourceTable(table: WriterTable): Uint8Array {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const intern = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      stringIndex.set(s, i);
    }
    return i;
  };
  const resValue = (v: WriterValue): { type: number; data: number } => {
    if ('string' in v) return { type: ResType.STRING, data: intern(v.string) };
    if ('ref' in v) return { type: v.dynamic ? ResType.DYNAMIC_REFERENCE : ResType.REFERENCE, data: v.ref };
    if ('bool' in v) return { type: ResType.INT_BOOLEAN, data: v.bool ? 0xffffffff : 0 };
    if ('int' in v) return { type: ResType.INT_DEC, data: v.int };
    if ('raw' in v) return v.raw;
    throw new Error('bag where a simple value belongs');
  };
  const packages = table.packages.map((p) => {
    const keys = [...new Set(p.types.flatMap((t) => t.entries.map((e) => e.name)))];
    const keyIndex = new Map(keys.map((k, i) => [k, i]));
    const children: Uint8Array[] = [];
    p.types.forEach((t, ti) => {
      const typeId = ti + 1 + (p.typeIdOffset ?? 0);
      const spec = new ByteSink().u8(typeId).u8(0).u16(0).u32(t.entries.length).done();
      const flags = new ByteSink();
      for (let i = 0; i < t.entries.length; i++) flags.u32(0);
      children.push(encodeChunk(ChunkType.TABLE_TYPE_SPEC, spec, flags.done()));
      const configs = new Map<string, WriterConfig | undefined>();
      for (const e of t.entries) for (const v of e.values) configs.set(configKey(v.config), v.config);
      for (const [ck, config] of configs) {
        const entries = new ByteSink();
        const offsets: Array<[number, number]> = [];
        t.entries.forEach((e, index) => {
          const v = e.values.find((x) => configKey(x.config) === ck);
          if (!v) return;
          offsets.push([index, entries.length]);
          const key = keyIndex.get(e.name)!;
          if ('bag' in v.value) {
            entries
              .u16(16)
              .u16(0x0001)
              .u32(key)
              .u32(v.value.bag.parent ?? 0)
              .u32(v.value.bag.items.length);
            for (const item of v.value.bag.items) {
              const rv = resValue(item.value);
              entries.u32(item.name).u16(8).u8(0).u8(rv.type).u32(rv.data);
            }
          } else if (t.compact) {
            const rv = resValue(v.value);
            entries
              .u16(key)
              .u16(0x0008 | (rv.type << 8))
              .u32(rv.data);
          } else {
            const rv = resValue(v.value);
            entries.u16(8).u16(0).u32(key).u16(8).u8(0).u8(rv.type).u32(rv.data);
          }
        });
        const encoding = t.encoding ?? 'dense';
        const index = new ByteSink();
        if (encoding === 'sparse') for (const [i, o] of offsets) index.u16(i).u16(o / 4);
        else {
          for (let i = 0; i < t.entries.length; i++) {
            const o = offsets.find((x) => x[0] === i)?.[1];
            if (encoding === 'offset16') index.u16(o === undefined ? 0xffff : o / 4);
            else index.u32(o === undefined ? 0xffffffff : o);
          }
        }
        index.pad4();
        const cfg = encodeConfig(config);
        const count = encoding === 'sparse' ? offsets.length : t.entries.length;
        const flagsByte = encoding === 'sparse' ? 0x01 : encoding === 'offset16' ? 0x02 : 0;
        const header = new ByteSink()
          .u8(typeId)
          .u8(flagsByte)
          .u16(0)
          .u32(count)
          .u32(20 + cfg.length + index.length)
          .bytes(cfg)
          .done();
        const body = new ByteSink().bytes(index.done()).bytes(entries.done()).done();
        children.push(encodeChunk(ChunkType.TABLE_TYPE, header, body));
      }
    });
    if (p.libraries) {
      const body = new ByteSink();
      for (const lib of p.libraries) body.u32(lib.id).bytes(utf16Name(lib.name));
      children.push(encodeChunk(ChunkType.TABLE_LIBRARY, new ByteSink().u32(p.libraries.length).done(), body.done()));
    }
    if (p.stagedAliases) {
      const body = new ByteSink();
      for (const [a, b] of p.stagedAliases) body.u32(a).u32(b);
      children.push(encodeChunk(ChunkType.TABLE_STAGED_ALIAS, new ByteSink().u32(p.stagedAliases.length).done(), body.done()));
    }
    append(children, p.extraChunks);
    const typePool = encodeStringPool(
      p.types.map((t) => t.name),
      { utf16: true },
    );
    const keyPool = encodeStringPool(keys, { utf16: table.utf16 });
    const headerSize = 288;
    const header = new ByteSink()
      .u32(p.id)
      .bytes(utf16Name(p.name))
      .u32(headerSize)
      .u32(p.types.length)
      .u32(headerSize + typePool.length)
      .u32(keys.length)
      .u32(p.typeIdOffset ?? 0)
      .done();
    const body = new ByteSink().bytes(typePool).bytes(keyPool);
    for (const c of children) body.bytes(c);
    return encodeChunk(ChunkType.TABLE_PACKAGE, header, body.done());
  });
  const pool = encodeStringPool(strings, { utf16: table.utf16 });
  const body = new ByteSink().bytes(pool);
  for (const p of packages) body.bytes(p);
  for (const c of table.extraChunks ?? []) body.bytes(c);
  return encodeChunk(ChunkType.TABLE, new ByteSink().u32(packages.length).done(), body.done());
}

/** Ids in `sampleAppTable` (package 0x7f; types string=1, drawable=2, mipmap=3, bool=4). */
export const SAMPLE_IDS = {
  appName: 0x7f010000,
  appNameAlias: 0x7f010001,
  okFromFramework: 0x7f010002,
  loopA: 0x7f010003,
  loopB: 0x7f010004,
  icon: 0x7f020000,
  launcher: 0x7f030000,
  isTablet: 0x7f040000,
  debugBuild: 0x7f040001,
} as const;

/** The framework's `@android:string/ok`. */
export const FRAMEWORK_OK = 0x0104000a;

/**
 * A realistic app table: `com.example.app` with an app name in default, zh-CN, zh-TW, b+zh+Hant, en,
 * en-GB and fr; a drawable alias to a mipmap with five density buckets plus an anydpi-v26 adaptive
 * icon; bools that differ on sw600dp; a framework reference and a reference loop.
 */
export function sampleAppTable(options: { utf16?: boolean; encoding?: WriterType['encoding']; compact?: boolean } = {}): Uint8Array {
  const enc = { encoding: options.encoding, compact: options.compact };
  const densities: Array<[string, number]> = [
    ['mdpi', 160],
    ['hdpi', 240],
    ['xhdpi', 320],
    ['xxhdpi', 480],
    ['xxxhdpi', 640],
  ];
  return writeResourceTable({
    utf16: options.utf16,
    packages: [
      {
        id: 0x7f,
        name: 'com.example.app',
        types: [
          {
            name: 'string',
            ...enc,
            entries: [
              {
                name: 'app_name',
                values: [
                  { value: { string: 'Example' } },
                  { config: { language: 'zh', region: 'CN' }, value: { string: '示例应用' } },
                  { config: { language: 'zh', region: 'TW' }, value: { string: '範例應用（台灣）' } },
                  { config: { language: 'zh', script: 'Hant' }, value: { string: '範例應用' } },
                  { config: { language: 'en' }, value: { string: 'Example (en)' } },
                  { config: { language: 'en', region: 'GB' }, value: { string: 'Example (en-GB)' } },
                  { config: { language: 'fr' }, value: { string: 'Exemple' } },
                ],
              },
              { name: 'app_name_alias', values: [{ value: { ref: SAMPLE_IDS.appName } }] },
              { name: 'ok_label', values: [{ value: { ref: FRAMEWORK_OK } }] },
              { name: 'loop_a', values: [{ value: { ref: SAMPLE_IDS.loopB } }] },
              { name: 'loop_b', values: [{ value: { ref: SAMPLE_IDS.loopA } }] },
            ],
          },
          {
            name: 'drawable',
            ...enc,
            entries: [{ name: 'icon', values: [{ value: { ref: SAMPLE_IDS.launcher } }] }],
          },
          {
            name: 'mipmap',
            ...enc,
            entries: [
              {
                name: 'ic_launcher',
                values: [
                  ...densities.map(([name, density]) => ({
                    config: { density, sdkVersion: 4 },
                    value: { string: `res/mipmap-${name}-v4/ic_launcher.png` },
                  })),
                  { config: { density: 0xfffe, sdkVersion: 26 }, value: { string: 'res/mipmap-anydpi-v26/ic_launcher.xml' } },
                ],
              },
            ],
          },
          {
            name: 'bool',
            ...enc,
            entries: [
              {
                name: 'is_tablet',
                values: [{ value: { bool: false } }, { config: { smallestScreenWidthDp: 600, sdkVersion: 13 }, value: { bool: true } }],
              },
              { name: 'debug_build', values: [{ value: { bool: true } }] },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * Offsets and types of the chunks of a table, at table and package level, found by following the
 * declared sizes: guard tests patch a chosen chunk, the fuzz test aims its mutations at their headers.
 */
export function listChunks(bytes: Uint8Array): { offset: number; type: number }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { offset: number; type: number }[] = [];
  const walk = (start: number, end: number) => {
    for (let at = start; at + 8 <= end;) {
      const type = v.getUint16(at, true);
      const size = v.getUint32(at + 4, true);
      out.push({ offset: at, type });
      if (type === ChunkType.TABLE_PACKAGE) walk(at + v.getUint16(at + 2, true), Math.min(end, at + size));
      if (size < 8) break;
      at += size;
    }
  };
  walk(12, bytes.byteLength);
  return out;
}
