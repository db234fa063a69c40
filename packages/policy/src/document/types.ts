/**
 * A privacy policy as the analyser reads it: one text, and its structure as character ranges into
 * that text (JavaScript string indices). For a plain-text input the text is the file's text exactly,
 * so offsets can be compared with annotations made on the file; HTML and Markdown are reduced to the
 * text a reader sees, one block per line.
 */
export type PolicyFormat = 'text' | 'markdown' | 'html';

export type BlockKind = 'heading' | 'paragraph' | 'list-item' | 'table-cell';

export interface PolicyBlock {
  kind: BlockKind;
  start: number;
  end: number;
  /** 1–6 for headings marked up as such; null when the input does not say. */
  level: number | null;
  /** Index of the table row (table cells only): cells of one row share it. */
  row?: number;
}

/**
 * Visible emphasis, which the notice asks for on sensitive personal information: bold, underline,
 * or a text colour. Italics are not counted: Chinese text is rarely set in italics to stress it.
 */
export type EmphasisKind = 'bold' | 'underline' | 'colour';

export interface PolicyEmphasis {
  kind: EmphasisKind;
  start: number;
  end: number;
}

export interface PolicyLink {
  start: number;
  end: number;
  href: string;
}

export interface PolicyDocument {
  format: PolicyFormat;
  text: string;
  blocks: PolicyBlock[];
  emphasis: PolicyEmphasis[];
  links: PolicyLink[];
  /** The document title when the input has one (`<title>`, a leading `# ` heading). */
  title: string | null;
}

export interface ReadLimits {
  /**
   * Characters of input accepted (default 4 Mi: the longest real policies are ~100 k). loadPolicy sets it
   * to its byte limit (`--max-size`), so that one limit applies: a character is at least one byte.
   */
  maxInputChars: number;
  /** Blocks kept (default 50 000). */
  maxBlocks: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxInputChars: 4 * 1024 * 1024, maxBlocks: 50_000 };

/** The input cannot be read as a policy: too large, or not text. The message names the problem. */
export class PolicyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyInputError';
  }
}
