import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeStack, readTrace } from '@apprights/runtime';
import {
  FakeDevice,
  FakeFrida,
  explore,
  fridaInstrument,
  recordWithFrida,
  type CatalogEntry,
  type FakeApp,
  type RecordWithFridaOptions,
} from '../src/index.js';

const SHOP = JSON.parse(readFileSync(new URL('./fake-apps/shop.json', import.meta.url), 'utf8')) as FakeApp;
const catalog = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../knowledge/data/sensitive-apis.json', import.meta.url)), 'utf8')) as {
    apis: CatalogEntry[];
  }
).apis;
const UMENG_STACK = [
  'android.telephony.TelephonyManager.getImei(Native Method)',
  'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
  'com.example.shop.App.onCreate(App.java:20)',
];

test('explore with the Frida recorder attached: its API calls with stacks land in the scenario trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-explore-frida-'));
  try {
    const device = new FakeDevice(SHOP);
    const frida = new FakeFrida({
      package: SHOP.package,
      hooked: ['telephony.getImei'],
      perAttach: [
        [
          {
            kind: 'api',
            t: 5,
            api: 'telephony.getImei',
            class: 'android.telephony.TelephonyManager',
            method: 'getImei',
            pi: 'device-identifiers',
            result: '<redacted String len=15>',
            stack: UMENG_STACK,
          },
          // The agent's view of a tap: the explorer writes its own taps, so this one is left out.
          { kind: 'user', t: 6, action: 'tap', node: 'com.example.shop:id/x' },
        ],
      ],
      onStop: [{ kind: 'sensor', t: 9, action: 'register', sensor: 'accelerometer' }],
    });
    const record = (o: RecordWithFridaOptions) => recordWithFrida({ ...o, agentSource: '//', loadFrida: async () => frida.module });
    const result = await explore({
      adb: device,
      package: SHOP.package,
      outDir: dir,
      scenarios: ['refuse'],
      clock: device.clock,
      sleep: device.sleep,
      recorder: 'apprights-explore+frida',
      instrument: fridaInstrument({ outDir: dir, catalog, record }),
    });
    assert.deepEqual(
      result.scenarios.map((s) => [s.dir, s.status, s.reason ?? null]),
      [['a-refuse', 'completed', null]],
    );
    assert.deepEqual(frida.log, ['attach 4321', 'start', 'stop', 'detach']);
    assert.equal(frida.configs[0]!.spawned, false);
    const trace = readTrace(readFileSync(join(dir, 'a-refuse', 'trace.jsonl'), 'utf8'));
    assert.deepEqual(trace.problems, []);
    assert.equal(trace.header?.recorder, 'apprights-explore+frida');
    const fromFrida = trace.events.filter((e) => e.kind === 'api' && (e as { stack?: unknown }).stack !== undefined) as unknown as {
      t: number;
      stack: string[];
      api: string;
    }[];
    assert.equal(fromFrida.length, 1);
    assert.equal(fromFrida[0]!.api, 'telephony.getImei');
    // Moved onto the scenario's time: after the explorer's launch, not at the agent's own 5 ms.
    const launch = trace.events.find((e) => e.kind === 'user' && (e as { action?: string }).action === 'launch')!;
    assert.ok(fromFrida[0]!.t >= launch.t, `${fromFrida[0]!.t} ≥ ${launch.t}`);
    // Stack → SDK: the frame that decides is Umeng's, not the app's.
    assert.equal(attributeStack(fromFrida[0]!.stack, { appPackage: SHOP.package }).sdk, 'umeng-analytics');
    // The flush at stop is kept; the agent's tap is not (every user event is the explorer's, with its node).
    assert.ok(trace.events.some((e) => e.kind === 'sensor'));
    const users = trace.events.filter((e) => e.kind === 'user') as unknown as Record<string, unknown>[];
    assert.ok(users.length > 0 && users.every((u) => u.source === 'explorer'));
    // The raw Frida trace of the launch stays beside it.
    assert.ok(existsSync(join(dir, 'a-refuse', 'frida', 'launch-1', 'trace.jsonl')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explore with an instrument that cannot attach: the scenario ends with instrument-failed, the next still runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-explore-frida-'));
  try {
    const device = new FakeDevice(SHOP);
    let attaches = 0;
    const result = await explore({
      adb: device,
      package: SHOP.package,
      outDir: dir,
      scenarios: ['refuse', 'deny'],
      clock: device.clock,
      sleep: device.sleep,
      instrument: {
        attach: async () => {
          if (attaches++ === 0) throw new Error('unable to connect to remote frida-server');
          return { stop: async () => ({ events: [], warnings: [] }) };
        },
      },
    });
    assert.deepEqual(
      result.scenarios.map((s) => [s.dir, s.status, s.reason ?? null]),
      [
        ['a-refuse', 'aborted', 'instrument-failed'],
        ['b-deny', 'completed', null],
      ],
    );
    assert.match(result.scenarios[0]!.message!, /^Frida: unable to connect to remote frida-server/);
    const trace = readTrace(readFileSync(join(dir, 'a-refuse', 'trace.jsonl'), 'utf8'));
    const end = trace.events.at(-1) as unknown as Record<string, unknown>;
    assert.equal(end.reason, 'instrument-failed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fridaInstrument retries while the started process is not listed yet, and passes other failures on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-explore-frida-'));
  try {
    const scenario = { id: 'refuse', letter: 'a', dir: 'a-refuse', title: { zh: '', en: '' } } as const;
    let calls = 0;
    const slow = fridaInstrument({
      outDir: dir,
      catalog,
      retryMs: 1,
      record: async (o) => {
        if (++calls < 3) throw new Error(`${o.package} is not running on emulator-5554: start it first`);
        const frida = new FakeFrida({ package: o.package, perAttach: [[]] });
        return recordWithFrida({ ...o, agentSource: '//', loadFrida: async () => frida.module });
      },
    });
    const session = await slow.attach({ package: SHOP.package, scenario, launch: 1 });
    assert.equal(calls, 3);
    assert.deepEqual((await session.stop()).events, []);
    const failing = fridaInstrument({
      outDir: dir,
      catalog,
      record: () => Promise.reject(new Error('unable to connect to remote frida-server')),
    });
    await assert.rejects(failing.attach({ package: SHOP.package, scenario, launch: 1 }), /frida-server/);
    const never = fridaInstrument({
      outDir: dir,
      catalog,
      attachTries: 2,
      retryMs: 1,
      record: () => Promise.reject(new Error('com.example.shop is not running')),
    });
    await assert.rejects(never.attach({ package: SHOP.package, scenario, launch: 2 }), /is not running/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
