import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as zlibConstants, deflateRawSync, deflateSync } from 'node:zlib';
import {
  ApkFormatError,
  analyzePackage,
  analyzePng,
  isPng,
  type PngAlphaStats,
  type PngAnalysis,
  type PngHeader,
} from '../../src/index.js';
import { Rng } from '../fuzz/mutate.js';
import { realApks } from '@apprights/testkit';
import { PNG_SIGNATURE, concatBytes, encodePng, ihdr, listPngChunks, pngChunk, rgba, type PngSpec } from './png-builder.js';

type Decoded = PngHeader & PngAlphaStats;

function decoded(bytes: Uint8Array): Decoded {
  const result = analyzePng(bytes);
  assert.equal(result.decoded, true, result.decoded ? '' : result.reason);
  return result as Decoded;
}

const rejects = (code: string, pattern: RegExp) => (error: unknown) =>
  error instanceof ApkFormatError && error.code === code && pattern.test(error.message);

/** What the decoder must report for an image whose alpha at each pixel is known. */
function expected(width: number, height: number, alphaAt: (x: number, y: number) => number): Omit<PngAlphaStats, 'decoded' | 'hasAlpha'> {
  let transparent = 0;
  let sum = 0;
  let [minX, minY, maxX, maxY] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = alphaAt(x, y);
      sum += a;
      if (a < 16) transparent++;
      else [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
    }
  }
  return {
    transparentRatio: transparent / (width * height),
    meanAlpha: sum / (width * height),
    visibleBoundingBox: maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 },
  };
}

function stats(result: Decoded): Omit<PngAlphaStats, 'decoded' | 'hasAlpha'> {
  return { transparentRatio: result.transparentRatio, meanAlpha: result.meanAlpha, visibleBoundingBox: result.visibleBoundingBox };
}

test('png: a fully opaque RGBA image', () => {
  const result = decoded(encodePng({ width: 8, height: 6, colorType: 6, pixels: rgba(8, 6, (x, y) => [x * 30, y * 40, 7, 255]) }));
  assert.deepEqual(result, {
    width: 8,
    height: 6,
    bitDepth: 8,
    colorType: 6,
    interlaced: false,
    decoded: true,
    hasAlpha: true,
    transparentRatio: 0,
    meanAlpha: 255,
    visibleBoundingBox: { x: 0, y: 0, width: 8, height: 6 },
  });
});

test('png: a fully transparent RGBA image has no visible box', () => {
  const result = decoded(encodePng({ width: 48, height: 48, colorType: 6, pixels: rgba(48, 48, () => [255, 255, 255, 0]) }));
  assert.equal(result.transparentRatio, 1);
  assert.equal(result.meanAlpha, 0);
  assert.equal(result.visibleBoundingBox, null);
});

test('png: a transparent image with one visible dot', () => {
  const pixels = rgba(32, 32, (x, y) => (x === 20 && y === 3 ? [0, 0, 0, 200] : [0, 0, 0, 15]));
  const result = decoded(encodePng({ width: 32, height: 32, colorType: 6, pixels }));
  assert.equal(result.transparentRatio, 1023 / 1024);
  assert.equal(result.meanAlpha, (1023 * 15 + 200) / 1024);
  assert.deepEqual(result.visibleBoundingBox, { x: 20, y: 3, width: 1, height: 1 });
});

test('png: palette images take alpha from tRNS, at every bit depth', () => {
  const palette: [number, number, number][] = [
    [0, 0, 0],
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ];
  for (const depth of [1, 2, 4, 8]) {
    const width = 13;
    const height = 5;
    const perByte = 8 / depth;
    const rowBytes = Math.ceil(width / perByte);
    const index = (x: number, y: number) => (x + y) % Math.min(4, 1 << depth);
    const pixels = new Uint8Array(rowBytes * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        pixels[y * rowBytes + Math.floor(x / perByte)]! |= index(x, y) << (8 - depth * ((x % perByte) + 1));
      }
    }
    const alphas = [0, 128, 255];
    const alphaAt = (x: number, y: number) => alphas[index(x, y)] ?? 255;
    const spec: PngSpec = { width, height, colorType: 3, bitDepth: depth, pixels, palette, trns: alphas, filter: (y) => y % 5 };
    const result = decoded(encodePng(spec));
    assert.equal(result.hasAlpha, true, `depth ${depth}`);
    assert.deepEqual(stats(result), expected(width, height, alphaAt), `depth ${depth}`);
    // A tRNS longer than the palette is ignored, as libpng does: the image is opaque.
    const tooLong = decoded(encodePng({ ...spec, trns: [0, 0, 0, 0, 0] }));
    assert.equal(tooLong.hasAlpha, false);
    assert.equal(tooLong.meanAlpha, 255);
    const opaque = decoded(encodePng({ ...spec, trns: undefined }));
    assert.deepEqual([opaque.hasAlpha, opaque.transparentRatio, opaque.meanAlpha], [false, 0, 255]);
  }
  assert.throws(
    () => analyzePng(encodePng({ width: 1, height: 1, colorType: 3, pixels: Uint8Array.of(0) })),
    rejects('image-corrupt', /palette image without PLTE/),
  );
});

test('png: grayscale without alpha is opaque; a tRNS key makes one gray level transparent', () => {
  for (const depth of [1, 2, 4, 8, 16]) {
    const width = 11;
    const height = 3;
    const rowBytes = Math.ceil((width * depth) / 8);
    const pixels = new Uint8Array(rowBytes * height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 0xff;
    const result = decoded(encodePng({ width, height, colorType: 0, bitDepth: depth, pixels }));
    assert.deepEqual([result.hasAlpha, result.transparentRatio, result.meanAlpha], [false, 0, 255], `depth ${depth}`);
  }
  // 16-bit gray, key 0x1234: the whole 16-bit value must match, not only the high byte.
  const pixels = Uint8Array.from([0x12, 0x34, 0x12, 0x35, 0x12, 0x34, 0xff, 0xff]);
  const keyed = decoded(encodePng({ width: 4, height: 1, colorType: 0, bitDepth: 16, pixels, trns: [0x12, 0x34] }));
  assert.equal(keyed.hasAlpha, true);
  assert.equal(keyed.transparentRatio, 0.5);
  assert.deepEqual(keyed.visibleBoundingBox, { x: 1, y: 0, width: 3, height: 1 });
});

test('png: each filter type decodes to the same image (RGBA, 16-bit gray+alpha, 16-bit RGB with a key)', () => {
  const rng = new Rng(7);
  const width = 19;
  const height = 17;
  const alpha = Array.from({ length: width * height }, () => (rng.below(3) === 0 ? rng.below(16) : rng.below(256)));
  const alphaAt = (x: number, y: number) => alpha[y * width + x]!;
  const want = expected(width, height, alphaAt);
  const rgbaPixels = rgba(width, height, (x, y) => [rng.below(256), rng.below(256), rng.below(256), alphaAt(x, y)]);
  // 16-bit gray+alpha: the alpha's high byte counts; its low byte and the gray are noise the filters must get right.
  const ga16 = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) ga16.set([rng.below(256), rng.below(256), alpha[i]!, rng.below(256)], i * 4);
  // RGB with a transparent key: a pixel is transparent only if all six bytes decode right.
  const rgb16 = new Uint8Array(width * height * 6);
  const keyed = (i: number) => alpha[i]! < 16;
  for (let i = 0; i < width * height; i++) {
    const pixel = [1, 2, 3, 4, 5, 6];
    // Off by one byte, low bytes included: the key compares whole 16-bit samples.
    if (!keyed(i)) pixel[rng.below(6)]! += 1 + rng.below(250);
    rgb16.set(pixel, i * 6);
  }
  const wantKeyed = expected(width, height, (x, y) => (keyed(y * width + x) ? 0 : 255));
  for (const filter of [0, 1, 2, 3, 4, (row: number) => row % 5]) {
    const name = `filter ${typeof filter === 'number' ? filter : 'mixed'}`;
    assert.deepEqual(stats(decoded(encodePng({ width, height, colorType: 6, pixels: rgbaPixels, filter }))), want, `RGBA ${name}`);
    assert.deepEqual(stats(decoded(encodePng({ width, height, colorType: 4, bitDepth: 16, pixels: ga16, filter }))), want, `GA16 ${name}`);
    const rgb = decoded(encodePng({ width, height, colorType: 2, bitDepth: 16, pixels: rgb16, filter, trns: [1, 2, 3, 4, 5, 6] }));
    assert.deepEqual(stats(rgb), wantKeyed, `RGB16 ${name}`);
  }
});

test('png: Adam7 interlaced images give the same statistics as plain ones, whatever the size', () => {
  const rng = new Rng(11);
  for (const [width, height] of [
    [1, 1],
    [2, 3],
    [5, 1],
    [9, 9],
    [33, 17],
  ] as const) {
    const pixels = rgba(width, height, () => [rng.below(256), 0, 0, rng.below(2) === 0 ? rng.below(16) : rng.below(256)]);
    const alphaAt = (x: number, y: number) => pixels[(y * width + x) * 4 + 3]!;
    for (const filter of [0, 4, (row: number) => row % 5]) {
      const result = decoded(encodePng({ width, height, colorType: 6, pixels, filter, interlace: true }));
      assert.equal(result.interlaced, true);
      assert.deepEqual(stats(result), expected(width, height, alphaAt), `${width}×${height}`);
    }
  }
});

test('png: IDAT split over chunks, ancillary chunks before it, a missing IEND and bad CRCs are accepted', () => {
  const pixels = rgba(10, 10, (x) => [0, 0, 0, x < 5 ? 0 : 255]);
  const plain = decoded(encodePng({ width: 10, height: 10, colorType: 6, pixels }));
  assert.equal(plain.transparentRatio, 0.5);
  const split = encodePng({
    width: 10,
    height: 10,
    colorType: 6,
    pixels,
    idatChunks: 4,
    omitIend: true,
    before: [pngChunk('tEXt', [65, 0, 66])],
  });
  assert.deepEqual(decoded(split), plain);
  const badCrc = concatBytes([PNG_SIGNATURE, ihdr(10, 10, 8, 6), pngChunk('IDAT', deflateSync(Buffer.alloc(0)), { badCrc: true })]);
  assert.throws(() => analyzePng(badCrc), rejects('image-corrupt', /inflates to 0 bytes/), 'structure still counts');
  const good = encodePng({ width: 10, height: 10, colorType: 6, pixels });
  for (const [offset, length] of listPngChunks(good)) good[offset + 8 + length] ^= 0xff;
  assert.deepEqual(decoded(good), plain);
});

test('png: an unknown critical chunk is reported as not decoded, not as an error', () => {
  const result = analyzePng(
    encodePng({ width: 2, height: 2, colorType: 6, pixels: new Uint8Array(16), before: [pngChunk('CgBI', [0, 0, 0, 0])] }),
  );
  assert.deepEqual(result, {
    width: 2,
    height: 2,
    bitDepth: 8,
    colorType: 6,
    interlaced: false,
    decoded: false,
    reason: 'unknown critical chunk CgBI',
  });
});

test('png: every truncation is image-corrupt, except a cut that only loses IEND', () => {
  const full = encodePng({ width: 12, height: 12, colorType: 6, pixels: rgba(12, 12, (x, y) => [x, y, 0, (x * y) & 0xff]), level: 9 });
  const whole = decoded(full);
  const iend = listPngChunks(full).find(([, , type]) => type === 'IEND')![0];
  for (let cut = 0; cut < full.length; cut++) {
    const part = full.subarray(0, cut);
    if (cut === iend) {
      assert.deepEqual(decoded(part), whole);
      continue;
    }
    assert.throws(() => analyzePng(part), rejects('image-corrupt', /./), `cut at ${cut}`);
  }
});

test('png: the image data must inflate to exactly what the header needs; filter types past 4 are corrupt', () => {
  const short = encodePng({ width: 4, height: 4, colorType: 6, pixels: new Uint8Array(64), idat: deflateSync(new Uint8Array(20)) });
  assert.throws(() => analyzePng(short), rejects('image-corrupt', /inflates to 20 bytes, a 4×4 image needs 68/));
  const long = encodePng({ width: 4, height: 4, colorType: 6, pixels: new Uint8Array(64), idat: deflateSync(new Uint8Array(69)) });
  assert.throws(() => analyzePng(long), rejects('image-corrupt', /more than the 68 bytes/));
  const raw = new Uint8Array(68);
  raw[17] = 5;
  const badFilter = encodePng({ width: 4, height: 4, colorType: 6, pixels: new Uint8Array(64), idat: deflateSync(raw) });
  assert.throws(() => analyzePng(badFilter), rejects('image-corrupt', /row 1 has filter type 5/));
  const garbage = encodePng({ width: 4, height: 4, colorType: 6, pixels: new Uint8Array(64), idat: Uint8Array.from([1, 2, 3, 4, 5]) });
  assert.throws(() => analyzePng(garbage), rejects('image-corrupt', /does not inflate/));
  const noData = concatBytes([PNG_SIGNATURE, ihdr(1, 1, 8, 6), pngChunk('IEND')]);
  assert.throws(() => analyzePng(noData), rejects('image-corrupt', /no image data/));
});

test('png: a 1×1 image whose data inflates to 1 GiB is refused after a few kilobytes, quickly', () => {
  // Full flushes make independent blocks, so one MiB of zeros deflated once, repeated 1024 times, is a 1 GiB stream.
  const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const stream = concatBytes([
    Uint8Array.of(0x78, 0x01),
    ...Array.from({ length: 1024 }, () => block),
    Uint8Array.of(1, 0, 0, 0xff, 0xff, 0, 0, 0, 1),
  ]);
  const bomb = concatBytes([PNG_SIGNATURE, ihdr(1, 1, 8, 6), pngChunk('IDAT', stream), pngChunk('IEND')]);
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  assert.throws(() => analyzePng(bomb), rejects('image-corrupt', /more than the 5 bytes a 1×1 image needs/));
  assert.ok(performance.now() - started < 1000, 'stops at the first output chunk instead of inflating everything');
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, 'no large allocation');
  // Compressed data over the IDAT budget is refused before inflating.
  assert.throws(() => analyzePng(bomb, { maxCompressedSize: 1 << 16 }), rejects('limit', /image data is over 65536 bytes/));
});

test('png: wrong signatures and broken chunk structure', () => {
  const good = encodePng({ width: 1, height: 1, colorType: 6, pixels: new Uint8Array(4) });
  for (const bytes of [
    new Uint8Array(0),
    Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]),
    new Uint8Array(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')),
    good.subarray(1),
  ]) {
    assert.equal(isPng(bytes), false);
    assert.throws(
      () => analyzePng(bytes, {}, 'res/a.png'),
      (e: unknown) => rejects('image-corrupt', /bad signature/)(e) && (e as ApkFormatError).entry === 'res/a.png',
    );
  }
  assert.throws(
    () => analyzePng(concatBytes([PNG_SIGNATURE, pngChunk('IDAT', [1])])),
    rejects('image-corrupt', /first chunk is IDAT, not IHDR/),
  );
  const wrongIhdr = concatBytes([PNG_SIGNATURE, pngChunk('IHDR', new Uint8Array(12))]);
  assert.throws(() => analyzePng(wrongIhdr), rejects('image-corrupt', /IHDR chunk of 12 bytes/));
  const badType = Uint8Array.from(good);
  badType[33 + 4] = 0x20;
  assert.throws(() => analyzePng(badType), rejects('image-corrupt', /invalid type/));
  const lying = Uint8Array.from(good);
  new DataView(lying.buffer).setUint32(33, 0xfffffff0);
  assert.throws(() => analyzePng(lying), rejects('image-corrupt', /runs past the end/));
  assert.throws(
    () => analyzePng(concatBytes([PNG_SIGNATURE, ihdr(1, 1, 3, 6)])),
    rejects('image-corrupt', /invalid colour type 6 with bit depth 3/),
  );
  assert.throws(() => analyzePng(concatBytes([PNG_SIGNATURE, ihdr(1, 1, 8, 6, 2)])), rejects('image-corrupt', /interlace 2/));
  assert.throws(
    () => analyzePng(concatBytes([PNG_SIGNATURE, ihdr(1, 1, 8, 6), pngChunk('PLTE', [1, 2])])),
    rejects('image-corrupt', /PLTE chunk of 2 bytes/),
  );
});

test('png: absurd dimensions are refused before anything is allocated', () => {
  for (const [w, h] of [
    [0, 1],
    [1, 0],
    [0x80000000, 1],
  ] as const) {
    assert.throws(() => analyzePng(concatBytes([PNG_SIGNATURE, ihdr(w, h, 8, 6)])), rejects('image-corrupt', /invalid size/));
  }
  const huge = concatBytes([PNG_SIGNATURE, ihdr(100_000, 100_000, 8, 6), pngChunk('IDAT', deflateSync(Buffer.alloc(16)))]);
  assert.throws(() => analyzePng(huge), rejects('limit', /100000×100000 is over the limit of 4096/));
  // Within the side limit but 16-bit RGBA: 128 MiB of scanlines.
  const deep = concatBytes([PNG_SIGNATURE, ihdr(4096, 4096, 16, 6), pngChunk('IDAT', deflateSync(Buffer.alloc(16)))]);
  assert.throws(() => analyzePng(deep), rejects('limit', /needs 134221824 bytes/));
  const many = concatBytes([PNG_SIGNATURE, ihdr(1, 1, 8, 6), ...Array.from({ length: 20 }, () => pngChunk('tEXt'))]);
  assert.throws(() => analyzePng(many, { maxChunks: 10 }), rejects('limit', /more than 10 chunks/));
});

test('png: the launcher icons of the real APKs decode and are visible', () => {
  const seen: Record<string, PngAnalysis> = {};
  for (const [name, path] of Object.entries(realApks)) {
    const analysis = analyzePackage(path);
    try {
      if (!analysis.icon) continue;
      const bytes = analysis.archive.read(analysis.icon);
      if (!isPng(bytes)) continue;
      const result = analyzePng(bytes, {}, analysis.icon);
      assert.equal(result.decoded, true, name);
      if (!result.decoded) continue;
      assert.ok(result.transparentRatio < 0.95 && result.meanAlpha >= 13, `${name}: ${JSON.stringify(result)}`);
      seen[name] = result;
    } finally {
      analysis.close();
    }
  }
  // Values from an independent decode (Python's zlib with a hand-written unfilter), not from this reader.
  assert.deepEqual(Object.keys(seen).sort(), ['apiDemos', 'settings']);
  assert.deepEqual(round(seen.apiDemos!), {
    width: 96,
    height: 96,
    bitDepth: 8,
    colorType: 6,
    interlaced: false,
    decoded: true,
    hasAlpha: true,
    transparentRatio: APIDEMOS.transparentRatio,
    meanAlpha: APIDEMOS.meanAlpha,
    visibleBoundingBox: APIDEMOS.box,
  });
  assert.deepEqual(round(seen.settings!), {
    width: 192,
    height: 192,
    bitDepth: 8,
    colorType: 6,
    interlaced: false,
    decoded: true,
    hasAlpha: true,
    transparentRatio: SETTINGS.transparentRatio,
    meanAlpha: SETTINGS.meanAlpha,
    visibleBoundingBox: SETTINGS.box,
  });
});

function round(result: PngAnalysis): PngAnalysis {
  if (!result.decoded) return result;
  return { ...result, transparentRatio: Number(result.transparentRatio.toFixed(6)), meanAlpha: Number(result.meanAlpha.toFixed(4)) };
}

const APIDEMOS = { transparentRatio: 0.392904, meanAlpha: 148.8502, box: { x: 5, y: 14, width: 85, height: 71 } };
const SETTINGS = { transparentRatio: 0.33195, meanAlpha: 165.8234, box: { x: 0, y: 0, width: 192, height: 192 } };
