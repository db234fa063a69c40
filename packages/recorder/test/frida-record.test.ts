import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace } from '@apprights/runtime';
import {
  FRIDA_MISSING_MESSAGE,
  FridaUnavailableError,
  loadFridaModule,
  recordWithFrida,
  type CatalogEntry,
  type FridaCrash,
  type FridaDevice,
  type FridaMessage,
  type FridaModule,
  type FridaScript,
  type FridaSession,
  type FridaSignal,
} from '../src/index.js';

const catalog = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../knowledge/data/sensitive-apis.json', import.meta.url)), 'utf8')) as {
    apis: CatalogEntry[];
  }
).apis;
const APP = 'com.example.news';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function signal<H extends (...args: any[]) => void>() {
  const handlers = new Set<H>();
  const s: FridaSignal<H> & { emit: (...args: Parameters<H>) => void; count: () => number } = {
    connect: (h) => void handlers.add(h),
    disconnect: (h) => void handlers.delete(h),
    emit: (...args) => handlers.forEach((h) => h(...args)),
    count: () => handlers.size,
  };
  return s;
}

interface Script {
  /** Messages the fake agent sends after `start`, each after `delay` ms. */
  messages: { delay: number; message: FridaMessage }[];
  /** Detach the session after this many ms, with this reason and crash. */
  detach?: { delay: number; reason: string; crash: FridaCrash | null };
  /** The agent fails to load. */
  failLoad?: boolean;
}

function fakeFrida(plan: Script) {
  const log: string[] = [];
  const state: { config?: Record<string, unknown>; source?: string } = {};
  const message = signal<(m: FridaMessage, d: Buffer | null) => void>();
  const detached = signal<(reason: string, crash: FridaCrash | null) => void>();
  const script: FridaScript = {
    message,
    exports: {
      start: async (config) => {
        log.push('start');
        state.config = config as Record<string, unknown>;
        for (const m of plan.messages) setTimeout(() => message.emit(m.message, null), m.delay);
        if (plan.detach) setTimeout(() => detached.emit(plan.detach!.reason, plan.detach!.crash), plan.detach.delay);
        return { pid: 4321 };
      },
      stop: async () => {
        log.push('stop');
        message.emit(
          {
            type: 'send',
            payload: {
              type: 'apprights-event',
              event: { kind: 'sensor', t: 20, action: 'reading', sensor: 'accelerometer', accelerationPeak: 18 },
            },
          },
          null,
        );
        return {};
      },
    },
    load: async () => {
      log.push('load');
      if (plan.failLoad) throw new Error('script error: SyntaxError');
    },
    unload: async () => void log.push('unload'),
  };
  const session: FridaSession = {
    detached,
    createScript: async (source) => {
      state.source = source;
      log.push('createScript');
      return script;
    },
    detach: async () => void log.push('detach'),
  };
  const device: FridaDevice = {
    id: 'emulator-5554',
    name: 'Android Emulator 5554',
    spawn: async (program) => {
      log.push(`spawn ${JSON.stringify(program)}`);
      return 4321;
    },
    attach: async (pid) => {
      log.push(`attach ${pid}`);
      return session;
    },
    resume: async (pid) => void log.push(`resume ${pid}`),
    kill: async (pid) => void log.push(`kill ${pid}`),
    enumerateApplications: async () => [{ identifier: APP, name: 'News', pid: 999 }],
    querySystemParameters: async () => ({ os: { id: 'android', version: '13' }, 'api-level': 33 }),
  };
  const frida: FridaModule = {
    getUsbDevice: async () => {
      log.push('usb');
      return device;
    },
    getDevice: async (id) => {
      log.push(`device ${id}`);
      return device;
    },
  };
  return { frida, log, state, message, detached };
}

const send = (event: Record<string, unknown>): FridaMessage => ({ type: 'send', payload: { type: 'apprights-event', event } });

test('recordWithFrida spawns the app, starts the agent with the hook plan and writes the trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-frida-'));
  try {
    const fake = fakeFrida({
      messages: [
        {
          delay: 1,
          message: {
            type: 'send',
            payload: {
              type: 'apprights-ready',
              hooked: ['telephony.getImei'],
              missing: [{ id: 'msa.getOAID', reason: 'class not loaded' }],
            },
          },
        },
        { delay: 2, message: send({ kind: 'lifecycle', t: 5, action: 'process-start', cause: 'launcher', pid: 4321 }) },
        {
          delay: 3,
          message: send({
            kind: 'api',
            t: 12,
            api: 'telephony.getImei',
            class: 'android.telephony.TelephonyManager',
            method: 'getImei',
            pi: 'device-identifiers',
            result: '<redacted String len=15>',
            stack: [
              'android.telephony.TelephonyManager.getImei(Native Method)',
              'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
            ],
          }),
        },
        { delay: 4, message: send({ kind: 'trace', t: 0, version: '9', package: 'evil', recorder: 'x' }) },
        { delay: 5, message: { type: 'send', payload: { type: 'something-else' } } },
        { delay: 6, message: { type: 'error', description: 'ReferenceError: x is not defined' } },
        { delay: 7, message: { type: 'send', payload: { type: 'apprights-warning', message: 'sensors: no class' } } },
      ],
    });
    const progress: string[] = [];
    const result = await recordWithFrida({
      device: 'emulator-5554',
      package: APP,
      spawn: true,
      durationMs: 150,
      outDir: dir,
      catalog,
      agentSource: '/* agent */',
      loadFrida: async () => fake.frida,
      onProgress: (p) => progress.push(p.message),
    });
    assert.deepEqual(fake.log, [
      'device emulator-5554',
      `spawn ["${APP}"]`,
      'attach 4321',
      'createScript',
      'load',
      'start',
      'resume 4321',
      'stop',
      'unload',
      'detach',
    ]);
    assert.equal(fake.state.source, '/* agent */');
    const config = fake.state.config!;
    assert.equal(config.package, APP);
    assert.equal(config.spawned, true);
    assert.equal(typeof config.startTime, 'number');
    const plan = config.plan as { apis: { id: string }[] };
    assert.ok(plan.apis.some((a) => a.id === 'telephony.getImei'));
    assert.equal(result.pid, 4321);
    assert.deepEqual(result.hooked, ['telephony.getImei']);
    assert.deepEqual(result.missing, [{ id: 'msa.getOAID', reason: 'class not loaded' }]);
    assert.equal(result.detachReason, null);
    assert.ok(result.warnings.some((w) => w.includes('ReferenceError')));
    assert.ok(result.warnings.some((w) => w.includes('sensors: no class')));
    assert.ok(result.warnings.some((w) => w.includes('rejected')));
    assert.ok(progress.some((p) => p.startsWith('agent ready: 1 hooks')));

    const text = readFileSync(result.traceFile, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]!.kind, 'trace');
    assert.equal(lines[0]!.recorder, 'apprights-frida');
    assert.deepEqual(lines[0]!.device, { serial: 'emulator-5554', model: 'Android Emulator 5554', emulator: true, sdkInt: 33 });
    assert.equal(result.events, lines.length - 1);
    const trace = readTrace(text);
    assert.deepEqual(trace.problems, []);
    assert.equal(trace.header?.package, APP);
    assert.deepEqual(trace.events.map((e) => e.kind).sort(), ['api', 'lifecycle', 'sensor', 'trace', 'user']);
    const api = trace.events.find((e) => e.kind === 'api') as unknown as { stack: string[] };
    assert.equal(api.stack[1], 'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)');
    assert.ok(!text.includes('"evil"'), 'a second header from the agent is rejected');
    assert.ok(trace.events.some((e) => e.kind === 'user' && (e as { action?: string }).action === 'launch'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash ends the recording with a lifecycle crash event; attach finds the running process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-frida-'));
  try {
    const fake = fakeFrida({
      messages: [{ delay: 1, message: send({ kind: 'navigation', t: 3, action: 'jump-store', target: 'com.huawei.appmarket' }) }],
      detach: { delay: 20, reason: 'process-terminated', crash: { pid: 999, processName: APP, summary: 'SIGSEGV', report: '...' } },
    });
    const started = Date.now();
    const result = await recordWithFrida({
      package: APP,
      spawn: false,
      durationMs: 60_000,
      outDir: dir,
      catalog,
      agentSource: '//',
      loadFrida: async () => fake.frida,
    });
    assert.ok(Date.now() - started < 10_000, 'stopped at the crash, not after durationMs');
    assert.equal(result.detachReason, 'process-terminated');
    assert.deepEqual(fake.log, ['usb', 'attach 999', 'createScript', 'load', 'start']);
    const trace = readTrace(readFileSync(result.traceFile, 'utf8'));
    assert.deepEqual(trace.problems, []);
    const last = trace.events.at(-1) as unknown as Record<string, unknown>;
    assert.equal(last.kind, 'lifecycle');
    assert.equal(last.action, 'crash');
    assert.equal(last.process, APP);
    assert.equal(last.pid, 999);
    assert.ok(trace.events.some((e) => e.kind === 'navigation'));
    assert.equal(fake.detached.count(), 0, 'handlers are disconnected');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attach fails clearly when the app is not running; bad input is refused before Frida is loaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-frida-'));
  try {
    const fake = fakeFrida({ messages: [] });
    await assert.rejects(
      recordWithFrida({
        package: 'com.other.app',
        spawn: false,
        durationMs: 10,
        outDir: dir,
        catalog,
        agentSource: '//',
        loadFrida: async () => fake.frida,
      }),
      /com\.other\.app is not running/,
    );
    const failing = fakeFrida({ messages: [], failLoad: true });
    await assert.rejects(
      recordWithFrida({
        package: APP,
        spawn: true,
        durationMs: 10,
        outDir: dir,
        catalog,
        agentSource: '//',
        loadFrida: async () => failing.frida,
      }),
      /SyntaxError/,
    );
    assert.deepEqual(failing.log, ['usb', `spawn ["${APP}"]`, 'attach 4321', 'createScript', 'load', 'unload', 'detach', 'kill 4321']);
    let loaded = false;
    const loadFrida = async () => {
      loaded = true;
      return fake.frida;
    };
    await assert.rejects(
      recordWithFrida({ package: 'com.x; rm -rf', spawn: true, durationMs: 10, outDir: dir, catalog, agentSource: '//', loadFrida }),
      TypeError,
    );
    await assert.rejects(
      recordWithFrida({ package: APP, device: 'a b', spawn: true, durationMs: 10, outDir: dir, catalog, agentSource: '//', loadFrida }),
      TypeError,
    );
    await assert.rejects(
      recordWithFrida({ package: APP, spawn: true, durationMs: -1, outDir: dir, catalog, agentSource: '//', loadFrida }),
      RangeError,
    );
    assert.equal(loaded, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the frida module the error says what to install, in English and Chinese', async () => {
  await assert.rejects(loadFridaModule(), (error: unknown) => {
    assert.ok(error instanceof FridaUnavailableError);
    assert.equal(error.message, FRIDA_MISSING_MESSAGE);
    assert.match(error.message, /npm install frida/);
    assert.match(error.message, /frida-server/);
    assert.match(error.message, /需要可选的 npm 包/);
    return true;
  });
  const dir = mkdtempSync(join(tmpdir(), 'apprights-frida-'));
  try {
    await assert.rejects(
      recordWithFrida({ package: APP, spawn: true, durationMs: 10, outDir: dir, catalog, agentSource: '//' }),
      (error: unknown) => error instanceof FridaUnavailableError && /npm install frida/.test(error.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
