/**
 * Real SDK binaries for tests, taken from npm packages that vendor them. They are looked up in
 * node_modules first (should they become devDependencies), then in a cache under the OS temp dir,
 * and otherwise fetched with `npm pack` and unpacked by the small tar reader below. Tests skip with
 * a clear message when the registry cannot be reached.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '@apprights/testkit';

export interface SdkPackage {
  name: string;
  version: string;
  /** Subresource integrity of the registry tarball; a fetched tarball must match it. */
  integrity: string;
}

export const SDK_PACKAGES = {
  jpush: {
    name: 'jpush-phonegap-plugin',
    version: '3.8.6',
    integrity: 'sha512-uv4/DR9OmDAr64GrNXiglFYQ6l1qEMLIPen+u0/IfiVXNnKC7uINW5ZNHD+Y6XJqcEGV6oDTdhFPsSSiGrPRag==',
  },
  wechat: {
    name: 'react-native-wechat',
    version: '1.9.12',
    integrity: 'sha512-GpLRdmNmQd3pWSQG9O38e3+CfVGH67IcXMgTlOzTYsvxjUhLb3WpvAzveJ3ykdQMxB1mx3s3IJnQcbY9UBld9g==',
  },
  baidu: {
    name: 'cordova-plugin-baidumaplocation',
    version: '4.0.2',
    integrity: 'sha512-ZTNTDLetenQJbJNu0TNkPQ78ZnEvI0g0QDvjizFKeefCJ2yfzA37WPrjbo2D6EY4oFVtkax1T2ALjATUNUXZZw==',
  },
} as const satisfies Record<string, SdkPackage>;

/** Paths of the SDK files inside their packages. */
export const SDK_FILES = {
  jpushJar: [SDK_PACKAGES.jpush, 'src/android/libs/jpush-android-4.8.1.jar'],
  wechatJar: [SDK_PACKAGES.wechat, 'android/libs/libammsdk.jar'],
  baiduJar: [SDK_PACKAGES.baidu, 'libs/android/BaiduLBS_Android.jar'],
  baiduLibs: [SDK_PACKAGES.baidu, 'libs/android'],
} as const satisfies Record<string, readonly [SdkPackage, string]>;

export const fixtureCache = join(tmpdir(), 'apprights-fixtures');

const resolved = new Map<string, { dir: string } | { skip: string }>();

/** The unpacked package folder, or a skip reason. Fetches at most once per process. */
export function sdkPackage(pkg: SdkPackage): { dir: string } | { skip: string } {
  const key = `${pkg.name}@${pkg.version}`;
  let result = resolved.get(key);
  if (!result) {
    result = locate(pkg);
    resolved.set(key, result);
  }
  return result;
}

/** A file of an SDK package: `{ path }` or `{ skip }` (pass `skip` to `test(name, { skip }, fn)`). */
export function sdkFile(file: readonly [SdkPackage, string]): { path: string; skip: false } | { path: ''; skip: string } {
  const found = sdkPackage(file[0]);
  if ('skip' in found) return { path: '', skip: found.skip };
  const path = join(found.dir, file[1]);
  if (!existsSync(path)) return { path: '', skip: `skipped: ${file[1]} is missing from ${file[0].name}@${file[0].version}` };
  return { path, skip: false };
}

function locate(pkg: SdkPackage): { dir: string } | { skip: string } {
  const installed = join(repoRoot, 'node_modules', pkg.name);
  // APPRIGHTS_FIXTURES_FROM_REGISTRY=1 ignores node_modules, to exercise the fetch path.
  try {
    if (process.env.APPRIGHTS_FIXTURES_FROM_REGISTRY === '1') throw new Error('node_modules ignored');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version?: string };
    if (manifest.version === pkg.version) return { dir: installed };
  } catch {
    // not installed: fall through to the cache
  }
  const cached = join(fixtureCache, `${pkg.name}-${pkg.version}`);
  if (existsSync(join(cached, '.complete'))) return { dir: cached };

  mkdirSync(fixtureCache, { recursive: true });
  const staging = mkdtempSync(join(fixtureCache, '.staging-'));
  try {
    // cwd outside the repository so the workspace configuration plays no part.
    const packed = spawnSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', staging, '--silent'], {
      cwd: staging,
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (packed.status !== 0) {
      const why = (packed.error?.message ?? packed.stderr ?? '').trim().split('\n').slice(-3).join(' ');
      return { skip: `skipped: could not fetch ${pkg.name}@${pkg.version} from the npm registry (${why || `exit ${packed.status}`})` };
    }
    const tarball = join(staging, `${pkg.name}-${pkg.version}.tgz`);
    const gz = readFileSync(tarball);
    const integrity = `sha512-${createHash('sha512').update(gz).digest('base64')}`;
    if (integrity !== pkg.integrity)
      throw new Error(`${pkg.name}@${pkg.version}: tarball integrity ${integrity} differs from the pinned one`);
    const unpacked = join(staging, 'unpacked');
    extractTar(gunzipSync(gz), unpacked);
    writeFileSync(join(unpacked, '.complete'), stamp(pkg));
    try {
      renameSync(unpacked, cached);
    } catch (error) {
      // Another test process finished first; its copy is identical.
      if (!existsSync(join(cached, '.complete'))) throw error;
    }
    return { dir: cached };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function stamp(pkg: SdkPackage): string {
  return `${pkg.name}@${pkg.version}\n`;
}

/**
 * Writes the regular files of a tar archive (ustar, with pax `path` records) under `dest`, dropping
 * the leading `package/` folder npm puts everything in.
 */
function extractTar(tar: Uint8Array, dest: string): void {
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    let name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    paxPath = undefined;
    const body = buf.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = match?.[1];
      continue;
    }
    if (type !== '0') continue;
    name = name.replace(/^package\//, '');
    const target = normalize(join(dest, name));
    if (!target.startsWith(dest + sep)) throw new Error(`tar entry ${name} escapes the destination`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, body);
  }
}
