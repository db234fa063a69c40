import { spawn } from 'node:child_process';
import { DEVICE_SERIAL, assertSafeDeviceArgs } from './validate.js';

export interface AdbRunOptions {
  /** Kill the command after this long (default: the runner's). */
  timeoutMs?: number;
  /** Text written to the command's stdin. */
  input?: string;
}

export interface AdbResult {
  stdout: Buffer;
  stderr: string;
  /** Exit code; -1 when the command was killed (timeout, output limit) or died by a signal. */
  code: number;
  /** Killed because it ran past the timeout. */
  timedOut?: boolean;
  /** Killed because its output passed the size limit; `stdout` holds the part up to the limit. */
  truncated?: boolean;
}

/** Runs one adb command on one device: `args` are adb's arguments after `-s SERIAL`. */
export interface AdbRunner {
  run(args: string[], options?: AdbRunOptions): Promise<AdbResult>;
}

/** adb could not be started at all (not installed, not executable). */
export class AdbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdbError';
  }
}

export interface SpawnAdbOptions {
  /** The device (`adb devices`); without it adb picks the only device, or fails when there are several. */
  serial?: string;
  /** The adb executable (default `adb`, found on PATH). */
  adbPath?: string;
  /** Default timeout per command (default 30 s). */
  timeoutMs?: number;
  /** Bytes of stdout kept (default 64 MiB); a command that prints more is killed. */
  maxOutputBytes?: number;
  /** Bytes of stderr kept (default 64 KiB); the rest is dropped. */
  maxStderrBytes?: number;
}

/**
 * The real runner: `spawn(adb, ['-s', serial, ...args])` without a shell, so no argument is ever
 * parsed by a host shell. `shell`/`exec-out` arguments are also checked against the device shell's
 * syntax (see `assertSafeDeviceArgs`). Each command has a timeout that kills it and an output cap.
 */
export class SpawnAdbRunner implements AdbRunner {
  readonly serial: string | undefined;
  private readonly adbPath: string;
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly maxStderrBytes: number;

  constructor(options: SpawnAdbOptions = {}) {
    if (options.serial !== undefined && !DEVICE_SERIAL.test(options.serial))
      throw new TypeError(`not an adb device serial: ${JSON.stringify(options.serial.slice(0, 100))}`);
    this.serial = options.serial;
    this.adbPath = options.adbPath ?? 'adb';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
    this.maxStderrBytes = options.maxStderrBytes ?? 64 * 1024;
  }

  run(args: string[], options: AdbRunOptions = {}): Promise<AdbResult> {
    try {
      assertSafeDeviceArgs(args);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const argv = this.serial !== undefined ? ['-s', this.serial, ...args] : [...args];
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      let child;
      try {
        child = spawn(this.adbPath, argv, { shell: false, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (error) {
        reject(new AdbError(`cannot start ${this.adbPath}: ${(error as Error).message}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let timedOut = false;
      let truncated = false;
      let settled = false;
      const kill = () => {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        if (truncated) return;
        if (size + chunk.length > this.maxOutputBytes) {
          chunks.push(chunk.subarray(0, this.maxOutputBytes - size));
          size = this.maxOutputBytes;
          truncated = true;
          kill();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < this.maxStderrBytes) stderr += chunk.slice(0, this.maxStderrBytes - stderr.length);
      });
      child.stdin.on('error', () => {
        // the command may exit without reading its input
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(new AdbError(`cannot run ${this.adbPath}: ${error.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const result: AdbResult = { stdout: Buffer.concat(chunks, size), stderr, code: timedOut || truncated || code === null ? -1 : code };
        if (timedOut) {
          result.timedOut = true;
          result.stderr += `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}adb ${args[0] ?? ''}: timed out after ${timeoutMs} ms`;
        }
        if (truncated) result.truncated = true;
        resolve(result);
      });
      if (options.input !== undefined) child.stdin.end(options.input);
      else child.stdin.end();
    });
  }
}

export function createAdbRunner(options: SpawnAdbOptions = {}): AdbRunner {
  return new SpawnAdbRunner(options);
}

/** A recorded answer: text or bytes on stdout, or a whole result. */
export type FakeAdbAnswer = string | Buffer | Partial<AdbResult>;
/** A sequence (each call takes the next; the last repeats), or a function of the call. */
export type FakeAdbResponse = FakeAdbAnswer | FakeAdbAnswer[] | ((args: string[], call: number) => FakeAdbAnswer | Promise<FakeAdbAnswer>);

/**
 * An `AdbRunner` for tests: answers from recorded outputs keyed by the arguments joined with
 * spaces. A key also answers longer commands that start with it (`shell logcat -d` answers
 * `shell logcat -d -v epoch -T …`); the longest matching key wins. Every call is recorded, and
 * arguments are checked like the real runner checks them.
 */
export class FakeAdb implements AdbRunner {
  readonly calls: { args: string[]; options?: AdbRunOptions }[] = [];
  private readonly responses = new Map<string, FakeAdbResponse>();
  private readonly counts = new Map<string, number>();

  constructor(responses: Record<string, FakeAdbResponse> | Map<string, FakeAdbResponse> = {}) {
    for (const [key, value] of responses instanceof Map ? responses : Object.entries(responses)) this.responses.set(key, value);
  }

  /** Adds or replaces the answer for a command (prefix). */
  on(key: string, response: FakeAdbResponse): this {
    this.responses.set(key, response);
    return this;
  }

  /** The calls whose joined arguments start with `prefix`. */
  callsTo(prefix: string): string[][] {
    return this.calls.map((c) => c.args).filter((a) => a.join(' ') === prefix || a.join(' ').startsWith(`${prefix} `));
  }

  async run(args: string[], options?: AdbRunOptions): Promise<AdbResult> {
    assertSafeDeviceArgs(args);
    this.calls.push(options === undefined ? { args: [...args] } : { args: [...args], options });
    const joined = args.join(' ');
    let key: string | undefined;
    for (const k of this.responses.keys()) {
      if ((joined === k || joined.startsWith(`${k} `)) && (key === undefined || k.length > key.length)) key = k;
    }
    if (key === undefined) return { stdout: Buffer.alloc(0), stderr: `FakeAdb: no recorded output for: ${joined}`, code: 1 };
    const call = this.counts.get(key) ?? 0;
    this.counts.set(key, call + 1);
    const response = this.responses.get(key)!;
    let answer: FakeAdbAnswer;
    if (typeof response === 'function') answer = await response([...args], call);
    else if (Array.isArray(response)) answer = response.length === 0 ? '' : response[Math.min(call, response.length - 1)]!;
    else answer = response;
    if (typeof answer === 'string') return { stdout: Buffer.from(answer, 'utf8'), stderr: '', code: 0 };
    if (Buffer.isBuffer(answer)) return { stdout: answer, stderr: '', code: 0 };
    const result: AdbResult = { stdout: answer.stdout ?? Buffer.alloc(0), stderr: answer.stderr ?? '', code: answer.code ?? 0 };
    if (answer.timedOut) result.timedOut = true;
    if (answer.truncated) result.truncated = true;
    return result;
  }
}
