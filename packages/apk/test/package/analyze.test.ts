/**
 * The whole-package analysis, in one thread (analyzePackage) and with the worker thread
 * (analyzePackageAsync). The worker only exists in the compiled library, so the two-thread tests
 * import packages/apk/dist (npm test builds it first) and must give the same answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as built from '../../dist/index.js';
import { analyzePackage, ApkFormatError } from '../../src/index.js';
import { DexQueue } from '../../src/package/worker-share.js';
import { buildApk, buildDex, sampleDexSpec, realApks } from '@apprights/testkit';

const force = { parallel: { minSize: 0 } };

/** What must agree between the runs (structural: the src and dist types are distinct to TypeScript). */
interface Comparable {
  sha256: string;
  dex: {
    name: string;
    definedMethods: number;
    dex: { counts: { classDefs: number }; checksumValid: boolean | undefined; issues: unknown[] };
    scan?: { refCount: number } | undefined;
  }[];
  signatures?: { verified: boolean; schemes: Record<string, { verified: boolean }> } | undefined;
  problems: { message: string }[];
}

function summary(a: Comparable) {
  return {
    sha256: a.sha256,
    dex: a.dex.map((d) => ({
      name: d.name,
      classes: d.dex.counts.classDefs,
      methods: d.definedMethods,
      refs: d.scan?.refCount,
      checksum: d.dex.checksumValid,
      issues: d.dex.issues.length,
    })),
    verified: a.signatures?.verified,
    schemes: a.signatures && Object.fromEntries(Object.entries(a.signatures.schemes).map(([k, v]) => [k, v.verified])),
    problems: a.problems.map((p) => p.message),
  };
}

test('two threads give the same analysis as one, on a real multidex APK', async () => {
  const one = analyzePackage(realApks.settings);
  const two = await built.analyzePackageAsync(realApks.settings, force);
  try {
    assert.ok(two.dex.length > 1);
    assert.deepEqual(summary(two), summary(one));
    // The moved scan still answers queries over the moved bytes.
    const index = built.buildCodeIndex(two.dex.map((d) => d.dex));
    const reference = built.analyzePackage(realApks.settings);
    const expected = built.buildCodeIndex(reference.dex.map((d) => d.dex));
    assert.deepEqual(
      index.classesCalling('Landroid/content/Context;->getSystemService'),
      expected.classesCalling('Landroid/content/Context;->getSystemService'),
    );
    reference.close();
  } finally {
    one.close();
    two.close();
  }
});

test('the DEX queue gives each file to one taker, largest from one end and smallest from the other', () => {
  const order = ['classes.dex', 'classes3.dex', 'classes2.dex', 'classes4.dex'];
  const worker = new DexQueue(order);
  // The other thread's copy over the same shared word, as analysis-worker.ts builds it.
  const here = new DexQueue(order, worker.buffer);
  assert.deepEqual(worker.take('largest'), { name: 'classes.dex', index: 0, before: 0 });
  assert.deepEqual(here.take('smallest'), { name: 'classes4.dex', index: 3, before: 1 });
  assert.deepEqual(here.take('smallest'), { name: 'classes2.dex', index: 2, before: 2 });
  assert.deepEqual(worker.take(), { name: 'classes3.dex', index: 1, before: 3 });
  assert.equal(worker.take(), undefined);
  assert.equal(here.take('smallest'), undefined);
  const empty = new DexQueue([]);
  assert.equal(empty.take('smallest'), undefined);
});

test('a corrupt DEX fails the scan, or becomes a problem when not strict, on either thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-analyze-'));
  try {
    const bad = Buffer.from(buildDex(sampleDexSpec()).bytes);
    bad.writeUInt32LE(0x7fffffff, 0x38);
    const good = buildDex(sampleDexSpec()).bytes;
    // Of two files the same size the worker takes classes.dex (the large end of the queue) when it is
    // up in time, this thread classes2.dex (the small end); either way the error lands on its entry.
    for (const [dex, entry] of [
      [[bad, good], 'classes.dex'],
      [[good, bad], 'classes2.dex'],
    ] as const) {
      const path = join(dir, `${entry}.apk`);
      writeFileSync(path, buildApk({ dex: [...dex], sign: false }));
      await assert.rejects(built.analyzePackageAsync(path, force), (error: unknown) => {
        assert.ok(error instanceof built.ApkFormatError);
        assert.equal(error.code, 'dex-corrupt');
        assert.equal(error.entry, entry);
        return true;
      });
      const lenient = await built.analyzePackageAsync(path, { ...force, strict: false });
      assert.deepEqual(
        lenient.problems.map((p) => [p.stage, p.code, p.entry]),
        [['dex', 'dex-corrupt', entry]],
      );
      assert.equal(lenient.dex.length, 1);
      lenient.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt DEX read by the worker fails the scan, or becomes a problem when not strict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-analyze-'));
  try {
    const bad = Buffer.from(buildDex(sampleDexSpec()).bytes);
    bad.writeUInt32LE(0x7fffffff, 0x38); // string_ids_size far past the end of the file
    const path = join(dir, 'corrupt.apk');
    // Larger than classes.dex, so it heads the queue's large end, which the worker takes from.
    const padded = Buffer.concat([bad, Buffer.alloc(4096)]);
    writeFileSync(path, buildApk({ dex: [buildDex(sampleDexSpec()).bytes, padded], sign: false }));
    await assert.rejects(built.analyzePackageAsync(path, force), (error: unknown) => {
      assert.ok(error instanceof built.ApkFormatError);
      assert.equal(error.code, 'dex-corrupt');
      assert.equal(error.entry, 'classes2.dex');
      assert.match(error.message, /corrupt DEX.*\(classes2\.dex\)$/);
      return true;
    });
    const lenient = await built.analyzePackageAsync(path, { ...force, strict: false });
    assert.deepEqual(
      lenient.dex.map((d) => d.name),
      ['classes.dex'],
    );
    assert.equal(lenient.problems.length, 1);
    assert.equal(lenient.problems[0]!.entry, 'classes2.dex');
    lenient.close();
    assert.throws(() => analyzePackage(path), ApkFormatError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('onDexRead sees every DEX file, in load order, before the worker hashes and verifies; a failure in it fails the analysis and the worker serves the next one', async () => {
  const seen: { dex: string[]; sha256: string }[] = [];
  const two = await built.analyzePackageAsync(realApks.settings, {
    ...force,
    onDexRead: (analysis) => {
      seen.push({ dex: analysis.dex.map((d) => d.name), sha256: analysis.sha256 });
    },
  });
  try {
    assert.equal(seen.length, 1);
    assert.deepEqual(
      seen[0]!.dex,
      two.dex.map((d) => d.name),
    );
    assert.equal(seen[0]!.sha256, '', 'the hash comes after');
    assert.match(two.sha256, /^[0-9a-f]{64}$/);
    assert.ok(two.signatures?.verified);
  } finally {
    two.close();
  }
  await assert.rejects(
    built.analyzePackageAsync(realApks.settings, {
      ...force,
      onDexRead: () => {
        throw new Error('detection failed');
      },
    }),
    /detection failed/,
  );
  const again = await built.analyzePackageAsync(realApks.settings, force);
  assert.equal(again.sha256, two.sha256);
  again.close();
});
