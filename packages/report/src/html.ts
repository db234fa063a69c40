import { createHash } from 'node:crypto';
import {
  SEVERITIES,
  isDangerousLevel,
  ruleById,
  type Bilingual,
  type CoverageEntry,
  type CoverageStatus,
  type Finding,
  type ScanReport,
  type Severity,
} from '@apprights/rules';
import type { Lang } from './i18n.js';
import {
  EVIDENCE_LABELS,
  CHECK_LABELS,
  GAP_LABELS,
  STATUS_ORDER,
  coverageManual,
  coverageMissing,
  measuresHeading,
  outcomeText,
  supplyLabel,
  type MeasureView,
  SEVERITY_LABELS,
  STATUS_LABELS,
  catalogueNote,
  coverageGroups,
  evidenceView,
  findingsByMeasure,
  measureHeading,
  relatedTag,
  ruleTitle,
  runtimeTag,
  sdkDisclosures,
  type CheckResults,
  type MeasureGroupView,
  type PiLabel,
  type SdkDisclosure,
} from './check-views.js';
import { bi, biAttr, esc, field } from './html-base.js';
import { policyOverviewHtml } from './policy-html-parts.js';
import { TRACE_LABELS, traceOverviewHtml } from './trace-views.js';

/**
 * The single-file HTML report: one document with its CSS and script inline, both languages in the
 * page (the button switches between them), nothing fetched from anywhere. Everything read from the
 * package goes through `esc`: an APK chooses its own labels, names and strings, and may choose
 * markup. The Content-Security-Policy admits only this file's own script and style by hash, so a
 * string that slipped past escaping still could not run.
 */

export const UI = {
  ...CHECK_LABELS,
  title: { en: 'AppRights compliance report', zh: 'AppRights 合规检测报告' },
  subtitle: {
    en: 'Checked against MIIT notice 工信部信管函〔2023〕26号 (the 26 measures)',
    zh: '依据《工业和信息化部关于进一步提升移动互联网应用服务能力的通知》（工信部信管函〔2023〕26号）',
  },
  nav: { en: 'Sections', zh: '目录' },
  identity: { en: 'App identity', zh: '应用信息' },
  summary: { en: 'Summary', zh: '概览' },
  coverageNote: {
    en: 'Passed means every kind of evidence that decides the measure was supplied and checked by rules that ran, and they found nothing. A static scan cannot see what the app does at run time: a measure decided by runtime, UI or policy evidence stays "not assessed" or "partially assessed" until that evidence is supplied; the last column names it, with the option that supplies it, and what a person has to review.',
    zh: '“通过”表示判定该措施所需的各类证据均已提供、由已运行的规则检查且未发现问题。静态扫描无法观察应用运行时的行为：需要运行时记录、界面快照或隐私政策才能判定的措施，在补充这些证据之前显示为“未评估”或“部分评估”；最后一列列出需补充的证据及对应选项，以及需人工核查的内容。',
  },
  sdks: { en: 'Third-party SDKs for the privacy policy', zh: '隐私政策第三方 SDK 清单' },
  sdksNote: {
    en: 'SDKs that collect personal information, ready to paste into the privacy policy’s third-party list. “Seen in code” comes from sensitive API calls made by the SDK’s own classes; “per vendor” is what the vendor documents.',
    zh: '收集个人信息的第三方 SDK，可直接粘贴到隐私政策的第三方共享清单。“代码中发现”来自该 SDK 自身类调用的敏感 API；“提供方说明”为 SDK 提供方公开的收集范围。',
  },
  libraries: {
    en: 'Other libraries found (no personal information collected, per the catalogue):',
    zh: '其他已识别的库（据目录不收集个人信息）：',
  },
  copy: { en: 'Copy table', zh: '复制表格' },
  copied: { en: 'Copied.', zh: '已复制。' },
  copyFailed: { en: 'Could not copy; select the table and copy it by hand.', zh: '无法复制，请手动选中表格复制。' },
  permissions: { en: 'Permissions and their purposes', zh: '权限及使用目的' },
  permissionsNote: {
    en: 'Purposes are read from <meta-data> entries named after the permission (the T/TAF 076 convention). Dangerous permissions need a stated purpose and a request at the moment of use.',
    zh: '使用目的取自与权限同名的 <meta-data>（T/TAF 076 的约定）。危险权限应说明用途，并在使用时才申请。',
  },
  usedUndeclared: { en: 'Needed by APIs the code calls but not requested:', zh: '代码调用的 API 需要但未申请的权限：' },
  rules: { en: 'Rules', zh: '检测规则' },
  langButton: { en: '中文', zh: 'English' },
  langButtonLabel: { en: 'Switch to Chinese', zh: '切换到英文' },
  footer: {
    en: 'An automated static check: it points at what to fix and what to verify, and does not replace a legal review. The official Chinese text of the notice prevails.',
    zh: '本报告由自动化静态检测生成，用于指出需整改和需核实的事项，不能代替法律审查；以通知的官方中文文本为准。',
  },
} as const satisfies Record<string, Bilingual>;

const FIELD = {
  appName: { en: 'App name', zh: '应用名称' },
  package: { en: 'Package', zh: '包名' },
  version: { en: 'Version', zh: '版本' },
  sdkLevels: { en: 'SDK levels', zh: 'SDK 级别' },
  file: { en: 'File', zh: '文件' },
  size: { en: 'Size', zh: '大小' },
  signatures: { en: 'Signature schemes', zh: '签名方案' },
  signer: { en: 'Signer certificate', zh: '签名证书' },
  flags: { en: 'Flags', zh: '标志' },
  measure: { en: 'Measure', zh: '措施' },
  about: { en: 'What it asks', zh: '措施要点' },
  status: { en: 'Status', zh: '状态' },
  findings: { en: 'Findings', zh: '问题数' },
  rules: { en: 'Rules', zh: '规则' },
  needs: { en: 'Not yet checked', zh: '尚未核查' },
  alsoServes: { en: 'Serves', zh: '对应措施' },
  rule: { en: 'Rule', zh: '规则' },
  outcome: { en: 'Outcome', zh: '运行情况' },
  detail: { en: 'Detail', zh: '说明' },
  evidence: { en: 'Evidence', zh: '依据' },
  fix: { en: 'How to fix', zh: '整改建议' },
  suppressed: { en: 'Suppressed', zh: '已豁免' },
  fingerprint: { en: 'fingerprint', zh: '指纹' },
  sdkName: { en: 'SDK', zh: 'SDK 名称' },
  vendor: { en: 'Vendor', zh: '提供方' },
  purpose: { en: 'Purpose', zh: '使用目的' },
  observedPi: { en: 'Personal information (seen in code)', zh: '收集的个人信息（代码中发现）' },
  documentedPi: { en: 'Personal information (per vendor)', zh: '收集的个人信息（提供方说明）' },
  sdkVersion: { en: 'Version', zh: '版本' },
  policy: { en: 'Privacy policy', zh: '隐私政策' },
  permission: { en: 'Permission', zh: '权限' },
  protection: { en: 'Protection level', zh: '保护级别' },
  dangerous: { en: 'dangerous', zh: '危险权限' },
  permPurpose: { en: 'Stated purpose', zh: '声明的使用目的' },
  usedByCode: { en: 'Used by code', zh: '代码使用' },
  noPurpose: { en: 'none stated', zh: '未声明' },
  yes: { en: 'yes', zh: '是' },
  notSeen: { en: 'no catalogued API', zh: '未发现相关 API' },
  verified: { en: 'verified', zh: '已验证' },
  notVerified: { en: 'not verified', zh: '未通过验证' },
  absent: { en: 'absent', zh: '无' },
  none: { en: 'none', zh: '无' },
  bySeverity: { en: 'Findings by severity', zh: '问题严重程度分布' },
  byStatus: { en: 'Measures by status', zh: '措施状态分布' },
  suppressedCount: { en: 'suppressed', zh: '已豁免' },
  measures: { en: 'measures', zh: '项措施' },
  min: { en: 'min', zh: '最低' },
  target: { en: 'target', zh: '目标' },
  compile: { en: 'compile', zh: '编译' },
  generated: { en: 'Generated by AppRights', zh: '由 AppRights 生成' },
} as const satisfies Record<string, Bilingual>;

const STATUSES = STATUS_ORDER;

/** Green is for `passed` alone: a measure nobody could check must not look like one that passed. */
const STATUS_COLOURS: Record<CoverageStatus | 'needs-evidence', string> = {
  passed: '#2e7d32',
  failed: '#c62828',
  'partially-assessed': '#ef8f00',
  'not-assessed': '#78909c',
  organisational: '#5c6bc0',
  'platform-checked': '#78909c',
  'needs-evidence': '#78909c',
};

const SEVERITY_COLOURS: Record<Severity, string> = { high: '#c62828', medium: '#ef6c00', low: '#f9a825', info: '#607d8b' };

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function identity(report: ScanReport): string {
  const { app, file } = report;
  const others = Object.entries(app.labels)
    .filter(([locale, label]) => locale !== 'default' && label !== app.label)
    .map(([locale, label]) => `<li><span class="muted">${esc(locale)}</span> <bdi>${esc(label)}</bdi></li>`)
    .join('');
  const fields = [
    field(FIELD.appName, `<bdi class="app-label">${esc(app.label ?? file.name)}</bdi>${others ? `<ul class="inline">${others}</ul>` : ''}`),
    field(FIELD.package, `<code>${esc(app.package ?? '-')}</code>`),
    field(FIELD.version, `${esc(app.versionName ?? '-')} <span class="muted">(${esc(app.versionCode ?? '-')})</span>`),
    field(
      FIELD.sdkLevels,
      `${bi(FIELD.min)} ${esc(app.minSdk ?? '-')} · ${bi(FIELD.target)} ${esc(app.targetSdk ?? '-')} · ${bi(FIELD.compile)} ${esc(app.compileSdk ?? '-')}`,
    ),
    field(FIELD.file, `<code>${esc(file.name)}</code> <span class="muted">${esc(file.kind.toUpperCase())}</span>`),
    field(FIELD.size, `${esc(formatBytes(file.size))} <span class="muted">(${esc(file.size)} B)</span>`),
    field({ en: 'SHA-256', zh: 'SHA-256' }, `<code class="hash">${esc(file.sha256)}</code>`),
  ];
  const flags = Object.entries(app.flags)
    .filter(([, v]) => v !== null && v !== false)
    .map(([k, v]) => `<code>${esc(k)}${v === true ? '' : `=${esc(String(v))}`}</code>`);
  if (flags.length > 0) fields.push(field(FIELD.flags, flags.join(' ')));
  const sig = report.signatures;
  if (sig) {
    const schemes = (['v1', 'v2', 'v3', 'v31'] as const)
      .map((name) => {
        const d = sig.details[name];
        const state = !d.present ? FIELD.absent : d.verified ? FIELD.verified : FIELD.notVerified;
        const cls = !d.present ? 'muted' : d.verified ? 'ok' : 'bad';
        return `<span class="scheme ${cls}">${name === 'v31' ? 'v3.1' : name}: ${bi(state)}</span>`;
      })
      .join(' ');
    fields.push(field(FIELD.signatures, schemes));
    sig.certificates.forEach((c) => {
      fields.push(
        field(
          FIELD.signer,
          `<bdi>${esc(c.subject)}</bdi><br><span class="muted">SHA-256</span> <code class="hash">${esc(c.sha256)}</code>`,
        ),
      );
    });
  }
  return `<section id="identity" aria-labelledby="identity-h"><h2 id="identity-h">${bi(UI.identity)}</h2><dl class="card">${fields.join('')}</dl></section>`;
}

/** Horizontal bars, one per severity; counts are also written out so the chart is never the only record. */
function severityChart(report: CheckResults, lang: Lang): string {
  const active = (s: Severity) => report.findings.filter((f) => f.severity === s && !f.suppressed).length;
  const counts = SEVERITIES.map((s) => [s, active(s)] as const);
  const suppressed = report.findings.filter((f) => f.suppressed).length;
  const max = counts.reduce((max, [, n]) => Math.max(max, n), 1);
  const rowHeight = 30;
  const labelWidth = 80;
  const barSpace = 200;
  const rows = counts
    .map(([s, n], i) => {
      const y = i * rowHeight + 6;
      const w = n === 0 ? 0 : Math.max(3, Math.round((n / max) * barSpace));
      const label = SEVERITY_LABELS[s];
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="chart-label"><tspan class="t-en" lang="en">${esc(label.en)}</tspan><tspan class="t-zh" lang="zh-CN">${esc(label.zh)}</tspan></text>` +
        `<rect x="${labelWidth}" y="${y}" width="${barSpace}" height="20" rx="3" fill="#eceff1"/>` +
        `<rect x="${labelWidth}" y="${y}" width="${w}" height="20" rx="3" fill="${SEVERITY_COLOURS[s]}"/>` +
        `<text x="${labelWidth + barSpace + 8}" y="${y + 15}" class="chart-count">${n}</text>`
      );
    })
    .join('');
  const description: Bilingual = {
    en: `${FIELD.bySeverity.en}: ${counts.map(([s, n]) => `${SEVERITY_LABELS[s].en} ${n}`).join(', ')}; ${suppressed} suppressed`,
    zh: `${FIELD.bySeverity.zh}：${counts.map(([s, n]) => `${SEVERITY_LABELS[s].zh} ${n}`).join('，')}；已豁免 ${suppressed}`,
  };
  const height = counts.length * rowHeight + 8;
  return (
    `<figure class="chart"><figcaption>${bi(FIELD.bySeverity)}</figcaption>` +
    `<svg id="chart-severity" role="img" ${biAttr('aria-label', description, lang)} viewBox="0 0 ${labelWidth + barSpace + 40} ${height}" width="${labelWidth + barSpace + 40}" height="${height}">${rows}</svg>` +
    `<p class="muted">${bi(FIELD.suppressedCount)}: ${suppressed}</p></figure>`
  );
}

/** A donut of the measures' statuses; the legend beside it carries the numbers as text. */
function statusChart(report: CheckResults, lang: Lang): string {
  const total = report.coverage.length;
  const counts = STATUSES.map((s) => [s, report.coverage.filter((c) => c.status === s).length] as const);
  // r = 100 / 2π makes the circumference 100, so dash lengths are percentages.
  const r = 15.91549430918954;
  let offset = 25;
  const segments = counts
    .filter(([, n]) => n > 0)
    .map(([s, n]) => {
      const share = total === 0 ? 0 : (n / total) * 100;
      const segment = `<circle cx="21" cy="21" r="${r}" fill="none" stroke="${STATUS_COLOURS[s]}" stroke-width="6" stroke-dasharray="${share.toFixed(3)} ${(100 - share).toFixed(3)}" stroke-dashoffset="${offset.toFixed(3)}"/>`;
      offset -= share;
      return segment;
    })
    .join('');
  const legend = counts
    .map(([s, n]) => `<li><span class="swatch status-${s}"></span>${bi(STATUS_LABELS[s])} <strong>${n}</strong></li>`)
    .join('');
  const description: Bilingual = {
    en: `${FIELD.byStatus.en}: ${counts.map(([s, n]) => `${STATUS_LABELS[s].en} ${n}`).join(', ')}`,
    zh: `${FIELD.byStatus.zh}：${counts.map(([s, n]) => `${STATUS_LABELS[s].zh} ${n}`).join('，')}`,
  };
  return (
    `<figure class="chart"><figcaption>${bi(FIELD.byStatus)}</figcaption><div class="donut-wrap">` +
    `<svg id="chart-status" role="img" ${biAttr('aria-label', description, lang)} viewBox="0 0 42 42" width="160" height="160">` +
    `<circle cx="21" cy="21" r="${r}" fill="none" stroke="#eceff1" stroke-width="6"/>${segments}` +
    `<text x="21" y="23" text-anchor="middle" class="donut-total">${total}</text></svg>` +
    `<ul class="legend">${legend}</ul></div></figure>`
  );
}

export function summary(report: CheckResults, lang: Lang): string {
  return `<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">${bi(UI.summary)}</h2><div class="charts">${severityChart(report, lang)}${statusChart(report, lang)}</div></section>`;
}

function coverageMatrix(report: CheckResults, groups: MeasureGroupView[], withFindings: Set<string>): string {
  const head = [FIELD.measure, FIELD.status, FIELD.findings, FIELD.rules, FIELD.needs].map((h) => `<th scope="col">${bi(h)}</th>`).join('');
  const bodies = groups
    .map((group) => {
      const rows = group.measures
        .map((m) => {
          const c = m.coverage;
          const title = withFindings.has(m.id) ? `<a href="#m-${esc(m.id)}">${bi(m.title)}</a>` : bi(m.title);
          const detail = m.summary ? `<details><summary>${bi(FIELD.about)}</summary><p>${bi(m.summary)}</p></details>` : '';
          return (
            `<tr data-measure="${esc(m.id)}" data-status="${esc(c.status)}">` +
            `<th scope="row"><span class="num">${esc(m.number ?? '')}</span> ${title}${detail}</th>` +
            `<td><span class="status status-${esc(c.status)}">${bi(STATUS_LABELS[c.status])}</span></td>` +
            `<td class="count">${c.findings}</td>` +
            `<td>${c.rules.map((r) => `<code>${esc(r)}</code>`).join(' ') || '<span class="muted">-</span>'}</td>` +
            `<td>${gapCell(c)}</td>` +
            `</tr>`
          );
        })
        .join('');
      return `<tbody data-group="${esc(group.id)}"><tr class="group-row"><th scope="rowgroup" colspan="5">${bi(group.title)}</th></tr>${rows}</tbody>`;
    })
    .join('');
  const outcomes = report.rules
    .map((o) => {
      const rule = ruleById(o.id);
      const text = { en: outcomeText(o, 'en'), zh: outcomeText(o, 'zh') };
      return `<tr data-rule="${esc(o.id)}" data-outcome="${esc(o.status)}"><th scope="row"><code>${esc(o.id)}</code> ${rule ? bi(rule.meta.title) : ''}</th><td class="outcome-${esc(o.status)}">${bi(text)}</td></tr>`;
    })
    .join('');
  return (
    `<section id="coverage" aria-labelledby="coverage-h"><h2 id="coverage-h">${bi(UI.coverage)}</h2>` +
    `<p class="note">${bi(UI.coverageNote)}</p>` +
    `<p class="note">${bi(catalogueNote(report))}</p>` +
    `<div class="scroll"><table class="matrix"><thead><tr>${head}</tr></thead>${bodies}</table></div>` +
    `<h3>${bi(UI.rules)}</h3><div class="scroll"><table class="rules"><thead><tr><th scope="col">${bi(FIELD.rule)}</th><th scope="col">${bi(FIELD.outcome)}</th></tr></thead><tbody>${outcomes}</tbody></table></div>` +
    `</section>`
  );
}

/** What a measure still lacks: evidence to supply (with its option) and what a person has to review. */
function gapCell(c: CoverageEntry): string {
  const missing = coverageMissing(c);
  const manual = coverageManual(c);
  if (missing.length === 0 && manual.length === 0) return '<span class="muted">-</span>';
  const items = [
    ...missing.map((k) => `<li class="gap-missing">${bi(GAP_LABELS.supply)}: ${bi(supplyLabel(k))}</li>`),
    ...manual.map((k) => `<li class="gap-manual">${bi(GAP_LABELS.manual)}: ${bi(EVIDENCE_LABELS[k])}</li>`),
  ];
  return `<ul class="needs">${items.join('')}</ul>`;
}

function findingItem(f: Finding, group: readonly MeasureView[]): string {
  const rule = ruleById(f.ruleId);
  const evidence = f.evidence
    .map((ref) => {
      const e = evidenceView(ref);
      return `<li>${e.artifact ? `<code class="artifact">${esc(e.artifact)}</code> ` : ''}<code>${esc(e.where)}</code>${e.sdk ? ` <span class="sdk-tag">SDK ${esc(e.sdk)}</span>` : ''}</li>`;
    })
    .join('');
  const suppression = f.suppressed
    ? `<p class="suppression"><strong>${bi(FIELD.suppressed)}:</strong> ${esc(f.suppressed.reason)} <span class="muted">(${esc(f.suppressed.by)})</span></p>`
    : '';
  return (
    `<li class="finding sev-${esc(f.severity)}${f.suppressed ? ' suppressed' : ''}" data-rule="${esc(f.ruleId)}" data-fingerprint="${esc(f.fingerprint)}">` +
    `<div class="finding-head"><span class="badge sev-${esc(f.severity)}">${bi(SEVERITY_LABELS[f.severity])}</span> ` +
    `<span class="rule-title">${bi(ruleTitle(f.ruleId))}</span> <code class="muted">${esc(f.ruleId)}</code>${runtimeBadge(f)}</div>` +
    `<p class="msg">${bi(f.message)}</p>${suppression}` +
    // Shown once under all its measures: say which, so the finding is not read as serving only the first.
    (group.length > 1 ? `<p class="serves muted">${bi(FIELD.alsoServes)}: ${bi(measuresHeading(group))}</p>` : '') +
    (evidence ? `<div class="evidence"><span class="muted">${bi(FIELD.evidence)}</span><ul>${evidence}</ul></div>` : '') +
    (rule
      ? `<details class="fix"><summary>${bi(FIELD.fix)}</summary>${f.fix ? `<p>${bi(f.fix.description)}</p>` : ''}<p>${bi(rule.meta.fix)}</p>` +
        // The located change in the source manifest (--manifest-source), as its diff.
        (f.fix?.patch?.status === 'applied' ? `<pre class="fix-diff">${esc(f.fix.patch.diff)}</pre>` : '') +
        `</details>`
      : '') +
    `<p class="fingerprint muted">${bi(FIELD.fingerprint)} <code>${esc(f.fingerprint)}</code></p>` +
    `</li>`
  );
}

/** "active in trace" / "not seen in trace" on a static finding, and a runtime finding's static counterparts. */
function runtimeBadge(f: Finding): string {
  const tag = runtimeTag(f);
  const related = relatedTag(f);
  return (
    (tag ? ` <span class="runtime-tag runtime-${esc(f.runtime!.status)}" data-runtime="${esc(f.runtime!.status)}">${bi(tag)}</span>` : '') +
    (related ? ` <span class="runtime-tag runtime-related">${bi(related)}</span>` : '')
  );
}

const FOLD_AFTER = 25;

export function findingsSection(report: CheckResults): string {
  const groups = findingsByMeasure(report);
  const anchored = new Set<string>();
  const body =
    groups.length === 0
      ? `<p>${bi(UI.noFindings)}</p>`
      : groups
          .map((g) => {
            // The coverage matrix links each measure to the first group it appears in.
            const fresh = g.measures.filter((m) => !anchored.has(m.id));
            for (const m of fresh) anchored.add(m.id);
            const id = g.measures.length > 0 ? `g-${esc(g.measures.map((m) => m.id).join('-'))}` : 'm-none';
            const anchors = fresh.map((m) => `<span id="m-${esc(m.id)}"></span>`).join('');
            const title =
              g.measures.length > 0
                ? g.measures.map((m) => `${bi(measureHeading(m))} · ${bi(m.title)}`).join(' <span class="muted">+</span> ')
                : bi(UI.noMeasure);
            const list = `<ol class="findings">${g.findings.map((f) => findingItem(f, g.measures)).join('')}</ol>`;
            // Hundreds of exported components would bury the other measures; a long list starts folded.
            const body =
              g.findings.length > FOLD_AFTER
                ? `<details class="many"><summary>${bi({ en: `Show ${g.findings.length} findings`, zh: `展开 ${g.findings.length} 个问题` })}</summary>${list}</details>`
                : list;
            return `<section class="measure-findings" aria-labelledby="${id}">${anchors}<h3 id="${id}">${title}</h3>${body}</section>`;
          })
          .join('');
  return `<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">${bi(UI.findings)}</h2>${body}</section>`;
}

/** One table per language, because the one pasted into a policy must be in the policy's language. */
function sdkTable(disclose: SdkDisclosure[], lang: Lang): string {
  const t = (b: Bilingual) => esc(lang === 'zh' ? b.zh : b.en);
  const list = (items: PiLabel[]) => (items.length ? items.map((p) => t(p.title)).join(lang === 'zh' ? '、' : ', ') : t(FIELD.none));
  const head = [FIELD.sdkName, FIELD.vendor, FIELD.purpose, FIELD.observedPi, FIELD.documentedPi, FIELD.sdkVersion, FIELD.policy]
    .map((h) => `<th scope="col">${t(h)}</th>`)
    .join('');
  const rows = disclose
    .map(
      (d) =>
        `<tr data-sdk="${esc(d.sdk.id)}"><th scope="row">${t(d.sdk.name)}</th><td>${t(d.sdk.vendor)}</td><td>${t(d.purpose)}</td>` +
        `<td>${list(d.observed)}</td><td>${list(d.documented)}</td><td>${esc(d.sdk.version ?? '')}</td>` +
        `<td>${d.privacyPolicy ? `<a href="${esc(d.privacyPolicy)}" rel="noopener noreferrer">${esc(d.privacyPolicy)}</a>` : ''}</td></tr>`,
    )
    .join('');
  const code = lang === 'zh' ? 'zh-CN' : 'en';
  return `<table class="sdk-table t-${lang}" lang="${code}" data-copy-source="${lang}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function sdkSection(report: ScanReport): string {
  const { disclose, libraries } = sdkDisclosures(report);
  // The script writes these into the status line, in whichever language is showing then.
  const copyMessages = [
    `data-copied-en="${esc(UI.copied.en)}" data-copied-zh="${esc(UI.copied.zh)}"`,
    `data-failed-en="${esc(UI.copyFailed.en)}" data-failed-zh="${esc(UI.copyFailed.zh)}"`,
  ].join(' ');
  const tables =
    disclose.length === 0
      ? `<p>${bi(UI.noSdks)}</p>`
      : `<p><button type="button" class="copy" id="copy-sdks" hidden ${copyMessages}>${bi(UI.copy)}</button> <span class="copy-status" role="status" aria-live="polite"></span></p>` +
        `<div class="scroll">${sdkTable(disclose, 'en')}${sdkTable(disclose, 'zh')}</div>`;
  const libs =
    libraries.length > 0
      ? `<p class="muted">${bi(UI.libraries)} ${libraries.map((s) => `<span class="lib">${bi(s.name)}${s.version ? ` ${esc(s.version)}` : ''}</span>`).join(', ')}</p>`
      : '';
  return `<section id="sdks" aria-labelledby="sdks-h"><h2 id="sdks-h">${bi(UI.sdks)}</h2><p class="note">${bi(UI.sdksNote)}</p>${tables}${libs}</section>`;
}

function permissionsSection(report: ScanReport): string {
  const purposes = new Map(report.app.metaData.filter((m) => m.value !== null).map((m) => [m.name, m.value!]));
  const unused = new Set(report.permissionUse.declaredUnused);
  const rows = report.permissions
    .map((p) => {
      const dangerous = isDangerousLevel(p.protectionLevel);
      const purpose = purposes.get(p.name);
      const used = unused.has(p.name)
        ? bi(FIELD.notSeen)
        : report.sensitiveApis.some((a) => permissionsOf(a.permission).includes(p.name))
          ? bi(FIELD.yes)
          : '';
      return (
        `<tr${dangerous ? ' class="dangerous"' : ''}><th scope="row"><code>${esc(p.name)}</code>${p.maxSdkVersion !== null ? ` <span class="muted">maxSdk ${esc(p.maxSdkVersion)}</span>` : ''}</th>` +
        `<td>${protectionCell(p.protectionLevel, dangerous)}</td>` +
        `<td>${purpose !== undefined ? `<bdi>${esc(purpose)}</bdi>` : `<span class="${dangerous ? 'bad' : 'muted'}">${bi(FIELD.noPurpose)}</span>`}</td>` +
        `<td>${used}</td></tr>`
      );
    })
    .join('');
  const head = [FIELD.permission, FIELD.protection, FIELD.permPurpose, FIELD.usedByCode]
    .map((h) => `<th scope="col">${bi(h)}</th>`)
    .join('');
  const undeclared = report.permissionUse.usedUndeclared;
  return (
    `<section id="permissions" aria-labelledby="permissions-h"><h2 id="permissions-h">${bi(UI.permissions)} <span class="muted">(${report.permissions.length})</span></h2>` +
    `<p class="note">${bi(UI.permissionsNote)}</p>` +
    `<div class="scroll"><table class="permissions"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>` +
    (undeclared.length ? `<p>${bi(UI.usedUndeclared)} ${undeclared.map((p) => `<code>${esc(p)}</code>`).join(' ')}</p>` : '') +
    `</section>`
  );
}

/**
 * The protection level once: a dangerous one as the badge alone (with any flags beside it), the
 * others as the platform spells them. "dangerous" and then a "dangerous" badge said it twice.
 */
function protectionCell(level: string | null, dangerous: boolean): string {
  if (!dangerous) return esc(level ?? '?');
  const flags = (level ?? '').split('|').filter((f) => f !== '' && f !== 'dangerous');
  return `<span class="badge sev-high" data-level="${esc(level ?? '')}">${bi(FIELD.dangerous)}</span>${flags.length ? ` <span class="muted">${esc(flags.join('|'))}</span>` : ''}`;
}

function permissionsOf(permission: string | string[] | null): string[] {
  return permission === null ? [] : Array.isArray(permission) ? permission : [permission];
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2327; --muted: #646970; --line: #dcdcde; --bg: #fff; --soft: #f6f7f7; --accent: #1565c0; }
html[lang="en"] .t-zh, html[lang="zh-CN"] .t-en { display: none !important; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: var(--fg); background: var(--bg); }
header.top { background: #102a43; color: #fff; padding: 20px 28px; display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; justify-content: space-between; }
header.top h1 { margin: 0; font-size: 1.5rem; }
header.top p { margin: 4px 0 0; opacity: .85; }
#lang-toggle { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #fff; background: transparent; color: #fff; cursor: pointer; }
#lang-toggle:focus-visible, button.copy:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid #ffb300; outline-offset: 2px; }
nav.toc { padding: 8px 28px; border-bottom: 1px solid var(--line); background: var(--soft); }
nav.toc ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 28px 40px; }
h2 { margin: 32px 0 12px; font-size: 1.3rem; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { margin: 22px 0 8px; font-size: 1.08rem; }
a { color: var(--accent); }
code { font: .88em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.hash { word-break: break-all; }
.muted { color: var(--muted); }
.note { color: var(--muted); max-width: 80ch; }
.ok { color: #2e7d32; }
.bad { color: #c62828; }
dl.card { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px 28px; margin: 0; padding: 16px; border: 1px solid var(--line); border-radius: 8px; background: var(--soft); }
.field dt { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.field dd { margin: 2px 0 0; overflow-wrap: anywhere; }
.app-label { font-size: 1.2rem; font-weight: 600; }
ul.inline { list-style: none; padding: 0; margin: 2px 0 0; display: flex; flex-wrap: wrap; gap: 2px 12px; }
.scheme { margin-right: 10px; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 48px; }
figure.chart { margin: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-label, .chart-count { font-size: 13px; fill: var(--fg); }
.donut-wrap { display: flex; align-items: center; gap: 18px; }
.donut-total { font-size: 8px; font-weight: 700; fill: var(--fg); }
ul.legend { list-style: none; padding: 0; margin: 0; }
ul.legend li { margin: 3px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-size: .85rem; }
tbody th { font-weight: normal; }
tr.group-row th { background: #e3ecf5; font-weight: 700; padding-top: 8px; }
.matrix .num { display: inline-block; min-width: 1.8em; font-weight: 700; color: var(--muted); }
.matrix details { margin-top: 2px; font-size: .85rem; color: var(--muted); }
.matrix details p { margin: 4px 0; max-width: 70ch; }
.count { text-align: right; font-variant-numeric: tabular-nums; }
ul.needs { margin: 0; padding-left: 1.1em; }
ul.outline { margin: 2px 0; padding-left: 1.2em; }
.badge.kind { background: #e3ecf5; color: #102a43; font-weight: 500; }
.status, .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .82rem; font-weight: 600; color: #fff; white-space: nowrap; }
.status-passed { background: ${STATUS_COLOURS.passed}; }
.status-failed { background: ${STATUS_COLOURS.failed}; }
.status-partially-assessed { background: ${STATUS_COLOURS['partially-assessed']}; color: #1d1d1d; }
.status-not-assessed, .status-needs-evidence { background: ${STATUS_COLOURS['not-assessed']}; color: #fff; }
.status-organisational { background: ${STATUS_COLOURS.organisational}; }
.status-platform-checked { background: ${STATUS_COLOURS['platform-checked']}; }
.badge.sev-high { background: ${SEVERITY_COLOURS.high}; }
.badge.sev-medium { background: ${SEVERITY_COLOURS.medium}; }
.badge.sev-low { background: ${SEVERITY_COLOURS.low}; color: #1d1d1d; }
.badge.sev-info { background: ${SEVERITY_COLOURS.info}; }
.outcome-error { color: #c62828; font-weight: 600; }
.outcome-skipped, .outcome-not-applicable, .outcome-disabled { color: var(--muted); }
ol.findings { list-style: none; padding: 0; margin: 0; }
li.finding { border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
li.finding.sev-high { border-left-color: ${SEVERITY_COLOURS.high}; }
li.finding.sev-medium { border-left-color: ${SEVERITY_COLOURS.medium}; }
li.finding.sev-low { border-left-color: ${SEVERITY_COLOURS.low}; }
li.finding.sev-info { border-left-color: ${SEVERITY_COLOURS.info}; }
li.finding.suppressed { background: #f3f3f3; color: #7a7a7a; border-left-color: #bdbdbd; }
li.finding.suppressed .badge { background: #9e9e9e; }
li.finding.suppressed .finding-head .rule-title, li.finding.suppressed .msg { text-decoration: line-through; }
.finding-head .rule-title { font-weight: 600; }
.msg { margin: 6px 0; }
.suppression { margin: 4px 0; color: #424242; }
.evidence ul { margin: 2px 0 4px; padding-left: 1.2em; }
.artifact { background: #eef3f8; padding: 0 4px; border-radius: 3px; }
.sdk-tag { font-size: .8rem; border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; }
.runtime-tag { font-size: .8rem; border-radius: 8px; padding: 0 6px; border: 1px solid var(--line); white-space: nowrap; }
.runtime-active { background: #fdecea; border-color: #c62828; color: #8e0000; }
.runtime-not-observed { color: var(--muted); }
.fingerprint { font-size: .78rem; margin: 4px 0 0; }
details.fix summary, details.many > summary { cursor: pointer; color: var(--accent); }
button.copy { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
.sdk-table th[scope="row"] { font-weight: 600; }
tr.dangerous th code { font-weight: 700; }
.lib { white-space: nowrap; }
footer { max-width: 1200px; margin: 0 auto; padding: 16px 28px 32px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
@media print { #lang-toggle, button.copy, nav.toc { display: none !important; } header.top { background: none; color: #000; } li.finding { break-inside: avoid; } }
`;

/**
 * Language from `#lang=zh|en` (so a link can open the report in either language), the toggle
 * button, and the copy button. No data lives in the script: the page's text stays in the markup,
 * where it is escaped.
 */
const SCRIPT = `
(function () {
  'use strict';
  var root = document.documentElement;
  var toggle = document.getElementById('lang-toggle');
  function current() { return root.getAttribute('lang') === 'zh-CN' ? 'zh' : 'en'; }
  function apply(lang) {
    root.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
    var title = root.getAttribute('data-title-' + lang);
    if (title) document.title = title;
    var labelled = document.querySelectorAll('[data-aria-label-en]');
    for (var i = 0; i < labelled.length; i++) labelled[i].setAttribute('aria-label', labelled[i].getAttribute('data-aria-label-' + lang));
    if (toggle) {
      toggle.textContent = toggle.getAttribute('data-text-' + lang);
      toggle.setAttribute('aria-label', toggle.getAttribute('data-label-' + lang));
    }
  }
  var asked = /(?:^#|&)lang=(zh|en)(?:&|$)/.exec(location.hash);
  apply(asked ? asked[1] : current());
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var next = current() === 'zh' ? 'en' : 'zh';
      apply(next);
      try { history.replaceState(null, '', '#lang=' + next); } catch (e) { /* some file: pages refuse; the switch still happened */ }
    });
  }
  var copy = document.getElementById('copy-sdks');
  if (copy) {
    var status = document.querySelector('.copy-status');
    copy.hidden = false;
    var say = function (key) {
      status.textContent = copy.getAttribute('data-' + key + '-' + current());
    };
    var bySelection = function (table) {
      var range = document.createRange();
      range.selectNodeContents(table);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var done = false;
      try { done = document.execCommand('copy'); } catch (e) { done = false; }
      selection.removeAllRanges();
      return done;
    };
    copy.addEventListener('click', function () {
      var table = document.querySelector('table[data-copy-source="' + current() + '"]');
      if (!table) return;
      var text = Array.prototype.map.call(table.rows, function (row) {
        return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent.trim(); }).join('\\t');
      }).join('\\n');
      var html = '<table>' + table.innerHTML + '</table>';
      if (navigator.clipboard && window.ClipboardItem) {
        var item = new ClipboardItem({
          'text/plain': new Blob([text], { type: 'text/plain' }),
          'text/html': new Blob([html], { type: 'text/html' })
        });
        navigator.clipboard.write([item]).then(function () { say('copied'); }, function () { say(bySelection(table) ? 'copied' : 'failed'); });
      } else {
        say(bySelection(table) ? 'copied' : 'failed');
      }
    });
  }
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The coverage matrix of the 26 measures, each linked to its findings below. */
export function coverageSection(report: CheckResults): string {
  const withFindings = new Set(findingsByMeasure(report).flatMap((g) => g.measures.map((m) => m.id)));
  return coverageMatrix(report, coverageGroups(report), withFindings);
}

export interface HtmlPage {
  lang: Lang;
  /** The document title, per language. */
  titles: Bilingual;
  /** The page heading. */
  heading: Bilingual;
  /** The lines under the heading, as markup already escaped. */
  subtitle: string;
  /** Table of contents: section id and label. */
  nav: [string, Bilingual][];
  /** The <main> sections, as markup already escaped. */
  sections: string[];
  /** The end of the footer's last line, as markup already escaped. */
  generated: string;
}

/**
 * The page around a report: header with the language button, contents, footer, and the style and
 * script whose hashes the Content-Security-Policy admits. The scan and the policy report share it.
 */
export function htmlPage(page: HtmlPage): string {
  const { lang, titles } = page;
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(SCRIPT)}`,
    `style-src ${cspHash(STYLE)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const body = [
    `<header class="top"><div><h1>${bi(page.heading)}</h1>${page.subtitle}</div>`,
    `<button type="button" id="lang-toggle" hidden data-text-en="${esc(UI.langButton.en)}" data-text-zh="${esc(UI.langButton.zh)}" data-label-en="${esc(UI.langButtonLabel.en)}" data-label-zh="${esc(UI.langButtonLabel.zh)}" aria-label="${esc(lang === 'zh' ? UI.langButtonLabel.zh : UI.langButtonLabel.en)}">${esc(lang === 'zh' ? UI.langButton.zh : UI.langButton.en)}</button></header>`,
    `<nav class="toc" ${biAttr('aria-label', UI.nav, lang)}><ul>${page.nav.map(([id, label]) => `<li><a href="#${id}">${bi(label)}</a></li>`).join('')}</ul></nav>`,
    '<main>',
    ...page.sections,
    '</main>',
    `<footer><p>${bi(UI.footer)}</p><p>${bi(FIELD.generated)} ${page.generated}</p></footer>`,
  ].join('\n');
  return [
    '<!doctype html>',
    `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}" data-title-en="${esc(titles.en)}" data-title-zh="${esc(titles.zh)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="AppRights">',
    '<link rel="icon" href="data:,">',
    `<title>${esc(lang === 'zh' ? titles.zh : titles.en)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body>`,
    body,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const POLICY_NAV: Bilingual = { en: 'Privacy policy', zh: '隐私政策' };

export function renderHtml(report: ScanReport, lang: Lang): string {
  const name = report.app.label ?? report.file.name;
  const nav: [string, Bilingual][] = [
    ['identity', UI.identity],
    ['summary', UI.summary],
    ['coverage', UI.coverage],
    ['findings', UI.findings],
    ['sdks', UI.sdks],
    ['permissions', UI.permissions],
  ];
  if (report.policy) nav.push(['policy', POLICY_NAV]);
  if (report.trace) nav.push(['trace', TRACE_LABELS.reportTitle]);
  return htmlPage({
    lang,
    titles: { en: `${UI.title.en}: ${name}`, zh: `${UI.title.zh}：${name}` },
    heading: UI.title,
    subtitle: `<p><bdi>${esc(name)}</bdi>${report.app.package ? ` · <code>${esc(report.app.package)}</code>` : ''}</p><p>${bi(UI.subtitle)}</p>`,
    nav,
    sections: [
      identity(report),
      summary(report, lang),
      coverageSection(report),
      findingsSection(report),
      sdkSection(report),
      permissionsSection(report),
      ...(report.policy ? [policyOverviewHtml(report.policy, { id: 'policy', title: POLICY_NAV })] : []),
      ...(report.trace ? [traceOverviewHtml(report.trace, report.ui, { id: 'trace', title: TRACE_LABELS.reportTitle })] : []),
    ],
    generated: `${esc(report.tool.version)} · report schema ${esc(report.schemaVersion)} · <code>${esc(report.file.sha256)}</code>`,
  });
}
