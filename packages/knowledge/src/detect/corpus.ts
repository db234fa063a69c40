/**
 * Which catalogue SDKs some real binary confirms: every APK, JAR and AAR under the given paths is
 * analysed and its SDKs detected. `apprights sdk validate --corpus` reports the entries no binary
 * confirms, and the version figures in the notes come from the same walk.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApkFormatError, analyzePackage } from '@apprights/apk';
import type { SdkCatalog, SdkEntry } from '../catalog/sdks.js';
import { detectSdks, type SdkDetection } from './sdks.js';

export interface CorpusLimits {
  /** Most files analysed (default 5000). */
  maxFiles: number;
  /** Deepest folder level walked below each path (default 8). */
  maxDepth: number;
  /** Files above this size are skipped (default 512 MiB). */
  maxSize: number;
}

export const DEFAULT_CORPUS_LIMITS: CorpusLimits = { maxFiles: 5000, maxDepth: 8, maxSize: 512 * 1024 ** 2 };

export interface CorpusFileResult {
  path: string;
  detections: SdkDetection[];
}

export interface CorpusScan {
  files: CorpusFileResult[];
  /** Files that could not be read as a package, with the reason. */
  failures: { path: string; message: string }[];
  /** Ids of the SDKs detected in at least one file. */
  seen: Set<string>;
  /** A limit stopped the walk early. */
  truncated: boolean;
}

const PACKAGE_FILE = /\.(?:apk|jar|aar)$/i;

/** Package files under `paths` (files are taken as given), in a stable order, within the limits. */
export function corpusFiles(
  paths: readonly string[],
  limits: CorpusLimits = DEFAULT_CORPUS_LIMITS,
): { files: string[]; truncated: boolean } {
  const files: string[] = [];
  let truncated = false;
  const walk = (path: string, depth: number): void => {
    if (files.length >= limits.maxFiles) {
      truncated = true;
      return;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.isFile()) {
      if (PACKAGE_FILE.test(path) && stat.size <= limits.maxSize) files.push(path);
      return;
    }
    if (!stat.isDirectory()) return;
    if (depth > limits.maxDepth) {
      truncated = true;
      return;
    }
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of names) if (!name.startsWith('.')) walk(join(path, name), depth + 1);
  };
  for (const p of paths) walk(p, 0);
  return { files, truncated };
}

/** Detects the catalogue's SDKs in every package file under `paths`; unreadable files are listed, not fatal. */
export function scanCorpus(
  paths: readonly string[],
  catalog: SdkCatalog | readonly SdkEntry[],
  limits: CorpusLimits = DEFAULT_CORPUS_LIMITS,
): CorpusScan {
  const { files, truncated } = corpusFiles(paths, limits);
  const out: CorpusScan = { files: [], failures: [], seen: new Set(), truncated };
  for (const path of files) {
    let analysis;
    try {
      analysis = analyzePackage(path, { strict: false, verifySignatures: false });
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      out.failures.push({ path, message: error.message });
      continue;
    }
    try {
      const detections = detectSdks(analysis, catalog);
      for (const d of detections) out.seen.add(d.sdk.id);
      out.files.push({ path, detections });
    } finally {
      analysis.close();
    }
  }
  return out;
}
