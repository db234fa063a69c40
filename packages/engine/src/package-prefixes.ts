/**
 * The package prefixes a package's code holds: for every class the DEX files (or a JAR/AAR's class
 * files) define, the first 1..4 segments of its Java package (`Lcom/umeng/analytics/pro/a;` gives
 * `com`, `com.umeng`, `com.umeng.analytics`, `com.umeng.analytics.pro`). A store keeps the set per
 * version, so when an SDK's signature changes it can ask which versions contain that SDK's prefix
 * and re-scan those only. Bounded: at most `cap` prefixes, cut by whole levels (the deeper levels go
 * first), and the depth kept in full is recorded, so "not in the set" stays a sure answer.
 */
import type { PackageAnalysis } from '@apprights/apk';
import { classDescriptors } from '@apprights/knowledge';

/** The deepest level recorded: SDK prefixes are 2–4 segments in practice; deeper ones compare on their first 4. */
export const PACKAGE_PREFIX_DEPTH = 4;
/** At most this many prefixes per package (a large app has 1,000–3,000 at depth ≤ 4). */
export const PACKAGE_PREFIX_CAP = 5000;

export interface PackagePrefixSet {
  /**
   * Every prefix of 1..`depth` segments present in the code is listed: 4 unless the cap cut the
   * deeper levels (0 when even the first level exceeded it: the set then says nothing).
   */
  depth: number;
  /** The cap the set was made with. */
  cap: number;
  /** Prefixes found at levels deeper than `depth`, left out by the cap (0 when complete). */
  omitted: number;
  /** Dotted prefixes (`com.umeng.analytics`), sorted. */
  prefixes: string[];
}

/** The distinct Java packages of class descriptors (`Lcom/x/Y;` or `com/x/Y`), dotted. */
function packagesOf(descriptors: Iterable<string>): Set<string> {
  const packages = new Set<string>();
  for (const d of descriptors) {
    const start = d.startsWith('L') && d.endsWith(';') ? 1 : 0;
    const end = d.lastIndexOf('/');
    if (end <= start) continue; // the default package: no prefix
    packages.add(d.slice(start, end));
  }
  return packages;
}

/** The prefix set of class descriptors, capped. */
export function prefixSetOf(descriptors: Iterable<string>, cap = PACKAGE_PREFIX_CAP): PackagePrefixSet {
  const levels: Set<string>[] = Array.from({ length: PACKAGE_PREFIX_DEPTH }, () => new Set<string>());
  for (const pkg of packagesOf(descriptors)) {
    const segments = pkg.split('/');
    for (let d = 1; d <= Math.min(PACKAGE_PREFIX_DEPTH, segments.length); d++) levels[d - 1]!.add(segments.slice(0, d).join('.'));
  }
  const prefixes: string[] = [];
  let depth = 0;
  for (const level of levels) {
    if (prefixes.length + level.size > cap) break;
    for (const prefix of level) prefixes.push(prefix);
    depth++;
  }
  const omitted = levels.slice(depth).reduce((n, l) => n + l.size, 0);
  return { depth, cap, omitted, prefixes: prefixes.sort() };
}

/** The prefix set of an analysed package's code (DEX class_defs, JAR/AAR class files). */
export function packagePrefixes(analysis: PackageAnalysis, cap = PACKAGE_PREFIX_CAP): PackagePrefixSet {
  return prefixSetOf(classDescriptors(analysis), cap);
}

/**
 * The key a prefix set is searched by for a catalogue prefix (`com.tencent.mm.opensdk.` or
 * `cn.jpush.android`): its first `depth` segments. A set made to that depth holds the key exactly
 * when some class lies under it (for prefixes deeper than the depth: under its first segments, a
 * superset). Null for an empty prefix.
 */
export function prefixKey(prefix: string, depth = PACKAGE_PREFIX_DEPTH): string | null {
  const segments = prefix.split('.').filter((s) => s.length > 0);
  if (segments.length === 0 || depth < 1) return null;
  return segments.slice(0, depth).join('.');
}
