import { PolicyInputError, type BlockKind, type EmphasisKind, type PolicyBlock, type PolicyEmphasis, type PolicyLink } from './types.js';

/**
 * Collects the text a reader sees, block by block, with emphasis and links as ranges. Whitespace
 * inside a block is collapsed as a browser would; blocks are separated by one newline.
 */
export class TextBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  readonly blocks: PolicyBlock[] = [];
  readonly emphasis: PolicyEmphasis[] = [];
  readonly links: PolicyLink[] = [];
  private block: { kind: BlockKind; start: number; level: number | null; row?: number } | null = null;
  private pendingSpace = false;
  private readonly open = new Map<EmphasisKind, { depth: number; start: number }>();
  private link: { href: string; start: number } | null = null;

  constructor(private readonly maxBlocks: number) {}

  get position(): number {
    return this.length;
  }

  /** Ends the current block (if it has text) and starts one of `kind` at the next text. */
  startBlock(kind: BlockKind, level: number | null = null, row?: number): void {
    this.endBlock();
    this.block = row === undefined ? { kind, start: -1, level } : { kind, start: -1, level, row };
  }

  endBlock(): void {
    const block = this.block;
    if (block && block.start >= 0 && this.length > block.start) {
      this.closeRanges();
      if (this.blocks.length >= this.maxBlocks) throw new PolicyInputError(`more than ${this.maxBlocks} blocks`);
      const out: PolicyBlock = { kind: block.kind, start: block.start, end: this.length, level: block.level };
      if (block.row !== undefined) out.row = block.row;
      this.blocks.push(out);
      this.reopenRanges();
    }
    this.block = null;
    this.pendingSpace = false;
  }

  /** Adds inline text; runs of white space become one space, none at a block's start. */
  text(raw: string): void {
    const collapsed = raw.replace(/[\s\u00a0]+/g, ' ');
    if (collapsed === '') return;
    let piece = collapsed;
    if (piece.startsWith(' ')) {
      this.pendingSpace = true;
      piece = piece.slice(1);
    }
    const trailing = piece.endsWith(' ');
    if (trailing) piece = piece.slice(0, -1);
    if (piece !== '') {
      if (!this.block) this.block = { kind: 'paragraph', start: -1, level: null };
      if (this.block.start < 0) {
        if (this.length > 0) this.append('\n');
        this.block.start = this.length;
        this.pendingSpace = false;
        // Emphasis opened before the block's first character starts with that character.
        for (const open of this.open.values()) open.start = this.length;
        if (this.link) this.link.start = this.length;
      } else if (this.pendingSpace) {
        // Emphasis or a link opened at the space starts after it: `a <b>word</b>` bolds "word".
        const at = this.length;
        this.append(' ');
        for (const open of this.open.values()) if (open.start === at) open.start = this.length;
        if (this.link?.start === at) this.link.start = this.length;
      }
      this.pendingSpace = false;
      this.append(piece);
    }
    if (trailing) this.pendingSpace = true;
  }

  /** A forced line break inside a block (`<br>`): the block ends and the next text starts another. */
  lineBreak(): void {
    const kind = this.block?.kind ?? 'paragraph';
    const level = this.block?.level ?? null;
    const row = this.block?.row;
    this.startBlock(kind, level, row);
  }

  openEmphasis(kind: EmphasisKind): void {
    const open = this.open.get(kind);
    if (open) open.depth++;
    else this.open.set(kind, { depth: 1, start: this.length });
  }

  closeEmphasis(kind: EmphasisKind): void {
    const open = this.open.get(kind);
    if (!open) return;
    if (--open.depth > 0) return;
    this.open.delete(kind);
    if (this.length > open.start) this.emphasis.push({ kind, start: open.start, end: this.length });
  }

  openLink(href: string): void {
    this.link = { href, start: this.length };
  }

  closeLink(): void {
    if (this.link && this.length > this.link.start) this.links.push({ start: this.link.start, end: this.length, href: this.link.href });
    this.link = null;
  }

  finish(): string {
    this.endBlock();
    for (const kind of [...this.open.keys()]) {
      const open = this.open.get(kind)!;
      open.depth = 1;
      this.closeEmphasis(kind);
    }
    this.closeLink();
    this.emphasis.sort((a, b) => a.start - b.start || a.end - b.end);
    return this.parts.join('');
  }

  private append(piece: string): void {
    this.parts.push(piece);
    this.length += piece.length;
  }

  /** Ranges never cross a block boundary: a reader sees emphasis per paragraph. */
  private closeRanges(): void {
    for (const [kind, open] of this.open) if (this.length > open.start) this.emphasis.push({ kind, start: open.start, end: this.length });
    if (this.link && this.length > this.link.start) this.links.push({ start: this.link.start, end: this.length, href: this.link.href });
  }

  private reopenRanges(): void {
    // Restarted at the next block's first character (see text()).
    for (const open of this.open.values()) open.start = Number.MAX_SAFE_INTEGER;
    if (this.link) this.link.start = Number.MAX_SAFE_INTEGER;
  }
}
