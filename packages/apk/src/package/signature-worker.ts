/**
 * Worker thread for the second core: hashes the file and verifies its signatures while the main
 * thread parses DEX. It reads the archive bytes from shared memory, so nothing is copied.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { ApkFormatError } from '../errors.js';
import { parseManifest } from '../manifest/index.js';
import { verifyApkSignatures } from '../signing/index.js';
import { ZipArchive, type ZipLimits } from '../zip/index.js';
import { sdkNumber } from './sdk.js';

export interface SignatureWorkerInput {
  bytes: Uint8Array;
  verify: boolean;
  minSdk: number | undefined;
  zipLimits: Partial<ZipLimits>;
}

export type SignatureWorkerOutput =
  | { ok: true; sha256: string; signatures: ReturnType<typeof verifyApkSignatures> | undefined; ms: { hash: number; signatures: number } }
  | { ok: false; error: { code: ApkFormatError['code']; message: string; entry?: string } }
  | { ok: false; bug: string };

function run(input: SignatureWorkerInput): SignatureWorkerOutput {
  const started = performance.now();
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const hashed = performance.now();
  if (!input.verify) return { ok: true, sha256, signatures: undefined, ms: { hash: hashed - started, signatures: 0 } };
  const archive = ZipArchive.fromBytes(input.bytes, input.zipLimits);
  let minSdk = input.minSdk;
  let targetSdk: number | undefined;
  if (archive.has('AndroidManifest.xml')) {
    try {
      const manifest = parseManifest(archive.read('AndroidManifest.xml'));
      minSdk ??= sdkNumber(manifest.minSdkVersion);
      targetSdk = sdkNumber(manifest.targetSdkVersion);
    } catch (error) {
      // The main thread reports a broken manifest; signatures are then checked for minSdk 1.
      if (!(error instanceof ApkFormatError)) throw error;
    }
  }
  const signatures = verifyApkSignatures(archive, { minSdk: minSdk ?? 1, ...(targetSdk !== undefined ? { targetSdk } : {}) });
  return { ok: true, sha256, signatures, ms: { hash: hashed - started, signatures: performance.now() - hashed } };
}

if (parentPort) {
  let output: SignatureWorkerOutput;
  try {
    output = run(workerData as SignatureWorkerInput);
  } catch (error) {
    output =
      error instanceof ApkFormatError
        ? { ok: false, error: { code: error.code, message: error.message, ...(error.entry ? { entry: error.entry } : {}) } }
        : { ok: false, bug: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort.postMessage(output);
}
