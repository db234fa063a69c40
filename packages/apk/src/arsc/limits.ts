/**
 * Budgets for one resources.arsc. The defaults admit the platform's own framework-res table (one
 * package, ~11k resources, ~2.2k string configurations, a 9 MB string pool) with a wide margin, while a
 * hostile table that claims billions of strings or entries is refused before anything is allocated.
 */
export interface ArscLimits {
  /** Largest table we accept at all (bytes). */
  maxTableSize: number;
  /** Chunks of any kind in the whole table, nested ones included. */
  maxChunks: number;
  /** Package chunks (a package id is one byte, but several chunks may share one id). */
  maxPackages: number;
  /** Strings (and, separately, style spans) in one string pool. */
  maxStrings: number;
  /** Entries declared by one type or type-spec chunk (resource entry indexes are 16-bit). */
  maxEntriesPerType: number;
  /** Items in one complex (bag) entry. */
  maxBagItems: number;
  /** Locales `localizedStrings` reports beyond the fixed ones (framework-res has ~100). */
  maxLocales: number;
  /** References followed while resolving one value before giving up. */
  maxReferenceDepth: number;
}

export const DEFAULT_ARSC_LIMITS: ArscLimits = {
  maxTableSize: 256 * 1024 ** 2,
  maxChunks: 500_000,
  maxPackages: 512,
  maxStrings: 4_000_000,
  maxEntriesPerType: 0x10000,
  maxBagItems: 0x10000,
  maxLocales: 1000,
  maxReferenceDepth: 32,
};
