/**
 * Issue 12 §3: a 900 KB page of unclosed tags took 15–20 s (quadratic in the depth), --timeout did
 * not cover parsing, and a 4 Mi-character limit overrode --max-size. Inputs are generated here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_HTML_DEPTH } from '../src/document/html.js';
import { PolicyInputError, analyzePolicy, loadPolicy, readPolicy } from '../src/index.js';

function unclosed(tag: string, bytes: number): string {
  const unit = `<${tag}>隐私`;
  return '<html><body>' + unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)));
}

/** Best of five, so one pause of a loaded machine does not decide. */
function timeOf(work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('a 900 KB page of unclosed tags reads in time linear in its size', () => {
  for (const tag of ['b', 'span', 'div', 'td']) {
    const small = unclosed(tag, 225 * 1024);
    const large = unclosed(tag, 900 * 1024);
    const limits = { maxBlocks: 1_000_000 };
    const smallMs = timeOf(() => readPolicy(small, { format: 'html', limits }));
    const largeMs = timeOf(() => readPolicy(large, { format: 'html', limits }));
    // Four times the input: linear is about 4x, quadratic 16x (before: 0.8 s and 12.6 s for <b>). The bound
    // leaves room for noise, and small times are floored at 50 ms, where a garbage collection can dominate.
    assert.ok(largeMs < 12 * Math.max(smallMs, 50), `<${tag}>: 225 KB ${smallMs.toFixed(0)} ms, 900 KB ${largeMs.toFixed(0)} ms`);
    // Generous: it takes well under a second; before, 15–20 s.
    assert.ok(largeMs < 10_000, `<${tag}>: 900 KB took ${largeMs.toFixed(0)} ms`);
  }
});

test('nesting past the kept depth is flattened: the text stays, in order', () => {
  const depth = MAX_HTML_DEPTH * 4;
  const html =
    '<b>'.repeat(depth) + Array.from({ length: depth }, (_, i) => `<span>t${i}</span>`).join('') + '</b>'.repeat(depth) + '<p>after</p>';
  const document = readPolicy(html, { format: 'html' });
  assert.match(document.text, /^t0t1t2/);
  assert.match(document.text, new RegExp(`t${depth - 1}\\nafter$`));
  assert.ok(document.emphasis.some((e) => e.kind === 'bold'));
});

test('the deadline covers reading and analysing', () => {
  const html = unclosed('p', 512 * 1024);
  assert.throws(() => readPolicy(html, { format: 'html', deadline: Date.now() - 1 }), PolicyInputError);
  const document = readPolicy('<p>我们收集您的手机号码用于登录。</p>', { format: 'html' });
  assert.throws(() => analyzePolicy(document, { deadline: Date.now() - 1 }), /time limit/);
});

test('--max-size is the one size limit: a policy over 4 Mi characters loads when the byte limit allows it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-policy-'));
  try {
    const path = join(dir, 'long.txt');
    writeFileSync(path, '我们收集您的手机号码。\n'.repeat(1) + 'a'.repeat(4.5 * 1024 * 1024));
    const loaded = await loadPolicy(path, { maxBytes: 6 * 1024 * 1024 });
    assert.ok(loaded.document.text.length > 4 * 1024 * 1024);
    await assert.rejects(loadPolicy(path, { maxBytes: 4 * 1024 * 1024 }), /too large/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
