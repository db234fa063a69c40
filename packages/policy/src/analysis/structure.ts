import type { PolicyBlock, PolicyDocument } from '../document/types.js';
import type { Lexicon } from './lexicon.js';
import type { PolicySection, SectionKind } from './types.js';

export interface Sentence {
  start: number;
  end: number;
  /** Index into the sections (one section per block). */
  section: number;
}

/** A heading in the outline: the block, its rank (smaller is higher) and its own and effective kinds. */
interface Heading {
  block: number;
  rank: number;
  /** The rank its numbering scheme has by convention (before nesting), and the scheme with its mark. */
  baseRank: number | null;
  variant?: string;
  style: string;
  text: string;
  /** The numbers of a decimal numbering ("5.2" → [5, 2]), which say whose child it can be. */
  decimal?: number[];
  /** Its own kinds, or its parent's when it shows none (a parent's kind is a prior, not an inheritance). */
  kinds: SectionKind[];
}

const CHINESE_NUMERAL = '[一二三四五六七八九十百零〇两]';
/**
 * Numbering schemes of headings with their conventional rank (GB/T 9704 orders Chinese document levels
 * 一、 > （一） > 1. > （1）; chapters and articles sit above them, ① and a) below). The rank is fixed
 * rather than learned from the order of first use, which a numbered list in the introduction or a
 * table of contents would get wrong.
 */
const NUMBERING: [string, RegExp, number][] = [
  ['chapter', new RegExp(`^第${CHINESE_NUMERAL}{1,4}[章部篇]`, 'u'), 0],
  ['section', new RegExp(`^第${CHINESE_NUMERAL}{1,4}节`, 'u'), 1],
  ['article', new RegExp(`^第${CHINESE_NUMERAL}{1,4}条`, 'u'), 2],
  ['roman', /^(?:[IVX]{1,4})\.\s/u, 2],
  ['chinese', new RegExp(`^${CHINESE_NUMERAL}{1,4}\\s*[、.．]`, 'u'), 3],
  ['chinese-paren', new RegExp(`^[（(]${CHINESE_NUMERAL}{1,4}[)）]`, 'u'), 4],
  ['decimal-3', /^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}(?![\d])/u, 7],
  ['decimal-2', /^\d{1,2}[.．]\d{1,2}(?![.．\d])/u, 6],
  ['decimal', /^\d{1,2}\s*(?:[、．]|\.(?!\d))/u, 5],
  ['decimal-paren', /^[（(]\d{1,2}[)）]|^\d{1,2}[)）]/u, 8],
  ['circled', /^[①-⑳]/u, 9],
  ['alpha', /^[A-Za-z][.)）、]\s?/u, 10],
];
/** Markup and bullets to skip before judging a block's first characters. */
const LEADING_MARKUP = /^[\s#*_>`~\\|•·●○■□◆◇▪▫►▶※-]+/u;
const TRAILING_MARKUP = /[\s#*_`~\\|]+$/u;

function stripMarkup(text: string): string {
  return text
    .replace(LEADING_MARKUP, '')
    .replace(TRAILING_MARKUP, '')
    .replace(/\\([.．、*_#])/gu, '$1');
}

/** The numbering scheme a line starts with, and the line without it. */
function numberingOf(plain: string): { style: string; rank: number; rest: string; variant: string; decimal?: number[] } | null {
  for (const [style, pattern, rank] of NUMBERING) {
    const m = pattern.exec(plain);
    if (m) {
      // The mark after the number (一、 against 一.), which tells two levels of one scheme apart.
      const mark = /[、.．)）]/u.exec(m[0])?.[0]?.replace('．', '.').replace('）', ')') ?? '';
      const decimal = style.startsWith('decimal') && style !== 'decimal-paren' ? m[0].match(/\d+/gu)!.map(Number) : undefined;
      return { style, rank, rest: plain.slice(m[0].length).trim(), variant: `${style}${mark}`, decimal };
    }
  }
  return null;
}

/**
 * Lines that are never headings however they look: filing and licence numbers, date lines, bare links
 * and e-mail addresses, contact lines (电话：…). They open no scope and get no kind.
 */
const NON_CONTENT =
  /^(?:[^，。]{0,12}(?:ICP|备案|许可证|证书编号|证号)|(?:更新|生效|发布|修订|版本)(?:日期|时间)?[：:]|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?[^，。]{0,10}$|(?:https?:\/\/|www\.)\S+$|\S+@\S+\.\w+$|(?:Last\s+)?(?:updated|effective)(?:\s+date)?\s*:|(?:电话|邮箱|传真|地址|邮编|Tel|E-?mail|Address)\s*[：:])/iu;
/**
 * A statement rather than a title: a clause with the operator or user as subject and a modal verb
 * ("我们不会收集…", "您可以…"). Question-like titles (我们如何收集…) are titles.
 */
const STATEMENT =
  /(?:我们|我司|本公司|您|你|用户)[^，。]{0,6}(?:会|将|不会|可能|需要|应当|可以|有权|承诺|已经|均)(?!.*(?:如何|怎样|怎么|哪些))/u;

interface Candidate {
  style: string;
  /** The numbering scheme with its mark (chinese、 or chinese.), when numbered. */
  variant?: string;
  /** Rank from the numbering scheme or mark-up; null for bold and plain lines (placed by context). */
  rank: number | null;
  text: string;
  decimal?: number[];
}

/** Whether decimal numbering `outer` ("5") can hold `inner` ("5.2"): it is a shorter prefix of it. */
function isDecimalPrefix(outer: number[], inner: number[]): boolean {
  return outer.length < inner.length && outer.every((n, i) => n === inner[i]);
}

function candidateOf(block: PolicyBlock, text: string, boldShare: number, language: string, nextLength: number): Candidate | null {
  if (block.kind === 'table-cell') return null;
  const plain = stripMarkup(text);
  if (plain.length === 0 || NON_CONTENT.test(plain)) return null;
  const numbering = numberingOf(plain);
  if (block.kind === 'heading')
    return {
      style: numbering?.style ?? `h${block.level ?? 1}`,
      variant: numbering?.variant,
      rank: numbering?.rank ?? null,
      text: plain,
      ...(numbering?.decimal ? { decimal: numbering.decimal } : {}),
    };
  // A sentence is not a title: titles do not end in a full stop, rarely hold a comma-separated clause
  // and are short (Latin titles are longer in characters: "How We Share, Transfer and Publicly Disclose …").
  const sentence =
    plain.length > (language === 'zh' ? 60 : 100) ||
    /[。；;!！]$/u.test(plain) ||
    (language === 'zh' && /[?？]$/u.test(plain)) ||
    (/\.$/u.test(plain) && (plain.split(/\s+/u).length > 8 || /\.\s/u.test(plain))) ||
    (plain.match(/[，,]/gu)?.length ?? 0) > 1;
  if (numbering) {
    // A numbered item holding a whole statement is a list item, not a title: it still closes its
    // numbered siblings (so 2.2 ends 2.1 even when 2.2 is a sentence), but its kinds come from what it says.
    // So is a labelled item ("2) 身份信息：姓名"): a label and what it lists, one line of a list, not a title.
    const statement =
      sentence ||
      (language === 'zh' &&
        (numbering.rest.length > 30 ||
          (STATEMENT.test(numbering.rest) && /[，,：:]/u.test(numbering.rest)) ||
          /^[^：:]{1,16}[：:][\s*_]*[^\s*_]/u.test(numbering.rest)));
    return {
      style: statement ? `item:${numbering.style}` : numbering.style,
      variant: numbering.variant,
      rank: numbering.rank,
      text: plain,
      ...(numbering.decimal ? { decimal: numbering.decimal } : {}),
    };
  }
  if (sentence) return null;
  if (language === 'zh' && STATEMENT.test(plain)) return null;
  if (boldShare > 0.8 && plain.length <= 40) return { style: 'bold', rank: null, text: plain };
  // An unmarked English heading: a few capitalised words on their own line, before a longer paragraph.
  if (language !== 'zh' && block.kind === 'paragraph' && nextLength > plain.length * 2 && /^[A-Z]/u.test(plain) && !/[.:,]$/u.test(plain)) {
    const words = plain.split(/\s+/u);
    const capitalised = words.filter((w) => /^[A-Z0-9&]/u.test(w)).length;
    if (words.length <= 6 && capitalised * 2 >= words.length) return { style: 'plain', rank: null, text: plain };
  }
  return null;
}

/** Share of `[start, end)` covered by emphasis ranges (sorted by start). */
function emphasisShare(document: PolicyDocument, start: number, end: number): number {
  let covered = 0;
  for (const e of document.emphasis) {
    if (e.start >= end) break;
    if (e.end <= start) continue;
    covered += Math.min(e.end, end) - Math.max(e.start, start);
  }
  return end > start ? Math.min(1, covered / (end - start)) : 0;
}

/**
 * Kinds that name a whole subject of their own: a title on children's information or cookies is
 * about that, even when it also says "protect" or "collect" ("我们如何保护儿童的个人信息").
 */
const SUBJECT_KINDS: readonly SectionKind[] = ['minors', 'cookies', 'cross-border'];

function headingKinds(text: string, lexicon: Lexicon): SectionKind[] {
  const kinds: SectionKind[] = [];
  for (const [kind, pattern] of lexicon.sectionHeading) if (pattern.test(text)) kinds.push(kind);
  const subjects = kinds.filter((k) => SUBJECT_KINDS.includes(k));
  return subjects.length ? subjects : kinds;
}

/** Links in a block say nothing of its kind (an https address is not a security measure). */
const LINK = /(?:https?:\/\/|www\.)[^\s<>"'）)\]]+/giu;

/** What a block's own words show: its kinds, and whether its user-provided cue only refers to data the user provided. */
interface OwnKinds {
  kinds: SectionKind[];
  providedByReference: boolean;
}

function bodyKinds(text: string, lexicon: Lexicon): OwnKinds {
  const kinds: SectionKind[] = [];
  const words = text.replace(LINK, ' ');
  for (const [kind, pattern] of lexicon.sectionBody) if (pattern.test(words)) kinds.push(kind);
  if (!kinds.includes('user-provided')) return { kinds, providedByReference: false };
  // What a terms-of-service clause makes the user promise about what they provide is not the policy
  // saying what users provide to be processed (issue 16: such clauses are non-content).
  if (lexicon.undertaking.test(words)) return { kinds: kinds.filter((k) => k !== 'user-provided'), providedByReference: false };
  return { kinds, providedByReference: !providesAsStatement(words, lexicon) };
}

/** Verbs of providing and what follows them: "您提供(给我们)的…" names data already provided (a reference), "您提供…" says the user provides it. */
const PROVIDE_VERB = /(?:提供|提交|填写|上传|输入)((?:给|予)?(?:我们|本[^的，。；]{0,6})?的)?/u;

/** A collecting verb just before a reference to what the user provided, in the same clause. */
const COLLECTS_REFERENCE = /(?:收集|采集|获取|记录|接收|储存|存储)[^，。；,;]{0,8}$/u;

/** Each lexicon's user-provided body cue, compiled once to find every match (the lexicon's own finds the first). */
const providedCues = new WeakMap<Lexicon, RegExp>();

/** Whether some user-provided cue in `words` says the user provides data, not only refers to data the user provided. */
function providesAsStatement(words: string, lexicon: Lexicon): boolean {
  if (lexicon.language !== 'zh') return true;
  let all = providedCues.get(lexicon);
  if (!all) {
    const [, pattern] = lexicon.sectionBody.find(([k]) => k === 'user-provided')!;
    all = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
    providedCues.set(lexicon, all);
  }
  for (const m of words.matchAll(all)) {
    const verb = PROVIDE_VERB.exec(m[0]);
    if (!verb || verb[1] === undefined) return true;
    // "收集您提供的身份证号码": what the operator collects from the user, said through a reference.
    if (COLLECTS_REFERENCE.test(words.slice(Math.max(0, m.index - 16), m.index))) return true;
  }
  return false;
}

export interface Structure {
  sections: PolicySection[];
  sentences: Sentence[];
  /** For each section, the kinds of the heading it sits under (what the section is under). */
  headingKinds: SectionKind[][];
  /**
   * Sections that are surely headings (marked up, a bold line, a numbered title with a topic) or
   * table-of-contents entries: they name topics, not statements. Numbered lines without a topic are
   * left out: many are list items that name data.
   */
  headings: Set<number>;
}

/** Sentence ends: Chinese and Latin stops; a Latin full stop only before a space and a capital (not "Co., Ltd. of", "e.g. a"). */
const SENTENCE_END = /[。！？；!?;]+|\.(?=\s+[A-Z"“(])|\n/gu;
/** Lines that carry no content of the policy: filing and licence numbers, the date or version line. */
const NO_KIND =
  /^(?:[^，。]{0,12}(?:ICP|备案|许可证|证书编号)|(?:更新|生效|发布|修订)(?:日期|时间)[：:]|版本(?:号)?[：:]|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?[^，。]{0,10}$|(?:Last\s+)?(?:updated|effective)(?:\s+date)?\s*:)/iu;

/**
 * The policy's own title ("XX隐私政策", "Privacy Policy"): the root of the outline, not a chapter, so
 * what follows it up to the first chapter is still the introduction.
 */
const DOCUMENT_TITLE =
  /^[^，。；]{0,24}(?:隐私|个人信息保护|个人信息处理|用户信息)[^，。；]{0,4}(?:政策|指引|声明|协议|条款|规则|说明)[^，。；]{0,12}$|^[^,.;]{0,40}privacy\s+(?:policy|notice|statement)[^,.;]{0,20}$/iu;

/**
 * The policy's title when the reader found none in mark-up: a plain first line that names the policy
 * ("XX隐私政策", "Privacy Policy of XX"), as hand-written and copied text policies have it.
 */
export function documentTitle(document: PolicyDocument): string | null {
  for (const block of document.blocks.slice(0, 3)) {
    const plain = stripMarkup(document.text.slice(block.start, block.end));
    if (plain.length > 0 && DOCUMENT_TITLE.test(plain)) return plain;
  }
  return null;
}

/** A heading's words without numbering, mark-up, spaces and punctuation: how a contents entry is matched to its chapter. */
function titleKey(plain: string): string {
  const rest = numberingOf(plain)?.rest ?? plain;
  return rest
    .replace(/[\s\p{P}\p{S}\d]+/gu, '')
    .slice(0, 24)
    .toLowerCase();
}

/** Rank of a mark-up level without numbering: the rank numbered headings of that level have, else between its neighbours. */
function markupRanks(blocks: readonly PolicyBlock[], candidates: readonly (Candidate | null)[]): Map<number, number> {
  const seen = new Map<number, Map<number, number>>();
  candidates.forEach((c, i) => {
    const level = blocks[i]!.level;
    if (!c || blocks[i]!.kind !== 'heading' || level === null || c.rank === null) return;
    const counts = seen.get(level) ?? new Map<number, number>();
    counts.set(c.rank, (counts.get(c.rank) ?? 0) + 1);
    seen.set(level, counts);
  });
  const mapped = new Map<number, number>();
  for (const [level, counts] of seen) {
    let best = -1;
    let bestCount = -1;
    for (const [rank, count] of counts) if (count > bestCount) [best, bestCount] = [rank, count];
    mapped.set(level, best);
  }
  const ranks = new Map<number, number>();
  for (let level = 1; level <= 6; level++) {
    const own = mapped.get(level);
    if (own !== undefined) {
      ranks.set(level, own);
      continue;
    }
    let above: number | undefined;
    for (let l = level - 1; l >= 1 && above === undefined; l--) above = mapped.get(l);
    let below: number | undefined;
    for (let l = level + 1; l <= 6 && below === undefined; l++) below = mapped.get(l);
    ranks.set(level, above !== undefined ? above + 0.5 : below !== undefined ? below - 0.5 : level - 10);
  }
  return ranks;
}

/**
 * A text block's kinds: those of the heading it sits under, narrowed to the ones its own words show
 * when the heading names several; its own when the heading names none; none in the introduction.
 */
function blockKinds(
  { kinds: shown, providedByReference }: OwnKinds,
  under: SectionKind[],
  introduction: boolean,
  item: boolean,
  previous: SectionKind[] | null = null,
): SectionKind[] {
  // An introduction sums the policy up ("we collect…, share…, protect…"); only what it does besides
  // (defining terms, naming the operator's contact) is a kind of its own there.
  if (introduction) return shown.filter((k) => INTRODUCTION_KINDS.includes(k));
  // Data the user provided, named in passing where it is protected, kept, corrected or combined, is
  // that chapter's topic; only in a chapter on collection does such a reference say what users provide.
  const own =
    providedByReference && !under.includes('collection-use') && !under.includes('user-provided')
      ? shown.filter((k) => k !== 'user-provided')
      : shown;
  if (under.length === 0) return own;
  const narrowed = under.filter((k) => own.includes(k));
  // What a block adds to its heading's kinds: a numbered item is a small section of its own, so any
  // topic it shows but those that are chapters of their own (NOT_ADDED_BY_ITEMS); a plain paragraph
  // only the topics policies commonly treat in a paragraph of another chapter (where data is stored
  // and for how long, transfers abroad, sharing, cookies, withdrawing consent, a definition, a
  // contact). The general ones (providing, protecting) that almost every paragraph shows never:
  // there the heading decides. How users are notified is said in passing in change and incident
  // paragraphs, so a paragraph never adds it either.
  const added = own.filter(
    (k) =>
      !under.includes(k) &&
      (item
        ? !NOT_ADDED_BY_ITEMS.includes(k)
        : (!GENERAL_KINDS.includes(k) && ASIDE_KINDS.includes(k)) ||
          // In a chapter on collection, a paragraph saying the user provides data ("注册时您需提供手机号") is that.
          (k === 'user-provided' && under.includes('collection-use') && !providedByReference)),
  );
  // A paragraph that shows none of its heading's several topics goes on with the topic of the
  // paragraph before it under the same heading ("存储和保护": the storage paragraphs, then the protection ones).
  const carried = previous && previous.length && previous.every((k) => under.includes(k)) ? previous : under;
  return [...(narrowed.length ? narrowed : under.length > 1 ? carried : under), ...added];
}

const ASIDE_KINDS: readonly SectionKind[] = [
  'retention',
  'cross-border',
  'third-party',
  'cookies',
  'consent-withdrawal',
  'definitions',
  'contact',
];
/**
 * Topics that are chapters of their own, never a topic an item of another chapter adds: an item
 * naming the user's rights, children, settings, notices or protection refers to that chapter in
 * passing ("您可以在设置中删除…", "我们会采取加密措施…").
 */
const NOT_ADDED_BY_ITEMS: readonly SectionKind[] = ['security', 'notification', 'privacy-settings', 'minors', 'user-rights'];
const INTRODUCTION_KINDS: readonly SectionKind[] = ['definitions', 'contact'];
const GENERAL_KINDS: readonly SectionKind[] = ['user-provided', 'security'];

/**
 * Sections and sentences, from the policy's outline read as a tree. Headings are found from mark-up,
 * numbering schemes (第X章/条, 一、, （一）, 1., 1.1, （1）, ①, a)) ranked by convention, bold lines and
 * English title lines; a heading closes every open heading of the same or a lower rank, so a chapter's
 * scope ends where the next chapter (or a higher heading) starts. Table cells, statements, licence
 * numbers, dates and links never open a scope; a table of contents (lines that repeat later headings,
 * or a run of same-style titles with nothing between) gives no kinds. A heading's kinds are its own
 * words' kinds, else its parent's; a block's kinds are its heading's, narrowed to what its own text
 * shows when the heading names several topics, or its own when the heading names none.
 */
export function readStructure(document: PolicyDocument, lexicon: Lexicon): Structure {
  const { text, blocks } = document;
  const emphasis = [...document.emphasis].sort((a, b) => a.start - b.start);
  const sorted = { ...document, emphasis };
  // A table copied as text keeps its cell separators ("|") on lines of their own or inside the line:
  // the lines around them are cells, never headings.
  const isRule = (b: PolicyBlock | undefined) => b !== undefined && /^\|?[\s|:-]*\|[\s|:-]*$/u.test(text.slice(b.start, b.end));
  const candidates = blocks.map((b, i) => {
    const next = blocks[i + 1];
    if (isRule(b) || isRule(blocks[i - 1]) || isRule(next) || /\S\s*\|\s*\S.*\|/u.test(text.slice(b.start, b.end))) return null;
    return candidateOf(
      b,
      text.slice(b.start, b.end),
      emphasisShare(sorted, b.start, b.end),
      lexicon.language,
      next ? next.end - next.start : 0,
    );
  });
  const isTitle = (c: Candidate | null): c is Candidate => c !== null && !c.style.startsWith('item:');

  // Tables of contents: short lines that repeat a later heading, next to another such line; and runs
  // of three or more titles of one style with nothing between them.
  const lastTitleAt = new Map<string, number>();
  candidates.forEach((c, i) => {
    if (isTitle(c)) {
      const key = titleKey(c.text);
      if (key.length >= 2) lastTitleAt.set(key, i);
    }
  });
  const repeatsLater = blocks.map((b, i) => {
    if (b.kind === 'table-cell' || b.end - b.start > 60) return false;
    const key = titleKey(stripMarkup(text.slice(b.start, b.end)));
    return key.length >= 2 && (lastTitleAt.get(key) ?? -1) > i + 1;
  });
  const inContents = blocks.map(
    (_, i) =>
      repeatsLater[i]! &&
      (repeatsLater[i - 1] === true || repeatsLater[i + 1] === true || repeatsLater[i - 2] === true || repeatsLater[i + 2] === true),
  );
  for (let i = 0; i < blocks.length;) {
    let j = i;
    const style = candidates[i]?.style;
    // The run ends where a title repeats one of it: a contents list followed straight by chapter one.
    const keys = new Set<string>();
    while (j < blocks.length && style !== undefined && isTitle(candidates[j]!) && candidates[j]!.style === style) {
      const key = titleKey(candidates[j]!.text);
      if (keys.has(key)) break;
      keys.add(key);
      j++;
    }
    if (j - i >= 3) for (let k = i; k < j; k++) inContents[k] = true;
    i = j === i ? i + 1 : j;
  }

  const hRanks = markupRanks(blocks, candidates);
  let boldRank: number | null = null;
  const sections: PolicySection[] = [];
  const chainKinds: SectionKind[][] = [];
  const sentences: Sentence[] = [];
  const headings = new Set<number>();
  const stack: Heading[] = [];
  let seenHeading = false;
  // Before the first title of a policy that has titles is its introduction: what the policy is about,
  // not statements of any one kind.
  const hasTitles = candidates.some((c, i) => isTitle(c) && !inContents[i] && !DOCUMENT_TITLE.test(c.text));
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const blockText = text.slice(block.start, block.end);
    const candidate = candidates[i]!;
    const plain = stripMarkup(blockText);
    let kinds: SectionKind[];
    let role: PolicySection['role'] = 'text';
    if (inContents[i]) {
      role = 'contents';
      kinds = [];
      headings.add(i);
    } else if (NO_KIND.test(plain)) {
      role = 'other';
      kinds = [];
    } else if (candidate) {
      let rank = candidate.rank;
      if (rank === null && candidate.style.startsWith('h')) rank = hRanks.get(block.level ?? 1) ?? 0;
      if (rank === null && candidate.style === 'plain') rank = -1;
      if (rank === null) {
        // A bold line without numbering ranks where the first one stood: just under the heading open
        // then, or at the top when none was.
        boldRank ??= stack.length ? stack[stack.length - 1]!.rank + 0.5 : -1;
        rank = boldRank;
      }
      // One scheme with another mark inside an open heading of that scheme is a level below it:
      // "一. 技术保护" under "六、我们如何保护…" does not close chapter six.
      if (candidate.rank !== null && candidate.variant !== undefined) {
        const outer = stack.find((h) => h.baseRank === candidate.rank && h.rank === candidate.rank && h.variant !== candidate.variant);
        if (outer) rank = candidate.rank + 0.5;
      }
      while (stack.length && stack[stack.length - 1]!.rank >= rank) stack.pop();
      // "5.2" belongs under a "5." and never under the "2." of a list inside 5.1: a decimal heading
      // whose number does not prefix the candidate's is closed by it.
      if (candidate.decimal)
        while (stack.length && stack[stack.length - 1]!.decimal && !isDecimalPrefix(stack[stack.length - 1]!.decimal!, candidate.decimal))
          stack.pop();
      const parent = stack[stack.length - 1];
      const item = candidate.style.startsWith('item:');
      const prior = parent?.kinds ?? [];
      let titled = false;
      if (item) {
        const own = bodyKinds(blockText, lexicon);
        const last = sections[sections.length - 1];
        const previousSibling = last && last.parent === (parent?.block ?? -1) && last.role === 'text' ? last.kinds : null;
        kinds = blockKinds(own, prior, hasTitles && !seenHeading, true, previousSibling);
      } else {
        const own = headingKinds(candidate.text, lexicon);
        // A title on a topic no kind covers (exceptions to consent, disputes, other terms) ends its
        // parent's scope for its own children.
        kinds = own.length ? own : lexicon.sectionNone.test(candidate.text) ? [] : prior;
        titled = own.length > 0;
      }
      stack.push({
        block: i,
        rank,
        baseRank: candidate.rank,
        variant: candidate.variant,
        style: candidate.style,
        text: candidate.text,
        ...(candidate.decimal ? { decimal: candidate.decimal } : {}),
        kinds,
      });
      role = item ? 'text' : 'heading';
      if (!item) {
        if (!(candidate.rank === null && !titled && DOCUMENT_TITLE.test(candidate.text))) seenHeading = true;
        if (candidate.rank === null || titled) headings.add(i);
      }
    } else {
      const top = stack[stack.length - 1];
      const previousSibling =
        sections.length && sections[sections.length - 1]!.parent === (top?.block ?? -1) && sections[sections.length - 1]!.role === 'text'
          ? sections[sections.length - 1]!.kinds
          : null;
      kinds = blockKinds(bodyKinds(blockText, lexicon), top?.kinds ?? [], hasTitles && !seenHeading, false, previousSibling);
    }
    const top = stack[stack.length - 1];
    const parentHeading = top && top.block === i ? stack[stack.length - 2] : top;
    const section: PolicySection = {
      kinds: [...new Set(kinds)],
      start: block.start,
      end: block.end,
      role,
      parent: parentHeading?.block ?? -1,
      depth: stack.filter((h) => h.block !== i).length,
    };
    if (parentHeading) section.heading = parentHeading.text;
    sections.push(section);
    chainKinds.push(parentHeading?.kinds ?? []);

    SENTENCE_END.lastIndex = 0;
    let from = block.start;
    for (let m = SENTENCE_END.exec(blockText); m; m = SENTENCE_END.exec(blockText)) {
      const to = block.start + m.index + m[0].length;
      if (to > from) sentences.push({ start: from, end: to, section: i });
      from = to;
    }
    if (block.end > from) sentences.push({ start: from, end: block.end, section: i });
  }
  return { sections, sentences, headingKinds: chainKinds, headings };
}
