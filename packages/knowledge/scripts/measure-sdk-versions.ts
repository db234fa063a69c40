#!/usr/bin/env -S npx tsx
/**
 * Identification and version rates on real binaries: every APK/JAR/AAR under the given paths
 * (default: ../shared/corpora and the SDK jars and APKs of the npm devDependencies). Prints, per
 * file, the SDKs found with their versions and sources, then the totals by version source.
 * "Hints and libraries only" is what detection read before file names, constants, manifests and
 * META-INF files were added. Usage: npx tsx packages/knowledge/scripts/measure-sdk-versions.ts [paths...]
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSdkCatalog, scanCorpus } from '../src/index.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const defaults = [
  join(root, '../shared/corpora'),
  join(root, 'node_modules/jpush-phonegap-plugin/src/android/libs'),
  join(root, 'node_modules/react-native-wechat/android/libs'),
  join(root, 'node_modules/cordova-plugin-baidumaplocation/libs/android'),
  join(root, 'node_modules/android-apidemos/apks'),
  join(root, 'node_modules/io.appium.settings/apks'),
  join(root, 'node_modules/appium-uiautomator2-server/apks'),
];
const paths = process.argv.length > 2 ? process.argv.slice(2) : defaults.filter((p) => existsSync(p));
const scan = scanCorpus(paths, loadSdkCatalog());
let detections = 0;
let withVersion = 0;
let oldWay = 0;
let bundled = 0;
const bySource = new Map<string, number>();
let filesWithSdks = 0;
for (const f of scan.files) {
  if (f.detections.length === 0) continue;
  filesWithSdks++;
  console.log(relative(root, f.path));
  for (const d of f.detections) {
    detections++;
    if (d.bundledBy.length > 0) bundled++;
    if (d.version !== null) {
      withVersion++;
      const kind = d.versionSource?.kind ?? 'unknown';
      bySource.set(kind, (bySource.get(kind) ?? 0) + 1);
      if (kind === 'version-hint' || kind === 'native-library') oldWay++;
    }
    const source = d.versionSource ? ` (${d.versionSource.kind}: ${d.versionSource.where})` : '';
    const by = d.bundledBy.length ? ` bundled by ${d.bundledBy.join(', ')}` : '';
    console.log(`  ${d.sdk.id} ${d.confidence} ${d.version ?? '-'}${source}${by}`);
  }
}
const pct = (n: number) => (detections ? `${((100 * n) / detections).toFixed(1)} %` : '-');
console.log(
  `\n${scan.files.length} files read (${scan.failures.length} unreadable), ${filesWithSdks} with SDKs; ${scan.seen.size} distinct SDKs`,
);
console.log(
  `${detections} detections, ${withVersion} with a version (${pct(withVersion)}); hints and libraries only: ${oldWay} (${pct(oldWay)})`,
);
console.log(`by source: ${[...bySource].map(([k, n]) => `${k} ${n}`).join(', ') || '-'}; bundled: ${bundled}`);
