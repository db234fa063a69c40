/**
 * Worker thread for the second core. It takes DEX files from the large end of the queue it shares
 * with the main thread (parsing and scanning each) until none is left, and sends them: DEX bytes
 * and scan arrays go in the transfer list (moved, not copied). Then it hashes the file and verifies
 * the signatures while the main thread matches the code against the catalogues, and sends those.
 * It serves one package per message (two answers: `dex`, then `done`) and then waits for the next.
 */
import { parentPort } from 'node:worker_threads';
import { ApkFormatError } from '../errors.js';
import { parseDex, type DexCodeScanTransfer, type DexIssue } from '../dex/index.js';
import { verifyApkSignatures, type ApkSignatureResult } from '../signing/index.js';
import { ZipArchive, type ZipLimits } from '../zip/index.js';
import { sha256Of } from './hash.js';
import { signatureSdksOf } from './sdk.js';
import { DexQueue, dexQueueOrder } from './worker-share.js';

export interface AnalysisWorkerInput {
  path: string;
  verify: boolean;
  minSdk: number | undefined;
  zipLimits: Partial<ZipLimits>;
  /** The counter of the DEX queue (DexQueue) shared with the main thread. */
  queue: SharedArrayBuffer;
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
  | { ok: true; step: 'dex'; dex: WorkerDex[] }
  | { ok: true; step: 'done'; sha256: string; signatures: ApkSignatureResult | undefined; signatureError?: WorkerError }
  | { ok: false; error: WorkerError }
  | { ok: false; bug: string };

function asWorkerError(error: unknown): WorkerError {
  if (!(error instanceof ApkFormatError)) throw error;
  return { code: error.code, message: error.message, ...(error.entry ? { entry: error.entry } : {}) };
}

/**
 * Whether `bytes` alone use their buffer, so it can be moved rather than copied (a copy of a 10 MB
 * `classes.dex` cost tens of milliseconds on the scan's critical path). An inflated entry is a view
 * of zlib's one output chunk, a byte longer than the data (the byte that tells an entry inflating to
 * more than its declared size). Node's shared pool only holds buffers under 4 KiB.
 */
function ownsBuffer(bytes: Uint8Array): boolean {
  return (
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength >= 64 * 1024 &&
    bytes.buffer.byteLength - bytes.byteLength <= 1
  );
}

function readDex(archive: ZipArchive, name: string, scanCode: boolean, transfer: ArrayBuffer[]): WorkerDex {
  try {
    let bytes = archive.read(name);
    // Only a buffer the bytes own alone can be moved to the other thread; others are copied.
    if (!ownsBuffer(bytes)) bytes = new Uint8Array(bytes);
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

function run(input: AnalysisWorkerInput, send: (output: AnalysisWorkerOutput, transfer?: ArrayBuffer[]) => void): void {
  const archive = ZipArchive.open(input.path, input.zipLimits);
  try {
    const queue = new DexQueue(dexQueueOrder(archive), input.queue);
    const dex: WorkerDex[] = [];
    const transfer: ArrayBuffer[] = [];
    for (let next = queue.take('largest'); next; next = queue.take('largest'))
      dex.push(readDex(archive, next.name, input.scanCode, transfer));
    send({ ok: true, step: 'dex', dex }, transfer);
    const sha256 = sha256Of(archive.source);
    const { signatures, signatureError } = verify(archive, input);
    send({ ok: true, step: 'done', sha256, signatures, ...(signatureError ? { signatureError } : {}) });
  } finally {
    archive.close();
  }
}

// One package per message; the thread stays up for the next one (analyze.ts keeps it while idle).
// A failure ends the package's answers (the main thread takes it for whichever answer it awaits).
parentPort?.on('message', (input: AnalysisWorkerInput) => {
  try {
    run(input, (output, transfer) => parentPort!.postMessage(output, transfer));
  } catch (error) {
    parentPort!.postMessage(
      error instanceof ApkFormatError
        ? { ok: false, error: asWorkerError(error) }
        : { ok: false, bug: error instanceof Error ? (error.stack ?? error.message) : String(error) },
    );
  }
});
