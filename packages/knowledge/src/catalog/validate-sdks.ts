/**
 * Checks the SDK catalogue against the rules in README.md. Detection trusts the catalogue (a prefix
 * trie with one owner per node), so anything that would make a class match two SDKs, or match
 * nothing because of a typo, is rejected here rather than handled at scan time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_CATEGORIES, compareVersionNumbers, readSdkFiles, versionNumbers, type SdkFile } from './sdks.js';
import { knowledgeDataDir } from './data-file.js';
import { normalizeSdkName } from './sdk-names.js';

export interface SdkProblem {
  /** The file the problem is in (`jpush.json`). */
  file: string;
  /** The JSON field concerned, when there is one (`packages[1]`). */
  field?: string;
  message: string;
  /**
   * `error` (absent means error): detection or a printed fact would be wrong; `warning`: a review
   * finding (a shared link, a PI list copied across vendors, an old or unseen entry) that an entry
   * can acknowledge with `reviewFlags` once a reviewer has looked at it.
   */
  severity?: 'error' | 'warning';
  /** Which review check found it (warnings only): see REVIEW_FLAGS and the options below. */
  check?: string;
}

export interface ValidateSdkOptions {
  /** Known PI category ids; default: read from `data/pi-categories.json`. */
  piIds?: ReadonlySet<string>;
  /** Warn about entries whose `checked` date is missing or before this date (YYYY-MM-DD). */
  sourcesBefore?: string;
  /** SDK ids detected in some corpus binary: warn about every entry not among them. */
  seen?: ReadonlySet<string>;
}

/**
 * Review findings an entry can acknowledge. Each says what a reader of the entry must know: the
 * warning goes away, the flag stays in the data (and in `apprights sdk show`).
 */
export const REVIEW_FLAGS = {
  /** The privacy-policy link is a vendor-wide or family page shared with other entries, not this SDK's own rules. */
  'shared-policy-link': 'the privacy-policy link is shared with other SDKs (a vendor-wide or family page), not this SDK’s own rules page',
  /** The PI list is the same as other vendors' and its source names no items: not checked item by item. */
  'pi-list-unverified':
    'the PI list is identical to other vendors’ and its source gives no item-by-item list: not checked against the vendor’s SDK rules',
} as const;

/** Fact fields and the `sources` keys any one of which may source them (the first is the usual one). */
export const FACT_SOURCES: Readonly<Record<string, readonly string[]>> = {
  vendor: ['identity', 'vendor'],
  packages: ['packages'],
  components: ['components', 'packages'],
  nativeLibraries: ['nativeLibraries', 'packages'],
  domains: ['domains', 'packages'],
  versionHints: ['versionHints'],
  privacyPolicy: ['privacyPolicy', 'identity'],
  personalInformation: ['personalInformation'],
  bundles: ['bundles'],
  bundledBy: ['bundledBy', 'bundles'],
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A source that is nothing but links: it says where to look, not which items the vendor lists. */
const URLS_ONLY = /^\s*(?:https?:\/\/\S+\s*[,;]?\s*)+$/;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const JAVA_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const GLOB = /^[A-Za-z0-9_.+\-*]+$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const URL_RE = /^https?:\/\/[^\s/]+\.[^\s/]+(?:[/?#]\S*)?$/;

export function isJavaPackage(name: string): boolean {
  return name.split('.').every((s) => JAVA_SEGMENT.test(s));
}

export function isDomain(name: string): boolean {
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && /[a-z]/.test(labels[labels.length - 1]!);
}

/** PI category ids from `data/pi-categories.json`, or undefined when that file is not there. */
export function readPiCategoryIds(dataDir: string = knowledgeDataDir()): Set<string> | undefined {
  const path = join(dataDir, 'pi-categories.json');
  if (!existsSync(path)) return undefined;
  const json = JSON.parse(readFileSync(path, 'utf8')) as { categories?: { id?: unknown }[] };
  return new Set((json.categories ?? []).map((c) => c.id).filter((id): id is string => typeof id === 'string'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

interface Claim {
  file: string;
  id: string;
  within: ReadonlySet<string>;
}

/** Segment trie of package prefixes; each node lists the SDKs that claim exactly that prefix. */
interface ClaimNode {
  children: Map<string, ClaimNode>;
  claims: Claim[];
}

function newNode(): ClaimNode {
  return { children: new Map(), claims: [] };
}

/**
 * Problems in a set of catalogue files; empty when the catalogue is fine. Pass `readSdkFiles(dir)`
 * for a folder, or hand-made files in tests.
 */
export function validateSdkCatalog(files: readonly SdkFile[], options: ValidateSdkOptions = {}): SdkProblem[] {
  const problems: SdkProblem[] = [];
  const add = (file: string, message: string, field?: string) => problems.push(field ? { file, field, message } : { file, message });
  let piIds = options.piIds;
  let piLoaded = piIds !== undefined;

  const ids = new Set<string>();
  for (const f of files) {
    if (isObject(f.data) && typeof f.data.id === 'string') ids.add(f.data.id);
  }
  const packageTrie = newNode();
  const componentTrie = newNode();
  /** Normalised alias → the file that lists it: one alias, one SDK. */
  const aliasOwners = new Map<string, string>();
  const reviews: Review[] = [];

  for (const f of files) {
    const file = f.file;
    if (f.error !== undefined) {
      add(file, `not valid JSON: ${f.error}`);
      continue;
    }
    const e = f.data;
    if (!isObject(e)) {
      add(file, 'the file must hold one JSON object');
      continue;
    }
    const id = e.id;
    const expected = file.replace(/\.json$/, '');
    if (typeof id !== 'string' || !KEBAB.test(id))
      add(file, `id must be kebab-case (a-z, 0-9, single hyphens), got ${JSON.stringify(id)}`, 'id');
    else if (id !== expected) add(file, `id "${id}" differs from the file name "${expected}"`, 'id');
    const sdkId = typeof id === 'string' ? id : expected;

    for (const key of ['name', 'vendor'] as const) {
      const v = e[key];
      if (!isObject(v) || !nonEmpty(v.zh) || !nonEmpty(v.en)) add(file, `${key} needs non-empty "zh" and "en" strings`, key);
    }
    if (!SDK_CATEGORIES.includes(e.category as never)) add(file, `category must be one of ${SDK_CATEGORIES.join(', ')}`, 'category');
    if (e.region !== 'cn' && e.region !== 'global') add(file, 'region must be "cn" or "global"', 'region');
    if (typeof e.tracker !== 'boolean') add(file, 'tracker must be true or false', 'tracker');
    if (e.singleSegmentRoot !== undefined && typeof e.singleSegmentRoot !== 'boolean')
      add(file, 'singleSegmentRoot must be a boolean', 'singleSegmentRoot');

    const within = new Set<string>();
    if (e.within !== undefined) {
      const list = Array.isArray(e.within) ? e.within : [e.within];
      for (const w of list) {
        if (typeof w !== 'string' || !ids.has(w)) add(file, `within names no SDK of the catalogue: ${JSON.stringify(w)}`, 'within');
        else if (w === sdkId) add(file, 'an SDK cannot be within itself', 'within');
        else within.add(w);
      }
    }
    const claim: Claim = { file, id: sdkId, within };

    const stringList = (key: string, required: boolean): string[] => {
      const v = e[key];
      if (v === undefined && !required) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
        add(file, `${key} must be an array of strings`, key);
        return [];
      }
      return v as string[];
    };

    const packages = stringList('packages', true);
    const components = stringList('components', false);
    const libraries = stringList('nativeLibraries', false);
    const domains = stringList('domains', false);
    if (packages.length + components.length + libraries.length === 0) {
      add(file, 'an SDK needs at least one package, component or native library to be detectable', 'packages');
    }
    packages.forEach((p, i) => {
      const field = `packages[${i}]`;
      if (!isJavaPackage(p)) return add(file, `not a Java package name: ${JSON.stringify(p)}`, field);
      if (!p.includes('.') && e.singleSegmentRoot !== true) {
        return add(
          file,
          `"${p}" has one segment; it would claim every class under it (set "singleSegmentRoot": true if that is meant)`,
          field,
        );
      }
      insertClaim(packageTrie, p.split('.'), claim);
    });
    components.forEach((c, i) => {
      const field = `components[${i}]`;
      const prefix = c.endsWith('.*');
      const name = prefix ? c.slice(0, -2) : c;
      if (!isJavaPackage(name) || !name.includes('.')) return add(file, `not a class name or "package.*": ${JSON.stringify(c)}`, field);
      // Exact names and prefixes share one trie; an exact name is a leaf marked with a sentinel.
      insertClaim(componentTrie, prefix ? name.split('.') : [...name.split('.'), '\0exact'], claim);
    });
    libraries.forEach((g, i) => {
      if (!GLOB.test(g)) add(file, `native library patterns are file names with "*" only: ${JSON.stringify(g)}`, `nativeLibraries[${i}]`);
    });
    domains.forEach((d, i) => {
      if (!isDomain(d)) add(file, `not a host name (lower case, no scheme, path or wildcard): ${JSON.stringify(d)}`, `domains[${i}]`);
    });

    if (e.versionHints !== undefined) {
      if (!Array.isArray(e.versionHints)) add(file, 'versionHints must be an array', 'versionHints');
      else
        e.versionHints.forEach((h: unknown, i) => {
          const field = `versionHints[${i}]`;
          if (!isObject(h) || !nonEmpty(h.class) || !isJavaPackage(h.class) || !nonEmpty(h.kind) || !nonEmpty(h.pattern)) {
            return add(file, 'a version hint needs "class" (a Java class name), "kind" and "pattern"', field);
          }
          try {
            new RegExp(h.pattern);
          } catch (error) {
            add(file, `pattern is not a regular expression: ${(error as Error).message}`, field);
          }
        });
    }

    if (
      e.privacyPolicy !== undefined &&
      e.privacyPolicy !== null &&
      (typeof e.privacyPolicy !== 'string' || !URL_RE.test(e.privacyPolicy))
    ) {
      add(file, 'privacyPolicy must be an http(s) URL', 'privacyPolicy');
    } else if (
      e.tracker === true &&
      !nonEmpty(e.privacyPolicy) &&
      // "not known": no rules page of the SDK was found. A portal or a sibling's page would be worse
      // than no link, so the entry may say so instead (reports then print no link, never a guess).
      !(Array.isArray(e.unsourced) && e.unsourced.includes('privacyPolicy'))
    ) {
      add(file, 'a tracker SDK needs its privacyPolicy URL (or "privacyPolicy" in unsourced when no rules page is known)', 'privacyPolicy');
    }

    const pi = stringList('personalInformation', true);
    if (pi.length > 0) {
      if (!piLoaded) {
        piIds = readPiCategoryIds();
        piLoaded = true;
      }
      if (!piIds) add(file, 'cannot check personalInformation: data/pi-categories.json is missing', 'personalInformation');
      else pi.forEach((p, i) => piIds!.has(p) || add(file, `unknown PI category "${p}"`, `personalInformation[${i}]`));
    }

    if (e.personalInformationChanges !== undefined) {
      if (!piLoaded) {
        piIds = readPiCategoryIds();
        piLoaded = true;
      }
      checkPiChanges(e, pi, piIds, (message, field) => add(file, message, field));
    }

    if (e.aliases !== undefined) {
      const aliases = stringList('aliases', false);
      const seen = new Set<string>();
      aliases.forEach((alias, i) => {
        const field = `aliases[${i}]`;
        const key = normalizeSdkName(alias);
        if (alias.trim() === '' || alias.length > 60) return add(file, 'an alias is a name of 1 to 60 characters', field);
        if (key.length < 2) return add(file, `alias ${JSON.stringify(alias)} is too short to tell SDKs apart`, field);
        if (seen.has(key))
          return add(
            file,
            `alias ${JSON.stringify(alias)} repeats another alias of this SDK (they compare without case, spaces, "-" and "+")`,
            field,
          );
        seen.add(key);
        const owner = aliasOwners.get(key);
        if (owner !== undefined && owner !== file) add(file, `alias ${JSON.stringify(alias)} is also an alias in ${owner}`, field);
        else aliasOwners.set(key, file);
      });
      if (aliases.length > 0 && !(isObject(e.sources) && nonEmpty(e.sources.aliases)))
        add(file, 'aliases need "sources.aliases": why each name cannot be derived from the name, vendor or packages', 'sources');
    }

    for (const key of ['bundles', 'bundledBy'] as const) {
      stringList(key, false).forEach((other, i) => {
        if (!ids.has(other)) add(file, `${key} names no SDK of the catalogue: ${JSON.stringify(other)}`, `${key}[${i}]`);
        else if (other === sdkId) add(file, `an SDK cannot be in its own ${key}`, `${key}[${i}]`);
      });
    }
    const flags = stringList('reviewFlags', false);
    flags.forEach((flag, i) => {
      if (!(flag in REVIEW_FLAGS))
        add(file, `unknown review flag ${JSON.stringify(flag)} (known: ${Object.keys(REVIEW_FLAGS).join(', ')})`, `reviewFlags[${i}]`);
    });
    const unsourced = stringList('unsourced', false);
    unsourced.forEach((fact, i) => {
      if (!(fact in FACT_SOURCES))
        add(
          file,
          `unsourced lists ${JSON.stringify(fact)}, which is not a fact field (${Object.keys(FACT_SOURCES).join(', ')})`,
          `unsourced[${i}]`,
        );
    });
    if (e.checked !== undefined && (typeof e.checked !== 'string' || !DATE.test(e.checked))) {
      add(file, 'checked must be the date the sources were last verified, YYYY-MM-DD', 'checked');
    }
    if (isObject(e.sources)) {
      // A fact printed into a developer's policy must say where it comes from, or say that nothing does.
      for (const [fact, keys] of Object.entries(FACT_SOURCES)) {
        const value = e[fact];
        const present = Array.isArray(value) ? value.length > 0 : isObject(value) || nonEmpty(value);
        if (!present || unsourced.includes(fact)) continue;
        if (!keys.some((k) => nonEmpty((e.sources as Record<string, unknown>)[k]))) {
          add(file, `${fact} has no source: add sources.${keys[0]} (where the fact comes from) or list "${fact}" in "unsourced"`, fact);
        }
      }
    }
    reviews.push({ file, id: sdkId, entry: e, flags: new Set(flags) });

    if (!isObject(e.sources) || !Object.values(e.sources).some(nonEmpty)) {
      add(file, 'sources must be an object naming where the facts come from', 'sources');
    } else if (Object.values(e.sources).some((v) => !nonEmpty(v))) {
      add(file, 'every sources value must be a non-empty string', 'sources');
    }
  }

  checkCollisions(packageTrie, 'package prefix', add);
  checkCollisions(componentTrie, 'component', add);
  reviewChecks(reviews, options, (file, check, message, field) =>
    problems.push({ file, ...(field ? { field } : {}), message, severity: 'warning', check }),
  );
  return problems;
}

interface Review {
  file: string;
  id: string;
  entry: Record<string, unknown>;
  flags: ReadonlySet<string>;
}

/** Whether one of the two entries declares that it carries the other (`bundles` or `bundledBy`). */
function bundleRelated(a: Record<string, unknown>, b: Record<string, unknown>, aId: string, bId: string): boolean {
  const names = (e: Record<string, unknown>, key: string): unknown[] => (Array.isArray(e[key]) ? (e[key] as unknown[]) : []);
  return (
    names(a, 'bundles').includes(bId) ||
    names(a, 'bundledBy').includes(bId) ||
    names(b, 'bundles').includes(aId) ||
    names(b, 'bundledBy').includes(aId)
  );
}

function vendorKey(e: Record<string, unknown>): string {
  const v = e.vendor;
  return isObject(v) && typeof v.zh === 'string' ? v.zh.trim() : '';
}

/**
 * The review checks: facts that may be right but that a reviewer must look at. Links and PI lists
 * are compared across the whole catalogue with maps, so the cost stays linear in its size.
 */
function reviewChecks(
  reviews: readonly Review[],
  options: ValidateSdkOptions,
  warn: (file: string, check: string, message: string, field?: string) => void,
): void {
  const byLink = new Map<string, Review[]>();
  const byPi = new Map<string, Review[]>();
  for (const r of reviews) {
    const link = r.entry.privacyPolicy;
    if (typeof link === 'string' && link !== '') byLink.set(link, [...(byLink.get(link) ?? []), r]);
    const pi = r.entry.personalInformation;
    if (Array.isArray(pi) && pi.length > 0 && pi.every((p) => typeof p === 'string')) {
      const key = [...new Set(pi as string[])].sort().join(',');
      byPi.set(key, [...(byPi.get(key) ?? []), r]);
    }
  }
  for (const [link, group] of byLink) {
    if (group.length < 2) continue;
    for (const r of group) {
      if (r.flags.has('shared-policy-link')) continue;
      // A carried SDK (a push channel inside a push SDK) may have no rules of its own and point at
      // its carrier's: that pair is declared by bundles/bundledBy and is not a borrowed link.
      const others = group.filter((o) => o !== r && !bundleRelated(r.entry, o.entry, r.id, o.id)).map((o) => o.id);
      if (others.length === 0) continue;
      warn(
        r.file,
        'shared-policy-link',
        `privacyPolicy ${link} is also the link of ${others.join(', ')}: link this SDK's own rules page, or add "shared-policy-link" to reviewFlags if the vendor publishes no SDK-specific page`,
        'privacyPolicy',
      );
    }
  }
  for (const group of byPi.values()) {
    if (new Set(group.map((r) => vendorKey(r.entry))).size < 2) continue;
    for (const r of group) {
      if (r.flags.has('pi-list-unverified')) continue;
      // A list the entry already marks as unsourced is not presented as the vendor's statement.
      if (Array.isArray(r.entry.unsourced) && r.entry.unsourced.includes('personalInformation')) continue;
      const source = isObject(r.entry.sources) ? r.entry.sources.personalInformation : undefined;
      // A source that lists items (or quotes the vendor) makes the coincidence credible.
      if (typeof source === 'string' && !URLS_ONLY.test(source)) continue;
      const others = group.filter((o) => vendorKey(o.entry) !== vendorKey(r.entry)).map((o) => o.id);
      warn(
        r.file,
        'identical-pi-list',
        `personalInformation is identical to that of other vendors' SDKs (${others.slice(0, 5).join(', ')}${others.length > 5 ? `, +${others.length - 5}` : ''}) and its source is only a link: check it against the vendor's SDK privacy rules item by item, or add "pi-list-unverified" to reviewFlags`,
        'personalInformation',
      );
    }
  }
  if (options.sourcesBefore !== undefined) {
    for (const r of reviews) {
      const checked = r.entry.checked;
      if (typeof checked !== 'string') warn(r.file, 'sources-date', 'no "checked" date: when were the sources last verified?', 'checked');
      else if (checked < options.sourcesBefore)
        warn(r.file, 'sources-date', `sources last checked ${checked}, before ${options.sourcesBefore}`, 'checked');
    }
  }
  if (options.seen) {
    for (const r of reviews) {
      if (!options.seen.has(r.id))
        warn(r.file, 'never-seen', 'never detected in any corpus binary: its prefixes are not confirmed by a real binary');
    }
  }
}

function insertClaim(root: ClaimNode, segments: string[], claim: Claim): void {
  let node = root;
  for (const s of segments) {
    let next = node.children.get(s);
    if (!next) node.children.set(s, (next = newNode()));
    node = next;
  }
  // The same SDK listing a prefix twice is harmless.
  if (!node.claims.some((c) => c.id === claim.id)) node.claims.push(claim);
}

/**
 * Walks the trie once: a claim collides with a different SDK's claim on the same node (always an
 * error: detection could not tell them apart) or on an ancestor node (allowed with `within`).
 */
function checkCollisions(root: ClaimNode, what: string, add: (file: string, message: string, field?: string) => void): void {
  const walk = (node: ClaimNode, path: string[], above: Claim[]): void => {
    const name = path.filter((s) => s !== '\0exact').join('.');
    for (const c of node.claims) {
      for (const other of node.claims) {
        if (other.id !== c.id) add(c.file, `${what} "${name}" is also claimed by "${other.id}" (${other.file})`);
      }
      const outer = new Set(above.filter((a) => a.id !== c.id).map((a) => a.id));
      for (const o of outer) {
        if (!c.within.has(o)) add(c.file, `${what} "${name}" lies under a prefix of "${o}"; declare "within": "${o}" if it is part of it`);
      }
    }
    const nextAbove = node.claims.length ? [...above, ...node.claims] : above;
    for (const [segment, child] of node.children) walk(child, [...path, segment], nextAbove);
  };
  walk(root, [], []);
}

/** Validates the catalogue folder (default: the package's `data/sdks`). */
export function validateSdkDirectory(dir?: string, options: ValidateSdkOptions = {}): { files: number; problems: SdkProblem[] } {
  if (options.sourcesBefore !== undefined && !DATE.test(options.sourcesBefore)) {
    throw new RangeError(`sourcesBefore must be a date YYYY-MM-DD, got ${JSON.stringify(options.sourcesBefore)}`);
  }
  const files = readSdkFiles(dir);
  return { files: files.length, problems: validateSdkCatalog(files, options) };
}

/**
 * `personalInformationChanges`: oldest first, one per version, each with its items and its own
 * source, and consistent with the newest list (an id added and never removed again is in it; an id
 * removed and never added again is not).
 */
function checkPiChanges(
  e: Record<string, unknown>,
  current: readonly string[],
  piIds: ReadonlySet<string> | undefined,
  add: (message: string, field: string) => void,
): void {
  const changes = e.personalInformationChanges;
  if (!Array.isArray(changes)) return add('personalInformationChanges must be an array', 'personalInformationChanges');
  /** The last change of each PI id: true = added, false = removed. */
  const last = new Map<string, boolean>();
  let previous: number[] | undefined;
  changes.forEach((c: unknown, i) => {
    const field = `personalInformationChanges[${i}]`;
    if (!isObject(c)) return add('a PI change is an object with "version", "added"/"removed", "items" and "source"', field);
    const version = nonEmpty(c.version) ? versionNumbers(c.version) : undefined;
    if (!version || !/^\d+(?:\.\d+)*$/.test(String(c.version))) add('version must be dotted numbers (3.8.10)', `${field}.version`);
    else {
      if (previous && compareVersionNumbers(version, previous) <= 0)
        add('changes must be ordered oldest first, one per version', `${field}.version`);
      previous = version;
    }
    if (!nonEmpty(c.items)) add('"items" must say which items changed, in the vendor’s words', `${field}.items`);
    if (!nonEmpty(c.source)) add('every PI change needs its own "source" (where the vendor states it)', `${field}.source`);
    for (const key of ['added', 'removed'] as const) {
      const list = c[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
        add(`${key} must be an array of PI category ids`, `${field}.${key}`);
        continue;
      }
      (list as string[]).forEach((id, j) => {
        if (piIds && !piIds.has(id)) add(`unknown PI category "${id}"`, `${field}.${key}[${j}]`);
        last.set(id, key === 'added');
      });
    }
  });
  for (const [id, added] of last) {
    if (added && !current.includes(id))
      add(
        `"${id}" is added by a change and never removed again, so personalInformation (the newest list) must hold it`,
        'personalInformationChanges',
      );
    if (!added && current.includes(id))
      add(
        `"${id}" is removed by a change and never added again, so personalInformation (the newest list) must not hold it`,
        'personalInformationChanges',
      );
  }
}
