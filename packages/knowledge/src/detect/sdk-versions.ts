/**
 * Where an SDK's version can be read, in the order we trust them: what the catalogue says to read
 * (version hints), version constants the SDK compiled into itself (BuildConfig.VERSION_NAME and the
 * like), the AAR manifest's versionName, the META-INF files build tools write (pom.properties,
 * MANIFEST.MF, `*.version`), the name of the JAR/AAR file that holds the SDK's classes (the SDK's
 * own file, or a nested `libs/x-1.2.3.jar`), and native library names. Every version says which.
 */
import { ApkFormatError, DEX_OPCODES, type DexFile, type PackageAnalysis } from '@apprights/apk';
import type { SdkEntry } from '../catalog/sdks.js';

/**
 * Which catalogued SDK a class belongs to: sdks.ts's SdkPackageMatcher, named by what is used of it
 * because sdks.ts imports this file.
 */
interface ClassSdkMatcher {
  matchClass(name: string): SdkEntry | undefined;
}

export type SdkVersionSourceKind =
  'version-hint' | 'constant' | 'reported' | 'aar-manifest' | 'meta-inf' | 'properties' | 'file-name' | 'native-library';

export interface SdkVersionSource {
  kind: SdkVersionSourceKind;
  /**
   * What was read: `com.x.BuildConfig.VERSION_NAME` (a constant or hinted class), `junit.runner.Version.id()`
   * (a method that returns the SDK's version string), a file path
   * (`libs/x-1.2.3.jar`, `classes.jar!/META-INF/MANIFEST.MF`), or a native library name.
   */
  where: string;
}

export interface SdkVersionFound {
  version: string;
  source: SdkVersionSource;
}

/** A version as SDKs write it: `4.8.1`, `v3.8.4`, `5.9.6-release`, `3.5.14.3_r75af33f5`. */
const VERSION_VALUE = /^[vV]?\d{1,6}(?:\.\d{1,9}){1,4}(?:[-_.+][0-9A-Za-z]{1,20}){0,3}$/;
/** Field names that hold the SDK's own version (not a protocol or API level). */
const VERSION_FIELD = /^(?:(?:SDK|LIB|LIBRARY|PLUGIN)_?)?VERSION(?:_?(?:NAME|STR|STRING))?$|^(?:sdk|lib)?[vV]ersion(?:Name)?$/;
/** Simple names of classes that hold version constants. */
const CONSTANT_CLASS = /^(?:BuildConfig|\w*(?:Constants?|Config|Version|VersionInfo|SdkInfo|Consts))$/;
/** Versions in file names: dotted (`-4.8.1`, `_v3.8.4`, `.4.530.1400`) or, failing that, underscored (`_5_9_6`). */
const FILE_DOTTED = /(?:^|[^0-9])v?(\d{1,6}(?:\.\d{1,9}){1,4})(?![0-9])/i;
const FILE_UNDERSCORED = /(?:^|[-_])v?(\d{1,4}(?:_\d{1,6}){2,3})(?![0-9])/i;
const LIBRARY_VERSION = /(?:^|[_-]v?)(\d+(?:[._]\d+){1,3})(?=\.so$|[_-])/;

/** Caps: hostile packages may hold any number of classes named *Config with any number of fields. */
const MAX_CONSTANT_CLASSES = 2000;
const MAX_VERSION_LENGTH = 64;

export function looksLikeVersion(value: string): boolean {
  return value.length <= MAX_VERSION_LENGTH && VERSION_VALUE.test(value);
}

/** `jpush-android-4.8.1.jar` → `4.8.1`; undefined when the name carries no version. */
export function versionFromFileName(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.(?:jar|aar|zip)$/i, '');
  const dotted = FILE_DOTTED.exec(base);
  if (dotted) return dotted[1]!;
  const underscored = FILE_UNDERSCORED.exec(base);
  return underscored ? underscored[1]!.replaceAll('_', '.') : undefined;
}

/** Library file names often carry the version: `libBaiduMapSDK_map_v7_5_4.so`, `libjcore481.so` does not. */
export function versionFromLibrary(name: string): string | undefined {
  const m = LIBRARY_VERSION.exec(name);
  return m ? m[1]!.replaceAll('_', '.') : undefined;
}

function simpleName(javaOrDescriptor: string): string {
  const name = javaOrDescriptor.endsWith(';') ? javaOrDescriptor.slice(0, -1) : javaOrDescriptor;
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('.'), name.lastIndexOf('$')) + 1);
}

function javaClass(descriptor: string): string {
  return descriptor.startsWith('L') && descriptor.endsWith(';') ? descriptor.slice(1, -1).replaceAll('/', '.') : descriptor;
}

/** Ranks constants: BuildConfig.VERSION_NAME first, then other BuildConfig fields, then other classes. */
function constantRank(className: string, field: string): number {
  return (simpleName(className) === 'BuildConfig' ? 0 : 2) + (/NAME$|Name$/.test(field) ? 0 : 1);
}

/** Methods that report a version: `getSdkVersion()`, `version()`, `getVersionName()`. */
const VERSION_METHOD = /^(?:get)?(?:Sdk|SDK|Lib)?(?:[vV]ersion)(?:Name|String|Str)?$/;
/** Rank of a reported version: after every static constant (those are what build tools write). */
const REPORTED_RANK = 10;

/**
 * Whether a no-argument method returning a String reports its class's version: one named like a
 * version getter anywhere, or any such method of a class named `*Version`/`*VersionInfo` (junit's
 * `Version.id()`), whose code loads exactly one string, a version.
 */
function reportedVersion(className: string, method: string, strings: readonly string[]): string | undefined {
  if (strings.length !== 1 || !looksLikeVersion(strings[0]!)) return undefined;
  if (VERSION_METHOD.test(method) || /Version(?:Info)?$/.test(simpleName(className))) return strings[0];
  return undefined;
}

/** Slots of class_def `classDef` in a scan: scanDexCode walks class_defs in order, so they are one run. */
function slotsOfClass(scan: { slotCount: number; classDefIndex: Uint32Array }, classDef: number): [number, number] {
  let lo = 0;
  let hi = scan.slotCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scan.classDefIndex[mid]! < classDef) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < scan.slotCount && scan.classDefIndex[end] === classDef) end++;
  return [lo, end];
}

/** The archive a class was read from: '' (top level), `classes.jar`, `libs/x.jar`. */
function unitOf(path: string): string {
  const at = path.lastIndexOf('!/');
  return at < 0 ? '' : path.slice(0, at);
}

interface UnitCount {
  total: number;
  bySdk: Map<string, number>;
}

/**
 * Versions for the SDKs found in one analysis. Built once per analysis: the passes over classes and
 * files serve every SDK at once, so the cost does not grow with the number of SDKs.
 */
export class SdkVersionFinder {
  private readonly constants = new Map<string, { value: string; where: string; rank: number }>();
  private readonly metaInf = new Map<string, Map<string, string>>();
  private readonly fileNames = new Map<string, SdkVersionFound>();
  private aarManifest: { sdk: string; version: string } | undefined;

  constructor(
    private readonly analysis: PackageAnalysis,
    private readonly matcher: ClassSdkMatcher,
    found: ReadonlySet<string>,
    /**
     * Per DEX file, the class_def indexes worth reading for constants (found by detectSdks on the
     * descriptor bytes); when absent every class is looked at, which costs a string per class.
     */
    private readonly dexCandidates?: readonly (readonly number[])[],
  ) {
    const units = this.countUnits();
    this.readConstants(found);
    this.readFileNames(units, found);
    this.readAarManifest(units, found);
    this.readMetaInf(units, found);
  }

  /** The version of one detected SDK, with its source; undefined when nothing states it. */
  find(sdk: SdkEntry, libraries: readonly string[]): SdkVersionFound | undefined {
    const hinted = this.fromHints(sdk);
    if (hinted) return hinted;
    const constant = this.constants.get(sdk.id);
    if (constant) {
      return { version: constant.value, source: { kind: constant.rank >= REPORTED_RANK ? 'reported' : 'constant', where: constant.where } };
    }
    if (this.aarManifest?.sdk === sdk.id) {
      return { version: this.aarManifest.version, source: { kind: 'aar-manifest', where: 'AndroidManifest.xml' } };
    }
    const meta = [...(this.metaInf.get(sdk.id) ?? [])];
    // The build tools' own records (pom.properties, `*.version`, `<artifact>.properties`) state the
    // artifact's version; a MANIFEST.MF beside them may restate it in another form (OSGi's
    // Bundle-Version 33.4.6.jre for Guava's 33.4.6-jre) and decides only when nothing else does.
    const stated = meta.filter(([where]) => !where.endsWith('MANIFEST.MF'));
    const used = stated.length > 0 ? stated : meta;
    // Several files with different versions (one per AndroidX artifact) do not make one SDK version.
    if (used.length > 0 && new Set(used.map(([, version]) => version)).size === 1) {
      const [where, version] = used.sort(([a], [b]) => a.localeCompare(b))[0]!;
      return { version, source: { kind: where.includes('META-INF/') ? 'meta-inf' : 'properties', where } };
    }
    const file = this.fileNames.get(sdk.id);
    if (file) return file;
    for (const lib of libraries) {
      const v = versionFromLibrary(lib);
      if (v) return { version: v, source: { kind: 'native-library', where: lib } };
    }
    return undefined;
  }

  /** Class counts per archive unit and SDK (JAR/AAR only: an APK's DEX has no file boundaries). */
  private countUnits(): Map<string, UnitCount> {
    const units = new Map<string, UnitCount>();
    for (const c of this.analysis.jar?.classes ?? []) {
      const unit = unitOf(c.path);
      let u = units.get(unit);
      if (!u) units.set(unit, (u = { total: 0, bySdk: new Map() }));
      u.total++;
      const sdk = this.matcher.matchClass(c.name);
      if (sdk) u.bySdk.set(sdk.id, (u.bySdk.get(sdk.id) ?? 0) + 1);
    }
    return units;
  }

  /** The SDK holding at least half of a unit's classes: the one its file is named after. */
  private static dominant(unit: UnitCount | undefined): string | undefined {
    if (!unit) return undefined;
    let best: string | undefined;
    let count = 0;
    for (const [id, n] of unit.bySdk) {
      if (n > count || (n === count && best !== undefined && id < best)) [best, count] = [id, n];
    }
    return best !== undefined && count * 2 >= unit.total ? best : undefined;
  }

  private offerConstant(sdk: string, className: string, field: string, value: string, reported = false): void {
    if (!reported && (!VERSION_FIELD.test(field) || !looksLikeVersion(value))) return;
    const rank = reported ? REPORTED_RANK : constantRank(className, field);
    const where = `${javaClass(className)}.${field}${reported ? '()' : ''}`;
    const current = this.constants.get(sdk);
    if (!current || rank < current.rank || (rank === current.rank && where < current.where)) {
      this.constants.set(sdk, { value: value.replace(/^[vV]/, ''), where, rank });
    }
  }

  /**
   * Static final String version fields of BuildConfig-like classes inside a found SDK's packages.
   * The app's own BuildConfig (under the manifest package) holds the app's version, never an SDK's.
   */
  private readConstants(found: ReadonlySet<string>): void {
    let budget = MAX_CONSTANT_CLASSES;
    const app = this.analysis.manifest?.package;
    const appPrefix = app ? `L${app.replaceAll('.', '/')}/` : undefined;
    this.analysis.dex.forEach((d, dexIndex) => {
      const dex = d.dex;
      const candidates = this.dexCandidates?.[dexIndex];
      const count = candidates ? candidates.length : dex.counts.classDefs;
      for (let k = 0; k < count && budget > 0; k++) {
        const i = candidates ? candidates[k]! : k;
        const type = dex.typeName(dex.classTypeIndex(i));
        if (!CONSTANT_CLASS.test(simpleName(type)) || (appPrefix && type.startsWith(appPrefix))) continue;
        const sdk = this.matcher.matchClass(type);
        if (!sdk || !found.has(sdk.id)) continue;
        budget--;
        let values: readonly { fieldIndex: number; value: unknown }[] = [];
        try {
          values = dex.staticValues(i);
        } catch (error) {
          // A damaged static_values array costs this class's constants, not the detection.
          if (!(error instanceof ApkFormatError)) throw error;
        }
        for (const { fieldIndex, value } of values) {
          if (typeof value !== 'string') continue;
          this.offerConstant(sdk.id, type, dex.string(dex.fieldNameIndex(fieldIndex)), value);
        }
        this.readReportedDex(d, i, sdk.id, type);
        if (/Version(?:Info)?;$/.test(type)) {
          const built = versionBuiltFromInts(dex, i, type);
          if (built) this.offerConstant(sdk.id, type, '<clinit>', built, true);
        }
      }
    });
    for (const c of this.analysis.jar?.classes ?? []) {
      if (budget <= 0) break;
      if (!CONSTANT_CLASS.test(simpleName(c.name))) continue;
      const sdk = this.matcher.matchClass(c.name);
      if (!sdk || !found.has(sdk.id)) continue;
      budget--;
      for (const f of c.fields) if (typeof f.constantValue === 'string') this.offerConstant(sdk.id, c.name, f.name, f.constantValue);
      for (const m of c.methods) {
        if (m.descriptor !== '()Ljava/lang/String;' || !m.code) continue;
        const strings = (m.code.references ?? []).filter((r) => r.kind === 'ldc-string').map((r) => r.target);
        const v = reportedVersion(c.name, m.name, strings);
        if (v) this.offerConstant(sdk.id, c.name, m.name, v, true);
      }
    }
  }

  /** No-argument String methods of a version-holder class that return one version string (`Version.id()`). */
  private readReportedDex(d: PackageAnalysis['dex'][number], classDef: number, sdk: string, type: string): void {
    const dex = d.dex;
    const scan = d.scan ?? dex.scanCode();
    const [from, to] = slotsOfClass(scan, classDef);
    for (let s = from; s < to; s++) {
      const ref = dex.methodRef(scan.methodIndex[s]!);
      if (ref.proto !== '()Ljava/lang/String;') continue;
      const owner = scan.codeOwner[s]!;
      const strings: string[] = [];
      for (let r = scan.refStart[owner]!; r < scan.refEnd[owner]! && strings.length < 2; r++) {
        const op = scan.refOpcode[r]!;
        if (op === 0x1a || op === 0x1b) strings.push(dex.string(scan.refIndex[r]!));
      }
      const v = reportedVersion(type, ref.name, strings);
      if (v) this.offerConstant(sdk, type, ref.name, v, true);
    }
  }

  /**
   * The JAR/AAR's own file name names the SDK that dominates its top-level classes (an AAR's are in
   * classes.jar); each nested `libs/x.jar` names the SDK that dominates it.
   */
  private readFileNames(units: Map<string, UnitCount>, found: ReadonlySet<string>): void {
    const a = this.analysis;
    if (a.kind !== 'jar' && a.kind !== 'aar') return;
    const named: [string, string][] = [];
    for (const unit of units.keys()) {
      if (unit === '' || unit === 'classes.jar') named.push([unit, a.fileName]);
      else named.push([unit, unit]);
    }
    // Nested archives first: an SDK with its own libs/ file keeps that file's version even when
    // it also dominates the outer file.
    named.sort(([x], [y]) => Number(x === '' || x === 'classes.jar') - Number(y === '' || y === 'classes.jar') || x.localeCompare(y));
    for (const [unit, name] of named) {
      const sdk = SdkVersionFinder.dominant(units.get(unit));
      if (!sdk || !found.has(sdk) || this.fileNames.has(sdk)) continue;
      const version = versionFromFileName(name);
      if (version) this.fileNames.set(sdk, { version, source: { kind: 'file-name', where: name } });
    }
  }

  private readAarManifest(units: Map<string, UnitCount>, found: ReadonlySet<string>): void {
    const text = this.analysis.jar?.manifest?.text;
    if (!text) return;
    const tag = /<manifest\b[^>]*>/.exec(text.replace(/<!--[\s\S]*?-->/g, ''))?.[0];
    const version = tag ? /\bandroid:versionName\s*=\s*"([^"]{1,64})"/.exec(tag)?.[1] : undefined;
    if (!version || !looksLikeVersion(version)) return;
    const pkg = this.analysis.jar?.manifest?.package;
    const sdk =
      (pkg ? this.matcher.matchClass(`${pkg}.X`)?.id : undefined) ?? SdkVersionFinder.dominant(units.get('classes.jar') ?? units.get(''));
    if (sdk && found.has(sdk)) this.aarManifest = { sdk, version: version.replace(/^[vV]/, '') };
  }

  private addMeta(sdk: string | undefined, found: ReadonlySet<string>, where: string, version: string | undefined): void {
    if (!sdk || !found.has(sdk) || !version) return;
    const v = version.trim();
    if (!looksLikeVersion(v)) return;
    let m = this.metaInf.get(sdk);
    if (!m) this.metaInf.set(sdk, (m = new Map()));
    m.set(where, v.replace(/^[vV]/, ''));
  }

  /** pom.properties and `<group>_<artifact>.version` by their group (a package name); MANIFEST.MF by the archive it is in. */
  private readMetaInf(units: Map<string, UnitCount>, found: ReadonlySet<string>): void {
    for (const file of this.analysis.versionFiles ?? []) {
      if (!file.path.includes('META-INF/')) {
        this.readClientProperties(file, found);
        continue;
      }
      const at = file.path.lastIndexOf('META-INF/');
      const unit = at > 2 && file.path.slice(at - 2, at) === '!/' ? file.path.slice(0, at - 2) : '';
      const name = file.path.slice(at + 'META-INF/'.length);
      if (name.endsWith('pom.properties')) {
        const props = properties(file.text);
        const group = props.get('groupId');
        const sdk = (group ? this.matcher.matchClass(`${group}.X`)?.id : undefined) ?? SdkVersionFinder.dominant(units.get(unit));
        this.addMeta(sdk, found, file.path, props.get('version'));
      } else if (name.endsWith('.version')) {
        // `<group>_<artifact>.version` (androidx.core_core) or an artifact path (kotlinx_coroutines_core):
        // read as a package either way, the longest catalogue prefix decides.
        const asPackage = name.slice(0, -'.version'.length).replaceAll('_', '.');
        this.addMeta(this.matcher.matchClass(`${asPackage}.X`)?.id, found, file.path, file.text.split('\n')[0]);
      } else if (name === 'MANIFEST.MF') {
        const attrs = properties(file.text, ':');
        const version = attrs.get('Implementation-Version') ?? attrs.get('Bundle-Version') ?? attrs.get('Specification-Version');
        this.addMeta(
          SdkVersionFinder.dominant(units.get(unit === '' && units.has('classes.jar') ? 'classes.jar' : unit)),
          found,
          file.path,
          version,
        );
      }
    }
  }

  /**
   * `<artifact>.properties` at an archive's top (Google Play services, Firebase): `client` names
   * the artifact, which names the catalogue entry whose id is the artifact or ends with it
   * (`play-services-base` → google-play-services-base). Other properties files are not read.
   */
  private readClientProperties(file: { path: string; text: string }, found: ReadonlySet<string>): void {
    const props = properties(file.text);
    const client = props.get('client');
    const version = props.get('version');
    if (!client || !version || !/^[a-z0-9][a-z0-9.-]{0,80}$/.test(client)) return;
    for (const id of found) {
      if (id === client || id.endsWith(`-${client}`)) this.addMeta(id, found, file.path, version);
    }
  }

  /** The catalogue's version hints: strings a named class loads or holds as constants. */
  private fromHints(sdk: SdkEntry): SdkVersionFound | undefined {
    for (const hint of sdk.versionHints ?? []) {
      if (hint.kind !== 'string-pattern') continue;
      let re: RegExp;
      try {
        re = new RegExp(hint.pattern);
      } catch {
        continue;
      }
      const descriptor = `L${hint.class.replaceAll('.', '/')};`;
      for (const value of classStrings(this.analysis, descriptor)) {
        const m = re.exec(value);
        if (m) return { version: m[1] ?? m[0], source: { kind: 'version-hint', where: hint.class } };
      }
    }
    return undefined;
  }
}

/** Code units looked at per method when reading a static initialiser (they are short). */
const MAX_INIT_UNITS = 256;

/**
 * The version a version class builds for itself from integer constants in its static initialiser
 * (`CURRENT = new KotlinVersion(2, 2, 10)`, ICU's `VersionInfo.getInstance(72, 1, 0, 0)`),
 * directly or in a static method of its file that it calls for it (`KotlinVersionCurrentValue.get()`).
 * A small walk over the instructions: constants loaded into registers, then the calls of an
 * all-int constructor or factory of the class with every argument known. Exactly one such call
 * in a method read to its end, or nothing: ICU's VersionInfo also builds UNICODE_1_0 and the like.
 */
function versionBuiltFromInts(dex: DexFile, classDef: number, type: string): string | undefined {
  const data = dex.classData(classDef);
  const clinit = data?.directMethods.find((m) => m.codeOffset !== 0 && dex.string(dex.methodNameIndex(m.methodIndex)) === '<clinit>');
  if (!clinit) return undefined;
  const first = walkForIntBuild(dex, clinit.codeOffset, type);
  if (typeof first === 'string') return first;
  // The initialiser asked a static method for the instance: look there once.
  for (const method of first) {
    const def = findClassDefOf(dex, dex.methodClassIndex(method));
    if (def < 0) continue;
    const code = [...(dex.classData(def)?.directMethods ?? [])].find((m) => m.methodIndex === method)?.codeOffset ?? 0;
    if (code === 0) continue;
    const found = walkForIntBuild(dex, code, type);
    if (typeof found === 'string') return found;
  }
  return undefined;
}

function findClassDefOf(dex: DexFile, type: number): number {
  for (let i = 0; i < dex.counts.classDefs; i++) if (dex.classTypeIndex(i) === type) return i;
  return -1;
}

/** A version string, or the static methods returning `type` that the code calls (to follow). */
function walkForIntBuild(dex: DexFile, codeOffset: number, type: string): string | number[] {
  const units = dex.units;
  const size = dex.view.getUint32(codeOffset + 12, true);
  const start = (codeOffset + 16) >>> 1;
  // Longer initialisers build many things; a decision needs the whole method.
  if (size > MAX_INIT_UNITS || start + size > units.length) return [];
  const end = start + size;
  const consts = new Map<number, number>();
  const follow: number[] = [];
  const built: string[] = [];
  for (let pc = start; pc < end;) {
    const unit = units[pc]!;
    const op = unit & 0xff;
    const info = DEX_OPCODES[op];
    if (!info || info.width === 0 || info.format === 'unused') break;
    if (op === 0x12)
      consts.set((unit >> 8) & 0xf, ((unit >> 12) << 28) >> 28); // const/4 vA, #+B (signed nibble)
    else if (op === 0x13)
      consts.set(unit >> 8, (units[pc + 1]! << 16) >> 16); // const/16
    else if (op === 0x14)
      consts.set(unit >> 8, units[pc + 1]! | (units[pc + 2]! << 16) | 0); // const
    else if (op === 0x70 || op === 0x71) {
      // invoke-direct / invoke-static {vC, vD, vE, vF, vG}, meth@BBBB
      const count = unit >> 12;
      const method = units[pc + 1]!;
      const regs = [
        units[pc + 2]! & 0xf,
        (units[pc + 2]! >> 4) & 0xf,
        (units[pc + 2]! >> 8) & 0xf,
        units[pc + 2]! >> 12,
        (unit >> 8) & 0xf,
      ];
      if (method < dex.counts.methods) {
        const ref = dex.methodRef(method);
        const ints = /^\((I{2,4})\)/.exec(ref.proto)?.[1]?.length;
        const isInit = op === 0x70 && ref.name === '<init>' && ref.classType === type && ref.proto.endsWith(')V');
        const isFactory = op === 0x71 && ref.classType === type && ref.proto.endsWith(`)${type}`);
        if (ints !== undefined && (isInit || isFactory)) {
          const args = regs.slice(isInit ? 1 : 0, (isInit ? 1 : 0) + ints).map((r) => consts.get(r));
          if (args.length === ints && count === ints + (isInit ? 1 : 0) && args.every((v) => v !== undefined && v >= 0 && v < 100000)) {
            const version = args.join('.');
            if (looksLikeVersion(version)) built.push(version);
          }
        } else if (op === 0x71 && ref.proto === `()${type}`) follow.push(method);
      }
    }
    pc += info.width;
  }
  if (built.length === 1) return built[0]!;
  return built.length === 0 ? follow : [];
}

/** `key=value` (or `key: value`) lines; later keys do not override earlier ones. */
function properties(text: string, separator = '='): Map<string, string> {
  const out = new Map<string, string>();
  let lines = 0;
  for (const line of text.split(/\r?\n/)) {
    if (++lines > 500) break;
    const at = line.indexOf(separator);
    if (at <= 0 || line.startsWith('#')) continue;
    const key = line.slice(0, at).trim();
    if (!out.has(key)) out.set(key, line.slice(at + 1).trim());
  }
  return out;
}

/**
 * String constants of one class: those its methods load (const-string, ldc), then its static String
 * constants, which code never loads (DEX static_values, class files' ConstantValue attributes).
 * Only called for the classes version hints name, so the static values are decoded for those alone.
 */
function* classStrings(analysis: PackageAnalysis, descriptor: string): Generator<string> {
  for (const d of analysis.dex) {
    const dex = d.dex;
    const type = dex.findType(descriptor);
    if (type < 0) continue;
    let def = -1;
    for (let i = 0; i < dex.counts.classDefs; i++) {
      if (dex.classTypeIndex(i) === type) {
        def = i;
        break;
      }
    }
    if (def < 0) continue;
    const scan = d.scan ?? dex.scanCode();
    for (let s = 0; s < scan.slotCount; s++) {
      if (scan.classDefIndex[s] !== def) continue;
      const owner = scan.codeOwner[s]!;
      for (let r = scan.refStart[owner]!; r < scan.refEnd[owner]!; r++) {
        const op = scan.refOpcode[r]!;
        if (op === 0x1a || op === 0x1b) yield dex.string(scan.refIndex[r]!);
      }
    }
    let values: readonly { value: unknown }[] = [];
    try {
      values = dex.staticValues(def);
    } catch (error) {
      // A damaged static_values array only costs the version hint, not the detection.
      if (!(error instanceof ApkFormatError)) throw error;
    }
    for (const { value } of values) if (typeof value === 'string') yield value;
  }
  for (const c of analysis.jar?.classes ?? []) {
    if (c.name !== descriptor) continue;
    for (const m of c.methods) for (const r of m.code?.references ?? []) if (r.kind === 'ldc-string') yield r.target;
    for (const f of c.fields) if (typeof f.constantValue === 'string') yield f.constantValue;
  }
}
