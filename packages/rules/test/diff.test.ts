import { test } from 'node:test';
import { loadKnowledge } from '@apprights/knowledge';
import assert from 'node:assert/strict';
import {
  compareVersions,
  diffGateFails,
  diffReports,
  isDynamicCodeApi,
  type Change,
  type ChangeKind,
  type ReportDiff,
} from '../src/diff/index.js';
import { SCAN_REPORT_VERSION, type Finding, type PackageFacts, type ScanReport, type Severity } from '../src/index.js';
import { activity, apiUse, makeFacts, permission, receiver, sdk, service } from './support/facts.js';

type FactsPatch = Parameters<typeof makeFacts>[0];

/** A scan report around hand-made facts; every rule named in `ran` counts as having run. */
function report(patch: FactsPatch = {}, extra: { findings?: Finding[]; ran?: string[] } = {}): ScanReport {
  const facts = makeFacts(patch);
  return {
    schemaVersion: SCAN_REPORT_VERSION,
    tool: { name: 'apprights', version: '0.0.0-test' },
    context: {
      store: null,
      config: null,
      failOn: 'none',
      evidence: ['apk'],
      measuresVersion: 2,
      knowledge: { id: loadKnowledge().id, versions: loadKnowledge().versions },
    },
    ...facts,
    rules: (extra.ran ?? []).map((id) => ({ id, status: 'ran' as const, findings: 0 })),
    findings: extra.findings ?? [],
    coverage: [],
  };
}

/** The update of `report`: another file with a higher versionCode, so only the patched facts differ. */
function update(patch: FactsPatch = {}, extra: { findings?: Finding[]; ran?: string[] } = {}): ScanReport {
  const { app, file, ...rest } = patch ?? {};
  return report(
    {
      file: file ?? { path: '/tmp/app-2.apk', name: 'app-2.apk', size: 1200, sha256: '1'.repeat(64), kind: 'apk' },
      app: { versionCode: 2, versionName: '2.0', ...app },
      ...rest,
    },
    extra,
  );
}

function kinds(diff: ReportDiff): ChangeKind[] {
  return diff.changes.map((c) => c.kind);
}

function only(diff: ReportDiff, kind: ChangeKind): Change {
  assert.deepEqual(kinds(diff), [kind], JSON.stringify(diff.changes, null, 2));
  return diff.changes[0]!;
}

function expect(c: Change, severity: Severity, gating: boolean, subject?: string): void {
  assert.equal(c.severity, severity, c.message.en);
  assert.equal(c.gating, gating, c.message.en);
  if (subject !== undefined) assert.equal(c.subject, subject);
  assert.ok(c.message.zh.length > 0 && c.message.en.length > 0, 'both languages are filled');
}

function certificate(sha256: string): NonNullable<PackageFacts['signatures']>['certificates'][number] {
  return {
    subject: `CN=${sha256.slice(0, 4)}`,
    issuer: `CN=${sha256.slice(0, 4)}`,
    serialNumber: '1',
    notBefore: '2020-01-01T00:00:00Z',
    notAfter: '2050-01-01T00:00:00Z',
    sha256,
    sha1: sha256.slice(0, 40),
    publicKey: { algorithm: 'RSA', bits: 2048, curve: null },
    signatureAlgorithm: 'sha256WithRSAEncryption',
  };
}

function signedBy(...sha256: string[]): PackageFacts['signatures'] {
  const scheme = { present: true, verified: true, skipped: null, errors: [], warnings: [] };
  return {
    verified: true,
    schemes: { v1: false, v2: true, v3: false, v31: false },
    details: {
      v1: { ...scheme, present: false, verified: false },
      v2: scheme,
      v3: { ...scheme, present: false },
      v31: { ...scheme, present: false },
    },
    certificates: sha256.map(certificate),
    minSdk: 21,
    errors: [],
    warnings: [],
  };
}

function finding(ruleId: string, key: string, severity: Severity, patch: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    measures: [],
    severity,
    message: { zh: `${ruleId} ${key}`, en: `${ruleId} ${key}` },
    messageId: 'finding',
    evidence: [],
    fingerprint: `${ruleId}-${key}`.padEnd(16, '0').slice(0, 16),
    ...patch,
  };
}

/** makeFacts' launcher activity: lists of components keep it, so it is not reported as removed. */
const MAIN = activity('com.example.app.MainActivity', { launcher: true });
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

test('an update that changes nothing but its file and versionCode has no changes', () => {
  const diff = diffReports(report(), update());
  assert.deepEqual(diff.changes, []);
  assert.deepEqual(diff.summary, { bySeverity: { high: 0, medium: 0, low: 0, info: 0 }, gating: false });
  assert.equal(diff.schemaVersion, '1.0.0');
  assert.deepEqual(diff.old, {
    file: 'app.apk',
    sha256: '0'.repeat(64),
    package: 'com.example.app',
    versionName: '1.0',
    versionCode: 1,
    label: 'Example',
  });
  assert.equal(diff.new.versionCode, 2);
});

test('a report compared with itself has no changes, the equal versionCode included', () => {
  const same = report({ permissions: [permission('android.permission.CAMERA')], sdks: [sdk('jpush', { version: '4.0' })] });
  assert.deepEqual(diffReports(same, structuredClone(same)).changes, []);
});

test('package-changed: another package name is high and gating; an AAR keeps its package in jvm.aarPackage', () => {
  const c = only(diffReports(report(), update({ app: { package: 'com.other.app' } })), 'package-changed');
  expect(c, 'high', true, 'package');
  assert.equal(c.before, 'com.example.app');
  assert.equal(c.after, 'com.other.app');

  const jvm = { classFiles: 1, classes: 1, methods: 1, methodRefs: 1, aarPackage: 'com.lib', jars: ['classes.jar'] };
  const aar = (name: string) => ({ app: { package: null, versionCode: null }, jvm: { ...jvm, aarPackage: name } });
  assert.deepEqual(kinds(diffReports(report(aar('com.lib')), update(aar('com.lib')))), []);
  assert.deepEqual(kinds(diffReports(report(aar('com.lib')), update(aar('com.lib2')))), ['package-changed']);
});

test('signer-changed: another certificate set is high and gating; order and repeats do not matter', () => {
  const c = only(diffReports(report({ signatures: signedBy(A) }), update({ signatures: signedBy(B) })), 'signer-changed');
  expect(c, 'high', true, 'signature');
  assert.deepEqual(c.before, [A]);
  assert.deepEqual(c.after, [B]);
  // A second signer added is a different set too: someone else can now publish updates.
  only(diffReports(report({ signatures: signedBy(A) }), update({ signatures: signedBy(A, B) })), 'signer-changed');
  assert.deepEqual(kinds(diffReports(report({ signatures: signedBy(A, B) }), update({ signatures: signedBy(B, A, B) }))), []);
  assert.deepEqual(kinds(diffReports(report({ signatures: signedBy(A) }), update({ signatures: signedBy(A.toUpperCase()) }))), []);
});

test('signer-changed: an unsigned or unreadable side is medium and not gating; two unsigned sides are no change', () => {
  expect(only(diffReports(report({ signatures: signedBy(A) }), update({ signatures: null })), 'signer-changed'), 'medium', false);
  expect(only(diffReports(report({ signatures: null }), update({ signatures: signedBy(A) })), 'signer-changed'), 'medium', false);
  expect(only(diffReports(report({ signatures: signedBy() }), update({ signatures: signedBy(A) })), 'signer-changed'), 'medium', false);
  assert.deepEqual(kinds(diffReports(report({ signatures: null }), update({ signatures: null }))), []);
});

test('version-not-increased: an equal or lower versionCode on a different file is medium, not gating', () => {
  for (const code of [1, 0]) {
    const c = only(diffReports(report(), update({ app: { versionCode: code } })), 'version-not-increased');
    expect(c, 'medium', false, 'versionCode');
    assert.equal(c.after, code);
  }
  assert.deepEqual(kinds(diffReports(report(), update({ app: { versionCode: 7 } }))), []);
  assert.deepEqual(kinds(diffReports(report(), update({ app: { versionCode: null } }))), [], 'unknown codes are not compared');
  // The same bytes are the same build, so the same versionCode is expected.
  const sameFile = update({ app: { versionCode: 1 }, file: makeFacts().file });
  assert.deepEqual(kinds(diffReports(report(), sameFile)), []);
});

test('target-sdk-lowered is high and gating; raising it or an unknown level is no change', () => {
  const c = only(diffReports(report({ app: { targetSdk: 34 } }), update({ app: { targetSdk: 28 } })), 'target-sdk-lowered');
  expect(c, 'high', true, 'targetSdk');
  assert.deepEqual([c.before, c.after], [34, 28]);
  assert.deepEqual(kinds(diffReports(report({ app: { targetSdk: 33 } }), update({ app: { targetSdk: 34 } }))), []);
  assert.deepEqual(kinds(diffReports(report({ app: { targetSdk: null } }), update({ app: { targetSdk: 21 } }))), []);
});

test('min-sdk-changed is info, either way', () => {
  expect(only(diffReports(report({ app: { minSdk: 21 } }), update({ app: { minSdk: 24 } })), 'min-sdk-changed'), 'info', false, 'minSdk');
  expect(only(diffReports(report({ app: { minSdk: 24 } }), update({ app: { minSdk: 21 } })), 'min-sdk-changed'), 'info', false);
  assert.deepEqual(kinds(diffReports(report({ app: { minSdk: 24 } }), update({ app: { minSdk: 24 } }))), []);
});

test('permission-added: a dangerous permission is high and gating, others low; removed is info', () => {
  const base = [permission('android.permission.INTERNET', 'normal')];
  const dangerous = only(
    diffReports(report({ permissions: base }), update({ permissions: [...base, permission('android.permission.READ_CONTACTS')] })),
    'permission-added',
  );
  expect(dangerous, 'high', true, 'android.permission.READ_CONTACTS');
  assert.deepEqual(dangerous.after, { name: 'android.permission.READ_CONTACTS', protectionLevel: 'dangerous' });
  assert.equal(dangerous.before, undefined);

  const combined = permission('android.permission.CAMERA', 'dangerous|instant');
  expect(only(diffReports(report(), update({ permissions: [combined] })), 'permission-added'), 'high', true);

  for (const level of ['normal', 'signature|privileged', null]) {
    const p = permission('com.example.app.PUSH', level);
    expect(only(diffReports(report(), update({ permissions: [p] })), 'permission-added'), 'low', false, 'com.example.app.PUSH');
  }
  // The same set in another order, with changed attributes only, is no change.
  const two = [permission('android.permission.CAMERA'), permission('android.permission.INTERNET', 'normal')];
  assert.deepEqual(kinds(diffReports(report({ permissions: two }), update({ permissions: [...two].reverse() }))), []);

  const removed = only(diffReports(report({ permissions: two }), update({ permissions: [two[1]!] })), 'permission-removed');
  expect(removed, 'info', false, 'android.permission.CAMERA');
  assert.equal(removed.after, undefined);
});

test('sdk-added: a tracker SDK is medium and gating, a plain library low; removed is info', () => {
  const tracker = only(diffReports(report(), update({ sdks: [sdk('jpush', { version: '5.0.0' })] })), 'sdk-added');
  expect(tracker, 'medium', true, 'jpush');
  assert.match(tracker.message.en, /jpush 5\.0\.0/);
  const library = sdk('okhttp', { tracker: false, category: 'open-source-library' });
  expect(only(diffReports(report(), update({ sdks: [library] })), 'sdk-added'), 'low', false, 'okhttp');
  expect(only(diffReports(report({ sdks: [library] }), update()), 'sdk-removed'), 'info', false, 'okhttp');
  assert.deepEqual(kinds(diffReports(report({ sdks: [sdk('jpush')] }), update({ sdks: [sdk('jpush')] }))), []);
});

test('sdk-upgraded is info, sdk-downgraded low; an unknown or equal version is no change', () => {
  const at = (version: string | null) => ({ sdks: [sdk('umeng', { version })] });
  const up = only(diffReports(report(at('9.4.7')), update(at('9.6.1'))), 'sdk-upgraded');
  expect(up, 'info', false, 'umeng');
  assert.deepEqual([up.before, up.after], ['9.4.7', '9.6.1']);
  expect(only(diffReports(report(at('9.6.1')), update(at('9.4.7'))), 'sdk-downgraded'), 'low', false, 'umeng');
  assert.deepEqual(kinds(diffReports(report(at(null)), update(at('9.6.1')))), []);
  assert.deepEqual(kinds(diffReports(report(at('9.6.1')), update(at(null)))), []);
  assert.deepEqual(kinds(diffReports(report(at('9.6')), update(at('9.6.0')))), []);
});

test('compareVersions orders numeric parts as numbers and pre-releases before releases', () => {
  assert.ok(compareVersions('4.9.2', '4.9.10') < 0);
  assert.ok(compareVersions('5.0', '4.99.99') > 0);
  assert.equal(compareVersions('v1.2', '1.2.0'), 0);
  assert.ok(compareVersions('2.0-beta', '2.0') < 0);
  assert.ok(compareVersions('2.0', '2.0.1') < 0);
  assert.ok(compareVersions('2.0.beta', '2.0.1') < 0);
  assert.ok(compareVersions('2.0-alpha', '2.0-beta') < 0);
});

test('sensitive-api-added: reading personal information with high sensitivity is medium and gating, else low', () => {
  const imei = apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'cn.jpush.a', sdk: 'jpush' }], {
    pi: 'device-identifiers',
    sensitivity: 'high',
  });
  const c = only(diffReports(report(), update({ sensitiveApis: [imei], sdks: [] })), 'sensitive-api-added');
  expect(c, 'medium', true, 'telephony.getImei');
  assert.match(c.message.en, /jpush/);
  assert.equal((c.after as { callerCount: number }).callerCount, 1);

  const model = apiUse('build.MODEL', 'Landroid/os/Build;->MODEL', [{ class: 'com.example.app.A', own: true }], {
    pi: 'device-info',
    sensitivity: 'low',
  });
  expect(only(diffReports(report(), update({ sensitiveApis: [model] })), 'sensitive-api-added'), 'low', false, 'build.MODEL');
  const reflection = apiUse('class.forName', 'Ljava/lang/Class;->forName', [{ class: 'x.Y' }], { pi: null, sensitivity: 'high' });
  expect(only(diffReports(report(), update({ sensitiveApis: [reflection] })), 'sensitive-api-added'), 'low', false);

  // Called before already (by other code, even): the id is not new.
  const moved = { ...imei, callers: [{ ...imei.callers[0]!, class: 'com.example.app.Other', sdk: null, own: true }] };
  assert.deepEqual(kinds(diffReports(report({ sensitiveApis: [imei] }), update({ sensitiveApis: [moved] }))), []);
  expect(only(diffReports(report({ sensitiveApis: [imei] }), update()), 'sensitive-api-removed'), 'info', false, 'telephony.getImei');
});

test('dynamic-code-added: a newly called class loader or System.load is high and gating, reported once', () => {
  for (const [api, signature] of [
    ['dexClassLoader.init', 'Ldalvik/system/DexClassLoader;-><init>'],
    ['inMemoryDexClassLoader.init', 'Ldalvik/system/InMemoryDexClassLoader;-><init>'],
    ['system.load', 'Ljava/lang/System;->load'],
    ['dexFile.loadDex', 'Ldalvik/system/DexFile;->loadDex'],
  ] as const) {
    const use = apiUse(api, signature, [{ class: 'com.tencent.tinker.Loader' }], { pi: null, sensitivity: 'medium' });
    const c = only(diffReports(report(), update({ sensitiveApis: [use] })), 'dynamic-code-added');
    expect(c, 'high', true, api);
    assert.match(c.message.en, /hot-update/i);
    assert.deepEqual(kinds(diffReports(report({ sensitiveApis: [use] }), update({ sensitiveApis: [use] }))), [], 'already there');
  }
  // Native libraries from the APK itself were reviewed with it: not a hot update.
  assert.equal(isDynamicCodeApi('system.loadLibrary'), false);
  const loadLibrary = apiUse('system.loadLibrary', 'Ljava/lang/System;->loadLibrary', [{ class: 'x.Y' }], { sensitivity: 'low' });
  expect(only(diffReports(report(), update({ sensitiveApis: [loadLibrary] })), 'sensitive-api-added'), 'low', false);
});

test('dynamic-code-added: a hot-update SDK is high and gating; a PathClassLoader over installed code is low', () => {
  const tinker = sdk('tinker', { category: 'hot-update', tracker: false, version: '1.9.14' });
  const c = only(diffReports(report(), update({ sdks: [tinker] })), 'dynamic-code-added');
  expect(c, 'high', true, 'sdk:tinker');
  assert.match(c.message.en, /Tinker|tinker/);
  const path = apiUse('pathClassLoader.init', 'Ldalvik/system/PathClassLoader;-><init>', [{ class: 'com.google.android.gms.dynamite.X' }]);
  expect(only(diffReports(report(), update({ sensitiveApis: [path] })), 'dynamic-code-added'), 'low', false, 'pathClassLoader.init');
});

test('component-added is low; component-removed is info; an unchanged component is no change', () => {
  const main = MAIN;
  const settings = activity('com.example.app.Settings');
  const c = only(diffReports(report({ components: [main] }), update({ components: [main, settings] })), 'component-added');
  expect(c, 'low', false, 'com.example.app.Settings');
  assert.deepEqual((c.after as { type: string }).type, 'activity');
  expect(
    only(diffReports(report({ components: [main, settings] }), update({ components: [main] })), 'component-removed'),
    'info',
    false,
    'com.example.app.Settings',
  );
  assert.deepEqual(kinds(diffReports(report({ components: [main, settings] }), update({ components: [settings, main] }))), []);
});

test('self-start-added: a receiver for boot, unlock or package broadcasts is medium and gating, once per component', () => {
  for (const action of [
    'android.intent.action.BOOT_COMPLETED',
    'android.intent.action.LOCKED_BOOT_COMPLETED',
    'android.intent.action.USER_PRESENT',
    'android.net.conn.CONNECTIVITY_CHANGE',
    'android.intent.action.PACKAGE_ADDED',
  ]) {
    const boot = receiver('cn.jpush.android.service.PushReceiver', [action]);
    // The SDK is in both versions, so the receiver is the only change, attributed to it.
    const jpush = [sdk('jpush', { evidence: { ...sdk('jpush').evidence, components: [boot.name] } })];
    const c = only(diffReports(report({ sdks: jpush }), update({ sdks: jpush, components: [MAIN, boot] })), 'self-start-added');
    expect(c, 'medium', true, boot.name);
    assert.match(c.message.en, /from jpush/);
  }
  // A receiver for an app's own broadcast does not start the app on its own.
  const own = receiver('com.example.app.Refresh', ['com.example.app.REFRESH'], { exported: false });
  expect(only(diffReports(report(), update({ components: [MAIN, own] })), 'component-added'), 'low', false);
});

test('self-start-added: an existing receiver that starts listening for boot; a disabled one is low and not gating', () => {
  const before = receiver('com.example.app.Net', ['android.net.conn.CONNECTIVITY_CHANGE']);
  const after = receiver('com.example.app.Net', ['android.net.conn.CONNECTIVITY_CHANGE', 'android.intent.action.BOOT_COMPLETED']);
  const c = only(diffReports(report({ components: [MAIN, before] }), update({ components: [MAIN, after] })), 'self-start-added');
  expect(c, 'medium', true);
  assert.match(c.message.en, /BOOT_COMPLETED/);
  assert.doesNotMatch(c.message.en, /CONNECTIVITY_CHANGE/, 'only what is new is named');
  assert.deepEqual(kinds(diffReports(report({ components: [MAIN, after] }), update({ components: [MAIN, after] }))), []);
  assert.deepEqual(
    kinds(diffReports(report({ components: [MAIN, after] }), update({ components: [MAIN, before] }))),
    [],
    'fewer triggers is no change',
  );

  const disabled = { ...receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED']), enabled: false };
  expect(only(diffReports(report(), update({ components: [MAIN, disabled] })), 'self-start-added'), 'low', false);
});

test('exported-component-added: a new exported component or one that became exported is medium', () => {
  const open = service('com.example.app.Sync', ['com.example.app.SYNC'], { exported: true });
  const c = only(diffReports(report(), update({ components: [MAIN, open] })), 'exported-component-added');
  expect(c, 'medium', false, 'com.example.app.Sync');
  assert.match(c.message.en, /no permission/);
  const guarded = service('com.example.app.Sync', [], { exported: true, permission: 'com.example.app.SYNC_PERMISSION' });
  assert.match(only(diffReports(report(), update({ components: [MAIN, guarded] })), 'exported-component-added').message.en, /guarded by/);

  const closed = service('com.example.app.Sync', [], { exported: false });
  const became = only(
    diffReports(report({ components: [MAIN, closed] }), update({ components: [MAIN, guarded] })),
    'exported-component-added',
  );
  assert.equal((became.before as { exported: boolean }).exported, false);
  assert.deepEqual(kinds(diffReports(report({ components: [MAIN, guarded] }), update({ components: [MAIN, closed] }))), []);
});

test('flag-changed: debuggable, cleartext traffic or backup turned on is medium; turned off or unchanged is not', () => {
  for (const flag of ['debuggable', 'usesCleartextTraffic', 'allowBackup'] as const) {
    for (const from of [false, null]) {
      const c = only(
        diffReports(report({ app: { flags: { [flag]: from } } }), update({ app: { flags: { [flag]: true } } })),
        'flag-changed',
      );
      expect(c, 'medium', false, flag);
      assert.deepEqual([c.before, c.after], [from, true]);
    }
    assert.deepEqual(kinds(diffReports(report({ app: { flags: { [flag]: true } } }), update({ app: { flags: { [flag]: true } } }))), []);
    assert.deepEqual(kinds(diffReports(report({ app: { flags: { [flag]: true } } }), update({ app: { flags: { [flag]: false } } }))), []);
  }
  // Other flags are not what a patrol looks for.
  assert.deepEqual(kinds(diffReports(report(), update({ app: { flags: { testOnly: true } } }))), []);
});

test('finding-added carries the finding severity and gates when high; finding-resolved is info', () => {
  const ran = ['debuggable', 'self-start-receivers'];
  const high = finding('debuggable', 'app', 'high');
  const medium = finding('self-start-receivers', 'com.x.Boot', 'medium');
  const added = diffReports(report({}, { ran }), update({}, { ran, findings: [high, medium] }));
  assert.deepEqual(kinds(added), ['finding-added', 'finding-added']);
  expect(added.changes[0]!, 'high', true, `debuggable#${high.fingerprint}`);
  expect(added.changes[1]!, 'medium', false, `self-start-receivers#${medium.fingerprint}`);
  assert.equal((added.changes[0]!.after as { ruleId: string }).ruleId, 'debuggable');

  const resolved = only(diffReports(report({}, { ran, findings: [high] }), update({}, { ran })), 'finding-resolved');
  expect(resolved, 'info', false);

  // By fingerprint: the same finding with another message (a new tool wording) is no change.
  const reworded = { ...high, message: { zh: '新', en: 'new words' } };
  assert.deepEqual(kinds(diffReports(report({}, { ran, findings: [high] }), update({}, { ran, findings: [reworded] }))), []);
});

test('findings: a suppressed high finding does not gate; a rule that did not run on both sides is not compared', () => {
  const suppressed = finding('debuggable', 'app', 'high', { suppressed: { reason: 'test build', by: 'config' } });
  expect(
    only(diffReports(report({}, { ran: ['debuggable'] }), update({}, { ran: ['debuggable'], findings: [suppressed] })), 'finding-added'),
    'high',
    false,
  );
  // The old report predates the rule (or had it disabled): its findings are news about the tool, not the app.
  const newRule = finding('debuggable', 'app', 'high');
  assert.deepEqual(kinds(diffReports(report(), update({}, { ran: ['debuggable'], findings: [newRule] }))), []);
  assert.deepEqual(kinds(diffReports(report({}, { ran: ['debuggable'], findings: [newRule] }), update())), []);
});

test('sections an older report lacks are not compared, instead of calling everything added', () => {
  const old = report();
  delete (old as Partial<ScanReport>).sdks;
  delete (old as Partial<ScanReport>).sensitiveApis;
  const next = update({ sdks: [sdk('jpush')], sensitiveApis: [apiUse('telephony.getImei', 'x', [], { pi: 'device-identifiers' })] });
  assert.deepEqual(kinds(diffReports(old, next)), []);
  assert.deepEqual(kinds(diffReports(next, { ...old, app: { ...old.app, versionCode: 3 } })), []);
});

test('changes are sorted by severity, gating first, and summarised; the gate follows the threshold', () => {
  const diff = diffReports(
    report({ app: { minSdk: 21, targetSdk: 34, flags: { debuggable: false } }, signatures: signedBy(A) }),
    update({
      app: { minSdk: 23, targetSdk: 30, flags: { debuggable: true } },
      signatures: signedBy(B),
      permissions: [permission('android.permission.READ_SMS'), permission('com.example.app.C2D', 'signature')],
      sdks: [sdk('okhttp', { tracker: false })],
      components: [MAIN, activity('com.example.app.About')],
    }),
  );
  assert.deepEqual(
    diff.changes.map((c) => [c.severity, c.gating, c.kind]),
    [
      ['high', true, 'signer-changed'],
      ['high', true, 'target-sdk-lowered'],
      ['high', true, 'permission-added'],
      ['medium', false, 'flag-changed'],
      ['low', false, 'permission-added'],
      ['low', false, 'sdk-added'],
      ['low', false, 'component-added'],
      ['info', false, 'min-sdk-changed'],
    ],
  );
  assert.deepEqual(diff.summary, { bySeverity: { high: 3, medium: 1, low: 3, info: 1 }, gating: true });
  assert.equal(diffGateFails(diff, 'gating'), true);
  assert.equal(diffGateFails(diff, 'none'), false);

  const mild = diffReports(report({ app: { minSdk: 21 } }), update({ app: { minSdk: 23 }, sdks: [sdk('okhttp', { tracker: false })] }));
  assert.equal(diffGateFails(mild, 'gating'), false);
  assert.equal(diffGateFails(mild, 'high'), false);
  assert.equal(diffGateFails(mild, 'low'), true);
  assert.equal(diffGateFails(mild, 'info'), true);
  assert.equal(diffGateFails(diffReports(report(), update()), 'info'), false, 'no change passes every gate');
});

test('the diff is a plain JSON document and does not depend on the order of lists', () => {
  const facts = {
    permissions: [permission('android.permission.CAMERA'), permission('android.permission.READ_SMS')],
    sdks: [sdk('jpush'), sdk('umeng')],
    components: [receiver('a.Boot', ['android.intent.action.BOOT_COMPLETED']), activity('a.Main', { launcher: true })],
  };
  const reversed = {
    permissions: [...facts.permissions].reverse(),
    sdks: [...facts.sdks].reverse(),
    components: [...facts.components].reverse(),
  };
  const a = diffReports(report(), update(facts));
  const b = diffReports(report(), update(reversed));
  assert.deepEqual(a, b);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
});
