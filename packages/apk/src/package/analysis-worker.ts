/**
 * Worker thread for the second core. While the main thread reads the manifest, resources and its
 * share of the DEX files, this thread hashes the file, verifies the signatures and parses and scans
 * the other DEX files. DEX bytes and scan arrays come back in the transfer list (moved, not copied).
 * It serves one package per message and then waits for the next.
 */
import { parentPort } from 'node:worker_threads';
import { ApkFormatError } from '../errors.js';
import { parseDex, type DexCodeScanTransfer, type DexIssue } from '../dex/index.js';
import { verifyApkSignatures, type ApkSignatureResult } from '../signing/index.js';
import { ZipArchive, type ZipLimits } from '../zip/index.js';
import { sha256Of } from './hash.js';
import { signatureSdksOf } from './sdk.js';
import { pickWorkerDex } from './worker-share.js';

export interface AnalysisWorkerInput {
  path: string;
  verify: boolean;
  minSdk: number | undefined;
  zipLimits: Partial<ZipLimits>;
  /** The worker's fixed cost in DEX bytes: with it, the worker picks its DEX files like the main thread. */
  workerOverheadBytes: number;
  scanCode: boolean;
}

export type WorkerError = { code: ApkFormatError['code']; message: string; entry?: string };

export interface WorkerDex {
  name: string;
  /** The inflated file, or the error that stopped it. */
  bytes?: Uint8Array;
  error?: WorkerError;
  checksumValid?: boolean;
  issues?: DexIssue[];
  issuesDropped?: number;
  scan?: DexCodeScanTransfer;
}

export type AnalysisWorkerOutput =
  | { ok: true; sha256: string; signatures: ApkSignatureResult | undefined; signatureError?: WorkerError; dex: WorkerDex[] }
  | { ok: false; error: WorkerError }
  | { ok: false; bug: string };

function asWorkerError(error: unknown): WorkerError {
  if (!(error instanceof ApkFormatError)) throw error;
  return { code: error.code, message: error.message, ...(error.entry ? { entry: error.entry } : {}) };
}

function readDex(archive: ZipArchive, name: string, scanCode: boolean, transfer: ArrayBuffer[]): WorkerDex {
  try {
    let bytes = archive.read(name);
    // Only a buffer the bytes own alone can be moved to the other thread.
    if (bytes.byteOffset !== 0 || bytes.buffer.byteLength !== bytes.byteLength || !(bytes.buffer instanceof ArrayBuffer))
      bytes = Uint8Array.from(bytes);
    const dex = parseDex(bytes, { name });
    const scan = scanCode ? dex.scanCode().toTransfer() : undefined;
    transfer.push(bytes.buffer as ArrayBuffer);
    if (scan) {
      for (const array of [...scan.slots, scan.refOpcode, scan.refIndex, scan.refPc]) {
        if (!transfer.includes(array.buffer as ArrayBuffer)) transfer.push(array.buffer as ArrayBuffer);
      }
    }
    return {
      name,
      bytes,
      ...(dex.checksumValid !== undefined ? { checksumValid: dex.checksumValid } : {}),
      issues: dex.issues,
      issuesDropped: dex.issuesDropped,
      ...(scan ? { scan } : {}),
    };
  } catch (error) {
    return { name, error: asWorkerError(error) };
  }
}

function verify(archive: ZipArchive, input: AnalysisWorkerInput): { signatures?: ApkSignatureResult; signatureError?: WorkerError } {
  if (!input.verify) return {};
  try {
    // A broken manifest is the main thread's to report; signatures are then checked for minSdk 1.
    return { signatures: verifyApkSignatures(archive, signatureSdksOf(archive, input.minSdk).options) };
  } catch (error) {
    return { signatureError: asWorkerError(error) };
  }
}

function run(input: AnalysisWorkerInput, transfer: ArrayBuffer[]): AnalysisWorkerOutput {
  const archive = ZipArchive.open(input.path, input.zipLimits);
  try {
    const sha256 = sha256Of(archive.source);
    const { signatures, signatureError } = verify(archive, input);
    const dex = pickWorkerDex(archive, input.workerOverheadBytes).map((name) => readDex(archive, name, input.scanCode, transfer));
    return { ok: true, sha256, signatures, ...(signatureError ? { signatureError } : {}), dex };
  } finally {
    archive.close();
  }
}

// One package per message; the thread stays up for the next one (analyze.ts keeps it while idle).
parentPort?.on('message', (input: AnalysisWorkerInput) => {
  const transfer: ArrayBuffer[] = [];
  let output: AnalysisWorkerOutput;
  try {
    output = run(input, transfer);
  } catch (error) {
    output =
      error instanceof ApkFormatError
        ? { ok: false, error: asWorkerError(error) }
        : { ok: false, bug: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(output, transfer);
});
