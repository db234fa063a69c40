import { inflateSync } from 'node:zlib';
import { ApkFormatError, guarded } from '../errors.js';

/**
 * Our own PNG reader, only as far as alpha goes: measure 3 of the notice bans transparent launcher
 * icons, and there is no dependency-free decoder we want in a library that treats every byte as hostile.
 * Alpha needs only a small part of PNG, under 250 lines of code: chunks, IHDR/PLTE/tRNS, one inflate
 * capped at the exact size the header implies (a zlib bomb stops there), the five scanline filters,
 * Adam7, and alpha statistics.
 *
 * CRCs are not checked: a damaged CRC says nothing about how the icon looks, and refusing the file would
 * only keep it away from the check. Structure is checked: lengths, the header, the inflated size.
 */

export interface PngLimits {
  /** Largest width and largest height. */
  maxDimension: number;
  /** Chunks walked before giving up (a file of empty chunks costs 12 bytes each). */
  maxChunks: number;
  /** Sum of the IDAT payloads. */
  maxCompressedSize: number;
  /** Inflated scanlines with their filter bytes; 4096×4096 RGBA at 8 bits fits, at 16 bits does not. */
  maxRawSize: number;
}

export const DEFAULT_PNG_LIMITS: PngLimits = {
  maxDimension: 4096,
  maxChunks: 65_536,
  maxCompressedSize: 8 * 1024 ** 2,
  maxRawSize: 68 * 1024 ** 2,
};

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

export interface PngAlphaStats {
  decoded: true;
  /** An alpha channel, or a tRNS chunk that applies. */
  hasAlpha: boolean;
  /** Share of pixels with alpha below 16 (of 255): what a launcher draws as nothing. */
  transparentRatio: number;
  /** Mean alpha on the 0–255 scale (16-bit samples by their high byte). */
  meanAlpha: number;
  /** The smallest rectangle holding every pixel with alpha 16 or more; null when there is none. */
  visibleBoundingBox: { x: number; y: number; width: number; height: number } | null;
}

/** Alpha statistics, or why the image was not decoded (a feature this reader does not cover). */
export type PngAnalysis = PngHeader & (PngAlphaStats | { decoded: false; reason: string });

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;
const VISIBLE = 16;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Reads a PNG's alpha. Throws ApkFormatError: `image-corrupt` for broken structure, `limit` past `limits`. */
export function analyzePng(bytes: Uint8Array, limits: Partial<PngLimits> = {}, entry?: string): PngAnalysis {
  return guarded('image-corrupt', 'PNG', () => analyze(bytes, { ...DEFAULT_PNG_LIMITS, ...limits }, entry), entry);
}

function analyze(bytes: Uint8Array, limits: PngLimits, entry: string | undefined): PngAnalysis {
  const fail = (message: string): never => {
    throw new ApkFormatError('image-corrupt', message, entry);
  };
  const over = (message: string): never => {
    throw new ApkFormatError('limit', message, entry);
  };
  if (!isPng(bytes)) fail('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let paletteSize = 0;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let idatSize = 0;
  let chunks = 0;
  // IEND adds nothing once the image data is complete, so a file that lacks it is read like any other.
  for (let at = 8; at < bytes.length;) {
    if (++chunks > limits.maxChunks) over(`more than ${limits.maxChunks} chunks`);
    if (bytes.length - at < 12) fail(`chunk header at ${at} is cut off`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`chunk at ${at} has an invalid type`);
    if (length > bytes.length - at - 12) fail(`${type} chunk at ${at} (${length} bytes) runs past the end of the file`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    at += 12 + length;
    if (!header) {
      if (type !== 'IHDR') fail(`first chunk is ${type}, not IHDR`);
      header = readHeader(data, limits, fail, over);
      continue;
    }
    if (type === 'IEND') break;
    if (type === 'IDAT') {
      idatSize += length;
      if (idatSize > limits.maxCompressedSize) over(`image data is over ${limits.maxCompressedSize} bytes`);
      idat.push(data);
    } else if (type === 'PLTE') {
      if (length % 3 !== 0 || length > 768) fail(`PLTE chunk of ${length} bytes`);
      paletteSize = length / 3;
    } else if (type === 'tRNS') {
      trns = data;
    } else if ((type.charCodeAt(0) & 0x20) === 0) {
      // An unknown critical chunk changes how the pixels must be read (Apple's CgBI, for one).
      return { ...header, decoded: false, reason: `unknown critical chunk ${type}` };
    }
  }
  if (!header) return fail('no IHDR chunk');
  if (idat.length === 0) fail('no image data (IDAT)');
  if (header.colorType === 3 && paletteSize === 0) fail('palette image without PLTE');

  const { width, height, bitDepth, colorType } = header;
  const bitsPerPixel = CHANNELS[colorType]! * bitDepth;
  const passes = (header.interlaced ? ADAM7 : [[0, 0, 1, 1] as const]).map(([x0, y0, dx, dy]) => {
    const w = Math.max(0, Math.ceil((width - x0) / dx));
    const h = Math.max(0, Math.ceil((height - y0) / dy));
    return { x0, y0, dx, dy, w, h, rowBytes: Math.ceil((w * bitsPerPixel) / 8) };
  });
  const rawSize = passes.reduce((n, p) => (p.w && p.h ? n + p.h * (1 + p.rowBytes) : n), 0);
  if (rawSize > limits.maxRawSize) over(`a ${width}×${height} image needs ${rawSize} bytes, over the limit of ${limits.maxRawSize}`);

  const tooMuch = () => fail(`image data inflates to more than the ${rawSize} bytes a ${width}×${height} image needs`);
  let raw: Uint8Array = new Uint8Array(0);
  try {
    // One byte over the need tells "too much" from "exact"; a bomb stops there instead of allocating.
    raw = inflateSync(Buffer.concat(idat, idatSize), { maxOutputLength: rawSize + 1 });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') tooMuch();
    fail(`image data does not inflate: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (raw.length > rawSize) tooMuch();
  if (raw.length < rawSize) fail(`image data inflates to ${raw.length} bytes, a ${width}×${height} image needs ${rawSize}`);

  const readAlpha = alphaReader(header, paletteSize, trns);
  const alpha = new Uint8Array(width);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let transparent = 0;
  let alphaSum = 0;
  let [minX, minY, maxX, maxY] = [width, height, -1, -1];
  let offset = 0;
  for (const pass of passes) {
    if (pass.w === 0 || pass.h === 0) continue;
    let previous = -1;
    for (let y = 0; y < pass.h; y++) {
      const start = offset + 1;
      if (!unfilter(raw, raw[offset]!, start, previous, pass.rowBytes, bpp)) fail(`row ${y} has filter type ${raw[offset]}`);
      readAlpha.read(raw, start, pass.w, alpha);
      const imageY = pass.y0 + y * pass.dy;
      for (let x = 0; x < pass.w; x++) {
        const a = alpha[x]!;
        alphaSum += a;
        if (a < VISIBLE) {
          transparent++;
          continue;
        }
        const imageX = pass.x0 + x * pass.dx;
        if (imageX < minX) minX = imageX;
        if (imageX > maxX) maxX = imageX;
        if (imageY < minY) minY = imageY;
        if (imageY > maxY) maxY = imageY;
      }
      previous = start;
      offset = start + pass.rowBytes;
    }
  }
  const pixels = width * height;
  return {
    ...header,
    decoded: true,
    hasAlpha: readAlpha.hasAlpha,
    transparentRatio: transparent / pixels,
    meanAlpha: alphaSum / pixels,
    visibleBoundingBox: maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 },
  };
}

function readHeader(data: Uint8Array, limits: PngLimits, fail: (m: string) => never, over: (m: string) => never): PngHeader {
  if (data.length !== 13) fail(`IHDR chunk of ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth, colorType, compression, filter, interlace] = [data[8]!, data[9]!, data[10]!, data[11]!, data[12]!];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) fail(`invalid size ${width}×${height}`);
  if (!DEPTHS[colorType]?.includes(bitDepth)) fail(`invalid colour type ${colorType} with bit depth ${bitDepth}`);
  if (compression !== 0 || filter !== 0 || interlace > 1)
    fail(`unknown compression ${compression}, filter ${filter} or interlace ${interlace}`);
  if (width > limits.maxDimension || height > limits.maxDimension) over(`${width}×${height} is over the limit of ${limits.maxDimension}`);
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

/** Undoes one row's filter in place; false for an unknown filter type. Uint8Array stores wrap modulo 256, as the filters need. */
function unfilter(d: Uint8Array, type: number, start: number, previous: number, length: number, bpp: number): boolean {
  if (type === 0) return true;
  if (type > 4) return false;
  for (let i = 0; i < length; i++) {
    const left = i >= bpp ? d[start + i - bpp]! : 0;
    const up = previous >= 0 ? d[previous + i]! : 0;
    if (type === 1) d[start + i] = d[start + i]! + left;
    else if (type === 2) d[start + i] = d[start + i]! + up;
    else if (type === 3) d[start + i] = d[start + i]! + ((left + up) >> 1);
    else {
      const upLeft = i >= bpp && previous >= 0 ? d[previous + i - bpp]! : 0;
      const pa = Math.abs(up - upLeft);
      const pb = Math.abs(left - upLeft);
      const pc = Math.abs(left + up - 2 * upLeft);
      d[start + i] = d[start + i]! + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
    }
  }
  return true;
}

/** One sample of a row of 1-, 2-, 4-, 8- or 16-bit samples. */
function sample(d: Uint8Array, start: number, index: number, depth: number): number {
  if (depth === 8) return d[start + index]!;
  if (depth === 16) return (d[start + 2 * index]! << 8) | d[start + 2 * index + 1]!;
  const bit = index * depth;
  return (d[start + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

interface AlphaReader {
  hasAlpha: boolean;
  read(d: Uint8Array, start: number, width: number, out: Uint8Array): void;
}

/** Alpha per pixel for each colour type. A tRNS chunk of the wrong size is ignored, as libpng does. */
function alphaReader({ colorType, bitDepth }: PngHeader, paletteSize: number, trns: Uint8Array | undefined): AlphaReader {
  if (colorType === 6 || colorType === 4) {
    const step = (CHANNELS[colorType]! * bitDepth) / 8;
    const at = step - bitDepth / 8;
    return {
      hasAlpha: true,
      read: (d, start, width, out) => {
        for (let x = 0; x < width; x++) out[x] = d[start + x * step + at]!;
      },
    };
  }
  if (colorType === 3) {
    // Indices past the palette show as opaque black in libpng; only their alpha matters here.
    const table = new Uint8Array(256).fill(255);
    const usable = trns !== undefined && trns.length > 0 && trns.length <= paletteSize;
    if (usable) table.set(trns);
    return {
      hasAlpha: usable,
      read: (d, start, width, out) => {
        for (let x = 0; x < width; x++) out[x] = table[sample(d, start, x, bitDepth)]!;
      },
    };
  }
  const keyLength = colorType === 0 ? 2 : 6;
  if (trns?.length !== keyLength) {
    return { hasAlpha: false, read: (_d, _start, width, out) => out.fill(255, 0, width) };
  }
  // The transparent colour, one 16-bit value per channel, compared at the image's bit depth.
  const key = Array.from({ length: keyLength / 2 }, (_, i) => (trns[2 * i]! << 8) | trns[2 * i + 1]!);
  const channels = key.length;
  return {
    hasAlpha: true,
    read: (d, start, width, out) => {
      for (let x = 0; x < width; x++) {
        let match = true;
        for (let c = 0; c < channels && match; c++) match = sample(d, start, x * channels + c, bitDepth) === key[c];
        out[x] = match ? 0 : 255;
      }
    },
  };
}
