/**
 * The drafts (`apprights policy draft`, `apprights listing draft`) in Markdown and HTML; JSON is the
 * draft itself. Markdown is in the language asked for, to paste into a policy or a store form; the
 * HTML page holds both languages with the switch, like the other HTML reports.
 */
import type { ListingDraft, PolicyDraft } from '@apprights/engine';
import type { Bilingual } from '@apprights/rules';
import { DRAFT_LABELS, listingDraftSections, policyDraftSections } from './draft-views.js';
import { esc } from './html-base.js';
import { htmlPage } from './html.js';
import type { Lang } from './i18n.js';
import { sectionsMarkdown } from './render.js';
import type { Block, Section } from './section.js';

export function renderPolicyDraftMarkdown(draft: PolicyDraft, lang: Lang): string {
  return `${sectionsMarkdown(policyDraftSections(draft, lang)).trimEnd()}\n`;
}

export function renderListingDraftMarkdown(draft: ListingDraft, lang: Lang): string {
  return `${sectionsMarkdown(listingDraftSections(draft, lang)).trimEnd()}\n`;
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'text':
      return `<p class="note">${esc(block.text)}</p>`;
    case 'list':
      return `<ul>${block.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
    case 'fields':
      return `<dl>${block.fields.map(([k, v]) => `<div class="field"><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
    case 'table':
      return (
        `<div class="scroll"><table><thead><tr>${block.headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${block.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`
      );
  }
}

/** Each section in both languages; the page's language shows one. The first section is the page heading. */
function pageOf(lang: Lang, sectionsFor: (lang: Lang) => Section[], title: Bilingual, generated: string): string {
  const en = sectionsFor('en');
  const zh = sectionsFor('zh');
  const body = en.map((section, i) => {
    const part = (l: 'en' | 'zh', s: Section) =>
      `<div class="t-${l}" lang="${l === 'zh' ? 'zh-CN' : 'en'}">${i === 0 ? '' : `<h2>${esc(s.title)}</h2>`}${s.blocks.map(blockHtml).join('\n')}</div>`;
    return `<section id="part-${i}">${part('en', section)}${part('zh', zh[i]!)}</section>`;
  });
  const titles = { en: en[0]!.title, zh: zh[0]!.title };
  return htmlPage({
    lang,
    titles,
    heading: title,
    subtitle: `<p><span class="t-en" lang="en">${esc(titles.en)}</span><span class="t-zh" lang="zh-CN">${esc(titles.zh)}</span></p>`,
    nav: en.slice(1).map((s, i) => [`part-${i + 1}`, { en: s.title, zh: zh[i + 1]!.title }]),
    sections: body,
    generated,
  });
}

export function renderPolicyDraftHtml(draft: PolicyDraft, lang: Lang): string {
  const title = draft.gaps ? DRAFT_LABELS.gapTitle : DRAFT_LABELS.title;
  return pageOf(lang, (l) => policyDraftSections(draft, l), title, `${esc(draft.tool.version)} · draft schema ${esc(draft.schemaVersion)}`);
}

export function renderListingDraftHtml(draft: ListingDraft, lang: Lang): string {
  return pageOf(
    lang,
    (l) => listingDraftSections(draft, l),
    DRAFT_LABELS.listingTitle,
    `${esc(draft.tool.version)} · draft schema ${esc(draft.schemaVersion)}`,
  );
}
