import { loadMeasureCatalog } from '@apprights/knowledge';
import type { CoverageStatus, EvidenceRef, ScanReport } from '@apprights/rules';
import { t, type Lang } from '../i18n.js';
import type { Section } from './sections.js';

const STATUS: Record<CoverageStatus, { en: string; zh: string }> = {
  passed: { en: 'passed', zh: '通过' },
  failed: { en: 'FAILED', zh: '未通过' },
  'needs-evidence': { en: 'needs evidence', zh: '需补充证据' },
  organisational: { en: 'organisational', zh: '组织管理类' },
};

const EVIDENCE: Record<string, { en: string; zh: string }> = {
  apk: { en: 'APK', zh: '安装包' },
  policy: { en: 'privacy policy', zh: '隐私政策' },
  trace: { en: 'runtime trace', zh: '运行时轨迹' },
  ui: { en: 'UI snapshots', zh: '界面快照' },
  store: { en: 'store listing / app type', zh: '商店信息/应用类型' },
  org: { en: 'organisational records', zh: '组织记录' },
};

/** One line saying where a piece of evidence is: `classes2.dex com.x.Y.m()`, `AndroidManifest.xml receiver com.x.R`. */
export function whereOf(ref: EvidenceRef): string {
  switch (ref.kind) {
    case 'manifest':
      return [ref.artifact, ref.element, ref.name, ref.detail].filter(Boolean).join(' ');
    case 'code':
      return [ref.artifact, `${ref.class}${ref.method ? `.${ref.method}` : ''}`].filter(Boolean).join(' ');
    case 'sdk':
      return `SDK ${ref.name}${ref.version ? ` ${ref.version}` : ''}`;
    case 'permission':
      return `${ref.artifact} uses-permission ${ref.permission}`;
    case 'signature':
      return [ref.artifact, ref.scheme, ref.detail].filter(Boolean).join(' ');
    case 'resource':
      return `${ref.artifact} (${ref.detail})`;
    case 'store':
      return `${ref.field}=${ref.value}`;
    case 'policy':
      return ['policy', ref.section, ref.paragraph !== undefined ? `¶${ref.paragraph}` : undefined].filter(Boolean).join(' ');
    case 'trace':
      return `trace #${ref.event}${ref.detail ? ` ${ref.detail}` : ''}`;
    case 'ui':
      return `ui ${ref.snapshot}${ref.node ? ` ${ref.node}` : ''}`;
  }
}

/** Coverage of the 26 measures and the findings, for the terminal and Markdown reports. */
export function checkSections(report: ScanReport, lang: Lang): Section[] {
  const catalog = loadMeasureCatalog();
  const title = (id: string) => {
    const m = catalog.byId.get(id);
    return m && 'number' in m && typeof m.number === 'number' ? `${m.number}. ${m.title[lang]}` : id;
  };
  const counts = report.coverage.reduce<Record<string, number>>((acc, c) => ((acc[c.status] = (acc[c.status] ?? 0) + 1), acc), {});
  const summary = (Object.keys(STATUS) as CoverageStatus[]).map((s) => `${STATUS[s][lang]} ${counts[s] ?? 0}`).join(', ');
  const sections: Section[] = [
    {
      title: `${t(lang, 'coverage')} (${summary})`,
      blocks: [
        {
          kind: 'table',
          headers: [t(lang, 'measure'), t(lang, 'status'), t(lang, 'findingsCount'), t(lang, 'toSupply')],
          rows: report.coverage.map((c) => [
            title(c.measure),
            STATUS[c.status][lang],
            String(c.findings),
            c.needs.map((n) => EVIDENCE[n]?.[lang] ?? n).join(lang === 'zh' ? '、' : ', '),
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
        rows: report.findings.map((f) => [
          f.suppressed ? `(${f.severity})` : f.severity,
          f.ruleId,
          f.suppressed ? `${f.message[lang]} [${t(lang, 'suppressed')}: ${f.suppressed.reason}]` : f.message[lang],
          f.evidence.length > 0 ? `${whereOf(f.evidence[0]!)}${f.evidence.length > 1 ? ` (+${f.evidence.length - 1})` : ''}` : '',
        ]),
      },
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
              ? `${r.id}: ${t(lang, 'needs')} ${(r.missing ?? []).map((n) => EVIDENCE[n]?.[lang] ?? n).join(', ')}`
              : `${r.id}: ${r.status}${r.error ? ` (${r.error})` : ''}`,
          ),
        },
      ],
    });
  }
  return sections;
}
