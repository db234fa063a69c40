/**
 * A scripted fake of the `frida` module for the explorer's tests and examples: one device whose
 * sessions run a fake agent. On `start` the agent sends the events scripted for that attach (the
 * first attach gets `perAttach[0]`, and so on; the last list repeats), on `stop` the `onStop`
 * events, as the real agent does when it flushes. Nothing here talks to a device or loads Frida.
 */
import { AGENT_EVENT_MESSAGE, AGENT_READY_MESSAGE } from '../frida/encode.js';
import type { FridaCrash, FridaDevice, FridaMessage, FridaModule, FridaScript, FridaSession, FridaSignal } from '../frida/record.js';

export interface FakeFridaScript {
  package: string;
  pid?: number;
  /** Agent events (trace events, `t` in ms since the attach) sent at each attach's start. */
  perAttach: Record<string, unknown>[][];
  onStop?: Record<string, unknown>[];
  /** Hooks the agent reports installed. */
  hooked?: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function signal<H extends (...args: any[]) => void>(): FridaSignal<H> & { emit: (...args: Parameters<H>) => void } {
  const handlers = new Set<H>();
  return {
    connect: (h) => void handlers.add(h),
    disconnect: (h) => void handlers.delete(h),
    // eslint-disable-next-line apprights/no-input-sized-spread -- a signal's own two arguments
    emit: (...args) => handlers.forEach((h) => h(...args)),
  };
}

export class FakeFrida {
  /** What was asked of the fake, in order (`attach 4321`, `start`, `stop` …). */
  readonly log: string[] = [];
  /** The agent configs passed to `start`. */
  readonly configs: Record<string, unknown>[] = [];
  readonly module: FridaModule;
  private attaches = 0;

  constructor(private readonly script: FakeFridaScript) {
    const pid = script.pid ?? 4321;
    const device: FridaDevice = {
      id: 'emulator-5554',
      name: 'Android Emulator 5554',
      spawn: () => Promise.reject(new Error('the explorer attaches; it never spawns')),
      attach: async (target) => {
        this.log.push(`attach ${target}`);
        return this.session();
      },
      resume: async () => undefined,
      enumerateApplications: async () => [{ identifier: script.package, name: 'app', pid }],
      querySystemParameters: async () => ({ 'api-level': 33 }),
    };
    this.module = { getUsbDevice: async () => device, getDevice: async () => device };
  }

  private session(): FridaSession {
    const n = this.attaches++;
    const events = this.script.perAttach[Math.min(n, this.script.perAttach.length - 1)] ?? [];
    const message = signal<(m: FridaMessage, d: Buffer | null) => void>();
    const detached = signal<(reason: string, crash: FridaCrash | null) => void>();
    const send = (event: Record<string, unknown>) => message.emit({ type: 'send', payload: { type: AGENT_EVENT_MESSAGE, event } }, null);
    const script: FridaScript = {
      message,
      exports: {
        start: async (config) => {
          this.log.push('start');
          this.configs.push(config as Record<string, unknown>);
          message.emit({ type: 'send', payload: { type: AGENT_READY_MESSAGE, hooked: this.script.hooked ?? [], missing: [] } }, null);
          for (const event of events) send(event);
          return {};
        },
        stop: async () => {
          this.log.push('stop');
          for (const event of this.script.onStop ?? []) send(event);
          return {};
        },
      },
      load: async () => undefined,
      unload: async () => undefined,
    };
    return {
      detached,
      createScript: async () => script,
      detach: async () => void this.log.push('detach'),
    };
  }
}
