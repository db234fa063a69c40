import type { PolicyBlock, PolicyDocument } from '../document/types.js';
import type { Lexicon } from './lexicon.js';
import type { PolicySection, SectionKind } from './types.js';

export interface Sentence {
  start: number;
  end: number;
  /** Index into the sections (one section per block). */
  section: number;
}

/** A block that works as a heading, with the level its numbering style or mark-up gives it. */
interface Heading {
  block: number;
  level: number;
  text: string;
  kinds: SectionKind[];
}

const CHINESE_NUMERAL = '[一二三四五六七八九十百零〇两]';
/** Numbering styles of headings, most to least prominent when a policy mixes them. */
const NUMBERING: [string, RegExp][] = [
  ['chapter', new RegExp(`^第${CHINESE_NUMERAL}{1,4}[章部节条篇]`, 'u')],
  ['chinese', new RegExp(`^${CHINESE_NUMERAL}{1,4}\\s*[、.．]`, 'u')],
  ['chinese-paren', new RegExp(`^[（(]${CHINESE_NUMERAL}{1,4}[)）]`, 'u')],
  ['decimal-3', /^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}(?![\d])/u],
  ['decimal-2', /^\d{1,2}[.．]\d{1,2}(?![.．\d])/u],
  ['decimal', /^\d{1,2}\s*(?:[、．]|\.(?!\d))/u],
  ['decimal-paren', /^[（(]\d{1,2}[)）]/u],
  ['circled', /^[①-⑳]/u],
  ['roman', /^(?:[IVX]{1,4})\.\s/u],
  ['alpha', /^[A-Za-z][.)]\s/u],
];
/** Markup and bullets to skip before judging a block's first characters. */
const LEADING_MARKUP = /^[\s#*_>`~\\|•·●○■□◆◇▪▫►▶※-]+/u;
const TRAILING_MARKUP = /[\s#*_`~\\|]+$/u;

function stripMarkup(text: string): string {
  return text
    .replace(LEADING_MARKUP, '')
    .replace(TRAILING_MARKUP, '')
    .replace(/\\([.．、*_#])/gu, '$1');
}

function styleOf(block: PolicyBlock, text: string, boldShare: number, language: string, nextLength: number): string | null {
  if (block.kind === 'heading') return `h${block.level ?? 1}`;
  if (block.kind === 'table-cell') return null;
  const plain = stripMarkup(text);
  // Latin headings are longer in characters ("How We Share, Transfer and Publicly Disclose Your Information").
  if (plain.length === 0 || plain.length > (language === 'zh' ? 60 : 100)) return null;
  // A sentence is not a heading: headings do not end in a full stop and rarely hold a comma-separated clause.
  if (/[。；;!！]$/u.test(plain) || (language === 'zh' && /[?？]$/u.test(plain))) return null;
  if (/\.$/u.test(plain) && (plain.split(/\s+/u).length > 8 || /\.\s/u.test(plain))) return null;
  if ((plain.match(/[，,]/gu)?.length ?? 0) > 1) return null;
  for (const [style, pattern] of NUMBERING) if (pattern.test(plain)) return style;
  if (boldShare > 0.8 && plain.length <= 40) return 'bold';
  // An unmarked English heading: a few capitalised words on their own line, before a longer paragraph.
  if (language !== 'zh' && block.kind === 'paragraph' && nextLength > plain.length * 2 && /^[A-Z]/u.test(plain) && !/[.:,]$/u.test(plain)) {
    const words = plain.split(/\s+/u);
    const capitalised = words.filter((w) => /^[A-Z0-9&]/u.test(w)).length;
    if (words.length <= 6 && capitalised * 2 >= words.length) return 'plain';
  }
  return null;
}

/** Share of `[start, end)` covered by emphasis ranges (sorted by start). */
function emphasisShare(document: PolicyDocument, start: number, end: number): number {
  let covered = 0;
  for (const e of document.emphasis) {
    if (e.start >= end) break;
    if (e.end <= start) continue;
    covered += Math.min(e.end, end) - Math.max(e.start, start);
  }
  return end > start ? Math.min(1, covered / (end - start)) : 0;
}

function headingKinds(text: string, lexicon: Lexicon): SectionKind[] {
  const kinds: SectionKind[] = [];
  for (const [kind, pattern] of lexicon.sectionHeading) if (pattern.test(text)) kinds.push(kind);
  return kinds;
}

function bodyKinds(text: string, lexicon: Lexicon): SectionKind[] {
  const kinds: SectionKind[] = [];
  for (const [kind, pattern] of lexicon.sectionBody) if (pattern.test(text)) kinds.push(kind);
  return kinds;
}

export interface Structure {
  sections: PolicySection[];
  sentences: Sentence[];
  /** For each section, the kinds of its heading chain only (what the section is under). */
  headingKinds: SectionKind[][];
  /**
   * Sections that are surely headings (marked up, or a bold line) or table-of-contents entries: they
   * name topics, not statements. Short numbered lines are left out: many are statements.
   */
  headings: Set<number>;
}

/** Sentence ends: Chinese and Latin stops; a Latin full stop only before a space and a capital (not "Co., Ltd. of", "e.g. a"). */
const SENTENCE_END = /[。！？；!?;]+|\.(?=\s+[A-Z"“(])|\n/gu;

/**
 * Sections and sentences. Every block becomes a section; its kinds are those of the headings it
 * sits under (a heading's level comes from its mark-up or numbering style, in order of first use)
 * plus those its own text shows. A run of three or more headings with nothing between them is a
 * table of contents: its entries are sections of their own but parents of nothing.
 */
export function readStructure(document: PolicyDocument, lexicon: Lexicon): Structure {
  const { text, blocks } = document;
  const emphasis = [...document.emphasis].sort((a, b) => a.start - b.start);
  const sorted = { ...document, emphasis };
  const styles = blocks.map((b, i) => {
    const next = blocks[i + 1];
    return styleOf(
      b,
      text.slice(b.start, b.end),
      emphasisShare(sorted, b.start, b.end),
      lexicon.language,
      next ? next.end - next.start : 0,
    );
  });

  // Tables of contents: runs of consecutive heading-like blocks.
  const inContents = new Array<boolean>(blocks.length).fill(false);
  for (let i = 0; i < blocks.length;) {
    let j = i;
    while (j < blocks.length && styles[j] !== null) j++;
    if (j - i >= 3) {
      const sameStyle = new Set(styles.slice(i, j)).size <= 2;
      if (sameStyle) for (let k = i; k < j; k++) inContents[k] = true;
    }
    i = j === i ? i + 1 : j;
  }
  const levelOfStyle = new Map<string, number>();
  for (let i = 0; i < blocks.length; i++) {
    const style = styles[i];
    if (style && !inContents[i] && !levelOfStyle.has(style)) levelOfStyle.set(style, levelOfStyle.size);
  }

  const sections: PolicySection[] = [];
  const chainKinds: SectionKind[][] = [];
  const sentences: Sentence[] = [];
  const stack: Heading[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const blockText = text.slice(block.start, block.end);
    const style = styles[i];
    let own: SectionKind[];
    if (style !== null) {
      const plain = stripMarkup(blockText);
      own = headingKinds(plain, lexicon);
      if (!inContents[i]) {
        // An unmarked line heading ("Contact") closes whatever numbered chapter came before it.
        const level = style === 'plain' ? 0 : levelOfStyle.get(style)!;
        while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
        stack.push({ block: i, level, text: plain, kinds: own });
      }
    } else own = bodyKinds(blockText, lexicon);
    const inherited = new Set<SectionKind>();
    for (const h of stack) if (h.block !== i) for (const k of h.kinds) inherited.add(k);
    const kinds = new Set<SectionKind>([...inherited, ...own]);
    const parent = stack.length ? stack[stack.length - 1]! : null;
    const section: PolicySection = { kinds: [...kinds], start: block.start, end: block.end };
    const headingText = parent && parent.block !== i ? parent.text : style !== null ? null : null;
    if (headingText) section.heading = headingText;
    sections.push(section);
    chainKinds.push([...inherited]);

    SENTENCE_END.lastIndex = 0;
    let from = block.start;
    for (let m = SENTENCE_END.exec(blockText); m; m = SENTENCE_END.exec(blockText)) {
      const to = block.start + m.index + m[0].length;
      if (to > from) sentences.push({ start: from, end: to, section: i });
      from = to;
    }
    if (block.end > from) sentences.push({ start: from, end: block.end, section: i });
  }
  const headings = new Set<number>();
  styles.forEach((style, i) => {
    if (style !== null && (inContents[i] || style === 'bold' || /^h\d$/u.test(style))) headings.add(i);
  });
  return { sections, sentences, headingKinds: chainKinds, headings };
}
