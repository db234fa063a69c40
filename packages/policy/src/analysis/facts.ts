import type { PolicyDocument } from '../document/types.js';
import type { Lexicon } from './lexicon.js';
import type { Structure } from './structure.js';
import type { Contact, EffectiveDate, ListReference, Operator, PolicyLists, ResponseTime, SdkTableRow } from './types.js';

/** Company names as Chinese and English policies write them. */
const ZH_COMPANY = /[\u4e00-\u9fa5A-Za-z0-9（）()·]{2,40}?(?:股份有限公司|有限责任公司|有限公司|分公司)/gu;
const EN_COMPANY =
  /\b[A-Z][A-Za-z0-9&'.-]*(?:[ ,]+(?:[A-Z][A-Za-z0-9&'.-]*|&)){0,6}[ ,]+(?:Co\.,? Ltd\.?|Company Limited|Ltd\.?|Limited|Inc\.?|LLC|L\.L\.C\.|GmbH|Corporation|Corp\.|S\.A\.|B\.V\.|Pte\.? Ltd\.?|PLC)/gu;
/** Words that end the text before a company name inside a match (由北京某某有限公司 → 北京某某有限公司). */
const ZH_NAME_LEAD =
  /^.*(?:由|是|为|系|指|即|向|被|本|我们|运营方|开发者|经营者|提供者|运营者|主体|名称|称为|以下|简称|委托|包括|例如|提供给|给|至|将|：|:|“|「|\s)/u;

export interface CompanyName {
  start: number;
  end: number;
  name: string;
}

export function companyNames(text: string, from: number, to: number, language: 'zh' | 'en'): CompanyName[] {
  const body = text.slice(from, to);
  const found: CompanyName[] = [];
  const pattern = language === 'zh' ? ZH_COMPANY : EN_COMPANY;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    let name = m[0];
    let offset = m.index;
    if (language === 'zh') {
      const lead = ZH_NAME_LEAD.exec(name.slice(0, -2));
      if (lead) {
        offset += lead[0].length;
        name = name.slice(lead[0].length);
      }
      name = name.replace(/^[（(]+/u, '');
      if (name.length < 6) continue;
    } else if (/^(The|This|Our|We|Any|Such|Each)\s/u.test(name)) {
      const cut = name.indexOf(' ') + 1;
      offset += cut;
      name = name.slice(cut);
    }
    found.push({ start: from + offset, end: from + offset + name.length, name });
  }
  return found;
}

/**
 * The operator: the company the policy says provides or runs the service (由…提供, …（以下简称“我们”）,
 * "operated by"), else the company named in the contact section, else the company named most often.
 */
export function findOperator(document: PolicyDocument, structure: Structure, lexicon: Lexicon): Operator | null {
  const { text } = document;
  const companies = companyNames(text, 0, text.length, lexicon.language);
  if (companies.length === 0) return null;
  const weDefinition =
    lexicon.language === 'zh'
      ? /^[^。；\n]{0,12}(简称|下称|称)[^。；\n]{0,6}(“|")?(我们|我方|本公司|公司)/u
      : /^[^.;\n]{0,40}\(?["“]?(we|us|our)\b/iu;
  for (const c of companies) {
    const before = text.slice(Math.max(0, c.start - 40), c.start);
    if (weDefinition.test(text.slice(c.end, c.end + 40)) || lexicon.operatorCue.test(before))
      return { start: c.start, end: c.end, text: c.name, name: c.name };
  }
  const contactSections = new Set(structure.sections.flatMap((s, i) => (s.kinds.includes('contact') ? [i] : [])));
  for (const c of companies) {
    const section = structure.sections.findIndex((s) => s.start <= c.start && c.end <= s.end);
    if (contactSections.has(section)) return { start: c.start, end: c.end, text: c.name, name: c.name };
  }
  const counts = new Map<string, number>();
  for (const c of companies) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const first = companies.find((c) => c.name === best)!;
  return { start: first.start, end: first.end, text: first.name, name: first.name };
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,12}/gu;
const PHONE =
  /(?<![\d-])(?:\+?1[\s-])?\(?[2-9]\d{2}\)?[\s-]\d{3}[\s-]\d{4}(?![\d-])|(?<![\d-])(?:\+?86[\s-]?)?(?:400|800)[\s-]?\d{3}[\s-]?\d{3,4}(?![\d-])|(?<![\d-])0\d{2,3}[\s-]?\d{7,8}(?![\d-])|(?<![\d-])1[3-9]\d{9}(?!\d)|(?<![\d-])95\d{3,4}(?!\d)|(?<![\d-])\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}(?![\d-])/gu;
const PHONE_CUE = /电话|热线|客服|手机|联系|致电|拨打|phone|tel|call|hotline/iu;
const ZH_ADDRESS =
  /(?:通讯地址|通信地址|联系地址|注册地址|办公地址|公司地址|邮寄地址|地址)\s*(?:为|是|[：:])\s*[：:]?\s*([^\n。；;]{6,80}?)(?=[。；;\n]|[，,]?\s*(?:邮编|邮政编码|电话|联系电话|邮箱|$))/gu;
const EN_ADDRESS =
  /\b(?:postal address|mailing address|registered address|office address|address|write to us at(?: the following address)?)\s*(?:is)?\s*[:：]\s*([^\n]{8,200}?)(?=\.\s*(?:\n|$)|\.\s+[A-Z]|;|\n|$)/giu;
const FORM =
  /在线客服|人工客服|意见反馈|帮助与反馈|反馈与帮助|用户反馈|反馈入口|客服中心|帮助中心|举报入口|投诉入口|feedback form|contact form|online form|web form|in-app feedback|help center|help centre/giu;

/** E-mail addresses, phone numbers (with a phone word nearby), postal addresses, feedback forms, contact links. */
export function findContacts(document: PolicyDocument, structure: Structure, lexicon: Lexicon): Contact[] {
  const { text } = document;
  const contacts: Contact[] = [];
  const seen = new Set<string>();
  const add = (kind: Contact['kind'], start: number, end: number, value: string) => {
    const key = `${kind}:${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    contacts.push({ kind, start, end, text: text.slice(start, end), value });
  };
  for (const m of text.matchAll(EMAIL)) add('email', m.index, m.index + m[0].length, m[0].toLowerCase());
  for (const m of text.matchAll(PHONE)) {
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    if (!PHONE_CUE.test(before)) continue;
    add('phone', m.index, m.index + m[0].length, m[0].replace(/[^\d+]/gu, ''));
  }
  for (const m of text.matchAll(lexicon.language === 'zh' ? ZH_ADDRESS : EN_ADDRESS)) {
    const value = m[1]!.trim();
    // An address names a place: a road, building or number, not "IP地址" or "收货地址".
    if (!/(路|街|道|号(?!码)|楼|室|区|市|省|大厦|园|\d)/u.test(value) || /、|信息/u.test(value)) continue;
    const start = m.index + m[0].indexOf(m[1]!) + (m[1]!.length - m[1]!.trimStart().length);
    add('address', start, start + value.length, value);
  }
  for (const m of text.matchAll(FORM)) add('form', m.index, m.index + m[0].length, m[0]);
  const contactSection = (at: number) => structure.sections.some((s) => s.start <= at && at < s.end && s.kinds.includes('contact'));
  for (const link of document.links)
    if (contactSection(link.start) && /^https?:/iu.test(link.href)) add('url', link.start, link.end, link.href);
  return contacts.sort((a, b) => a.start - b.start);
}

const ZH_NUMERAL: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const EN_NUMBER: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  five: 5,
  seven: 7,
  ten: 10,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  'forty-five': 45,
  sixty: 60,
  ninety: 90,
};

function zhNumber(s: string): number {
  if (/^\d+$/u.test(s)) return Number(s);
  if (s === '十') return 10;
  const [tens, ones] = s.split('十');
  if (ones === undefined) return ZH_NUMERAL[s] ?? NaN;
  return (tens ? (ZH_NUMERAL[tens] ?? NaN) : 1) * 10 + (ones ? (ZH_NUMERAL[ones] ?? NaN) : 0);
}

const ZH_PERIOD = /(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*个?\s*(工作日|自然日|天|日)\s*(?:内|之内|以内)/gu;
const EN_PERIOD = /within\s+(\d{1,3}|[a-z-]+)\s+(?:\(\d{1,3}\)\s+)?(business|working|calendar)?\s*days?/giu;

/** Calendar days a promise stands for: a working week has five days in seven. */
export function calendarDays(r: { days: number; workingDays: boolean }): number {
  return r.workingDays ? Math.ceil((r.days * 7) / 5) : r.days;
}

/** The longest period promised for answering requests or complaints (a period in a sentence about replying). */
export function findResponseTime(document: PolicyDocument, structure: Structure, lexicon: Lexicon): ResponseTime | null {
  const { text } = document;
  let best: ResponseTime | null = null;
  for (const sentence of structure.sentences) {
    const body = text.slice(sentence.start, sentence.end);
    if (!lexicon.responseCue.test(body)) continue;
    const pattern = lexicon.language === 'zh' ? ZH_PERIOD : EN_PERIOD;
    for (const m of body.matchAll(pattern)) {
      const days =
        lexicon.language === 'zh' ? zhNumber(m[1]!) : /^\d+$/u.test(m[1]!) ? Number(m[1]) : (EN_NUMBER[m[1]!.toLowerCase()] ?? NaN);
      if (!Number.isFinite(days) || days <= 0 || days > 365) continue;
      // Retention periods and deadlines for users are not answers to requests.
      const after = body.slice(m.index + m[0].length, m.index + m[0].length + 30);
      const around = body.slice(Math.max(0, m.index - 30), m.index) + after;
      if (!lexicon.responseCue.test(around)) continue;
      const workingDays = m[2] === '工作日' || /business|working/iu.test(m[2] ?? '');
      const start = sentence.start + m.index;
      const candidate: ResponseTime = { start, end: start + m[0].length, text: m[0], days, workingDays };
      if (!best || calendarDays(candidate) > calendarDays(best)) best = candidate;
    }
  }
  return best;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DATE =
  /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)|\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(\d{4})\b|\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December),?\s+(\d{4})\b/giu;

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The date the policy takes effect (preferred), was updated, or was published, from a dated line that says which. */
export function findEffectiveDate(document: PolicyDocument, lexicon: Lexicon): EffectiveDate | null {
  const { text } = document;
  const rank = { effective: 0, updated: 1, published: 2 } as const;
  let best: EffectiveDate | null = null;
  for (const m of text.matchAll(DATE)) {
    let date: string | null;
    if (m[1]) date = isoDate(+m[1], +m[2]!, +m[3]!);
    else if (m[4]) date = isoDate(+m[4], +m[5]!, +m[6]!);
    else if (m[7]) date = isoDate(+m[9]!, MONTHS.indexOf(m[7].toLowerCase()) + 1, +m[8]!);
    else date = isoDate(+m[12]!, MONTHS.indexOf(m[11]!.toLowerCase()) + 1, +m[10]!);
    if (!date) continue;
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(Math.max(lineStart, m.index - 30), m.index);
    const lineEnd = text.indexOf('\n', m.index);
    const after = text.slice(m.index + m[0].length, Math.min(m.index + m[0].length + 12, lineEnd < 0 ? text.length : lineEnd));
    // The cue nearest before the date names it ("更新日期：…"); else one right after ("…起生效").
    let kind: EffectiveDate['kind'] | null = null;
    let nearest = -1;
    for (const k of ['effective', 'updated', 'published'] as const) {
      for (const c of before.matchAll(lexicon.derived.effectiveCue[k]))
        if (c.index > nearest) {
          nearest = c.index;
          kind = k;
        }
    }
    if (!kind)
      for (const k of ['effective', 'updated', 'published'] as const)
        if (!kind && lexicon.effectiveCue[k].test(after.slice(0, 8))) kind = k;
    if (!kind) continue;
    const candidate: EffectiveDate = { start: m.index, end: m.index + m[0].length, text: m[0], date, kind };
    if (!best || rank[kind] < rank[best.kind]) best = candidate;
  }
  return best;
}

/** The collected-PI list and the third-party list: a link to one, or the list (or SDK table) itself. */
export function findLists(document: PolicyDocument, lexicon: Lexicon, sdkTable: SdkTableRow[]): PolicyLists {
  const find = (cue: RegExp, other = false): ListReference | null => {
    const global = new RegExp(cue.source, 'g' + cue.flags.replace('g', ''));
    let inline: ListReference | null = null;
    for (const m of document.text.matchAll(global)) {
      const start = m.index;
      const end = start + m[0].length;
      if (other && /第三方|共享|SDK|sdk|third/iu.test(document.text.slice(Math.max(0, start - 6), start))) continue;
      const lineEnd = document.text.indexOf('\n', end);
      const limit = lineEnd < 0 ? document.text.length : lineEnd;
      // The list's own link: one around the words, else the next on the line, else one just before.
      const link =
        document.links.find((l) => l.start <= start && end <= l.end) ??
        document.links.find((l) => l.start >= start && l.start < limit) ??
        document.links.find((l) => l.end <= start && l.end >= start - 10);
      if (link) return { start, end, text: m[0], how: 'link', href: link.href };
      inline ??= { start, end, text: m[0], how: 'inline', href: null };
    }
    return inline;
  };
  let thirdParty = find(lexicon.thirdPartyListCue);
  if (!thirdParty && sdkTable.length > 0) {
    const first = sdkTable[0]!;
    thirdParty = { start: first.start, end: first.end, text: document.text.slice(first.start, first.end), how: 'inline', href: null };
  }
  return { collectedPersonalInformation: find(lexicon.collectedListCue, true), thirdPartySharing: thirdParty };
}
