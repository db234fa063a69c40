import type { PolicyBlock, PolicyDocument, ReadLimits } from './types.js';
import { PolicyInputError } from './types.js';

/** Bullets that start a list item in plain-text policies. */
const BULLET = /^(?:[•·●○■□◆◇▪▫►▶※\-–—*]|\(?\d{1,2}[).、]|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*/u;

/**
 * Plain text as it is: the text is the input exactly (offsets match annotations made on the file),
 * one block per non-blank line, trimmed of surrounding white space. Plain text has no emphasis.
 */
export function readText(input: string, limits: ReadLimits): PolicyDocument {
  const blocks: PolicyBlock[] = [];
  const line = /[^\r\n]+/g;
  for (let m = line.exec(input); m; m = line.exec(input)) {
    const raw = m[0];
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '') continue;
    if (blocks.length >= limits.maxBlocks) throw new PolicyInputError(`more than ${limits.maxBlocks} blocks`);
    const start = m.index + lead;
    blocks.push({ kind: BULLET.test(body) ? 'list-item' : 'paragraph', start, end: start + body.length, level: null });
  }
  return { format: 'text', text: input, blocks, emphasis: [], links: [], title: null };
}
