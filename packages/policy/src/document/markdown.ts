import { TextBuilder } from './builder.js';
import type { PolicyDocument, ReadLimits } from './types.js';

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;

/**
 * The inline part of a Markdown line: `**bold**`/`__bold__`, `<u>underline</u>` (and `<b>`,
 * `<strong>`), `[text](url)` links; italics, code spans and other tags lose their markers.
 */
function inline(out: TextBuilder, source: string): void {
  const token =
    /\\([\\`*_[\]()#+\-.!<>|])|(\*\*|__)|<(\/?)(u|ins|b|strong)\s*>|<\/?[a-z][^>]*>|\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)|[*_`]/giy;
  let plain = '';
  const flush = () => {
    if (plain) out.text(plain);
    plain = '';
  };
  let bold = false;
  let i = 0;
  while (i < source.length) {
    token.lastIndex = i;
    const m = token.exec(source);
    if (!m) {
      plain += source[i];
      i++;
      continue;
    }
    i = token.lastIndex;
    if (m[1] !== undefined) plain += m[1];
    else if (m[2] !== undefined) {
      flush();
      if (bold) out.closeEmphasis('bold');
      else out.openEmphasis('bold');
      bold = !bold;
    } else if (m[4] !== undefined) {
      flush();
      const kind = m[4].toLowerCase() === 'u' || m[4].toLowerCase() === 'ins' ? 'underline' : 'bold';
      if (m[3]) out.closeEmphasis(kind);
      else out.openEmphasis(kind);
    } else if (m[5] !== undefined) {
      flush();
      out.openLink(m[6]!);
      out.text(m[5]);
      out.closeLink();
    }
    // Anything else (italics, code markers, other tags) is markup only.
  }
  flush();
  if (bold) out.closeEmphasis('bold');
}

/**
 * Markdown to the text a reader sees: ATX headings, list items, table rows (one block per cell),
 * paragraphs joined across soft line breaks (without a space between CJK characters).
 */
export function readMarkdown(input: string, limits: ReadLimits): PolicyDocument {
  const out = new TextBuilder(limits.maxBlocks);
  let title: string | null = null;
  let inParagraph = false;
  let lastChar = '';
  let row = -1;
  let fenced = false;
  for (const rawLine of input.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.endBlock();
      inParagraph = false;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || /^(?:[-*_]\s*){3,}$/.test(trimmed)) {
      out.endBlock();
      inParagraph = false;
      continue;
    }
    if (fenced) {
      out.startBlock('paragraph');
      out.text(trimmed);
      out.endBlock();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(trimmed);
    if (heading) {
      out.startBlock('heading', heading[1]!.length);
      inline(out, heading[2]!);
      out.endBlock();
      if (title === null && heading[1] === '#') title = heading[2]!.replace(/[*_`]/g, '').trim();
      inParagraph = false;
      continue;
    }
    if (trimmed.startsWith('|')) {
      if (/^\|?[\s:|-]+\|?$/.test(trimmed)) continue;
      row++;
      out.endBlock();
      const cells = trimmed.replace(/^\||\|$/g, '').split(/(?<!\\)\|/);
      for (const cell of cells) {
        out.startBlock('table-cell', null, row);
        inline(out, cell.trim());
        out.endBlock();
      }
      inParagraph = false;
      continue;
    }
    const item = /^(?:[-*+]|\d{1,9}[.)])\s+(.*)$/.exec(trimmed);
    if (item) {
      out.startBlock('list-item');
      inline(out, item[1]!);
      inParagraph = true;
      lastChar = item[1]!.slice(-1);
      continue;
    }
    const body = trimmed.replace(/^>\s?/, '');
    if (inParagraph) {
      // A soft line break: a space between words, nothing between Chinese characters.
      if (!(CJK.test(lastChar) && CJK.test(body[0] ?? ''))) out.text(' ');
    } else out.startBlock('paragraph');
    inline(out, body);
    inParagraph = true;
    lastChar = body.slice(-1);
  }
  const text = out.finish();
  return { format: 'markdown', text, blocks: out.blocks, emphasis: out.emphasis, links: out.links, title };
}
