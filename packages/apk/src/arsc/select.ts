import {
  Density,
  HDR_MASK,
  KEYSHIDDEN_MASK,
  LAYOUTDIR_MASK,
  LAYOUTDIR_RTL,
  NAVHIDDEN_MASK,
  ORIENTATION_LAND,
  ORIENTATION_PORT,
  SCREENLONG_MASK,
  SCREENROUND_MASK,
  SCREENSIZE_MASK,
  UI_MODE_NIGHT_MASK,
  UI_MODE_NIGHT_NO,
  UI_MODE_NIGHT_YES,
  UI_MODE_TYPE_MASK,
  UI_MODE_TYPE_NORMAL,
  WIDE_COLOR_MASK,
  emptyConfig,
  type ResTableConfig,
} from './config.js';

/**
 * Picking the value a device would see. This follows the platform's two steps (drop the configs that
 * contradict the device, then keep the "better" of each remaining pair, qualifier by qualifier in the
 * platform's precedence order) for the cases an audit meets: locales (with script matching, so zh-TW
 * and zh-HK get Traditional and never the Simplified `zh` / `zh-rCN` strings), density buckets, SDK
 * version, night mode, orientation and screen sizes of a typical phone. CLDR's full region parent
 * tables are not reproduced; ties between unrelated regions fall back to file order.
 */

/** The device we resolve for. Anything left out is a typical portrait phone with no SIM. */
export interface ResolveOptions {
  /** BCP 47 or Android style: `zh-CN`, `zh_TW`, `zh-rHK`, `b+zh+Hant`, `zh-Hant-TW`, `en`. Omit for no locale. */
  locale?: string;
  /** dpi; 0 or omitted means mdpi (160) as on the platform. 0xffff asks for the highest bucket present. */
  density?: number;
  /** API level of the device; omitted means no limit (every `-vNN` config applies). */
  sdkVersion?: number;
  night?: boolean;
  orientation?: 'port' | 'land';
  /** UI mode type: 1 normal (default), 2 desk, 3 car, 4 television, 5 appliance, 6 watch. */
  uiModeType?: number;
  smallestScreenWidthDp?: number;
  screenWidthDp?: number;
  screenHeightDp?: number;
  /** Mobile country / network code of the SIM, to let `mccNNN` configs apply. */
  mcc?: number;
  mnc?: number;
}

export interface ParsedLocale {
  language: string;
  script: string;
  region: string;
  variant: string;
}

/** Parses `zh-CN`, `zh_CN`, `zh-rCN`, `b+zh+Hant+TW`, `zh-Hant-HK` (case-insensitive). */
export function parseLocale(tag: string | undefined): ParsedLocale {
  const out: ParsedLocale = { language: '', script: '', region: '', variant: '' };
  if (!tag) return out;
  const bcp = tag.startsWith('b+');
  const parts = (bcp ? tag.slice(2).split('+') : tag.split(/[-_]/)).filter((p) => p.length > 0);
  if (parts.length === 0) return out;
  out.language = parts[0]!.toLowerCase();
  for (const part of parts.slice(1)) {
    if (/^[A-Za-z]{4}$/.test(part) && !out.script && !out.region) {
      out.script = part[0]!.toUpperCase() + part.slice(1).toLowerCase();
    } else if (/^([A-Za-z]{2}|[0-9]{3})$/.test(part) && !out.region) {
      out.region = part.toUpperCase();
    } else if (!bcp && /^r[A-Za-z]{2}$/.test(part) && !out.region) {
      out.region = part.slice(1).toUpperCase();
    } else if (!out.variant) {
      out.variant = part.toLowerCase();
    }
  }
  return out;
}

/** Android keeps the withdrawn ISO 639 codes; treat both spellings as one language. */
const LANGUAGE_ALIASES: Record<string, string> = { he: 'iw', id: 'in', yi: 'ji', fil: 'tl' };
export function canonicalLanguage(language: string): string {
  return LANGUAGE_ALIASES[language] ?? language;
}

const PSEUDO_REGIONS = new Set(['XA', 'XB', 'XC']);

/**
 * The script a locale is written in when it does not say. Only the languages written in more than one
 * script need an answer; for every other language any stable token does, since only equality matters.
 */
export function likelyScript(language: string, region: string): string {
  // Pseudo-locales (en-XA accented, ar-XB bidi, en-XC) must never stand in for a real locale.
  if (PSEUDO_REGIONS.has(region)) return `~${region}`;
  switch (canonicalLanguage(language)) {
    case 'zh':
      return region === 'TW' || region === 'HK' || region === 'MO' ? 'Hant' : 'Hans';
    case 'sr':
      return 'Cyrl';
    case 'uz':
      return region === 'AF' ? 'Arab' : 'Latn';
    case 'pa':
      return region === 'PK' ? 'Arab' : 'Guru';
    case 'az':
      return region === 'IR' ? 'Arab' : 'Latn';
    case 'mn':
      return region === 'CN' ? 'Mong' : 'Cyrl';
    case 'ms':
      return region === 'CC' ? 'Arab' : 'Latn';
    default:
      return '*';
  }
}

const RTL_LANGUAGES = new Set(['ar', 'fa', 'iw', 'ur', 'ji', 'ps', 'sd', 'ug', 'dv', 'ckb', 'yi', 'he']);
/** English regions that use US conventions (they do not descend from en-001 in CLDR). */
const US_LIKE_REGIONS = new Set(['', 'US', 'AS', 'GU', 'MH', 'MP', 'PR', 'UM', 'VI']);
/** The region CLDR's likely subtags give a language (or language+script): the "representative" one. */
const REPRESENTATIVE: Record<string, string> = {
  en: 'US',
  'zh-Hans': 'CN',
  'zh-Hant': 'TW',
  pt: 'BR',
  es: 'ES',
  fr: 'FR',
  de: 'DE',
  ar: 'EG',
  sr: 'RS',
};

/** The request as a config plus the locale parts the matching needs. */
export interface Request {
  config: ResTableConfig;
  locale: ParsedLocale;
  script: string;
}

export function makeRequest(options: ResolveOptions = {}): Request {
  const locale = parseLocale(options.locale);
  const c = emptyConfig();
  c.language = canonicalLanguage(locale.language);
  c.region = locale.region;
  c.script = locale.script;
  c.variant = locale.variant;
  c.mcc = options.mcc ?? 0;
  c.mnc = options.mnc ?? 0;
  const land = options.orientation === 'land';
  c.orientation = land ? ORIENTATION_LAND : ORIENTATION_PORT;
  c.touchscreen = 3; // finger
  c.keyboard = 1; // nokeys
  c.navigation = 1; // nonav
  c.inputFlags = 0x03 | 0x08; // soft keyboard, navigation hidden
  c.density = options.density ?? 0;
  const rtl = RTL_LANGUAGES.has(c.language);
  c.screenLayout = 0x02 | 0x20 | (rtl ? LAYOUTDIR_RTL : 0x40); // normal, long, direction of the locale
  c.screenLayout2 = 0x01; // not round
  c.colorMode = 0x01 | 0x04; // no wide colour gamut, low dynamic range
  c.uiMode = (options.uiModeType ?? UI_MODE_TYPE_NORMAL) | (options.night ? UI_MODE_NIGHT_YES : UI_MODE_NIGHT_NO);
  const short = 411;
  const long = 914;
  c.smallestScreenWidthDp = options.smallestScreenWidthDp ?? short;
  c.screenWidthDp = options.screenWidthDp ?? (land ? long : short);
  c.screenHeightDp = options.screenHeightDp ?? (land ? short : long);
  c.sdkVersion = options.sdkVersion ?? 0xffff;
  return { config: c, locale, script: locale.language ? locale.script || likelyScript(c.language, c.region) : '' };
}

function configScript(c: ResTableConfig): string {
  return c.script || likelyScript(c.language, c.region);
}

/** False when the config contradicts the device, as the platform's `match` decides. */
export function configMatches(c: ResTableConfig, req: Request): boolean {
  const d = req.config;
  if (c.mcc && c.mcc !== d.mcc) return false;
  if (c.mnc && c.mnc !== d.mnc) return false;
  if (c.language) {
    if (!d.language || canonicalLanguage(c.language) !== d.language) return false;
    if (configScript(c) !== req.script) return false;
  }
  if (c.grammaticalInflection && c.grammaticalInflection !== d.grammaticalInflection) return false;
  const dir = c.screenLayout & LAYOUTDIR_MASK;
  if (dir && dir !== (d.screenLayout & LAYOUTDIR_MASK)) return false;
  if (c.smallestScreenWidthDp > d.smallestScreenWidthDp) return false;
  if (c.screenWidthDp > d.screenWidthDp || c.screenHeightDp > d.screenHeightDp) return false;
  if ((c.screenLayout & SCREENSIZE_MASK) > (d.screenLayout & SCREENSIZE_MASK)) return false;
  const long = c.screenLayout & SCREENLONG_MASK;
  if (long && long !== (d.screenLayout & SCREENLONG_MASK)) return false;
  const round = c.screenLayout2 & SCREENROUND_MASK;
  if (round && round !== (d.screenLayout2 & SCREENROUND_MASK)) return false;
  if (c.colorMode & WIDE_COLOR_MASK && (c.colorMode & WIDE_COLOR_MASK) !== (d.colorMode & WIDE_COLOR_MASK)) return false;
  if (c.colorMode & HDR_MASK && (c.colorMode & HDR_MASK) !== (d.colorMode & HDR_MASK)) return false;
  if (c.orientation && c.orientation !== d.orientation) return false;
  const type = c.uiMode & UI_MODE_TYPE_MASK;
  if (type && type !== (d.uiMode & UI_MODE_TYPE_MASK)) return false;
  const night = c.uiMode & UI_MODE_NIGHT_MASK;
  if (night && night !== (d.uiMode & UI_MODE_NIGHT_MASK)) return false;
  if (c.touchscreen && c.touchscreen !== d.touchscreen) return false;
  const keys = c.inputFlags & KEYSHIDDEN_MASK;
  // A "keys exposed" config also serves a soft keyboard, as on the platform.
  if (keys && keys !== (d.inputFlags & KEYSHIDDEN_MASK) && !(keys === 1 && (d.inputFlags & KEYSHIDDEN_MASK) === 3)) return false;
  if (c.keyboard && c.keyboard !== d.keyboard) return false;
  const nav = c.inputFlags & NAVHIDDEN_MASK;
  if (nav && nav !== (d.inputFlags & NAVHIDDEN_MASK)) return false;
  if (c.navigation && c.navigation !== d.navigation) return false;
  if ((c.screenWidth || c.screenHeight) && (d.screenWidth || d.screenHeight)) {
    if (c.screenWidth > d.screenWidth || c.screenHeight > d.screenHeight) return false;
  }
  if (c.sdkVersion > d.sdkVersion) return false;
  return true;
}

function regionRank(region: string, req: Request): number {
  const r = req.config;
  if (region === r.region) return 4;
  if (region === '') return 2;
  // en-AU, en-GB, en-IN ... descend from en-001 ("international English"), itself a child of en.
  if (region === '001' && r.language === 'en' && !US_LIKE_REGIONS.has(r.region)) return 3;
  const key = r.language === 'zh' ? `zh-${req.script}` : r.language;
  if (REPRESENTATIVE[key] === region) return 1.5;
  return 1;
}

/** Whether config `a` is the better locale match than `b` for the request (both already match). */
function localeBetter(a: ResTableConfig, b: ResTableConfig, req: Request): boolean {
  const r = req.config;
  if (!r.language) return false;
  if (!a.language && !b.language) return false;
  if (!a.language || !b.language) {
    // The platform prefers language-less resources over other Englishes for US English, because
    // that is where apps keep their US strings.
    if (r.language === 'en' && US_LIKE_REGIONS.has(r.region)) {
      if (a.language) return US_LIKE_REGIONS.has(a.region);
      return !US_LIKE_REGIONS.has(b.region);
    }
    return a.language !== '';
  }
  const ra = regionRank(a.region, req);
  const rb = regionRank(b.region, req);
  if (ra !== rb) return ra > rb;
  if (a.variant !== b.variant) {
    if (a.variant === r.variant) return true;
    if (b.variant === r.variant) return false;
  }
  if (a.script !== b.script) {
    // An explicit script the request named beats one we had to infer.
    if (a.script === req.locale.script) return true;
    if (b.script === req.locale.script) return false;
  }
  return false;
}

function densityBetter(a: number, b: number, requested: number): boolean {
  const mine = a || Density.MEDIUM;
  const other = b || Density.MEDIUM;
  if (mine === Density.ANY) return true;
  if (other === Density.ANY) return false;
  const want = requested === 0 || requested === Density.ANY ? Density.MEDIUM : requested;
  let high = mine;
  let low = other;
  let mineBigger = true;
  if (low > high) {
    [high, low] = [low, high];
    mineBigger = false;
  }
  if (want >= high) return mineBigger;
  if (low >= want) return !mineBigger;
  // Between the two: scaling down counts as twice as good as scaling up.
  return (2 * low - want) * high > want * want ? !mineBigger : mineBigger;
}

/** True when `a` should be chosen over `b` for the request; both must already match it. */
export function configBetter(a: ResTableConfig, b: ResTableConfig, req: Request): boolean {
  const d = req.config;
  if (a.mcc !== b.mcc) return a.mcc !== 0;
  if (a.mnc !== b.mnc) return a.mnc !== 0;
  if (localeBetter(a, b, req)) return true;
  if (localeBetter(b, a, req)) return false;
  if (a.grammaticalInflection !== b.grammaticalInflection) return a.grammaticalInflection !== 0;
  if ((a.screenLayout & LAYOUTDIR_MASK) !== (b.screenLayout & LAYOUTDIR_MASK)) return (a.screenLayout & LAYOUTDIR_MASK) !== 0;
  if (a.smallestScreenWidthDp !== b.smallestScreenWidthDp) return a.smallestScreenWidthDp > b.smallestScreenWidthDp;
  if (a.screenWidthDp !== b.screenWidthDp) return a.screenWidthDp > b.screenWidthDp;
  if (a.screenHeightDp !== b.screenHeightDp) return a.screenHeightDp > b.screenHeightDp;
  if ((a.screenLayout & SCREENSIZE_MASK) !== (b.screenLayout & SCREENSIZE_MASK)) {
    return (a.screenLayout & SCREENSIZE_MASK) > (b.screenLayout & SCREENSIZE_MASK);
  }
  if ((a.screenLayout & SCREENLONG_MASK) !== (b.screenLayout & SCREENLONG_MASK)) return (a.screenLayout & SCREENLONG_MASK) !== 0;
  if ((a.screenLayout2 & SCREENROUND_MASK) !== (b.screenLayout2 & SCREENROUND_MASK)) return (a.screenLayout2 & SCREENROUND_MASK) !== 0;
  if ((a.colorMode & WIDE_COLOR_MASK) !== (b.colorMode & WIDE_COLOR_MASK)) return (a.colorMode & WIDE_COLOR_MASK) !== 0;
  if ((a.colorMode & HDR_MASK) !== (b.colorMode & HDR_MASK)) return (a.colorMode & HDR_MASK) !== 0;
  if (a.orientation !== b.orientation) return a.orientation !== 0;
  if ((a.uiMode & UI_MODE_TYPE_MASK) !== (b.uiMode & UI_MODE_TYPE_MASK)) return (a.uiMode & UI_MODE_TYPE_MASK) !== 0;
  if ((a.uiMode & UI_MODE_NIGHT_MASK) !== (b.uiMode & UI_MODE_NIGHT_MASK)) return (a.uiMode & UI_MODE_NIGHT_MASK) !== 0;
  if (a.density !== b.density) return densityBetter(a.density, b.density, d.density);
  if (a.touchscreen !== b.touchscreen) return a.touchscreen !== 0;
  if ((a.inputFlags & KEYSHIDDEN_MASK) !== (b.inputFlags & KEYSHIDDEN_MASK)) {
    const ka = a.inputFlags & KEYSHIDDEN_MASK;
    const kb = b.inputFlags & KEYSHIDDEN_MASK;
    if (ka === 0) return false;
    if (kb === 0) return true;
    return ka === (d.inputFlags & KEYSHIDDEN_MASK);
  }
  if (a.keyboard !== b.keyboard) return a.keyboard !== 0;
  if ((a.inputFlags & NAVHIDDEN_MASK) !== (b.inputFlags & NAVHIDDEN_MASK)) return (a.inputFlags & NAVHIDDEN_MASK) !== 0;
  if (a.navigation !== b.navigation) return a.navigation !== 0;
  if (a.screenWidth !== b.screenWidth) return a.screenWidth > b.screenWidth;
  if (a.screenHeight !== b.screenHeight) return a.screenHeight > b.screenHeight;
  if (a.sdkVersion !== b.sdkVersion) return a.sdkVersion > b.sdkVersion;
  if (a.minorVersion !== b.minorVersion) return a.minorVersion > b.minorVersion;
  return false;
}

/** Index of the best candidate for the request, or -1 when none matches. */
export function selectBest<T>(candidates: readonly T[], configOf: (c: T) => ResTableConfig, req: Request): number {
  let best = -1;
  for (let i = 0; i < candidates.length; i++) {
    const c = configOf(candidates[i]!);
    if (!configMatches(c, req)) continue;
    if (best < 0 || configBetter(c, configOf(candidates[best]!), req)) best = i;
  }
  return best;
}
