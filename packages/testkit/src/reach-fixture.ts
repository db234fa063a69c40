/**
 * An APK written by the test for reachability and wrappers (two DEX files): an activity calls the
 * app's own wrapper DeviceUtil.imei() (getDeviceId), and so does a settings screen nothing calls;
 * a Runnable the activity creates calls getSubscriberId from run(); a class loaded only through
 * `Class.forName("com.example.app.Plugin")` calls getSimSerialNumber from its static initialiser;
 * and dead code calls getImei. READ_PHONE_STATE is not requested.
 */
import { buildApk } from './apk-builder.js';
import { buildDex, type ClassSpec, type Insn } from './dex-writer.js';

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

export function reachabilityFixture(): Uint8Array {
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
