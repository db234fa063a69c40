/** The report of `apprights policy` in the human formats; JSON is the report itself, SARIF is in sarif.ts. */
import type { PolicyReport } from '@apprights/rules';
import type { Lang } from './i18n.js';
import { checksText, type TextOptions } from './summary-text.js';
import { CHECK_LABELS } from './check-views.js';
import { bi, esc } from './html-base.js';
import { coverageSection, findingsSection, htmlPage, summary, UI } from './html.js';
import { renderMarkdownChecks } from './markdown-checks.js';
import { policyDetailsHtml, policyOverviewHtml } from './policy-html-parts.js';
import { POLICY_LABELS, policySections } from './policy-views.js';
import { sectionsMarkdown, sectionsText } from './render.js';

export function renderPolicyText(report: PolicyReport, lang: Lang, options: TextOptions = {}): string {
  return [sectionsText(policySections(report, lang, { outline: false })), ...checksText(report, lang, options), ''].join('\n');
}

export function renderPolicyMarkdown(report: PolicyReport, lang: Lang): string {
  return [sectionsMarkdown(policySections(report, lang)), renderMarkdownChecks(report, lang)].join('\n');
}

export function renderPolicyHtml(report: PolicyReport, lang: Lang): string {
  const L = POLICY_LABELS;
  const name = report.title ?? report.source;
  return htmlPage({
    lang,
    titles: { en: `${L.reportTitle.en}: ${name}`, zh: `${L.reportTitle.zh}：${name}` },
    heading: L.reportTitle,
    subtitle: `<p><bdi>${esc(name)}</bdi></p><p>${bi(L.subtitle)}</p>`,
    nav: [
      ['policy', L.policy],
      ['summary', UI.summary],
      ['findings', CHECK_LABELS.findings],
      ['policy-outline', L.outline],
      ['policy-data', L.dataMentions],
      ['policy-permissions', L.permissions],
      ['policy-sdks', L.sdkTable],
      ['policy-recipients', L.recipients],
      ['coverage', CHECK_LABELS.coverage],
    ],
    // What the policy says and what is wrong with it come first; the 26-row matrix is for reference.
    sections: [
      policyOverviewHtml(report, { id: 'policy', title: L.policy }),
      summary(report, lang),
      findingsSection(report),
      policyDetailsHtml(report),
      coverageSection(report),
    ],
    generated: `${esc(report.tool.version)} · report schema ${esc(report.reportVersion)} · ${esc(report.generatedAt)}`,
  });
}
