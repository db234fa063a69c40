/**
 * A knowledge snapshot: every catalogue the checks judge an app by (SDKs, measures, PI categories,
 * platform permissions, sensitive APIs, app types), validated, frozen and named by an id. Rules see
 * the knowledge base only through the snapshot they are given, so a report can say which catalogue
 * judged the app, and a long-lived process can be handed a newer snapshot (from the SDK registry)
 * without restarting: nothing below keeps module-level state a rule could read instead.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTypes as packageAppTypes, parseAppTypes, type AppType } from './catalog/app-types.js';
import { knowledgeDataDir, prebuiltData, readDataFile, type PrebuiltData } from './catalog/data-file.js';
import { loadMeasureCatalog, parseMeasureCatalog, type MeasureCatalog } from './catalog/measures.js';
import { parsePermissions, platformPermissions, type PlatformPermission } from './catalog/permissions.js';
import { piCategories as packagePICategories, parsePICategories, type PICategory } from './catalog/pi.js';
import { findSdkNames, sdkNameIndex, type SdkNameIndex, type SdkNameMatch } from './catalog/sdk-names.js';
import { loadSdkCatalog, loadSdkCatalogAsync, readSdkFiles, sdkCatalogOf, sdkCategoryPurpose, type SdkCatalog } from './catalog/sdks.js';
import { parseSensitiveApis, sensitiveApis as packageSensitiveApis, type SensitiveApi } from './catalog/sensitive-apis.js';

/** The `version` of each catalogue file, and the number of SDK entries (the SDK files have no common version). */
export interface KnowledgeVersions {
  measures: number;
  piCategories: number;
  appTypes: number;
  permissions: number;
  sensitiveApis: number;
  sdkEntries: number;
}

export interface KnowledgeSnapshot {
  /**
   * `sha256:` and 16 hex digits of a hash over the validated content of every catalogue (and their
   * versions): two snapshots with one id judge an app alike, whichever way they were built.
   */
  readonly id: string;
  readonly versions: KnowledgeVersions;
  readonly measures: MeasureCatalog;
  readonly sdks: SdkCatalog;
  readonly piCategories: readonly PICategory[];
  readonly permissions: ReadonlyMap<string, PlatformPermission>;
  readonly sensitiveApis: readonly SensitiveApi[];
  readonly appTypes: readonly AppType[];
  piCategory(id: string): PICategory | undefined;
  isPICategoryId(id: string): boolean;
  permission(name: string): PlatformPermission | undefined;
  /** Runtime ("dangerous") permissions: the ones the user is asked for. */
  isDangerousPermission(name: string): boolean;
  sensitiveApi(id: string): SensitiveApi | undefined;
  /** By stable id or by number in 第五条 of the CAC 2021 rules. */
  appType(idOrNumber: string | number): AppType | undefined;
  /** The SDK name index (built on first use: policies are not always checked). */
  sdkNames(): SdkNameIndex;
  /** The catalogue's SDKs named in a text (policy prose, SDK-table cells). */
  findSdkNames(text: string): SdkNameMatch[];
  /** What an SDK of a category is used for, worded for a privacy policy's SDK list. */
  sdkCategoryPurpose(category: string): { zh: string; en: string };
}

/** The knowledge files as parsed JSON, e.g. supplied by a registry: validated as the package's own files are. */
export interface KnowledgeData {
  measures: unknown;
  piCategories: unknown;
  appTypes: unknown;
  permissions: unknown;
  sensitiveApis: unknown;
  /** One parsed object per SDK (the files of `data/sdks/`). */
  sdks: readonly unknown[];
}

/** Validated catalogues, before the snapshot names them. */
interface KnowledgeParts {
  measures: MeasureCatalog;
  piCategories: readonly PICategory[];
  appTypes: readonly AppType[];
  permissions: ReadonlyMap<string, PlatformPermission>;
  sensitiveApis: readonly SensitiveApi[];
  sdks: SdkCatalog;
  versions: Omit<KnowledgeVersions, 'sdkEntries'>;
}

function fileVersion(raw: unknown, file: string): number {
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new Error(`data/${file}: version: expected a positive integer`);
  return version;
}

/**
 * The hash covers what the rules see (the validated catalogues, in their stable order), not file
 * bytes: a snapshot read from the package folder and the same data handed over by a registry get
 * one id, while reformatting a file changes nothing.
 */
function contentId(parts: KnowledgeParts): string {
  const m = parts.measures;
  const hash = createHash('sha256');
  const add = (name: string, value: unknown) => hash.update(`${name}\0${JSON.stringify(value)}\0`);
  add('versions', parts.versions);
  add('measures', [
    m.version,
    m.description,
    m.sources,
    m.groups,
    m.categories,
    m.measures,
    m.scenarios,
    m.tasks,
    m.requirements,
    m.parameters,
  ]);
  add('pi', parts.piCategories);
  add('appTypes', parts.appTypes);
  add('permissions', [...parts.permissions.values()]);
  add('sensitiveApis', parts.sensitiveApis);
  add(
    'sdks',
    [...parts.sdks.entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  );
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

/** `knownId`: the id the build computed for these parts (prebuilt data), instead of hashing them again. */
function snapshotOf(parts: KnowledgeParts, knownId?: string): KnowledgeSnapshot {
  const piById = new Map(parts.piCategories.map((c) => [c.id, c]));
  const apiById = new Map(parts.sensitiveApis.map((a) => [a.id, a]));
  const typeById = new Map(parts.appTypes.map((t) => [t.id, t]));
  const typeByNumber = new Map(parts.appTypes.map((t) => [t.number, t]));
  const versions: KnowledgeVersions = Object.freeze({ ...parts.versions, sdkEntries: parts.sdks.size });
  let id = knownId;
  const snapshot: KnowledgeSnapshot = {
    // Hashing costs a few milliseconds; a process that never reports (a test) never pays it.
    get id() {
      return (id ??= contentId(parts));
    },
    versions,
    measures: parts.measures,
    sdks: parts.sdks,
    piCategories: parts.piCategories,
    permissions: parts.permissions,
    sensitiveApis: parts.sensitiveApis,
    appTypes: parts.appTypes,
    piCategory: (key) => piById.get(key),
    isPICategoryId: (key) => piById.has(key),
    permission: (name) => parts.permissions.get(name),
    isDangerousPermission: (name) => parts.permissions.get(name)?.protectionLevels.includes('dangerous') ?? false,
    sensitiveApi: (key) => apiById.get(key),
    appType: (key) => (typeof key === 'number' ? typeByNumber.get(key) : typeById.get(key)),
    sdkNames: () => sdkNameIndex(parts.sdks),
    findSdkNames: (text) => findSdkNames(text, parts.sdks),
    sdkCategoryPurpose,
  };
  return Object.freeze(snapshot);
}

/** A snapshot from supplied data (a registry's newer catalogue); throws, naming file and entry, on a bad value. */
export function createKnowledgeSnapshot(data: KnowledgeData): KnowledgeSnapshot {
  const pi = parsePICategories(data.piCategories);
  const isPi = (key: string) => pi.byId.has(key);
  return snapshotOf({
    measures: parseMeasureCatalog(data.measures),
    piCategories: pi.list,
    appTypes: parseAppTypes(data.appTypes, isPi).list,
    permissions: parsePermissions(data.permissions, isPi),
    sensitiveApis: parseSensitiveApis(data.sensitiveApis, isPi).list,
    sdks: sdkCatalogOf(data.sdks),
    versions: {
      measures: fileVersion(data.measures, 'measures.json'),
      piCategories: fileVersion(data.piCategories, 'pi-categories.json'),
      appTypes: fileVersion(data.appTypes, 'app-types.json'),
      permissions: fileVersion(data.permissions, 'permissions.json'),
      sensitiveApis: fileVersion(data.sensitiveApis, 'sensitive-apis.json'),
    },
  });
}

/** The knowledge files of a folder laid out like the package's `data/`, parsed but not yet validated. */
export function readKnowledgeData(dataDir: string = knowledgeDataDir()): KnowledgeData {
  return {
    measures: readDataFile('measures.json', dataDir),
    piCategories: readDataFile('pi-categories.json', dataDir),
    appTypes: readDataFile('app-types.json', dataDir),
    permissions: readDataFile('permissions.json', dataDir),
    sensitiveApis: readDataFile('sensitive-apis.json', dataDir),
    sdks: readSdkFiles(join(dataDir, 'sdks')).map((f) => f.data),
  };
}

/** The catalogue files of `data/` besides the SDK folder. */
const CATALOGUE_FILES = ['measures.json', 'pi-categories.json', 'app-types.json', 'permissions.json', 'sensitive-apis.json'];

const snapshots = new Map<string, KnowledgeSnapshot>();
let versionCache: Omit<KnowledgeVersions, 'sdkEntries'> | undefined;

/** The package's own snapshot, from the catalogues the detectors already loaded (each file is read once). */
function packageSnapshot(sdks: SdkCatalog): KnowledgeSnapshot {
  // The build's prebuilt data (compiled code) holds the versions and the id, computed from the same files.
  const prebuilt = prebuiltData();
  // Else only the version fields are read again: the typed loaders keep the validated content, not the files.
  versionCache ??= (prebuilt?.versions as Omit<KnowledgeVersions, 'sdkEntries'> | undefined) ?? {
    measures: loadMeasureCatalog().version,
    piCategories: fileVersion(readDataFile('pi-categories.json'), 'pi-categories.json'),
    appTypes: fileVersion(readDataFile('app-types.json'), 'app-types.json'),
    permissions: fileVersion(readDataFile('permissions.json'), 'permissions.json'),
    sensitiveApis: fileVersion(readDataFile('sensitive-apis.json'), 'sensitive-apis.json'),
  };
  return snapshotOf(
    {
      measures: loadMeasureCatalog(),
      piCategories: packagePICategories(),
      appTypes: packageAppTypes(),
      permissions: platformPermissions(),
      sensitiveApis: packageSensitiveApis(),
      sdks,
      versions: versionCache,
    },
    prebuilt?.id,
  );
}

/**
 * What the build writes to dist/ (PrebuiltData): every data file's text, the versions and the id of
 * the snapshot built from those files, computed here from the files themselves.
 */
export function prebuildKnowledgeData(dataDir: string = knowledgeDataDir()): PrebuiltData {
  // Read here, never through readDataFile: that would hand back an earlier build's copy.
  const files: Record<string, string> = {};
  for (const name of CATALOGUE_FILES) files[name] = readFileSync(join(dataDir, name), 'utf8');
  const sdkDir = join(dataDir, 'sdks');
  for (const file of readdirSync(sdkDir)
    .filter((name) => name.endsWith('.json'))
    .sort())
    files[`sdks/${file}`] = readFileSync(join(sdkDir, file), 'utf8');
  const json = (name: string): unknown => JSON.parse(files[name]!);
  const sdks = Object.keys(files)
    .filter((name) => name.startsWith('sdks/'))
    .map((name) => {
      try {
        return json(name);
      } catch {
        return undefined; // skipped, as the loaders skip it
      }
    });
  const snapshot = createKnowledgeSnapshot({
    measures: json('measures.json'),
    piCategories: json('pi-categories.json'),
    appTypes: json('app-types.json'),
    permissions: json('permissions.json'),
    sensitiveApis: json('sensitive-apis.json'),
    sdks,
  });
  const { sdkEntries: _entries, ...versions } = snapshot.versions;
  // Stored without the files' layout (a third of their size); a file that is not JSON stays as it is.
  for (const [name, text] of Object.entries(files)) {
    try {
      files[name] = JSON.stringify(JSON.parse(text));
    } catch {
      // kept for the loader to report
    }
  }
  return { format: 1, id: snapshot.id, versions, files };
}

/**
 * The snapshot of the package's data (or of another folder laid out alike), built once per folder
 * and process. APPRIGHTS_KNOWLEDGE_DIR moves the package's folder, as for every loader.
 */
export function loadKnowledge(dataDir?: string): KnowledgeSnapshot {
  const key = dataDir ?? knowledgeDataDir();
  let snapshot = snapshots.get(key);
  if (!snapshot) {
    snapshot = dataDir === undefined ? packageSnapshot(loadSdkCatalog()) : createKnowledgeSnapshot(readKnowledgeData(dataDir));
    snapshots.set(key, snapshot);
  }
  return snapshot;
}

/** As `loadKnowledge`, reading the SDK catalogue (the most files) without blocking. */
export async function loadKnowledgeAsync(dataDir?: string): Promise<KnowledgeSnapshot> {
  const key = dataDir ?? knowledgeDataDir();
  const cached = snapshots.get(key);
  if (cached) return cached;
  if (dataDir !== undefined) return loadKnowledge(dataDir);
  const sdks = await loadSdkCatalogAsync();
  const snapshot = snapshots.get(key) ?? packageSnapshot(sdks);
  snapshots.set(key, snapshot);
  return snapshot;
}
