/** The escaping and bilingual primitives every HTML report part is built with. */
import type { Bilingual } from '@apprights/rules';
import type { Lang } from './i18n.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For text and attribute values alike: every markup-significant character is replaced. */
export function esc(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Both languages side by side; the page's `lang` decides which one shows. */
export function bi(text: Bilingual, tag = 'span'): string {
  return `<${tag} class="t-en" lang="en">${esc(text.en)}</${tag}><${tag} class="t-zh" lang="zh-CN">${esc(text.zh)}</${tag}>`;
}

/** Attributes that the script swaps on a language change (aria-label, for instance). */
export function biAttr(name: string, text: Bilingual, lang: Lang): string {
  return `${name}="${esc(lang === 'zh' ? text.zh : text.en)}" data-${name}-en="${esc(text.en)}" data-${name}-zh="${esc(text.zh)}"`;
}

export function field(label: Bilingual, value: string): string {
  return `<div class="field"><dt>${bi(label)}</dt><dd>${value}</dd></div>`;
}
