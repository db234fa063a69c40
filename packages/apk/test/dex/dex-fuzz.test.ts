/**
 * Mutation fuzzing: thousands of bit flips, truncations and lying sizes/offsets on small DEX files.
 * Every outcome must be a parsed file or an ApkFormatError; nothing else may escape, and nothing
 * may hang (the whole test is bounded by node:test's timeout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApkFormatError } from '../../src/errors.js';
import { ZipArchive } from '../../src/zip/index.js';
import { buildCodeIndex, parseDex, type DexFile } from '../../src/dex/index.js';
import { buildDex, fixChecksum, sampleDexSpec } from '../support/dex-writer.js';
import { realApks } from '../support/fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function seeds(): { name: string; bytes: Uint8Array }[] {
  const out = [{ name: 'sample', bytes: buildDex(sampleDexSpec()).bytes }];
  const zip = ZipArchive.open(realApks.uiautomator2);
  try {
    for (const name of ['classes2.dex', 'classes14.dex', 'classes15.dex']) out.push({ name, bytes: zip.read(name) });
  } finally {
    zip.close();
  }
  return out;
}

function exercise(dex: DexFile): void {
  for (let i = 0; i < dex.counts.strings; i++) dex.string(i);
  for (let i = 0; i < dex.counts.protos; i++) dex.protoString(i);
  for (let i = 0; i < dex.counts.methods; i++) dex.methodString(i);
  for (let i = 0; i < dex.counts.fields; i++) dex.fieldString(i);
  for (const c of dex.classes()) dex.classData(c.index);
  for (const m of dex.methods()) if (m.codeOffset) dex.tries(dex.code(m.codeOffset));
  const index = buildCodeIndex([dex], { fieldWrites: true });
  index.callersOf('Ljava/lang/Object;');
  index.stringLoads((s) => s.length > 3);
  for (const site of index.fieldAccessesOf('Ljava/lang/Object;')) index.describe(site, 'field');
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const bytes = input.slice();
  const view = new DataView(bytes.buffer);
  const pick = (n: number) => Math.floor(random() * n);
  const kind = pick(5);
  if (kind === 0) {
    for (let i = 0, n = 1 + pick(8); i < n; i++) bytes[pick(bytes.length)]! ^= 1 << pick(8);
  } else if (kind === 1) {
    const cut = bytes.subarray(0, pick(bytes.length));
    // Half the time the header is made to agree with the truncation, to get past the size check.
    if (cut.length >= 0x24 && random() < 0.5) new DataView(cut.buffer, cut.byteOffset).setUint32(0x20, cut.length, true);
    return cut;
  } else if (kind === 2) {
    const at = 0x20 + 4 * pick(20);
    view.setUint32(at, random() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(bytes.length * 2), true);
  } else if (kind === 3) {
    const at = pick(bytes.length - 4);
    view.setUint32(at, random() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(bytes.length), true);
  } else {
    const at = pick(bytes.length);
    for (let i = at, n = Math.min(bytes.length, at + 1 + pick(16)); i < n; i++) bytes[i] = pick(256);
  }
  if (random() < 0.5) fixChecksum(bytes);
  return bytes;
}

test('fuzz: mutated DEX files parse or fail with ApkFormatError only', () => {
  const random = rng(0x5eed);
  const inputs = seeds();
  let parsed = 0;
  let rejected = 0;
  const started = performance.now();
  const iterations = Number(process.env.APPRIGHTS_DEX_FUZZ_ITERATIONS ?? 4000);
  for (let i = 0; i < iterations; i++) {
    const seed = inputs[i % inputs.length]!;
    const bytes = mutate(seed.bytes, random);
    try {
      exercise(parseDex(bytes, { name: seed.name, verifySignature: i % 7 === 0 }));
      parsed++;
    } catch (error) {
      if (!(error instanceof ApkFormatError)) {
        assert.fail(`iteration ${i} on ${seed.name}: ${error instanceof Error ? error.stack : String(error)}`);
      }
      assert.equal(error.code, 'dex-corrupt');
      rejected++;
    }
  }
  console.log(`fuzz: ${parsed} parsed, ${rejected} rejected in ${(performance.now() - started).toFixed(0)} ms`);
  assert.ok(parsed > 100 && rejected > 100);
});
