import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRACE_FORMAT_VERSION, type LifecycleEvent, type TraceEvent, type TraceHeader, type UserEvent } from '@apprights/runtime';
import { shorten } from '../adb/limits.js';
import { DEVICE_SERIAL, assertPackageName } from '../adb/validate.js';
import {
  AGENT_EVENT_MESSAGE,
  AGENT_READY_MESSAGE,
  AGENT_WARNING_MESSAGE,
  acceptAgentEvent,
  agentMessageOf,
  hookPlanFromCatalog,
  type AgentConfig,
  type CatalogEntry,
  type HookPlan,
} from './encode.js';

// ---------------------------------------------------------------------------------------------
// The part of the `frida` npm package (frida-node 16/17) the recorder uses. Typed here because
// `frida` is an optional install (its install script downloads a native binary) and has no types
// on this machine; a test passes a fake with the same shape.

/** frida-node's `Signal`: `connect`/`disconnect` a handler. */
export interface FridaSignal<H extends (...args: never[]) => void> {
  connect(handler: H): void;
  disconnect(handler: H): void;
}

export type FridaMessage =
  | { type: 'send'; payload: unknown }
  | { type: 'error'; description: string; stack?: string; fileName?: string; lineNumber?: number; columnNumber?: number }
  | { type: string; [key: string]: unknown };

export interface FridaScript {
  readonly message: FridaSignal<(message: FridaMessage, data: Buffer | null) => void>;
  readonly exports: Record<string, (...args: unknown[]) => Promise<unknown>>;
  load(): Promise<void>;
  unload(): Promise<void>;
}

/** frida-node's crash report, when the process died of a crash. */
export interface FridaCrash {
  pid?: number;
  processName?: string;
  summary?: string;
  report?: string;
}

export interface FridaSession {
  readonly pid?: number;
  /** `(reason, crash)`: reason `application-requested`, `process-replaced`, `process-terminated`, `connection-terminated`, `device-lost`. */
  readonly detached: FridaSignal<(reason: string, crash: FridaCrash | null) => void>;
  createScript(source: string, options?: { name?: string }): Promise<FridaScript>;
  detach(): Promise<void>;
}

export interface FridaApplication {
  identifier: string;
  name: string;
  pid: number;
}

export interface FridaDevice {
  readonly id: string;
  readonly name: string;
  readonly type?: string;
  spawn(program: string | string[], options?: Record<string, unknown>): Promise<number>;
  attach(target: number | string, options?: Record<string, unknown>): Promise<FridaSession>;
  resume(pid: number): Promise<void>;
  kill?(pid: number): Promise<void>;
  enumerateApplications(options?: Record<string, unknown>): Promise<FridaApplication[]>;
  querySystemParameters?(): Promise<Record<string, unknown>>;
}

/** The `frida` module (its functions that the recorder calls). */
export interface FridaModule {
  getUsbDevice(options?: { timeout?: number | null }): Promise<FridaDevice>;
  getDevice(id: string, options?: { timeout?: number | null }): Promise<FridaDevice>;
}

// ---------------------------------------------------------------------------------------------

/** The error when the optional `frida` module is not installed (English / Chinese). */
export const FRIDA_MISSING_MESSAGE =
  'The Frida recorder needs the optional "frida" npm package, which is not installed. On a machine where its native binary ' +
  'can be downloaded, run `npm install frida` (in the folder AppRights is installed in), and put a frida-server of the same ' +
  'version on the device (a rooted phone or an emulator: adb push frida-server /data/local/tmp/ and run it as root). ' +
  'Without root, use the adb recorder (`apprights record --adb`). / Frida 录制器需要可选的 npm 包 "frida"，当前未安装：请在能下载其' +
  '原生二进制文件的机器上运行 `npm install frida`，并在设备（已 root 的手机或模拟器）上运行同版本的 frida-server；无 root 时请使用 adb 录制器' +
  '（`apprights record --adb`）。';

/** The error when the agent bundle has not been built. */
export const FRIDA_AGENT_MISSING_MESSAGE =
  'The Frida agent script is not built: run `npm run build` (or `node packages/recorder/scripts/build-agent.mjs`). / ' +
  'Frida 代理脚本尚未构建：请运行 `npm run build`。';

export class FridaUnavailableError extends Error {
  override name = 'FridaUnavailableError';
}

/** Loads the optional `frida` module; a clear `FridaUnavailableError` when it is not installed. */
export async function loadFridaModule(): Promise<FridaModule> {
  // A variable specifier: no types for `frida` are installed, and bundlers must leave it alone.
  const specifier = 'frida';
  let mod: { default?: unknown } & Record<string, unknown>;
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module) 'frida'/.test(String(error))) {
      throw new FridaUnavailableError(FRIDA_MISSING_MESSAGE, { cause: error });
    }
    throw new FridaUnavailableError(`${FRIDA_MISSING_MESSAGE} (loading it failed: ${shorten(String(error), 300)})`, { cause: error });
  }
  const candidate = (typeof mod.getUsbDevice === 'function' ? mod : mod.default) as FridaModule | undefined;
  if (candidate === undefined || typeof candidate.getUsbDevice !== 'function') throw new FridaUnavailableError(FRIDA_MISSING_MESSAGE);
  return candidate;
}

/** Where the built agent is: next to this module in `dist/`, or through the package's `./frida-agent.js` export. */
export function fridaAgentPath(): string | null {
  const own = fileURLToPath(new URL('../frida-agent.js', import.meta.url));
  if (existsSync(own)) return own;
  try {
    const resolved = createRequire(import.meta.url).resolve('@apprights/recorder/frida-agent.js');
    return existsSync(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

export interface FridaRecordProgress {
  elapsedMs: number;
  events: number;
  message: string;
}

export interface RecordWithFridaOptions {
  /** Device id (`frida-ls-devices`; for USB phones the adb serial); default: the USB device. */
  device?: string;
  /** The app under test (`com.example.app`). */
  package: string;
  /** Spawn the app (a cold start with the hooks in place before `Application.onCreate`), or attach to its running process. */
  spawn: boolean;
  /** How long to record, ms (after the launch or attach). */
  durationMs: number;
  /** Folder for `trace.jsonl` (created). */
  outDir: string;
  /** The sensitive-API catalogue (`sensitiveApis()` of `@apprights/knowledge`, or `sensitive-apis.json`'s `apis`). */
  catalog: readonly CatalogEntry[];
  onProgress?: (progress: FridaRecordProgress) => void;
  /** Loads the `frida` module (default: `import('frida')`); tests pass a fake. */
  loadFrida?: () => Promise<FridaModule>;
  /** The agent's source (default: read from `agentPath`). */
  agentSource?: string;
  /** The built agent (default: `fridaAgentPath()`). */
  agentPath?: string;
  /** Calls of one API recorded per second before the rest are only counted (default 20). */
  maxCallsPerSecond?: number;
  /** Timeout of one Frida operation (device, spawn, attach, script load), ms (default 20 s). */
  operationTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface FridaRecordResult {
  outDir: string;
  traceFile: string;
  /** Events written after the header. */
  events: number;
  durationMs: number;
  pid: number | null;
  /** Hooks the agent installed, and catalogue ids it could not hook (class not loaded, no such method). */
  hooked: string[];
  missing: { id: string; reason: string }[];
  plan: HookPlan;
  /** Why the session ended early, when it did: `process-terminated`, `device-lost` … */
  detachReason: string | null;
  /** Agent errors, rejected messages and hooks that failed: the recording went on without them. */
  warnings: string[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Frida: ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Records an app with Frida into the runtime trace format: `outDir/trace.jsonl`, a `trace` header
 * then one line per event the agent sends (`api` with stacks, `permission-request` with answers,
 * `sensor`, `navigation`, `lifecycle`), times in ms since the start. Needs a rooted phone or an
 * emulator running frida-server, and the optional `frida` module (see `FRIDA_MISSING_MESSAGE`).
 *
 * The agent gets the hook plan built from `catalog`; its messages are data (checked by
 * `acceptAgentEvent`, at most 64 KiB each). When the process exits or crashes, a `lifecycle`
 * `exit` / `crash` event ends the trace; otherwise recording stops after `durationMs` (or on
 * `signal`), the agent flushes what it holds, and the session is detached.
 */
export async function recordWithFrida(options: RecordWithFridaOptions): Promise<FridaRecordResult> {
  const pkg = options.package;
  assertPackageName(pkg);
  if (!Number.isFinite(options.durationMs) || options.durationMs < 0) throw new RangeError('durationMs must be a number ≥ 0');
  if (options.device !== undefined && !DEVICE_SERIAL.test(options.device))
    throw new TypeError(`not a device id: ${JSON.stringify(options.device.slice(0, 100))}`);
  const opTimeout = options.operationTimeoutMs ?? 20_000;
  const plan = hookPlanFromCatalog(options.catalog);

  let source = options.agentSource;
  if (source === undefined) {
    const path = options.agentPath ?? fridaAgentPath();
    if (path === null || !existsSync(path)) throw new Error(FRIDA_AGENT_MISSING_MESSAGE);
    source = await readFile(path, 'utf8');
  }
  const frida = await (options.loadFrida ?? loadFridaModule)();

  const device = await withTimeout(
    options.device !== undefined ? frida.getDevice(options.device, { timeout: opTimeout }) : frida.getUsbDevice({ timeout: opTimeout }),
    opTimeout + 1000,
    'finding the device',
  );

  await mkdir(options.outDir, { recursive: true });
  const traceFile = join(options.outDir, 'trace.jsonl');
  const out: WriteStream = createWriteStream(traceFile, { encoding: 'utf8' });
  const streamError = new Promise<never>((_, reject) => out.once('error', reject));
  streamError.catch(() => undefined);
  const write = (event: TraceEvent) => out.write(`${JSON.stringify(event)}\n`);

  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < 500) warnings.push(shorten(message, 500));
  };
  const result: FridaRecordResult = {
    outDir: options.outDir,
    traceFile,
    events: 0,
    durationMs: 0,
    pid: null,
    hooked: [],
    missing: [],
    plan,
    detachReason: null,
    warnings,
  };

  const startTime = Date.now();
  const elapsed = () => Date.now() - startTime;
  const progress = (message: string) => options.onProgress?.({ elapsedMs: elapsed(), events: result.events, message });

  const header: TraceHeader = { kind: 'trace', t: 0, version: TRACE_FORMAT_VERSION, package: pkg, recorder: 'apprights-frida' };
  const deviceInfo: NonNullable<TraceHeader['device']> = {};
  if (DEVICE_SERIAL.test(device.id)) deviceInfo.serial = device.id;
  if (typeof device.name === 'string' && device.name.length > 0) deviceInfo.model = shorten(device.name, 100);
  if (/^emulator-\d+$/.test(device.id)) deviceInfo.emulator = true;
  if (device.querySystemParameters !== undefined) {
    try {
      const params = await withTimeout(device.querySystemParameters(), opTimeout, 'reading the system parameters');
      const api = Number(params['api-level']);
      if (Number.isInteger(api) && api > 0 && api < 1000) deviceInfo.sdkInt = api;
    } catch (error) {
      warn(`system parameters: ${String(error)}`);
    }
  }
  if (Object.keys(deviceInfo).length > 0) header.device = deviceInfo;
  header.startedAt = new Date(startTime).toISOString();
  write(header);

  let session: FridaSession | null = null;
  let script: FridaScript | null = null;
  let finish: (reason: string | null) => void = () => undefined;
  const ended = new Promise<string | null>((resolve) => {
    finish = resolve;
  });

  const onMessage = (message: FridaMessage) => {
    if (message.type === 'error') {
      warn(`agent error: ${String((message as { description?: unknown }).description ?? '')}`);
      return;
    }
    if (message.type !== 'send') return;
    const payload = agentMessageOf((message as { payload?: unknown }).payload);
    if (payload === null) return;
    if (payload.type === AGENT_EVENT_MESSAGE) {
      const event = acceptAgentEvent(payload.event);
      if (event === null) {
        warn('rejected an event from the agent (not a trace event, or over 64 KiB)');
        return;
      }
      write(event);
      result.events++;
    } else if (payload.type === AGENT_READY_MESSAGE) {
      result.hooked = Array.isArray(payload.hooked) ? payload.hooked.filter((h): h is string => typeof h === 'string').slice(0, 2000) : [];
      result.missing = Array.isArray(payload.missing)
        ? payload.missing
            .filter((m) => typeof m === 'object' && m !== null && typeof m.id === 'string' && typeof m.reason === 'string')
            .slice(0, 2000)
            .map((m) => ({ id: shorten(m.id, 200), reason: shorten(m.reason, 200) }))
        : [];
      progress(`agent ready: ${result.hooked.length} hooks, ${result.missing.length} APIs not hooked (yet)`);
    } else if (payload.type === AGENT_WARNING_MESSAGE) {
      warn(`agent: ${String(payload.message)}`);
    }
  };
  const onDetached = (reason: string, crash: FridaCrash | null) => {
    const t = elapsed();
    if (reason === 'process-terminated' || crash !== null) {
      const event: LifecycleEvent = { kind: 'lifecycle', t, action: crash !== null ? 'crash' : 'exit' };
      if (typeof crash?.processName === 'string' && crash.processName.length > 0) event.process = shorten(crash.processName, 200);
      if (result.pid !== null) event.pid = result.pid;
      write(event);
      result.events++;
    } else if (reason !== 'application-requested') {
      warn(`session detached: ${reason}`);
    }
    finish(reason);
  };

  const abort = () => finish(null);
  options.signal?.addEventListener('abort', abort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A spawned process that is still suspended (killed if the start fails). */
  let suspended: number | null = null;
  let agentStarted = false;
  try {
    let pid: number;
    if (options.spawn) {
      progress(`spawning ${pkg}`);
      pid = await withTimeout(device.spawn([pkg]), opTimeout, `spawning ${pkg}`);
      suspended = pid;
    } else {
      const apps = await withTimeout(device.enumerateApplications(), opTimeout, 'listing applications');
      const app = apps.find((a) => a.identifier === pkg && a.pid > 0);
      if (app === undefined) throw new Error(`${pkg} is not running on ${device.id}: start it first, or spawn it (--spawn)`);
      pid = app.pid;
    }
    result.pid = pid;
    session = await withTimeout(device.attach(pid), opTimeout, `attaching to ${pid}`);
    session.detached.connect(onDetached);
    script = await withTimeout(session.createScript(source, { name: 'apprights' }), opTimeout, 'creating the agent script');
    script.message.connect(onMessage);
    await withTimeout(script.load(), opTimeout, 'loading the agent');
    const config: AgentConfig = { package: pkg, startTime, hostNow: Date.now(), plan, spawned: options.spawn };
    if (options.maxCallsPerSecond !== undefined) config.maxCallsPerSecond = options.maxCallsPerSecond;
    const start = script.exports.start;
    if (typeof start !== 'function') throw new Error('the agent has no start export: is the agent script the AppRights one?');
    await withTimeout(start(config), opTimeout, 'starting the agent');
    agentStarted = true;
    if (options.spawn) {
      await withTimeout(device.resume(pid), opTimeout, `resuming ${pid}`);
      suspended = null;
      const launch: UserEvent = { kind: 'user', t: elapsed(), action: 'launch' };
      write(launch);
      result.events++;
    }
    progress(`recording ${pkg} (pid ${pid}) for ${Math.round(options.durationMs / 1000)} s`);
    if (options.signal?.aborted) finish(null);
    timer = setTimeout(() => finish(null), options.durationMs);
    const ticker = setInterval(() => progress('recording'), 1000);
    try {
      result.detachReason = await ended;
    } finally {
      clearInterval(ticker);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
    if (result.detachReason === null && script !== null) {
      const stop = script.exports.stop;
      try {
        if (agentStarted && typeof stop === 'function') await withTimeout(stop(), 5000, 'stopping the agent');
      } catch (error) {
        warn(`stopping the agent: ${String(error)}`);
      }
      try {
        await withTimeout(script.unload(), 5000, 'unloading the agent');
      } catch (error) {
        warn(`unloading the agent: ${String(error)}`);
      }
    }
    script?.message.disconnect(onMessage);
    if (session !== null) {
      session.detached.disconnect(onDetached);
      if (result.detachReason === null) {
        try {
          await withTimeout(session.detach(), 5000, 'detaching');
        } catch (error) {
          warn(`detaching: ${String(error)}`);
        }
      }
    }
    if (suspended !== null && device.kill !== undefined) {
      try {
        await withTimeout(device.kill(suspended), 5000, `killing the suspended process ${suspended}`);
      } catch (error) {
        warn(`killing the suspended process: ${String(error)}`);
      }
    }
    result.durationMs = elapsed();
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), streamError]);
  }
  progress(`done: ${result.events} events`);
  return result;
}
