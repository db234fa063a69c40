import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAxml, type AxmlDocument, type AxmlElement } from '../../src/axml/index.js';
import { ApkFormatError } from '../../src/errors.js';
import {
  ANDROID_NS,
  android,
  assemble,
  chunk,
  el,
  encodeAxml,
  encodeAxmlChunks,
  manifest,
  patchU16,
  patchU32,
  plain,
  rawEndElement,
  rawStartElement,
  resourceMap,
  stringPool,
  type XElement,
} from '@apprights/testkit';

function rejects(bytes: Uint8Array, pattern: RegExp, options: Parameters<typeof parseAxml>[1] = {}): void {
  assert.throws(
    () => parseAxml(bytes, options),
    (error: unknown) => {
      assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
      assert.equal(error.code, 'axml-corrupt');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

function warned(document: AxmlDocument, pattern: RegExp): void {
  assert.ok(
    document.warnings.some((w) => pattern.test(w.message)),
    `no warning matching ${pattern}: ${JSON.stringify(document.warnings)}`,
  );
}

const sample: XElement = manifest(
  'com.example.app',
  [android('versionCode', 7), android('versionName', '1.2')],
  [
    el('uses-permission', [android('name', 'android.permission.CAMERA')]),
    el('application', [android('debuggable', true), android('label', { ref: 0x7f040000 })], [{ text: 'hello\n' }]),
  ],
);

test('reads elements, namespaces, typed attributes and text', () => {
  for (const utf8 of [false, true]) {
    const doc = parseAxml(encodeAxml(sample, { utf8 }));
    assert.equal(doc.utf8, utf8);
    assert.deepEqual(doc.warnings, []);
    assert.equal(doc.root.name, 'manifest');
    assert.deepEqual(
      doc.root.namespaces.map((n) => [n.prefix, n.uri]),
      [['android', ANDROID_NS]],
    );
    const attrs = Object.fromEntries(doc.root.attributes.map((a) => [a.name, a]));
    assert.deepEqual(attrs.package!.value, { kind: 'string', value: 'com.example.app' });
    assert.equal(attrs.package!.namespaceUri, undefined);
    assert.deepEqual(attrs.versionCode!.value, { kind: 'integer', value: 7 });
    assert.equal(attrs.versionCode!.resourceId, 0x0101021b);
    assert.equal(attrs.versionCode!.namespaceUri, ANDROID_NS);
    assert.equal(attrs.versionName!.rawValue, '1.2');
    const app = doc.root.children[1] as AxmlElement;
    assert.deepEqual(
      app.attributes.map((a) => a.value),
      [
        { kind: 'boolean', value: true },
        { kind: 'reference', id: 0x7f040000 },
      ],
    );
    assert.deepEqual(app.children, [{ kind: 'text', text: 'hello\n', line: app.children[0]!.line }]);
  }
});

test('decodes every value type', () => {
  const values: [number, number, unknown][] = [
    [0x00, 0, { kind: 'null', empty: false }],
    [0x00, 1, { kind: 'null', empty: true }],
    [0x02, 0x01010040, { kind: 'attribute', id: 0x01010040 }],
    [0x04, 0x3fc00000, { kind: 'float', value: 1.5 }],
    [0x05, 0x4d00, { kind: 'dimension', data: 0x4d00 }],
    [0x06, 0x101, { kind: 'fraction', data: 0x101 }],
    [0x07, 0x12345678, { kind: 'reference', id: 0x12345678 }],
    [0x10, 0xffffffff, { kind: 'integer', value: -1 }],
    [0x11, 0x10, { kind: 'integer', value: 16 }],
    [0x1c, 0xffaabbcc, { kind: 'color', argb: 0xffaabbcc }],
    [0x99, 5, { kind: 'unknown', type: 0x99, data: 5 }],
  ];
  const root = el(
    'x',
    values.map(([type, data], i) => plain(`a${i}`, { type, data })),
  );
  const doc = parseAxml(encodeAxml(root));
  assert.deepEqual(
    doc.root.attributes.map((a) => a.value),
    values.map(([, , v]) => v),
  );
});

test('attribute names come from the resource map when the string is blank or scrambled', () => {
  const doc = parseAxml(
    encodeAxml(
      el('manifest', [
        { ns: '', name: '', id: 0x0101021c, value: '2.0' },
        { ns: ANDROID_NS, name: 'zzQ', id: 0x01010003, value: 'x' },
        { ns: ANDROID_NS, name: 'custom', id: 0x01019999, value: 'y' },
      ]),
    ),
  );
  assert.deepEqual(
    doc.root.attributes.map((a) => [a.name, a.rawName, a.resourceId]),
    [
      ['versionName', '', 0x0101021c],
      ['name', 'zzQ', 0x01010003],
      ['custom', 'custom', 0x01019999],
    ],
  );
});

test('long UTF-16 strings use the two-unit length form', () => {
  const long = 'x'.repeat(0x9000);
  const doc = parseAxml(encodeAxml(el('m', [plain('v', long)])));
  assert.equal((doc.root.attributes[0]!.value as { value: string }).value.length, 0x9000);
});

test('namespaces nest, mask and repeat', () => {
  const inner: XElement = {
    name: 'inner',
    ns: 'urn:b',
    namespaces: [{ prefix: 'a', uri: 'urn:b' }],
    attrs: [{ ns: 'urn:b', name: 'k', value: 'v' }],
  };
  const doc = parseAxml(
    encodeAxml({
      name: 'outer',
      namespaces: [
        { prefix: 'a', uri: 'urn:a' },
        { prefix: 'a', uri: 'urn:a' },
      ],
      children: [inner],
    }),
  );
  assert.equal(doc.namespaces.length, 3);
  const child = doc.root.children[0] as AxmlElement;
  assert.equal(child.namespaceUri, 'urn:b');
  assert.equal(child.attributes[0]!.namespaceUri, 'urn:b');
});

test('document header problems', () => {
  rejects(new Uint8Array(4), /too short/);
  const good = encodeAxml(sample);
  rejects(patchU32(good, 4, 4), /declared size 4 is smaller than its header/);
  rejects(patchU16(good, 2, 4), /header size 4/);
  // A size larger than the file is what AndroidManifestWrongFilesize.xml does: read on, with a warning.
  warned(parseAxml(patchU32(good, 4, 0x42424242)), /declares 1111638594 bytes/);
  // A wrong document type is what AndroidManifest_WrongChunkStart.xml does: Android never checks it.
  warned(parseAxml(encodeAxml(sample, { documentType: 0 })), /document chunk type is 0x0/);
  // Bytes after the declared size are ignored.
  const padded = new Uint8Array(good.length + 16);
  padded.set(good);
  warned(parseAxml(padded), /16 bytes after the XML chunk ignored/);
  rejects(assemble([]), /no element/);
});

test('truncated chunk names the chunk that runs past the end', () => {
  const good = encodeAxml(sample);
  const truncated = patchU32(good.subarray(0, good.length - 10), 4, good.length - 10);
  rejects(truncated, /end-namespace chunk at offset \d+: declared size 24 runs past the end/);
  // Truncation inside the string pool.
  const cut = patchU32(good.subarray(0, 40), 4, 40);
  rejects(cut, /string pool chunk at offset 8: declared size \d+ runs past the end/);
});

test('lying chunk sizes: too large, smaller than the header, zero', () => {
  const { chunks } = encodeAxmlChunks(sample);
  const lie = (index: number, size: number): Uint8Array => {
    const copy: Uint8Array[] = chunks.map((c) => c.slice());
    copy[index] = patchU32(copy[index]!, 4, size);
    return assemble(copy);
  };
  rejects(lie(2, 0xfffffff0), /start-namespace chunk at offset \d+: declared size 4294967280 runs past the end/);
  rejects(lie(3, 12), /start-element chunk at offset \d+: declared size 12 is smaller than its header \(16\)/);
  // A zero-sized chunk would make a naive reader loop forever on the same offset.
  rejects(lie(4, 0), /declared size 0 is smaller than its header/);
  const zeroHeader: Uint8Array[] = chunks.map((c) => c.slice());
  zeroHeader[1] = patchU16(zeroHeader[1]!, 2, 0);
  rejects(assemble(zeroHeader), /resource map chunk at offset \d+: header size 0 is smaller than 8/);
  // A chunk whose declared size covers less than its own fields.
  const shortEnd = chunk(0x0103, new Uint8Array(8), new Uint8Array(4));
  rejects(assemble([...chunks.slice(0, 4), shortEnd]), /end-element chunk at offset \d+: 4 bytes are too few/);
});

test('unknown chunks are skipped by their size', () => {
  const { chunks } = encodeAxmlChunks(sample);
  const unknown = chunk(0x0777, new Uint8Array(0), new Uint8Array(12));
  const unknownNode = chunk(0x0150, new Uint8Array(8), new Uint8Array(4));
  const doc = parseAxml(assemble([chunks[0]!, unknown, ...chunks.slice(1, 4), unknownNode, ...chunks.slice(4)]));
  warned(doc, /unknown chunk type 0x777/);
  warned(doc, /unknown node type 0x150/);
  assert.equal(doc.root.name, 'manifest');
  assert.equal(doc.root.children.length, 2);
});

test('string pool guards: counts, offsets, lengths, terminators', () => {
  const tail = [resourceMap([]), rawStartElement({ name: 0, attributeCount: 0 }), rawEndElement(0)];
  // A string count whose offsets cannot fit in the chunk.
  rejects(assemble([stringPool(['m'], { stringCount: 0x40000000 }), ...tail]), /1073741824 strings exceed the limit/);
  rejects(assemble([stringPool(['m'], { stringCount: 5000 }), ...tail]), /5000 string offsets do not fit/);
  rejects(assemble([stringPool(['m', 'n', 'o']), ...tail]), /more than 2 strings|strings exceed the limit of 2/, {
    limits: { maxStrings: 2 },
  });
  // A string offset pointing outside the string data: that string reads as missing, with a warning.
  const badOffset = parseAxml(assemble([stringPool(['m'], { offsets: new Map([[0, 4000]]) }), ...tail]));
  warned(badOffset, /string #0: offset 4000 lies outside/);
  warned(badOffset, /element name #0 is not a readable string/);
  assert.equal(badOffset.root.name, '');
  // A UTF-8 length that overflows the pool.
  const utf8 = stringPool(['m'], { utf8: true });
  const overflow = utf8.slice();
  overflow[28 + 4 + 1] = 0x7f; // byte length 127 for a 1-byte string
  warned(parseAxml(assemble([overflow, ...tail])), /string #0 runs past the end of the string data/);
  // A two-byte UTF-8 length whose second byte is the last byte of the pool.
  const utf16 = stringPool(['m']);
  const huge = utf16.slice();
  new DataView(huge.buffer).setUint16(32, 0x7fff, true);
  warned(parseAxml(assemble([huge, ...tail])), /string #0: length|string #0 runs past the end/);
  // Unterminated strings decode by their length (Android would read them as missing).
  for (const utf8Pool of [false, true]) {
    const doc = parseAxml(assemble([stringPool(['manifest', 'b'], { utf8: utf8Pool, unterminated: true }), ...tail]));
    warned(doc, /string #0 is not null-terminated/);
    assert.equal(doc.root.name, 'manifest');
  }
  // Overlong strings.
  warned(parseAxml(assemble([stringPool(['mmmmmmmm']), ...tail]), { limits: { maxStringLength: 4 } }), /length 8 exceeds the limit of 4/);
  // Strings start outside the chunk.
  const badStart = patchU32(stringPool(['m']), 20, 9999);
  rejects(assemble([badStart, ...tail]), /strings start 9999 lies outside/);
  // Style tables that make no sense are ignored, as aapt does for AndroidManifestNonZeroStyle.xml.
  const styles = parseAxml(assemble([stringPool(['m'], { styleCount: 3, stylesStart: 2 }), ...tail]));
  warned(styles, /styles ignored/);
  assert.equal(styles.root.name, 'm');
});

test('limits: depth, attributes per element, node count', () => {
  let deep: XElement = el('leaf');
  for (let i = 0; i < 300; i++) deep = el('n', [], [deep]);
  rejects(encodeAxml(deep), /nest deeper than 256/);
  assert.equal(parseAxml(encodeAxml(deep), { limits: { maxDepth: 400 } }).root.name, 'n');
  const many = el(
    'm',
    Array.from({ length: 50 }, (_, i) => plain(`a${i}`, i)),
  );
  rejects(encodeAxml(many), /50 attributes exceed the limit of 10/, { limits: { maxAttributes: 10 } });
  const wide = el(
    'm',
    [],
    Array.from({ length: 100 }, () => el('c')),
  );
  rejects(encodeAxml(wide), /more than 50 nodes/, { limits: { maxNodes: 50 } });
});

test('attribute tables that do not fit their chunk', () => {
  const pool = stringPool(['m']);
  const map = resourceMap([]);
  rejects(
    assemble([pool, map, rawStartElement({ name: 0, attributeCount: 3 }), rawEndElement(0)]),
    /3 attributes of 20 bytes run past the end of the chunk/,
  );
  rejects(
    assemble([
      pool,
      map,
      rawStartElement({ name: 0, attributeCount: 1, attributeSize: 8, attributeBytes: new Uint8Array(20) }),
      rawEndElement(0),
    ]),
    /attribute size 8 is smaller than 20/,
  );
  // A larger attribute stride (future formats) is read by its declared size.
  const wideAttr = new Uint8Array(24);
  new DataView(wideAttr.buffer).setUint32(0, 0xffffffff, true);
  new DataView(wideAttr.buffer).setUint32(8, 0xffffffff, true);
  wideAttr[15] = 0x10;
  const doc = parseAxml(
    assemble([pool, map, rawStartElement({ name: 0, attributeCount: 1, attributeSize: 24, attributeBytes: wideAttr }), rawEndElement(0)]),
  );
  assert.deepEqual(doc.root.attributes[0]!.value, { kind: 'integer', value: 0 });
});

test('unbalanced end tags and unclosed elements are tolerated with warnings', () => {
  const pool = stringPool(['m', 'x']);
  const map = resourceMap([]);
  const extraEnd = parseAxml(assemble([pool, map, rawStartElement({ name: 0, attributeCount: 0 }), rawEndElement(1), rawEndElement(0)]));
  warned(extraEnd, /end tag <\/x> closes <m>/);
  warned(extraEnd, /end tag without an open element/);
  const unclosed = parseAxml(assemble([pool, map, rawStartElement({ name: 0, attributeCount: 0 })]));
  warned(unclosed, /not closed/);
});

test('a large document parses in linear time', () => {
  const root = el(
    'manifest',
    [],
    Array.from({ length: 10000 }, (_, i) => el('uses-permission', [android('name', `p.${i}`)])),
  );
  const bytes = encodeAxml(root);
  const start = performance.now();
  const doc = parseAxml(bytes);
  const elapsed = performance.now() - start;
  assert.equal(doc.root.children.length, 10000);
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
});
