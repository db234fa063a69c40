/**
 * The AppRights Frida agent: loaded into the app's process by `recordWithFrida` (packages/recorder/
 * src/frida/record.ts). It does nothing until the host calls `rpc.exports.start(config)` with the
 * hook plan (built from the sensitive-API catalogue on the host: the agent reads no files), then
 * sends every event as `send({ type: 'apprights-event', event })` in the trace format of
 * `@apprights/runtime`, arguments and results redacted, stacks innermost first.
 *
 * Build: `node packages/recorder/scripts/build-agent.mjs` (tsc typecheck + esbuild bundle to
 * `packages/recorder/dist/frida-agent.js`), or `npx frida-compile frida-agent/src/index.ts -o
 * dist/frida-agent.js` in packages/recorder where frida-compile and frida-java-bridge install.
 */
import JavaBridgeModule from 'frida-java-bridge';
import { AGENT_READY_MESSAGE, type AgentConfig, type AgentReadyMessage } from '../../src/frida/encode.js';
import { begin, context, warn } from './context.js';
import { hookActivities, setApplicationCreateCallback, tickForeground } from './hooks/activities.js';
import { hookContentResolver, hooked, installApiHooks, missing } from './hooks/apis.js';
import { expirePermissionRequests, hookPermissions } from './hooks/permissions.js';
import { flushSensors, hookSensors } from './hooks/sensors.js';
import { hookInput } from './hooks/input.js';
import { guarded, setJava, type JavaBridge } from './java.js';

/** Thrown by `start` when the runtime has no Java bridge (see the build notes above). */
const NO_JAVA =
  'apprights agent: no Java bridge in this runtime. Frida 17 needs the bridge bundled into the agent: install frida-java-bridge next to packages/recorder and rebuild (node packages/recorder/scripts/build-agent.mjs), or build with frida-compile. / 此 Frida 运行时没有 Java 桥：请安装 frida-java-bridge 后重新构建代理脚本。';

const Java = JavaBridgeModule as JavaBridge | undefined;
const dedicatedHooks = new Set<string>();
const timers: ReturnType<typeof setInterval>[] = [];
let retryUntil = 0;

function tryInstall(label: string, install: () => string[] | string | null): void {
  try {
    const result = install();
    if (Array.isArray(result)) for (const name of result) dedicatedHooks.add(name);
    else if (typeof result === 'string') warn(`${label}: ${result}`);
  } catch (error) {
    warn(`${label}: ${String(error).slice(0, 200)}`);
  }
}

function retryMissing(): void {
  const ctx = context();
  if (ctx === null || missing.size === 0) return;
  Java!.perform(() => guarded(() => installApiHooks(ctx.config.plan.apis)));
}

function readyMessage(): AgentReadyMessage {
  const ctx = context();
  const message: AgentReadyMessage = {
    type: AGENT_READY_MESSAGE,
    hooked: [...dedicatedHooks, ...hooked],
    missing: [...missing].map(([id, reason]) => ({ id, reason })),
    pid: Process.id,
  };
  const sdk = Number(Java?.androidVersion);
  if (Number.isFinite(sdk)) message.sdkInt = sdk;
  if (ctx?.process) message.process = ctx.process;
  return message;
}

function validConfig(raw: unknown): AgentConfig {
  const c = raw as AgentConfig;
  if (typeof c !== 'object' || c === null) throw new TypeError('start(config): config must be an object');
  if (typeof c.package !== 'string' || typeof c.startTime !== 'number')
    throw new TypeError('start(config): package and startTime are required');
  if (typeof c.plan !== 'object' || c.plan === null || !Array.isArray(c.plan.apis))
    throw new TypeError('start(config): plan.apis is required');
  c.plan.contentUris = Array.isArray(c.plan.contentUris) ? c.plan.contentUris : [];
  c.plan.dedicated = Array.isArray(c.plan.dedicated) ? c.plan.dedicated : [];
  return c;
}

rpc.exports = {
  /**
   * Starts recording: framework hooks at once (`Java.performNow`), hooks of the app's and its SDKs'
   * classes when the app's class loader is there (`Java.perform`), and again before
   * `Application.onCreate` and every 2 s for the first 30 s for classes loaded late. Returns at once;
   * the `apprights-ready` message says what got hooked.
   */
  start(raw: unknown): { pid: number } {
    if (Java === undefined || Java === null || !Java.available) throw new Error(NO_JAVA);
    if (context() !== null) throw new Error('apprights agent: already started');
    setJava(Java);
    const config = validConfig(raw);
    begin(config, Process.id);
    // Installing hooks runs Java code (class loading, reflection) that may itself be hooked: guarded.
    setApplicationCreateCallback(() => guarded(() => installApiHooks(config.plan.apis)));
    Java.performNow(() =>
      guarded(() => {
        tryInstall('activities', hookActivities);
        tryInstall('input', hookInput);
        tryInstall('permissions', hookPermissions);
        tryInstall('sensors', hookSensors);
        tryInstall('content resolver', hookContentResolver);
        installApiHooks(config.plan.apis);
      }),
    );
    Java.perform(() =>
      guarded(() => {
        installApiHooks(config.plan.apis);
        tryInstall('permissions', hookPermissions);
        send(readyMessage());
      }),
    );
    retryUntil = Date.now() + 30_000;
    timers.push(
      setInterval(() => {
        flushSensors(false);
        tickForeground();
      }, 250),
      setInterval(() => {
        expirePermissionRequests(false);
        if (Date.now() < retryUntil) retryMissing();
      }, 2000),
    );
    return { pid: Process.id };
  },

  /** Sends what is still pending (sensor windows, unanswered permission requests) and stops the timers. */
  stop(): { events: number; hooked: number; missing: number } {
    for (const timer of timers.splice(0)) clearInterval(timer);
    flushSensors(true);
    tickForeground();
    expirePermissionRequests(true);
    const ctx = context();
    return { events: ctx?.events ?? 0, hooked: dedicatedHooks.size + hooked.size, missing: missing.size };
  },

  /** What is hooked now (for a host that asks again after the app loaded its SDKs). */
  status(): AgentReadyMessage {
    return readyMessage();
  },
};
