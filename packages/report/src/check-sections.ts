import { loadMeasureCatalog } from '@apprights/knowledge';
import type { CoverageStatus } from '@apprights/rules';
import { catalogueNote, EVIDENCE_LABELS, evidenceView, relatedTag, runtimeTag, STATUS_LABELS, type CheckResults } from './check-views.js';
import { t, type Lang } from './i18n.js';
import type { Section } from './section.js';

/** A terminal is not the place to read hundreds of findings; the JSON and HTML reports have them all. */
const MAX_FINDING_ROWS = 100;

function where(ref: Parameters<typeof evidenceView>[0]): string {
  const view = evidenceView(ref);
  return view.artifact ? `${view.artifact} ${view.where}` : view.where;
}

/** Coverage of the 26 measures and the findings, for the terminal report (Markdown has markdown-checks.ts). */
export function checkSections(report: CheckResults, lang: Lang): Section[] {
  const catalog = loadMeasureCatalog();
  const title = (id: string) => {
    const m = catalog.byId.get(id);
    return m && 'number' in m && typeof m.number === 'number' ? `${m.number}. ${m.title[lang]}` : id;
  };
  const counts = report.coverage.reduce<Record<string, number>>((acc, c) => ((acc[c.status] = (acc[c.status] ?? 0) + 1), acc), {});
  const summary = (Object.keys(STATUS_LABELS) as CoverageStatus[]).map((s) => `${STATUS_LABELS[s][lang]} ${counts[s] ?? 0}`).join(', ');
  const sections: Section[] = [
    {
      title: `${t(lang, 'coverage')} (${summary})`,
      blocks: [
        { kind: 'list', items: [catalogueNote(report)[lang]] },
        {
          kind: 'table',
          headers: [t(lang, 'measure'), t(lang, 'status'), t(lang, 'findingsCount'), t(lang, 'toSupply')],
          rows: report.coverage.map((c) => [
            title(c.measure),
            STATUS_LABELS[c.status][lang],
            String(c.findings),
            c.needs.map((n) => EVIDENCE_LABELS[n][lang]).join(lang === 'zh' ? '、' : ', '),
          ]),
        },
      ],
    },
  ];
  const active = report.findings.filter((f) => !f.suppressed);
  const suppressed = report.findings.length - active.length;
  sections.push({
    title: `${t(lang, 'findings')} (${active.length}${suppressed ? `, ${suppressed} ${t(lang, 'suppressed')}` : ''})`,
    blocks: [
      {
        kind: 'table',
        headers: [t(lang, 'severity'), t(lang, 'rule'), t(lang, 'message'), t(lang, 'where')],
        rows: report.findings
          .slice(0, MAX_FINDING_ROWS)
          .map((f) => [
            f.suppressed ? `(${f.severity})` : f.severity,
            f.ruleId,
            [
              f.message[lang],
              ...[runtimeTag(f), relatedTag(f)].filter((tag) => tag !== null).map((tag) => `[${tag[lang]}]`),
              f.suppressed ? `[${t(lang, 'suppressed')}: ${f.suppressed.reason}]` : '',
            ]
              .filter(Boolean)
              .join(' '),
            f.evidence.length > 0 ? `${where(f.evidence[0]!)}${f.evidence.length > 1 ? ` (+${f.evidence.length - 1})` : ''}` : '',
          ]),
      },
      ...(report.findings.length > MAX_FINDING_ROWS
        ? [{ kind: 'list' as const, items: [`${report.findings.length - MAX_FINDING_ROWS} ${t(lang, 'moreFindings')}`] }]
        : []),
    ],
  });
  const skipped = report.rules.filter((r) => r.status !== 'ran');
  if (skipped.length > 0) {
    sections.push({
      title: t(lang, 'rulesNotRun'),
      blocks: [
        {
          kind: 'list',
          items: skipped.map((r) =>
            r.status === 'skipped'
              ? `${r.id}: ${t(lang, 'needs')} ${(r.missing ?? []).map((n) => EVIDENCE_LABELS[n][lang]).join(', ')}`
              : `${r.id}: ${r.status}${r.error ? ` (${r.error})` : ''}`,
          ),
        },
      ],
    });
  }
  return sections;
}
