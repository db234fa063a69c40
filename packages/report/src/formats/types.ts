import type { PolicyReport, ReportDiff, ScanReport, TraceReport } from '@apprights/rules';
import type { Lang } from '../i18n.js';

/**
 * One output format: a renderer per report kind (like ESLint's formatters, one file per format).
 * A format that cannot show a kind leaves it out (SARIF has no diff; HTML's diff is not written yet).
 */
export interface Formatter {
  scan(report: ScanReport, lang: Lang): string;
  policy(report: PolicyReport, lang: Lang): string;
  trace(report: TraceReport, lang: Lang): string;
  diff?(diff: ReportDiff, lang: Lang): string;
}
