/**
 * @apprights/report: renders the engine's locale-free reports. One file per format under
 * `formats/`, over shared views; the language is chosen here, at render time.
 */
import type { ListingDraft, PolicyDraft } from '@apprights/engine';
import type { PolicyReport, ReportDiff, ScanReport, TraceReport } from '@apprights/rules';
import { html } from './formats/html.js';
import { jsonFormat } from './formats/json.js';
import { markdown } from './formats/markdown.js';
import { sarif } from './formats/sarif.js';
import { text } from './formats/text.js';
import type { Formatter } from './formats/types.js';
import type { Lang } from './i18n.js';
import type { TextOptions } from './summary-text.js';

export type ReportFormat = 'text' | 'json' | 'md' | 'sarif' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'md', 'sarif', 'html'];

const FORMATTERS: Record<ReportFormat, Formatter> = { text, json: jsonFormat, md: markdown, sarif, html };

export function renderScanReport(report: ScanReport, format: ReportFormat, lang: Lang, text?: TextOptions): string {
  return FORMATTERS[format].scan(report, lang, text);
}

export function renderPolicyReport(report: PolicyReport, format: ReportFormat, lang: Lang, text?: TextOptions): string {
  return FORMATTERS[format].policy(report, lang, text);
}

export function renderTraceReport(report: TraceReport, format: ReportFormat, lang: Lang, text?: TextOptions): string {
  return FORMATTERS[format].trace(report, lang, text);
}

/** Diffs are written as text, Markdown or JSON. */
export function renderDiffReport(diff: ReportDiff, format: 'text' | 'md' | 'json', lang: Lang): string {
  return FORMATTERS[format].diff!(diff, lang);
}

export type DraftFormat = 'md' | 'html' | 'json';
export const DRAFT_FORMATS: readonly DraftFormat[] = ['md', 'html', 'json'];

/** The privacy-policy draft, or its gap report when it was drafted against a policy. */
export function renderPolicyDraft(draft: PolicyDraft, format: DraftFormat, lang: Lang): string {
  return FORMATTERS[format].policyDraft!(draft, lang);
}

export function renderListingDraft(draft: ListingDraft, format: DraftFormat, lang: Lang): string {
  return FORMATTERS[format].listingDraft!(draft, lang);
}

export type { Formatter, TextOptions };
export { detectLang, t, type Lang, type MessageKey } from './i18n.js';
