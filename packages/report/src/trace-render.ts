/** The report of `apprights trace` in the human formats; JSON is the report itself, SARIF is in sarif.ts. */
import type { TraceReport } from '@apprights/rules';
import type { Lang } from './i18n.js';
import { checksText, type TextOptions } from './summary-text.js';
import { CHECK_LABELS } from './check-views.js';
import { bi, esc } from './html-base.js';
import { coverageSection, findingsSection, htmlPage, summary, UI } from './html.js';
import { renderMarkdownChecks } from './markdown-checks.js';
import { sectionsMarkdown, sectionsText } from './render.js';
import { TRACE_LABELS, traceOverviewHtml, traceSections } from './trace-views.js';

export function renderTraceText(report: TraceReport, lang: Lang, options: TextOptions = {}): string {
  return [sectionsText(traceSections(report.trace, report.ui, lang)), ...checksText(report, lang, options), ''].join('\n');
}

export function renderTraceMarkdown(report: TraceReport, lang: Lang): string {
  return [sectionsMarkdown(traceSections(report.trace, report.ui, lang)), renderMarkdownChecks(report, lang)].join('\n');
}

export function renderTraceHtml(report: TraceReport, lang: Lang): string {
  const L = TRACE_LABELS;
  const name = report.trace.package ?? report.trace.source;
  return htmlPage({
    lang,
    titles: { en: `${L.reportTitle.en}: ${name}`, zh: `${L.reportTitle.zh}：${name}` },
    heading: L.reportTitle,
    subtitle: `<p><bdi>${esc(name)}</bdi></p><p>${bi(L.subtitle)}</p>`,
    nav: [
      ['trace', L.reportTitle],
      ['summary', UI.summary],
      ['findings', CHECK_LABELS.findings],
      ['coverage', CHECK_LABELS.coverage],
    ],
    sections: [
      traceOverviewHtml(report.trace, report.ui, { id: 'trace', title: L.reportTitle }),
      summary(report, lang),
      findingsSection(report),
      coverageSection(report),
    ],
    generated: `${esc(report.tool.version)} · report schema ${esc(report.reportVersion)} · ${esc(report.generatedAt)}`,
  });
}
