import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApkFormatError } from '../../src/errors.js';
import { ChunkType, parseResourceTable } from '../../src/arsc/index.js';
import { SAMPLE_IDS, encodeChunk, listChunks, sampleAppTable, writeResourceTable } from '@apprights/testkit';

/** Absolute offsets of the chunks of `type` inside a table (table and package levels). */
function findChunks(bytes: Uint8Array, type: number): number[] {
  return listChunks(bytes)
    .filter((c) => c.type === type)
    .map((c) => c.offset);
}

function patched(bytes: Uint8Array, at: number, u32: number, width: 2 | 4 = 4): Uint8Array {
  const copy = bytes.slice();
  const v = new DataView(copy.buffer);
  if (width === 4) v.setUint32(at, u32 >>> 0, true);
  else v.setUint16(at, u32, true);
  return copy;
}

function rejects(step: () => unknown, pattern: RegExp): void {
  assert.throws(step, (error: unknown) => {
    assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
    assert.equal(error.code, 'arsc-corrupt');
    assert.match(error.message, pattern);
    return true;
  });
}

const sample = sampleAppTable();

test('not a resource table', () => {
  rejects(() => parseResourceTable(new Uint8Array(0)), /too few for a chunk header/);
  rejects(() => parseResourceTable(encodeChunk(ChunkType.XML, new Uint8Array(4), new Uint8Array(0))), /starts with XML/);
  rejects(() => parseResourceTable(encodeChunk(ChunkType.TABLE, new Uint8Array(0), new Uint8Array(0))), /TABLE header size 8/);
});

test('every truncation is an ApkFormatError naming the table chunk', () => {
  for (let n = 0; n < sample.length; n++) {
    rejects(() => parseResourceTable(sample.subarray(0, n)), /chunk header|TABLE chunk at 0x0 claims/);
  }
});

test('lying chunk sizes name the chunk', () => {
  const pkg = findChunks(sample, ChunkType.TABLE_PACKAGE)[0]!;
  rejects(() => parseResourceTable(patched(sample, pkg + 4, 0x7fffffff)), /TABLE_PACKAGE chunk at 0x[0-9a-f]+ claims 2147483647 bytes/);
  const type = findChunks(sample, ChunkType.TABLE_TYPE)[0]!;
  rejects(() => parseResourceTable(patched(sample, type + 4, 0xffffff)), /TABLE_TYPE chunk at 0x[0-9a-f]+ claims/);
  rejects(() => parseResourceTable(patched(sample, type + 2, 0xfff0, 2)), /TABLE_TYPE chunk .* header size 65520/);
  // A zero-sized chunk cannot make the walk loop forever.
  rejects(() => parseResourceTable(patched(sample, type + 4, 0)), /header size \d+ for chunk size 0/);
});

test('string pool counts and offsets are checked before use', () => {
  const pool = findChunks(sample, ChunkType.STRING_POOL)[0]!;
  rejects(() => parseResourceTable(patched(sample, pool + 8, 0xffffffff)), /global string pool .* over the limit/);
  rejects(() => parseResourceTable(patched(sample, pool + 8, 100_000)), /offset arrays .* overrun the chunk/);
  rejects(() => parseResourceTable(patched(sample, pool + 20, 0x7fffffff)), /strings start .* outside/);
  // A string offset past the pool only fails when that string is read.
  const table = parseResourceTable(patched(sample, pool + 28, 0x00ffffff));
  rejects(() => table.resolveString(SAMPLE_IDS.appName), /string 0 starts at/);
  // A string whose length overruns the pool.
  const copy = sample.slice();
  const stringsStart = new DataView(copy.buffer).getUint32(pool + 20, true);
  copy[pool + stringsStart + 1] = 0xff; // byte length of string 0 becomes two bytes, 0x7f45
  rejects(() => parseResourceTable(copy).resolveString(SAMPLE_IDS.appName), /claims 32581 bytes but only/);
});

test('type and spec counts, config sizes and entry offsets are checked', () => {
  const spec = findChunks(sample, ChunkType.TABLE_TYPE_SPEC)[0]!;
  rejects(() => parseResourceTable(patched(sample, spec + 12, 0x10001)), /TABLE_TYPE_SPEC at .* over the limit/);
  rejects(() => parseResourceTable(patched(sample, spec + 12, 0x1000)), /TABLE_TYPE_SPEC at .* overrun the chunk/);
  const type = findChunks(sample, ChunkType.TABLE_TYPE)[0]!;
  rejects(() => parseResourceTable(patched(sample, type + 12, 0xffffffff)), /TABLE_TYPE at .* over the limit/);
  rejects(() => parseResourceTable(patched(sample, type + 12, 0x1000)), /index of 4096 entries overruns/);
  rejects(() => parseResourceTable(patched(sample, type + 16, 0xffff)), /entries start 65535 lies outside/);
  rejects(() => parseResourceTable(patched(sample, type + 20, 0x1000)), /config size 4096 does not fit/);
  rejects(() => parseResourceTable(patched(sample, type + 20, 2)), /config size 2 does not fit/);
  const zeroType = sample.slice();
  zeroType[type + 8] = 0;
  rejects(() => parseResourceTable(zeroType), /type id 0 is invalid/);
  // The first index slot of the first type chunk (string/app_name, default config) points far away.
  const headerSize = new DataView(sample.buffer).getUint16(type + 2, true);
  const table = parseResourceTable(patched(sample, type + headerSize, 0x00ffff00));
  rejects(() => table.get(SAMPLE_IDS.appName), /entry 0x7f010000 \(default\) at 0x[0-9a-f]+ lies outside its TABLE_TYPE chunk/);
});

test('bag item counts are checked', () => {
  const bytes = writeResourceTable({
    packages: [
      {
        id: 0x7f,
        name: 'p',
        types: [
          { name: 'style', entries: [{ name: 's', values: [{ value: { bag: { items: [{ name: 0x01010000, value: { int: 1 } }] } } }] }] },
        ],
      },
    ],
  });
  const type = findChunks(bytes, ChunkType.TABLE_TYPE)[0]!;
  const v = new DataView(bytes.buffer);
  const entryAt = type + v.getUint32(type + 16, true);
  assert.equal(parseResourceTable(bytes).get(0x7f010000)[0]!.bag?.items.length, 1);
  rejects(() => parseResourceTable(patched(bytes, entryAt + 12, 0xffffffff)).get(0x7f010000), /over the limit/);
  rejects(() => parseResourceTable(patched(bytes, entryAt + 12, 500)).get(0x7f010000), /500 bag items overrun the chunk/);
  rejects(() => parseResourceTable(patched(bytes, entryAt, 4, 2)).get(0x7f010000), /complex entry of 4 bytes is too small/);
});

test('chunk count limit', () => {
  const tiny = encodeChunk(0x0999, new Uint8Array(0), new Uint8Array(0));
  const bytes = writeResourceTable({ packages: [], extraChunks: Array.from({ length: 50 }, () => tiny) });
  assert.equal(parseResourceTable(bytes).issues.length, 50);
  rejects(() => parseResourceTable(bytes, { limits: { maxChunks: 20 } }), /more than 20 chunks/);
});

test('reference depth limit', () => {
  const entries = Array.from({ length: 40 }, (_, i) => ({
    name: `r${i}`,
    values: [{ value: i === 39 ? { string: 'end' } : { ref: 0x7f010000 + i + 1 } }],
  }));
  const table = parseResourceTable(writeResourceTable({ packages: [{ id: 0x7f, name: 'p', types: [{ name: 'string', entries }] }] }));
  assert.equal(table.resolveString(0x7f010000 + 10), 'end');
  const deep = table.resolve(0x7f010000);
  assert.equal(deep?.unresolved?.reason, 'depth');
  assert.equal(deep?.chain.length, 33);
});

test('localizedStrings stays linear with many locales and many language-less configs', () => {
  const values = [
    ...Array.from({ length: 400 }, (_, i) => ({ config: { density: 100 + i }, value: { string: `d${i}` } })),
    ...Array.from({ length: 400 }, (_, i) => ({
      config: { language: String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26)) },
      value: { string: `l${i}` },
    })),
  ];
  const bytes = writeResourceTable({ packages: [{ id: 0x7f, name: 'p', types: [{ name: 'string', entries: [{ name: 's', values }] }] }] });
  const table = parseResourceTable(bytes);
  const started = Date.now();
  const all = table.localizedStrings(0x7f010000);
  assert.ok(Date.now() - started < 3000);
  assert.equal(Object.keys(all).length, 1 + 4 + 400 - 1, 'every locale but "en" (already listed) once');
  assert.equal(all.ab, table.resolveString(0x7f010000, 'ab'));
  assert.equal(all.default, 'd60', 'mdpi wins for the default density');
});
