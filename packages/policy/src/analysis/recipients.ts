import type { PolicyDocument } from '../document/types.js';
import { companyNames } from './facts.js';
import type { Lexicon } from './lexicon.js';
import { tokenize } from './segment.js';
import type { Structure } from './structure.js';
import type { Recipient } from './types.js';

/** Finds SDK names of the catalogue in a text (injected so this module stays free of the catalogue). */
export type SdkNameFinder = (text: string) => { sdk: string; start: number; end: number }[];

const termPatterns = new WeakMap<Lexicon, RegExp>();
/** The operator naming itself is never a recipient. */
const SELF = /^(?:我们|我司|本公司|我公司|我行|本行|本平台|本应用|us|ourselves)$/iu;
/** The operator's possessive before a party ("我们的关联公司", "our payment processor"): the party is what follows. */
const POSSESSIVE = /^(?:我们的|我司的|本公司的|我公司的|我行的|本行的|our\s+)/iu;
/** Words before a party that is being protected, not receiving (保护您、其他用户或公众的安全, protect the rights of). */
const PROTECTED = /(?:保护|维护|保障|避免|防止|损害)[^，。；]{0,10}$|\bprotect(?:s|ing)?\b[^.;,]{0,30}$/iu;
/** One-character conjunctions the segmenter may glue to the word after them. */
const CONJUNCTION = /^[及和与或、]$/u;
/** Heads of data words: a party head right before one is part of the data word (个人信息, 用户数据, personal data). */
const DATA_AFTER = /^(?:信息|数据|资料|隐私|身份|敏感|data|info)/iu;
/** A platform word naming a feature, not the company: 微信分享, 微信登录, QQ账号. */
const FEATURE_AFTER = /^(?:分享|登录|登陆|授权登录|支付|账号|帐号|号|好友|朋友圈|小程序|login|sign-in|pay)/iu;

const bracketPatterns = new WeakMap<Lexicon, RegExp>();

/** A generic party word followed by names, in brackets (group 1) or after 包括： (group 2). */
function namedInBrackets(lexicon: Lexicon): RegExp {
  let pattern = bracketPatterns.get(lexicon);
  if (!pattern) {
    const words = [...lexicon.genericRecipients.values()].sort((a, b) => b.length - a.length);
    const body = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('|');
    pattern = new RegExp(`(?:${body})(?:\\s*[（(]([^（）()\\n]{2,80})[）)]|(?:包括|包含|有)[:：]\\s*([^。；;\\n]{2,80}))`, 'giu');
    bracketPatterns.set(lexicon, pattern);
  }
  return pattern;
}

function recipientPattern(lexicon: Lexicon): RegExp {
  let pattern = termPatterns.get(lexicon);
  if (!pattern) {
    const words = [...lexicon.genericRecipients.values(), ...lexicon.platforms.values()].sort((a, b) => b.length - a.length);
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
    const body = escaped.join('|');
    pattern =
      lexicon.language === 'zh' ? new RegExp(`(?:${body})`, 'giu') : new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`, 'giu');
    termPatterns.set(lexicon, pattern);
  }
  return pattern;
}

/**
 * A party in another role is not a recipient: the source of the data (从第三方获取, from), a party being
 * protected (保护…公众的安全), a feature named after a platform (微信分享, 微信登录), the operator
 * naming itself (本公司, 我公司).
 */
function rolesOtherThanRecipient(
  text: string,
  sentence: { start: number; end: number },
  start: number,
  end: number,
  kind: Recipient['kind'],
  lexicon: Lexicon,
): boolean {
  const before = text.slice(Math.max(sentence.start, start - 12), start);
  const after = text.slice(end, Math.min(sentence.end, end + 3));
  if (lexicon.sourceRole.test(before)) return true;
  if (PROTECTED.test(before) && !lexicon.handOverVerbs.test(before)) return true;
  if (kind !== 'generic' && FEATURE_AFTER.test(after)) return true;
  // A catalogue name that is a feature ("微信分享", "QQ登录") names the SDK only as "…SDK".
  if (kind === 'sdk' && /(?:分享|登录|登陆|支付)$/u.test(text.slice(start, end)) && !/^\s*(?:SDK|sdk|插件|组件)/u.test(after)) return true;
  return /(?:本|我|我们|我方)$/u.test(before);
}

/**
 * Third parties that receive or collect data, in sentences that share, disclose or hand data over
 * (or in third-party sections): named companies, SDKs of the catalogue, platforms, and the generic
 * parties policies name (合作伙伴, 关联公司, service providers).
 */
export function findRecipients(document: PolicyDocument, structure: Structure, lexicon: Lexicon, sdkNames?: SdkNameFinder): Recipient[] {
  const { text } = document;
  const found: Recipient[] = [];
  for (const sentence of structure.sentences) {
    const section = structure.sections[sentence.section]!;
    const body = text.slice(sentence.start, sentence.end);
    // Generic party words count only where data is handed over; named parties also anywhere in a sharing section.
    const handOver = lexicon.handOverVerbs.test(body);
    if (!handOver && !section.kinds.includes('third-party')) continue;
    const candidates: Recipient[] = [];
    for (const c of companyNames(text, sentence.start, sentence.end, lexicon.language))
      candidates.push({ start: c.start, end: c.end, text: c.name, name: c.name, kind: 'company', section: sentence.section });
    for (const s of sdkNames?.(body) ?? []) {
      const start = sentence.start + s.start;
      const end = sentence.start + s.end;
      candidates.push({
        start,
        end,
        text: text.slice(start, end),
        name: text.slice(start, end),
        kind: 'sdk',
        sdk: s.sdk,
        section: sentence.section,
      });
    }
    const pattern = recipientPattern(lexicon);
    pattern.lastIndex = 0;
    for (let m = handOver ? pattern.exec(body) : null; m; m = pattern.exec(body)) {
      const start = sentence.start + m.index;
      const word = m[0];
      const platform = lexicon.platforms.has(word.toLowerCase()) && !lexicon.genericRecipients.has(word.toLowerCase());
      // A platform word inside a longer one is not a party (微信号 is an account, not WeChat).
      if (platform && lexicon.language === 'zh' && /^[号账帐支]/u.test(text[start + word.length] ?? '')) continue;
      candidates.push({
        start,
        end: start + word.length,
        text: word,
        name: word,
        kind: platform ? 'company' : 'generic',
        section: sentence.section,
      });
    }
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (rolesOtherThanRecipient(text, sentence, c.start, c.end, c.kind, lexicon)) candidates.splice(i, 1);
    }
    if (lexicon.language === 'zh' && candidates.some((c) => c.kind === 'generic' || c.kind === 'company')) {
      // A party word must be a word of the sentence: 个人 in 个人信息 is not a party.
      const bounds = new Set<number>();
      for (const t of tokenize(text, sentence.start, sentence.end, lexicon)) bounds.add(t.start).add(t.end);
      for (let i = candidates.length - 1; i >= 0; i--) {
        const c = candidates[i]!;
        // The segmenter glues a conjunction to the next word (及其|他用户): a start right after one counts as a boundary.
        const start = bounds.has(c.start) || (bounds.has(c.start - 1) && CONJUNCTION.test(text[c.start - 1] ?? ''));
        if (c.kind !== 'sdk' && !(start && bounds.has(c.end))) candidates.splice(i, 1);
      }
    }
    // Parties named in the recipient role ("向广告、分析服务类合作伙伴提供…", "share with our service providers")
    // that no word list holds, where data is handed over: the phrase replaces the party words inside it.
    if (handOver || lexicon.shareVerbs.test(body)) {
      for (const m of body.matchAll(lexicon.recipientPhrase)) {
        const whole = m[1]!;
        const own = POSSESSIVE.exec(whole)?.[0].length ?? 0;
        const phrase = whole.slice(own);
        const start = sentence.start + m.index + m[0].length - phrase.length;
        const end = start + phrase.length;
        if (phrase.length === 0 || SELF.test(phrase) || candidates.some((c) => c.kind !== 'generic' && c.start < end && start < c.end))
          continue;
        // A party head that is the start of a data word (个人 of 个人信息, 用户 of 用户数据) ends no party.
        if (DATA_AFTER.test(text.slice(end, end + 2))) continue;
        if (rolesOtherThanRecipient(text, sentence, start, end, 'generic', lexicon)) continue;
        for (let i = candidates.length - 1; i >= 0; i--)
          if (candidates[i]!.start >= start && candidates[i]!.end <= end) candidates.splice(i, 1);
        if (candidates.some((c) => c.start < end && start < c.end)) continue;
        candidates.push({
          start,
          end,
          text: phrase,
          name: phrase,
          kind: lexicon.organisationSuffix.test(phrase) ? 'company' : 'generic',
          section: sentence.section,
        });
      }
    }
    // Parties named in brackets after a party word ("第三方商家（甲商城，乙商城）", "终端设备制造商（华为、小米等）"):
    // each name is a party, in a sharing section or where data is handed over.
    if (handOver || section.kinds.includes('third-party')) {
      for (const m of body.matchAll(namedInBrackets(lexicon))) {
        const held = m[1] ?? m[2]!;
        let at = sentence.start + m.index + m[0].length - held.length - (m[1] === undefined ? 0 : 1);
        for (const part of held.split(/([，、,；;]|和|及|与|或)/u)) {
          const name = part.replace(/^\s*(?:如|例如|比如|包括|包含|诸如)?[:：]?\s*|\s*等\s*$/gu, '');
          const start = at + part.indexOf(name);
          at += part.length;
          if (name.length < 2 || name.length > 16 || /[，。；：:]/u.test(name) || lexicon.genericRecipients.has(name.toLowerCase()))
            continue;
          if (candidates.some((c) => c.start < start + name.length && start < c.end)) continue;
          candidates.push({ start, end: start + name.length, text: name, name, kind: 'company', section: sentence.section });
        }
      }
    }
    candidates.sort((a, b) => a.start - b.start || b.end - a.end);
    let lastEnd = -1;
    for (const c of candidates) {
      if (c.start < lastEnd) continue;
      lastEnd = c.end;
      found.push(c);
    }
  }
  return found;
}
