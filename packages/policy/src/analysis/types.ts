import type { PolicyFormat } from '../document/types.js';

/**
 * The analysis of one privacy policy: what it says, where (character offsets into `text` of the
 * document read, JavaScript string indices), and what the checks found. Plain JSON, so a stored
 * analysis gives the same findings as a fresh one. `version` changes with the shape:
 * minor for added fields, major for changed or removed ones. Schema:
 * `packages/engine/schemas/policy-report.schema.json`.
 */
export const POLICY_ANALYSIS_VERSION = '1.1.0';

/** What a section is about; a section may be about several things. */
export const SECTION_KINDS = [
  'collection-use',
  'user-provided',
  'third-party',
  'user-rights',
  'retention',
  'security',
  'policy-change',
  'definitions',
  'consent-withdrawal',
  'privacy-settings',
  'minors',
  'cross-border',
  'notification',
  'contact',
  'cookies',
] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];

export type PolicyLanguage = 'zh' | 'en';

export interface TextSpan {
  start: number;
  end: number;
  /** `text.slice(start, end)` of the document read. */
  text: string;
}

/**
 * A run of the policy about one subject: a paragraph (or list item, table cell) with the heading
 * it sits under. Sections follow the text in order and do not overlap.
 */
export interface PolicySection {
  kinds: SectionKind[];
  start: number;
  end: number;
  /** The nearest heading above the section (its text), when the policy has headings. */
  heading?: string;
  /**
   * `heading`: a title in the outline; `text`: a paragraph, list item or table cell; `contents`: an
   * entry of a table of contents; `other`: a line with no content of the policy (filing or licence
   * number, date line). Only headings and text carry kinds. Absent in analyses before 1.1.0.
   */
  role?: 'heading' | 'text' | 'contents' | 'other';
  /** Index of the heading section this one sits under in the outline tree; -1 at the top (absent before 1.1.0). */
  parent?: number;
  /** How many headings this one sits under, 0 at the top (absent before 1.1.0). */
  depth?: number;
}

/** A mention of personal information, mapped to `pi-categories.json`. */
export interface DataMention extends TextSpan {
  /** A `pi-categories.json` id; `general` for "personal information" itself, without a type. */
  category: string;
  /** Sensitive PI (PIPL art. 28, GB/T 35273-2020 annex B). */
  sensitive: boolean;
  /** Shown bold, underlined or in colour where it stands (the notice asks this of sensitive PI). */
  highlighted: boolean;
  /**
   * The sentence says the data is needed for the basic function or cannot be refused (必须/必要/
   * 基本功能/否则无法…, required/necessary): what the CAC 2021 necessary-PI rules compare against.
   */
  required: boolean;
  /**
   * The statement is negated (我们不会收集您的通讯录, we do not sell your data): the policy names the
   * data, but says it is not processed that way. A refusal by the user (如果您不提供…, if you do not
   * provide …) is not a negation, and a negation with an exception (不会在未经您同意的情况下共享)
   * is `conditional`, not negated.
   */
  negated: boolean;
  /**
   * The processing happens only with consent or only when the user chooses a feature (经您同意后,
   * 当您使用…功能时, only if you enable …). Absent in analyses before 1.1.0.
   */
  conditional?: boolean;
  /** Index into `sections`, or -1 outside every section. */
  section: number;
}

/**
 * Why a PI word is not a data mention: it is named in the user's rights (access, correct, delete),
 * a definition, classification or scope statement, a security pledge, advice to the user, the list
 * of legal exceptions to consent, or a heading.
 */
export const MENTION_CONTEXTS = ['rights', 'definition', 'security', 'advice', 'exception', 'heading'] as const;
export type MentionContext = (typeof MENTION_CONTEXTS)[number];

/** A PI word outside statements of processing, kept apart from `dataMentions` with why. */
export interface ContextMention extends TextSpan {
  /** A `pi-categories.json` id, `general` or `other` as for data mentions. */
  category: string;
  sensitive: boolean;
  context: MentionContext;
  section: number;
}

/** An Android permission (or its everyday name) the policy mentions, with the purpose it gives. */
export interface PermissionMention extends TextSpan {
  /** Android permission names it stands for (`android.permission.CAMERA`), one or more. */
  permissions: string[];
  /** The purpose stated in the same sentence, when there is one. */
  purpose: TextSpan | null;
  section: number;
}

/** A purpose (为了…/用于…/to …) with the data mentions and permissions of its sentence. */
export interface Purpose extends TextSpan {
  /** Indices into `dataMentions`. */
  data: number[];
  /** Android permission names mentioned in the same sentence. */
  permissions: string[];
  section: number;
}

/** A third party or SDK that receives or collects data, as the prose names it. */
export interface Recipient extends TextSpan {
  name: string;
  /** `sdk` when it is an SDK (named as such or found in the SDK catalogue), `company`, or `generic` ("合作伙伴"). */
  kind: 'sdk' | 'company' | 'generic';
  /** The SDK catalogue id when the name matches one. */
  sdk?: string;
  section: number;
}

export interface Operator extends TextSpan {
  /** The operator's legal name as the policy gives it. */
  name: string;
}

export type ContactKind = 'phone' | 'email' | 'address' | 'form' | 'url';

export interface Contact extends TextSpan {
  kind: ContactKind;
  /** Normalised value: digits of a phone number, the e-mail address, the URL. */
  value: string;
}

/** The longest time the policy promises for answering requests or complaints. */
export interface ResponseTime extends TextSpan {
  days: number;
  /** Working days (工作日, business days) rather than calendar days. */
  workingDays: boolean;
}

/** One row of an SDK / third-party table (or a list entry laid out the same way). */
export interface SdkTableRow {
  start: number;
  end: number;
  name: string;
  company: string | null;
  purpose: string | null;
  /** The data the row names, as written. */
  data: string[];
  /** `pi-categories.json` ids of that data. */
  categories: string[];
  policyUrl: string | null;
  /** The SDK catalogue id when the name or company matches one. */
  sdk: string | null;
}

/** Where the policy gives (or links to) a list. */
export interface ListReference extends TextSpan {
  /** `inline`: the list is in the policy; `link`: the policy links to it. */
  how: 'inline' | 'link';
  href: string | null;
}

export interface PolicyLists {
  /** 已收集个人信息清单: the list of personal information collected. */
  collectedPersonalInformation: ListReference | null;
  /** 第三方共享清单 (and SDK lists): the list of third parties that receive PI. */
  thirdPartySharing: ListReference | null;
}

export interface EffectiveDate extends TextSpan {
  /** ISO date `YYYY-MM-DD`. */
  date: string;
  /** Whether the policy calls it the date it takes effect or the date it was updated. */
  kind: 'effective' | 'updated' | 'published';
}

export interface PolicyAnalysis {
  version: string;
  /** File path or URL read. */
  source: string;
  format: PolicyFormat;
  language: PolicyLanguage;
  /** Length of the text read, in JavaScript string indices. */
  length: number;
  /** The text read; every offset in the analysis indexes it (kept so a stored analysis can be re-checked and quoted). */
  text: string;
  title: string | null;
  operator: Operator | null;
  contacts: Contact[];
  responseTime: ResponseTime | null;
  effectiveDate: EffectiveDate | null;
  sections: PolicySection[];
  /** PI the operator (or a named third party) collects, uses, stores, shares or transfers. */
  dataMentions: DataMention[];
  /** PI words in rights, definitions, security pledges, advice, exceptions and headings (absent before 1.1.0). */
  contextMentions?: ContextMention[];
  /**
   * Every `pi-categories.json` id whose terms appear anywhere in the policy, in processing statements
   * or not ("we protect your location data" still names location): what "the policy never mentions
   * this type" checks look at.
   */
  mentionedCategories: string[];
  purposes: Purpose[];
  permissions: PermissionMention[];
  recipients: Recipient[];
  sdkTable: SdkTableRow[];
  lists: PolicyLists;
}
