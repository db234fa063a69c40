import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Job } from '../db/schema.js';
import type { Platform } from '../platform.js';
import { WarmChild } from './pool.js';
import type { JobOutput, Task } from './protocol.js';
import { DeliveringQueue, type Failure } from './queue.js';
import { completeJob, completeJobs, type Completion } from './results.js';
import { LeaseLost, renewLease, type Lease } from './sql.js';
import type { JobPayloads } from './types.js';

export interface WorkersOptions {
  /** Child processes (default: config.workers.concurrency). */
  concurrency?: number;
  /** Environment of the children (tests pass APPRIGHTS_TEST_HOLD_DIR). */
  childEnv?: NodeJS.ProcessEnv;
  /** How often expired leases are swept (default: a third of the lease, at least 200 ms). */
  sweepMs?: number;
  /** Called when something goes wrong that no job row can say (a database outage, a lost lease). */
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'lease-lost'; jobId: string; attempt: number }
  | { type: 'database-error'; error: unknown; retryInMs: number }
  | { type: 'job-done'; jobId: string; state: string; reportId?: string };

export interface Workers {
  /** This process's worker name prefix (locked_by of its jobs). */
  readonly name: string;
  /** The warm children's process ids (tests signal them). */
  childPids(): number[];
  /** Stops claiming, waits up to `graceMs` for running jobs, then kills the children (their jobs are handed back through their leases). */
  stop(options?: { graceMs?: number }): Promise<void>;
}

type PlatformLike = Pick<Platform, 'config' | 'store' | 'blobs' | 'queue'>;

/**
 * Starts `concurrency` job slots, each with its own warm child process: claim a job (fair claim,
 * with a lease), hand it to the child, renew the lease and record progress while it runs, then
 * write the result or the failure under the lease. A child that breaches its limits, crashes or has
 * run `recycleAfterJobs` jobs is replaced by a fresh one.
 */
export async function startWorkers(platform: PlatformLike, options: WorkersOptions = {}): Promise<Workers> {
  if (!(platform.queue instanceof DeliveringQueue)) throw new Error('startWorkers needs the queue made by createQueue');
  const queue: DeliveringQueue = platform.queue;
  const config = platform.config;
  const limits = { memoryLimitMb: config.workers.memoryLimitMb, jobTimeoutMs: config.workers.jobTimeoutMs };
  const leaseMs = config.workers.leaseMs;
  const concurrency = Math.max(0, options.concurrency ?? config.workers.concurrency);
  const name = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  await queue.start();

  let stopping = false;
  const children: (WarmChild | undefined)[] = [];
  const spawn = (slot: number) => {
    const child = new WarmChild(limits, options.childEnv ?? process.env);
    children[slot] = child;
    return child;
  };
  const running = new Map<string, { child: WarmChild }>();
  // The child that takes over a slot when its child has run its share: started ahead (at
  // PREWARM_SHARE of the share) so it is warm by then, instead of the slot waiting for a child to
  // load the engine and the knowledge (0.5–0.7 s; every 200 jobs, a stall of 3 ms a job for rules re-run on stored facts).
  const successors: (WarmChild | undefined)[] = [];

  const sweepEvery = options.sweepMs ?? Math.max(200, Math.floor(leaseMs / 3));
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweeper = setInterval(() => {
    if (!stopping) sweeping = queue.sweep().catch(() => {});
  }, sweepEvery);

  const results = new GroupCommit(queue);

  /** A claimed job made ready to run: its task, or the failure preparing it met. */
  type Ready = { job: Job; lease: Lease; task?: Task; blob?: { sha256: string; size: number }; failure?: Failure };

  async function ready(slot: number, job: Job): Promise<Ready> {
    const lease: Lease = { jobId: job.id, worker: `${name}:${slot}`, attempt: job.attempts };
    try {
      return { job, lease, ...(await prepare(platform, job)) };
    } catch (error) {
      const failure: Failure =
        error instanceof PrepareError
          ? { class: 'input', code: error.code, message: error.message }
          : { class: 'crashed', code: 'prepare', message: String((error as Error)?.message ?? error) };
      return { job, lease, failure };
    }
  }

  /** Runs a ready job in the slot's child; resolves with the write that ends it (the caller decides when it runs). */
  async function execute(slot: number, r: Ready): Promise<() => Promise<void>> {
    const { job, lease } = r;
    if (r.failure || !r.task) {
      const failure = r.failure!;
      return () => finish(lease, failure);
    }
    let child = children[slot];
    if (!child || !child.alive) child = spawn(slot);
    running.set(job.id, { child });
    let progress: string | null = null;
    let written: string | null = null;
    let lastRenewal = Date.now();
    let lost = false;
    const renewEvery = Math.max(100, Math.floor(leaseMs / 3));
    const ticker = setInterval(
      () => {
        const due = Date.now() - lastRenewal >= renewEvery;
        if (lost || (!due && progress === written)) return;
        const text = progress;
        void renewLease(queue.db, lease, leaseMs, text === written ? undefined : text)
          .then((state) => {
            lastRenewal = Date.now();
            written = text;
            if (!state) {
              // Someone else holds the job now: stop working on it; its result would be refused anyway.
              lost = true;
              emit({ type: 'lease-lost', jobId: job.id, attempt: lease.attempt });
              child!.kill('stopped');
            } else if (state.cancelRequested) child!.abort(job.id);
          })
          .catch(() => {});
      },
      Math.min(1000, renewEvery),
    );
    let result;
    try {
      result = await child.run(r.task, {
        onProgress: (stage, done, total) => {
          progress = JSON.stringify({ stage, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) });
        },
      });
    } finally {
      clearInterval(ticker);
      running.delete(job.id);
    }
    if ((!result.ok && result.childDead) || child.workDone >= config.workers.recycleAfterJobs) {
      // A fresh child replaces one that died or has run its share (bounds slow leaks): the one
      // started ahead when there is one, else one started now so it is warm.
      void child.close();
      const next = successors[slot];
      successors[slot] = undefined;
      if (next?.alive && !stopping) children[slot] = next;
      else {
        void next?.close();
        if (!stopping) spawn(slot);
      }
    } else if (!stopping && !successors[slot] && child.workDone >= Math.floor(config.workers.recycleAfterJobs * PREWARM_SHARE)) {
      successors[slot] = new WarmChild(limits, options.childEnv ?? process.env);
    }
    if (result.ok) {
      const output = result.output;
      const last = progress ?? undefined;
      return () => succeed(lease, job, output, r.blob, last);
    }
    const failure = result.failure;
    return () => finish(lease, failure);
  }

  async function succeed(
    lease: Lease,
    job: Job,
    output: JobOutput,
    blob: { sha256: string; size: number } | undefined,
    progress: string | undefined,
  ): Promise<void> {
    try {
      const reportId = blob
        ? await completeJob(queue, lease, job, output, { blob, ...(progress !== undefined ? { progress } : {}) })
        : await results.add({ lease, job, output, ...(progress !== undefined ? { progress } : {}) });
      emit({ type: 'job-done', jobId: job.id, state: 'succeeded', reportId });
    } catch (error) {
      if (error instanceof LeaseLost) emit({ type: 'lease-lost', jobId: job.id, attempt: lease.attempt });
      // Otherwise (the database away) the lease runs out and the job is run again: at least once, effect once.
      else emit({ type: 'database-error', error, retryInMs: 0 });
    }
  }

  async function finish(lease: Lease, failure: Failure): Promise<void> {
    try {
      const state = await queue.failAttempt(lease, failure);
      emit({ type: 'job-done', jobId: lease.jobId, state });
    } catch (error) {
      if (error instanceof LeaseLost) emit({ type: 'lease-lost', jobId: lease.jobId, attempt: lease.attempt });
      else emit({ type: 'database-error', error, retryInMs: 0 });
    }
  }

  /**
   * One slot: claim, prepare, run in the child, write the result. Short jobs (rerun-rules: stored
   * facts through the rules, milliseconds each) are pipelined: while the child judges one, the
   * parent claims and prepares the next and writes the results before it, so the database's
   * commits and the child's work overlap instead of adding up. A job claimed ahead holds its lease
   * (60 s by default) for at most CLAIM_AHEAD short jobs; a result waiting to be written holds its lease
   * until its group commit (see GroupCommit), up to WRITES_IN_FLIGHT of them a slot. Nothing else
   * changes: every write still names its lease, and a slot that stops runs the job it already
   * claimed and writes what it holds before it ends.
   */
  async function slotLoop(slot: number): Promise<void> {
    let backoff = 0;
    // Claims ahead: a ready job, undefined when none was due, null when none was tried (see below).
    const ahead: Promise<Ready | undefined | null>[] = [];
    const writing = new Set<Promise<void>>();
    const claimReady = async (): Promise<Ready | undefined> => {
      const job = await queue.claim(`${name}:${slot}`, leaseMs);
      return job ? ready(slot, job) : undefined;
    };
    try {
      while (!stopping || ahead.length > 0) {
        let r: Ready | undefined | null;
        try {
          r = await (ahead.shift() ?? claimReady());
          backoff = 0;
        } catch (error) {
          // The database is away (restarting, failing over): wait, doubling up to 10 s, and try again.
          backoff = Math.min(10_000, backoff === 0 ? 250 : backoff * 2);
          emit({ type: 'database-error', error, retryInMs: backoff });
          await new Promise((resolve) => setTimeout(resolve, backoff));
          continue;
        }
        // A claim ahead not tried: the slot claims again at once.
        if (r === null) continue;
        if (!r) {
          // Jobs claimed ahead are run before the slot waits for work.
          if (ahead.length > 0) continue;
          await Promise.all(writing);
          if (!stopping) await queue.waitForWork(1000);
          continue;
        }
        // The next short jobs are claimed and prepared while this one runs, one after the other:
        // each only once the one before it turned out short too, so a long job claimed ahead (a
        // scan) waits behind short ones only, and nothing is claimed after it.
        if (!stopping && isShort(r))
          while (ahead.length < CLAIM_AHEAD) {
            const before = ahead.at(-1) ?? Promise.resolve(r);
            const next = before.then((b) => (b && isShort(b) && !stopping ? claimReady() : null));
            // A failed claim surfaces when the loop awaits it.
            next.catch(() => {});
            ahead.push(next);
          }
        const write = await execute(slot, r);
        // Writes waiting in the group commit are bounded: the slot waits for one to end past the bound.
        while (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
        const done: Promise<void> = write().finally(() => writing.delete(done));
        writing.add(done);
      }
    } finally {
      await Promise.all(writing);
    }
  }

  for (let slot = 0; slot < concurrency; slot++) spawn(slot);
  const loops = Array.from({ length: concurrency }, (_, slot) => slotLoop(slot));

  return {
    name,
    childPids: () => children.flatMap((c) => (c?.alive && c.pid !== undefined ? [c.pid] : [])),
    async stop({ graceMs = 10_000 } = {}) {
      stopping = true;
      clearInterval(sweeper);
      const all = Promise.all(loops);
      const timer = setTimeout(() => {
        for (const { child } of running.values()) child.kill('stopped');
      }, graceMs);
      await all;
      await sweeping;
      clearTimeout(timer);
      await Promise.all([...children, ...successors].map((c) => c?.close()));
    },
  };
}

/**
 * Short jobs a slot claims ahead of the one its child runs: the claims and the reads of the facts
 * then wait behind a group commit (SQLite: one connection) without the child waiting for them.
 */
const CLAIM_AHEAD = 4;

/** A job that is milliseconds of work (rules re-run on stored facts): the slot claims ahead while it runs. */
function isShort(r: { job: Job; task?: Task }): boolean {
  return r.job.kind === 'rerun-rules' && r.task !== undefined;
}

/** Results a slot may have waiting to be written (see GroupCommit) before it waits for one. */
const WRITES_IN_FLIGHT = 16;

/** Results written in one transaction at most (see GroupCommit). */
const GROUP_COMMIT_MAX = 32;

/**
 * How long the first result of a group waits for others (see GroupCommit): a re-run takes 5–10 ms
 * of a child, so a group gathers a few results a slot.
 */
const GROUP_COMMIT_WAIT_MS = 20;

/**
 * Group commit of results without package bytes (rules re-run on stored facts, policy fetches,
 * diffs), shared by a process's slots: the first result waits up to GROUP_COMMIT_WAIT_MS for
 * others (or until GROUP_COMMIT_MAX are waiting); results that arrive during a write wait for it
 * and are then written together, up to
 * GROUP_COMMIT_MAX in one transaction (completeJobs: each job's effect stays its own, keyed by its
 * lease and its report's unique job). One commit, one disk flush (SQLite in process, on the parent's
 * one thread) and one transaction for the lot instead of one each: the write keeps up with the
 * children by growing its groups instead of holding them up.
 */
class GroupCommit {
  private pending: { item: Completion; resolve: (id: string) => void; reject: (error: unknown) => void }[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly queue: DeliveringQueue) {}

  /** Resolves with the report id once the result is committed; rejects with LeaseLost or the database's error. */
  add(item: Completion): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.running) return;
      if (this.pending.length >= GROUP_COMMIT_MAX) {
        clearTimeout(this.timer);
        this.timer = undefined;
        void this.drain();
      } else
        // A group gathers for up to GROUP_COMMIT_WAIT_MS: the slots' children hand over their next results meanwhile.
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          void this.drain();
        }, GROUP_COMMIT_WAIT_MS);
    });
  }

  /** Writes the waiting results, a group at a time, until none waits (those that came during a write form the next group). */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, GROUP_COMMIT_MAX);
        try {
          const outcomes = await completeJobs(
            this.queue,
            group.map((g) => g.item),
          );
          outcomes.forEach((outcome, i) => (typeof outcome === 'string' ? group[i]!.resolve(outcome) : group[i]!.reject(outcome)));
        } catch (error) {
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/** How far into a child's share of jobs (recycleAfterJobs) its successor is started. */
const PREWARM_SHARE = 0.8;

class PrepareError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Turns a job row into the child's task: blob paths, stored facts, the policy to check with a scan. */
async function prepare(platform: PlatformLike, job: Job): Promise<{ task: Task; blob?: { sha256: string; size: number } }> {
  const base = { jobId: job.id, attempt: job.attempts };
  let payload: unknown;
  try {
    payload = JSON.parse(job.payload);
  } catch {
    throw new PrepareError('payload', 'the job payload is not JSON / 任务参数不是 JSON');
  }
  const blobFile = async (sha256: unknown) => {
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
      throw new PrepareError('blob', 'the job names no valid blob / 任务未指定有效的文件');
    if (!(await platform.blobs.has(sha256))) throw new PrepareError('blob-missing', `blob ${sha256} is not stored / 文件 ${sha256} 不存在`);
    return platform.blobs.withFile(sha256, async (path) => ({ path, size: statSync(path).size }));
  };
  const report = async (id: unknown, what: string) => {
    const row =
      typeof id === 'string'
        ? await platform.store.db
            .selectFrom('reports')
            .select(['id', 'kind', 'facts'])
            .where('id', '=', id)
            .where('org_id', '=', job.org_id)
            .executeTakeFirst()
        : undefined;
    if (!row) throw new PrepareError('report-not-found', `${what}: no such report in this organisation / 本组织中没有该报告`);
    return row;
  };
  switch (job.kind) {
    case 'scan': {
      const p = payload as JobPayloads['scan'];
      const file = await blobFile(p.blob);
      let policy: unknown;
      if (p.policyReportId !== undefined) {
        const row = await report(p.policyReportId, 'policyReportId');
        if (row.kind !== 'policy')
          throw new PrepareError('report-kind', 'policyReportId names a report that is not a policy report / 该报告不是隐私政策报告');
        const { body } = await platform.store.db.selectFrom('reports').select('body').where('id', '=', row.id).executeTakeFirstOrThrow();
        policy = JSON.parse(body);
      }
      return {
        task: {
          ...base,
          kind: 'scan',
          file: file.path,
          name: `${p.blob}.apk`,
          ...(typeof p.appType === 'string' ? { appType: p.appType } : {}),
          ...(p.storeListing !== undefined ? { storeListing: p.storeListing as Record<string, unknown> } : {}),
          ...(policy !== undefined ? { policy } : {}),
        },
        blob: { sha256: p.blob, size: file.size },
      };
    }
    case 'rerun-rules': {
      const p = payload as JobPayloads['rerun-rules'];
      const row = await report(p.reportId, 'reportId');
      if (!row.facts) throw new PrepareError('facts', 'the report keeps no facts to judge again / 该报告没有可重新判定的事实数据');
      // The version the facts came from, so the new findings attach to the same app.
      return { task: { ...base, kind: 'rerun-rules', sourceReportId: row.id, facts: row.facts } };
    }
    case 'fetch-policy': {
      const p = payload as JobPayloads['fetch-policy'];
      if (typeof p.url !== 'string' || p.url.length > 4096)
        throw new PrepareError('fetch-url', 'the job names no valid URL / 任务未指定有效的网址');
      const c = platform.config;
      return {
        task: {
          ...base,
          kind: 'fetch-policy',
          url: p.url,
          allowPrivate: c.allowPrivateFetch,
          timeoutMs: c.fetchTimeoutMs,
          maxBytes: c.fetchMaxBytes,
        },
      };
    }
    case 'diff': {
      const p = payload as JobPayloads['diff'];
      const [oldFile, newFile] = [await blobFile(p.oldBlob), await blobFile(p.newBlob)];
      return { task: { ...base, kind: 'diff', oldFile: oldFile.path, newFile: newFile.path } };
    }
  }
}
