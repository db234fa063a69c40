/**
 * Reachability of sensitive API calls and calls through the app's own wrappers, on an APK written
 * by the test (two DEX files): an activity calls a wrapper, a Runnable created by the activity
 * calls the API from its run(), a class reached only through `Class.forName("...")` with a constant
 * name, and dead code nothing calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive, analyzeArchive } from '@apprights/apk';
import { buildApk, buildDex, type ClassSpec, type Insn } from '@apprights/testkit';
import { Reachability, checkPermissionUse, findSensitiveApis, readSensitiveApiSpecs } from '../src/index.js';

const apis = readSensitiveApiSpecs();
const TM = 'Landroid/telephony/TelephonyManager;';

function staticMethod(name: string, insns: Insn[], proto = '()V') {
  // Static initialisers carry ACC_CONSTRUCTOR as well, as compilers write them (ART checks it).
  return {
    name,
    proto,
    access: name === '<clinit>' ? 0x10008 : 0x9,
    code: { registers: 2, ins: 0, outs: 1, insns: [...insns, { op: 'return-void' as const }] },
  };
}

function virtualMethod(name: string, proto: string, insns: Insn[]) {
  return { name, proto, access: 0x1, code: { registers: 3, ins: 1, outs: 1, insns: [...insns, { op: 'return-void' as const }] } };
}

const readTm = (api: string): Insn[] => [
  { op: 'const/4', reg: 0, value: 0 },
  { op: 'invoke-virtual', method: `${TM}->${api}()Ljava/lang/String;`, args: [0] },
];

function fixture(): Uint8Array {
  const app: ClassSpec[] = [
    {
      type: 'Lcom/example/app/MainActivity;',
      superclass: 'Landroid/app/Activity;',
      virtualMethods: [
        virtualMethod('onCreate', '(Landroid/os/Bundle;)V', [
          { op: 'invoke-static', method: 'Lcom/example/app/DeviceUtil;->imei()V', args: [] },
          { op: 'new-instance', reg: 0, type: 'Lcom/example/app/Ticker;' },
          { op: 'const-string', reg: 0, string: 'com.example.app.Plugin' },
          { op: 'invoke-static', method: 'Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;', args: [0] },
        ]),
      ],
    },
    // The app's own wrapper of the platform class, called from two places.
    { type: 'Lcom/example/app/DeviceUtil;', directMethods: [staticMethod('imei', readTm('getDeviceId'))] },
    {
      type: 'Lcom/example/app/Settings;',
      directMethods: [staticMethod('show', [{ op: 'invoke-static', method: 'Lcom/example/app/DeviceUtil;->imei()V', args: [] }])],
    },
  ];
  const more: ClassSpec[] = [
    // A callback the framework runs: created by the activity, handed to a Handler or Thread.
    {
      type: 'Lcom/example/app/Ticker;',
      interfaces: ['Ljava/lang/Runnable;'],
      virtualMethods: [virtualMethod('run', '()V', readTm('getSubscriberId'))],
    },
    // Loaded by reflection with a constant name.
    { type: 'Lcom/example/app/Plugin;', directMethods: [staticMethod('<clinit>', readTm('getSimSerialNumber'))] },
    // Nothing calls it.
    { type: 'Lcom/example/app/Dead;', directMethods: [staticMethod('unused', readTm('getImei'))] },
  ];
  return buildApk({
    package: 'com.example.app',
    components: [{ type: 'activity', name: 'com.example.app.MainActivity', exported: true }],
    dex: [buildDex({ classes: app }).bytes, buildDex({ classes: more }).bytes],
  });
}

test('callers are reachable from a component, through a framework callback and through reflection; dead code is present', () => {
  const analysis = analyzeArchive(ZipArchive.fromBytes(fixture()), '/fixtures/reach.apk', { verifySignatures: false });
  try {
    const uses = new Map(findSensitiveApis(analysis, apis, [], { reachability: true }).map((u) => [u.api, u]));
    const reachOf = (api: string) => [uses.get(api)?.reach, uses.get(api)?.callers.map((c) => [c.class, c.reach, c.entry ?? null])];
    assert.deepEqual(reachOf('telephony.getDeviceId'), [
      'reachable',
      [['com.example.app.DeviceUtil', 'reachable', 'com.example.app.MainActivity.onCreate(Landroid/os/Bundle;)V']],
    ]);
    assert.deepEqual(reachOf('telephony.getSubscriberId')[0], 'reachable');
    assert.deepEqual(reachOf('telephony.getSimSerialNumber')[0], 'reachable');
    assert.deepEqual(reachOf('telephony.getImei'), ['present', [['com.example.app.Dead', 'present', null]]]);

    // Calls through the wrapper: the activity and the settings screen call DeviceUtil.imei().
    const deviceId = uses.get('telephony.getDeviceId')!;
    assert.equal(deviceId.wrapperCallCount, 2);
    assert.deepEqual(
      deviceId.wrapperCalls?.map((w) => [w.class, w.method, w.wrapper, w.own]),
      [
        ['com.example.app.MainActivity', 'onCreate(Landroid/os/Bundle;)V', 'com.example.app.DeviceUtil.imei()V', true],
        ['com.example.app.Settings', 'show()V', 'com.example.app.DeviceUtil.imei()V', true],
      ],
    );

    // READ_PHONE_STATE is not requested: the permission is needed on a reachable path.
    const use = checkPermissionUse(analysis, [...uses.values()], { catalogue: apis, reach: true });
    assert.ok(use.usedUndeclared.includes('android.permission.READ_PHONE_STATE'));
    assert.equal(use.reach?.['android.permission.READ_PHONE_STATE'], 'reachable');

    // Without reachability nothing is said.
    const plain = findSensitiveApis(analysis, apis, []);
    assert.ok(plain.every((u) => u.reach === undefined && u.callers.every((c) => c.reach === undefined)));
  } finally {
    analysis.close();
  }
});

test('where a hierarchy leaves the package: platform classes by namespace, a missing library otherwise', () => {
  const analysis = analyzeArchive(ZipArchive.fromBytes(fixture()), '/fixtures/reach.apk', { verifySignatures: false });
  try {
    const reach = new Reachability(analysis);
    assert.deepEqual(reach.leavesPackage('Lcom/example/app/MainActivity;'), [{ descriptor: 'Landroid/app/Activity;', platform: true }]);
    assert.deepEqual(reach.leavesPackage('Lcom/example/app/Ticker;'), [
      { descriptor: 'Ljava/lang/Object;', platform: true },
      { descriptor: 'Ljava/lang/Runnable;', platform: true },
    ]);
    assert.equal(reach.stats.entryClasses, 1);
  } finally {
    analysis.close();
  }
});

test('the walk is bounded: past the bound an unreached caller is left undecided, never called dead', () => {
  const analysis = analyzeArchive(ZipArchive.fromBytes(fixture()), '/fixtures/reach.apk', { verifySignatures: false });
  try {
    const reach = new Reachability(analysis, { maxEdges: 1 });
    const uses = findSensitiveApis(analysis, apis, [], { reachability: reach });
    assert.equal(reach.stats.truncated, 1);
    const dead = uses.find((u) => u.api === 'telephony.getImei');
    assert.ok(dead);
    assert.equal(dead.reach, undefined);
    assert.equal(dead.callers[0]?.reach, undefined);
    // A full walk decides it, and says how big the graph was.
    const full = new Reachability(analysis);
    assert.equal(full.of(0, 0).complete, true);
    assert.ok(full.graph().stats.methods >= 6 && full.graph().stats.reached >= 4);
  } finally {
    analysis.close();
  }
});
