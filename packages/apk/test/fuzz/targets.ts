/**
 * What the fuzz test mutates and which parser each mutant goes through. Seeds are real files (the npm
 * APKs, SDK jars and native libraries, the shared corpora when present) plus the test writers' output,
 * kept small so thousands of copies fit the time budget. Hot ranges aim most mutations at headers,
 * index tables and other places where a lie reaches the most code.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  ApkFormatError,
  ClassStrings,
  EM,
  ZipArchive,
  analyzeArchive,
  analyzePackage,
  analyzePng,
  buildCodeIndex,
  findCodeUses,
  findSigningBlock,
  parseAxml,
  parseClassFile,
  parseDex,
  parseElf,
  parseManifest,
  parseResourceTable,
  scanJar,
  verifyApkSignatures,
  type AxmlNode,
  type ClassFile,
  type ParseClassOptions,
} from '../../src/index.js';
import { buildElf } from '../elf/elf-builder.js';
import { adler32, encodePng, listPngChunks, rgba } from '../image/png-builder.js';
import {
  generateTestKey,
  loadCorpusKey,
  signApk,
  type TestKey,
  SAMPLE_IDS,
  listChunks,
  sampleAppTable,
  android,
  el,
  encodeAxml,
  manifest,
  buildDex,
  fixChecksum,
  sampleDexSpec,
  corporaDir,
  realApks,
  buildZip,
  type ZipWriterEntry,
} from '@apprights/testkit';
import { buildAar, tinyClass } from '../support/jar-fixtures.js';
import { SDK_FILES, sdkFile } from '../support/sdk-fixtures.js';
import { moreTargets, mutateEntry, runArchive } from './more-targets.js';
import { INTERESTING_U32, NO_TRUNCATION, lieU32, type GenericMutationKind, type HotRange, type Mutation, type Rng } from './mutate.js';

export interface FuzzResult {
  target: string;
  iterations: number;
  accepted: number;
  rejected: number;
  seeds: number;
  ms: number;
  unexpected: { iteration: number; seedFile: string; mutations: string; error: string }[];
  /** All unexpected exceptions, of which the first few are kept in `unexpected`. */
  unexpectedCount: number;
  /** The commonest ApkFormatError messages, to see whether mutations get past the first checks. */
  topRejections: string[];
  /** Inputs that took over 10 s, and the slowest (ms). */
  slow: number;
  maxMs: number;
  /** Inputs after which the process was over 1 GiB resident, and the most seen (bytes). */
  big: number;
  maxRss: number;
}

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Where most mutations land; the target's default when absent. */
  hot?: HotRange[];
  /** arsc: the app label's resource id, resolved on every mutant. */
  label?: number;
}

export interface FuzzTarget {
  /** Inputs per run (FUZZ_ITERATIONS overrides), sized so the whole test stays within about 3 minutes. */
  iterations: number;
  /** Real inputs to mutate. */
  seeds(): Seed[];
  /** Parses one mutated input; may throw ApkFormatError, nothing else. */
  run(bytes: Uint8Array, seed: Seed, iteration: number): void;
  /** Mutation kinds to draw from (default: all). */
  kinds?: readonly GenericMutationKind[];
  /** Format-specific touch-ups after the generic mutations, e.g. to get a lie past a checksum. */
  fixup?(bytes: Uint8Array, seed: Seed, rng: Rng, mutations: Mutation[]): Uint8Array;
  /** Structure-aware mutation instead of the generic byte mutations (inside entries, HTML tags, trace lines). */
  generate?(seed: Seed, rng: Rng, mutations: Mutation[]): Uint8Array;
  /** The errors that reject an input properly (default: ApkFormatError); any other is a bug. */
  expected?(error: unknown): boolean;
}

// --- seeds ---------------------------------------------------------------------------------------

function readEntry(zip: ZipArchive, name: string): Uint8Array {
  return Uint8Array.from(zip.read(name));
}

function withApk<T>(apk: string, use: (zip: ZipArchive) => T): T {
  const zip = ZipArchive.open(apk);
  try {
    return use(zip);
  } finally {
    zip.close();
  }
}

function corpusFiles(folder: string, suffix: string, maxSize = Infinity): { name: string; path: string }[] {
  if (!corporaDir) return [];
  const dir = join(corporaDir, folder);
  return readdirSync(dir)
    .filter((n) => n.endsWith(suffix))
    .sort()
    .map((name) => ({ name, path: join(dir, name) }))
    .filter((f) => statSync(f.path).size <= maxSize);
}

/** ZIP structure: the central directory to the end, and each local header with the start of its data. */
function zipHot(bytes: Uint8Array): HotRange[] {
  let zip: ZipArchive;
  try {
    zip = ZipArchive.fromBytes(bytes);
  } catch {
    // Some AOSP vectors are broken archives on purpose: mutate them anywhere.
    return [];
  }
  const cd = zip.layout.centralDirectoryOffset;
  const ranges: HotRange[] = [[cd, bytes.length]];
  for (const entry of zip.entries.slice(0, 64)) ranges.push([entry.localHeaderOffset, entry.localHeaderOffset + 30 + 64]);
  const block = findSigningBlock(zip).block;
  if (block) ranges.push([block.offset, block.offset + block.size]);
  for (const entry of zip.entries.filter((e) => e.name.startsWith('META-INF/')).slice(0, 8)) {
    ranges.push([entry.localHeaderOffset, entry.localHeaderOffset + 30 + entry.name.length + entry.compressedSize]);
  }
  return ranges;
}

function manifestSeeds(): Seed[] {
  const seeds: Seed[] = Object.values(realApks).map((apk) => ({
    name: `${basename(apk)}!AndroidManifest.xml`,
    bytes: withApk(apk, (zip) => readEntry(zip, 'AndroidManifest.xml')),
  }));
  seeds.push(
    {
      name: 'encodeAxml UTF-16 manifest',
      bytes: encodeAxml(
        manifest(
          'a.b',
          [android('versionCode', 1)],
          [
            el('uses-permission', [android('name', 'p')]),
            el(
              'application',
              [android('debuggable', true)],
              [el('activity', [android('name', '.A')], [el('intent-filter', [], [el('action', [android('name', 'x')])])])],
            ),
          ],
        ),
      ),
    },
    {
      name: 'encodeAxml UTF-8 manifest',
      bytes: encodeAxml(manifest('a.b', [], [el('uses-sdk', [android('minSdkVersion', 21)])]), { utf8: true }),
    },
  );
  for (const file of corpusFiles('axml', '.xml')) seeds.push({ name: file.name, bytes: readFileSync(file.path) });
  return seeds;
}

/** Small whole archives: the androidTest APK and, when present, the AOSP signing vectors. */
function smallApks(): Seed[] {
  const seeds: Seed[] = [{ name: 'uiautomator2Test.apk', bytes: readFileSync(realApks.uiautomator2Test) }];
  for (const file of corpusFiles('apksig', '.apk').slice(0, 40)) seeds.push({ name: file.name, bytes: readFileSync(file.path) });
  return seeds.map((s) => ({ ...s, hot: zipHot(s.bytes) }));
}

function arscSeeds(): Seed[] {
  const seeds: Seed[] = [
    { name: 'sampleAppTable', bytes: sampleAppTable(), label: SAMPLE_IDS.appName },
    {
      name: 'sampleAppTable sparse+compact+utf16',
      bytes: sampleAppTable({ encoding: 'sparse', compact: true, utf16: true }),
      label: SAMPLE_IDS.appName,
    },
    { name: 'sampleAppTable offset16', bytes: sampleAppTable({ encoding: 'offset16' }), label: SAMPLE_IDS.appName },
  ];
  // The real tables of 1 KB to 800 KB; the framework's 32 MB table would be too slow to copy thousands of times.
  for (const apk of [realApks.settings, realApks.apiDemos, realApks.uiautomator2]) {
    seeds.push(
      withApk(apk, (zip) => {
        const label = parseManifest(zip.read('AndroidManifest.xml')).application?.label;
        return {
          name: `${basename(apk)}!resources.arsc`,
          bytes: readEntry(zip, 'resources.arsc'),
          ...(label?.kind === 'reference' ? { label: label.id } : {}),
        };
      }),
    );
  }
  // Chunk headers carry the sizes, counts and offsets that the parser must check.
  return seeds.map((s) => ({ ...s, hot: [[0, 512], ...listChunks(s.bytes).map((c): HotRange => [c.offset, c.offset + 96])] }));
}

function dexSeeds(): Seed[] {
  const seeds: Seed[] = [{ name: 'sampleDexSpec.dex', bytes: buildDex(sampleDexSpec()).bytes }];
  const pick: [string, string[]][] = [
    [realApks.uiautomator2Test, ['classes.dex', 'classes2.dex', 'classes3.dex', 'classes4.dex']],
    [realApks.uiautomator2, ['classes2.dex', 'classes3.dex', 'classes7.dex', 'classes14.dex', 'classes15.dex']],
    [realApks.settings, ['classes7.dex', 'classes8.dex']],
  ];
  for (const [apk, names] of pick) {
    withApk(apk, (zip) => names.forEach((name) => seeds.push({ name: `${basename(apk)}!${name}`, bytes: readEntry(zip, name) })));
  }
  return seeds.map((s) => {
    // The id tables (header to data_off) and the start of the data (class data, code items); the fixup lies in the header.
    const dataOff = new DataView(s.bytes.buffer, s.bytes.byteOffset).getUint32(0x6c, true);
    return {
      ...s,
      hot: [
        [0x70, Math.min(dataOff, 64 * 1024)],
        [dataOff, dataOff + 64 * 1024],
      ],
    };
  });
}

function classSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const file of [SDK_FILES.jpushJar, SDK_FILES.wechatJar, SDK_FILES.baiduJar]) {
    const jar = sdkFile(file);
    if (jar.skip) continue;
    withApk(jar.path, (zip) => {
      const classes = zip.entries.filter((e) => e.name.endsWith('.class') && e.uncompressedSize >= 300 && e.uncompressedSize <= 12_000);
      // An even spread over the jar rather than one package.
      const step = Math.max(1, Math.floor(classes.length / 15));
      for (let i = 0; i < classes.length; i += step) {
        seeds.push({ name: `${basename(jar.path)}!${classes[i]!.name}`, bytes: readEntry(zip, classes[i]!.name) });
      }
    });
  }
  seeds.push({ name: 'tinyClass', bytes: tinyClass('a/Tiny') });
  return seeds;
}

function jarSeeds(): Seed[] {
  const jpush = sdkFile(SDK_FILES.jpushJar);
  const real: ZipWriterEntry[] = jpush.skip
    ? []
    : withApk(jpush.path, (zip) =>
        zip.entries
          .filter((e) => e.name.endsWith('.class') && e.uncompressedSize <= 4000)
          .slice(0, 6)
          .map((e, i) => ({ name: e.name, data: readEntry(zip, e.name), method: i % 2 === 0 ? 0 : 8 })),
      );
  const jar = buildZip([{ name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' }, ...real]);
  const aar = buildZip([
    { name: 'AndroidManifest.xml', data: '<manifest package="com.example.fuzz"/>' },
    { name: 'classes.jar', data: jar, method: 0 },
    { name: 'libs/inner.jar', data: buildZip([{ name: 'x/Y.class', data: tinyClass('x/Y') }]), method: 0 },
  ]);
  return [
    { name: 'buildAar', bytes: buildAar() },
    { name: 'jpush classes jar', bytes: jar },
    { name: 'aar with jpush classes', bytes: aar },
  ].map((s) => ({ ...s, hot: zipHot(s.bytes) }));
}

/** ELF header and program headers at the start, section headers wherever e_shoff puts them. */
function elfHot(bytes: Uint8Array): HotRange[] {
  const ranges: HotRange[] = [[0, 1024]];
  if (bytes.length < 64 || bytes[5] !== 1) return ranges;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = bytes[4] === 2;
  const shoff = is64 ? Number(v.getBigUint64(0x28, true)) : v.getUint32(0x20, true);
  const shnum = v.getUint16(is64 ? 0x3c : 0x30, true);
  const shentsize = v.getUint16(is64 ? 0x3a : 0x2e, true);
  if (shoff < bytes.length) ranges.push([shoff, shoff + shnum * shentsize]);
  return ranges;
}

function elfSeeds(): Seed[] {
  const seeds: Seed[] = [
    {
      name: 'buildElf 64 LE',
      bytes: buildElf({
        elfClass: 64,
        little: true,
        machine: EM.AARCH64,
        soname: 'liba.so',
        needed: ['libc.so'],
        exports: ['f'],
        imports: ['g'],
      }),
    },
    {
      name: 'buildElf 32 BE',
      bytes: buildElf({ elfClass: 32, little: false, machine: EM.MIPS, soname: 'libb.so', needed: ['libm.so'], exports: ['h'] }),
    },
    {
      name: 'buildElf sections only',
      bytes: buildElf({ elfClass: 32, little: true, machine: EM.ARM, soname: 'libc2.so', needed: ['liblog.so'], programHeaders: false }),
    },
    {
      name: 'buildElf program headers only',
      bytes: buildElf({ elfClass: 64, little: true, machine: EM.X86_64, soname: 'libd.so', needed: ['libz.so'], sections: false }),
    },
  ];
  const baidu = sdkFile(SDK_FILES.baiduLibs);
  if (!baidu.skip) {
    const abis = readdirSync(baidu.path, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const abi of abis.map((d) => d.name).sort()) {
      for (const file of readdirSync(join(baidu.path, abi)).filter((f) => f.endsWith('.so'))) {
        seeds.push({ name: `${abi}/${file}`, bytes: readFileSync(join(baidu.path, abi, file)) });
      }
    }
  }
  return seeds.map((s) => ({ ...s, hot: elfHot(s.bytes) }));
}

/**
 * Signing keys: the AOSP test keys when the corpora are present, so the seeds (RSA PKCS#1 v1.5 is
 * deterministic) and thus a reported iteration replay exactly; generated keys otherwise.
 */
function signingKeys(): [TestKey, TestKey] {
  return [loadCorpusKey('rsa-2048') ?? generateTestKey('rsa'), loadCorpusKey('rsa-3072') ?? generateTestKey('rsa')];
}

/** A small signed APK that reaches every parser: manifest, resources, two DEX files, a native library, a nested jar. */
function builtApk(keys: [TestKey, TestKey]): Uint8Array {
  const unsigned = buildZip([
    {
      name: 'AndroidManifest.xml',
      data: encodeAxml(
        manifest(
          'com.example.fuzz',
          [android('versionCode', 3)],
          [
            el('uses-sdk', [android('minSdkVersion', 21), android('targetSdkVersion', 33)]),
            el('uses-permission', [android('name', 'android.permission.READ_PHONE_STATE')]),
            el('application', [android('label', { ref: SAMPLE_IDS.appName })], [el('activity', [android('name', '.Main')])]),
          ],
        ),
      ),
    },
    { name: 'resources.arsc', data: sampleAppTable(), method: 0 },
    { name: 'classes.dex', data: buildDex(sampleDexSpec()).bytes },
    { name: 'classes2.dex', data: buildDex({ classes: [{ type: 'Lcom/example/Two;' }] }).bytes, method: 0 },
    {
      name: 'lib/arm64-v8a/libfuzz.so',
      data: buildElf({ elfClass: 64, little: true, machine: EM.AARCH64, soname: 'libfuzz.so' }),
      method: 0,
    },
    { name: 'assets/sdk.aar', data: buildAar(), method: 0 },
  ]);
  return signApk(unsigned, { v1: true, v2: true, v3: { lineage: keys }, keys: [keys[0]] });
}

function signingSeeds(): Seed[] {
  const seeds: Seed[] = corpusFiles('apksig', '.apk', 32 * 1024).map((f) => ({ name: f.name, bytes: readFileSync(f.path) }));
  const keys = signingKeys();
  seeds.push({ name: 'apk-signer v1+v2+v3 lineage', bytes: builtApk(keys) });
  return seeds.map((s) => ({ ...s, hot: zipHot(s.bytes) }));
}

/**
 * The ZIP structure has its own target; here mutations aim at what the parsers behind it read: the
 * start of each entry's data (headers of the manifest, table, DEX, ELF) and the signing block.
 */
function apkHot(bytes: Uint8Array): HotRange[] {
  const zip = ZipArchive.fromBytes(bytes);
  const ranges: HotRange[] = zip.entries.map((e) => {
    const data = e.localHeaderOffset + 30 + Buffer.byteLength(e.name) + 64;
    return [data, data + Math.min(e.compressedSize, 4096)];
  });
  const block = findSigningBlock(zip).block;
  if (block) ranges.push([block.offset, block.offset + block.size]);
  return ranges;
}

function apkSeeds(): Seed[] {
  return [
    { name: 'uiautomator2Test.apk', bytes: readFileSync(realApks.uiautomator2Test) },
    { name: 'apk-signer built APK', bytes: builtApk(signingKeys()) },
  ].map((s) => ({ ...s, hot: apkHot(s.bytes) }));
}

/**
 * Chunk headers with the start of their data. A stored seed's rows are listed three times more: a lie
 * in a chunk header mostly ends at the first check, a changed row byte reaches the unfilter and alpha code.
 */
function pngHot(bytes: Uint8Array, stored: boolean): HotRange[] {
  return listPngChunks(bytes).flatMap(([at, length, type]): HotRange[] =>
    stored && type === 'IDAT' ? Array(3).fill([at + 8, at + 8 + length]) : [[at, at + 8 + Math.min(length, 32)]],
  );
}

/**
 * The real launcher icons and written PNGs of every colour type. Written ones store their rows
 * (deflate level 0), so mutations reach filter bytes and samples once the fixup mends the Adler-32.
 */
function pngSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const apk of [realApks.apiDemos, realApks.settings]) {
    const analysis = analyzePackage(apk);
    try {
      if (analysis.icon) seeds.push({ name: `${basename(apk)}!${analysis.icon}`, bytes: readEntry(analysis.archive, analysis.icon) });
    } finally {
      analysis.close();
    }
  }
  const real = seeds.length;
  const dot = rgba(16, 16, (x, y) => (x === 9 && y === 4 ? [0, 0, 0, 255] : [x * 16, y * 16, 0, (x * y) & 0x0f]));
  seeds.push(
    {
      name: 'RGBA 16x16 mixed filters, stored',
      bytes: encodePng({ width: 16, height: 16, colorType: 6, pixels: dot, filter: (y) => y % 5, level: 0 }),
    },
    {
      name: 'RGBA 16x16 Adam7, stored',
      bytes: encodePng({ width: 16, height: 16, colorType: 6, pixels: dot, filter: (y) => (y + 2) % 5, interlace: true, level: 0 }),
    },
    {
      name: 'palette 2-bit with tRNS, stored',
      bytes: encodePng({
        width: 21,
        height: 9,
        colorType: 3,
        bitDepth: 2,
        pixels: Uint8Array.from({ length: 6 * 9 }, (_, i) => (i * 0x1b) & 0xff),
        palette: [
          [0, 0, 0],
          [255, 255, 255],
          [9, 9, 9],
        ],
        trns: [0, 128],
        filter: (y) => y % 5,
        level: 0,
      }),
    },
    {
      name: 'gray+alpha 16-bit Adam7, stored',
      bytes: encodePng({
        width: 9,
        height: 7,
        colorType: 4,
        bitDepth: 16,
        pixels: Uint8Array.from({ length: 9 * 7 * 4 }, (_, i) => (i * 71) & 0xff),
        interlace: true,
        filter: 4,
        level: 0,
      }),
    },
    {
      name: 'RGB 16-bit with a tRNS key, stored',
      bytes: encodePng({
        width: 6,
        height: 6,
        colorType: 2,
        bitDepth: 16,
        pixels: Uint8Array.from({ length: 6 * 6 * 6 }, (_, i) => (i % 12 < 6 ? i % 6 : i)),
        trns: [0, 1, 2, 3, 4, 5],
        filter: 3,
        level: 0,
      }),
    },
    {
      name: 'gray 1-bit, compressed in 3 IDAT chunks',
      bytes: encodePng({
        width: 30,
        height: 10,
        colorType: 0,
        bitDepth: 1,
        pixels: Uint8Array.from({ length: 40 }, (_, i) => i * 37),
        idatChunks: 3,
      }),
    },
  );
  return seeds.map((s, i) => ({ ...s, hot: pngHot(s.bytes, i >= real && s.name.endsWith('stored')) }));
}

// --- runs ----------------------------------------------------------------------------------------

function walkAxml(node: AxmlNode, visit: (n: AxmlNode) => void): void {
  visit(node);
  if (node.kind === 'element') for (const child of node.children) walkAxml(child, visit);
}

/** An archive whose entries are read without CRC checks, so flipped bytes reach the parsers behind it. */
function withoutCrc(archive: ZipArchive): ZipArchive {
  const read = archive.read.bind(archive);
  archive.read = (entry, options) => read(entry, { ...options, skipCrc: true });
  return archive;
}

/** One table for every class-file input of a worker: it grows and collides as a large JAR's would. */
const fuzzStrings = new ClassStrings();

const ARCHIVE_LEVEL = new Set(['not-zip', 'zip-corrupt', 'zip-limit', 'zip-unsupported', 'zip-encrypted', 'not-apk']);

export const fuzzTargets: Record<string, FuzzTarget> = {
  zip: {
    iterations: 1500,
    seeds: smallApks,
    run(bytes) {
      const zip = ZipArchive.fromBytes(bytes, { maxTotalInflated: 64 << 20 });
      for (const entry of zip.entries.slice(0, 50)) {
        try {
          zip.read(entry, { maxSize: 8 << 20 });
        } catch (error) {
          // A broken entry is normal; the archive as a whole must still be listable.
          if (!(error instanceof ApkFormatError)) throw error;
        }
      }
    },
  },
  axml: {
    iterations: 1500,
    seeds: manifestSeeds,
    run(bytes) {
      const document = parseAxml(bytes);
      for (const top of document.topLevel) {
        walkAxml(top, (node) => {
          if (node.kind === 'element') for (const attribute of node.attributes) String(attribute.value);
        });
      }
    },
  },
  manifest: {
    iterations: 1500,
    seeds: manifestSeeds,
    run(bytes) {
      parseManifest(bytes);
    },
  },
  arsc: {
    iterations: 1000,
    seeds: arscSeeds,
    fixup(bytes, seed, rng, mutations) {
      // A truncated table whose TABLE chunk agrees gets past the first size check into the packages.
      if (bytes.length >= 8 && bytes.length < seed.bytes.length && rng.below(4) !== 0)
        lieU32(bytes, 4, bytes.length, mutations, 'table-size-fix');
      return bytes;
    },
    run(bytes, seed) {
      const table = parseResourceTable(bytes);
      if (seed.label !== undefined) {
        table.resolve(seed.label);
        table.localizedStrings(seed.label);
      }
      // What a caller touches, bounded so a large table does not dominate the run.
      let n = 0;
      for (const e of table.entries()) {
        if (e.value) table.formatValue(e.value);
        for (const item of e.bag?.items ?? []) table.formatValue(item.value);
        if (++n > 300) break;
      }
      n = 0;
      for (const id of table.resourceIds()) {
        if (++n > 100) break;
        table.nameOf(id);
        table.localizedStrings(id);
        table.files(id);
        table.resolveBoolean(id, { density: 480 });
        table.specFlags(id);
      }
      table.idOf('string/app_name');
    },
  },
  dex: {
    iterations: 1500,
    seeds: dexSeeds,
    fixup(bytes, seed, rng, mutations) {
      if (bytes.length < 0x70) return bytes;
      // A truncated file whose header agrees gets past the size check into the tables.
      if (bytes.length < seed.bytes.length && rng.below(4) !== 0) lieU32(bytes, 0x20, bytes.length, mutations, 'file_size-fix');
      // Header fields (sizes and offsets of every table) are where lies hurt most.
      if (rng.below(3) === 0) {
        const at = 0x20 + 4 * rng.below(20);
        lieU32(bytes, at, rng.below(2) === 0 ? rng.pick(INTERESTING_U32) : rng.below(bytes.length * 2), mutations, 'header-lie');
      }
      if (rng.below(2) === 0) {
        fixChecksum(bytes);
        mutations.push({ kind: 'checksum-fix', offset: 8 });
      }
      return bytes;
    },
    run(bytes, seed, iteration) {
      const dex = parseDex(bytes, { name: seed.name, verifySignature: iteration % 7 === 0 });
      for (let i = 0; i < dex.counts.strings; i++) dex.string(i);
      for (let i = 0; i < dex.counts.protos; i++) dex.protoString(i);
      for (let i = 0; i < dex.counts.methods; i++) dex.methodString(i);
      for (let i = 0; i < dex.counts.fields; i++) dex.fieldString(i);
      for (const c of dex.classes()) dex.classData(c.index);
      for (const m of dex.methods()) if (m.codeOffset) dex.tries(dex.code(m.codeOffset));
      dex.scanCode();
      const index = buildCodeIndex([dex], { fieldWrites: true });
      index.callersOf('Landroid/telephony/TelephonyManager;->getDeviceId');
      index.stringLoads((s) => s.length > 3);
      for (const site of index.fieldAccessesOf('Ljava/lang/Object;')) index.describe(site, 'field');
    },
  },
  classfile: {
    iterations: 1500,
    seeds: classSeeds,
    run(bytes, seed) {
      // Differential: through the table every iteration shares (as scanJar's classes do), the same
      // class or the same error as without it.
      const parse = (options: ParseClassOptions): ClassFile | Error => {
        try {
          return parseClassFile(bytes, seed.name, options);
        } catch (error) {
          return error as Error;
        }
      };
      const alone = parse({ code: true });
      const shared = parse({ code: true, strings: fuzzStrings });
      if (alone instanceof Error || shared instanceof Error) {
        if (!(alone instanceof Error && shared instanceof Error) || alone.message !== shared.message) {
          throw new Error(`with and without ClassStrings differ: ${String(alone)} / ${String(shared)}`);
        }
        throw alone;
      }
      if (!isDeepStrictEqual(alone, shared)) throw new Error('with and without ClassStrings differ');
      findCodeUses([shared], 'Landroid/telephony/TelephonyManager;->getDeviceId');
    },
  },
  jar: {
    iterations: 1500,
    kinds: NO_TRUNCATION,
    seeds: jarSeeds,
    run(bytes) {
      scanJar(withoutCrc(ZipArchive.fromBytes(bytes)));
    },
  },
  elf: {
    iterations: 1500,
    seeds: elfSeeds,
    run(bytes, seed) {
      const elf = parseElf(bytes, seed.name);
      // The parser caps its issue list; an unbounded one would mean a loop that never gives up.
      if (elf.issues.length > 51) throw new Error(`${elf.issues.length} issues`);
    },
  },
  signing: {
    iterations: 1000,
    kinds: NO_TRUNCATION,
    seeds: signingSeeds,
    run(bytes, _seed, iteration) {
      verifyApkSignatures(ZipArchive.fromBytes(bytes), { minSdk: [1, 18, 24, 28, 33][iteration % 5]! });
    },
  },
  png: {
    iterations: 4000,
    seeds: pngSeeds,
    fixup(bytes, seed, rng, mutations) {
      // A stored stream with a correct Adler-32 gets mutated rows past inflate into the unfilter and alpha code.
      if (!seed.name.endsWith('stored') || rng.below(4) === 0) return bytes;
      for (const [at, length, type] of listPngChunks(bytes)) {
        const data = bytes.subarray(at + 8, at + 8 + length);
        // One stored block: zlib header, BFINAL/BTYPE byte, LEN, NLEN, the rows, Adler-32.
        if (type !== 'IDAT' || length < 11 || (data[2]! & 0x06) !== 0 || (data[3]! | (data[4]! << 8)) !== length - 11) continue;
        new DataView(data.buffer, data.byteOffset).setUint32(length - 4, adler32(data.subarray(7, length - 4)));
        mutations.push({ kind: 'adler-fix', offset: at + 8 + length - 4 });
      }
      return bytes;
    },
    run(bytes, seed) {
      const result = analyzePng(bytes, {}, seed.name);
      if (!result.decoded) return;
      const box = result.visibleBoundingBox;
      const sane =
        result.transparentRatio >= 0 &&
        result.transparentRatio <= 1 &&
        result.meanAlpha >= 0 &&
        result.meanAlpha <= 255 &&
        (box === null || (box.x >= 0 && box.y >= 0 && box.x + box.width <= result.width && box.y + box.height <= result.height));
      if (!sane) throw new Error(`impossible statistics: ${JSON.stringify(result)}`);
    },
  },
  aar: {
    iterations: 300,
    kinds: NO_TRUNCATION,
    seeds: () => jarSeeds().filter((s) => /aar/i.test(s.name)),
    run(bytes) {
      scanJar(withoutCrc(ZipArchive.fromBytes(bytes)));
    },
  },
  'apk-entries': {
    iterations: 150,
    seeds: apkSeeds,
    generate: mutateEntry,
    run: runArchive,
  },
  ...moreTargets,
  apk: {
    iterations: 800,
    kinds: NO_TRUNCATION,
    seeds: apkSeeds,
    run(bytes) {
      const archive = withoutCrc(ZipArchive.fromBytes(bytes));
      try {
        analyzeArchive(archive, 'fuzz.apk', { strict: false }).close();
      } catch (error) {
        // With strict off, every part's damage must become a problem; only the archive itself may fail.
        if (error instanceof ApkFormatError && !ARCHIVE_LEVEL.has(error.code)) {
          throw new Error(`strict:false analysis let ${error.code} escape: ${error.message}`, { cause: error });
        }
        throw error;
      }
    },
  },
};
