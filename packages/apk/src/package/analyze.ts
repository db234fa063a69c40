import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { basename } from 'node:path';
import { ApkFormatError } from '../errors.js';
import { ZipArchive, type ZipLimits } from '../zip/index.js';
import { parseManifest, type AndroidManifest } from '../manifest/index.js';
import { readResourceTable, type LocalizedStrings, type ResourceTable } from '../arsc/index.js';
import { DexCodeScan, dexEntryNames, parseDex, type DexFile } from '../dex/index.js';
import { scanJar, type JarScan } from '../classfile/index.js';
import { listNativeLibraries, type NativeLibraryListing } from '../elf/index.js';
import { verifyApkSignatures, type ApkSignatureResult } from '../signing/index.js';
import { detectPackageKind, type PackageKind } from './detect.js';
import { isDexFile, loneDexArchive } from './lone-dex.js';
import { countDefinedMethods } from './dex-counts.js';
import { signatureSdks } from './sdk.js';
import { sha256Of } from './hash.js';
import { DEX_QUEUE_BYTES, DexQueue, dexQueueOrder, WORKER_MIN_SIZE } from './worker-share.js';
import type { AnalysisWorkerInput, AnalysisWorkerOutput, WorkerDex } from './analysis-worker.js';
import { readVersionFiles, type VersionFile } from './version-files.js';
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
  /** Tuning of analyzePackageAsync's second thread: the smallest file worth it. Tests set 0 to force it. */
  parallel?: { minSize?: number };
  /**
   * analyzePackageAsync only: called (and awaited) once every DEX file is read, while the worker
   * thread still hashes the file and verifies the signatures, so work on the code (matching it
   * against catalogues) overlaps with theirs. `sha256` and `signatures` are empty until it returns.
   */
  onDexRead?: (analysis: PackageAnalysis) => void | Promise<void>;
  /** @internal Set by analyzePackageAsync (see SharedDex). */
  shared?: SharedDex;
}

/**
 * analyzePackageAsync's side of the work shared with the worker: the worker hashes the file and
 * verifies the signatures; this thread takes DEX files from the queue's small end into `read`, and
 * mergeDex puts both threads' files together in load order.
 */
interface SharedDex {
  queue: DexQueue;
  /** Each file this thread read, or the error that stopped it. */
  read: Map<string, DexAnalysis | ApkFormatError>;
  /** Where in `problems` the DEX stage's problems go (set by finish). */
  problemsAt: number;
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
  /**
   * Files stating library versions (META-INF MANIFEST.MF, pom.properties, `*.version`): of the APK
   * itself, or for a JAR/AAR the same list as `jar.versionFiles` (nested JARs included).
   */
  versionFiles: VersionFile[];
  problems: AnalysisProblem[];
  /** Closes the file. The analysis keeps what it read; lazy lookups on `archive` fail afterwards. */
  close(): void;
}

/** The icon file at the highest density (what a store shows), or undefined. */
function iconFile(manifest: AndroidManifest, resources: ResourceTable | undefined): string | undefined {
  const icon = manifest.application?.icon;
  if (!icon) return undefined;
  if (icon.kind === 'string') return icon.value;
  return resources?.resolveFile(icon.id, { density: 640 });
}

export function analyzePackage(path: string, options: AnalyzeOptions = {}): PackageAnalysis {
  if (isDexFile(path)) return analyzeLoneDex(path, options);
  const archive = ZipArchive.open(path, options.zipLimits);
  try {
    return analyzeArchive(archive, path, options);
  } catch (error) {
    archive.close();
    throw error;
  }
}

/**
 * A bare `.dex` file: read as the one DEX of a package of kind `dex` (no manifest, no signature),
 * with the file's own size and hash, not the one-entry archive it is read through.
 */
function analyzeLoneDex(path: string, options: AnalyzeOptions): PackageAnalysis {
  const { archive, size, sha256 } = loneDexArchive(path, options.zipLimits);
  try {
    const analysis = analyzeArchive(archive, path, { ...options, shared: undefined }, 'dex');
    analysis.size = size;
    analysis.sha256 = sha256;
    return analysis;
  } catch (error) {
    archive.close();
    throw error;
  }
}

/** Same as analyzePackage, for an archive already open (in memory, nested, ...). */
export function analyzeArchive(archive: ZipArchive, path: string, options: AnalyzeOptions = {}, as?: PackageKind): PackageAnalysis {
  return startArchive(archive, path, options, as).finish();
}

/**
 * The stages of analyzeArchive up to the DEX files (kind, hash, manifest, resources), then `finish`
 * for the rest; `readDex` reads one more DEX file (mergeDex's fallback).
 */
function startArchive(
  archive: ZipArchive,
  path: string,
  options: AnalyzeOptions,
  as: PackageKind | undefined,
): { finish: () => PackageAnalysis; readDex: (name: string) => DexAnalysis } {
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
  const detected = as ?? detectPackageKind(archive);
  if (!detected) {
    // A password-protected ZIP (how malware samples are passed around) lists its names but cannot be read.
    const encrypted = archive.entries.filter((e) => e.encrypted && !e.isDirectory).length;
    if (encrypted > 0) {
      throw new ApkFormatError(
        'zip-encrypted',
        `not an APK, JAR or AAR that can be read: ${encrypted} of ${archive.entries.length} entries are encrypted ` +
          '(a password-protected ZIP: extract the package from it first) / 压缩包条目已加密，请先解压出安装包',
      );
    }
    throw new ApkFormatError('not-apk', 'not an APK, JAR or AAR: no AndroidManifest.xml, classes.dex or class files');
  }
  const kind: PackageKind = detected;
  if (kind === 'apk' && !archive.has('AndroidManifest.xml')) {
    throw new ApkFormatError('not-apk', 'not an APK: no AndroidManifest.xml');
  }
  const sha256 = options.shared || as === 'dex' ? '' : measure('hash', () => sha256Of(archive.source));

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

  const scanCode = options.scanCode ?? true;
  function readDex(name: string): DexAnalysis {
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
  }

  return { finish: finishArchive, readDex };

  function finishArchive(): PackageAnalysis {
    const dex: DexAnalysis[] = [];
    const names = dexEntryNames(archive);
    const shared = options.shared;
    if (shared) {
      // Errors are kept, not thrown: mergeDex reports the first in load order, whichever thread read it.
      shared.problemsAt = problems.length;
      for (let next = shared.queue.take('smallest'); next; next = shared.queue.take('smallest')) {
        progress('dex', next.before, shared.queue.order.length);
        const name = next.name;
        progress('dex');
        try {
          shared.read.set(
            name,
            measure('dex', () => readDex(name)),
          );
        } catch (error) {
          if (!(error instanceof ApkFormatError)) throw error;
          shared.read.set(name, error);
        }
      }
    } else if (names.loaded.length > 0) {
      names.loaded.forEach((name, i) => {
        progress('dex', i, names.loaded.length);
        const result = stage('dex', () => readDex(name));
        if (result) dex.push(result);
      });
      progress('dex', names.loaded.length, names.loaded.length);
    }

    const jar = kind === 'jar' || kind === 'aar' ? stage('classes', () => scanJar(archive)) : undefined;
    const nativeLibraries = stage('native', () => listNativeLibraries(archive));

    let signatures: ApkSignatureResult | undefined;
    if (kind === 'apk' && (options.verifySignatures ?? true) && !options.shared) {
      signatures = stage('signatures', () => verifyApkSignatures(archive, signatureSdks(manifest, options.minSdk)));
    }

    let versionFiles: VersionFile[] = jar?.versionFiles ?? [];
    if (!jar) {
      versionFiles = [];
      readVersionFiles(archive, '', versionFiles);
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
      versionFiles,
      problems,
      close: () => archive.close(),
    };
  }
}

const workerUrl = new URL('./analysis-worker.js', import.meta.url);
// Running from TypeScript sources (tests under tsx) there is no compiled worker file to start. (The
// CLI bundle is a .cjs file, with the worker's bundle beside it.)
const workerAvailable = !import.meta.url.endsWith('.ts');

/**
 * One analysis worker is kept between scans (unreferenced while idle, so it never holds a process
 * open): a long-lived process (a platform worker, the benchmark) then pays neither the thread's
 * start nor a cold JIT on every package. A second scan while it is busy gets a worker of its own,
 * stopped after use. A worker that failed or was stopped is never reused.
 */
let idleWorker: Worker | undefined;

/**
 * A launcher may start the worker before it loads this code, so the thread boots while the main
 * one compiles (bin/apprights.js does for `scan` and `diff` of large files), and leave it here.
 */
const PRESTARTED = Symbol.for('apprights.analysisWorker');

function takePrestarted(): Worker | undefined {
  const holder = globalThis as { [PRESTARTED]?: unknown };
  const worker = holder[PRESTARTED];
  delete holder[PRESTARTED];
  // threadId is -1 once the thread has exited (a failed start): such a worker would never answer.
  return worker instanceof Worker && worker.threadId !== -1 ? worker : undefined;
}

type WorkerAnswer<Step> = Extract<AnalysisWorkerOutput, { ok: false } | { step: Step }>;

/** The worker's two answers for one package: its DEX files, then the hash and signatures (or a failure for both). */
interface WorkerRun {
  dex: Promise<WorkerAnswer<'dex'>>;
  done: Promise<WorkerAnswer<'done'>>;
  stop: () => void;
}

function runWorker(input: AnalysisWorkerInput): WorkerRun {
  const pooled = idleWorker ?? takePrestarted();
  idleWorker = undefined;
  const worker = pooled ?? new Worker(workerUrl);
  worker.ref();
  let settled = false;
  let finish = () => {};
  let answerDex!: (output: WorkerAnswer<'dex'>) => void;
  let failDex!: (error: Error) => void;
  const dex = new Promise<WorkerAnswer<'dex'>>((resolve, reject) => {
    answerDex = resolve;
    failDex = reject;
  });
  const done = new Promise<WorkerAnswer<'done'>>((resolve, reject) => {
    finish = () => {
      settled = true;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (output: AnalysisWorkerOutput) => {
      if (output.ok && output.step === 'dex') {
        answerDex(output);
        return;
      }
      finish();
      if (idleWorker === undefined) {
        worker.unref();
        idleWorker = worker;
      } else {
        void worker.terminate();
      }
      if (!output.ok) answerDex(output); // a failure before the DEX answer ends both (a second resolve is ignored)
      resolve(output);
    };
    const onError = (error: Error) => {
      finish();
      void worker.terminate();
      failDex(error);
      reject(error);
    };
    const onExit = (code: number) => {
      finish();
      const error = new Error(`analysis worker exited with code ${code}`);
      failDex(error);
      reject(error);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
  worker.postMessage(input);
  // Keep a rejection from being reported as unhandled while this thread still works.
  dex.catch(() => {});
  done.catch(() => {});
  return {
    dex,
    done,
    // A worker still busy is stopped, and stops listening: an answer it had already sent must not
    // make it idle (a stopped worker never answers again). One that already answered is idle and
    // stays for the next scan.
    stop: () => {
      if (settled) return;
      finish();
      void worker.terminate();
    },
  };
}

/** A DEX file the worker read, over its moved bytes, or the error that stopped it. */
function adoptWorkerDex(item: WorkerDex, scanOptions: { fieldWrites?: boolean }): DexAnalysis | ApkFormatError {
  if (item.error || !item.bytes) return ApkFormatError.restore(item.error ?? { code: 'dex-corrupt', message: `no data for ${item.name}` });
  // The worker already checked the checksum and the id tables and recorded the issues; reading
  // the header and map again is cheap and gives this thread its own DexFile over the moved bytes.
  const dex = parseDex(item.bytes, {
    name: item.name,
    verifyChecksum: false,
    idsChecked: true,
    ...(item.checksumValid !== undefined ? { checksumValid: item.checksumValid } : {}),
  });
  dex.issues.length = 0;
  for (const issue of item.issues ?? []) dex.issues.push(issue);
  dex.issuesDropped = item.issuesDropped ?? 0;
  const scan = item.scan ? DexCodeScan.fromTransfer(dex, scanOptions, item.scan) : undefined;
  if (scan) dex.adoptScan(scan);
  return {
    name: item.name,
    size: item.bytes.byteLength,
    dex,
    definedMethods: scan ? scan.definedMethodCount : countDefinedMethods(dex),
    scan,
  };
}

/**
 * Puts both threads' DEX files into the analysis in Android's load order, as one thread would have:
 * in strict mode the first unreadable file in that order fails the analysis, otherwise each becomes
 * a problem where the DEX stage's problems go. A file neither thread read (the two copies of the
 * central directory disagree, as when the file changes between the two opens) is read here.
 */
function mergeDex(
  analysis: PackageAnalysis,
  shared: SharedDex,
  received: WorkerDex[],
  readHere: (name: string) => DexAnalysis,
  strict: boolean,
): void {
  const loaded = dexEntryNames(analysis.archive).loaded;
  const wanted = new Set(loaded);
  for (const item of received) if (wanted.has(item.name)) shared.read.set(item.name, adoptWorkerDex(item, {}));
  const problems: AnalysisProblem[] = [];
  for (const name of loaded) {
    let outcome = shared.read.get(name);
    if (outcome === undefined) {
      try {
        outcome = readHere(name);
      } catch (error) {
        if (!(error instanceof ApkFormatError)) throw error;
        outcome = error;
      }
    }
    if (!(outcome instanceof ApkFormatError)) {
      analysis.dex.push(outcome);
      continue;
    }
    if (strict) throw outcome;
    problems.push({ stage: 'dex', code: outcome.code, message: outcome.message, ...(outcome.entry ? { entry: outcome.entry } : {}) });
  }
  // Where one thread would have recorded them: after the manifest's and resources', before the rest.
  const after = analysis.problems.splice(shared.problemsAt);
  for (const problem of problems) analysis.problems.push(problem);
  for (const problem of after) analysis.problems.push(problem);
}

/**
 * Like analyzePackage, using both cores: this thread and a worker thread take DEX files from one
 * queue, each the next whenever it is free; then the worker hashes the file and verifies the
 * signatures while this thread runs `onDexRead`. Small archives (and runs from TypeScript sources,
 * which have no compiled worker) use one thread.
 */
export async function analyzePackageAsync(path: string, options: AnalyzeOptions = {}): Promise<PackageAnalysis> {
  const minSize = options.parallel?.minSize ?? WORKER_MIN_SIZE;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // ZipArchive.open reports the problem in its own words.
  }
  if (!workerAvailable || size < minSize || isDexFile(path)) {
    const analysis = analyzePackage(path, options);
    try {
      await options.onDexRead?.(analysis);
    } catch (error) {
      analysis.close();
      throw error;
    }
    return analysis;
  }
  // The worker starts first, so it boots while this thread reads the central directory; each
  // thread then orders the DEX files the same way from its own copy of the directory.
  const counter = new SharedArrayBuffer(DEX_QUEUE_BYTES);
  const worker = runWorker({
    path,
    verify: options.verifySignatures ?? true,
    minSdk: options.minSdk,
    zipLimits: options.zipLimits ?? {},
    queue: counter,
    scanCode: options.scanCode ?? true,
  });
  let archive: ZipArchive | undefined;
  try {
    archive = ZipArchive.open(path, options.zipLimits);
    const strict = options.strict ?? true;
    const queue = new DexQueue(dexQueueOrder(archive), counter);
    const shared: SharedDex = { queue, read: new Map(), problemsAt: 0 };
    const started = startArchive(archive, path, { ...options, shared }, undefined);
    // The catalogues of a caller that loads them on setImmediate (the engine) are read first: this
    // thread's share of the DEX files is what the worker has not taken by then.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const analysis = started.finish();
    options.onProgress?.('signatures');
    const dex = await worker.dex;
    if (!dex.ok) failed(dex);
    mergeDex(analysis, shared, dex.dex, started.readDex, strict);
    await options.onDexRead?.(analysis);
    const output = await worker.done;
    if (!output.ok) failed(output);
    analysis.sha256 = output.sha256;
    if (output.signatureError) {
      const error = ApkFormatError.restore(output.signatureError);
      if (strict) throw error;
      analysis.problems.push({ stage: 'signatures', code: error.code, message: error.message });
    }
    analysis.signatures = analysis.kind === 'apk' ? output.signatures : undefined;
    return analysis;
  } catch (error) {
    worker.stop();
    archive?.close();
    throw error;
  }
}

function failed(output: Extract<AnalysisWorkerOutput, { ok: false }>): never {
  if ('bug' in output) throw new Error(`analysis worker failed: ${output.bug}`);
  throw ApkFormatError.restore(output.error);
}
