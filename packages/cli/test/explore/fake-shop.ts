/**
 * The explorer on the scripted shop app of packages/recorder/test/fake-apps/shop.json (read as data),
 * through the CLI command's own function, with the fake device's virtual clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeDevice, type FakeApp } from '@apprights/recorder';
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
