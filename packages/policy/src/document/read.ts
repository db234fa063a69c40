import { readHtml } from './html.js';
import { readMarkdown } from './markdown.js';
import { readText } from './text.js';
import { DEFAULT_READ_LIMITS, PolicyInputError, type PolicyDocument, type PolicyFormat, type ReadLimits } from './types.js';

/**
 * The format of a policy: by file name when it has a telling extension, else by content (markup
 * tags make HTML; headings, lists or emphasis in Markdown syntax make Markdown).
 */
export function detectFormat(input: string, name?: string): PolicyFormat {
  const lower = name?.toLowerCase() ?? '';
  if (/\.(html?|xhtml)$/.test(lower)) return 'html';
  if (/\.(md|markdown)$/.test(lower)) return 'markdown';
  if (/\.txt$/.test(lower)) return 'text';
  const head = input.slice(0, 4096);
  if (/^\s*(<!doctype html|<html|<\?xml)/i.test(head) || /<(p|div|body|h[1-6]|table|span|br)\b[^>]*>/i.test(head)) return 'html';
  if (/^#{1,6}\s/m.test(head) && /^(#{1,6}\s|[-*]\s|\|)/m.test(head)) return 'markdown';
  return 'text';
}

export interface ReadOptions {
  format?: PolicyFormat;
  /** File name or URL, for format detection by extension. */
  name?: string;
  limits?: Partial<ReadLimits>;
  /** Date.now() milliseconds by which reading must end (PolicyInputError after it); none by default. */
  deadline?: number;
}

export function readPolicy(input: string, options: ReadOptions = {}): PolicyDocument {
  const limits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  if (input.length > limits.maxInputChars)
    throw new PolicyInputError(`policy too large: ${input.length} characters, limit ${limits.maxInputChars}`);
  // A byte-order mark is not text a reader sees; offsets of a .txt still count it, as the file does.
  const format = options.format ?? detectFormat(input.replace(/^\uFEFF/, ''), options.name);
  if (format === 'html') return readHtml(input, limits, options.deadline);
  if (format === 'markdown') return readMarkdown(input.replace(/^\uFEFF/, ''), limits);
  return readText(input, limits);
}
