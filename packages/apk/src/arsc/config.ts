import type { ByteReader } from '../io/bytes.js';

/**
 * ResTable_config: the qualifiers of one type chunk (`values-zh-rCN`, `mipmap-xxhdpi-v4`, ...). Field
 * offsets follow the platform's ResourceTypes.h. The struct has grown over the years (28 bytes in the
 * earliest tables, 64 today); fields beyond the stored size read as 0, and bytes beyond what we know are
 * only reported through `unknownBytes`.
 */
export interface ResTableConfig {
  /** The size the file declared. */
  size: number;
  mcc: number;
  mnc: number;
  /** Lowercase ISO 639 code, 2 or 3 letters ('' when unset). Android keeps the old codes iw/in/ji. */
  language: string;
  /** ISO 3166 region (2 letters) or UN M.49 code (3 digits); '' when unset. */
  region: string;
  orientation: number;
  touchscreen: number;
  density: number;
  keyboard: number;
  navigation: number;
  inputFlags: number;
  grammaticalInflection: number;
  screenWidth: number;
  screenHeight: number;
  sdkVersion: number;
  minorVersion: number;
  screenLayout: number;
  uiMode: number;
  smallestScreenWidthDp: number;
  screenWidthDp: number;
  screenHeightDp: number;
  /** ISO 15924 script (e.g. 'Hant'), '' when unset. */
  script: string;
  variant: string;
  screenLayout2: number;
  colorMode: number;
  numberingSystem: string;
  /** Non-zero bytes past the fields we know (a newer aapt2 qualifier), or 0. */
  unknownBytes: number;
}

export const Density = {
  DEFAULT: 0,
  LOW: 120,
  MEDIUM: 160,
  TV: 213,
  HIGH: 240,
  XHIGH: 320,
  XXHIGH: 480,
  XXXHIGH: 640,
  ANY: 0xfffe,
  NONE: 0xffff,
} as const;

export const ORIENTATION_PORT = 1;
export const ORIENTATION_LAND = 2;
export const UI_MODE_TYPE_MASK = 0x0f;
export const UI_MODE_TYPE_NORMAL = 1;
export const UI_MODE_NIGHT_MASK = 0x30;
export const UI_MODE_NIGHT_NO = 0x10;
export const UI_MODE_NIGHT_YES = 0x20;
export const SCREENSIZE_MASK = 0x0f;
export const SCREENLONG_MASK = 0x30;
export const LAYOUTDIR_MASK = 0xc0;
export const LAYOUTDIR_RTL = 0x80;
export const SCREENROUND_MASK = 0x03;
export const WIDE_COLOR_MASK = 0x03;
export const HDR_MASK = 0x0c;
export const KEYSHIDDEN_MASK = 0x03;
export const NAVHIDDEN_MASK = 0x0c;

const KNOWN_CONFIG_SIZE = 64;

// Readers for a config clipped to `n` bytes: fields past the end read as zero. Module-level rather
// than closures because framework-res has thousands of configs.
function cu8(b: Uint8Array, o: number, n: number, at: number): number {
  return at < n ? b[o + at]! : 0;
}
function cu16(b: Uint8Array, o: number, n: number, at: number): number {
  return at + 2 <= n ? b[o + at]! | (b[o + at + 1]! << 8) : 0;
}
function cascii(b: Uint8Array, o: number, n: number, at: number, len: number): string {
  let s = '';
  for (let i = 0; i < len && at + i < n; i++) {
    const c = b[o + at + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Reads a config of `available` bytes at `offset` (`available` already clipped to the header). */
export function readConfig(r: ByteReader, offset: number, declaredSize: number, available: number): ResTableConfig {
  const n = Math.min(declaredSize, available);
  const b = r.bytes;
  const o = offset;
  let unknownBytes = 0;
  for (let i = KNOWN_CONFIG_SIZE; i < n; i++) if (b[o + i] !== 0) unknownBytes++;
  return {
    size: declaredSize,
    mcc: cu16(b, o, n, 4),
    mnc: cu16(b, o, n, 6),
    language: unpackCode(cu8(b, o, n, 8), cu8(b, o, n, 9), 0x61),
    region: unpackCode(cu8(b, o, n, 10), cu8(b, o, n, 11), 0x30),
    orientation: cu8(b, o, n, 12),
    touchscreen: cu8(b, o, n, 13),
    density: cu16(b, o, n, 14),
    keyboard: cu8(b, o, n, 16),
    navigation: cu8(b, o, n, 17),
    inputFlags: cu8(b, o, n, 18),
    grammaticalInflection: cu8(b, o, n, 19),
    screenWidth: cu16(b, o, n, 20),
    screenHeight: cu16(b, o, n, 22),
    sdkVersion: cu16(b, o, n, 24),
    minorVersion: cu16(b, o, n, 26),
    screenLayout: cu8(b, o, n, 28),
    uiMode: cu8(b, o, n, 29),
    smallestScreenWidthDp: cu16(b, o, n, 30),
    screenWidthDp: cu16(b, o, n, 32),
    screenHeightDp: cu16(b, o, n, 34),
    script: cascii(b, o, n, 36, 4),
    variant: cascii(b, o, n, 40, 8),
    screenLayout2: cu8(b, o, n, 48),
    colorMode: cu8(b, o, n, 49),
    // Byte 52 is the in-memory "script was computed" flag; the numbering system follows it.
    numberingSystem: cascii(b, o, n, 53, 8),
    unknownBytes,
  };
}

/**
 * Language and region are two bytes each: two ASCII characters, or, when the high bit of the first byte
 * is set, three 5-bit values packed as 1ttttt sssss fffff (first letter in the low bits of byte 1).
 * `base` is 'a' for languages and '0' for regions.
 */
export function unpackCode(b0: number, b1: number, base: number): string {
  if (b0 === 0) return '';
  if (b0 & 0x80) {
    const first = b1 & 0x1f;
    const second = ((b1 & 0xe0) >> 5) | ((b0 & 0x03) << 3);
    const third = (b0 & 0x7c) >> 2;
    return String.fromCharCode(first + base, second + base, third + base);
  }
  return b1 === 0 ? String.fromCharCode(b0) : String.fromCharCode(b0, b1);
}

/** The inverse of `unpackCode` (used by the test-side writer, kept here so both agree). */
export function packCode(code: string, base: number): [number, number] {
  if (code.length === 0) return [0, 0];
  if (code.length === 2) return [code.charCodeAt(0), code.charCodeAt(1)];
  const [f, s, t] = [code.charCodeAt(0) - base, code.charCodeAt(1) - base, code.charCodeAt(2) - base];
  return [0x80 | (t << 2) | (s >> 3), ((s & 0x07) << 5) | f];
}

/** A default (all-zero) config, handy for callers building requests. */
export function emptyConfig(): ResTableConfig {
  return {
    size: KNOWN_CONFIG_SIZE,
    mcc: 0,
    mnc: 0,
    language: '',
    region: '',
    orientation: 0,
    touchscreen: 0,
    density: 0,
    keyboard: 0,
    navigation: 0,
    inputFlags: 0,
    grammaticalInflection: 0,
    screenWidth: 0,
    screenHeight: 0,
    sdkVersion: 0,
    minorVersion: 0,
    screenLayout: 0,
    uiMode: 0,
    smallestScreenWidthDp: 0,
    screenWidthDp: 0,
    screenHeightDp: 0,
    script: '',
    variant: '',
    screenLayout2: 0,
    colorMode: 0,
    numberingSystem: '',
    unknownBytes: 0,
  };
}

/** The config's locale as a BCP 47 tag (`zh-CN`, `sr-Latn`, `zh-Hant-TW`), '' when it has none. */
export function configLocale(c: ResTableConfig): string {
  if (!c.language) return '';
  const parts = [c.language];
  if (c.script) parts.push(c.script);
  if (c.region) parts.push(c.region);
  if (c.variant) parts.push(c.variant);
  return parts.join('-');
}

function dirLocale(c: ResTableConfig): string {
  if (!c.language) return '';
  if (!c.script && !c.variant && !c.numberingSystem) return c.region ? `${c.language}-r${c.region}` : c.language;
  let s = `b+${c.language}`;
  if (c.script) s += `+${c.script}`;
  if (c.region) s += `+${c.region}`;
  if (c.variant) s += `+${c.variant}`;
  if (c.numberingSystem) s += `+u+nu+${c.numberingSystem}`;
  return s;
}

const DENSITY_NAMES: Record<number, string> = {
  120: 'ldpi',
  160: 'mdpi',
  213: 'tvdpi',
  240: 'hdpi',
  320: 'xhdpi',
  480: 'xxhdpi',
  640: 'xxxhdpi',
  0xfffe: 'anydpi',
  0xffff: 'nodpi',
};

const pick = (table: Record<number, string>, v: number) => table[v] ?? `${v}?`;

/**
 * The qualifier string as in resource directory names and `aapt dump resources` (`zh-rCN`,
 * `sw600dp-land`, `mdpi-v4`); '' for the default config.
 */
export function configQualifiers(c: ResTableConfig): string {
  const q: string[] = [];
  if (c.mcc) q.push(`mcc${c.mcc}`);
  if (c.mnc) q.push(`mnc${c.mnc}`);
  const locale = dirLocale(c);
  if (locale) q.push(locale);
  if (c.grammaticalInflection) q.push(pick({ 1: 'neuter', 2: 'feminine', 3: 'masculine' }, c.grammaticalInflection));
  if (c.screenLayout & LAYOUTDIR_MASK) q.push(pick({ 0x40: 'ldltr', 0x80: 'ldrtl' }, c.screenLayout & LAYOUTDIR_MASK));
  if (c.smallestScreenWidthDp) q.push(`sw${c.smallestScreenWidthDp}dp`);
  if (c.screenWidthDp) q.push(`w${c.screenWidthDp}dp`);
  if (c.screenHeightDp) q.push(`h${c.screenHeightDp}dp`);
  if (c.screenLayout & SCREENSIZE_MASK)
    q.push(pick({ 1: 'small', 2: 'normal', 3: 'large', 4: 'xlarge' }, c.screenLayout & SCREENSIZE_MASK));
  if (c.screenLayout & SCREENLONG_MASK) q.push(pick({ 0x10: 'notlong', 0x20: 'long' }, c.screenLayout & SCREENLONG_MASK));
  if (c.screenLayout2 & SCREENROUND_MASK) q.push(pick({ 1: 'notround', 2: 'round' }, c.screenLayout2 & SCREENROUND_MASK));
  if (c.colorMode & WIDE_COLOR_MASK) q.push(pick({ 1: 'nowidecg', 2: 'widecg' }, c.colorMode & WIDE_COLOR_MASK));
  if (c.colorMode & HDR_MASK) q.push(pick({ 4: 'lowdr', 8: 'highdr' }, c.colorMode & HDR_MASK));
  if (c.orientation) q.push(pick({ 1: 'port', 2: 'land', 3: 'square' }, c.orientation));
  if (c.uiMode & UI_MODE_TYPE_MASK) {
    const names = { 1: 'normal', 2: 'desk', 3: 'car', 4: 'television', 5: 'appliance', 6: 'watch', 7: 'vrheadset' };
    q.push(pick(names, c.uiMode & UI_MODE_TYPE_MASK));
  }
  if (c.uiMode & UI_MODE_NIGHT_MASK) q.push(pick({ 0x10: 'notnight', 0x20: 'night' }, c.uiMode & UI_MODE_NIGHT_MASK));
  if (c.density) q.push(DENSITY_NAMES[c.density] ?? `${c.density}dpi`);
  if (c.touchscreen) q.push(pick({ 1: 'notouch', 2: 'stylus', 3: 'finger' }, c.touchscreen));
  if (c.inputFlags & KEYSHIDDEN_MASK) q.push(pick({ 1: 'keysexposed', 2: 'keyshidden', 3: 'keyssoft' }, c.inputFlags & KEYSHIDDEN_MASK));
  if (c.keyboard) q.push(pick({ 1: 'nokeys', 2: 'qwerty', 3: '12key' }, c.keyboard));
  if (c.inputFlags & NAVHIDDEN_MASK) q.push(pick({ 4: 'navexposed', 8: 'navhidden' }, c.inputFlags & NAVHIDDEN_MASK));
  if (c.navigation) q.push(pick({ 1: 'nonav', 2: 'dpad', 3: 'trackball', 4: 'wheel' }, c.navigation));
  if (c.screenWidth || c.screenHeight) q.push(`${c.screenWidth}x${c.screenHeight}`);
  if (c.sdkVersion || c.minorVersion) q.push(c.minorVersion ? `v${c.sdkVersion}.${c.minorVersion}` : `v${c.sdkVersion}`);
  return q.join('-');
}
