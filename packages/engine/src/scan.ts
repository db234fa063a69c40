import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PolicyAnalysis } from '@apprights/policy';
import { assembleScanReport, type ScanReport, type TraceFacts, type UiFacts } from '@apprights/rules';
import { assembleOptions, knowledgeFor, resolveChecks, type CheckOptions } from './checks.js';
import { AbortError, EngineError, InputError, LimitError, asEngineError, checkAborted } from './errors.js';
import { markActive } from './active.js';
import { attachPatches, matchManifest, type SourceManifest } from './manifest-source/source-manifest.js';
import { FACTS_VERSION, otherEvidence, type ScanFacts } from './facts-section.js';
import { readPackage, type PackageInput, type PackageRead, type ReadLimits } from './package-facts.js';
import { measured, type EngineStage, type RunControl } from './progress.js';
import type { ScanWorkerInput, ScanWorkerMessage } from './scan-worker.js';

export interface ScanOptions extends CheckOptions, RunControl {
  /** Record unreadable parts of the package as problems and go on; default: the first one is an InputError. */
  keepGoing?: boolean;
  /**
   * Search each sensitive API caller for a call path from an entry point (APKs): callers,
   * sensitiveApis and permissionUse then say `reachable` or `present`. Default false: the bounded
   * search costs up to about a second on an 18 MB APK.
   */
  reachability?: boolean;
  /** Limits of the package readers (ZIP entries and sizes, nested archives). */
  limits?: ReadLimits;
  /** The file name reports show when the input is a source or bytes. */
  name?: string;
  /** The privacy policy, analysed (`readPolicy`), checked with the package. */
  policy?: PolicyAnalysis;
  /** A runtime trace and its UI snapshots (`readRuntime`), checked with the package. */
  trace?: TraceFacts;
  ui?: UiFacts;
  /**
   * The app's source AndroidManifest.xml (`readSourceManifest`): checked to be this app's (an
   * InputError `manifest-mismatch` otherwise), and every finding's fix located in it (`fix.patch`).
   */
  manifestSource?: SourceManifest;
  /** Gradle's `namespace`, which relative class names in a source manifest without `package` resolve against. */
  namespace?: string;
  /**
   * Keep the facts section (`report.facts`) in the report: what the rules were run on, so
   * `rerunRules` can judge the app again without the package. Default true.
   */
  facts?: boolean;
}

/** The scan report with its facts section (present unless `facts: false` was asked). */
export type EngineScanReport = ScanReport & { facts?: ScanFacts };

/**
 * Reads a package (APK, JAR or AAR), checks it with the rules, and returns the scan report: plain,
 * locale-free data (render it with @apprights/report). Configuration, app type and listing are
 * checked before the package is read, so a mistake fails at once.
 */
export async function scanPackage(input: PackageInput, options: ScanOptions = {}): Promise<EngineScanReport> {
  const checks = resolveChecks(options);
  checkAborted(options.signal);
  // The catalogues are read while the package is (the SDK catalogue's files are shared with detection).
  const knowledge = knowledgeFor(checks);
  knowledge.catch(() => {});
  const read =
    options.signal && (typeof input === 'string' || input instanceof Uint8Array)
      ? await readInWorker(input, options)
      : await readPackage(input, { ...options, packagePrefixes: options.facts !== false });
  // Calls the trace saw are `active`, before the rules run and the facts are stored.
  const facts = markActive(read.facts, options.trace);
  const snapshot = await knowledge;
  checkAborted(options.signal);
  options.onProgress?.('rules');
  const evidence = otherEvidence(options);
  const report: EngineScanReport = measured(options, 'rules', () =>
    assembleScanReport(facts, { ...assembleOptions(checks, snapshot, options.toolVersion), evidence }),
  );
  if (options.manifestSource) {
    const matched = matchManifest(options.manifestSource, facts, options.namespace);
    report.manifestSource = attachPatches(report.findings, options.manifestSource, matched);
  }
  if (options.facts !== false)
    report.facts = {
      schemaVersion: FACTS_VERSION,
      package: facts,
      ...(read.packagePrefixes ? { packagePrefixes: read.packagePrefixes } : {}),
      ...evidence,
    };
  return report;
}

/**
 * The compiled worker: next to this module in dist/ (and in the CLI's bundle), or, for code run
 * from the TypeScript sources (tests), the built one in ../dist/. Without either, scans read on the
 * caller's thread and an abort is noticed between stages only.
 */
const workerUrl = [new URL('./scan-worker.js', import.meta.url), new URL('../dist/scan-worker.js', import.meta.url)].find((url) =>
  existsSync(fileURLToPath(url)),
);

/**
 * Reads the package in a worker thread that an abort terminates: the readers are synchronous, so
 * only another thread lets the caller stop them mid-file and get the thread and its memory back.
 */
function readInWorker(input: string | Uint8Array, options: ScanOptions): Promise<PackageRead> {
  if (!workerUrl) return readPackage(input, { ...options, packagePrefixes: options.facts !== false });
  const signal = options.signal!;
  return new Promise<PackageRead>((resolve, reject) => {
    const data: ScanWorkerInput = {
      input,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
      ...(options.reachability !== undefined ? { reachability: options.reachability } : {}),
      ...(options.facts !== false ? { packagePrefixes: true } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    };
    const worker = new Worker(workerUrl, { workerData: data });
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      action();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new AbortError(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: ScanWorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.stage as EngineStage, message.done, message.total);
      else if (message.type === 'done') finish(() => resolve(message.read as PackageRead));
      else if (message.type === 'error') finish(() => reject(restoreError(message.error)));
      else finish(() => reject(new Error(`scan worker failed: ${message.message}`)));
    });
    worker.on('error', (error) => finish(() => reject(asEngineError(error))));
    worker.on('exit', (code) => finish(() => reject(new Error(`scan worker exited with code ${code} before answering`))));
  });
}

function restoreError(sent: Extract<ScanWorkerMessage, { type: 'error' }>['error']): EngineError {
  if (sent.kind === 'abort') return new AbortError();
  const Kind = sent.kind === 'limit' ? LimitError : InputError;
  return new Kind(sent.code, sent.text, sent.subject);
}
