/**
 * Finds the catalogue's SDKs where prose names them, the way privacy policies write them: product
 * names with or without "SDK" and brackets ("极光推送", "JPush", "腾讯Bugly", "微信开放平台SDK",
 * "高德定位SDK"), brands ("友盟+", "Umeng"), vendors ("北京锐讯灵通科技有限公司") and Java packages
 * ("com.umeng.analytics").
 *
 * The names are derived from the catalogue text (`name`, `vendor`, `packages`) by one general
 * procedure, plus the few `aliases` an entry records for names its text cannot yield. They are put
 * in one character trie when the catalogue is first used; a text is then scanned once, taking the
 * longest name at each position (a 100 000-character policy takes a few milliseconds).
 *
 * A name several SDKs share (a brand, a vendor, a package above their prefixes) gives one match per
 * SDK, each with `shared` > 1: such a mention says the policy speaks of the vendor or brand, not
 * which of its SDKs. Ordinary words are kept out: names made only of generic words ("推送", "统计",
 * "Analytics") are never derived; Latin names need word boundaries; two-character Chinese names must
 * not run on into another word ("个推" is not in "一个推荐"); dictionary-shaped Latin words
 * ("Branch", "Segment") must be capitalised as the catalogue writes them and not start an English
 * sentence, unless "SDK" follows.
 */
import { loadSdkCatalog, type SdkCatalog, type SdkEntry } from './sdks.js';

/** What a match was found by: an alias, a product name, a brand, a vendor name, or a Java package. */
export type SdkNameVia = 'alias' | 'name' | 'brand' | 'vendor' | 'package';

export interface SdkNameMatch {
  /** The catalogue id of an SDK the text names. */
  sdk: string;
  /** Offsets into the text (JavaScript string indices); a following "SDK" or "+" is included. */
  start: number;
  end: number;
  /** `text.slice(start, end)`. */
  text: string;
  via: SdkNameVia;
  /**
   * How many SDKs the same words stand for. 1: they name this SDK. More: a brand, vendor or package
   * family the SDKs share; each of them gets a match with the same span.
   */
  shared: number;
}

/** One name of the index, for review and tests. */
export interface SdkNameEntry {
  /** The normalised name (lower case, half-width, without spaces, hyphens and "+"). */
  key: string;
  sdks: readonly string[];
  via: SdkNameVia;
}

// ---------------------------------------------------------------------------------------------
// Normalisation: full-width ASCII to half-width, Latin to lower case; spaces, hyphens, "+" and
// middle dots dropped, so "友盟+ SDK", "友盟SDK" and "ＵＭＥＮＧ" meet "友盟sdk" and "umeng".

const SKIPPED = new Set([0x20, 0x09, 0xa0, 0x2d, 0x2b, 0xb7, 0x30fb, 0x2010, 0x2011, 0x2013, 0x200b, 0x200c, 0x200d, 0xfeff]);

/** A character folded for matching, or -1 when matching ignores it. */
function foldCase(code: number): number {
  if (code >= 0xff01 && code <= 0xff5e) code -= 0xfee0;
  else if (code === 0x3000) code = 0x20;
  return SKIPPED.has(code) ? -1 : code;
}

function fold(code: number): number {
  const c = foldCase(code);
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** The form names are compared in: `normalizeSdkName('友盟+ SDK') === '友盟sdk'`. */
export function normalizeSdkName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = fold(name.charCodeAt(i));
    if (c >= 0) out += String.fromCharCode(c);
  }
  return out;
}

/** Like normalizeSdkName but keeping the case, for names that must match as written. */
function compact(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = foldCase(name.charCodeAt(i));
    if (c >= 0) out += String.fromCharCode(c);
  }
  return out;
}

function isCjk(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

/** Latin letters, digits and `_`, also in full-width. */
function isWordCode(code: number): boolean {
  if (code >= 0xff01 && code <= 0xff5e) code -= 0xfee0;
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isWordAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && isWordCode(text.charCodeAt(i));
}

function countCjk(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isCjk(s.charCodeAt(i))) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Generic words: what names are made of besides the brand. A derived name must keep something
// else (two Chinese characters, or a Latin word of three letters outside this list).

const GENERIC_ZH = [
  // the kind of software
  ...(
    '软件开发工具包 开发工具包 工具包 开放平台 开放 平台 服务 基础组件库 组件库 基础库 公共库 支持库 结算库 组件 ' +
    '插件框架 插件 框架 内核 核心 基础 公共 通用 套件 控件 模块 系统 工具 '
  )
    .split(' ')
    .filter(Boolean),
  // what it does
  ...(
    '消息推送 推送服务 移动推送 云推送 推送 消息 通知 应用内消息 用户消息 统计分析 移动统计 移动分析 数据统计 ' +
    '统计 数据分析 用户行为分析 行为分析 分析 数据采集 增长分析 渠道统计 归因 数据 用户互动 用户 互动 会话录制 ' +
    '录制 深度链接 动态链接 链接 远程配置 配置 性能 定位服务 定位 地图 导航 搜索 位置 广告联盟 聚合广告 ' +
    '移动广告 广告 联盟 聚合 营销云 营销 变现 手机支付控件 手机支付 应用内支付 支付 结算 授权 收银台 一键登录 ' +
    '登录 账号 帐号 智能认证 号码认证 认证 本机号码 验证码 短信验证 验证 短信 社会化分享 分享 社交 在线客服 ' +
    '客服 即时通讯 即时通信 音视频通信 实时音视频 音视频 通信 通讯 直播 点播 短视频 播放器 播放 语音 视频 音频 ' +
    '实时 通话 云存储 对象存储 存储 文件 热修复 热更新 修复 更新 应用加固 加固 安全 风控 设备指纹 设备标识 ' +
    '设备 标识 指纹 反欺诈 反作弊 崩溃与异常监测 崩溃 异常 监测 应用性能监控 性能监控 错误监控 监控 缺陷反馈 ' +
    '反馈 机器学习 学习 识别 人脸 浏览服务 浏览 完整性 应用事件 事件 移动 应用 手机 旧版 新版 官方 客户端 ' +
    '助手 国际版 一键 号码 对象 在线 即时 数据上报 上报 报告 标准库 标准 '
  )
    .split(' ')
    .filter(Boolean),
].sort((a, b) => b.length - a.length);

const GENERIC_LATIN = new Set(
  (
    'sdk sdks api apis kit android ios for the and of by with incl including mobile app apps application analytics analysis ads ad ' +
    'advertising push notification notifications messaging message messages cloud service services sign in on login log account accounts ' +
    'pay payment payments map maps location locations navigation navi search share sharing social open platform core common base basement ' +
    'library libraries lib plugin plugins framework engine monitoring monitor performance crash crashes reporting report error errors ' +
    'tracking attribution statistics stats data user users realtime real-time rtc rtm im chat video audio live player storage object ' +
    'verification authentication auth captcha one-click quick risk control anti-fraud antifraud fraud device id identifier fingerprint hot ' +
    'fix hotfix update updates customer support mediation network exchange manager audience events event remote config dynamic links ' +
    'link in-app purchases purchase billing integrity engagement measurement session recording legacy discontinued new china number phone ' +
    'client sso apm iap rum ssp oss cos ui oaid ip trace logs machine learning security hardening packer union marketing speech voice deep ' +
    'linking extension module modules component components package version official free pro plus lite express connect browsing webview ' +
    'web service interactive standard edition global international stat hms lbs oauth opensdk anti real play services one max'
  ).split(' '),
);

/**
 * English words that name a product only next to their brand ("Tencent Shadow", "Bouncy Castle"):
 * never a brand or a name on their own.
 */
const COMMON_WORDS = new Set(
  (
    'beacon shadow tinker robust fusion castle buffers commons relic turbine agent center studio delivery feature reviews publisher ' +
    'provider processor native java sensors monetize prone express connect visual protocol digital volcano react eclipse bouncy cup ' +
    'block square functional bump telecom unicom hilt mobile academy foundation project team authors contributors group labs alliance ' +
    'annotations codec lang'
  ).split(' '),
);

/** Words dropped when combining a brand with the rest of a name ("Sign in with Google"). */
const STOP_WORDS = new Set(['for', 'and', 'of', 'the', 'with', 'in', 'by', 'on', 'to', 'a', 'an', '&']);

/** Latin product words a brand combines with ("Huawei Push", "Umeng Analytics"). */
const PRODUCT_LATIN = new Set(
  'push analytics ads ad location map maps navigation search pay payment login share sharing statistics im rtc player storage hotfix captcha verification performance crash crashlytics monitoring attribution'.split(
    ' ',
  ),
);

/** Prefixes a brand is never cut down to: "中国移动认证" keeps "中国移动". */
const NOT_A_BRAND = new Set(['中国', '手机', '移动', '应用', '开放', '网络', '科技', '国际']);

/** Product words a brand is combined with ("个推" + "推送"), and their short forms. */
const PRODUCT_WORDS: Readonly<Record<string, readonly string[]>> = {
  消息推送: ['推送'],
  移动推送: ['推送'],
  推送服务: ['推送'],
  云推送: ['推送'],
  推送: [],
  统计分析: ['统计'],
  移动统计: ['统计'],
  移动分析: ['统计', '分析'],
  数据统计: ['统计'],
  用户行为分析: ['统计'],
  统计: [],
  定位服务: ['定位'],
  定位: [],
  地图: [],
  导航: [],
  搜索: [],
  广告: [],
  广告联盟: ['广告'],
  聚合广告: ['广告'],
  移动广告: ['广告'],
  支付: [],
  登录: [],
  一键登录: ['登录'],
  认证: [],
  智能认证: ['认证'],
  号码认证: ['认证'],
  分享: [],
  社会化分享: ['分享'],
  客服: [],
  在线客服: ['客服'],
  即时通讯: ['IM'],
  即时通信: ['IM'],
  热修复: [],
  加固: [],
  应用加固: ['加固'],
  设备指纹: [],
  风控: [],
  性能监控: [],
  应用性能监控: ['性能监控'],
  云存储: [],
  对象存储: [],
  播放器: [],
  短信验证: [],
  验证码: [],
};

function latinTokens(s: string): string[] {
  return s.match(/[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*/g) ?? [];
}

/** GENERIC_ZH by first character, longest first. */
const GENERIC_ZH_BY_FIRST = new Map<string, string[]>();
for (const word of GENERIC_ZH) GENERIC_ZH_BY_FIRST.set(word[0]!, [...(GENERIC_ZH_BY_FIRST.get(word[0]!) ?? []), word]);

/** The Chinese characters of `s` left after removing generic words (greedy, longest first). */
function cjkRemainder(s: string): string {
  let out = '';
  let i = 0;
  outer: while (i < s.length) {
    if (isCjk(s.charCodeAt(i))) {
      for (const word of GENERIC_ZH_BY_FIRST.get(s[i]!) ?? []) {
        if (s.startsWith(word, i)) {
          i += word.length;
          continue outer;
        }
      }
      out += s[i];
    }
    i++;
  }
  return out;
}

/** A Latin word that can tell SDKs apart: 3+ characters, and not made only of generic words ("customer-service"). */
function isDistinctiveToken(token: string): boolean {
  const lower = token.toLowerCase();
  if (lower.replace(/[-'’]/g, '').length < 3 || GENERIC_LATIN.has(lower) || STOP_WORDS.has(lower)) return false;
  return lower.split(/[-'’]/).some((part) => !GENERIC_LATIN.has(part) && !STOP_WORDS.has(part));
}

/** A form keeps a distinctive part: two Chinese characters beyond the generic words, or a distinctive Latin word. */
function isDistinctive(form: string): boolean {
  if (cjkRemainder(form).length >= 2) return true;
  return latinTokens(form).some(isDistinctiveToken);
}

/** A word that can stand alone as a name or brand: distinctive, and not an English word of COMMON_WORDS. */
function canStandAlone(token: string): boolean {
  return isDistinctive(token) && !COMMON_WORDS.has(token.toLowerCase());
}

/** A word a brand combines with: distinctive, or a product word ("推送", "Push"). */
function combinesWithBrand(word: string): boolean {
  return isDistinctive(word) || Object.hasOwn(PRODUCT_WORDS, word) || PRODUCT_LATIN.has(word.toLowerCase());
}

/** Strips generic words from the end of a Chinese token: "个推消息推送" → "个推" + ["消息推送"]. */
function stripGenericSuffix(token: string): { core: string; removed: string[] } {
  let core = token;
  const removed: string[] = [];
  for (;;) {
    const word = GENERIC_ZH.find((w) => core.endsWith(w) && core.length > w.length);
    if (!word) break;
    const next = core.slice(0, -word.length);
    if (countCjk(next) + latinTokens(next).join('').length < 2 || NOT_A_BRAND.has(next) || !isDistinctive(next)) break;
    removed.unshift(word);
    core = next;
  }
  return { core, removed };
}

// ---------------------------------------------------------------------------------------------
// Deriving names from catalogue entries.

/** Lower rank wins when one name is derived for different SDKs in different ways. */
const RANK = { alias: 0, name: 1, combination: 2, alternative: 2, brand: 3, part: 4, vendor: 5 } as const;
type Rank = keyof typeof RANK;

interface Contribution {
  id: string;
  rank: Rank;
  /** The spelling it came from, compacted (case kept). */
  form: string;
}

/** Parenthetical remarks that are notes rather than other names. */
const NOTE = /^(?:含|包括|包含|即|原|旧|曾用名|现|incl\b|including\b|formerly\b|sold\b|now\b|previously\b|also\b)/i;
const NOTE_ANYWHERE = /内置|embedded|discontinued|legacy|bundled/i;

/** "谷歌移动广告 (AdMob)" → base "谷歌移动广告", alternatives ["AdMob"]. */
function splitParentheticals(name: string): { base: string; alternatives: string[] } {
  const alternatives: string[] = [];
  const base = name
    .replace(/[（(]([^（）()]*)[）)]/g, (_, inner: string) => {
      const text = inner.trim();
      if (text && !NOTE.test(text) && !NOTE_ANYWHERE.test(text)) for (const a of text.split(/\s*[/、,，;；]\s*/)) alternatives.push(a);
      return ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { base, alternatives: alternatives.map((a) => a.trim()).filter(Boolean) };
}

/** Drops "SDK", "API" and "for Android" words: what remains is what policies vary least. */
function stripSdkWords(name: string): string {
  return name
    .replace(/\bfor Android\b/gi, ' ')
    .replace(/(?<![A-Za-z])(?:SDK|SDKs|API)(?![A-Za-z])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

class NameBuilder {
  readonly keys = new Map<string, Contribution[]>();
  /** Chinese brands found so far ("腾讯", "百度"), for names that start with one ("腾讯优量汇"). */
  readonly brands = new Set<string>();

  add(form: string, id: string, rank: Rank): void {
    const trimmed = form.trim();
    // Aliases are chosen by hand; everything derived must keep a distinctive part.
    if (!trimmed || (rank !== 'alias' && !isDistinctive(trimmed))) return;
    const key = normalizeSdkName(trimmed);
    const cjk = countCjk(key);
    if (cjk < 2 && (cjk > 0 || key.length < 3)) return;
    if (/^[\d.]+$/.test(key)) return;
    const list = this.keys.get(key) ?? [];
    if (!list.some((c) => c.id === id && RANK[c.rank] <= RANK[rank])) list.push({ id, rank, form: compact(trimmed) });
    this.keys.set(key, list);
  }

  /**
   * A product name: the whole of it, its brand, the brand with each product word, and its other
   * distinctive words. Names split at "/" are names of their own; bracketed parts are the other
   * names a product goes by ("广点通", "AdMob"), except generic ones ("登录/分享/支付"), which only
   * combine with the brand ("微信登录").
   */
  addName(name: string, id: string, pass: 1 | 2): void {
    const { base, alternatives } = splitParentheticals(name);
    const mains = base.split(/\s*\/\s*/).filter(Boolean);
    let brand: string | null = null;
    mains.forEach((main, i) => {
      const found = this.addTokens(main, id, 'name', pass, i === 0);
      if (i === 0) brand = found;
    });
    for (const alternative of alternatives) {
      if (!isDistinctive(alternative)) {
        if (brand !== null && pass === 2) this.add(`${brand} ${stripSdkWords(alternative)}`, id, 'combination');
        continue;
      }
      // A lone word in brackets must be able to stand alone ("AdMob", not "feature" or "wxop").
      const single = !/\s/.test(alternative.trim());
      if (single && countCjk(alternative) === 0 && (!canStandAlone(alternative) || /^[a-z]+$/.test(alternative))) continue;
      this.addTokens(alternative, id, 'alternative', pass, false);
    }
  }

  private leadingBrand(token: string): string | null {
    let best: string | null = null;
    for (const b of this.brands) if (token.startsWith(b) && token.length > b.length && (!best || b.length > best.length)) best = b;
    return best;
  }

  /** Adds the names one run of words yields; returns its brand. */
  private addTokens(text: string, id: string, rank: 'name' | 'alternative', pass: 1 | 2, mayBrand: boolean): string | null {
    const tokens = stripSdkWords(text).split(' ').filter(Boolean);
    if (tokens.length === 0) return null;
    this.add(tokens.join(' '), id, rank);
    const first = tokens[0]!;
    const rest = tokens.slice(1).filter((t) => !STOP_WORDS.has(t.toLowerCase()));
    let brand: string | null = null;
    /** Generic words after the brand in the first word ("消息推送" of "个推消息推送"). */
    let product: string[] = [];
    if (countCjk(first) > 0) {
      const known = pass === 2 && !this.brands.has(first) ? this.leadingBrand(first) : null;
      if (known) {
        // "腾讯优量汇": a known brand, then a product name of its own.
        brand = known;
        const remainder = first.slice(known.length);
        if (isDistinctive(remainder)) {
          const split = stripGenericSuffix(remainder);
          this.add(split.core, id, rank);
          product = split.removed;
        } else {
          product = [remainder];
        }
      } else {
        const split = stripGenericSuffix(first);
        if (split.core !== first || rest.length > 0) brand = split.core;
        product = split.removed;
      }
      // "极光统计" of "极光统计 JAnalytics" is the Chinese name; "谷歌广告" of "谷歌广告 ID 客户端" only part of one.
      const englishName = rest.every((t) => countCjk(t) === 0 && isDistinctiveToken(t));
      if (brand !== null && brand !== first) this.add(first, id, englishName ? rank : 'combination');
    } else if (rest.length > 0) {
      brand = first;
    }
    if (brand !== null && !canStandAlone(brand)) brand = null;
    if (brand !== null && mayBrand) {
      if (pass === 1 && countCjk(brand) >= 2) this.brands.add(brand);
      this.add(brand, id, 'brand');
      for (const word of [...product, ...rest]) {
        if (!combinesWithBrand(word)) continue;
        this.add(`${brand} ${word}`, id, 'combination');
        for (const variant of PRODUCT_WORDS[word] ?? []) this.add(`${brand} ${variant}`, id, 'combination');
      }
    }
    // Other Latin words alone ("Bugly", "JAnalytics"), but not plain lower-case words ("parser");
    // Chinese ones there describe the product ("身份验证") and only count with the brand.
    for (const token of rest) if (canStandAlone(token) && countCjk(token) === 0 && !/^[a-z]+$/.test(token)) this.add(token, id, 'part');
    return brand;
  }

  /** A vendor: its legal names (with and without the bracketed part) and their cores ("和讯华谷"). */
  addVendor(vendor: string, id: string): void {
    for (const legal of vendor.split(/\s*[、;；]\s*|\s+\/\s+/)) {
      const { base, alternatives } = splitParentheticals(legal);
      this.add(legal, id, 'vendor');
      this.add(base, id, 'vendor');
      for (const name of [base, ...alternatives.filter((a) => !PLACE_ONLY.test(a))]) {
        if (name !== base) this.add(name, id, 'vendor');
        const core = vendorCore(name);
        if (core && canStandAlone(core) && normalizeSdkName(core) !== normalizeSdkName(legal)) this.add(core, id, 'vendor');
      }
    }
  }
}

const ZH_LEGAL = /(?:股份有限公司|有限责任公司|有限公司|股份公司|公司)$/;
const ZH_PLACES = '北京|上海|天津|重庆|深圳|广州|杭州|南京|武汉|成都|珠海|厦门|苏州|西安|合肥|长沙|广东|浙江|江苏|福建|香港';
const EN_PLACES = 'Beijing|Shanghai|Shenzhen|Guangzhou|Hangzhou|Guangdong|Zhuhai|Wuhan|Nanjing|Chengdu|Xiamen|Suzhou|Tianjin|Chongqing';
const ZH_PLACE = new RegExp(`^(?:${ZH_PLACES})[市省]?(?=[\\u4e00-\\u9fff]{2})`);
const EN_PLACE = new RegExp(`^(?:${EN_PLACES})\\s+`, 'i');
/** A bracketed place ("友盟同欣（北京）"), not another name. */
const PLACE_ONLY = new RegExp(`^(?:(?:${ZH_PLACES})[市省]?|${EN_PLACES}|China)$`, 'i');
const ZH_INDUSTRY = (
  '信息技术 网络技术 网络科技 信息科技 数据科技 科技发展 计算机系统 移动通信 移动软件 信息服务 软件服务 数字生活 世纪贸易 云计算 互联网 技术 科技 网络 ' +
  '信息 软件 数据 服务 通信 终端 计算 发展 贸易 广告 控股 集团 时代'
).split(' ');
const EN_LEGAL =
  /[,\s]*(?:co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|llc|l\.l\.c\.|gmbh|corporation|corp\.?|s\.r\.o\.?|sarl|s\.a\.?|pte\.?|plc|ag|b\.v\.?)$/i;
const EN_INDUSTRY = new Set(
  'information technology technologies network networks software science and computer systems system data internet digital development communication communications mobile cloud computing trading services service online netcom device devices life century'.split(
    ' ',
  ),
);

/** "深圳市和讯华谷信息技术有限公司" → "和讯华谷"; "Shenzhen Hexun Huagu Information Technology Co., Ltd." → "Hexun Huagu". */
function vendorCore(name: string): string | null {
  let s = name.replace(/[（(][^（）()]*[）)]/g, '').trim();
  if (countCjk(s) > 0) {
    s = s.replace(ZH_LEGAL, '').replace(ZH_PLACE, '');
    for (;;) {
      const word = ZH_INDUSTRY.find((w) => s.endsWith(w));
      if (!word || countCjk(s.slice(0, -word.length)) < 3) break;
      s = s.slice(0, -word.length);
    }
    return countCjk(s) >= 3 ? s : null;
  }
  for (let previous = ''; previous !== s;) {
    previous = s;
    s = s.replace(EN_LEGAL, '').trim();
  }
  s = s.replace(EN_PLACE, '');
  const words = s.split(/\s+/);
  while (words.length > 1 && EN_INDUSTRY.has(words[words.length - 1]!.toLowerCase())) words.pop();
  const core = words.join(' ');
  return core.replace(/\s/g, '').length >= 4 ? core : null;
}

// ---------------------------------------------------------------------------------------------
// The index.

interface NameKey {
  ids: readonly string[];
  via: SdkNameVia;
  /** The spelling Latin text must have (short acronyms "GDT", dictionary-shaped words "Branch"). */
  exact: string | null;
  /** Dictionary-shaped: not at the start of an English sentence, unless "SDK" follows. */
  word: boolean;
  /** Two Chinese characters: a following Chinese character must be a particle. */
  short: boolean;
  /** Ends in a Latin letter or digit, so the next character must not be one. */
  latinEnd: boolean;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  key?: NameKey;
}

interface PackageNode {
  next: Map<string, PackageNode>;
  /** SDKs claiming exactly this prefix. */
  ids: string[];
  /** SDKs claiming this prefix or one under it. */
  below: Set<string>;
}

const ACRONYM = /^[A-Z][A-Z0-9]{1,3}$/;
const WORD = /^[A-Z][a-z]+$/;
/** Characters allowed right after a two-character Chinese name ("个推等", "融云和…"). */
const PARTICLES = new Set([...'等和与及或']);
/** "一个推荐": a measure word after a numeral is not the start of a name. */
const MEASURE_WORDS = new Set([...'个只条家款种项位次']);
const NUMERALS = new Set([...'一二两三四五六七八九十百千几每这那哪某各该本多整半单']);
const PACKAGE_TOKEN = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+/g;

function viaOf(rank: Rank): SdkNameVia {
  return rank === 'alias' || rank === 'brand' || rank === 'vendor' ? rank : 'name';
}

export class SdkNameIndex {
  private readonly root: TrieNode = { next: new Map() };
  private readonly packages: PackageNode = { next: new Map(), ids: [], below: new Set() };
  private readonly entries: SdkNameEntry[] = [];

  constructor(catalog: readonly SdkEntry[]) {
    const builder = new NameBuilder();
    // Pass 1 learns the brands ("腾讯" from "腾讯 Bugly"), pass 2 splits names that start with one.
    for (const pass of [1, 2] as const) {
      for (const sdk of catalog) {
        for (const name of [sdk.name.zh, sdk.name.en]) builder.addName(name, sdk.id, pass);
      }
    }
    for (const sdk of catalog) {
      for (const vendor of new Set([sdk.vendor.zh, sdk.vendor.en])) builder.addVendor(vendor, sdk.id);
      for (const alias of sdk.aliases ?? []) builder.add(alias, sdk.id, 'alias');
      for (const prefix of sdk.packages) this.addPackage(prefix, sdk.id);
    }
    for (const [key, contributions] of builder.keys) {
      const best = contributions.reduce((min, c) => Math.min(min, RANK[c.rank]), Infinity);
      const winners = contributions.filter((c) => RANK[c.rank] === best);
      const ids = Object.freeze([...new Set(winners.map((c) => c.id))].sort());
      const forms = new Set(winners.map((c) => c.form));
      const form = forms.size === 1 ? [...forms][0]! : null;
      const exact = form !== null && (ACRONYM.test(form) || WORD.test(form)) ? form : null;
      const info: NameKey = {
        ids,
        via: viaOf(winners[0]!.rank),
        exact,
        word: exact !== null && WORD.test(exact),
        short: key.length === 2 && countCjk(key) === 2,
        latinEnd: isWordCode(key.charCodeAt(key.length - 1)),
      };
      this.insert(key, info);
      this.entries.push({ key, sdks: ids, via: info.via });
    }
    this.entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private insert(key: string, info: NameKey): void {
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let next = node.next.get(c);
      if (!next) node.next.set(c, (next = { next: new Map() }));
      node = next;
    }
    node.key = info;
  }

  private addPackage(prefix: string, id: string): void {
    let node = this.packages;
    for (const segment of prefix.split('.')) {
      let next = node.next.get(segment);
      if (!next) node.next.set(segment, (next = { next: new Map(), ids: [], below: new Set() }));
      next.below.add(id);
      node = next;
    }
    if (!node.ids.includes(id)) node.ids.push(id);
  }

  /** Every name of the index, sorted by key. */
  names(): readonly SdkNameEntry[] {
    return this.entries;
  }

  /** Every place `text` names a catalogue SDK, in text order (one match per SDK for shared names). */
  find(text: string): SdkNameMatch[] {
    const out: SdkNameMatch[] = [];
    const covered = this.findPackages(text, out);
    const codes = new Int32Array(text.length);
    const positions = new Int32Array(text.length);
    let length = 0;
    for (let i = 0; i < text.length; i++) {
      const c = fold(text.charCodeAt(i));
      if (c < 0) continue;
      codes[length] = c;
      positions[length++] = i;
    }
    // Names ending where the trie walk passed, longest last: reused for every position.
    const keys: NameKey[] = [];
    const ends: number[] = [];
    let cover = 0;
    let k = 0;
    while (k < length) {
      const start = positions[k]!;
      while (cover < covered.length && covered[cover]![1] <= start) cover++;
      const first = this.root.next.get(codes[k]!);
      // Nothing starts here; inside a package name; or inside a Latin word ("JPush" is not in "MyJPush").
      if (!first || (cover < covered.length && covered[cover]![0] <= start) || (isWordCode(codes[k]!) && isWordAt(text, start - 1))) {
        k++;
        continue;
      }
      let count = 0;
      let node: TrieNode | undefined = first;
      for (let j = k; node; node = ++j < length ? node.next.get(codes[j]!) : undefined) {
        if (node.key) {
          keys[count] = node.key;
          ends[count++] = j + 1;
        }
      }
      let matched = false;
      for (let c = count - 1; c >= 0 && !matched; c--) {
        const key = keys[c]!;
        const end = ends[c]!;
        const last = positions[end - 1]! + 1;
        if (!this.accept(text, key, start, last)) continue;
        const stop = qualifierEnd(text, last);
        if (cover < covered.length && covered[cover]![0] < stop) continue;
        const quoted = text.slice(start, stop);
        for (const sdk of key.ids) out.push({ sdk, start, end: stop, text: quoted, via: key.via, shared: key.ids.length });
        k = end;
        matched = true;
      }
      if (!matched) k++;
    }
    return out.sort((a, b) => a.start - b.start || (a.sdk < b.sdk ? -1 : a.sdk > b.sdk ? 1 : 0));
  }

  private accept(text: string, key: NameKey, start: number, end: number): boolean {
    if (key.latinEnd && isWordAt(text, end)) return false;
    if (key.exact !== null && compact(text.slice(start, end)) !== key.exact) {
      // "segment SDK" is the SDK whatever its case; a lower-case "segment" alone is a word.
      return key.word && qualifierEnd(text, end) > end && text[end] !== '+';
    }
    if (key.word && sentenceStart(text, start) && lowerCaseWordFollows(text, end) && !(qualifierEnd(text, end) > end)) return false;
    if (key.short) {
      const next = text.charCodeAt(end);
      if (isCjk(next) && !PARTICLES.has(text[end]!)) return false;
      if (MEASURE_WORDS.has(text[start]!) && NUMERALS.has(text[start - 1] ?? '')) return false;
    }
    return true;
  }

  /** Java package names: the longest catalogue prefix, or the SDKs under a partial one ("com.umeng"). */
  private findPackages(text: string, out: SdkNameMatch[]): [number, number][] {
    const covered: [number, number][] = [];
    for (const m of text.matchAll(PACKAGE_TOKEN)) {
      const start = m.index;
      // Not an e-mail address, URL path or the tail of a longer dotted name.
      if (start > 0 && /[\w.$@/:\\-]/.test(text[start - 1]!)) continue;
      const segments = m[0].split('.');
      let node = this.packages;
      let consumed = 0;
      let best: { ids: string[]; segments: number } | null = null;
      for (const segment of segments) {
        const next = node.next.get(segment);
        if (!next) break;
        node = next;
        consumed++;
        if (node.ids.length > 0) best = { ids: node.ids, segments: consumed };
      }
      const ids = best ? [...best.ids].sort() : consumed >= 2 ? [...node.below].sort() : [];
      if (ids.length === 0) continue;
      const length = segments.slice(0, best ? best.segments : consumed).join('.').length;
      for (const sdk of ids) {
        out.push({ sdk, start, end: start + length, text: text.slice(start, start + length), via: 'package', shared: ids.length });
      }
      covered.push([start, start + m[0].length]);
    }
    return covered;
  }

  /**
   * The SDK a name stands for (an SDK-table cell: "友盟+SDK", "腾讯Bugly", "com.umeng.analytics",
   * "北京锐讯灵通科技有限公司"), or null when it names none or several. Names of one SDK decide;
   * failing those, shared names (brand, vendor, package family) decide when they leave one SDK.
   */
  byName(name: string): string | null {
    const matches = this.find(name);
    const only = (list: SdkNameMatch[]): string | null => {
      const ids = new Set(list.map((m) => m.sdk));
      return ids.size === 1 ? [...ids][0]! : null;
    };
    const named = matches.filter((m) => m.shared === 1 && m.via !== 'vendor');
    if (named.length > 0) return only(named);
    const vendors = matches.filter((m) => m.shared === 1);
    if (vendors.length > 0) return only(vendors);
    const spans = new Map<number, Set<string>>();
    for (const m of matches) spans.set(m.start, (spans.get(m.start) ?? new Set<string>()).add(m.sdk));
    let common: string[] | null = null;
    for (const set of spans.values()) common = common === null ? [...set] : common.filter((id) => set.has(id));
    return common !== null && common.length === 1 ? common[0]! : null;
  }
}

/** Where a name ends once a following "+" and "SDK" are taken in ("友盟+ SDK"). */
function qualifierEnd(text: string, end: number): number {
  let i = end;
  while (text[i] === '+' || text[i] === '＋') i++;
  let j = i;
  while (text[j] === ' ' || text[j] === '\u3000' || text[j] === '\u00a0') j++;
  if (
    (text[j] === 'S' || text[j] === 's') &&
    (text[j + 1] === 'D' || text[j + 1] === 'd') &&
    (text[j + 2] === 'K' || text[j + 2] === 'k') &&
    !/[A-Za-z]/.test(text[j + 3] ?? '')
  ) {
    return j + 3;
  }
  return i;
}

/** Whether `start` begins an English sentence (text start, a new line, or after . ! ? :). */
function sentenceStart(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '"' || text[i] === '“' || text[i] === '(')) i--;
  return i < 0 || /[\n\r.!?:;•*]/.test(text[i]!);
}

function lowerCaseWordFollows(text: string, end: number): boolean {
  let i = end;
  while (text[i] === ' ') i++;
  return i > end && /[a-z]/.test(text[i] ?? '');
}

const indexes = new WeakMap<object, SdkNameIndex>();

/** The name index of a catalogue (default: the package's), built on first use and kept. */
export function sdkNameIndex(catalog: SdkCatalog | readonly SdkEntry[] = loadSdkCatalog()): SdkNameIndex {
  let index = indexes.get(catalog);
  if (!index) {
    const entries = Array.isArray(catalog) ? (catalog as readonly SdkEntry[]) : (catalog as SdkCatalog).entries;
    indexes.set(catalog, (index = new SdkNameIndex(entries)));
  }
  return index;
}

/** Every place `text` names an SDK of the catalogue (default: the package's), in text order. */
export function findSdkNames(text: string, catalog?: SdkCatalog | readonly SdkEntry[]): SdkNameMatch[] {
  return sdkNameIndex(catalog).find(text);
}

/** The catalogue id a name stands for ("友盟+SDK", "JPush", "com.umeng.analytics"), or null. */
export function sdkByName(name: string, catalog?: SdkCatalog | readonly SdkEntry[]): string | null {
  return sdkNameIndex(catalog).byName(name);
}
