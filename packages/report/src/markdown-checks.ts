/** The check results (coverage of the 26 measures, findings, SDK disclosure) as Markdown. */
import type { Bilingual } from '@apprights/rules';
import type { Lang } from './i18n.js';
import {
  catalogueNote,
  coverageGap,
  coverageGroups,
  outcomeText,
  evidenceView,
  findingsByMeasure,
  measureHeading,
  pick,
  relatedTag,
  ruleTitle,
  runtimeTag,
  sdkDisclosures,
  SEVERITY_LABELS,
  STATUS_LABELS,
  type CheckResults,
  type PiLabel,
  CHECK_LABELS,
} from './check-views.js';

/**
 * APK text may hold Markdown or HTML; a table cell must also stay on one line. With brackets
 * escaped no link or image can form, and no APK text starts a line, so `(`, `#` and `!` stay as
 * they are.
 */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const HEADINGS = {
  ...CHECK_LABELS,
  coverageNote: {
    en: '"Passed" means every kind of evidence that decides the measure was supplied and checked by rules that ran, and they found nothing. "Not assessed" and "partially assessed" name the evidence still to supply, with the option that supplies it, and what a person has to review.',
    zh: '“通过”表示判定该措施所需的各类证据均已提供并由已运行的规则检查，且未发现问题。“未评估”“部分评估”列出仍需补充的证据及对应选项，以及需人工核查的内容。',
  },
  outcomes: { en: 'Rule outcomes', zh: '规则运行情况' },
  colNumber: { en: '#', zh: '序号' },
  colMeasure: { en: 'Measure', zh: '措施' },
  colGroup: { en: 'Area', zh: '类别' },
  colStatus: { en: 'Status', zh: '状态' },
  colFindings: { en: 'Findings', zh: '问题数' },
  colRules: { en: 'Rules', zh: '规则' },
  colNeeds: { en: 'Not yet checked', zh: '尚未核查' },
  evidence: { en: 'Evidence', zh: '依据' },
  fix: { en: 'Fix', zh: '修复' },
  suppressed: { en: 'suppressed', zh: '已豁免' },
  sdkList: { en: 'Third-party SDKs to disclose', zh: '需在隐私政策中披露的第三方 SDK' },
  vendor: { en: 'vendor', zh: '提供方' },
  purpose: { en: 'purpose', zh: '使用目的' },
  observedPi: { en: 'personal information seen in code', zh: '代码中发现收集的个人信息' },
  documentedPi: { en: 'personal information per vendor', zh: '提供方说明收集的个人信息' },
  version: { en: 'version', zh: '版本' },
  policy: { en: 'privacy policy', zh: '隐私政策' },
  libraries: {
    en: 'Other libraries found (no personal information collected, per the catalogue)',
    zh: '其他已识别的库（据目录不收集个人信息）',
  },
  none: { en: 'none', zh: '无' },
} as const satisfies Record<string, Bilingual>;

export function renderMarkdownChecks(report: CheckResults, lang: Lang): string {
  const h = (key: keyof typeof HEADINGS) => pick(lang, HEADINGS[key]);
  const sep = lang === 'zh' ? '、' : ', ';
  const out: string[] = [];

  out.push(`## ${h('coverage')}`, '', h('coverageNote'), '', pick(lang, catalogueNote(report)), '');
  out.push(
    `| ${h('colNumber')} | ${h('colMeasure')} | ${h('colGroup')} | ${h('colStatus')} | ${h('colFindings')} | ${h('colRules')} | ${h('colNeeds')} |`,
  );
  out.push('|---|---|---|---|---|---|---|');
  for (const group of coverageGroups(report))
    for (const m of group.measures) {
      const c = m.coverage;
      const status = c.status === 'failed' ? `**${pick(lang, STATUS_LABELS[c.status])}**` : pick(lang, STATUS_LABELS[c.status]);
      out.push(
        `| ${m.number ?? ''} | ${md(pick(lang, m.title))} | ${md(pick(lang, group.title))} | ${status} | ${c.findings} | ${c.rules.map((r) => `\`${r}\``).join(', ')} | ${md(coverageGap(c, lang))} |`,
      );
    }
  out.push('');
  // Each rule's outcome, so "not assessed" can be traced to the rules that were skipped and why.
  out.push(`### ${h('outcomes')}`, '');
  for (const o of report.rules) out.push(`- \`${o.id}\`: ${md(outcomeText(o, lang))}`);
  out.push('');

  out.push(`## ${h('findings')}`, '');
  const byMeasure = findingsByMeasure(report);
  if (byMeasure.length === 0) out.push(h('noFindings'), '');
  for (const group of byMeasure) {
    const title =
      group.measures.length > 0
        ? group.measures.map((m) => `${pick(lang, measureHeading(m))} · ${md(pick(lang, m.title))}`).join(' + ')
        : h('noMeasure');
    out.push(`### ${title}`, '');
    for (const f of group.findings) {
      const head = `**${pick(lang, SEVERITY_LABELS[f.severity]).toUpperCase()}** \`${f.ruleId}\` ${md(pick(lang, ruleTitle(f.ruleId)))}: ${md(pick(lang, f.message))}`;
      const tags = [runtimeTag(f), relatedTag(f)]
        .filter((tag) => tag !== null)
        .map((tag) => ` _[${md(pick(lang, tag))}]_`)
        .join('');
      out.push(f.suppressed ? `- ~~${head}~~ (${h('suppressed')}: ${md(f.suppressed.reason)})${tags}` : `- ${head}${tags}`);
      for (const ref of f.evidence) {
        const e = evidenceView(ref);
        const sdk = e.sdk ? ` [SDK ${md(e.sdk)}]` : '';
        out.push(`  - ${h('evidence')}: ${e.artifact ? `${md(e.artifact)}: ` : ''}${md(e.where)}${sdk}`);
      }
      if (f.fix) out.push(`  - ${h('fix')}: ${md(pick(lang, f.fix.description))}`);
    }
    out.push('');
  }

  // A report without a package (the policy report) has no SDKs of its own to list.
  if (report.sdks === undefined) return out.join('\n');
  out.push(`## ${h('sdkList')}`, '');
  const { disclose, libraries } = sdkDisclosures(report);
  if (disclose.length === 0) out.push(h('noSdks'), '');
  for (const d of disclose) {
    const pis = (list: PiLabel[]) => (list.length ? list.map((p) => pick(lang, p.title)).join(sep) : h('none'));
    const parts = [
      `${h('vendor')}: ${md(pick(lang, d.sdk.vendor))}`,
      `${h('purpose')}: ${pick(lang, d.purpose)}`,
      `${h('observedPi')}: ${pis(d.observed)}`,
      `${h('documentedPi')}: ${pis(d.documented)}`,
    ];
    if (d.sdk.version) parts.push(`${h('version')}: ${md(d.sdk.version)}`);
    if (d.privacyPolicy) parts.push(`${h('policy')}: <${d.privacyPolicy}>`);
    out.push(`- **${md(pick(lang, d.sdk.name))}**: ${parts.join(lang === 'zh' ? '；' : '; ')}`);
  }
  if (disclose.length > 0) out.push('');
  if (libraries.length > 0) out.push(`${h('libraries')}: ${libraries.map((s) => md(pick(lang, s.name))).join(sep)}`, '');
  return out.join('\n');
}
