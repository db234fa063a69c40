import { ApkFormatError, type ApkErrorCode } from '../errors.js';
import { listNativeLibraries, type NativeLibrary } from '../elf/native-libs.js';
import { ZipArchive, type ZipEntry } from '../zip/index.js';
import { ClassStrings } from './constant-pool.js';
import { parseClassFile, type ClassFile } from './parse.js';
import { readVersionFiles, type VersionFile } from '../package/version-files.js';

export interface JarScanOptions {
  /** Stop after this many classes (default 200 000). */
  maxClasses?: number;
  /** Class entries above this inflated size are skipped with an issue (default 16 MiB; the JVM's own limits sit far below). */
  maxClassSize?: number;
  /** Total bytes inflated across the archive and every nested archive (default 1 GiB). */
  maxTotalSize?: number;
  /** How deep nested archives (an AAR's classes.jar and libs/*.jar) are opened (default 2). */
  maxDepth?: number;
  /** Cap for the text files returned from AARs (default 16 MiB each). */
  maxTextSize?: number;
  /** Scan bytecode for invokes, field accesses and ldc (default true). */
  code?: boolean;
  /** Read `jni/<abi>/*.so` (and `lib/<abi>/*.so`) in the top-level archive (default true). */
  nativeLibraries?: boolean;
}

export interface JarClass extends ClassFile {
  /** Where the class came from: `com/x/Y.class`, or `classes.jar!/com/x/Y.class` inside an AAR. */
  path: string;
  /** For classes only found under `META-INF/versions/<n>/`, that n. */
  release?: number;
}

export interface JarIssue {
  path: string;
  code: ApkErrorCode;
  message: string;
}

export interface AarManifest {
  /** The manifest as text (AARs carry plain XML, not binary XML). */
  text: string;
  /** The `package` attribute of `<manifest>`, when present (newer AGP writes it only in build files). */
  package: string | undefined;
}

export interface JarScan {
  kind: 'jar' | 'aar';
  classes: JarClass[];
  /** Nested archives whose classes were scanned, e.g. `classes.jar`, `libs/gson.jar`. */
  archives: string[];
  /** Classes, nested archives and texts we could not read, one each; the scan went on without them. */
  issues: JarIssue[];
  /** `META-INF/versions/<n>/` classes dropped because the base version of the class is present. */
  skippedVersionedClasses: number;
  /** A budget (class count, total size) stopped the scan before the end. */
  truncated: boolean;
  /** AAR only. */
  manifest?: AarManifest;
  /** AAR only: `R.txt`. */
  rTxt?: string;
  /** AAR only: `proguard.txt` (consumer ProGuard rules). */
  proguard?: string;
  nativeLibraries: NativeLibrary[];
  /** MANIFEST.MF, pom.properties and `*.version` files of the archive and its nested JARs (SDK versions). */
  versionFiles: VersionFile[];
}

const VERSIONED = /^META-INF\/versions\/(\d+)\/(.+\.class)$/;
const AAR_NESTED_JAR = /^(classes\.jar|libs\/[^/]+\.jar)$/;
const BINARY_XML_MAGIC = 0x0003;

class Budget {
  totalSize = 0;
  truncated = false;
  /** The classes of the archive and its nested archives share their strings (see ClassStrings). */
  readonly strings = new ClassStrings();

  constructor(readonly options: Required<JarScanOptions>) {}
}

/**
 * Reads every class of a JAR, or of an AAR (its classes.jar and libs/*.jar), plus the AAR's
 * manifest, R.txt, proguard.txt and native libraries. Nothing inside the archive stops the scan:
 * unreadable entries become `issues`, budgets set `truncated`. Only a failure of the top-level
 * archive itself (or a bug) throws.
 */
export function scanJar(archive: ZipArchive, options: JarScanOptions = {}): JarScan {
  const budget = new Budget({
    maxClasses: options.maxClasses ?? 200_000,
    maxClassSize: options.maxClassSize ?? 16 * 1024 ** 2,
    maxTotalSize: options.maxTotalSize ?? 1024 ** 3,
    maxDepth: options.maxDepth ?? 2,
    maxTextSize: options.maxTextSize ?? 16 * 1024 ** 2,
    code: options.code ?? true,
    nativeLibraries: options.nativeLibraries ?? true,
  });
  const kind = isAar(archive) ? 'aar' : 'jar';
  const scan: JarScan = {
    kind,
    classes: [],
    archives: [],
    issues: [],
    skippedVersionedClasses: 0,
    truncated: false,
    nativeLibraries: [],
    versionFiles: [],
  };
  scanArchive(archive, '', 0, budget, scan);
  if (kind === 'aar') {
    const manifestText = readText(archive, 'AndroidManifest.xml', budget, scan);
    if (manifestText !== undefined) scan.manifest = { text: manifestText, package: manifestPackage(manifestText) };
    scan.rTxt = readText(archive, 'R.txt', budget, scan);
    scan.proguard = readText(archive, 'proguard.txt', budget, scan);
    if (scan.rTxt === undefined) delete scan.rTxt;
    if (scan.proguard === undefined) delete scan.proguard;
  }
  if (budget.options.nativeLibraries) scan.nativeLibraries = listNativeLibraries(archive).libraries;
  scan.truncated = budget.truncated;
  return scan;
}

/** An AAR has a classes.jar, or a root AndroidManifest.xml without DEX (which would make it an APK). */
function isAar(archive: ZipArchive): boolean {
  return archive.has('classes.jar') || (archive.has('AndroidManifest.xml') && !archive.has('classes.dex'));
}

function scanArchive(archive: ZipArchive, prefix: string, depth: number, budget: Budget, scan: JarScan): void {
  const aar = depth === 0 ? scan.kind === 'aar' : isAar(archive);
  const baseNames = new Set<string>();
  const versioned = new Map<string, { entry: ZipEntry; release: number }>();
  const classEntries: ZipEntry[] = [];
  const nested: ZipEntry[] = [];
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const name = entry.name;
    if (name.endsWith('.class')) {
      const v = VERSIONED.exec(name);
      if (v) {
        // Keep the lowest release of a class that exists only in versioned form: it is the one
        // closest to what a base-level (Android) consumer would have seen.
        const release = Number(v[1]);
        const path = v[2]!;
        const previous = versioned.get(path);
        if (previous) scan.skippedVersionedClasses++;
        if (!previous || release < previous.release) versioned.set(path, { entry, release });
      } else {
        baseNames.add(name);
        classEntries.push(entry);
      }
    } else if (aar && AAR_NESTED_JAR.test(name)) {
      nested.push(entry);
    }
  }

  readVersionFiles(archive, prefix, scan.versionFiles);
  for (const entry of classEntries) {
    if (!readClass(archive, entry, prefix, undefined, budget, scan)) return;
  }
  for (const [path, { entry, release }] of versioned) {
    if (baseNames.has(path)) {
      scan.skippedVersionedClasses++;
      continue;
    }
    if (!readClass(archive, entry, prefix, release, budget, scan)) return;
  }

  for (const entry of nested) {
    const path = prefix + entry.name;
    if (depth + 1 > budget.options.maxDepth) {
      addIssue(scan, path, 'limit', `nested archive is deeper than ${budget.options.maxDepth} levels; not scanned`);
      continue;
    }
    const bytes = readEntry(archive, entry, path, Infinity, budget, scan);
    if (bytes === undefined) {
      if (budget.truncated) return;
      continue;
    }
    let inner: ZipArchive;
    try {
      inner = ZipArchive.fromBytes(bytes, { maxTotalInflated: Math.max(0, budget.options.maxTotalSize - budget.totalSize) });
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      addIssue(scan, path, error.code, error.message);
      continue;
    }
    scan.archives.push(path);
    scanArchive(inner, `${path}!/`, depth + 1, budget, scan);
    if (budget.truncated) return;
  }
}

/** Reads and parses one class; false when a budget says to stop. */
function readClass(
  archive: ZipArchive,
  entry: ZipEntry,
  prefix: string,
  release: number | undefined,
  budget: Budget,
  scan: JarScan,
): boolean {
  const path = prefix + entry.name;
  if (scan.classes.length >= budget.options.maxClasses) {
    budget.truncated = true;
    addIssue(scan, path, 'limit', `class limit of ${budget.options.maxClasses} reached; the rest of the archive was not scanned`);
    return false;
  }
  const bytes = readEntry(archive, entry, path, budget.options.maxClassSize, budget, scan);
  if (bytes === undefined) return !budget.truncated;
  try {
    const parsed: JarClass = { ...parseClassFile(bytes, path, { code: budget.options.code, strings: budget.strings }), path };
    if (release !== undefined) parsed.release = release;
    scan.classes.push(parsed);
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    addIssue(scan, path, error.code, error.message);
  }
  return true;
}

/** Inflates one entry within the budgets; undefined (with an issue) when it cannot be had. */
function readEntry(
  archive: ZipArchive,
  entry: ZipEntry,
  path: string,
  maxSize: number,
  budget: Budget,
  scan: JarScan,
): Uint8Array | undefined {
  if (entry.uncompressedSize > maxSize) {
    addIssue(scan, path, 'limit', `${entry.uncompressedSize} bytes is over the per-entry limit of ${maxSize}`);
    return undefined;
  }
  if (budget.totalSize + entry.uncompressedSize > budget.options.maxTotalSize) {
    budget.truncated = true;
    addIssue(scan, path, 'limit', `total inflated size would pass ${budget.options.maxTotalSize} bytes; scan stopped here`);
    return undefined;
  }
  try {
    const bytes = archive.read(entry, { maxSize: Math.min(maxSize, budget.options.maxTotalSize - budget.totalSize) });
    budget.totalSize += bytes.byteLength;
    return bytes;
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    addIssue(scan, path, error.code, error.message);
    // The archive's own total-inflation cap is hit for good; the next reads would fail the same way.
    if (error.code === 'zip-limit' && /total inflated/.test(error.message)) budget.truncated = true;
    return undefined;
  }
}

function readText(archive: ZipArchive, name: string, budget: Budget, scan: JarScan): string | undefined {
  const entry = archive.get(name);
  if (!entry) return undefined;
  const bytes = readEntry(archive, entry, name, budget.options.maxTextSize, budget, scan);
  if (bytes === undefined) return undefined;
  if (bytes.byteLength >= 2 && (bytes[0]! | (bytes[1]! << 8)) === BINARY_XML_MAGIC) {
    addIssue(scan, name, 'not-apk', 'file is binary XML, not the plain text an AAR carries');
    return undefined;
  }
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

function addIssue(scan: JarScan, path: string, code: ApkErrorCode, message: string): void {
  scan.issues.push({ path, code, message });
}

/**
 * The `package` attribute of the root `<manifest>` element of a plain-text manifest. A small
 * linear scan rather than an XML parser: comments are skipped, then the start tag is cut out with
 * quote awareness, and only that tag is matched.
 */
export function manifestPackage(xml: string): string | undefined {
  let i = 0;
  while (i < xml.length) {
    const open = xml.indexOf('<', i);
    if (open < 0) return undefined;
    if (xml.startsWith('<!--', open)) {
      const close = xml.indexOf('-->', open + 4);
      if (close < 0) return undefined;
      i = close + 3;
      continue;
    }
    if (xml.startsWith('<manifest', open) && /[\s/>]/.test(xml.charAt(open + 9))) {
      let quote = '';
      let end = open + 9;
      for (; end < xml.length; end++) {
        const c = xml[end]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") {
          quote = c;
        } else if (c === '>') {
          break;
        }
      }
      const tag = xml.slice(open + 9, end);
      const match = /(?:^|\s)package\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag);
      return match ? (match[1] ?? match[2]) : undefined;
    }
    i = open + 1;
  }
  return undefined;
}
