/**
 * What the policy rules ask of a policy analysis: where a passage sits, how to quote it, and the
 * names of what it mentions. The analysis keeps the text its offsets index, so evidence can quote
 * the policy itself.
 */
import type { KnowledgeSnapshot, SdkNameMatch } from '@apprights/knowledge';
import type { DataMention, PolicySection } from '@apprights/policy';
import type { Bilingual, EvidenceRef } from '../engine/types.js';
import type { PolicyFacts } from './evidence.js';

/** Evidence that points into the policy. */
export type PolicyRef = Extract<EvidenceRef, { kind: 'policy' }>;

/** Characters of a passage quoted in evidence. */
export const QUOTE_LENGTH = 200;

/** The section (a paragraph, list item or table cell) holding `offset`: sections are in text order and do not overlap. */
export function sectionAt(policy: PolicyFacts, offset: number): PolicySection | undefined {
  const sections = policy.sections;
  let lo = 0;
  let hi = sections.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sections[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/**
 * Evidence for a passage of the policy: the paragraph holding [start, end) (its section, or the line
 * when the analysis has no section there), with its heading, quoted around the passage.
 */
export function policyPassage(policy: PolicyFacts, start: number, end: number, sectionIndex?: number): PolicyRef {
  const known = sectionIndex !== undefined && sectionIndex >= 0 ? policy.sections[sectionIndex] : undefined;
  let section = known && known.start <= start && known.end >= end ? known : sectionAt(policy, start);
  if (section && section.end < end) section = undefined;
  const text = policy.text;
  const from = section ? section.start : text.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
  const lineEnd = text.indexOf('\n', end);
  const to = section ? section.end : lineEnd < 0 ? text.length : lineEnd;
  const ref: PolicyRef = { kind: 'policy', start: from, end: to, text: quote(text, from, to, start, end) };
  if (policy.source) ref.source = policy.source;
  if (section?.heading) ref.section = section.heading;
  return ref;
}

/** Evidence for the policy as a whole: what a finding about something missing points at. */
export function policyWhole(policy: PolicyFacts): PolicyRef {
  return policy.source ? { kind: 'policy', source: policy.source } : { kind: 'policy' };
}

/**
 * `text.slice(from, to)` with runs of white space made one, cut to about `max` characters around
 * [focusStart, focusEnd) with "…" where something was left out.
 */
export function quote(text: string, from: number, to: number, focusStart = from, focusEnd = from, max = QUOTE_LENGTH): string {
  const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();
  const whole = squeeze(text.slice(from, to));
  if (whole.length <= max) return whole;
  // Start a little before the passage, so it is read in its sentence.
  let start = Math.max(from, Math.min(focusStart - 40, to - max));
  const sentence = Math.max(
    text.lastIndexOf('。', focusStart - 1),
    text.lastIndexOf('. ', focusStart - 1),
    text.lastIndexOf('\n', focusStart - 1),
  );
  if (sentence >= start - 40 && sentence + 1 <= focusStart && sentence + 1 >= from) start = sentence + 1;
  const stop = Math.min(to, Math.max(start + max, focusEnd));
  return `${start > from ? '…' : ''}${squeeze(text.slice(start, stop))}${stop < to ? '…' : ''}`;
}

/** A short quote of a mention itself, for messages: "“精确位置信息”". */
export function snippet(policy: PolicyFacts, start: number, end: number, max = 40): string {
  const text = policy.text.slice(start, end).replace(/\s+/g, ' ').trim();
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A PI category as a reader calls it; `general` is personal information without a type. */
export function piLabel(knowledge: KnowledgeSnapshot, category: string): Bilingual {
  if (category === 'general') return { zh: '个人信息', en: 'personal information' };
  const found = knowledge.piCategory(category);
  return found ? { zh: found.zh, en: found.en } : { zh: category, en: category };
}

/**
 * Sections that name data, permissions or SDKs without explaining processing: the user's rights
 * ("您可以在设置中关闭相机权限"), withdrawing consent, privacy settings, definitions, a table of contents.
 */
const NON_PROCESSING_KINDS: ReadonlySet<string> = new Set(['user-rights', 'consent-withdrawal', 'privacy-settings', 'definitions']);

/** Whether a passage at `offset` sits where the policy states processing, not only rights or definitions. */
export function inProcessingContext(policy: PolicyFacts, offset: number): boolean {
  const sections = policy.sections;
  let lo = 0;
  let hi = sections.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sections[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else {
      if (s.role === 'contents') return false;
      return s.kinds.length === 0 || s.kinds.some((k) => !NON_PROCESSING_KINDS.has(k));
    }
  }
  return true;
}

/** Data mentions that say the data is processed (not "we do not collect …"). */
export function affirmed(policy: PolicyFacts): DataMention[] {
  return policy.dataMentions.filter((m) => !m.negated);
}

/** Joins names the way each language lists them. */
export function listOf(items: readonly string[], lang: 'zh' | 'en', limit = 5): string {
  const shown = items.slice(0, limit);
  const more = items.length - shown.length;
  if (lang === 'zh') return `${shown.join('、')}${more > 0 ? ` 等 ${items.length} 项` : ''}`;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** What the policy says about SDKs: the ones it names, and the brand or vendor mentions that fit several. */
export interface PolicySdkNames {
  /** SDK ids the SDK table, the recipients or the text name one by one. */
  named: Set<string>;
  /** The first brand, vendor or package-family mention that covers an SDK without naming it alone. */
  partial: Map<string, SdkNameMatch>;
}

/**
 * The name match behind an SDK id the analyser gave a table row or recipient, when only a name several
 * SDKs share ("友盟+", a vendor) stands there: the analyser keeps one SDK of such a name, which says
 * the brand, not which product. Undefined when the passage names the SDK alone, or in a way the name
 * index does not know (the analyser's word is taken then).
 */
export function sharedNameOnly(
  knowledge: KnowledgeSnapshot,
  policy: PolicyFacts,
  sdk: string,
  start: number,
  end: number,
): SdkNameMatch | undefined {
  const matches = knowledge.findSdkNames(policy.text.slice(start, end)).filter((m) => m.sdk === sdk);
  if (matches.length === 0 || matches.some((m) => m.shared === 1 && m.via !== 'vendor')) return undefined;
  const first = matches[0]!;
  return { ...first, start: first.start + start, end: first.end + start };
}

export function policySdkNames(knowledge: KnowledgeSnapshot, policy: PolicyFacts): PolicySdkNames {
  const named = new Set<string>();
  const partial = new Map<string, SdkNameMatch>();
  const listed = [
    ...policy.sdkTable.flatMap((row) => (row.sdk ? [{ sdk: row.sdk, start: row.start, end: row.end }] : [])),
    ...policy.recipients.flatMap((r) => (r.sdk ? [{ sdk: r.sdk, start: r.start, end: r.end }] : [])),
  ];
  for (const { sdk, start, end } of listed) {
    const shared = sharedNameOnly(knowledge, policy, sdk, start, end);
    if (!shared) named.add(sdk);
    else if (!partial.has(sdk)) partial.set(sdk, shared);
  }
  for (const m of knowledge.findSdkNames(policy.text)) {
    // An SDK named only in the user's rights or a definition is not disclosed as one the app uses.
    if (!inProcessingContext(policy, m.start)) continue;
    // A vendor name with one SDK in the catalogue still says "the company", not which product.
    if (m.shared === 1 && m.via !== 'vendor') named.add(m.sdk);
    else if (!partial.has(m.sdk)) partial.set(m.sdk, m);
  }
  for (const id of named) partial.delete(id);
  return { named, partial };
}
