/**
 * The thread a scan given an AbortSignal reads its package in. The package readers are synchronous
 * (they parse for hundreds of milliseconds without yielding), so an abort could not be noticed on
 * the caller's thread until they finish; here the caller terminates this thread instead, and the
 * thread (with its memory) is gone at once. Only plain data crosses: the input path or bytes, the
 * limits, progress messages and the package facts and prefixes (JSON) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError } from './errors.js';
import { readPackage, type ReadLimits } from './package-facts.js';

export interface ScanWorkerInput {
  input: string | Uint8Array;
  name?: string;
  keepGoing?: boolean;
  reachability?: boolean;
  packagePrefixes?: boolean;
  limits?: ReadLimits;
}

export type ScanWorkerMessage =
  | { type: 'progress'; stage: string; done?: number; total?: number }
  | { type: 'done'; read: unknown }
  | { type: 'error'; error: { kind: 'input' | 'limit' | 'abort'; code: string; text: { en: string; zh: string }; subject?: string } }
  | { type: 'bug'; message: string; stack?: string };

const data = workerData as ScanWorkerInput;
const port = parentPort!;
try {
  const read = await readPackage(data.input, {
    ...(data.name !== undefined ? { name: data.name } : {}),
    ...(data.keepGoing !== undefined ? { keepGoing: data.keepGoing } : {}),
    ...(data.reachability !== undefined ? { reachability: data.reachability } : {}),
    ...(data.packagePrefixes ? { packagePrefixes: true } : {}),
    ...(data.limits ? { limits: data.limits } : {}),
    onProgress: (stage, done, total) => port.postMessage({ type: 'progress', stage, done, total } satisfies ScanWorkerMessage),
  });
  port.postMessage({ type: 'done', read } satisfies ScanWorkerMessage);
} catch (error) {
  if (error instanceof EngineError) {
    port.postMessage({
      type: 'error',
      error: { kind: error.kind, code: error.code, text: error.text, ...(error.subject !== undefined ? { subject: error.subject } : {}) },
    } satisfies ScanWorkerMessage);
  } else {
    const e = error as Error;
    port.postMessage({
      type: 'bug',
      message: e?.message ?? String(error),
      ...(e?.stack ? { stack: e.stack } : {}),
    } satisfies ScanWorkerMessage);
  }
}
