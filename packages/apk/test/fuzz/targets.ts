import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ZipArchive, parseManifest } from '../../src/index.js';
import { corporaDir, realApks } from '../support/fixtures.js';

export interface FuzzResult {
  target: string;
  iterations: number;
  accepted: number;
  rejected: number;
  unexpected: { iteration: number; seedFile: string; mutations: string; error: string }[];
}

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzTarget {
  /** Real inputs to mutate. */
  seeds(): Seed[];
  /** Parses one mutated input; may throw ApkFormatError, nothing else. */
  run(bytes: Uint8Array): void;
  /** Where most mutations land (headers and chunk sizes live near the start). */
  hotRegion?: number;
}

function entryOf(apk: string, name: string): Seed {
  const zip = ZipArchive.open(apk);
  try {
    return { name: `${apk.split('/').pop()}!${name}`, bytes: Uint8Array.from(zip.read(name)) };
  } finally {
    zip.close();
  }
}

const manifests = (): Seed[] => {
  const seeds = Object.values(realApks).map((apk) => entryOf(apk, 'AndroidManifest.xml'));
  if (corporaDir) {
    const dir = join(corporaDir, 'axml');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) seeds.push({ name, bytes: readFileSync(join(dir, name)) });
  }
  return seeds;
};

/** Small whole archives: the androidTest APK and, when present, the AOSP signing vectors. */
const smallApks = (): Seed[] => {
  const seeds: Seed[] = [{ name: 'uiautomator2Test.apk', bytes: readFileSync(realApks.uiautomator2Test) }];
  if (corporaDir) {
    const dir = join(corporaDir, 'apksig');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.apk')).slice(0, 40)) seeds.push({ name, bytes: readFileSync(join(dir, name)) });
  }
  return seeds;
};

export const fuzzTargets: Record<string, FuzzTarget> = {
  zip: {
    seeds: smallApks,
    hotRegion: 1 << 30,
    run(bytes) {
      const zip = ZipArchive.fromBytes(bytes, { maxTotalInflated: 64 << 20 });
      for (const entry of zip.entries.slice(0, 50)) {
        try {
          zip.read(entry, { maxSize: 8 << 20 });
        } catch (error) {
          // A broken entry is normal; the archive as a whole must still be listable.
          if (!(error instanceof Error) || error.name !== 'ApkFormatError') throw error;
        }
      }
    },
  },
  manifest: {
    seeds: manifests,
    run(bytes) {
      parseManifest(bytes);
    },
  },
};
