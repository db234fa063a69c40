/**
 * The runtime trace's summary (what was recorded, the consent timeline, permission requests, UI
 * snapshots) as sections for the terminal and Markdown, and as a card for the HTML reports. The trace
 * report shows all of it; the scan report with `--trace` the overview.
 */
import type { Bilingual, TraceSummary, UiSummary } from '@apprights/rules';
import type { Lang } from './i18n.js';
import { pick, traceTime } from './check-views.js';
import { bi, esc, field } from './html-base.js';
import type { Block, Section } from './section.js';

export const TRACE_LABELS = {
  reportTitle: { en: 'Runtime trace', zh: '运行时行为记录' },
  subtitle: {
    en: 'What the app did while it ran, checked against MIIT notice 工信部信管函〔2023〕26号',
    zh: '应用运行时的行为，依据工信部信管函〔2023〕26号检测',
  },
  file: { en: 'Trace file', zh: '记录文件' },
  package: { en: 'Package', zh: '包名' },
  recorder: { en: 'Recorder', zh: '记录工具' },
  device: { en: 'Device', zh: '设备' },
  startedAt: { en: 'Started at', zh: '开始时间' },
  duration: { en: 'Duration', zh: '时长' },
  events: { en: 'Events', zh: '事件' },
  consent: { en: 'Consent', zh: '隐私政策同意' },
  shown: { en: 'shown', zh: '弹出' },
  agreed: { en: 'agreed', zh: '同意' },
  refused: { en: 'refused', zh: '拒绝' },
  withdrawn: { en: 'withdrawn', zh: '撤回' },
  noConsent: { en: 'no consent events in the trace', zh: '记录中没有同意相关事件' },
  apiBeforeConsent: { en: 'Sensitive-API calls before consent', zh: '同意前的敏感 API 调用' },
  snapshots: { en: 'UI snapshots', zh: '界面快照' },
  problems: { en: 'Lines skipped', zh: '跳过的行' },
  permissionRequests: { en: 'Permission requests', zh: '权限申请' },
  colTime: { en: 'time', zh: '时间' },
  colLine: { en: 'line', zh: '行' },
  colPermissions: { en: 'permissions', zh: '权限' },
  colAnswers: { en: 'answers', zh: '用户选择' },
  colPurpose: { en: 'purpose shown', zh: '说明了目的' },
  colBeforeConsent: { en: 'before consent', zh: '同意前' },
  colId: { en: 'id', zh: 'id' },
  colRole: { en: 'role', zh: '类型' },
  colFile: { en: 'file', zh: '文件' },
  yes: { en: 'yes', zh: '是' },
  no: { en: 'no', zh: '否' },
  unknown: { en: '?', zh: '?' },
  line: { en: 'line', zh: '第' },
  none: { en: 'none', zh: '无' },
} as const satisfies Record<string, Bilingual>;

const MAX_ROWS = 100;

function yesNo(value: boolean | null, lang: Lang): string {
  return pick(lang, value === null ? TRACE_LABELS.unknown : value ? TRACE_LABELS.yes : TRACE_LABELS.no);
}

function lineLabel(line: number, lang: Lang): string {
  return lang === 'zh' ? `第 ${line} 行` : `line ${line}`;
}

/** The summary's fields as label/value pairs, in the order every format shows them. */
export function traceFields(trace: TraceSummary, lang: Lang): [Bilingual, string][] {
  const L = TRACE_LABELS;
  const sep = lang === 'zh' ? '、' : ', ';
  const device = trace.device
    ? [
        trace.device.model,
        trace.device.sdkInt !== undefined ? `API ${trace.device.sdkInt}` : undefined,
        trace.device.emulator ? 'emulator' : undefined,
      ]
        .filter(Boolean)
        .join(', ')
    : '';
  const kinds = Object.entries(trace.eventsByKind)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(sep);
  const consent = (['shown', 'agreed', 'refused', 'withdrawn'] as const)
    .filter((action) => trace.consent[action].length > 0)
    .map((action) => `${pick(lang, L[action])} @ ${trace.consent[action].map(traceTime).join(sep)}`)
    .join('; ');
  const fields: [Bilingual, string][] = [
    [L.file, trace.source],
    [
      L.package,
      `${trace.package ?? '-'}${trace.versionName ? ` ${trace.versionName}` : ''}${trace.versionCode !== null ? ` (${trace.versionCode})` : ''}`,
    ],
    [L.recorder, `${trace.recorder ?? '-'}${trace.format ? ` (trace ${trace.format})` : ''}`],
  ];
  if (device) fields.push([L.device, device]);
  if (trace.startedAt) fields.push([L.startedAt, trace.startedAt]);
  fields.push(
    [L.duration, traceTime(trace.durationMs)],
    [L.events, `${trace.events}${kinds ? ` (${kinds})` : ''}`],
    [L.consent, consent || pick(lang, L.noConsent)],
    [L.apiBeforeConsent, String(trace.apiCallsBeforeConsent)],
    [L.permissionRequests, String(trace.permissionRequests.length)],
    [L.snapshots, String(trace.snapshots)],
    [L.problems, String(trace.problems.length)],
  );
  return fields;
}

function permissionRows(trace: TraceSummary, lang: Lang): string[][] {
  return trace.permissionRequests
    .slice(0, MAX_ROWS)
    .map((p) => [
      traceTime(p.time),
      String(p.line),
      p.permissions.map((name) => name.replace(/^android\.permission\./, '')).join(', '),
      p.answers.map((a) => a ?? '?').join(', '),
      yesNo(p.purposeShown, lang),
      yesNo(p.beforeConsent, lang),
    ]);
}

/** Sections for the terminal and Markdown; `short` (the scan report) leaves out the snapshot list and skipped lines. */
export function traceSections(
  trace: TraceSummary,
  ui: UiSummary | null | undefined,
  lang: Lang,
  options: { short?: boolean } = {},
): Section[] {
  const L = TRACE_LABELS;
  const t = (b: Bilingual) => pick(lang, b);
  const blocks: Block[] = [{ kind: 'fields', fields: traceFields(trace, lang).map(([k, v]) => [t(k), v]) }];
  const sections: Section[] = [{ title: `${t(L.reportTitle)}: ${trace.package ?? trace.source}`, blocks }];
  if (trace.permissionRequests.length > 0) {
    sections.push({
      title: `${t(L.permissionRequests)} (${trace.permissionRequests.length})`,
      blocks: [
        {
          kind: 'table',
          headers: [L.colTime, L.colLine, L.colPermissions, L.colAnswers, L.colPurpose, L.colBeforeConsent].map(t),
          rows: permissionRows(trace, lang),
        },
      ],
    });
  }
  if (options.short) return sections;
  if (ui && ui.snapshots.length > 0) {
    sections.push({
      title: `${t(L.snapshots)} (${ui.snapshots.length})`,
      blocks: [
        {
          kind: 'table',
          headers: [L.colId, L.colRole, L.colTime, L.colLine, L.colFile].map(t),
          rows: ui.snapshots
            .slice(0, MAX_ROWS)
            .map((s) => [s.id, s.role ?? '', s.time === null ? '' : traceTime(s.time), s.line?.toString() ?? '', s.file ?? '']),
        },
      ],
    });
  }
  if (trace.problems.length > 0) {
    sections.push({
      title: `${t(L.problems)} (${trace.problems.length})`,
      blocks: [{ kind: 'list', items: trace.problems.slice(0, MAX_ROWS).map((p) => `${lineLabel(p.line, lang)}: ${p.message}`) }],
    });
  }
  return sections;
}

/** The trace card and permission table for the HTML reports, both languages in the page. */
export function traceOverviewHtml(
  trace: TraceSummary,
  ui: UiSummary | null | undefined,
  section: { id: string; title: Bilingual },
): string {
  const L = TRACE_LABELS;
  // Values are the same in both languages except the consent line, which gets both.
  const en = traceFields(trace, 'en');
  const zh = traceFields(trace, 'zh');
  const fields = en
    .map(([label, value], i) => {
      const other = zh[i]![1];
      const body = other === value ? `<bdi>${esc(value)}</bdi>` : bi({ en: value, zh: other });
      return field(label, body);
    })
    .join('');
  const head = [L.colTime, L.colLine, L.colPermissions, L.colAnswers, L.colPurpose, L.colBeforeConsent]
    .map((h) => `<th scope="col">${bi(h)}</th>`)
    .join('');
  const enRows = permissionRows(trace, 'en');
  const zhRows = permissionRows(trace, 'zh');
  const rows = enRows
    .map(
      (row, i) =>
        `<tr data-line="${esc(trace.permissionRequests[i]!.line)}">${row
          .map((cell, j) => {
            const other = zhRows[i]![j]!;
            return `<td>${other === cell ? esc(cell) : bi({ en: cell, zh: other })}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const permissions =
    trace.permissionRequests.length > 0
      ? `<h3>${bi(L.permissionRequests)}</h3><div class="scroll"><table class="permission-requests"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`
      : '';
  const snapshots =
    ui && ui.snapshots.length > 0
      ? `<h3>${bi(L.snapshots)}</h3><div class="scroll"><table class="snapshots"><thead><tr>${[
          L.colId,
          L.colRole,
          L.colTime,
          L.colLine,
          L.colFile,
        ]
          .map((h) => `<th scope="col">${bi(h)}</th>`)
          .join('')}</tr></thead><tbody>${ui.snapshots
          .slice(0, MAX_ROWS)
          .map(
            (s) =>
              `<tr data-snapshot="${esc(s.id)}"><th scope="row"><code>${esc(s.id)}</code></th><td>${esc(s.role ?? '')}</td><td>${esc(s.time === null ? '' : traceTime(s.time))}</td><td>${esc(s.line ?? '')}</td><td><code>${esc(s.file ?? '')}</code></td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '';
  const problems =
    trace.problems.length > 0
      ? `<h3>${bi(L.problems)}</h3><ul>${trace.problems
          .slice(0, MAX_ROWS)
          .map((p) => `<li>${bi({ en: lineLabel(p.line, 'en'), zh: lineLabel(p.line, 'zh') })}: ${esc(p.message)}</li>`)
          .join('')}</ul>`
      : '';
  return (
    `<section id="${esc(section.id)}" aria-labelledby="${esc(section.id)}-h"><h2 id="${esc(section.id)}-h">${bi(section.title)}</h2>` +
    `<dl class="card">${fields}</dl>${permissions}${snapshots}${problems}</section>`
  );
}
