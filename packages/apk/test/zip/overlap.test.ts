/**
 * Issue 12 §3: a "better zip bomb" (many central records sharing one entry's local data, here the
 * 7 MB classes.dex of ApiDemos) used to cost 25–50 s and several GB before a limit tripped. Overlapping
 * entries are now refused when the central directory is read, before anything is inflated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApkFormatError, ZipArchive, analyzePackage } from '../../src/index.js';
import { realApks } from '@apprights/testkit';
import { buildOverlappingZip, buildZip } from '@apprights/testkit';

const dex = (() => {
  const zip = ZipArchive.open(realApks.apiDemos);
  try {
    return Uint8Array.from(zip.read('classes.dex'));
  } finally {
    zip.close();
  }
})();

function refusedAsOverlap(fn: () => unknown): number {
  const started = performance.now();
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
    assert.equal(error.code, 'zip-overlap');
    assert.match(error.message, /entries overlap/);
    assert.match(error.message, /重叠/);
    return true;
  });
  return performance.now() - started;
}

test('central records sharing one local entry (a real 7 MB DEX) are refused before anything is inflated', () => {
  const bomb = buildOverlappingZip(dex, 2000);
  assert.ok(bomb.length < 3 * 1024 * 1024, `bomb is ${bomb.length} bytes`);
  const ms = refusedAsOverlap(() => ZipArchive.fromBytes(bomb));
  // Reading the directory is all that happens; the bound is generous so a loaded machine does not flake.
  assert.ok(ms < 5000, `refused after ${Math.round(ms)} ms`);
});

test('staggered local headers whose data overlap the next entry are refused too', () => {
  refusedAsOverlap(() => ZipArchive.fromBytes(buildOverlappingZip(dex, 50, { staggered: true })));
});

test('the whole analysis refuses the bomb as an archive-level problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-overlap-'));
  try {
    const path = join(dir, 'bomb.apk');
    writeFileSync(path, buildOverlappingZip(dex, 500));
    refusedAsOverlap(() => analyzePackage(path).close());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real archives and ordinary written ones have no overlaps', () => {
  for (const apk of Object.values(realApks)) ZipArchive.open(apk).close();
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'empty', data: '', method: 0 },
      { name: 'dir/', data: '', method: 0 },
      { name: 'a', data: 'x'.repeat(1000) },
    ]),
  );
  assert.equal(zip.entries.length, 3);
});

test('the inflated-bytes budget counts each entry once, however often it is read', () => {
  const data = 'y'.repeat(4096);
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'a', data },
      { name: 'b', data },
    ]),
    { maxTotalInflated: 3 * 4096 },
  );
  for (let i = 0; i < 10; i++) assert.equal(zip.read('a').length, 4096);
  zip.read('b');
  const three = ZipArchive.fromBytes(
    buildZip([
      { name: 'a', data },
      { name: 'b', data },
      { name: 'c', data },
      { name: 'd', data },
    ]),
    {
      maxTotalInflated: 3 * 4096,
    },
  );
  three.read('a');
  three.read('b');
  three.read('c');
  assert.throws(
    () => three.read('d'),
    (error: unknown) => error instanceof ApkFormatError && error.code === 'zip-limit',
  );
});
