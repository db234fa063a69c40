import { Worker } from 'node:worker_threads';

// SHA-256 of large uploads on a second thread. An upload's main-thread work is reading the socket;
// hashing 1 GiB there as well (~0.7 s of CPU with SHA-NI, far more under load) kept uploads at 3-4x
// `cp`. The bytes sit in a shared ring of 1 MiB slots (store.ts) that the upload fills and writes
// from: the thread is told which slot to hash and says when it has, so the cost here is one memcpy
// (~0.1 s per GiB) and a message per MiB. One thread serves every upload of the process, each under
// its own id.

/** The thread's code: plain CommonJS, evaluated (no file to find from src/, dist/ or the CLI bundle). */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let hash = open.get(m.id);
    if (!hash) open.set(m.id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(m.buffer, m.offset, m.length));
    parentPort.postMessage({ id: m.id, op: 'updated' });
  } else if (m.op === 'digest') {
    const hash = open.get(m.id) ?? createHash('sha256');
    open.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'digest', hex: hash.digest('hex') });
  } else if (m.op === 'drop') {
    open.delete(m.id);
  }
});
`;

interface Pending {
  onUpdated(): void;
  onDigest(hex: string): void;
  onFailure(error: Error): void;
}

let thread: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function hashingThread(): Worker {
  if (thread) return thread;
  // execArgv: [] so a test run's loaders (tsx) are not started again for this small script. Its
  // heap holds a few hash states (the bytes arrive outside it): small limits keep the thread's
  // resident memory small, within the upload's memory bound.
  const worker = new Worker(SOURCE, {
    eval: true,
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
  });
  worker.on('message', (m: { id: number; op: string; hex?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.op === 'updated') p.onUpdated();
    else if (m.op === 'digest') {
      forget(m.id);
      p.onDigest(m.hex!);
    }
  });
  const fail = (error: Error) => {
    if (thread === worker) thread = undefined;
    const failed = [...pending.values()];
    pending.clear();
    for (const p of failed) p.onFailure(error);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the hashing thread exited (${code})`)));
  // After the listeners (adding a 'message' listener refs the thread again). It is ref'd only while
  // an upload waits on it: idle, it never keeps a process alive.
  worker.unref();
  thread = worker;
  return worker;
}

function remember(id: number, p: Pending): void {
  if (pending.size === 0) thread?.ref();
  pending.set(id, p);
}

function forget(id: number): boolean {
  const had = pending.delete(id);
  if (had && pending.size === 0) thread?.unref();
  return had;
}

/**
 * A SHA-256 computed on the hashing thread. `update(ring, offset, length)` hashes those bytes of a
 * shared buffer, which must not change until the returned promise resolves; updates are hashed in
 * the order they are made.
 */
export class OffThreadHash {
  private readonly id = nextId++;
  private readonly returns: { resolve(): void; reject(error: Error): void }[] = [];
  private failure: Error | undefined;
  private digestWaiter: { resolve(hex: string): void; reject(error: Error): void } | undefined;
  private readonly worker = hashingThread();

  constructor() {
    remember(this.id, {
      onUpdated: () => this.returns.shift()?.resolve(),
      onDigest: (hex) => this.digestWaiter?.resolve(hex),
      onFailure: (error) => {
        this.failure = error;
        this.digestWaiter?.reject(error);
        for (const r of this.returns.splice(0)) r.reject(error);
      },
    });
  }

  update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.returns.push({ resolve, reject });
      this.worker.postMessage({ op: 'update', id: this.id, buffer, offset, length });
    });
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<string>((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      this.worker.postMessage({ op: 'digest', id: this.id });
    });
  }

  /** Forgets the upload (an error or a cap): the thread drops its state. */
  drop(): void {
    // Updates still out settle now (the thread's answers to them are no longer listened to).
    const dropped = new Error('the upload was abandoned');
    for (const r of this.returns.splice(0)) r.reject(dropped);
    if (!forget(this.id)) return;
    this.worker.postMessage({ op: 'drop', id: this.id });
  }
}
