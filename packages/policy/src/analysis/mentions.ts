import type { PolicyDocument } from '../document/types.js';
import type { Lexicon, PiTerm } from './lexicon.js';
import { tokenize, type Token } from './segment.js';
import type { Sentence, Structure } from './structure.js';
import type { ContextMention, DataMention, MentionContext, PolicySection, SectionKind } from './types.js';

/** Sections where a PI word is a statement about processing, not just a word (e.g. "we protect PI"). */
const PROCESSING_KINDS: ReadonlySet<SectionKind> = new Set(['collection-use', 'user-provided', 'third-party']);
/**
 * Sections about what users can do, cookies, contact and policy changes name data only in passing
 * ("you may delete your account"); their PI words are not statements of processing.
 */
const NON_PROCESSING_KINDS: ReadonlySet<SectionKind> = new Set([
  'user-rights',
  'consent-withdrawal',
  'privacy-settings',
  'cookies',
  'policy-change',
  'contact',
  'definitions',
]);
/** Category of a noun phrase with a PI head ("…信息") but no term we know. */
export const UNCLASSIFIED_CATEGORY = 'other';
const SENSITIVE_CATEGORIES = new Set(['location', 'biometrics', 'health', 'financial', 'religious-beliefs', 'specific-identity', 'minors']);

interface Candidate {
  start: number;
  end: number;
  category: string;
  sensitive: boolean;
}

function isNounLike(token: Token, lexicon: Lexicon): boolean {
  if (lexicon.piTerms.has(token.word.toLowerCase())) return true;
  const word = token.word.toLowerCase();
  return /^(n|nz|vn|eng|nrt|ng|an)$/u.test(token.tag) && !lexicon.nonPersonalModifiers.has(word) && !lexicon.referenceModifiers.has(word);
}

/** The PI term inside a longer word or phrase that decides its category (the last one: Chinese heads come last). */
function innerTerm(phrase: string, lexicon: Lexicon): PiTerm | null {
  const lower = phrase.toLowerCase();
  let best: { term: PiTerm; at: number } | null = null;
  for (let i = 0; i < lower.length; i++) {
    for (let len = Math.min(lexicon.longestTerm, lower.length - i); len >= 2; len--) {
      const term = lexicon.piTerms.get(lower.slice(i, i + len));
      if (term && term.category !== 'general') {
        if (!best || i + len > best.at) best = { term, at: i + len };
        break;
      }
    }
  }
  return best?.term ?? null;
}

function headOf(word: string, lexicon: Lexicon): string | null {
  for (const head of lexicon.heads) if (word.endsWith(head)) return head;
  return null;
}

const termPatterns = new WeakMap<Lexicon, RegExp>();

function termPattern(lexicon: Lexicon): RegExp {
  let pattern = termPatterns.get(lexicon);
  if (!pattern) {
    const terms = [...lexicon.piTerms.values()].map((t) => t.term).sort((a, b) => b.length - a.length);
    const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&').replace(/\s+/gu, '[\\s-]+'));
    // Chinese text runs words together: there only Latin letters and digits bound a term.
    const word = lexicon.language === 'zh' ? '[A-Za-z0-9]' : '[\\p{L}\\p{N}]';
    pattern = new RegExp(`(?<!${word})(?:${escaped.join('|')})(?!${word})`, 'giu');
    termPatterns.set(lexicon, pattern);
  }
  return pattern;
}

function termAt(match: string, lexicon: Lexicon) {
  return lexicon.piTerms.get(match.toLowerCase().replace(/[\s-]+/gu, ' ')) ?? lexicon.piTerms.get(match.toLowerCase());
}

/**
 * The PI categories the policy names anywhere, in any context: a dictionary scan (a map lookup per
 * position and length), linear in the text, unlike one large alternation of every term.
 */
const lengthsByFirst = new WeakMap<Lexicon, Map<string, number[]>>();

export function mentionedCategories(text: string, lexicon: Lexicon, mentions: DataMention[]): string[] {
  let lengths = lengthsByFirst.get(lexicon);
  if (!lengths) {
    lengths = new Map();
    for (const key of lexicon.piTerms.keys()) {
      const list = lengths.get(key[0]!) ?? [];
      if (!list.includes(key.length)) list.push(key.length);
      lengths.set(key[0]!, list);
    }
    for (const list of lengths.values()) list.sort((a, b) => b - a);
    lengthsByFirst.set(lexicon, lengths);
  }
  const found = new Set<string>(mentions.map((m) => m.category));
  const lower = text.toLowerCase().replace(/\s+/gu, ' ');
  const latin = /[a-z0-9]/u;
  for (let i = 0; i < lower.length; i++) {
    const candidates = lengths.get(lower[i]!);
    if (!candidates || (latin.test(lower[i - 1] ?? '') && latin.test(lower[i]!))) continue;
    for (const length of candidates) {
      if (length < 2 || i + length > lower.length) continue;
      const term = lexicon.piTerms.get(lower.slice(i, i + length));
      if (!term) continue;
      if (latin.test(lower[i + length - 1]!) && latin.test(lower[i + length] ?? '')) continue;
      found.add(term.category);
      break;
    }
  }
  found.delete('general');
  found.delete(UNCLASSIFIED_CATEGORY);
  return [...found].sort();
}

/** Languages written with spaces: PI terms (one or more words) matched whole, case-insensitively. */
function candidatesByTerms(document: PolicyDocument, sentence: Sentence, lexicon: Lexicon): Candidate[] {
  const pattern = termPattern(lexicon);
  const body = document.text.slice(sentence.start, sentence.end);
  const found: Candidate[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    const term = termAt(m[0], lexicon);
    if (!term) continue;
    const end = m.index + m[0].length;
    // "location-based" is not location; "location permission", "camera settings" name other things.
    if (/^-\p{L}/u.test(body.slice(end, end + 2))) continue;
    const nextWord = /^\s+([\p{L}-]+)/u.exec(body.slice(end))?.[1]?.toLowerCase();
    if (nextWord && lexicon.modifierFollowers.has(nextWord)) continue;
    found.push({
      start: sentence.start + m.index,
      end: sentence.start + m.index + m[0].length,
      category: term.category,
      sensitive: term.sensitive,
    });
  }
  return found;
}

/**
 * Hardware a permission opens (相机, 麦克风, 存储空间, camera): permission mentions, not data. The data
 * taken with it is named as such (照片, 录音, 语音信息, 文件) and stays a data mention of the same category.
 */
const HARDWARE_CATEGORIES: ReadonlySet<string> = new Set(['camera', 'microphone', 'storage']);
const HARDWARE_WORD =
  /^(?:麦克风|话筒|摄像头|相机|照相机|拍摄|拍照|存储空间|存储卡|SD卡|外部存储|本地存储|microphone|camera|camera feed|external storage|shared storage|device storage|sd card|storage)$/iu;

function candidatesOfSentence(document: PolicyDocument, sentence: Sentence, lexicon: Lexicon): Candidate[] {
  const { text } = document;
  const words = wordsOfSentence(document, sentence, lexicon);
  const ownedOnly = (c: Candidate) => lexicon.ownedOnly.has(text.slice(c.start, c.end).toLowerCase());
  const hardware = (c: Candidate) => HARDWARE_CATEGORIES.has(c.category) && HARDWARE_WORD.test(text.slice(c.start, c.end));
  return words.filter((c) => {
    if (hardware(c)) return false;
    if (!ownedOnly(c)) return true;
    if (lexicon.ownerCue.test(text.slice(Math.max(sentence.start, c.start - 12), c.start))) return true;
    // A word of a list of PI ("用户名和密码", "头像、昵称、密码") is the user's like the rest of the list.
    return words.some(
      (o) =>
        o !== c &&
        !ownedOnly(o) &&
        !hardware(o) &&
        o.category !== 'general' &&
        (COORDINATION.test(text.slice(o.end, c.start)) || COORDINATION.test(text.slice(c.end, o.start))),
    );
  });
}

/** What joins two items of a list (、, 和, 及, 或, /). */
const COORDINATION = /^[\s*_]*(?:、|和|及|或|与|以及|\/|, ?|and |or )[\s*_]*$/u;

function wordsOfSentence(document: PolicyDocument, sentence: Sentence, lexicon: Lexicon): Candidate[] {
  if (lexicon.language !== 'zh') return candidatesByTerms(document, sentence, lexicon);
  const { text } = document;
  // Latin terms of several words ("Android ID") are not one jieba word.
  const spaced = /[A-Za-z] [A-Za-z]/u.test(text.slice(sentence.start, sentence.end))
    ? candidatesByTerms(document, sentence, lexicon).filter((c) => /\s/u.test(text.slice(c.start, c.end)))
    : [];
  const tokens = tokenize(text, sentence.start, sentence.end, lexicon);
  const found: Candidate[] = [...spaced];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const known = lexicon.piTerms.get(token.word.toLowerCase());
    if (known && (known.category === 'general' || !isAsciiFragment(token, text))) {
      if (isModifier(tokens, t, lexicon)) continue;
      found.push({ start: token.start, end: token.end, category: known.category, sensitive: known.sensitive });
      continue;
    }
    const head = headOf(token.word, lexicon);
    if (!head) continue;
    let first = t;
    if (token.word.length === head.length) {
      // A bare head ("信息", "记录"): the phrase is the nouns before it, or a reference (上述信息).
      while (first > 0 && isNounLike(tokens[first - 1]!, lexicon) && token.start - tokens[first - 1]!.start <= 16) first--;
      if (first === t) {
        // "设备相关信息", "设备相关的信息" (相关 a word of its own): the nouns before 相关 say what the data is.
        const related = RELATED.test(tokens[t - 1]?.word ?? '')
          ? t - 1
          : RELATED.test(tokens[t - 2]?.word ?? '') && tokens[t - 1]!.word === '的'
            ? t - 2
            : -1;
        const phrase = related > 0 ? relatedPhrase(text, tokens, related, token, head, lexicon) : null;
        if (phrase) {
          found.push(phrase);
          continue;
        }
        // A pointer (上述信息, 这些数据) or the owner (您的信息) with the head; 相关/其他/必要 + 信息 alone name no
        // data, as when they are one word (相关信息) below.
        const previous = tokens[t - 1];
        const modifier = previous?.word.toLowerCase() ?? '';
        if (
          lexicon.referenceModifiers.has(modifier) &&
          (ANAPHORA.test(modifier) || OWNER_WORD.test(modifier)) &&
          (head === '信息' || head === '数据')
        )
          found.push({ start: previous!.start, end: token.end, category: 'general', sensitive: false });
        continue;
      }
    } else {
      const modifier = token.word.slice(0, token.word.length - head.length).toLowerCase();
      if (lexicon.referenceModifiers.has(modifier)) {
        // "设备相关信息", "支付相关信息": the nouns before 相关信息 say what the data is.
        const phrase = RELATED.test(modifier) ? relatedPhrase(text, tokens, t, token, head, lexicon) : null;
        if (phrase) found.push(phrase);
        // "相关信息", "其他信息" alone refer to data named elsewhere, or to none: only a pointer (上述信息) is kept.
        else if (ANAPHORA.test(token.word)) found.push({ start: token.start, end: token.end, category: 'general', sensitive: false });
        continue;
      }
      if (lexicon.nonPersonalModifiers.has(modifier) || !/^(n|nz|vn|eng|l)$/u.test(token.tag)) continue;
    }
    const start = tokens[first]!.start;
    const phrase = text.slice(start, token.end);
    if (lexicon.nonPersonalModifiers.has(phrase.slice(0, phrase.length - head.length).toLowerCase())) continue;
    const inner = innerTerm(phrase, lexicon);
    found.push({
      start,
      end: token.end,
      category: inner?.category ?? UNCLASSIFIED_CATEGORY,
      sensitive: inner?.sensitive ?? false,
    });
  }
  return found;
}

/** Words that tie a head to the nouns before them (设备相关信息, 账号有关的数据). */
const RELATED = /^(?:相关|有关)$|^(?:相关|有关)(?=信息|数据|资料)/u;

/**
 * "设备相关信息", "网络相关的信息": the nouns before 相关 with the head. Their type is the known term the
 * nouns and the head make (设备 + 信息 → device-info), else unclassified; nothing when no noun comes
 * before 相关 or the noun names no personal data (服务相关信息, 产品相关信息).
 */
function relatedPhrase(text: string, tokens: Token[], related: number, headToken: Token, head: string, lexicon: Lexicon): Candidate | null {
  let from = related;
  while (from > 0 && isNounLike(tokens[from - 1]!, lexicon) && tokens[related]!.start - tokens[from - 1]!.start <= 12) from--;
  if (from === related) return null;
  const nouns = text.slice(tokens[from]!.start, tokens[related]!.start);
  if (lexicon.nonPersonalModifiers.has(tokens[related - 1]!.word.toLowerCase()) || ANAPHORA.test(nouns)) return null;
  const inner = innerTerm(text.slice(tokens[from]!.start, headToken.end), lexicon) ?? innerTerm(nouns + head, lexicon);
  return {
    start: tokens[from]!.start,
    end: headToken.end,
    category: inner?.category ?? UNCLASSIFIED_CATEGORY,
    sensitive: inner?.sensitive ?? false,
  };
}

const userDataPatterns = new WeakMap<Lexicon, RegExp>();
/** A processing verb (or a series of them) with the user's data as its object, outside what `cue` matches. */
function verbTakesUserData(sentence: string, cue: RegExp, lexicon: Lexicon): boolean {
  if (lexicon.language !== 'zh') return false;
  let pattern = userDataPatterns.get(lexicon);
  if (!pattern) {
    const verbs = `${lexicon.collectVerbs.source}|${lexicon.shareVerbs.source}`;
    pattern = new RegExp(`(?:${verbs})(?:[、和及或与并](?:${verbs}))*[\\s*_]*(?:您|你)(?:（[^）]{0,12}）)?的`, 'gu');
    userDataPatterns.set(lexicon, pattern);
  }
  const guarded = cue.exec(sentence);
  for (const m of sentence.matchAll(pattern)) {
    const before = sentence.slice(0, m.index);
    if (guarded && m.index < guarded.index + guarded[0].length && guarded.index < m.index + m[0].length) continue;
    // Not what the safeguard prevents ("防止…被未经授权访问、使用您的…"), nor denied.
    if (/(?:防止|避免|免遭|未经授权|非法)[^，。；]{0,20}$/u.test(before) || lexicon.negation.test(before)) continue;
    return true;
  }
  return false;
}

/** A PI word used to name something else: 账号安全, 摄像头权限, 语音评测功能. */
function isModifier(tokens: Token[], t: number, lexicon: Lexicon): boolean {
  const next = tokens[t + 1];
  if (!next) return false;
  if (lexicon.modifierFollowers.has(next.word)) return true;
  const after = tokens[t + 2];
  return (next.word === '使用' || next.word === '访问' || next.word === '读写') && after?.word === '权限';
}

/** An ASCII word cut out of a longer one ("IP" of "VIP", "MAC" of "MACHINE"). */
function isAsciiFragment(token: Token, text: string): boolean {
  if (!/^[A-Za-z]/u.test(token.word)) return false;
  return /[A-Za-z0-9_]/u.test(text[token.start - 1] ?? '') || /[A-Za-z0-9_]/u.test(text[token.end] ?? '');
}

interface Clause {
  start: number;
  end: number;
  /** Offset after which a PI word is the object of processing; Infinity when none in this clause. */
  objectsFrom: number;
  /** The verb is negated (我们不会收集…): still a mention, but of what is not done. */
  negated: boolean;
  /** A negation with an exception (不会在未经您同意的情况下…): the processing is conditional. */
  excepted: boolean;
  /** Offset where the verb that opened the objects ends; -1 when the clause continues a list (no verb of its own). */
  verbEnd: number;
}

/** Clause ends. Brackets are not: an aside (您（或您的孩子）的个人信息) or a list of examples (设备信息（如IMEI）) belongs to its clause. */
const CLAUSE_END = /[，,：:]/gu;
/** A clause that opens with a verb of its own after a conjunction ("或者提供…画像", "and share …"): a new statement, not a list item. */
function opensWithVerb(clauseText: string, lexicon: Lexicon): boolean {
  const lead = clauseText.replace(NEGATED_OR_MODAL_LEAD, '');
  for (const v of lead.matchAll(lexicon.derived.processingVerbs)) return v.index === 0 && lead.length > v[0].length + 4;
  return false;
}

/**
 * What may stand before a clause's own verb: a connective, a modal and a negator ("并不收集…",
 * "也不会读取和存储…", "and will not share …"). A clause opening with a negated verb states what is
 * not done; it is not the next item of the list before it.
 */
const NEGATED_OR_MODAL_LEAD =
  /^[\s*_]*(?:或者|或|以及|并且|并|也|亦|还|而|and|or|but)?\s*(?:会|将|可能会|可能|will|may)?\s*(?:不会|不再|并不会|并不|绝不会|决不会|绝不|决不|从不|不|(?:will|do|does|shall) not|never|not)?\s*(?:会|will)?\s*(?:主动)?\s*/iu;
/** An object put before its verb (将您的…, 把你的…). */
const FRONTED_ACROSS = /[将把](?=[\s*_]*(?:您|你|用户|其|儿童|孩子))/u;
/** A clause that turns against the one before it, with a verb of its own: 仅会向…提供, 而是…, but only …. */
const CONTRAST_LEAD = /^\s*(?:但|但是|而|而是|仅|只|however|but|only)[^，,。；;]{0,12}(?:会|将|可能|may|will)/iu;

/**
 * Clauses of a sentence and where, in each, PI words are objects of processing: after a collect or
 * share verb that is not negated ("我们会收集您的姓名" but not "我们不会收集您的银行卡"), or anywhere
 * in a clause that continues a list a verb opened earlier in the sentence ("…信息：姓名、手机号",
 * "…，包括设备型号、IMEI").
 */
function clausesOf(text: string, sentence: Sentence, lexicon: Lexicon, continued: boolean, continuedNegated: boolean): Clause[] {
  const clauses: Clause[] = [];
  const body = text.slice(sentence.start, sentence.end);
  let from = 0;
  let listOpen = continued;
  let listNegated = continued && continuedNegated;
  const push = (to: number) => {
    if (to <= from) return;
    const clauseText = body.slice(from, to);
    let objectsFrom = Infinity;
    let verbEnd = -1;
    let negated = listNegated;
    let excepted = false;
    if (lexicon.derived.purposeLead.test(clauseText)) listOpen = false;
    // A clause with the operator as subject and a verb of its own ("获得您的同意后，我们会向其他方转让…")
    // is a statement, not the next item of a list.
    // So is a clause that turns against the one before ("不会共享…，仅会向合作伙伴提供…画像"): its verb is its own.
    const ownStatement =
      lexicon.operatorProcessing.test(clauseText) || CONTRAST_LEAD.test(clauseText) || opensWithVerb(clauseText, lexicon);
    if (listOpen && !ownStatement && (lexicon.listLead.test(clauseText) || /、/u.test(clauseText) || clauseText.length <= 24))
      objectsFrom = from;
    else {
      for (const v of clauseText.matchAll(lexicon.derived.processingVerbs)) {
        const before = clauseText.slice(0, v.index);
        if (v[1] !== undefined && lexicon.userSubject.test(before)) continue;
        const denial = negationOf(before, body.slice(0, from) + before, body, lexicon);
        // A prohibition on the user (禁止您向他人提供联系方式) is a term of use: its objects are not processed.
        if (denial === 'prohibited') break;
        negated = denial === 'denied';
        excepted = denial === 'excepted';
        objectsFrom = from + v.index + v[0].length;
        verbEnd = objectsFrom;
        lexicon.frontedObject.lastIndex = 0;
        const fronted = lexicon.frontedObject.exec(before);
        if (fronted) objectsFrom = from + fronted.index;
        break;
      }
      // "我们不会将您的个人身份信息（指…，例如…）与合作伙伴共享": an object fronted with 将/把 whose verb
      // comes in a later clause of the sentence.
      if (objectsFrom === Infinity) {
        const marker = FRONTED_ACROSS.exec(clauseText);
        const rest = body.slice(to);
        const verb = marker ? processingVerb(lexicon).exec(rest.slice(0, 80)) : null;
        if (marker && verb && !/[。；;]/u.test(rest.slice(0, verb.index))) {
          const before = clauseText.slice(0, marker.index);
          const denial = negationOf(before, body.slice(0, from) + before, body, lexicon);
          if (denial !== 'prohibited') {
            negated = denial === 'denied';
            excepted = denial === 'excepted';
            objectsFrom = from + marker.index;
            verbEnd = to;
          }
        }
      }
      listOpen = objectsFrom !== Infinity;
      listNegated = negated;
    }
    clauses.push({
      start: sentence.start + from,
      end: sentence.start + to,
      objectsFrom: sentence.start + objectsFrom,
      negated,
      excepted,
      verbEnd: verbEnd < 0 ? -1 : sentence.start + verbEnd,
    });
    from = to;
  };
  CLAUSE_END.lastIndex = 0;
  for (let m = CLAUSE_END.exec(body); m; m = CLAUSE_END.exec(body)) push(m.index + 1);
  push(body.length);
  return clauses;
}

/**
 * Whether the verb after `before` is denied by the operator. Only the operator's own "we do not …"
 * is a denial: a negator whose subject is the user ("如果您不提供…", "拒绝提供…将无法…", "if you do
 * not provide …") states a refusal and its consequence; one forbidding the user something (禁止, 不得)
 * is a term of use; and a negation with an exception ("不会在未经您同意的情况下共享", "unless …")
 * makes the processing conditional, not denied.
 */
function negationOf(
  before: string,
  sentenceBefore: string,
  sentence: string,
  lexicon: Lexicon,
): 'denied' | 'refusal' | 'prohibited' | 'excepted' | 'none' {
  const negation = lexicon.negation.exec(before);
  if (!negation) return 'none';
  const ahead = before.slice(0, negation.index);
  if (lexicon.refusalCue.test(ahead) && !lexicon.operatorSubject.test(ahead)) return 'refusal';
  // "拒绝提供…将无法…", "decline to provide": a refusal unless the operator is the one refusing.
  if (REFUSAL_VERB.test(before.slice(negation.index)) && !lexicon.operatorSubject.test(ahead)) return 'refusal';
  // The sentence up to the negator.
  const beforeNegator = sentenceBefore.slice(0, sentenceBefore.length - before.length + negation.index);
  // "若您拒绝提供，我们将不会…": what the operator will not do after a refusal is a consequence, not a denial.
  if (REFUSAL_BEFORE.test(beforeNegator)) return 'refusal';
  if (!lexicon.operatorSubject.test(sentenceBefore)) {
    if (lexicon.prohibition.test(before.slice(negation.index).trimStart())) return 'prohibited';
    // With the user named before the negator the user is its subject: a refusal. Without the user or
    // the operator, the subject is a named third party or the feature itself ("该SDK不会收集…",
    // "该功能不会读取…"): a denial like the operator's own.
    if (USER_WORD.test(beforeNegator)) return 'refusal';
    // "在不补充提供手机号码的情况下，您将无法…": the user's refusal, its consequence named after it.
    if (USER_CONSEQUENCE.test(sentence)) return 'refusal';
  }
  return lexicon.negationException.test(sentence) ? 'excepted' : 'denied';
}

function overlapsEmphasis(document: PolicyDocument, start: number, end: number): boolean {
  for (const e of document.emphasis) {
    const covered = Math.min(e.end, end) - Math.max(e.start, start);
    if (covered > 0 && covered * 2 >= end - start) return true;
  }
  return false;
}

/** Whether a candidate stands where its clause takes objects of processing. */
function isObjectOf(c: Candidate, clause: Clause): boolean {
  return clause.objectsFrom <= c.start && c.end <= clause.end;
}

const REFUSAL_VERB = /^\s*(?:拒绝|decline|refuse)/iu;
/** The user, named as a possible subject. */
const USER_WORD = /您|你|用户|乙方|\b(?:you|users?)\b/iu;
/** A consequence the user bears (您将无法…, you will not be able to …). */
const USER_CONSEQUENCE = /(?:您|你|用户)[^，。；]{0,6}(?:无法|不能|不可)|\byou (?:will |may |might )?(?:not be able|be unable)\b/iu;
const REFUSAL_BEFORE =
  /(?:如|若|如果|假如|倘若|一旦)(?:您|你|用户)[^。；]{0,6}(?:拒绝|不同意|不提供|不授权|未授权|关闭)|\bif you (?:refuse|decline|do not|don['’]t)\b/iu;

/** What lies between a verb and its direct object: determiners, possessives, conjunctions (收集、使用您的个人信息). */
const DIRECT_GAP: Record<string, RegExp> = {
  zh: /^[\s*_、，,（）()和及与或并以及您你的其用户本人我们孩子相关必要部分全部上述前述这些该等此类一些某些所需下列以下如下有关个人]*$|^[^，。；：:、]{0,30}的[\s*_]*$|^[^，。；：:]{1,40}等[\s*_]*$/u,
  en: /^(?:[\s,*_]|\b(?:your|the|such|this|these|that|those|any|all|some|certain|other|related|relevant|necessary|and|or|of|personal|users?['’]?s?)\b)*$/iu,
};
/** Words that point at data named before or after them rather than naming it. */
const ANAPHORA =
  /^(?:上述|前述|以下|下列|该等|此类|这些|此等|该|此|这类|这一|上列|如下|the above|above|aforementioned|the following|following|such|these|this|those|that)(?![A-Za-z])/iu;
/** The data subject as owner (您的信息). */
const OWNER_WORD = /^(?:您的|你的|your)$/iu;
/** An account word on its own: the account, unless it is what is collected. */
const ACCOUNT_WORD = /^(?:账号|帐号|账户|帐户|account)$/iu;
/** A title asking the reader's question ("我们如何收集…", "What we collect"). */
const TITLE_QUESTION = /如何|怎样|怎么|哪些|\b(?:how|what|which|why)\b/iu;
/** What a safeguard prevents: "不被未经授权访问、披露", "免遭非法使用", "防止…泄露", "against unauthorised access". */
const GUARDED_HARM =
  /(?:不被|免遭|免受|免于|防止|避免|未经授权的?|未授权的?|非法)[^，。；,;.]{0,20}|\b(?:against|from|prevent(?:ing)?)\s+(?:any\s+)?(?:unauthori[sz]ed|unlawful|illegal)\b[^,;.]{0,40}/giu;
/** A PI word inside a negated noun ("非个人信息", "non-personal"): not PI. */
const NEGATED_NOUN = /(?:[非无]|non-?)$/iu;
/** List items of a list a lead sentence opened (1. … / （1）… / a) … / • …). */
const LIST_ITEM = /^[\s*_•·●○■◆▪-]*(?:[（(]?\d{1,2}[)）.、．]|[（(]?[一二三四五六七八九十]{1,3}[)）、]|[①-⑳]|[a-zA-Z][.)）])/u;
/** Sections whose PI words are not statements of processing, and the context they give them. */
const SECTION_CONTEXT: [SectionKind, MentionContext][] = [
  ['user-rights', 'rights'],
  ['consent-withdrawal', 'rights'],
  ['privacy-settings', 'rights'],
  ['definitions', 'definition'],
];

/** Inside a 《title》 (the name of a law or document, 《个人信息保护法》). */
function inBookTitle(text: string, from: number, at: number): boolean {
  const open = text.lastIndexOf('《', at);
  return open >= from && text.indexOf('》', open) >= at;
}

export interface Mentions {
  dataMentions: DataMention[];
  contextMentions: ContextMention[];
}

/**
 * Personal-information mentions. A data mention is PI the operator (or a named third party)
 * collects, uses, stores, shares or transfers: a PI word that is the object of a processing verb in
 * a sentence about processing. The generic term (个人信息, personal data) and references to data
 * named before (上述信息) count only as the direct object of a processing verb that is not denied.
 * PI words in headings, the user's rights, definitions, security pledges, advice and the exceptions
 * to consent are kept apart, with that context.
 */
export function findDataMentions(document: PolicyDocument, structure: Structure, lexicon: Lexicon): Mentions {
  const { text } = document;
  const mentions: DataMention[] = [];
  const contextMentions: ContextMention[] = [];
  /** Sentences whose last clause still takes objects, with whether that clause is denied. */
  const openObjects = new Map<number, boolean>();
  let exceptionList = false;
  let lastBlock = -1;
  const direct = DIRECT_GAP[lexicon.language] ?? DIRECT_GAP.en!;
  const exceptionCue = lexicon.contextCues.find(([c]) => c === 'exception')![1];
  const collectionStatement = lexicon.sectionBody.find(([kind]) => kind === 'collection-use')?.[1];
  for (const [index, sentence] of structure.sentences.entries()) {
    const section = structure.sections[sentence.section]!;
    const sentenceText = text.slice(sentence.start, sentence.end);
    const firstOfBlock = sentence.section !== lastBlock;
    lastBlock = sentence.section;
    // The legal exceptions to consent come as a list after a lead ("以下情形中，我们无需征得您的同意：");
    // the list ends at the first block that is not an item of it.
    if (firstOfBlock && exceptionList && !LIST_ITEM.test(text.slice(section.start, section.end))) exceptionList = false;

    let context: MentionContext | null = null;
    const hasVerb = lexicon.collectVerbs.test(sentenceText) || lexicon.shareVerbs.test(sentenceText);
    // A title names a topic ("我们如何收集您的个人信息"); a numbered line that states processing and
    // leads into a list ("4.以下情形中我们使用个人信息无需征得您的同意：", "需要您提供以下信息：") is a statement.
    if (
      section.role === 'contents' ||
      ((structure.headings.has(sentence.section) || section.role === 'heading') && (!hasVerb || TITLE_QUESTION.test(sentenceText)))
    )
      context = 'heading';
    else if (
      (exceptionList || (section.heading !== undefined && exceptionCue.test(section.heading))) &&
      LIST_ITEM.test(text.slice(section.start, section.end))
    )
      // The items of the list; its lead ("以下情形中，我们收集、使用个人信息无需征得您的同意") is a statement of processing.
      context = 'exception';
    else {
      const processingSection = section.kinds.some((k) => PROCESSING_KINDS.has(k));
      if (!processingSection) {
        for (const [kind, c] of SECTION_CONTEXT) if (section.kinds.includes(kind)) context ??= c;
        // Cookies, contact and policy-change sections name data only in passing: neither processing nor a context worth keeping.
        if (context === null && section.kinds.some((k) => NON_PROCESSING_KINDS.has(k))) continue;
        if (
          context === null &&
          section.kinds.length > 0 &&
          section.kinds.every((k) => k === 'security') &&
          !lexicon.operatorProcessing.test(sentenceText)
        )
          context = 'security';
      }
      if (context === null) {
        for (const [c, cue] of lexicon.contextCues) {
          if (c === 'exception' || !cue.test(sentenceText)) continue;
          // A security purpose in a collection statement ("为保障您的信息安全，我们会收集…") is still collection.
          // So is a statement whose verb takes the user's data, with the safeguard as its condition or purpose
          // ("在采取安全措施的前提下，才会公开披露您的个人信息", "需要提供您的…，以便…保障安全").
          // The harms a safeguard guards against ("保护您的个人数据不被未经授权访问、披露") are not processing.
          const processing = c === 'security' ? sentenceText.replace(GUARDED_HARM, '') : sentenceText;
          if (
            c === 'security' &&
            (collectionStatement?.test(processing) ||
              lexicon.operatorProcessing.test(processing) ||
              verbTakesUserData(processing, cue, lexicon))
          )
            continue;
          // A statement of processing followed by the user's right over that data ("我们会收集您的浏览记录，您可以
          // 自主删除…") is a statement of processing: the remark about the right comes after it.
          if (c === 'rights') {
            const statement = lexicon.operatorProcessing.exec(sentenceText);
            if (statement && statement.index < cue.exec(sentenceText)!.index) continue;
          }
          context = c;
          break;
        }
      }
    }
    if (exceptionCue.test(sentenceText) && /[：:]\s*[*_]*\s*$/u.test(sentenceText)) exceptionList = true;
    // "2) 身份信息：姓名", "日志信息：当您使用…时，我们会收集…", "设备信息包括设备型号、IMEI": in a section
    // on processing, a PI label with a colon opens a list of what is processed; it is not a title.
    const labelled = context === null || context === 'heading' ? labelledLine(text, sentence, section, lexicon) : null;
    if (labelled !== null) context = null;

    if (context !== null) {
      if (!candidatesWorthScanning(sentenceText, lexicon)) continue;
      let lastEnd = -1;
      for (const c of candidatesOfSentence(document, sentence, lexicon).sort((a, b) => a.start - b.start || b.end - a.end)) {
        if (c.start < lastEnd || isBroken(text, sentence.start, c)) continue;
        lastEnd = c.end;
        contextMentions.push({
          start: c.start,
          end: c.end,
          text: text.slice(c.start, c.end),
          category: c.category,
          sensitive: c.sensitive || SENSITIVE_CATEGORIES.has(c.category),
          context,
          section: sentence.section,
        });
      }
      continue;
    }

    // A sentence broken over lines (a verb at the end of one line, its objects on the next, as text
    // copied from styled pages often is) continues the previous line's list.
    const previous = structure.sentences[index - 1];
    const continued =
      previous !== undefined &&
      openObjects.has(index - 1) &&
      !/[。！？!?.]\s*[*_]*\s*$/u.test(text.slice(previous.start, previous.end)) &&
      /^[\s*_]*$/u.test(text.slice(previous.end, sentence.start));
    const hasProcessingVerb = lexicon.collectVerbs.test(sentenceText) || lexicon.shareVerbs.test(sentenceText);
    if (labelled === null && !continued && !hasProcessingVerb) continue;
    let clauses: Clause[];
    if (labelled !== null) {
      // The label, and the list after it when no verb follows; a statement after the label is read as usual.
      const rest = text.slice(labelled, sentence.end);
      const restHasVerb = lexicon.collectVerbs.test(rest) || lexicon.shareVerbs.test(rest);
      const label: Clause = {
        start: sentence.start,
        end: restHasVerb ? labelled : sentence.end,
        objectsFrom: sentence.start,
        negated: false,
        excepted: false,
        verbEnd: -1,
      };
      clauses = restHasVerb ? [label, ...clausesOf(text, { ...sentence, start: labelled }, lexicon, false, false)] : [label];
    } else clauses = clausesOf(text, sentence, lexicon, continued, continued && openObjects.get(index - 1) === true);
    const last = clauses[clauses.length - 1];
    // A title's verb ("1.我们收集的信息") opens no list on the next line.
    if (last && last.objectsFrom < Infinity && section.role !== 'heading') openObjects.set(index, last.negated);
    const conditional = lexicon.conditionCue.test(sentenceText) || clauses.some((c) => c.excepted);
    const words = candidatesOfSentence(document, sentence, lexicon);
    const overlapsAny = (l: Candidate, others: Candidate[]) => others.some((w) => w.start < l.end && l.start < w.end);
    const lists = [...listsBeforeEtc(text, clauses, lexicon), ...relativeObjects(text, clauses, lexicon)].filter(
      (l) => !overlapsAny(l, words),
    );
    const known = [...words, ...lists];
    // Items are compared with every PI word, also those dropped above (a hardware word, 视频 without an owner).
    const coordinated = coordinatedItems(text, clauses, known, lexicon).filter(
      (l) => !overlapsAny(l, known) && !overlapsAny(l, wordsOfSentence(document, sentence, lexicon)),
    );
    const candidates = [...known, ...coordinated]
      .flatMap((c) => {
        const clause = clauses.find((cl) => isObjectOf(c, cl));
        if (!clause || isBroken(text, sentence.start, c)) return [];
        // A word pointing at data named elsewhere (上述信息, the following data) names no data itself.
        if (c.category === 'general' && ANAPHORA.test(text.slice(c.start, c.end))) return [];
        // The generic term and references count only as the direct object of a verb that is not denied;
        // so does a bare account word, which otherwise names the account itself (注册账号, 登录帐号).
        if (c.category === 'general' || (c.category === 'accounts' && ACCOUNT_WORD.test(text.slice(c.start, c.end)))) {
          if (clause.negated) return [];
          // Right after the nearest verb before it in its clause (verbs in a series count as one:
          // 收集、使用、共享您的个人信息), or fronted before the clause's verb (将您的个人信息共享给…).
          const before = text.slice(clause.start, c.start);
          let last = -1;
          for (const v of before.matchAll(lexicon.derived.processingVerbs)) last = v.index + v[0].length;
          let gap: string;
          if (last >= 0) gap = before.slice(last);
          else if (clause.verbEnd >= 0 && c.start < clause.verbEnd)
            gap = text.slice(clause.objectsFrom, c.start).replace(lexicon.frontedObject, '');
          else if (clause.verbEnd < 0 && passiveVerbAfter(text.slice(c.end, clause.end), lexicon))
            // A clause that continues a list but has a verb of its own after the data ("您的个人信息可能会与关联公司共享"):
            // the data is the verb's fronted object.
            gap = before.replace(/^[\s*_]*(?:[（(]?\d{1,2}[)）.、．]|[（(]?[一二三四五六七八九十]{1,3}[)）、])?/u, '');
          else return [];
          if (!direct.test(gap)) return [];
        }
        return [{ ...c, negated: clause.negated }];
      })
      .sort((a, b) => a.start - b.start || b.end - a.end);
    // Necessity is often said in the next sentence: "如果您不提供，将无法注册".
    const next = structure.sentences[index + 1];
    const around = next && next.section === sentence.section ? sentenceText + text.slice(next.start, next.end) : sentenceText;
    const required = lexicon.requiredCues.test(around) && !lexicon.optionalCues.test(around);
    let lastEnd = -1;
    for (const c of candidates) {
      if (c.start < lastEnd) continue;
      lastEnd = c.end;
      mentions.push({
        start: c.start,
        end: c.end,
        text: text.slice(c.start, c.end),
        category: c.category,
        sensitive: c.sensitive || SENSITIVE_CATEGORIES.has(c.category),
        highlighted: overlapsEmphasis(document, c.start, c.end),
        required,
        negated: c.negated,
        conditional: !c.negated && conditional,
        section: sentence.section,
      });
    }
  }
  return { dataMentions: mentions, contextMentions };
}

/** A line that opens with a label and a colon or 包括: (numbering) label (：|包括). */
const LABEL_LINE =
  /^[\s*_#>•·●○■◆▪-]*(?:[（(]?(?:\d{1,2}(?:[.．]\d{1,2})*|[一二三四五六七八九十]{1,3}|[a-zA-Z])[)）.、．]\s*|[①-⑳]\s*)?[\s*_]*([^，。；：:、（）()]{2,16}?)[\s*_]*(?:[：:]|(?:主要|具体)?包括|包含)/u;

/**
 * Where the label of a labelled line ends ("位置信息：城市", "设备信息包括…"), when the line sits in a section
 * on collection, provision or sharing and its label names a type of PI without a verb of its own; else null.
 */
function labelledLine(text: string, sentence: Sentence, section: PolicySection, lexicon: Lexicon): number | null {
  if (lexicon.language !== 'zh' || !section.kinds.some((k) => PROCESSING_KINDS.has(k))) return null;
  const m = LABEL_LINE.exec(text.slice(sentence.start, Math.min(sentence.end, sentence.start + 60)));
  if (!m) return null;
  const label = m[1]!;
  if (!innerTerm(label, lexicon) || processingVerb(lexicon).test(label) || lexicon.operatorSubject.test(label)) return null;
  return sentence.start + m[0].length;
}

/** A processing verb after the data in its clause, not denied: "…可能会与关联公司共享". */
function passiveVerbAfter(after: string, lexicon: Lexicon): boolean {
  lexicon.derived.processingVerbs.lastIndex = 0;
  const v = lexicon.derived.processingVerbs.exec(after);
  lexicon.derived.processingVerbs.lastIndex = 0;
  if (!v || (v[1] === undefined && !lexicon.shareVerbs.test(v[0]))) return false;
  return !lexicon.negation.test(after.slice(0, v.index));
}

/** "收集您的登录时间、游戏时长等信息": a list closed by 等信息 right after a verb is data even when no word of it is a known term. */
const ETC_LIST = /^[\s*_您你的其用户以下如下部分必要相关]*([^，。；：:（）()]{2,60}?)等(?:个人|相关|其他)?(?:信息|数据|资料)/u;

function listsBeforeEtc(text: string, clauses: Clause[], lexicon: Lexicon): Candidate[] {
  if (lexicon.language !== 'zh') return [];
  const found: Candidate[] = [];
  for (const clause of clauses) {
    if (clause.verbEnd < 0 || clause.negated) continue;
    const m = ETC_LIST.exec(text.slice(clause.verbEnd, clause.end));
    if (!m || !/、|和|及/u.test(m[1]!)) continue;
    const start = clause.verbEnd + m.index + m[0].indexOf(m[1]!);
    const end = clause.verbEnd + m.index + m[0].length;
    const inner = innerTerm(text.slice(start, end), lexicon);
    found.push({ start, end, category: inner?.category ?? UNCLASSIFIED_CATEGORY, sensitive: inner?.sensitive ?? false });
  }
  return found;
}

/** Verbs in a series after the first (收集、使用并存储…) and what stands between a verb and its object. */
const VERB_SERIES_GAP = /^[\s*_、，,和及与或并以及]*/u;
/**
 * "收集您发布的信息", "记录系统故障时产生的信息", "收集有关您使用的移动应用和其他软件的信息": a head
 * after a relative clause (…的信息) as the direct object of a processing verb names data even when no
 * word of it is a known term. Not when the operator gives the user something (向您提供…的信息).
 */
const RELATIVE_OBJECT =
  /^[\s*_]*(?:您的|你的|用户的|您|你|用户|其)?([^，。；：:（）()“”"、\n]{2,24}?)的[\s*_]*(?:个人|相关|其他|其它)?(?:信息|数据|资料|记录)/u;
/** A relative clause that starts as one (not a fragment 的…, 而…, 或…, 方…) and is not the generic "about you" (有关您的). */
const RELATIVE_OWN = /^(?![的而或及与和等方者被将把对向为给])[^您你]*(?:[您你](?!的)[^您你]*)?$/u;
/** What describes the data's use or necessity, not the data (所必需的, 相应的, 服务的过程中…, 安全措施来保护…). */
const GENERIC_RELATIVE =
  /必需|必要|所需|需要|相应|相关|有关|服务|方式|安全|措施|目的|协议|法律|范围|我们|我行|我司|本公司|第三方|其他人|用户|未成年|儿童|去标识|匿名|公开|许可|授权|合法/u;
const TO_THE_USER = /(?:向|为|给|对)(?:您|你|用户)[^，。；]{0,8}$/u;
const OFFERING_VERB = /^(?:提供|展示|发送|推送|推荐|发布|披露|公开)/u;

const verbPatterns = new WeakMap<Lexicon, RegExp>();
/** The processing verbs without the global flag, for `exec`/`test` (the derived pattern is for `matchAll`). */
function processingVerb(lexicon: Lexicon): RegExp {
  let pattern = verbPatterns.get(lexicon);
  if (!pattern) {
    const { source, flags } = lexicon.derived.processingVerbs;
    pattern = new RegExp(source, flags.replace('g', ''));
    verbPatterns.set(lexicon, pattern);
  }
  return pattern;
}

function relativeObjects(text: string, clauses: Clause[], lexicon: Lexicon): Candidate[] {
  if (lexicon.language !== 'zh') return [];
  const found: Candidate[] = [];
  for (const clause of clauses) {
    if (clause.verbEnd < 0 || clause.negated) continue;
    let at = clause.verbEnd;
    // Skip further verbs of a series: 收集、使用并存储您…的信息.
    for (;;) {
      const gap = VERB_SERIES_GAP.exec(text.slice(at, clause.end))![0].length;
      const v = /^\S/u.test(text.slice(at + gap, at + gap + 1)) ? processingVerb(lexicon).exec(text.slice(at + gap, at + gap + 8)) : null;
      if (!v || v.index !== 0) break;
      at += gap + v[0].length;
    }
    const verbText = text.slice(clause.start, at);
    const verbStart = verbText.search(/\S*$/u);
    if (
      TO_THE_USER.test(text.slice(clause.start, clause.start + Math.max(0, verbStart))) &&
      OFFERING_VERB.test(text.slice(clause.start + verbStart, at))
    )
      continue;
    const m = RELATIVE_OBJECT.exec(text.slice(at, clause.end));
    if (!m) continue;
    const relative = m[1]!;
    // 产品的信息, 服务的信息, 广告的数据: about things, not the user.
    if ([...lexicon.nonPersonalModifiers].some((w) => w.length >= 2 && relative.endsWith(w)) || ANAPHORA.test(relative)) continue;
    if (lexicon.derived.purposeLead.test(relative) || /[为以](?:了|便)/u.test(relative)) continue;
    if (!RELATIVE_OWN.test(relative) || GENERIC_RELATIVE.test(relative)) continue;
    // "由您提供的信息", "收集而来的信息", "授权共享的信息": data described by how it is processed is the generic term.
    const verb = processingVerb(lexicon).exec(relative);
    if (verb && verb[0] !== '使用') continue;
    const start = at + m.index + m[0].indexOf(relative);
    const end = at + m.index + m[0].length;
    const inner = innerTerm(text.slice(start, end), lexicon);
    found.push({ start, end, category: inner?.category ?? UNCLASSIFIED_CATEGORY, sensitive: inner?.sensitive ?? false });
  }
  return found;
}

/** A party, not data (设备厂商, 第三方平台, 票务销售方). */
const PARTY_END = /(?:公司|平台|厂商|商|方|银行|机构|机关|部门|伙伴|集团)$/u;
/** Leading words of a list item that are not part of it (包括, 例如, 您的, 以及), and what ends it (等…). */
const ITEM_LEAD = /^[\s*_]*(?:(?:包括但不限于|包括|包含|例如|比如|诸如|如|即|以及|及|和|或|您的|你的|用户的|您|你|其)[\s*_]*)*/u;
const ITEM_TAIL = /(?:等(?:个人|相关|其他)?(?:信息|数据|资料)?|等)?[\s*_]*$/u;

/**
 * "收集您的姓名、出发城市、乘车日期": an item of a list (、) that is the object of a processing verb is data
 * when another item of that list is a known PI term, even if it is no term we know.
 */
function coordinatedItems(text: string, clauses: Clause[], known: Candidate[], lexicon: Lexicon): Candidate[] {
  if (lexicon.language !== 'zh') return [];
  const found: Candidate[] = [];
  for (const clause of clauses) {
    if (clause.objectsFrom === Infinity || clause.objectsFrom >= clause.end) continue;
    const from = Math.max(clause.objectsFrom, clause.start);
    const region = text.slice(from, clause.end).replace(/[\s*_]*[，,：:（）()。；;！!？?]*[\s*_]*$/u, '');
    if (!region.includes('、')) continue;
    const items: { start: number; end: number }[] = [];
    let at = 0;
    for (const part of region.split('、')) {
      const lead = ITEM_LEAD.exec(part)![0].length;
      const body = part.slice(lead);
      const tail = ITEM_TAIL.exec(body)!;
      items.push({ start: from + at + lead, end: from + at + lead + tail.index });
      at += part.length + 1;
    }
    const overlapsKnown = (i: { start: number; end: number }) => known.some((k) => k.start < i.end && i.start < k.end);
    // An item that is a known PI term and little else (not "订单信息来进行您的身份核验", a purpose after the data).
    const isTerm = (i: { start: number; end: number }) =>
      known.some((k) => k.category !== 'general' && k.start >= i.start && k.start - i.start <= 4 && k.end <= i.end && i.end - k.end <= 2);
    if (!items.some(isTerm)) continue;
    for (const item of items) {
      const itemText = text.slice(item.start, item.end);
      if (overlapsKnown(item) || itemText.length < 2 || itemText.length > 12 || PARTY_END.test(itemText)) continue;
      if (/[\s*_，,。；;：:“”"《》]/u.test(itemText) || ANAPHORA.test(itemText) || lexicon.nonPersonalModifiers.has(itemText.toLowerCase()))
        continue;
      if (
        processingVerb(lexicon).test(itemText) ||
        lexicon.derived.purposeLead.test(itemText) ||
        /用于|以便|为了|功能|服务/u.test(itemText)
      )
        continue;
      const inner = innerTerm(itemText, lexicon);
      found.push({
        start: item.start,
        end: item.end,
        category: inner?.category ?? UNCLASSIFIED_CATEGORY,
        sensitive: inner?.sensitive ?? false,
      });
    }
  }
  return found;
}

/** Context sentences without a verb are still scanned when they hold a PI head at all (cheap pre-check). */
function candidatesWorthScanning(sentence: string, lexicon: Lexicon): boolean {
  return lexicon.heads.some((h) => sentence.includes(h));
}

/** A span that is not a PI mention: inside a negated noun (非个人信息) or a document title (《个人信息保护法》). */
function isBroken(text: string, sentenceStart: number, c: Candidate): boolean {
  if (NEGATED_NOUN.test(text.slice(Math.max(sentenceStart, c.start - 4), c.start))) return true;
  return inBookTitle(text, sentenceStart, c.start);
}
