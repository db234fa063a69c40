import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { BufferSource } from '../io/source.js';
import { basename } from 'node:path';
import { ApkFormatError } from '../errors.js';
import { ZipArchive, type ZipLimits } from '../zip/index.js';
import { parseManifest, type AndroidManifest } from '../manifest/index.js';
import { readResourceTable, type LocalizedStrings, type ResourceTable } from '../arsc/index.js';
import { dexEntryNames, parseDex, type DexCodeScan, type DexFile } from '../dex/index.js';
import { scanJar, type JarScan } from '../classfile/index.js';
import { listNativeLibraries, type NativeLibraryListing } from '../elf/index.js';
import { verifyApkSignatures, type ApkSignatureResult } from '../signing/index.js';
import { detectPackageKind, type PackageKind } from './detect.js';
import { countDefinedMethods } from './dex-counts.js';
import { sdkNumber } from './sdk.js';
import type { SignatureWorkerInput, SignatureWorkerOutput } from './signature-worker.js';
import { DEFAULT_NESTED_BUDGET, inspectNested, type NestedArchive, type NestedBudget } from './nested.js';

/**
 * One entry point that reads a whole APK, JAR or AAR with every parser of this library. Each stage
 * is optional and isolated: a broken part becomes a `problem` (or, in strict mode, the error), so a
 * hostile package cannot hide the rest of its contents by corrupting one file.
 */
export type AnalysisStage = 'open' | 'hash' | 'manifest' | 'resources' | 'dex' | 'classes' | 'native' | 'signatures' | 'nested';

export interface AnalyzeOptions {
  zipLimits?: Partial<ZipLimits>;
  nestedBudget?: Partial<NestedBudget>;
  /** Scan every method body for invokes, field reads and string loads (default true). */
  scanCode?: boolean;
  /** Verify signatures (default true for APKs). */
  verifySignatures?: boolean;
  /** minSdkVersion for signature rules; default: the manifest's. */
  minSdk?: number;
  /**
   * Stop at the first unreadable part (the default), or record it in `problems` and go on.
   * The CLI's `--keep-going` turns strict off.
   */
  strict?: boolean;
  onProgress?: (stage: AnalysisStage, done?: number, total?: number) => void;
  /** Wraps each stage, e.g. to time it. */
  measure?: <T>(stage: AnalysisStage, work: () => T) => T;
  /** Results computed elsewhere (the signature worker): these stages are then skipped. */
  precomputed?: { sha256?: string; signatures?: ApkSignatureResult | null };
}

export interface AnalysisProblem {
  stage: AnalysisStage;
  code: string;
  message: string;
  entry?: string;
}

export interface DexAnalysis {
  name: string;
  size: number;
  dex: DexFile;
  /** Methods defined by the file's classes. */
  definedMethods: number;
  scan: DexCodeScan | undefined;
}

export interface PackageAnalysis {
  path: string;
  fileName: string;
  size: number;
  sha256: string;
  kind: PackageKind;
  archive: ZipArchive;
  manifest: AndroidManifest | undefined;
  resources: ResourceTable | undefined;
  /** The app name per locale, resolved through resources.arsc. */
  labels: LocalizedStrings;
  /** The launcher icon file at the highest density. */
  icon: string | undefined;
  dex: DexAnalysis[];
  /** `classesN.dex` entries Android would not load (gaps in the numbering). */
  ignoredDex: string[];
  jar: JarScan | undefined;
  nativeLibraries: NativeLibraryListing | undefined;
  signatures: ApkSignatureResult | undefined;
  nested: NestedArchive[];
  problems: AnalysisProblem[];
  /** Closes the file. The analysis keeps what it read; lazy lookups on `archive` fail afterwards. */
  close(): void;
}

function sha256Of(archive: ZipArchive): string {
  const hash = createHash('sha256');
  const chunk = 4 * 1024 * 1024;
  for (let offset = 0; offset < archive.source.size; offset += chunk) {
    hash.update(archive.source.read(offset, Math.min(chunk, archive.source.size - offset)));
  }
  return hash.digest('hex');
}

/** The icon file at the highest density (what a store shows), or undefined. */
function iconFile(manifest: AndroidManifest, resources: ResourceTable | undefined): string | undefined {
  const icon = manifest.application?.icon;
  if (!icon) return undefined;
  if (icon.kind === 'string') return icon.value;
  return resources?.resolveFile(icon.id, { density: 640 });
}

export function analyzePackage(path: string, options: AnalyzeOptions = {}): PackageAnalysis {
  const archive = ZipArchive.open(path, options.zipLimits);
  try {
    return analyzeArchive(archive, path, options);
  } catch (error) {
    archive.close();
    throw error;
  }
}

/** Same as analyzePackage, for an archive already open (in memory, nested, ...). */
export function analyzeArchive(archive: ZipArchive, path: string, options: AnalyzeOptions = {}): PackageAnalysis {
  const strict = options.strict ?? true;
  const measure = options.measure ?? (<T>(_stage: AnalysisStage, work: () => T) => work());
  const progress = options.onProgress ?? (() => {});
  const problems: AnalysisProblem[] = [];

  /** Runs one stage; ApkFormatError becomes a problem unless strict. Other errors are bugs and escape. */
  function stage<T>(name: AnalysisStage, work: () => T): T | undefined {
    progress(name);
    try {
      return measure(name, work);
    } catch (error) {
      if (!(error instanceof ApkFormatError) || strict) throw error;
      problems.push({ stage: name, code: error.code, message: error.message, ...(error.entry ? { entry: error.entry } : {}) });
      return undefined;
    }
  }

  progress('open');
  const kind = detectPackageKind(archive);
  if (!kind) {
    throw new ApkFormatError('not-apk', 'not an APK, JAR or AAR: no AndroidManifest.xml, classes.dex or class files');
  }
  if (kind === 'apk' && !archive.has('AndroidManifest.xml')) {
    throw new ApkFormatError('not-apk', 'not an APK: no AndroidManifest.xml');
  }
  const sha256 = options.precomputed?.sha256 ?? measure('hash', () => sha256Of(archive));

  let manifest: AndroidManifest | undefined;
  let resources: ResourceTable | undefined;
  let labels: LocalizedStrings = {};
  let icon: string | undefined;
  if (kind === 'apk') {
    manifest = stage('manifest', () => parseManifest(archive.read('AndroidManifest.xml')));
    resources = stage('resources', () => readResourceTable(archive));
    const label = manifest?.application?.label;
    if (label?.kind === 'string') labels = { default: label.value };
    else if (label && resources) labels = stage('resources', () => resources!.localizedStrings(label.id)) ?? {};
    if (manifest) icon = stage('resources', () => iconFile(manifest!, resources));
  }

  const dex: DexAnalysis[] = [];
  const names = dexEntryNames(archive);
  if (names.loaded.length > 0) {
    const scanCode = options.scanCode ?? true;
    names.loaded.forEach((name, i) => {
      progress('dex', i, names.loaded.length);
      const result = stage('dex', () => {
        const bytes = archive.read(name);
        const file = parseDex(bytes, { name });
        const scan = scanCode ? file.scanCode() : undefined;
        return {
          name,
          size: bytes.byteLength,
          dex: file,
          definedMethods: scan ? scan.definedMethodCount : countDefinedMethods(file),
          scan,
        };
      });
      if (result) dex.push(result);
    });
    progress('dex', names.loaded.length, names.loaded.length);
  }

  const jar = kind === 'jar' || kind === 'aar' ? stage('classes', () => scanJar(archive)) : undefined;
  const nativeLibraries = stage('native', () => listNativeLibraries(archive));

  let signatures: ApkSignatureResult | undefined = options.precomputed?.signatures ?? undefined;
  if (kind === 'apk' && (options.verifySignatures ?? true) && options.precomputed?.signatures === undefined) {
    const minSdk = options.minSdk ?? sdkNumber(manifest?.minSdkVersion) ?? 1;
    const targetSdk = sdkNumber(manifest?.targetSdkVersion);
    signatures = stage('signatures', () => verifyApkSignatures(archive, { minSdk, ...(targetSdk !== undefined ? { targetSdk } : {}) }));
  }

  const nested = stage('nested', () => inspectNested(archive, { ...DEFAULT_NESTED_BUDGET, ...options.nestedBudget })) ?? [];

  return {
    path,
    fileName: basename(path),
    size: archive.source.size,
    sha256,
    kind,
    archive,
    manifest,
    resources,
    labels,
    icon,
    dex,
    ignoredDex: names.ignored,
    jar,
    nativeLibraries,
    signatures,
    nested,
    problems,
    close: () => archive.close(),
  };
}

const workerUrl = new URL('./signature-worker.js', import.meta.url);
// Running from TypeScript sources (tests under tsx) there is no compiled worker file to start.
const workerAvailable = import.meta.url.endsWith('.js');

function runSignatureWorker(input: SignatureWorkerInput): Promise<SignatureWorkerOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: input });
    worker.once('message', (output: SignatureWorkerOutput) => {
      resolve(output);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`signature worker exited with code ${code}`)));
  });
}

/**
 * Like analyzePackage, using both cores: a worker thread hashes the file and verifies signatures
 * while this thread parses the manifest, resources and DEX. Falls back to one thread for archives
 * too large to hold in memory (and when running from TypeScript sources).
 */
export async function analyzePackageAsync(path: string, options: AnalyzeOptions = {}): Promise<PackageAnalysis> {
  const archive = ZipArchive.open(path, options.zipLimits);
  try {
    const source = archive.source;
    if (!workerAvailable || !(source instanceof BufferSource) || !(source.bytes.buffer instanceof SharedArrayBuffer)) {
      return analyzeArchive(archive, path, options);
    }
    const pending = runSignatureWorker({
      bytes: source.bytes,
      verify: options.verifySignatures ?? true,
      minSdk: options.minSdk,
      zipLimits: options.zipLimits ?? {},
    });
    // Keep a rejected promise from being reported as unhandled while the main thread works.
    pending.catch(() => {});
    const analysis = analyzeArchive(archive, path, { ...options, precomputed: { sha256: '', signatures: null } });
    options.onProgress?.('signatures');
    const output = await pending;
    if (!output.ok) {
      if ('bug' in output) throw new Error(`signature worker failed: ${output.bug}`);
      const problem = new ApkFormatError(output.error.code, output.error.message);
      if (options.strict ?? true) throw problem;
      analysis.problems.push({ stage: 'signatures', code: problem.code, message: problem.message });
      analysis.sha256 = sha256Of(archive);
      return analysis;
    }
    analysis.sha256 = output.sha256;
    analysis.signatures = analysis.kind === 'apk' ? output.signatures : undefined;
    return analysis;
  } catch (error) {
    archive.close();
    throw error;
  }
}
