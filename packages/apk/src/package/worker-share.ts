import { dexEntryNames } from '../dex/index.js';
import type { ZipArchive } from '../zip/index.js';

/** Below this size a second thread costs more to start than it saves. */
export const WORKER_MIN_SIZE = 8 * 1024 * 1024;
/**
 * The worker's fixed cost (starting, loading the X.509 code, hashing and verifying), in the bytes of
 * DEX the main thread reads in the same time: about 5 MB on the benchmark APK (npm run bench with 4,
 * 7 and 10 MB gave 0.65, 0.69 and 0.71 s).
 */
export const WORKER_OVERHEAD_BYTES = 5 * 1024 * 1024;

/**
 * DEX files for the worker, so both threads finish at about the same time: the worker's fixed cost
 * plus its DEX should be half of everything. Largest first, each taken only if it still fits.
 */
export function pickWorkerDex(archive: ZipArchive, overhead: number): string[] {
  const loaded = dexEntryNames(archive).loaded;
  const size = (name: string) => archive.get(name)?.uncompressedSize ?? 0;
  const total = loaded.reduce((sum, name) => sum + size(name), 0);
  let budget = (total + overhead) / 2 - overhead;
  const picked: string[] = [];
  for (const name of [...loaded].sort((a, b) => size(b) - size(a))) {
    if (size(name) <= budget) {
      picked.push(name);
      budget -= size(name);
    }
  }
  return picked;
}
