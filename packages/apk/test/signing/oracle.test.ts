import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApkFormatError } from '../../src/errors.js';
import { ZipArchive } from '../../src/zip/index.js';
import { verifyApkSignatures, type ApkSignatureResult } from '../../src/signing/index.js';
import { corporaDir, realApks, repoRoot, skipWithoutCorpora, skipWithoutTool } from '@apprights/testkit';
import { manifestSdk } from './manifest-sdk.js';

/**
 * Oracle: Debian's `apksigner verify --verbose --print-certs`. One JVM per APK is slow (~1 s of wall
 * time each here), so results are cached by APK SHA-256 and apksigner version under
 * node_modules/.cache, and cache misses run a few at a time.
 */

interface OracleResult {
  verifies: boolean;
  v1: boolean;
  v2: boolean;
  v3: boolean;
  sha256: string[];
  firstLine: string;
}

const cacheDir = join(repoRoot, 'node_modules/.cache/apprights-signing');
const skip = skipWithoutCorpora || skipWithoutTool('apksigner');
const skipReal = skipWithoutTool('apksigner') || (Object.values(realApks).every(existsSync) ? false : 'skipped: real APKs not installed');

function run(args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve) => {
    execFile('apksigner', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ stdout, stderr, status });
    });
  });
}

function parseOracle(stdout: string, stderr: string, status: number): OracleResult {
  const flag = (scheme: string) => new RegExp(`Verified using ${scheme} scheme[^:]*: true`).test(stdout);
  return {
    verifies: status === 0,
    v1: flag('v1'),
    v2: flag('v2'),
    v3: flag('v3'),
    sha256: [...stdout.matchAll(/Signer #\d+ certificate SHA-256 digest: ([0-9a-f]+)/g)].map((m) => m[1]!),
    firstLine: (stdout.split('\n').find((l) => l.startsWith('ERROR')) ?? stderr.split('\n')[0] ?? '').slice(0, 200),
  };
}

async function oracle(files: string[]): Promise<Map<string, OracleResult>> {
  const version = (await run(['--version'])).stdout.trim();
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `apksigner-${version.replace(/[^\w.-]/g, '_')}.json`);
  const cache: Record<string, OracleResult> = existsSync(cacheFile)
    ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, OracleResult>)
    : {};
  const keys = files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
  const todo = files.map((f, i) => ({ f, key: keys[i]! })).filter(({ key }) => !cache[key]);
  const workers = Math.max(2, Math.min(6, availableParallelism() * 2));
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < todo.length) {
        const { f, key } = todo[next++]!;
        const r = await run(['verify', '--verbose', '--print-certs', f]);
        cache[key] = parseOracle(r.stdout, r.stderr, r.status);
      }
    }),
  );
  if (todo.length > 0) writeFileSync(cacheFile, JSON.stringify(cache));
  return new Map(files.map((f, i) => [f, cache[keys[i]!]!]));
}

function ours(file: string): { result?: ApkSignatureResult; error?: string } {
  let archive: ZipArchive;
  try {
    archive = ZipArchive.open(file);
  } catch (error) {
    if (error instanceof ApkFormatError) return { error: `archive refused: ${error.message}` };
    throw error;
  }
  try {
    const sdk = manifestSdk(archive) ?? { minSdk: 1 };
    return { result: verifyApkSignatures(archive, sdk) };
  } catch (error) {
    if (error instanceof ApkFormatError) return { error: error.message };
    throw error;
  } finally {
    archive.close();
  }
}

function listedDisagreements(): Set<string> {
  const text = readFileSync(join(repoRoot, 'packages/apk/docs/signature-disagreements.md'), 'utf8');
  const section = text.split('## Listed disagreements')[1]?.split('\n## ')[0] ?? '';
  return new Set([...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]!));
}

test('agrees with apksigner on the AOSP apksig vectors', { skip, timeout: 600_000 }, async () => {
  const dir = join(corporaDir!, 'apksig');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.apk'))
    .sort()
    .map((f) => join(dir, f));
  const expected = await oracle(files);
  const listed = listedDisagreements();
  const disagreements: string[] = [];
  const unlisted: string[] = [];
  let agree = 0;
  const started = performance.now();
  for (const file of files) {
    const name = file.slice(dir.length + 1);
    const o = expected.get(file)!;
    const { result, error } = ours(file);
    const verified = result?.verified ?? false;
    if (verified === o.verifies) {
      agree++;
      continue;
    }
    const why = error ?? result?.errors.slice(0, 2).join(' | ') ?? '';
    disagreements.push(
      `${name}: apksigner ${o.verifies ? 'verifies' : 'rejects'} (${o.firstLine}); we ${verified ? 'verify' : 'reject'} (${why})`,
    );
    if (!listed.has(name)) unlisted.push(name);
  }
  const ms = performance.now() - started;
  const rate = agree / files.length;
  console.log(
    `apksigner agreement: ${agree}/${files.length} (${(rate * 100).toFixed(1)} %), our verification of all vectors took ${ms.toFixed(0)} ms`,
  );
  for (const d of disagreements) console.log(`  disagreement: ${d}`);
  assert.ok(files.length >= 300, `expected the 309 vectors, found ${files.length}`);
  assert.ok(rate >= 0.98, `agreement ${(rate * 100).toFixed(1)} % is below 98 %`);
  assert.deepEqual(unlisted, [], 'disagreements missing from packages/apk/docs/signature-disagreements.md');
});

test('real APKs: verdict, per-scheme flags and signer certificates match apksigner', { skip: skipReal, timeout: 300_000 }, async () => {
  const files = Object.values(realApks);
  const expected = await oracle(files);
  for (const [label, file] of Object.entries(realApks)) {
    const o = expected.get(file)!;
    const started = performance.now();
    const { result, error } = ours(file);
    const ms = performance.now() - started;
    assert.ok(result, `${label}: ${error}`);
    console.log(
      `${label}: verified=${result.verified} v1=${result.schemes.v1.verified} v2=${result.schemes.v2.verified} v3=${result.schemes.v3.verified} in ${ms.toFixed(0)} ms`,
    );
    assert.equal(result.verified, o.verifies, `${label}: verdict`);
    assert.equal(result.schemes.v1.verified, o.v1, `${label}: v1 flag`);
    assert.equal(result.schemes.v2.verified, o.v2, `${label}: v2 flag`);
    assert.equal(result.schemes.v3.verified, o.v3, `${label}: v3 flag`);
    assert.deepEqual(
      result.certificates.map((c) => c.sha256),
      o.sha256,
      `${label}: signer certificate SHA-256`,
    );
  }
});
