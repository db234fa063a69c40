/**
 * Writes PNG files for the tests and the fuzz seeds: any colour type and bit depth, a chosen filter per
 * row, Adam7 interlacing (8- and 16-bit only), stored or compressed data, extra chunks, a lying CRC.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface PngSpec {
  width: number;
  height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  bitDepth?: number;
  /** Unfiltered rows, packed as the format stores them (sub-byte samples big-endian first), no filter bytes. */
  pixels: Uint8Array;
  /** Filter type per row of each pass (0–4); a number for every row. */
  filter?: number | ((row: number) => number);
  interlace?: boolean;
  palette?: [number, number, number][];
  trns?: Uint8Array | number[];
  /** Deflate level; 0 stores the rows, so a mutated byte lands on a filter byte or a sample. */
  level?: number;
  /** Chunks placed before IDAT. */
  before?: Uint8Array[];
  /** Raw IDAT payload instead of the compressed rows. */
  idat?: Uint8Array;
  /** IDAT payload split into this many chunks. */
  idatChunks?: number;
  omitIend?: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function pngChunk(type: string, data: Uint8Array | number[] = [], options: { badCrc?: boolean } = {}): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  const crc = crc32(out.subarray(4, 8 + data.length)) >>> 0;
  view.setUint32(8 + data.length, options.badCrc ? crc ^ 1 : crc);
  return out;
}

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return pngChunk('IHDR', data);
}

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** The forward filter: what an encoder writes so that the decoder's unfilter gives `row` back. */
function filterRow(type: number, row: Uint8Array, previous: Uint8Array | undefined, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const left = i >= bpp ? row[i - bpp]! : 0;
    const up = previous ? previous[i]! : 0;
    const upLeft = i >= bpp && previous ? previous[i - bpp]! : 0;
    let predictor = 0;
    if (type === 1) predictor = left;
    else if (type === 2) predictor = up;
    else if (type === 3) predictor = (left + up) >> 1;
    else if (type === 4) {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    out[i] = (row[i]! - predictor) & 0xff;
  }
  return out;
}

/** The filtered scanlines, filter byte first, pass after pass when interlaced. */
export function scanlines(spec: PngSpec): Uint8Array {
  const depth = spec.bitDepth ?? 8;
  const bitsPerPixel = CHANNELS[spec.colorType]! * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rowBytes = Math.ceil((spec.width * bitsPerPixel) / 8);
  const filterOf = (row: number) => (typeof spec.filter === 'function' ? spec.filter(row) : (spec.filter ?? 0));
  const rows: Uint8Array[][] = [];
  if (!spec.interlace) {
    rows.push(Array.from({ length: spec.height }, (_, y) => spec.pixels.subarray(y * rowBytes, (y + 1) * rowBytes)));
  } else {
    if (bitsPerPixel % 8 !== 0) throw new Error('the builder interlaces 8- and 16-bit images only');
    for (const [x0, y0, dx, dy] of ADAM7) {
      const pass: Uint8Array[] = [];
      for (let y = y0; y < spec.height; y += dy) {
        const row: number[] = [];
        for (let x = x0; x < spec.width; x += dx) row.push(...spec.pixels.subarray(y * rowBytes + x * bpp, y * rowBytes + (x + 1) * bpp));
        if (row.length > 0) pass.push(Uint8Array.from(row));
      }
      rows.push(pass);
    }
  }
  const out: Uint8Array[] = [];
  for (const pass of rows) {
    pass.forEach((row, y) => {
      const type = filterOf(y);
      out.push(Uint8Array.of(type), filterRow(type, row, y > 0 ? pass[y - 1] : undefined, bpp));
    });
  }
  return concatBytes(out);
}

export function encodePng(spec: PngSpec): Uint8Array {
  const depth = spec.bitDepth ?? 8;
  const parts = [PNG_SIGNATURE, ihdr(spec.width, spec.height, depth, spec.colorType, spec.interlace ? 1 : 0), ...(spec.before ?? [])];
  if (spec.palette) parts.push(pngChunk('PLTE', spec.palette.flat()));
  if (spec.trns) parts.push(pngChunk('tRNS', [...spec.trns]));
  const idat = spec.idat ?? deflateSync(scanlines(spec), { level: spec.level ?? 6 });
  const pieces = Math.max(1, spec.idatChunks ?? 1);
  const size = Math.ceil(idat.length / pieces);
  for (let i = 0; i < pieces; i++) parts.push(pngChunk('IDAT', idat.subarray(i * size, (i + 1) * size)));
  if (!spec.omitIend) parts.push(pngChunk('IEND'));
  return concatBytes(parts);
}

/** 8-bit RGBA pixels from a function of the position. */
export function rgba(width: number, height: number, at: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.set(at(x, y), (y * width + x) * 4);
  return out;
}

/** Adler-32 (zlib's trailer), for fuzz fixups that edit a stored stream. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Chunks of a PNG as [offset, length, type], stopping at the first that does not fit. */
export function listPngChunks(bytes: Uint8Array): [number, number, string][] {
  const out: [number, number, string][] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    if (length > bytes.length - at - 12) break;
    out.push([at, length, Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1')]);
    at += 12 + length;
  }
  return out;
}
