import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@apprights/knowledge';

function isKnowledgeRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

function walkUp(from: string, steps: number): string | undefined {
  let dir = from;
  for (let i = 0; i < steps; i++) {
    if (isKnowledgeRoot(dir)) return dir;
    // What Node's resolution would find, without its cost: the CLI bundle sits in
    // packages/cli/dist/bundle, and the workspace (or an install) links the package in node_modules.
    const installed = join(dir, 'node_modules', '@apprights', 'knowledge');
    if (isKnowledgeRoot(installed)) return installed;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let rootCache: string | undefined;

/**
 * The folder of the `@apprights/knowledge` package (holding `data/`). APPRIGHTS_KNOWLEDGE_DIR
 * overrides it. Otherwise: walk up from this module (src/, dist/), then resolve the package as a
 * dependency, which is how the bundled CLI (packages/cli/dist/bundle) and installed copies find it.
 */
export function knowledgeRoot(): string {
  if (rootCache) return rootCache;
  const override = process.env.APPRIGHTS_KNOWLEDGE_DIR;
  if (override) return (rootCache = override);
  const here = dirname(fileURLToPath(import.meta.url));
  let found = walkUp(here, 6);
  if (!found) {
    const require = createRequire(import.meta.url);
    // The package's exports map has no `./package.json`, so resolve its entry point and walk up.
    for (const request of [`${PACKAGE_NAME}/package.json`, PACKAGE_NAME]) {
      try {
        found = walkUp(dirname(require.resolve(request)), 4);
      } catch {
        // not resolvable this way; try the next
      }
      if (found) break;
    }
  }
  if (!found) throw new Error(`cannot find the ${PACKAGE_NAME} package folder (its data/ files) from ${here}`);
  return (rootCache = found);
}

/** `data/` of the knowledge package, or of another folder laid out the same way (tests). */
export function knowledgeDataDir(): string {
  return join(knowledgeRoot(), 'data');
}

/** The one file the build writes beside the compiled code (packages/knowledge/scripts/prebuild-data.mjs). */
export const PREBUILT_FILE = 'knowledge-data.json';

/**
 * The package's data files as the build found them, in one file: a cold process (a CLI scan) reads
 * it instead of ~660 small files, and takes the catalogue versions and the snapshot id (computed by
 * the build with the same code, from the same files) instead of parsing files again and hashing.
 * The files in `data/` stay the source: like code, an edit there reaches compiled code at the next
 * `npm run build`; code run from the TypeScript sources (tests) always reads the files.
 */
export interface PrebuiltData {
  format: 1;
  /** The id of the package's knowledge snapshot. */
  id: string;
  /** The `version` of each catalogue file (KnowledgeVersions without sdkEntries). */
  versions: Record<string, number>;
  /** Each data file's text by its path under `data/` (`measures.json`, `sdks/<id>.json`). */
  files: Record<string, string>;
}

const fromSources = import.meta.url.endsWith('.ts');
let prebuilt: PrebuiltData | null | undefined;

/** The prebuilt data, when `dataDir` is the package's own and the code is compiled; else undefined (read the files). */
export function prebuiltData(dataDir: string = knowledgeDataDir()): PrebuiltData | undefined {
  if (fromSources || dataDir !== knowledgeDataDir()) return undefined;
  if (prebuilt === undefined) {
    prebuilt = null;
    try {
      const data = JSON.parse(readFileSync(join(knowledgeRoot(), 'dist', PREBUILT_FILE), 'utf8')) as PrebuiltData;
      if (data?.format === 1 && typeof data.id === 'string' && data.files && data.versions) prebuilt = data;
    } catch {
      // not built (or unreadable): the files are read
    }
  }
  return prebuilt ?? undefined;
}

/** Reads `data/<name>` (or `<dataDir>/<name>`) as JSON; errors name the file so a broken edit is easy to find. */
export function readDataFile(name: string, dataDir: string = knowledgeDataDir()): unknown {
  const path = join(dataDir, name);
  let text: string;
  try {
    text = prebuiltData(dataDir)?.files[name] ?? readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read knowledge data file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`knowledge data file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Memoises a loader per data folder, so each file is read and validated at most once per process. */
export function perDataDir<T>(load: (dataDir: string) => T): (dataDir?: string) => T {
  const cache = new Map<string, T>();
  return (dataDir = knowledgeDataDir()) => {
    let value = cache.get(dataDir);
    if (value === undefined) {
      value = load(dataDir);
      cache.set(dataDir, value);
    }
    return value;
  };
}

/** Memoises a loader so each data file is read and validated at most once per process. */
export function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  let loaded = false;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value as T;
  };
}

/**
 * Shape checks. Data files are edited by hand, so every failure says which file and which entry is
 * wrong instead of letting a bad value surface later as a confusing detection result.
 */
export class Shape {
  constructor(readonly file: string) {}

  fail(where: string, message: string): never {
    throw new Error(`data/${this.file}: ${where}: ${message}`);
  }

  object(value: unknown, where: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'expected an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, where: string): unknown[] {
    if (!Array.isArray(value)) this.fail(where, 'expected an array');
    return value;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(where, 'expected a non-empty string');
    return value;
  }

  stringOrNull(value: unknown, where: string): string | null {
    return value === null ? null : this.string(value, where);
  }

  boolean(value: unknown, where: string): boolean {
    if (typeof value !== 'boolean') this.fail(where, 'expected true or false');
    return value;
  }

  positiveInteger(value: unknown, where: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) this.fail(where, 'expected a positive integer');
    return value;
  }

  integerOrNull(value: unknown, where: string): number | null {
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(where, 'expected a non-negative integer or null');
    return value;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
      this.fail(where, `expected one of ${allowed.join(', ')}`);
    return value as T;
  }

  /** `{ zh, en }` with both present. */
  bilingual(value: unknown, where: string): { zh: string; en: string } {
    const o = this.object(value, where);
    return { zh: this.string(o.zh, `${where}.zh`), en: this.string(o.en, `${where}.en`) };
  }
}
