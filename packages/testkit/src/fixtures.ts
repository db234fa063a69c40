import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

/** Repository root (the folder holding the root package.json). */
// This file runs from packages/testkit/src (tsx) or packages/testkit/dist: both three levels down.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The real APKs that ship through npm as pinned devDependencies. */
export const realApks = {
  apiDemos: join(repoRoot, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk'),
  settings: join(repoRoot, 'node_modules/io.appium.settings/apks/settings_apk-debug.apk'),
  uiautomator2: join(repoRoot, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
  uiautomator2Test: join(repoRoot, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk'),
} as const;

/** Real SDK binaries shipped inside pinned devDependencies (Cordova and React Native plugins). */
export const realSdkBinaries = {
  jpush: join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'),
  wechat: join(repoRoot, 'node_modules/react-native-wechat/android/libs/libammsdk.jar'),
  baiduLocation: join(repoRoot, 'node_modules/cordova-plugin-baidumaplocation/libs/android/BaiduLBS_Android.jar'),
} as const;

/** `../shared/corpora` beside the checkout, or undefined when this clone has none. */
export const corporaDir: string | undefined = (() => {
  const dir = resolve(repoRoot, '../shared/corpora');
  return existsSync(dir) ? dir : undefined;
})();

/** Skip reason for tests that need the shared corpora (pass to `test(name, { skip }, fn)`). */
export const skipWithoutCorpora: string | false = corporaDir
  ? false
  : `skipped: ../shared/corpora is absent beside ${repoRoot} (the shared test corpora are not part of the repo)`;

/** True when a Debian oracle tool (aapt, dexdump, apksigner, androguard) is on the PATH. */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$0"', name], { stdio: 'ignore' }).status === 0;
}

/** Skip reason when an oracle tool is missing. */
export function skipWithoutTool(name: string): string | false {
  return hasTool(name) ? false : `skipped: the oracle ${name} is not installed (apt-get install it; .ci/run does)`;
}

/** Runs an oracle tool with arguments (never through a shell) and returns its stdout. */
export function runTool(
  name: string,
  args: string[],
  options: { allowFailure?: boolean } = {},
): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(name, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const status = result.status ?? -1;
  if (status !== 0 && !options.allowFailure) {
    throw new Error(`${name} ${args.join(' ')} failed with ${status}: ${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, status };
}
