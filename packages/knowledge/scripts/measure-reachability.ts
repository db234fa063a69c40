#!/usr/bin/env -S npx tsx
/**
 * Reachability on real APKs: per APK, the call graph's size and cost, the sensitive APIs whose
 * callers are reachable or only present, the calls through the app's own wrappers, and the
 * `usedUndeclared` permissions that drop out once reachability is applied (those whose calls are
 * all `present`). Usage: npx tsx packages/knowledge/scripts/measure-reachability.ts [APKs...]
 * (default: the real APKs of the npm devDependencies).
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePackage } from '@apprights/apk';
import { Reachability, checkPermissionUse, detectSdks, findSensitiveApis, loadSdkCatalog, readSensitiveApiSpecs } from '../src/index.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const defaults = [
  'node_modules/android-apidemos/apks/ApiDemos-debug.apk',
  'node_modules/io.appium.settings/apks/settings_apk-debug.apk',
  'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk',
  'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk',
].map((p) => join(root, p));
const paths = process.argv.length > 2 ? process.argv.slice(2) : defaults.filter((p) => existsSync(p));
const catalog = loadSdkCatalog();
const apis = readSensitiveApiSpecs();
let undeclared = 0;
let dropped = 0;
for (const path of paths) {
  const analysis = analyzePackage(path, { verifySignatures: false });
  try {
    const sdks = detectSdks(analysis, catalog);
    const reach = new Reachability(analysis);
    const uses = findSensitiveApis(analysis, apis, sdks, { reachability: reach });
    const plain = checkPermissionUse(analysis, uses, { catalogue: apis, reach: true });
    const graph = reach.hasEntryPoints ? reach.graph().stats : undefined;
    const present = Object.entries(plain.reach ?? {})
      .filter(([, r]) => r === 'present')
      .map(([p]) => p);
    undeclared += plain.usedUndeclared.length;
    dropped += present.length;
    console.log(relative(root, path));
    if (graph) {
      console.log(
        `  call graph: ${graph.reached}/${graph.methods} methods reached, ${graph.edges} references walked, ` +
          `${graph.callbackClasses} callback classes, ${graph.ms.toFixed(1)} ms, tables ${(graph.tableBytes / 1024 ** 2).toFixed(1)} MiB`,
      );
    } else console.log('  no entry points (no manifest components): reachability not computed');
    const count = (r: string) => uses.filter((u) => u.reach === r).length;
    console.log(
      `  sensitive APIs: ${uses.length} (reachable ${count('reachable')}, present ${count('present')}, undecided ${uses.filter((u) => u.reach === undefined).length}); ` +
        `calls through own wrappers: ${uses.reduce((n, u) => n + (u.wrapperCallCount ?? 0), 0)}`,
    );
    console.log(`  usedUndeclared: ${plain.usedUndeclared.join(', ') || '-'}; only present (drop out): ${present.join(', ') || '-'}`);
  } finally {
    analysis.close();
  }
}
console.log(`\nusedUndeclared: ${undeclared}; dropping out with reachability: ${dropped}`);
