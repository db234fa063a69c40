/**
 * The privacy policy in the HTML reports: the overview card (also in a scan report given --policy)
 * and the tables of the policy report. Everything from the policy goes through `esc`: a policy page
 * is written by whoever runs the server, and may carry markup.
 */
import type { PolicyAnalysis } from '@apprights/policy';
import type { Bilingual } from '@apprights/rules';
import { bi, esc, field } from './html-base.js';
import {
  mentionGroups,
  POLICY_LABELS as L,
  policyFacts,
  policyOutline,
  quote,
  recipientKindLabel,
  sectionKindLabel,
} from './policy-views.js';

/** Only a web address may become a link: the page must not carry javascript: or data: URLs. */
function link(url: string | null): string {
  if (!url) return '';
  return /^https?:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc(url)}" rel="noopener noreferrer">${esc(url)}</a>` : esc(url);
}

function yesNo(value: boolean): string {
  return bi(value ? L.yes : L.no);
}

function table(headers: Bilingual[], rows: string[], empty: Bilingual = L.none): string {
  if (rows.length === 0) return `<p class="muted">${bi(empty)}</p>`;
  return `<div class="scroll"><table><thead><tr>${headers.map((h) => `<th scope="col">${bi(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** Long policies name hundreds of things; past this many a table starts folded. */
const FOLD_AFTER = 40;

function folded(count: number, html: string): string {
  return count > FOLD_AFTER
    ? `<details class="many"><summary>${bi({ en: `Show ${count} rows`, zh: `展开 ${count} 行` })}</summary>${html}</details>`
    : html;
}

export function policyOverviewHtml(analysis: PolicyAnalysis, section: { id: string; title: Bilingual }): string {
  const fields = policyFacts(analysis).map((f) => {
    // A URL source is a link the reader can follow; anything else is shown as text.
    const value =
      f.label === L.source ? link(analysis.source) || '-' : f.value.en === f.value.zh ? `<bdi>${esc(f.value.en)}</bdi>` : bi(f.value);
    return field(f.label, value);
  });
  return `<section id="${esc(section.id)}" aria-labelledby="${esc(section.id)}-h"><h2 id="${esc(section.id)}-h">${bi(section.title)}</h2><dl class="card">${fields.join('')}</dl></section>`;
}

export function policyDetailsHtml(analysis: PolicyAnalysis): string {
  const groups = mentionGroups(analysis.dataMentions);
  const groupRows = groups.map(
    (g) =>
      `<tr${g.sensitive ? ' class="dangerous"' : ''}><th scope="row">${bi(g.label)} <code class="muted">${esc(g.category)}</code></th>` +
      `<td>${g.sensitive ? `<span class="badge sev-high">${bi(L.colSensitive)}</span>` : ''}</td>` +
      `<td class="count">${g.mentions}</td>` +
      `<td class="${g.sensitive && g.highlighted < g.mentions ? 'bad' : ''}">${g.highlighted}/${g.mentions}</td>` +
      `<td class="count">${g.required}</td><td><bdi>${esc(quote(g.example, 40))}</bdi></td></tr>`,
  );
  const sensitive = analysis.dataMentions.filter((m) => m.sensitive);
  const sensitiveList =
    sensitive.length === 0
      ? ''
      : `<details><summary>${bi(L.sensitive)} (${sensitive.length})</summary><ul>${sensitive
          .map((m) => {
            const heading = analysis.sections[m.section]?.heading;
            return `<li><bdi>${esc(m.text)}</bdi> <span class="${m.highlighted ? 'ok' : 'bad'}">${bi(L.colHighlighted)}: ${yesNo(m.highlighted)}</span>${heading ? ` <span class="muted">§ <bdi>${esc(heading)}</bdi></span>` : ''} <span class="muted">@${m.start}</span></li>`;
          })
          .join('')}</ul></details>`;
  const data =
    `<section id="policy-data" aria-labelledby="policy-data-h"><h2 id="policy-data-h">${bi(L.dataMentions)} <span class="muted">(${analysis.dataMentions.length})</span></h2>` +
    `<p class="note">${bi(L.dataNote)}</p>` +
    folded(groups.length, table([L.colCategory, L.colSensitive, L.colMentions, L.colHighlighted, L.colRequired, L.colExample], groupRows)) +
    sensitiveList +
    `</section>`;

  const permissionRows = analysis.permissions.map(
    (m) =>
      `<tr><th scope="row">${m.permissions.map((n) => `<code>${esc(n)}</code>`).join(' ')}</th><td><bdi>${esc(quote(m.text, 40))}</bdi></td><td>${m.purpose ? `<bdi>${esc(quote(m.purpose.text, 80))}</bdi>` : '<span class="muted">-</span>'}</td></tr>`,
  );
  const permissions =
    `<section id="policy-permissions" aria-labelledby="policy-permissions-h"><h2 id="policy-permissions-h">${bi(L.permissions)} <span class="muted">(${analysis.permissions.length})</span></h2>` +
    folded(permissionRows.length, table([L.colPermission, L.colText, L.colPurpose], permissionRows)) +
    `</section>`;

  const sdkRows = analysis.sdkTable.map(
    (r) =>
      `<tr><th scope="row"><bdi>${esc(r.name)}</bdi></th><td><bdi>${esc(r.company ?? '')}</bdi></td><td><bdi>${esc(r.purpose ?? '')}</bdi></td>` +
      `<td><bdi>${esc(r.data.join('、'))}</bdi></td><td>${r.sdk ? `<code>${esc(r.sdk)}</code>` : ''}</td><td>${link(r.policyUrl)}</td></tr>`,
  );
  const sdks =
    `<section id="policy-sdks" aria-labelledby="policy-sdks-h"><h2 id="policy-sdks-h">${bi(L.sdkTable)} <span class="muted">(${analysis.sdkTable.length})</span></h2>` +
    folded(sdkRows.length, table([L.colName, L.colCompany, L.colPurpose, L.colData, L.colSdk, L.colPolicy], sdkRows)) +
    `</section>`;

  const recipientRows = analysis.recipients.map(
    (r) =>
      `<tr><th scope="row"><bdi>${esc(r.name)}</bdi></th><td>${bi(recipientKindLabel(r.kind))}</td><td>${r.sdk ? `<code>${esc(r.sdk)}</code>` : ''}</td><td><bdi>${esc(quote(r.text, 60))}</bdi></td></tr>`,
  );
  const outline = policyOutline(analysis);
  const kindBadges = (kinds: readonly string[]) =>
    kinds.length
      ? kinds.map((k) => `<span class="badge kind">${bi(sectionKindLabel(k))}</span>`).join(' ')
      : '<span class="muted">-</span>';
  // Nested lists: a scope is everything inside its item, so where a chapter ends is where its list ends.
  let tree = '';
  let depth = -1;
  for (const e of outline) {
    const d = Math.max(0, Math.min(e.depth, depth + 1));
    if (d > depth) tree += '<ul class="outline">'.repeat(d - depth);
    else tree += '</li>' + '</ul></li>'.repeat(depth - d);
    depth = d;
    const textKinds = e.textKinds.length
      ? ` <span class="muted">${bi(L.colTextKinds)}:</span> ${e.textKinds.map(([k, n]) => `${bi(sectionKindLabel(k))} ×${n}`).join(', ')}`
      : '';
    tree += `<li><bdi>${esc(quote(e.title, 80))}</bdi> ${kindBadges(e.kinds)}${textKinds} <span class="muted">${e.blocks} ${bi(L.colBlocks)} · @${e.start}–${e.end}</span>`;
  }
  if (depth >= 0) tree += '</li>' + '</ul></li>'.repeat(depth) + '</ul>';
  const outlineHtml =
    `<section id="policy-outline" aria-labelledby="policy-outline-h"><h2 id="policy-outline-h">${bi(L.outline)} <span class="muted">(${outline.length})</span></h2>` +
    `<p class="note">${bi(L.outlineNote)}</p>` +
    (outline.length ? folded(outline.length, tree) : `<p class="muted">${bi(L.none)}</p>`) +
    `</section>`;

  const recipients =
    `<section id="policy-recipients" aria-labelledby="policy-recipients-h"><h2 id="policy-recipients-h">${bi(L.recipients)} <span class="muted">(${analysis.recipients.length})</span></h2>` +
    folded(recipientRows.length, table([L.colName, L.colKind, L.colSdk, L.colText], recipientRows)) +
    `</section>`;
  return [outlineHtml, data, permissions, sdks, recipients].join('\n');
}
