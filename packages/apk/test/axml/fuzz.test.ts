import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxml } from '../../src/axml/index.js';
import { parseManifest } from '../../src/manifest/index.js';
import { ApkFormatError } from '../../src/errors.js';
import { corporaDir } from '../support/fixtures.js';
import { android, el, encodeAxml, manifest } from '../support/axml-writer.js';

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(source: Uint8Array, next: () => number): Uint8Array {
  const bytes = source.slice();
  const kind = Math.floor(next() * 4);
  if (kind === 0) {
    // bit flips
    for (let i = 0, n = 1 + Math.floor(next() * 8); i < n; i++) bytes[Math.floor(next() * bytes.length)]! ^= 1 << Math.floor(next() * 8);
    return bytes;
  }
  if (kind === 1) return bytes.subarray(0, Math.floor(next() * bytes.length));
  // lying sizes and counts: overwrite an aligned u32 with an extreme or small value
  const view = new DataView(bytes.buffer);
  const values = [0, 1, 7, 8, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000, Math.floor(next() * 0x10000)];
  for (let i = 0, n = kind === 2 ? 1 : 4; i < n; i++) {
    const at = Math.floor((next() * (bytes.length - 4)) / 4) * 4;
    if (at >= 0) view.setUint32(at, values[Math.floor(next() * values.length)]!, true);
  }
  return bytes;
}

test('mutated manifests only ever fail with ApkFormatError', () => {
  const seeds: Uint8Array[] = [
    encodeAxml(
      manifest(
        'a.b',
        [android('versionCode', 1)],
        [
          el('uses-permission', [android('name', 'p')]),
          el(
            'application',
            [android('debuggable', true)],
            [el('activity', [android('name', '.A')], [el('intent-filter', [], [el('action', [android('name', 'x')])])])],
          ),
        ],
      ),
    ),
    encodeAxml(manifest('a.b', [], [el('uses-sdk', [android('minSdkVersion', 21)])]), { utf8: true }),
  ];
  if (corporaDir) {
    const dir = join(corporaDir, 'axml');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.xml'))
      .sort())
      seeds.push(readFileSync(join(dir, file)));
  }
  const next = random(0xa11ce);
  const started = performance.now();
  let rejected = 0;
  const rounds = 3000;
  for (let i = 0; i < rounds; i++) {
    const input = mutate(seeds[i % seeds.length]!, next);
    try {
      parseManifest(parseAxml(input));
    } catch (error) {
      if (!(error instanceof ApkFormatError)) assert.fail(`round ${i}: ${error instanceof Error ? error.stack : String(error)}`);
      rejected++;
    }
  }
  const elapsed = performance.now() - started;
  assert.ok(rejected > 0 && rejected < rounds, `${rejected} rejected`);
  assert.ok(elapsed < 20000, `fuzzing took ${elapsed} ms`);
});
