import type { ListingDraft, PolicyDraft } from '@apprights/engine';
import type { PolicyReport, ReportDiff, ScanReport, TraceReport } from '@apprights/rules';
import type { Lang } from '../i18n.js';
import type { TextOptions } from '../summary-text.js';

/**
 * One output format: a renderer per report kind (like ESLint's formatters, one file per format).
 * A format that cannot show a kind leaves it out (SARIF has no diff or drafts; HTML's diff is not written yet).
 */
export interface Formatter {
  /** `text` (verbosity, colour, the closing hint) is read by the terminal format only. */
  scan(report: ScanReport, lang: Lang, text?: TextOptions): string;
  policy(report: PolicyReport, lang: Lang, text?: TextOptions): string;
  trace(report: TraceReport, lang: Lang, text?: TextOptions): string;
  diff?(diff: ReportDiff, lang: Lang): string;
  /** `apprights policy draft` (the draft or, with a policy, the gap report) and `apprights listing draft`. */
  policyDraft?(draft: PolicyDraft, lang: Lang): string;
  listingDraft?(draft: ListingDraft, lang: Lang): string;
}
