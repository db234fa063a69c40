import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FromChild, JobOutput, Task, ToChild } from './protocol.js';
import type { FailureClass } from './queue.js';

/**
 * The compiled child entry: next to this module in dist/, or, for code run from the TypeScript
 * sources (tests under tsx), the built one in ../../dist/jobs/. Children always run compiled code:
 * they start faster and need no loader.
 */
export function childEntry(): string {
  const candidates = [new URL('./child.js', import.meta.url), new URL('../../dist/jobs/child.js', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (path.endsWith('.js') && existsSync(path)) return path;
  }
  throw new Error('the worker entry dist/jobs/child.js is missing: run `npm run build` first');
}

export interface ChildLimits {
  memoryLimitMb: number;
  jobTimeoutMs: number;
}

export type TaskResult =
  { ok: true; output: JobOutput } | { ok: false; failure: { class: FailureClass; code: string; message: string }; childDead: boolean };

export interface RunHooks {
  onProgress?: (stage: string, done?: number, total?: number) => void;
}

/** Resident set size of a process in bytes (Linux /proc), or undefined where there is no /proc. */
function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a rules re-run on stored facts counts of a child's share (recycleAfterJobs): a re-run is
 * milliseconds of the rules on parsed JSON, not a package read into memory, and recycling a child
 * every 200 of them (a fresh child loads the engine and the knowledge, 0.5–0.7 s, and runs cold
 * code for its first jobs) added about 5 ms of child CPU to each re-run's ~10 (profiled, 600
 * re-runs, 2 shared cores). At 1/20, a child runs 4,000 re-runs (a minute or two of a patrol) between recycles.
 */
const RERUN_WEIGHT = 1 / 20;

/**
 * One warm child process. The engine is loaded once when it starts; it runs one task at a time.
 * The parent watches it: its resident size (polled from /proc; V8's heap is also capped with
 * --max-old-space-size, so a runaway heap dies even between polls) and the task's wall clock. A
 * breach kills it (SIGKILL) and fails the attempt as `memory` or `timeout`.
 */
export class WarmChild {
  readonly process: ChildProcess;
  /**
   * Jobs run, counted against config.workers.recycleAfterJobs: a rules re-run on stored facts
   * counts RERUN_WEIGHT of a job (see there), every other job one.
   */
  workDone = 0;
  private ready: Promise<void>;
  private exited = false;
  private stderrTail = '';
  private current: { jobId: string; settle: (result: TaskResult) => void; onProgress?: RunHooks['onProgress'] } | undefined;
  private killedFor: 'timeout' | 'memory' | 'cancelled' | 'stopped' | undefined;

  constructor(
    readonly limits: ChildLimits,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.process = fork(childEntry(), [], {
      execArgv: [`--max-old-space-size=${Math.max(64, Math.floor(limits.memoryLimitMb))}`],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env,
      serialization: 'advanced',
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromChild) => {
        if (message.type === 'ready') {
          this.process.off('exit', onEarlyExit);
          resolve();
        }
      };
      const onEarlyExit = (code: number | null, signal: string | null) =>
        reject(new Error(`the worker child exited while starting (${signal ?? code}): ${this.stderrTail.slice(-500)}`));
      this.process.on('message', onMessage);
      this.process.once('exit', onEarlyExit);
    });
    this.ready.catch(() => {});
    this.process.on('message', (message: FromChild) => this.onMessage(message));
    this.process.on('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Runs one task; resolves with its output or its failure (never rejects). */
  async run(task: Task, hooks: RunHooks = {}): Promise<TaskResult> {
    try {
      await this.ready;
    } catch (error) {
      return { ok: false, failure: { class: 'crashed', code: 'worker-start', message: (error as Error).message }, childDead: true };
    }
    if (this.exited)
      return { ok: false, failure: { class: 'crashed', code: 'worker-exit', message: 'the worker child is gone' }, childDead: true };
    return new Promise<TaskResult>((resolve) => {
      const timer = setTimeout(() => this.kill('timeout'), this.limits.jobTimeoutMs);
      const memoryCap = this.limits.memoryLimitMb * 1024 * 1024;
      const poll = setInterval(() => {
        const rss = this.pid !== undefined ? residentBytes(this.pid) : undefined;
        if (rss !== undefined && rss > memoryCap) this.kill('memory');
      }, 200);
      this.current = {
        jobId: task.jobId,
        settle: (result) => {
          clearTimeout(timer);
          clearInterval(poll);
          this.current = undefined;
          this.workDone += task.kind === 'rerun-rules' ? RERUN_WEIGHT : 1;
          resolve(result);
        },
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      };
      this.send({ type: 'run', task });
    });
  }

  /**
   * Asks the running task to stop (policy fetches and re-runs abort themselves); kills the child if
   * it does not answer in time — which is how a scan or diff stops, since those run without a
   * signal in this process (see child.ts), so the grace is short.
   */
  abort(jobId: string, graceMs = 1000): void {
    if (this.current?.jobId !== jobId) return;
    this.send({ type: 'abort', jobId });
    const timer = setTimeout(() => {
      if (this.current?.jobId === jobId) this.kill('cancelled');
    }, graceMs);
    timer.unref();
  }

  /** Kills the child now; a task in progress fails with the reason. */
  kill(reason: 'timeout' | 'memory' | 'cancelled' | 'stopped'): void {
    if (this.exited) return;
    this.killedFor ??= reason;
    this.process.kill('SIGKILL');
  }

  /** Ends an idle child politely (recycling), or kills a busy one. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.current) this.kill('stopped');
    else if (this.process.connected) this.process.disconnect();
    else this.process.kill('SIGKILL');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  private send(message: ToChild): void {
    if (this.process.connected) this.process.send(message);
  }

  private onMessage(message: FromChild): void {
    const current = this.current;
    if (!current || message.type === 'ready' || message.jobId !== current.jobId) return;
    if (message.type === 'progress') current.onProgress?.(message.stage, message.done, message.total);
    else if (message.type === 'result') current.settle({ ok: true, output: message.output });
    else if (message.type === 'error') current.settle({ ok: false, failure: message.error, childDead: false });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    const current = this.current;
    if (!current) return;
    const reason = this.killedFor ?? (/heap out of memory|allocation failed/i.test(this.stderrTail) ? 'memory' : undefined);
    const failure =
      reason === 'timeout'
        ? {
            class: 'timeout' as const,
            code: 'timeout',
            message: `the job ran longer than ${this.limits.jobTimeoutMs} ms / 任务运行超过 ${this.limits.jobTimeoutMs} 毫秒`,
          }
        : reason === 'memory'
          ? {
              class: 'memory' as const,
              code: 'memory',
              message: `the worker went over ${this.limits.memoryLimitMb} MiB of memory / 工作进程内存超过 ${this.limits.memoryLimitMb} MiB`,
            }
          : reason === 'cancelled'
            ? { class: 'cancelled' as const, code: 'cancelled', message: 'cancelled / 已取消' }
            : {
                class: 'crashed' as const,
                code: 'worker-crashed',
                message: `the worker child ended during the job (${signal ?? `exit ${code}`}) / 工作进程在任务中途退出`,
              };
    current.settle({ ok: false, failure, childDead: true });
  }
}
