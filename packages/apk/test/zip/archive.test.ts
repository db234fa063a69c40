import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { text } from 'node:stream/consumers';
import { ApkFormatError, ZipArchive } from '../../src/index.js';
import { buildZip, realApks, runTool, skipWithoutTool } from '@apprights/testkit';

function rejects(fn: () => unknown, code: string, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('reads stored and deflated entries', () => {
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'a.txt', data: 'hello', method: 0 },
      { name: 'dir/b.txt', data: 'world '.repeat(100) },
    ]),
  );
  assert.deepEqual(
    zip.entries.map((e) => e.name),
    ['a.txt', 'dir/b.txt'],
  );
  assert.equal(Buffer.from(zip.read('a.txt')).toString(), 'hello');
  assert.equal(Buffer.from(zip.read('dir/b.txt')).toString(), 'world '.repeat(100));
  assert.deepEqual(zip.issues, []);
});

test('streams an entry', async () => {
  const data = Array.from({ length: 300_000 }, (_, i) => (i * 7919).toString(36)).join(',');
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'big.txt', data }]));
  assert.equal(await text(zip.stream('big.txt')), data);
});

test('streaming stops an entry that inflates past its declared size', async () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'lie.txt', data: 'y'.repeat(5000), centralUncompressedSize: 100 }]));
  await assert.rejects(text(zip.stream('lie.txt')), /more than its declared size 100/);
});

test('reads ZIP64 end records', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'a', data: 'abc' }], { zip64: true }));
  assert.equal(zip.layout.zip64, true);
  assert.equal(Buffer.from(zip.read('a')).toString(), 'abc');
});

test('finds the end record behind a maximal comment', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'a', data: 'abc' }], { comment: 'c'.repeat(0xffff) }));
  assert.equal(zip.layout.comment.byteLength, 0xffff);
});

test('rejects data that is not a ZIP', () => {
  rejects(() => ZipArchive.fromBytes(new Uint8Array(10)), 'not-zip', /too small/);
  rejects(() => ZipArchive.fromBytes(new Uint8Array(1000)), 'not-zip', /no end of central directory/);
});

test('rejects a central directory outside the archive', () => {
  const bytes = Buffer.from(buildZip([{ name: 'a', data: 'abc' }]));
  bytes.writeUInt32LE(0x7fffffff, bytes.length - 6);
  rejects(() => ZipArchive.fromBytes(bytes), 'zip-corrupt', /central directory/);
});

test('flags duplicate and unsafe names but never fails on them', () => {
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'AndroidManifest.xml', data: 'one' },
      { name: 'AndroidManifest.xml', data: 'two' },
      { name: '../../etc/passwd', data: 'x' },
      { name: '/abs', data: 'x' },
      { name: 'nul\u0000name', data: 'x' },
      { name: 'C:\\win', data: 'x' },
    ]),
  );
  assert.equal(Buffer.from(zip.read('AndroidManifest.xml')).toString(), 'one');
  const kinds = zip.issues.map((i) => `${i.kind}:${i.entry}`);
  assert.ok(kinds.includes('duplicate-name:AndroidManifest.xml'));
  assert.equal(zip.issues.filter((i) => i.kind === 'unsafe-name').length, 4);
  assert.equal(zip.entries.filter((e) => e.unsafeName).length, 4);
});

test('refuses encrypted entries', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'secret', data: 'x', flags: 0x0801 }]));
  assert.equal(zip.issues[0]?.kind, 'encrypted');
  rejects(() => zip.read('secret'), 'zip-encrypted', /encrypted/);
});

test('reports local header disagreement', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'a.txt', data: 'hello', method: 0, localMethod: 8, localName: 'b.txt' }]));
  assert.equal(Buffer.from(zip.read('a.txt')).toString(), 'hello');
  assert.equal(zip.issues[0]?.kind, 'local-header-mismatch');
  assert.match(zip.issues[0]!.message, /compression method 8 vs 0.*name "b.txt"/);
});

test('enforces declared and actual size caps', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'big', data: 'z'.repeat(10_000) }]), { maxEntrySize: 1000 });
  rejects(() => zip.read('big'), 'zip-limit', /declared size 10000 is over the limit of 1000/);
  const lying = ZipArchive.fromBytes(buildZip([{ name: 'lie', data: 'z'.repeat(10_000), centralUncompressedSize: 50 }]));
  rejects(() => lying.read('lie'), 'zip-limit', /more than its declared size 50/);
  const short = ZipArchive.fromBytes(buildZip([{ name: 'short', data: 'z'.repeat(100), centralUncompressedSize: 5000 }]));
  rejects(() => short.read('short'), 'zip-corrupt', /inflated to 100 bytes, declared 5000/);
});

test('stops zip bombs by ratio and by total inflated size', () => {
  const zeros = new Uint8Array(8 << 20);
  const bomb = ZipArchive.fromBytes(buildZip([{ name: 'bomb', data: zeros }]));
  assert.equal(bomb.issues[0]?.kind, 'suspicious-ratio');
  rejects(() => bomb.read('bomb'), 'zip-limit', /compression ratio .*zip bomb/);
  const many = ZipArchive.fromBytes(
    buildZip([
      { name: 'a', data: 'a'.repeat(600) },
      { name: 'b', data: 'b'.repeat(600) },
    ]),
    { maxTotalInflated: 1000 },
  );
  many.read('a');
  rejects(() => many.read('b'), 'zip-limit', /total inflated size/);
});

test('caps the entry count', () => {
  const entries = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: '' }));
  rejects(() => ZipArchive.fromBytes(buildZip(entries), { maxEntries: 10 }), 'zip-limit', /more than 10 entries/);
});

test('detects CRC mismatches and corrupt deflate data', () => {
  const crc = ZipArchive.fromBytes(buildZip([{ name: 'a', data: 'abc', crc: 1234 }]));
  rejects(() => crc.read('a'), 'zip-corrupt', /CRC-32 mismatch/);
  const broken = ZipArchive.fromBytes(buildZip([{ name: 'a', data: 'abc', rawData: new Uint8Array([0xff, 0xff, 0xff]) }]));
  rejects(() => broken.read('a'), 'zip-corrupt', /inflate failed/);
});

test('readAsync inflates off the thread with the checks of read', async () => {
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'a.txt', data: 'hello', method: 0 },
      { name: 'b.txt', data: 'world '.repeat(100) },
      { name: 'crc', data: 'abc', crc: 1234 },
      { name: 'broken', data: 'abc', rawData: new Uint8Array([0xff, 0xff, 0xff]) },
      { name: 'lie', data: 'y'.repeat(5000), centralUncompressedSize: 100 },
    ]),
  );
  assert.equal(Buffer.from(await zip.readAsync('a.txt')).toString(), 'hello');
  assert.equal(Buffer.from(await zip.readAsync('b.txt')).toString(), 'world '.repeat(100));
  const rejectsWith = (promise: Promise<unknown>, code: string, message: RegExp) =>
    assert.rejects(promise, (error: unknown) => error instanceof ApkFormatError && error.code === code && message.test(error.message));
  await rejectsWith(zip.readAsync('crc'), 'zip-corrupt', /CRC-32 mismatch/);
  await rejectsWith(zip.readAsync('broken'), 'zip-corrupt', /inflate failed/);
  await rejectsWith(zip.readAsync('lie'), 'zip-limit', /more than its declared size 100/);
  // The checks before inflating throw at once, as read does.
  rejects(() => zip.readAsync('b.txt', { maxSize: 10 }), 'zip-limit', /over the limit of 10/);
});

test('names unsupported compression methods', () => {
  const zip = ZipArchive.fromBytes(buildZip([{ name: 'a', data: 'abc', method: 14, rawData: deflateRawSync('abc') }]));
  assert.equal(zip.issues[0]?.kind, 'unsupported-method');
  rejects(() => zip.read('a'), 'zip-unsupported', /compression method 14/);
});

test('lists the same entries as unzip on the real APKs', { skip: skipWithoutTool('unzip') }, () => {
  for (const path of Object.values(realApks)) {
    const zip = ZipArchive.open(path);
    try {
      const listing = runTool('unzip', ['-Z1', path]).stdout.split('\n').filter(Boolean);
      assert.deepEqual(
        zip.entries.map((e) => e.name),
        listing,
        path,
      );
      assert.deepEqual(zip.issues, [], path);
      const manifest = zip.read('AndroidManifest.xml');
      assert.ok(manifest.byteLength > 100);
    } finally {
      zip.close();
    }
  }
});

test('peeks at the first bytes of an entry without inflating it all', () => {
  const zip = ZipArchive.fromBytes(
    buildZip([
      { name: 'assets/x.bin', data: 'dex\n035\0' + 'q'.repeat(100_000) },
      { name: 'assets/y.bin', data: 'PK\u0003\u0004rest', method: 0 },
      { name: 'empty', data: '' },
    ]),
  );
  assert.equal(Buffer.from(zip.peek('assets/x.bin', 4)).toString('latin1'), 'dex\n');
  assert.equal(Buffer.from(zip.peek('assets/y.bin', 4)).toString('latin1'), 'PK\u0003\u0004');
  assert.equal(zip.peek('empty', 4).byteLength, 0);
});
