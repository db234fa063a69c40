/**
 * The explorer on the scripted shop app of packages/recorder/test/fake-apps/shop.json (read as data),
 * through the CLI command's own function, with the fake device's virtual clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDevice, FakeFrida, recordWithFrida, type FakeApp } from '@apprights/recorder';
import { repoRoot } from '../helpers.js';
import { runExplore } from '../../src/commands/explore.js';

export const SHOP = JSON.parse(readFileSync(join(repoRoot, 'packages/recorder/test/fake-apps/shop.json'), 'utf8')) as FakeApp;

export async function exploreFakeShop(outDir: string, lang: 'zh' | 'en' = 'en'): Promise<number> {
  const device = new FakeDevice(SHOP);
  return runExplore(
    SHOP.package,
    { adb: true, output: outDir, analyse: true, progress: false, lang, version: '0.0.0-example', config: false, background: 30 },
    { adb: device, clock: device.clock, sleep: device.sleep, generatedAt: new Date('2026-12-06T00:00:00Z') },
  );
}

/**
 * Scenario a of the shop with the Frida recorder attached, on a fake Frida whose agent reports the
 * IMEI read by Umeng's code during the start (a call adb's AppOps cannot attribute to an SDK).
 */
export async function exploreFakeShopFrida(outDir: string): Promise<{ code: number; frida: FakeFrida }> {
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
          stack: [
            'android.telephony.TelephonyManager.getImei(Native Method)',
            'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
            'com.example.shop.App.onCreate(App.java:20)',
          ],
        },
      ],
    ],
  });
  const code = await runExplore(
    SHOP.package,
    {
      adb: true,
      frida: true,
      scenarios: 'a',
      output: outDir,
      analyse: true,
      progress: false,
      lang: 'en',
      version: '0.0.0-example',
      config: false,
    },
    {
      adb: device,
      clock: device.clock,
      sleep: device.sleep,
      recordFrida: (o) => recordWithFrida({ ...o, agentSource: '// the fake Frida runs no script', loadFrida: async () => frida.module }),
      generatedAt: new Date('2026-12-06T00:00:00Z'),
    },
  );
  return { code, frida };
}
