/**
 * Budgets for reading one archive. The defaults admit the largest real apps we know of (300 MB
 * packages with 100k+ classes) while stopping bombs long before they exhaust memory.
 */
export interface ZipLimits {
  /** Largest archive file we open at all. */
  maxArchiveSize: number;
  /** Central directory records. Large games ship ~60k entries. */
  maxEntries: number;
  maxCentralDirectorySize: number;
  /** Largest single inflated entry. */
  maxEntrySize: number;
  /** Sum of everything inflated from one archive in one analysis. */
  maxTotalInflated: number;
  /** Uncompressed:compressed ratio above which an entry over 1 MiB is treated as a bomb. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxArchiveSize: 4 * 1024 ** 3,
  maxEntries: 200_000,
  maxCentralDirectorySize: 64 * 1024 ** 2,
  maxEntrySize: 512 * 1024 ** 2,
  maxTotalInflated: 4 * 1024 ** 3,
  maxRatio: 200,
};
