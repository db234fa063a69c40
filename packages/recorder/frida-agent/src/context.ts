/**
 * The agent's state for one recording: the host's configuration, the clock, the trackers, and
 * `emit`, the one place events leave the process.
 */
import type { TraceEvent } from '@apprights/runtime';
import {
  AGENT_WARNING_MESSAGE,
  ForegroundTracker,
  PermissionTracker,
  RateLimiter,
  SensorSummariser,
  eventMessage,
  traceTime,
  type AgentConfig,
} from '../../src/frida/encode.js';

export interface AgentContext {
  config: AgentConfig;
  /** The app's `Date.now()` that is trace time 0. */
  origin: number;
  pid: number;
  process: string | null;
  foreground: ForegroundTracker;
  permissions: PermissionTracker;
  sensors: SensorSummariser;
  limiter: RateLimiter;
  hotLimiter: RateLimiter;
  /** Dedicated-hook catalogue ids, by hook (`permission` → `activity.requestPermissions`). */
  dedicatedIds: Map<string, string[]>;
  events: number;
  /** The last input the app received (a view click or a touch), for the triggers of jumps and downloads. */
  lastInput: { t: number; what: string } | null;
  /** Whether the input hooks are in place: without them a trigger is `unknown`, not `app`. */
  inputHooked: boolean;
}

let current: AgentContext | null = null;

export function context(): AgentContext | null {
  return current;
}

/**
 * Starts a recording. `config.startTime` is the host's `Date.now()` at the trace start and
 * `config.hostNow` the host's `Date.now()` when it called `start`: the difference to the app's own
 * clock is taken out, so event times are on the host's time line whatever the phone's clock says.
 */
export function begin(config: AgentConfig, pid: number): AgentContext {
  const now = Date.now();
  const origin =
    typeof config.hostNow === 'number' && Number.isFinite(config.hostNow) ? now - (config.hostNow - config.startTime) : config.startTime;
  const dedicatedIds = new Map<string, string[]>();
  for (const d of config.plan.dedicated) dedicatedIds.set(d.hook, [...(dedicatedIds.get(d.hook) ?? []), d.id]);
  const perSecond = config.maxCallsPerSecond ?? 20;
  current = {
    config,
    origin,
    pid,
    process: null,
    foreground: new ForegroundTracker(),
    permissions: new PermissionTracker(),
    sensors: new SensorSummariser(),
    limiter: new RateLimiter(perSecond),
    hotLimiter: new RateLimiter(Math.max(1, Math.min(3, perSecond))),
    dedicatedIds,
    events: 0,
    lastInput: null,
    inputHooked: false,
  };
  return current;
}

/** Trace time now, ms. */
export function now(): number {
  return current === null ? 0 : traceTime(Date.now(), current.origin);
}

/** Sends one event to the host, with the process it happened in. */
export function emit(event: TraceEvent): void {
  const ctx = current;
  if (ctx === null) return;
  if (event.pid === undefined) event.pid = ctx.pid;
  if (event.process === undefined && ctx.process !== null) event.process = ctx.process;
  ctx.events++;
  send(eventMessage(event));
}

export function emitAll(events: readonly TraceEvent[]): void {
  for (const e of events) emit(e);
}

/** A non-fatal problem, for the host's warnings (never personal data: class and method names only). */
export function warn(message: string): void {
  send({ type: AGENT_WARNING_MESSAGE, message: message.slice(0, 500) });
}
