import { knowledgeDataDir } from '@apprights/knowledge';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTION_KINDS, type MentionContext, type PolicyLanguage, type SectionKind } from './types.js';

/** The shape of `packages/knowledge/data/policy/lexicon.<language>.json`. */
interface LexiconFile {
  version: string;
  language: PolicyLanguage;
  pi: { category: string; terms: string[]; sensitive?: string[] }[];
  heads: string[];
  nonPersonalModifiers: string[];
  referenceModifiers: string[];
  collectVerbs: string;
  shareVerbs: string;
  negation: string;
  contextCues: Record<MentionContext, string>;
  conditionCue: string;
  refusalCue: string;
  negationException: string;
  operatorSubject: string;
  prohibition: string;
  undertaking: string;
  handOverVerbs: string;
  frontedObject: string;
  listLead: string;
  userSubject: string;
  modifierFollowers: string[];
  ownedOnly: string[];
  ownerCue: string;
  sections: Record<SectionKind, { heading: string; body: string }>;
  sectionNone: string;
  recipients: {
    generic: string[];
    organisationSuffix: string;
    platforms: string[];
    partyHeads: string;
    recipientRole: string;
    sourceRole: string;
  };
  permissions: { permissions: string[]; terms: string[] }[];
  permissionCue: string;
  purposeTriggers: string;
  requiredCues: string;
  optionalCues: string;
  collectedListCue: string;
  thirdPartyListCue: string;
  operatorCue: string;
  responseCue: string;
  effectiveCue: { effective: string; updated: string; published: string };
}

export interface PiTerm {
  term: string;
  category: string;
  sensitive: boolean;
}

/** A lexicon compiled for matching: term maps and regular expressions. */
export interface Lexicon {
  language: PolicyLanguage;
  /** PI terms by lower-cased surface form. */
  piTerms: Map<string, PiTerm>;
  /** Longest PI term, in characters (bounds the dictionary scan). */
  longestTerm: number;
  heads: string[];
  nonPersonalModifiers: Set<string>;
  /** Words that make a head refer back to data named before (上述信息, 这些信息): a mention without a type. */
  referenceModifiers: Set<string>;
  collectVerbs: RegExp;
  shareVerbs: RegExp;
  /** Matches the text just before a verb when the verb is negated (不会收集). */
  negation: RegExp;
  /**
   * Sentences whose PI words are not statements of processing: the user's rights, definitions and
   * scope, security pledges, advice to the user, exceptions to consent (headings are known from the outline).
   */
  contextCues: [Exclude<MentionContext, 'heading'>, RegExp][];
  /** Processing only with consent or when the user chooses a feature (经您同意后, if you choose to). */
  conditionCue: RegExp;
  /** Matches the text before a negator whose subject is the user (如果您不提供…): a refusal, not a negated statement. */
  refusalCue: RegExp;
  /** A negation with an exception (不会在未经您同意的情况下…, unless): the processing is conditional, not denied. */
  negationException: RegExp;
  /** The operator named as subject (我们, 本公司, we). */
  operatorSubject: RegExp;
  /** A negator that forbids the user something (禁止, 不得, must not): terms of use, not a statement about processing. */
  prohibition: RegExp;
  /**
   * A user's undertaking in terms-of-service style (您应提交真实、准确、完整的信息; you agree the information is
   * accurate and complete): it binds the user, it does not say the operator processes what is provided.
   */
  undertaking: RegExp;
  /** The operator as subject with a processing verb after it (我们会收集…, we collect): a statement of processing. */
  operatorProcessing: RegExp;
  /** Verbs that hand data to another party (共享, 提供给, 委托…): where recipients are named. */
  handOverVerbs: RegExp;
  /** A marker that puts the object before its verb (将您的信息共享给…, 您的信息将被收集). */
  frontedObject: RegExp;
  /** A clause that continues a list (包括…, such as …). */
  listLead: RegExp;
  /** Matches the text before a collect verb whose subject is the user (您使用…), which is not collection. */
  userSubject: RegExp;
  /** Words that make a PI word before them a modifier (账号安全, 摄像头权限, 语音评测). */
  modifierFollowers: Set<string>;
  /**
   * Words that name personal data only when the data subject owns them (您上传的视频, your location):
   * otherwise content, a place in a layout or a channel (视频内容, 广告位置, 通过短信通知).
   */
  ownedOnly: Set<string>;
  /** Matches the text just before a word whose owner is the data subject (您的, 您上传的, your). */
  ownerCue: RegExp;
  sectionHeading: [SectionKind, RegExp][];
  sectionBody: [SectionKind, RegExp][];
  /** A title on a topic none of the kinds covers (exceptions to consent, disputes, other terms): its children inherit nothing. */
  sectionNone: RegExp;
  genericRecipients: Map<string, string>;
  platforms: Map<string, string>;
  organisationSuffix: RegExp;
  /** A party named in the recipient role: 向/与/给 (to, with) + a phrase ending in a party noun. Global, for matchAll. */
  recipientPhrase: RegExp;
  /** Matches the text before a party named as the source of data (从…处获取, from). */
  sourceRole: RegExp;
  permissionTerms: { term: string; permissions: string[] }[];
  permissionCue: RegExp;
  purposeTriggers: RegExp;
  requiredCues: RegExp;
  optionalCues: RegExp;
  collectedListCue: RegExp;
  thirdPartyListCue: RegExp;
  operatorCue: RegExp;
  responseCue: RegExp;
  effectiveCue: { effective: RegExp; updated: RegExp; published: RegExp };
  /**
   * Derived once here rather than per sentence in the hot path. Global patterns are for `matchAll`
   * (which copies them), never for `test`.
   */
  derived: {
    /** Collect or share verbs; group 1 is set for a collect verb. */
    processingVerbs: RegExp;
    /** A clause that opens with a purpose (为了…, to …). */
    purposeLead: RegExp;
    purposeTriggers: RegExp;
    permissionCue: RegExp;
    effectiveCue: { effective: RegExp; updated: RegExp; published: RegExp };
  };
}

const cache = new Map<PolicyLanguage, Lexicon>();

function compile(source: string, where: string, flags = 'u'): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new Error(`policy lexicon: ${where}: ${(error as Error).message}`);
  }
}

/** The lexicon of a language, read from the knowledge data once per process. */
export function lexicon(language: PolicyLanguage): Lexicon {
  const cached = cache.get(language);
  if (cached) return cached;
  const path = join(knowledgeDataDir(), 'policy', `lexicon.${language}.json`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as LexiconFile;
  const ci = language === 'en' ? 'iu' : 'u';
  const piTerms = new Map<string, PiTerm>();
  let longestTerm = 0;
  for (const group of file.pi) {
    const sensitive = new Set(group.sensitive ?? []);
    for (const term of group.terms) {
      const key = term.toLowerCase();
      if (!piTerms.has(key)) piTerms.set(key, { term, category: group.category, sensitive: sensitive.has(term) });
      longestTerm = Math.max(longestTerm, term.length);
    }
  }
  for (const kind of Object.keys(file.sections)) {
    if (!(SECTION_KINDS as readonly string[]).includes(kind)) throw new Error(`policy lexicon ${path}: unknown section kind ${kind}`);
  }
  const result: Lexicon = {
    language,
    piTerms,
    longestTerm,
    heads: [...file.heads].sort((a, b) => b.length - a.length),
    nonPersonalModifiers: new Set(file.nonPersonalModifiers.map((m) => m.toLowerCase())),
    referenceModifiers: new Set(file.referenceModifiers.map((m) => m.toLowerCase())),
    collectVerbs: compile(file.collectVerbs, 'collectVerbs', ci),
    shareVerbs: compile(file.shareVerbs, 'shareVerbs', ci),
    negation: compile(file.negation, 'negation', ci),
    contextCues: (['rights', 'definition', 'advice', 'security', 'exception'] as const).map((c) => [
      c,
      compile(file.contextCues[c], `contextCues.${c}`, ci),
    ]),
    conditionCue: compile(file.conditionCue, 'conditionCue', ci),
    refusalCue: compile(file.refusalCue, 'refusalCue', ci),
    negationException: compile(file.negationException, 'negationException', ci),
    operatorSubject: compile(file.operatorSubject, 'operatorSubject', ci),
    prohibition: compile(file.prohibition, 'prohibition', ci),
    undertaking: compile(file.undertaking, 'undertaking', ci),
    operatorProcessing: compile(
      `(?:${file.operatorSubject})[^。；.;]{0,30}(?:${file.collectVerbs}|${file.shareVerbs})`,
      'operatorSubject',
      ci,
    ),
    handOverVerbs: compile(file.handOverVerbs, 'handOverVerbs', ci),
    frontedObject: compile(file.frontedObject, 'frontedObject', 'g' + ci),
    listLead: compile(file.listLead, 'listLead', ci),
    userSubject: compile(file.userSubject, 'userSubject', ci),
    modifierFollowers: new Set(file.modifierFollowers),
    ownedOnly: new Set(file.ownedOnly.map((w) => w.toLowerCase())),
    ownerCue: compile(file.ownerCue, 'ownerCue', ci),
    sectionHeading: Object.entries(file.sections).map(([kind, cues]) => [
      kind as SectionKind,
      compile(cues.heading, `${kind}.heading`, ci),
    ]),
    sectionNone: compile(file.sectionNone, 'sectionNone', ci),
    sectionBody: Object.entries(file.sections).map(([kind, cues]) => [kind as SectionKind, compile(cues.body, `${kind}.body`, ci)]),
    genericRecipients: new Map(file.recipients.generic.map((r) => [r.toLowerCase(), r])),
    platforms: new Map(file.recipients.platforms.map((r) => [r.toLowerCase(), r])),
    organisationSuffix: compile(file.recipients.organisationSuffix, 'recipients.organisationSuffix', ci),
    recipientPhrase:
      language === 'zh'
        ? compile(
            `(?:${file.recipients.recipientRole.replace(/\$$/u, '')})([^，。；、：:（）()“”"\\s]{0,16}?(?:${file.recipients.partyHeads}))`,
            'recipients.partyHeads',
            'gu',
          )
        : compile(
            `(?:${file.recipients.recipientRole.replace(/\$$/u, '')})((?:[\\p{L}-]+\\s+){0,4}?(?:${file.recipients.partyHeads}))\\b`,
            'recipients.partyHeads',
            'giu',
          ),
    sourceRole: compile(file.recipients.sourceRole, 'recipients.sourceRole', ci),
    permissionTerms: file.permissions
      .flatMap((p) => p.terms.map((term) => ({ term, permissions: p.permissions })))
      .sort((a, b) => b.term.length - a.term.length),
    permissionCue: compile(file.permissionCue, 'permissionCue', ci),
    purposeTriggers: compile(file.purposeTriggers, 'purposeTriggers', ci),
    requiredCues: compile(file.requiredCues, 'requiredCues', ci),
    optionalCues: compile(file.optionalCues, 'optionalCues', ci),
    collectedListCue: compile(file.collectedListCue, 'collectedListCue', ci),
    thirdPartyListCue: compile(file.thirdPartyListCue, 'thirdPartyListCue', ci),
    operatorCue: compile(file.operatorCue, 'operatorCue', ci),
    responseCue: compile(file.responseCue, 'responseCue', ci),
    effectiveCue: {
      effective: compile(file.effectiveCue.effective, 'effectiveCue.effective', ci),
      updated: compile(file.effectiveCue.updated, 'effectiveCue.updated', ci),
      published: compile(file.effectiveCue.published, 'effectiveCue.published', ci),
    },
    derived: {
      processingVerbs: compile(`(${file.collectVerbs})|${file.shareVerbs}`, 'collectVerbs|shareVerbs', `g${ci}`),
      purposeLead: compile(`^\\s*(?:${file.purposeTriggers})`, 'purposeTriggers', ci),
      purposeTriggers: compile(file.purposeTriggers, 'purposeTriggers', `g${ci}`),
      permissionCue: compile(file.permissionCue, 'permissionCue', `g${ci}`),
      effectiveCue: {
        effective: compile(file.effectiveCue.effective, 'effectiveCue.effective', `g${ci}`),
        updated: compile(file.effectiveCue.updated, 'effectiveCue.updated', `g${ci}`),
        published: compile(file.effectiveCue.published, 'effectiveCue.published', `g${ci}`),
      },
    },
  };
  cache.set(language, result);
  return result;
}
