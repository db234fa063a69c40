/**
 * The SDK catalogue: one JSON file per SDK under `data/sdks/` (format in README.md). Read once,
 * lazily, from the package folder; the folder is looked up at run time because this code runs from
 * src/ (tests), dist/ (the library) and the CLI bundle, each at a different depth.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { knowledgeDataDir, prebuiltData } from './data-file.js';

export const SDK_CATEGORIES = [
  'push',
  'analytics',
  'crash',
  'ads',
  'maps-location',
  'payment',
  'social',
  'login',
  'device-id',
  'risk-control',
  'im-rtc',
  'hot-update',
  'cloud-storage',
  'customer-service',
  'media',
  'other',
  'open-source-library',
] as const;
export type SdkCategory = (typeof SDK_CATEGORIES)[number];

/** What an SDK of each category is used for, worded for the SDK list of a privacy policy. */
export const SDK_CATEGORY_PURPOSES: Readonly<Record<SdkCategory, { zh: string; en: string }>> = {
  push: { en: 'Push notifications', zh: '消息推送' },
  analytics: { en: 'Usage statistics and analytics', zh: '统计分析' },
  crash: { en: 'Crash and error reporting', zh: '崩溃与异常监测' },
  ads: { en: 'Advertising', zh: '广告投放' },
  'maps-location': { en: 'Maps and location services', zh: '地图与定位服务' },
  payment: { en: 'Payment', zh: '支付' },
  social: { en: 'Social sharing', zh: '社交分享' },
  login: { en: 'Account sign-in', zh: '账号登录' },
  'device-id': { en: 'Device identification', zh: '设备标识' },
  'risk-control': { en: 'Fraud prevention and account security', zh: '风控与账号安全' },
  'im-rtc': { en: 'Messaging and audio/video calls', zh: '即时通讯与音视频通话' },
  'hot-update': { en: 'App updates and hot fixes', zh: '应用更新与热修复' },
  'cloud-storage': { en: 'Cloud storage', zh: '云存储' },
  'customer-service': { en: 'Customer service', zh: '在线客服' },
  media: { en: 'Media playback and processing', zh: '音视频播放与处理' },
  other: { en: 'Other functions', zh: '其他功能' },
  'open-source-library': { en: 'Open-source library', zh: '开源库' },
};

export function sdkCategoryPurpose(category: string): { zh: string; en: string } {
  return (SDK_CATEGORY_PURPOSES as Record<string, { zh: string; en: string }>)[category] ?? { zh: category, en: category };
}
export type SdkRegion = 'cn' | 'global';

export interface SdkText {
  zh: string;
  en: string;
}

export interface SdkVersionHint {
  /** Java name of the class whose string constants hold the version. */
  class: string;
  /** `string-pattern`: a string loaded by the class (or a static constant of it) matching `pattern`. */
  kind: string;
  pattern: string;
}

/**
 * A change in what an SDK collects, from one version on (the vendor's rules or release notes say
 * "从 V3.8.10 起不再收集 ANDROID_ID"). `personalInformation` is the newest list; older versions are
 * that list with the later changes undone (`personalInformationAt`).
 */
export interface SdkPiChange {
  /** The first version with the change (dotted numbers: `3.8.10`). */
  version: string;
  /** PI categories collected from this version on that the version before did not collect. */
  added?: string[];
  /** PI categories no longer collected from this version on. */
  removed?: string[];
  /**
   * The items that changed, in the vendor's words (`ANDROID_ID`): a change inside a category that
   * stays (IMSI is still a device identifier) has only this.
   */
  items: string;
  /** Where the change is stated (URL and section). */
  source: string;
}

export interface SdkEntry {
  id: string;
  name: SdkText;
  vendor: SdkText;
  category: SdkCategory;
  region: SdkRegion;
  tracker: boolean;
  packages: string[];
  components?: string[];
  nativeLibraries?: string[];
  domains?: string[];
  versionHints?: SdkVersionHint[];
  privacyPolicy?: string | null;
  personalInformation: string[];
  /** Version-by-version changes of `personalInformation`, oldest first. */
  personalInformationChanges?: SdkPiChange[];
  sources: Record<string, string>;
  /** The SDK whose package space this one lives in (e.g. a module of a larger SDK). */
  within?: string | string[];
  /**
   * SDKs this one ships inside its own binary (a one-click login SDK carrying the carriers' SDKs).
   * Found together, they are reported as bundled by this one.
   */
  bundles?: string[];
  /** SDKs known to ship this one inside them (the other side of `bundles`; either side is enough). */
  bundledBy?: string[];
  /** Review findings acknowledged for this entry (REVIEW_FLAGS in validate-sdks.ts). */
  reviewFlags?: string[];
  /** Fact fields that no source supports (they are not the vendor's statement). */
  unsourced?: string[];
  /** When the sources were last verified (YYYY-MM-DD). */
  checked?: string;
  /** Allows a one-segment package prefix (only for vendors that really own a top-level package). */
  singleSegmentRoot?: boolean;
  /**
   * Names policies use that the catalogue's name, vendor and packages cannot yield (`sdk-names.ts`
   * derives the others); `sources.aliases` says why each is there.
   */
  aliases?: string[];
}

/** One file as read from disk, before validation: what the validator needs to check `id = file name`. */
export interface SdkFile {
  /** The file name, e.g. `jpush.json`. */
  file: string;
  data: unknown;
  /** Set when the file is not valid JSON. */
  error?: string;
}

export class SdkCatalog {
  private readonly index: Map<string, SdkEntry>;

  constructor(readonly entries: readonly SdkEntry[]) {
    this.index = new Map(entries.map((e) => [e.id, e]));
  }

  get(id: string): SdkEntry | undefined {
    return this.index.get(id);
  }

  get size(): number {
    return this.entries.length;
  }
}

/** Every `*.json` in `dir`, sorted by name, parsed but not checked. A missing folder reads as empty. */
export function readSdkFiles(dir: string = join(knowledgeDataDir(), 'sdks')): SdkFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => parseSdkFile(file, readFileSync(join(dir, file), 'utf8')));
}

const catalogs = new Map<string, SdkCatalog>();

function toCatalog(files: SdkFile[]): SdkCatalog {
  return sdkCatalogOf(files.map((f) => f.data));
}

/**
 * A catalogue from parsed SDK entries (one per `data/sdks/*.json`, e.g. supplied by a registry).
 * Like the file loaders, values that are not objects with an id are skipped: `validateSdkCatalog`
 * is what reports them.
 */
export function sdkCatalogOf(entries: readonly unknown[]): SdkCatalog {
  return new SdkCatalog(
    entries
      .filter((d): d is SdkEntry => typeof d === 'object' && d !== null && typeof (d as { id?: unknown }).id === 'string')
      .map(normalizeEntry),
  );
}

/**
 * The catalogue, on a later turn of the event loop: a caller can start this before other work (the
 * CLI does, before analysing the package) and await it after; loadSdkCatalog then returns it at once.
 * The files themselves are read synchronously: through fs.promises each of the ~240 small files cost
 * four callbacks on this thread, about twice the time of reading them in one go, and the scan's
 * main thread is busy with the package until it awaits anyway.
 */
export async function loadSdkCatalogAsync(dir?: string): Promise<SdkCatalog> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return loadSdkCatalog(dir);
}

/** Parses one SDK file's text; a file that is not JSON is kept with its error (validateSdkCatalog reports it). */
function parseSdkFile(file: string, text: string): SdkFile {
  try {
    return { file, data: JSON.parse(text) as unknown };
  } catch (error) {
    return { file, data: undefined, error: (error as Error).message };
  }
}

/** The SDK files for the catalogue: the build's prebuilt copy of the package's own, else the folder's files. */
function catalogFiles(dir: string): SdkFile[] {
  const prebuilt = dir === join(knowledgeDataDir(), 'sdks') ? prebuiltData() : undefined;
  if (!prebuilt) return readSdkFiles(dir);
  return Object.keys(prebuilt.files)
    .filter((name) => name.startsWith('sdks/'))
    .sort()
    .map((name) => parseSdkFile(name.slice('sdks/'.length), prebuilt.files[name]!));
}

/**
 * The catalogue in `dir` (default: the package's `data/sdks`), read once per folder. Files that are
 * not JSON objects with an id are skipped here; `validateSdkCatalog` is what reports them.
 */
export function loadSdkCatalog(dir?: string): SdkCatalog {
  const key = dir ?? join(knowledgeDataDir(), 'sdks');
  let catalog = catalogs.get(key);
  if (!catalog) {
    catalog = toCatalog(catalogFiles(key));
    catalogs.set(key, catalog);
  }
  return catalog;
}

/** Fills optional arrays so detection code need not check for them. */
function normalizeEntry(e: SdkEntry): SdkEntry {
  return {
    ...e,
    packages: Array.isArray(e.packages) ? e.packages : [],
    components: Array.isArray(e.components) ? e.components : [],
    nativeLibraries: Array.isArray(e.nativeLibraries) ? e.nativeLibraries : [],
    domains: Array.isArray(e.domains) ? e.domains : [],
    versionHints: Array.isArray(e.versionHints) ? e.versionHints : [],
    personalInformation: Array.isArray(e.personalInformation) ? e.personalInformation : [],
    personalInformationChanges: Array.isArray(e.personalInformationChanges) ? e.personalInformationChanges : [],
    bundles: Array.isArray(e.bundles) ? e.bundles.filter((a): a is string => typeof a === 'string') : [],
    bundledBy: Array.isArray(e.bundledBy) ? e.bundledBy.filter((a): a is string => typeof a === 'string') : [],
    aliases: Array.isArray(e.aliases) ? e.aliases.filter((a): a is string => typeof a === 'string') : [],
  };
}

/** The numbers of a dotted version (`5.9.12-release` → [5, 9, 12]); undefined when it does not start with one. */
export function versionNumbers(version: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+){0,5})/i.exec(version.trim());
  return m ? m[1]!.split('.').map(Number) : undefined;
}

/** Negative, zero or positive as version `a` is older than, the same as or newer than `b` (missing parts count as 0). */
export function compareVersionNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * What the SDK collects in `version`, by its rules: the newest list with the changes of later
 * versions undone. Without a readable version (or without changes) it is the newest list, which is
 * what a report says when it does not know the version.
 */
export function personalInformationAt(entry: SdkEntry, version: string | null | undefined): string[] {
  const current = Array.isArray(entry.personalInformation) ? entry.personalInformation : [];
  const changes = Array.isArray(entry.personalInformationChanges) ? entry.personalInformationChanges : [];
  const at = typeof version === 'string' ? versionNumbers(version) : undefined;
  if (!at || changes.length === 0) return [...current];
  const later = changes
    .map((c) => ({ c, v: versionNumbers(c.version) }))
    .filter((x): x is { c: SdkPiChange; v: number[] } => x.v !== undefined && compareVersionNumbers(x.v, at) > 0)
    .sort((x, y) => compareVersionNumbers(y.v, x.v));
  const pi = new Set(current);
  // Undo the newest change first, back to the one just after `version`.
  for (const { c } of later) {
    for (const id of c.added ?? []) pi.delete(id);
    for (const id of c.removed ?? []) pi.add(id);
  }
  return current.filter((id) => pi.has(id)).concat([...pi].filter((id) => !current.includes(id)).sort());
}
