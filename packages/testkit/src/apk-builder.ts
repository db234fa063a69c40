/**
 * Builds whole APKs for tests by composing the other test writers (AXML manifest, resources.arsc,
 * DEX, ZIP, signer), so a test can describe the app it needs in a few lines and then break exactly
 * one part of it. Only the writers' exported functions are used: they evolve on their own.
 */
import { writeResourceTable, type WriterConfig } from './arsc-writer.js';
import { android, el, encodeAxml, manifest, type XAttr, type XElement } from './axml-writer.js';
import { buildDex, sampleDexSpec, type DexSpec } from './dex-writer.js';
import { buildZip, type ZipWriterEntry } from './zip-writer.js';
import { generateTestKey, signApk, type BlockSignerOptions, type TestKey, type V1Options } from './apk-signer.js';
import { append } from './append.js';

export type ComponentType = 'activity' | 'activity-alias' | 'service' | 'receiver' | 'provider';

export interface ComponentSpec {
  type: ComponentType;
  name: string;
  exported?: boolean;
  permission?: string;
  /** Intent filter actions and categories; one filter when any is given. */
  actions?: string[];
  categories?: string[];
  authorities?: string;
  targetActivity?: string;
  /** Any other attribute, written as given. */
  attrs?: XAttr[];
}

export type PermissionSpec = string | { name: string; maxSdkVersion?: number; sdk23?: boolean };

/** A DEX file: a writer spec, or bytes written as they are (corrupt ones, real ones). */
export type DexInput = DexSpec | Uint8Array;

export type Scheme = 'v1' | 'v2' | 'v3';

export interface ApkSpec {
  package?: string;
  versionCode?: number;
  versionName?: string;
  minSdk?: number;
  targetSdk?: number;
  /**
   * The app name: a literal string in the manifest, or per-locale values (`default`, `zh-CN`, `en`,
   * `zh-Hant`, ...) resolved through a generated resources.arsc.
   */
  label?: string | Record<string, string>;
  permissions?: PermissionSpec[];
  components?: ComponentSpec[];
  /** Extra `<application>` attributes (`android('debuggable', true)`, ...). */
  applicationAttrs?: XAttr[];
  /** Manifest bytes to use instead of the generated ones (text XML, garbage, ...). */
  manifestBytes?: Uint8Array | string | null;
  /**
   * DEX files. A list is named classes.dex, classes2.dex, ...; a record gives each name. Default: one
   * classes.dex from the DEX writer's sample. `[]` means no code.
   */
  dex?: DexInput[] | Record<string, DexInput>;
  /** Store DEX files uncompressed, as bundletool does for Android 9+ (so tests can patch their bytes in place). */
  storeDex?: boolean;
  /** More entries, after the generated ones (ZIP writer options apply: methods, lying sizes, names). */
  extraEntries?: ZipWriterEntry[];
  /**
   * Schemes to sign with (default: none); `false` too means unsigned. The signer rewrites the ZIP from
   * what it reads, so deliberately malformed entries (duplicates, lying headers) belong in unsigned APKs.
   */
  sign?: Scheme[] | false;
  /** Signing keys (default: one RSA key generated once per process). */
  keys?: TestKey[];
  /** Options passed to the signer per scheme. */
  v1Options?: V1Options;
  v2Options?: BlockSignerOptions;
  v3Options?: BlockSignerOptions;
}

/** The id of the generated `string/app_name`. */
export const APP_NAME_ID = 0x7f010000;

let defaultKey: TestKey | undefined;

/** One RSA key for the whole process: generating 2048-bit keys costs tens of milliseconds each. */
export function defaultTestKey(): TestKey {
  defaultKey ??= generateTestKey('rsa', 'AppRights apk-builder');
  return defaultKey;
}

/** `zh-CN` → language zh, region CN; `zh-Hant` → script; `default` → no qualifiers. */
function localeConfig(locale: string): WriterConfig | undefined {
  if (locale === 'default') return undefined;
  const [language, second] = locale.split('-');
  if (!second) return { language };
  return second.length === 4 ? { language, script: second } : { language, region: second };
}

/** A resources.arsc holding only `string/app_name` ({@link APP_NAME_ID}) in the given locales. */
export function labelTable(packageName: string, labels: Record<string, string>): Uint8Array {
  return writeResourceTable({
    packages: [
      {
        id: 0x7f,
        name: packageName,
        types: [
          {
            name: 'string',
            entries: [
              {
                name: 'app_name',
                values: Object.entries(labels).map(([locale, text]) => {
                  const config = localeConfig(locale);
                  return config ? { config, value: { string: text } } : { value: { string: text } };
                }),
              },
            ],
          },
        ],
      },
    ],
  });
}

function componentElement(c: ComponentSpec): XElement {
  const attrs: XAttr[] = [android('name', c.name)];
  if (c.exported !== undefined) attrs.push(android('exported', c.exported));
  if (c.permission) attrs.push(android('permission', c.permission));
  if (c.authorities) attrs.push(android('authorities', c.authorities));
  if (c.targetActivity) attrs.push(android('targetActivity', c.targetActivity));
  append(attrs, c.attrs);
  const filters: XElement[] = [];
  if (c.actions?.length || c.categories?.length) {
    filters.push(
      el(
        'intent-filter',
        [],
        [
          ...(c.actions ?? []).map((a) => el('action', [android('name', a)])),
          ...(c.categories ?? []).map((a) => el('category', [android('name', a)])),
        ],
      ),
    );
  }
  return el(c.type, attrs, filters);
}

/** The binary AndroidManifest.xml for a spec (what `buildApk` puts in the APK). */
export function buildManifest(spec: ApkSpec): Uint8Array {
  const pkg = spec.package ?? 'com.example.built';
  const attrs: XAttr[] = [android('versionCode', spec.versionCode ?? 1), android('versionName', spec.versionName ?? '1.0')];
  const sdk: XAttr[] = [];
  if (spec.minSdk !== undefined) sdk.push(android('minSdkVersion', spec.minSdk));
  if (spec.targetSdk !== undefined) sdk.push(android('targetSdkVersion', spec.targetSdk));
  const children: XElement[] = [];
  if (sdk.length) children.push(el('uses-sdk', sdk));
  for (const p of spec.permissions ?? []) {
    const perm = typeof p === 'string' ? { name: p } : p;
    const pAttrs = [android('name', perm.name)];
    if (perm.maxSdkVersion !== undefined) pAttrs.push(android('maxSdkVersion', perm.maxSdkVersion));
    children.push(el(perm.sdk23 ? 'uses-permission-sdk-23' : 'uses-permission', pAttrs));
  }
  const appAttrs: XAttr[] = [];
  if (typeof spec.label === 'string') appAttrs.push(android('label', spec.label));
  else if (spec.label) appAttrs.push(android('label', { ref: APP_NAME_ID }));
  append(appAttrs, spec.applicationAttrs);
  children.push(el('application', appAttrs, (spec.components ?? []).map(componentElement)));
  return encodeAxml(manifest(pkg, attrs, children));
}

function dexEntries(dex: ApkSpec['dex'], method: number): ZipWriterEntry[] {
  const list = dex ?? [sampleDexSpec()];
  const named: [string, DexInput][] = Array.isArray(list)
    ? list.map((d, i) => [i === 0 ? 'classes.dex' : `classes${i + 1}.dex`, d])
    : Object.entries(list);
  return named.map(([name, d]) => ({ name, data: d instanceof Uint8Array ? d : buildDex(d).bytes, method }));
}

/** An APK as bytes: manifest, optional resources.arsc, DEX files, extra entries, then signatures. */
export function buildApk(spec: ApkSpec = {}): Uint8Array {
  const entries: ZipWriterEntry[] = [];
  if (spec.manifestBytes !== null) entries.push({ name: 'AndroidManifest.xml', data: spec.manifestBytes ?? buildManifest(spec) });
  if (spec.label !== undefined && typeof spec.label !== 'string') {
    // aapt stores resources.arsc uncompressed so Android can map it; do the same.
    entries.push({ name: 'resources.arsc', data: labelTable(spec.package ?? 'com.example.built', spec.label), method: 0 });
  }
  append(entries, dexEntries(spec.dex, spec.storeDex ? 0 : 8), spec.extraEntries);
  const zip = buildZip(entries);
  const schemes = spec.sign || [];
  if (schemes.length === 0) return zip;
  return signApk(zip, {
    keys: spec.keys ?? [defaultTestKey()],
    v1: schemes.includes('v1') ? (spec.v1Options ?? true) : false,
    v2: schemes.includes('v2') ? (spec.v2Options ?? true) : false,
    v3: schemes.includes('v3') ? (spec.v3Options ?? true) : false,
  });
}
