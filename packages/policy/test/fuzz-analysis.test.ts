import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePolicy, readPolicy, type PolicyAnalysis } from '../src/index.js';

/**
 * The analyser on hostile text: mutated policies and inputs built to make patterns backtrack. It must
 * not throw, must keep every range inside the text, and must stay roughly linear (a generous bound
 * per input catches a pattern that goes quadratic, not a slow machine). FUZZ_SEED changes the run.
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const seeds = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(txt|md|html)$/u.test(f))
  .map((f) => ({ name: f, text: readFileSync(join(fixtures, f), 'utf8') }));

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = [
  '**',
  '__',
  '<u>',
  '</u>',
  '# ',
  '\n',
  '。',
  '，',
  '：',
  '、',
  '（',
  '）',
  '1.',
  '（一）',
  '收集',
  '您的',
  '个人信息',
  '权限',
  'http://',
  '@',
  '有限公司',
  'Co., Ltd.',
  'within 15 days',
  '15个工作日内',
  '<table><tr><td>',
  '|',
  'SDK名称：',
  '2024年1月1日',
];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const r = next();
    if (r < 0.3) out = out.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + out.slice(at);
    else if (r < 0.5) out = out.slice(0, at) + out.slice(at + Math.floor(next() * 200));
    else if (r < 0.7) {
      const from = Math.floor(next() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(next() * 500)) + out.slice(at);
    } else if (r < 0.85) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x10000)) + out.slice(at);
    else out = out.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]!.repeat(1 + Math.floor(next() * 300)) + out.slice(at);
  }
  return out;
}

function check(a: PolicyAnalysis): void {
  const spans = [...a.sections, ...a.dataMentions, ...a.recipients, ...a.purposes, ...a.permissions, ...a.contacts, ...a.sdkTable];
  for (const s of spans)
    assert.ok(0 <= s.start && s.start <= s.end && s.end <= a.text.length, `range ${s.start}-${s.end} of ${a.text.length}`);
}

function analyse(text: string, name: string): { analysis: PolicyAnalysis; ms: number } {
  const started = performance.now();
  const analysis = analyzePolicy(readPolicy(text, { name }), { source: name });
  return { analysis, ms: performance.now() - started };
}

test('fuzz policy analysis: mutated policies never throw and keep ranges inside the text', () => {
  const next = random(Number(process.env.FUZZ_SEED ?? 20261128));
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 150);
  for (let i = 0; i < iterations; i++) {
    const seed = seeds[i % seeds.length]!;
    const text = mutate(seed.text, next);
    try {
      check(analyse(text, seed.name).analysis);
    } catch (error) {
      throw new Error(`iteration ${i} on ${seed.name} (FUZZ_SEED=${process.env.FUZZ_SEED ?? 20261128}): ${(error as Error).message}`);
    }
  }
});

test('fuzz policy analysis: inputs built to make patterns backtrack stay fast', () => {
  const hostile: [string, string][] = [
    ['spaces and commas after a capital', `A${' ,'.repeat(40_000)} Ltd.`],
    ['dotted e-mail tail', `contact a@b${'.c'.repeat(20_000)}`],
    ['enumeration commas', `我们会收集您的${'、手机号码'.repeat(20_000)}`],
    ['numbered lines', '1. 收集\n'.repeat(20_000)],
    ['a company name without end', `由${'北京'.repeat(40_000)}`],
    ['digits', '电话'.concat('1'.repeat(100_000))],
    ['purpose triggers', '为了'.repeat(50_000)],
    ['permission words', '相机权限'.repeat(25_000)],
    ['one long line of Latin words', 'We collect your location data '.repeat(4_000)],
    ['one very long word after a negation', `We do not ${'a'.repeat(100_000)}`],
    ['key-value lines', 'SDK名称：x\n使用目的：y\n'.repeat(10_000)],
    ['table rows', `| SDK名称 | 使用目的 |\n${'| a | b |\n'.repeat(10_000)}`],
  ];
  for (const [what, text] of hostile) {
    for (const name of ['p.txt', 'p.md']) {
      const { analysis, ms } = analyse(text, name);
      check(analysis);
      // ~100 k characters: a linear pass takes well under a second; quadratic behaviour takes minutes.
      assert.ok(ms < 10_000, `${what} (${name}): ${ms.toFixed(0)} ms`);
    }
  }
});
