import { createRequire } from 'node:module';
import type { Lexicon } from './lexicon.js';

/** A word of a sentence with its offsets in the policy text and jieba's part-of-speech tag. */
export interface Token {
  word: string;
  start: number;
  end: number;
  tag: string;
}

interface JiebaInstance {
  tag(sentence: string, hmm?: boolean): { word: string; tag: string }[];
}

let jieba: JiebaInstance | null = null;
const require = createRequire(import.meta.url);

/**
 * jieba (through @node-rs/jieba, a native build of jieba-rs) with its bundled dictionary plus our PI
 * terms, so that "国际移动设备识别码" or "网络设备硬件地址" come out as one word. Loaded on first use
 * (~0.3 s): English policies never pay for it. No model is downloaded: the dictionary ships in the package.
 */
function segmenter(lexicon: Lexicon): JiebaInstance {
  if (jieba) return jieba;
  const { Jieba } = require('@node-rs/jieba') as {
    Jieba: { withDict(dict: Uint8Array): JiebaInstance & { loadDict(d: Uint8Array): void } };
  };
  const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
  const instance = Jieba.withDict(dict);
  const ours = [...lexicon.piTerms.values()].filter((t) => !/\s/.test(t.term)).map((t) => `${t.term} 50000 n`);
  instance.loadDict(Buffer.from(ours.join('\n'), 'utf8'));
  jieba = instance;
  return instance;
}

/** Words of `text.slice(start, end)` with offsets into `text`. */
export function tokenize(text: string, start: number, end: number, lexicon: Lexicon): Token[] {
  const words = segmenter(lexicon).tag(text.slice(start, end), true);
  const tokens: Token[] = [];
  let at = start;
  for (const { word, tag } of words) {
    tokens.push({ word, start: at, end: at + word.length, tag });
    at += word.length;
  }
  return tokens;
}
