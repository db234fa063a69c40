/**
 * Reachability of sensitive API calls and calls through the app's own wrappers, on an APK written
 * by the test (two DEX files): an activity calls a wrapper, a Runnable created by the activity
 * calls the API from its run(), a class reached only through `Class.forName("...")` with a constant
 * name, and dead code nothing calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive, analyzeArchive } from '@apprights/apk';
import { Reachability, checkPermissionUse, findSensitiveApis, readSensitiveApiSpecs } from '../src/index.js';
import { reachabilityFixture as fixture } from '@apprights/testkit';

const apis = readSensitiveApiSpecs();

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
