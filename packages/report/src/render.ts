import type { Lang } from './i18n.js';
import type { ScanReport } from '@apprights/rules';
import { buildSections, type Block, type Section } from './sections.js';
import { renderMarkdownChecks } from './markdown-checks.js';
import { paint } from './ansi.js';
import { checksText, pad, width, type TextOptions } from './summary-text.js';
import { t } from './i18n.js';
import { policySections } from './policy-views.js';
import { traceSections } from './trace-views.js';

function textBlock(block: Block): string[] {
  switch (block.kind) {
    case 'fields': {
      const keyWidth = block.fields.reduce((max, [k]) => Math.max(max, width(k)), 0);
      return block.fields.map(([k, v]) => `  ${pad(k, keyWidth)}  ${v}`);
    }
    case 'list':
      return block.items.map((item) => `  - ${item}`);
    case 'text':
      return [`  ${block.text}`];
    case 'table': {
      if (block.rows.length === 0) return ['  -'];
      const widths = block.headers.map((h, i) =>
        Math.min(
          80,
          block.rows.reduce((max, r) => Math.max(max, width(r[i] ?? '')), width(h)),
        ),
      );
      const line = (cells: string[]) => `  ${cells.map((c, i) => pad(c, widths[i]!)).join('  ')}`.trimEnd();
      return [line(block.headers), ...block.rows.map(line)];
    }
  }
}

/** Sections as terminal text: a title underlined, then its blocks. */
export function sectionsText(sections: Section[]): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(section.title, '-'.repeat(Math.min(72, Math.max(8, width(section.title)))));
    for (const block of section.blocks) for (const line of textBlock(block)) out.push(line);
    out.push('');
  }
  return out.join('\n');
}

/**
 * The scan as terminal text. By default the summary a person reads first: who the app is, the
 * verdict, the measures, the findings worst first (low and info counted by rule), where the rest
 * is. `verbose` adds the package's facts (permissions, components, SDKs, ...) and every finding.
 */
export function renderText(report: ScanReport, lang: Lang, options: TextOptions = {}): string {
  const sections = buildSections(report, lang, { checks: false });
  if (options.verbose) return [sectionsText(sections), ...checksText(report, lang, options), ''].join('\n');
  const p = paint(options.colour === true);
  // The identity, plus whether the signature verified: the one fact section the summary keeps.
  const identity = sections[0]!;
  const fields = identity.blocks[0]?.kind === 'fields' ? [...identity.blocks[0].fields] : [];
  if (report.signatures)
    fields.push([t(lang, 'signatures'), report.signatures.verified ? p.green(t(lang, 'verified')) : p.red(t(lang, 'notVerified'))]);
  // The other evidence checked with the package, as short overviews: what the verdict rests on.
  const evidence = [
    ...(report.policy ? policySections(report.policy, lang, { short: true }) : []),
    ...(report.trace ? traceSections(report.trace, report.ui, lang, { short: true }) : []),
  ];
  // What could not be read, and archive anomalies: a summary must not hide that the report is partial.
  const warnings = sections
    .filter((section) => section.id === 'problems' || section.id === 'archiveIssues')
    .map((section) => ({ ...section, blocks: section.blocks.map((b) => (b.kind === 'list' ? shortList(b.items, lang) : b)) }));
  const head = sectionsText([{ title: identity.title, blocks: [{ kind: 'fields', fields }] }, ...evidence, ...warnings]);
  return [head, ...checksText(report, lang, options), ''].join('\n');
}

/** At most five items of a list, then how many more and where they are. */
function shortList(items: string[], lang: Lang): Block {
  if (items.length <= 5) return { kind: 'list', items };
  const more = items.length - 5;
  return {
    kind: 'list',
    items: [...items.slice(0, 5), lang === 'zh' ? `另有 ${more} 项（--verbose 列出）` : `${more} more (--verbose lists them)`],
  };
}

function mdEscape(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function markdownBlock(block: Block): string[] {
  switch (block.kind) {
    case 'fields':
      return ['| | |', '|---|---|', ...block.fields.map(([k, v]) => `| ${mdEscape(k)} | ${mdEscape(v)} |`), ''];
    case 'list':
      return [...block.items.map((item) => `- ${mdEscape(item)}`), ''];
    case 'text':
      return [mdEscape(block.text), ''];
    case 'table':
      if (block.rows.length === 0) return ['(none)', ''];
      return [
        `| ${block.headers.map(mdEscape).join(' | ')} |`,
        `|${block.headers.map(() => '---').join('|')}|`,
        ...block.rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`),
        '',
      ];
  }
}

/** Sections as Markdown: the first is the document's title (`#`), the others `##`. */
export function sectionsMarkdown(sections: Section[]): string {
  const out: string[] = [];
  sections.forEach((section, i) => {
    out.push(`${i === 0 ? '#' : '##'} ${mdEscape(section.title)}`, '');
    for (const block of section.blocks) for (const line of markdownBlock(block)) out.push(line);
  });
  return out.join('\n');
}

export function renderMarkdown(report: ScanReport, lang: Lang): string {
  return [sectionsMarkdown(buildSections(report, lang, { checks: false })), renderMarkdownChecks(report, lang)].join('\n');
}
