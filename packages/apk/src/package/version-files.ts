import { ApkFormatError } from '../errors.js';
import type { ZipArchive } from '../zip/index.js';

/**
 * Small text files that state the version of the library they ship with: a JAR's
 * `META-INF/MANIFEST.MF` (Implementation-Version, Bundle-Version), Maven's
 * `META-INF/maven/<group>/<artifact>/pom.properties`, and the `META-INF/<group>_<artifact>.version`
 * files Gradle builds of AndroidX and Google libraries leave in APKs, and the top-level
 * `<artifact>.properties` files (`version=18.9.0`, `client=play-services-base`) Google Play services
 * and Firebase libraries ship. SDK detection reads the
 * versions out of them; the files are kept as text so the reader stays in one place.
 */
export interface VersionFile {
  /** Path from the outer archive, `!/` between levels: `libs/x.jar!/META-INF/MANIFEST.MF`. */
  path: string;
  text: string;
}

export interface VersionFileLimits {
  /** Most files kept per analysis (default 512): an APK holds one per AndroidX artifact. */
  maxFiles: number;
  /** Files larger than this are not version files and are skipped (default 16 KiB). */
  maxSize: number;
}

export const DEFAULT_VERSION_FILE_LIMITS: VersionFileLimits = { maxFiles: 512, maxSize: 16 * 1024 };

const VERSION_FILE = /^(?:META-INF\/(?:MANIFEST\.MF|[^/]+\.version|maven\/[^/]+\/[^/]+\/pom\.properties)|[^/]+\.properties)$/;

export function isVersionFile(name: string): boolean {
  return VERSION_FILE.test(name);
}

/**
 * Appends the version files of one archive level to `out`. Unreadable or oversized entries are
 * skipped: a version is a hint, never a reason to fail the analysis.
 */
export function readVersionFiles(
  archive: ZipArchive,
  prefix: string,
  out: VersionFile[],
  limits: VersionFileLimits = DEFAULT_VERSION_FILE_LIMITS,
): void {
  for (const entry of archive.entries) {
    if (out.length >= limits.maxFiles) return;
    if (entry.isDirectory || entry.uncompressedSize > limits.maxSize || !VERSION_FILE.test(entry.name)) continue;
    try {
      const bytes = archive.read(entry, { maxSize: limits.maxSize });
      out.push({ path: prefix + entry.name, text: new TextDecoder('utf-8').decode(bytes) });
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
    }
  }
}
