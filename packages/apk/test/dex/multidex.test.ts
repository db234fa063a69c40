import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive } from '../../src/zip/index.js';
import { buildCodeIndex, dexEntryNames, readDexFiles } from '../../src/dex/index.js';
import { buildDex, buildZip } from '@apprights/testkit';

/** Stored entries, as multidex APKs usually keep classes*.dex. */
function storedZip(entries: [string, Uint8Array][]): Uint8Array {
  return buildZip(entries.map(([name, data]) => ({ name, data, method: 0 })));
}

const primary = buildDex({
  classes: [
    {
      type: 'Lcom/app/Main;',
      directMethods: [
        {
          name: 'go',
          proto: '()V',
          access: 0x9,
          code: { insns: [{ op: 'invoke-static', method: 'Lcom/app/Helper;->imei()V', args: [] }, { op: 'return-void' }] },
        },
      ],
    },
  ],
}).bytes;
const secondary = buildDex({
  classes: [
    {
      type: 'Lcom/app/Helper;',
      directMethods: [
        {
          name: 'imei',
          proto: '()V',
          access: 0x9,
          code: {
            insns: [
              { op: 'invoke-virtual', method: 'Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;', args: [0] },
              { op: 'return-void' },
            ],
          },
        },
      ],
    },
  ],
}).bytes;
const hidden = buildDex({ classes: [{ type: 'Lcom/app/Hidden;' }] }).bytes;

test('multidex: Android order, stopping at the first gap; skipped names are reported', () => {
  const zip = ZipArchive.fromBytes(
    storedZip([
      ['classes2.dex', secondary],
      ['classes4.dex', hidden],
      ['classes.dex', primary],
      ['classes1.dex', hidden],
      ['classes02.dex', hidden],
      ['assets/classes3.dex', hidden],
    ]),
  );
  assert.deepEqual(dexEntryNames(zip), {
    loaded: ['classes.dex', 'classes2.dex'],
    ignored: ['classes4.dex', 'classes1.dex', 'classes02.dex'],
  });
  const { dexFiles } = readDexFiles(zip);
  assert.deepEqual(
    dexFiles.map((d) => d.name),
    ['classes.dex', 'classes2.dex'],
  );
  // A query resolves in each file separately: the call into Helper is in classes.dex, the IMEI call in classes2.dex.
  const index = buildCodeIndex(dexFiles);
  assert.deepEqual(index.classesCalling('Landroid/telephony/TelephonyManager;->getImei'), ['Lcom/app/Helper;']);
  assert.deepEqual(
    index.callersOf('Lcom/app/Helper;->imei()V').map((s) => [s.dex.name, s.callerClass]),
    [['classes.dex', 'Lcom/app/Main;']],
  );
});

test('multidex: an APK without classes.dex has no DEX files', () => {
  const zip = ZipArchive.fromBytes(storedZip([['classes2.dex', secondary]]));
  assert.deepEqual(readDexFiles(zip).dexFiles, []);
  assert.deepEqual(dexEntryNames(zip).ignored, ['classes2.dex']);
});

test('multidex: a corrupt secondary DEX names its entry', () => {
  const broken = secondary.slice(0, 0x40);
  const zip = ZipArchive.fromBytes(
    storedZip([
      ['classes.dex', primary],
      ['classes2.dex', broken],
    ]),
  );
  assert.throws(() => readDexFiles(zip), /corrupt DEX: truncated header \(64 bytes, need 112\) \(classes2\.dex\)/);
});
