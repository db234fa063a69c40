#!/usr/bin/env -S npx tsx
/**
 * Identification without package names: every real SDK JAR of the npm devDependencies (or the
 * JARs given) is rewritten at run time with all its packages renamed (test/support/rename-packages.ts,
 * as R8's -repackageclasses does; nothing is written to disk), then detected again. Prints, per
 * JAR, the SDKs found in the original and in the renamed copy with their confidence and evidence,
 * and the totals: SDKs of the original found again (at medium or better, and at all), and SDKs the
 * renamed copy adds. `--before` detects the renamed copies without the surviving-evidence search,
 * as detection ran before it. Usage: npx tsx packages/knowledge/scripts/measure-obfuscated.ts [--before] [jars...]
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZipArchive, analyzeArchive, analyzePackage } from '@apprights/apk';
import { detectSdks, loadSdkCatalog } from '../src/index.js';
import { renamePackages } from '../test/support/rename-packages.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const args = process.argv.slice(2);
const before = args.includes('--before');
const given = args.filter((a) => a !== '--before');
const defaults = [
  'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar',
  'node_modules/react-native-wechat/android/libs/libammsdk.jar',
  'node_modules/cordova-plugin-baidumaplocation/libs/android/BaiduLBS_Android.jar',
].map((p) => join(root, p));
const paths = given.length > 0 ? given : defaults.filter((p) => existsSync(p));
const catalog = loadSdkCatalog();
let original = 0;
let againMedium = 0;
let againAny = 0;
let added = 0;
for (const path of paths) {
  const a = analyzePackage(path, { verifySignatures: false });
  const orig = detectSdks(a, catalog);
  a.close();
  const renamed = renamePackages(path);
  const b = analyzeArchive(ZipArchive.fromBytes(renamed.bytes), path, { verifySignatures: false });
  const found = detectSdks(b, catalog, before ? { domains: 'never' } : {});
  b.close();
  const byId = new Map(found.map((d) => [d.sdk.id, d]));
  console.log(`${relative(root, path)} (${renamed.packages.size} packages renamed)`);
  console.log(`  original: ${orig.map((d) => `${d.sdk.id} ${d.confidence}`).join(', ') || '-'}`);
  for (const d of found) {
    const e = d.evidence;
    const what = [
      e.classes ? `${e.classes} classes` : '',
      e.strings?.length ? `strings ${e.strings.slice(0, 3).join(', ')}` : '',
      e.domains.length ? `hosts ${e.domains.slice(0, 3).join(', ')}` : '',
      e.components.length ? `components ${e.components.length}` : '',
      e.nativeLibraries.length ? `libraries ${e.nativeLibraries.join(', ')}` : '',
    ].filter(Boolean);
    console.log(`  renamed:  ${d.sdk.id} ${d.confidence} (${what.join('; ')})`);
  }
  for (const d of orig) {
    original++;
    const again = byId.get(d.sdk.id);
    if (again) againAny++;
    if (again && again.confidence !== 'low') againMedium++;
  }
  const origIds = new Set(orig.map((d) => d.sdk.id));
  added += found.filter((d) => !origIds.has(d.sdk.id)).length;
}
console.log(
  `\n${original} SDKs in the originals; found again in the renamed copies: ${againMedium} at medium or better, ${againAny} at all; ` +
    `${added} other SDKs named by the renamed copies`,
);
