import type { ZipArchive } from '../zip/index.js';
import { parseDex, type DexFile, type DexParseOptions } from './dex-file.js';

/** Where the primary DEX lives; Android then loads classes2.dex, classes3.dex, ... while they exist. */
export const PRIMARY_DEX = 'classes.dex';
const DEX_NAME = /^classes(\d*)\.dex$/;

export interface DexEntryNames {
  /** The entries Android's class loader reads, in its order. */
  loaded: string[];
  /** Top-level `classesN.dex` entries it skips (a gap in the numbering, classes1.dex, classes02.dex). */
  ignored: string[];
}

/** Names of the DEX entries in Android's order: classes.dex, then classes2.dex, ... up to the first gap. */
export function dexEntryNames(zip: ZipArchive): DexEntryNames {
  const loaded: string[] = [];
  if (zip.has(PRIMARY_DEX)) {
    loaded.push(PRIMARY_DEX);
    for (let n = 2; zip.has(`classes${n}.dex`); n++) loaded.push(`classes${n}.dex`);
  }
  const taken = new Set(loaded);
  const ignored = zip.entries.map((e) => e.name).filter((name) => DEX_NAME.test(name) && !taken.has(name));
  return { loaded, ignored: [...new Set(ignored)] };
}

export interface MultiDex extends DexEntryNames {
  dexFiles: DexFile[];
}

/** Inflates and parses every DEX Android would load from the archive, in order. */
export function readDexFiles(zip: ZipArchive, options: Omit<DexParseOptions, 'name'> = {}): MultiDex {
  const names = dexEntryNames(zip);
  const dexFiles = names.loaded.map((name) => parseDex(zip.read(name), { ...options, name }));
  return { ...names, dexFiles };
}
