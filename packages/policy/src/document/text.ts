import type { PolicyBlock, PolicyDocument, PolicyEmphasis, PolicyLink, ReadLimits } from './types.js';
import { PolicyInputError } from './types.js';

/** Bullets that start a list item in plain-text policies. */
const BULLET = /^(?:[•·●○■□◆◇▪▫►▶※\-–—*+]|\(?\d{1,2}[).、]|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*/u;
/** A line of rule characters only (`=====`, `-----`, `*****`): a separator, not text. */
const RULE_LINE = /^[=\-*_~—#]{3,}$/;
const ATX_HEADING = /^(#{1,6})\s+\S/;
/** `**bold**`, `__bold__` and `<u>…</u>` left in a text file (policies copied from web pages or Markdown). */
const INLINE_EMPHASIS = /\*\*(?=\S)([^\n]*?\S)\*\*|__(?=\S)([^\n]*?\S)__|<u>([^\n]*?)<\/u>/g;
const URL = /https?:\/\/[^\s<>"'）)\]，。；、]+/g;

/**
 * Plain text as it is: the text is the input exactly (offsets match annotations made on the file),
 * one block per non-blank line, trimmed of surrounding white space. Text files often carry the
 * Markdown marks of the page they were copied from; those are recognised where they stand, without
 * removing them: `# ` lines become headings and `**…**` ranges bold, so highlighting can be judged.
 */
export function readText(input: string, limits: ReadLimits): PolicyDocument {
  const blocks: PolicyBlock[] = [];
  const emphasis: PolicyEmphasis[] = [];
  const links: PolicyLink[] = [];
  let title: string | null = null;
  const line = /[^\r\n]+/g;
  for (let m = line.exec(input); m; m = line.exec(input)) {
    const raw = m[0];
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '' || RULE_LINE.test(body)) continue;
    if (blocks.length >= limits.maxBlocks) throw new PolicyInputError(`more than ${limits.maxBlocks} blocks`);
    const start = m.index + lead;
    const heading = ATX_HEADING.exec(body);
    if (heading) {
      const level = heading[1]!.length;
      blocks.push({ kind: 'heading', start, end: start + body.length, level });
      if (title === null && level === 1) title = body.slice(level).replace(/[*_`]/g, '').trim();
    } else blocks.push({ kind: BULLET.test(body) ? 'list-item' : 'paragraph', start, end: start + body.length, level: null });
    INLINE_EMPHASIS.lastIndex = 0;
    for (let e = INLINE_EMPHASIS.exec(body); e; e = INLINE_EMPHASIS.exec(body)) {
      if (emphasis.length >= limits.maxBlocks) break;
      emphasis.push({ kind: e[3] !== undefined ? 'underline' : 'bold', start: start + e.index, end: start + e.index + e[0].length });
    }
    URL.lastIndex = 0;
    for (let u = URL.exec(body); u; u = URL.exec(body)) {
      if (links.length >= limits.maxBlocks) break;
      links.push({ start: start + u.index, end: start + u.index + u[0].length, href: u[0] });
    }
  }
  return { format: 'text', text: input, blocks, emphasis, links, title };
}
