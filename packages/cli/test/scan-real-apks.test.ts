/**
 * `apprights scan --format json` on the three real APKs, checked against the report schema and
 * against independent oracles: aapt (manifest facts), dexdump (DEX counts) and apksigner
 * (signatures). The scans and oracles start together at load time: each takes about a second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { realApks, hasTool, skipWithoutTool } from '@apprights/testkit';
import { describeRun, runCliAsync, runToolAsync, schemaErrors, type CliResult, type ScanJson } from './helpers.js';

const apks = [realApks.apiDemos, realApks.settings, realApks.uiautomator2];
const skipMissing = apks.every(existsSync) ? false : 'skipped: the real APKs (npm devDependencies) are not installed';

/** dexdump names the DEX as `app.apk:classes2.dex`, or just `app.apk` when there is one. */
function openedDex(line: string): string | undefined {
  const path = /^Opened '([^']+)'/.exec(line)?.[1];
  if (path === undefined) return undefined;
  return /:(classes\d*\.dex)$/.exec(path)?.[1] ?? 'classes.dex';
}

interface DexdumpCounts {
  /** Per DEX entry name: class_defs_size from the header, and methods listed under Direct/Virtual methods. */
  perFile: Map<string, { classDefs: number; methods: number }>;
}

/**
 * dexdump's full listing, streamed (tens of MB for these APKs): every method defined by a class,
 * abstract and native ones included, appears as `#N : (in Lcls;)` under "Direct methods" or
 * "Virtual methods". This counts what the report calls `methods` without trusting our parser.
 */
function dexdumpCounts(apk: string): Promise<DexdumpCounts> {
  return new Promise((resolve, reject) => {
    const child = spawn('dexdump', [apk], { stdio: ['ignore', 'pipe', 'ignore'] });
    const perFile = new Map<string, { classDefs: number; methods: number }>();
    let current: { classDefs: number; methods: number } | undefined;
    let inMethods = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const opened = openedDex(line);
      if (opened) {
        current = { classDefs: 0, methods: 0 };
        perFile.set(opened, current);
      } else if (line.startsWith('Class #')) {
        current!.classDefs++;
        inMethods = false;
      } else if (line.startsWith('  Direct methods') || line.startsWith('  Virtual methods')) {
        inMethods = true;
      } else if (line.startsWith('  Static fields') || line.startsWith('  Instance fields') || line.startsWith('  source_file_idx')) {
        inMethods = false;
      } else if (inMethods && /^ {4}#\d+\s+: \(in L/.test(line)) {
        current!.methods++;
      }
    });
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve({ perFile }) : reject(new Error(`dexdump ${apk} exited ${status}`))));
  });
}

/** class_defs_size per DEX from `dexdump -f` (the header view, independent of the class listing). */
function headerClassDefs(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const block of stdout.split(/^(?=Opened ')/m).slice(1)) {
    const name = openedDex(block);
    const defs = /^class_defs_size\s*: (\d+)/m.exec(block)?.[1];
    assert.ok(name && defs, 'dexdump -f block with a name and class_defs_size');
    out.set(name, Number(defs));
  }
  return out;
}

interface Badging {
  package: string;
  versionCode: number;
  versionName: string;
  minSdk: number | undefined;
  targetSdk: number | undefined;
  label: string | null;
  launchable: string | null;
  /** Permissions the manifest requests (implied ones left out), name → maxSdkVersion. */
  permissions: Map<string, number | null>;
  sdk23: Set<string>;
}

function parseBadging(out: string): Badging {
  const pkg = /^package: name='([^']*)' versionCode='(\d*)' versionName='([^']*)'/m.exec(out);
  assert.ok(pkg, 'aapt printed a package line');
  const lines = out.split('\n');
  const permissions = new Map<string, number | null>();
  const sdk23 = new Set<string>();
  lines.forEach((line, i) => {
    const m = /^uses-permission(-sdk-23)?: name='([^']+)'(?: maxSdkVersion='(\d+)')?/.exec(line);
    if (!m) return;
    // aapt prints permissions it infers (e.g. READ_ from WRITE_EXTERNAL_STORAGE) as uses-permission
    // followed by uses-implied-permission: the app does not request those itself.
    if (lines[i + 1]?.startsWith(`uses-implied-permission: name='${m[2]}'`)) return;
    permissions.set(m[2]!, m[3] ? Number(m[3]) : null);
    if (m[1]) sdk23.add(m[2]!);
  });
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  return {
    package: pkg[1]!,
    versionCode: Number(pkg[2]),
    versionName: pkg[3]!,
    minSdk: num(/^sdkVersion:'(\d+)'/m),
    targetSdk: num(/^targetSdkVersion:'(\d+)'/m),
    label: /^application-label:'([^']*)'/m.exec(out)?.[1] ?? null,
    launchable: /^launchable-activity: name='([^']+)'/m.exec(out)?.[1] ?? null,
    permissions,
    sdk23,
  };
}

interface Signer {
  verifies: boolean;
  schemes: { v1: boolean; v2: boolean; v3: boolean; v31: boolean };
  sha256: string[];
}

function parseApksigner(r: CliResult): Signer {
  const flag = (label: string) => new RegExp(`^Verified using ${label}[^:]*: true$`, 'm').test(r.stdout);
  return {
    verifies: r.status === 0,
    schemes: { v1: flag('v1 scheme'), v2: flag('v2 scheme'), v3: flag('v3 scheme'), v31: flag('v3.1 scheme') },
    sha256: [...r.stdout.matchAll(/^Signer #\d+ certificate SHA-256 digest: ([0-9a-f]{64})$/gm)].map((m) => m[1]!),
  };
}

// Start everything now: the CLI runs, and each oracle only when its tool is installed.
const started = skipMissing
  ? undefined
  : new Map(
      apks.map((apk) => [
        apk,
        {
          scan: runCliAsync(['scan', apk, '--format', 'json', '--no-progress']),
          badging: hasTool('aapt') ? runToolAsync('aapt', ['dump', 'badging', apk]) : undefined,
          header: hasTool('dexdump') ? runToolAsync('dexdump', ['-f', apk]) : undefined,
          listing: hasTool('dexdump') ? dexdumpCounts(apk) : undefined,
          signer: hasTool('apksigner') ? runToolAsync('apksigner', ['verify', '--verbose', '--print-certs', apk]) : undefined,
        },
      ]),
    );
// Rejections are awaited by the tests; keep Node from flagging them as unhandled meanwhile.
for (const s of started?.values() ?? []) s.listing?.catch(() => {});

async function report(apk: string): Promise<ScanJson> {
  const r = await started!.get(apk)!.scan;
  assert.equal(r.status, 0, describeRun(r));
  assert.equal(r.stderr, '', 'nothing on stderr when it is not a terminal');
  return JSON.parse(r.stdout) as ScanJson;
}

for (const apk of apks) {
  const name = basename(apk);

  test(`${name}: scan --format json follows scan-report.schema.json`, { skip: skipMissing }, async () => {
    const json = await report(apk);
    assert.equal(schemaErrors('scan-report', json), undefined);
    assert.equal(json.file.kind, 'apk');
    assert.equal(json.file.name, name);
    assert.deepEqual(json.problems, []);
  });

  test(`${name}: app facts equal aapt dump badging`, { skip: skipMissing || skipWithoutTool('aapt') }, async () => {
    const json = await report(apk);
    const out = await started!.get(apk)!.badging!;
    assert.equal(out.status, 0, out.stderr);
    const b = parseBadging(out.stdout);
    assert.equal(json.app.package, b.package);
    assert.equal(json.app.versionCode, b.versionCode);
    assert.equal(json.app.versionName, b.versionName);
    assert.equal(json.app.minSdk, b.minSdk ?? null);
    assert.equal(json.app.targetSdk, b.targetSdk ?? null);
    assert.equal(json.app.label, b.label);
    assert.equal(json.app.launcherActivity, b.launchable);
    assert.deepEqual(new Map(json.permissions.map((p) => [p.name, p.maxSdkVersion])), b.permissions);
    assert.deepEqual(new Set(json.permissions.filter((p) => p.sdk23).map((p) => p.name)), b.sdk23);
  });

  test(`${name}: DEX files, classes and defined methods equal dexdump`, { skip: skipMissing || skipWithoutTool('dexdump') }, async () => {
    const json = await report(apk);
    const { header, listing } = started!.get(apk)!;
    const headerOut = await header!;
    assert.equal(headerOut.status, 0, headerOut.stderr);
    const defs = headerClassDefs(headerOut.stdout);
    const counts = await listing!;
    assert.deepEqual(
      json.dex.perFile.map((f) => f.name),
      [...defs.keys()],
      'the same DEX files, in loading order',
    );
    assert.equal(json.dex.files, defs.size);
    for (const f of json.dex.perFile) {
      assert.equal(f.classes, defs.get(f.name), `${f.name}: class_defs_size`);
      assert.equal(f.classes, counts.perFile.get(f.name)?.classDefs, `${f.name}: classes listed by dexdump`);
      assert.equal(f.methods, counts.perFile.get(f.name)?.methods, `${f.name}: direct + virtual methods listed by dexdump`);
    }
    assert.equal(
      json.dex.classes,
      [...defs.values()].reduce((a, b) => a + b, 0),
    );
    assert.equal(
      json.dex.methods,
      [...counts.perFile.values()].reduce((a, b) => a + b.methods, 0),
    );
  });

  test(`${name}: signature schemes and signer equal apksigner`, { skip: skipMissing || skipWithoutTool('apksigner') }, async () => {
    const json = await report(apk);
    const r = await started!.get(apk)!.signer!;
    const oracle = parseApksigner(r);
    assert.ok(json.signatures);
    assert.equal(json.signatures.verified, oracle.verifies);
    // apksigner prints v3.1 only when the APK has such a block; absent means false for both.
    assert.deepEqual(json.signatures.schemes, oracle.schemes);
    assert.deepEqual(
      json.signatures.certificates.map((c) => c.sha256),
      oracle.sha256,
    );
  });
}
