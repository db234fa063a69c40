/**
 * Sensitive API calls made through the app's own subclasses of platform classes: an APK written by
 * the test (two DEX files, the subclasses in one and the callers in the other), and a JAR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive, analyzeArchive } from '@apprights/apk';
import { buildApk } from '@apprights/testkit';
import { buildDex, type ClassSpec, type Insn } from '@apprights/testkit';
import { findSensitiveApis, readSensitiveApiSpecs } from '../src/index.js';
import { buildZip } from '@apprights/testkit';
import { classWithConstants } from './support/sdk-binaries.js';

const apis = readSensitiveApiSpecs();
const TM = 'Landroid/telephony/TelephonyManager;';

function call(owner: string, name: string): Insn[] {
  return [
    { op: 'const/4', reg: 0, value: 0 },
    { op: 'invoke-virtual', method: `${owner}->${name}()Ljava/lang/String;`, args: [0] },
    { op: 'move-result-object', reg: 0 },
  ];
}

function caller(type: string, insns: Insn[]): ClassSpec {
  return {
    type,
    directMethods: [
      { name: 'read', proto: '()V', access: 0x9, code: { registers: 1, ins: 0, outs: 1, insns: [...insns, { op: 'return-void' }] } },
    ],
  };
}

test('calls through a subclass, a subclass of it and across DEX files count; an override does not', () => {
  const classes = buildDex({
    classes: [
      // Inherits getDeviceId and getImei from the platform class.
      { type: 'Lcom/example/app/MyTelephony;', superclass: TM },
      // Two levels down, still the platform's code.
      { type: 'Lcom/example/app/DeepTelephony;', superclass: 'Lcom/example/app/MyTelephony;' },
      // Overrides getDeviceId: its callers run this class's code, not the platform's.
      {
        type: 'Lcom/example/app/FakeTelephony;',
        superclass: TM,
        virtualMethods: [
          {
            name: 'getDeviceId',
            proto: '()Ljava/lang/String;',
            access: 0x1,
            code: {
              registers: 2,
              ins: 1,
              outs: 0,
              insns: [
                { op: 'const-string', reg: 0, string: 'none' },
                { op: 'return-object', reg: 0 },
              ],
            },
          },
        ],
      },
    ],
  }).bytes;
  const classes2 = buildDex({
    classes: [
      caller('Lcom/example/app/UsesSubclass;', call('Lcom/example/app/MyTelephony;', 'getDeviceId')),
      caller('Lcom/example/app/UsesDeep;', call('Lcom/example/app/DeepTelephony;', 'getImei')),
      caller('Lcom/example/app/UsesOverride;', call('Lcom/example/app/FakeTelephony;', 'getDeviceId')),
      caller('Lcom/example/app/UsesPlatform;', call(TM, 'getDeviceId')),
    ],
  }).bytes;
  const apk = buildApk({ package: 'com.example.app', dex: [classes, classes2] });
  const analysis = analyzeArchive(ZipArchive.fromBytes(apk), '/fixtures/hierarchy.apk', { verifySignatures: false });
  try {
    const uses = new Map(findSensitiveApis(analysis, apis, []).map((u) => [u.api, u]));
    const deviceId = uses.get('telephony.getDeviceId');
    assert.ok(deviceId, `found: ${[...uses.keys()].join(', ')}`);
    assert.deepEqual(
      deviceId.callers.map((c) => [c.class, c.through ?? null, c.artifact, c.own]),
      [
        ['com.example.app.UsesPlatform', null, 'classes2.dex', true],
        ['com.example.app.UsesSubclass', 'com.example.app.MyTelephony', 'classes2.dex', true],
      ],
    );
    const imei = uses.get('telephony.getImei');
    assert.deepEqual(
      imei?.callers.map((c) => [c.class, c.through]),
      [['com.example.app.UsesDeep', 'com.example.app.DeepTelephony']],
    );
  } finally {
    analysis.close();
  }
});

test('class files: a call on a subclass resolves the same way, an override does not', () => {
  const tm = 'android/telephony/TelephonyManager';
  const jar = buildZip([
    { name: 'com/example/lib/MyTelephony.class', data: classWithConstants('com/example/lib/MyTelephony', {}, { superName: tm }) },
    {
      name: 'com/example/lib/FakeTelephony.class',
      data: classWithConstants('com/example/lib/FakeTelephony', {}, { superName: tm, declares: ['getDeviceId'] }),
    },
    {
      name: 'com/example/lib/Uses.class',
      data: classWithConstants(
        'com/example/lib/Uses',
        {},
        {
          calls: [
            { owner: 'com/example/lib/MyTelephony', name: 'getDeviceId', descriptor: '()Ljava/lang/String;' },
            { owner: 'com/example/lib/FakeTelephony', name: 'getDeviceId', descriptor: '()Ljava/lang/String;' },
          ],
        },
      ),
    },
  ]);
  const analysis = analyzeArchive(ZipArchive.fromBytes(jar), '/fixtures/lib.jar');
  try {
    const uses = findSensitiveApis(analysis, apis, []);
    assert.deepEqual(
      uses.map((u) => [u.api, u.callers.map((c) => [c.class, c.through ?? null])]),
      [['telephony.getDeviceId', [['com.example.lib.Uses', 'com.example.lib.MyTelephony']]]],
    );
  } finally {
    analysis.close();
  }
});

test('calls through the package interface extending a catalogue interface resolve to it (MSA IdSupplier)', () => {
  const supplier = 'Lcom/bun/miitmdid/interfaces/IdSupplier;';
  const iface = (type: string, parent: string): ClassSpec => ({ type, access: 0x601, interfaces: [parent] });
  const classes = buildDex({
    classes: [
      iface('Lcom/example/app/OaidSource;', supplier),
      caller('Lcom/example/app/Reads;', [
        { op: 'const/4', reg: 0, value: 0 },
        { op: 'invoke-interface', method: 'Lcom/example/app/OaidSource;->getOAID()Ljava/lang/String;', args: [0] },
        { op: 'move-result-object', reg: 0 },
      ]),
    ],
  }).bytes;
  const apk = buildApk({ package: 'com.example.app', dex: [classes] });
  const analysis = analyzeArchive(ZipArchive.fromBytes(apk), '/fixtures/interface.apk', { verifySignatures: false });
  try {
    const oaid = findSensitiveApis(analysis, apis, []).find((u) => u.api === 'msa.getOAID');
    assert.deepEqual(
      oaid?.callers.map((c) => [c.class, c.through ?? null]),
      [['com.example.app.Reads', 'com.example.app.OaidSource']],
    );
  } finally {
    analysis.close();
  }
});
