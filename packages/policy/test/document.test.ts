import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corporaDir, skipWithoutCorpora } from '@apprights/testkit';
import { detectFormat, PolicyInputError, readPolicy, type PolicyDocument } from '../src/index.js';

const slice = (doc: PolicyDocument, r: { start: number; end: number }) => doc.text.slice(r.start, r.end);

test('text: the text is the input exactly; one block per non-blank line, trimmed; bullets are list items', () => {
  const input = '\uFEFFApkid:com.example\r\n  一、我们收集的信息  \n\n• 设备信息（IMEI）\n（1）位置信息\n';
  const doc = readPolicy(input, { name: 'policy.txt' });
  assert.equal(doc.format, 'text');
  assert.equal(doc.text, input);
  assert.deepEqual(
    doc.blocks.map((b) => [b.kind, slice(doc, b)]),
    [
      ['paragraph', '\uFEFFApkid:com.example'.trim()],
      ['paragraph', '一、我们收集的信息'],
      ['list-item', '• 设备信息（IMEI）'],
      ['list-item', '（1）位置信息'],
    ],
  );
});

test('html: blocks, headings, lists, table cells by row, emphasis and links at offsets into the visible text', () => {
  const html = `<!doctype html><html><head><title>隐私政策</title><style>p{color:red}</style><script>var x = "<p>no</p>";</script></head>
<body><h1>隐私政策</h1><p>我们会收集您的<strong>精确位置信息</strong>和<span style="color:#e00000">身份证号</span>，
以及<span style="font-weight:700;text-decoration:underline">人脸信息</span>。<br>第二行&amp;实体</p>
<ul><li>设备信息</li><li>联系人<b>列表</b></li></ul>
<table><tr><th>SDK 名称</th><th>公司</th></tr><tr><td>极光推送</td><td><a href="https://www.jiguang.cn/license/privacy">隐私政策</a></td></tr></table>
<div hidden>不可见</div><p style="display:none">也不可见</p><p><font color="#333333">灰色正文</font></p></body></html>`;
  const doc = readPolicy(html, { name: 'p.html' });
  assert.equal(doc.format, 'html');
  assert.equal(doc.title, '隐私政策');
  const blocks = doc.blocks.map((b) => [b.kind, slice(doc, b), b.level, b.row]);
  assert.deepEqual(blocks, [
    ['heading', '隐私政策', 1, undefined],
    ['paragraph', '我们会收集您的精确位置信息和身份证号， 以及人脸信息。', null, undefined],
    ['paragraph', '第二行&实体', null, undefined],
    ['list-item', '设备信息', null, undefined],
    ['list-item', '联系人列表', null, undefined],
    ['table-cell', 'SDK 名称', null, 0],
    ['table-cell', '公司', null, 0],
    ['table-cell', '极光推送', null, 1],
    ['table-cell', '隐私政策', null, 1],
    ['paragraph', '灰色正文', null, undefined],
  ]);
  const emphasis = doc.emphasis.map((e) => [e.kind, slice(doc, e)]);
  assert.deepEqual(emphasis, [
    ['bold', '精确位置信息'],
    ['colour', '身份证号'],
    ['bold', '人脸信息'],
    ['underline', '人脸信息'],
    ['bold', '列表'],
  ]);
  assert.deepEqual(
    doc.links.map((l) => [slice(doc, l), l.href]),
    [['隐私政策', 'https://www.jiguang.cn/license/privacy']],
  );
  assert.ok(!doc.text.includes('no') && !doc.text.includes('不可见') && !doc.text.includes('color'));
});

test('html: broken markup is read as a browser would, without throwing', () => {
  const doc = readPolicy('<p>未闭合<b>粗体<p>下一段</i></div>尾部', { format: 'html' });
  assert.deepEqual(
    doc.blocks.map((b) => slice(doc, b)),
    ['未闭合粗体', '下一段尾部'],
  );
  assert.deepEqual(
    doc.emphasis.map((e) => [e.kind, slice(doc, e)]),
    [
      ['bold', '粗体'],
      ['bold', '下一段尾部'],
    ],
  );
});

test('markdown: headings, lists, tables, bold, underline and links; soft breaks join CJK without a space', () => {
  const md = [
    '# Privacy Policy',
    '',
    '## 1. What we collect',
    'We collect your **precise location** and',
    'your <u>contacts</u>, see [our SDK list](https://example.com/sdks).',
    '',
    '我们会收集',
    '您的手机号。',
    '',
    '- device identifiers (IMEI)',
    '2. photos',
    '',
    '| SDK | Company |',
    '|---|---|',
    '| JPush | Jiguang |',
  ].join('\n');
  const doc = readPolicy(md, { name: 'policy.md' });
  assert.equal(doc.format, 'markdown');
  assert.equal(doc.title, 'Privacy Policy');
  assert.deepEqual(
    doc.blocks.map((b) => [b.kind, slice(doc, b), b.level]),
    [
      ['heading', 'Privacy Policy', 1],
      ['heading', '1. What we collect', 2],
      ['paragraph', 'We collect your precise location and your contacts, see our SDK list.', null],
      ['paragraph', '我们会收集您的手机号。', null],
      ['list-item', 'device identifiers (IMEI)', null],
      ['list-item', 'photos', null],
      ['table-cell', 'SDK', null],
      ['table-cell', 'Company', null],
      ['table-cell', 'JPush', null],
      ['table-cell', 'Jiguang', null],
    ],
  );
  assert.deepEqual(
    doc.emphasis.map((e) => [e.kind, slice(doc, e)]),
    [
      ['bold', 'precise location'],
      ['underline', 'contacts'],
    ],
  );
  assert.deepEqual(
    doc.links.map((l) => [slice(doc, l), l.href]),
    [['our SDK list', 'https://example.com/sdks']],
  );
});

test('format detection by name, then by content', () => {
  assert.equal(detectFormat('anything', 'a.HTM'), 'html');
  assert.equal(detectFormat('anything', 'a.md'), 'markdown');
  assert.equal(detectFormat('<p>hi</p>', 'a.txt'), 'text');
  assert.equal(detectFormat('  <!DOCTYPE html><html>'), 'html');
  assert.equal(detectFormat('正文<br>第二行'), 'html');
  assert.equal(detectFormat('# Title\n\n- item'), 'markdown');
  assert.equal(detectFormat('一、总则\n我们重视您的隐私。'), 'text');
});

test('limits: too large an input or too many blocks is a PolicyInputError that says so', () => {
  assert.throws(
    () => readPolicy('x'.repeat(101), { limits: { maxInputChars: 100 } }),
    (e: Error) => e instanceof PolicyInputError && /too large: 101/.test(e.message),
  );
  assert.throws(() => readPolicy('a\nb\nc\n', { limits: { maxBlocks: 2 } }), /more than 2 blocks/);
  assert.throws(() => readPolicy('<p>a</p><p>b</p><p>c</p>', { format: 'html', limits: { maxBlocks: 2 } }), /more than 2 blocks/);
  // Deep nesting and a huge attribute are just text to skip, not a crash.
  const deep = '<div>'.repeat(20000) + '正文' + '</div>'.repeat(20000);
  assert.deepEqual(readPolicy(deep, { format: 'html' }).blocks.length, 1);
  const stray = '<div>'.repeat(20000) + '</span>'.repeat(20000) + '尾';
  assert.equal(readPolicy(stray, { format: 'html' }).text, '尾');
  const big = `<p title="${'x'.repeat(200000)}">文字</p>`;
  assert.equal(readPolicy(big, { format: 'html' }).text, '文字');
});

test('corpus: every annotation of the CA4P dev policies indexes the text the reader returns', { skip: skipWithoutCorpora }, () => {
  const dir = join(corporaDir!, 'policies-zh', 'dev');
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
  assert.ok(files.length >= 90, `expected ~96 policies, found ${files.length}`);
  let annotations = 0;
  for (const file of files) {
    const input = readFileSync(join(dir, file), 'utf8');
    const doc = readPolicy(input, { name: file });
    assert.equal(doc.text, input, file);
    const json = join(dir, file.replace(/\.txt$/, '.json'));
    if (!existsSync(json)) continue;
    for (const a of JSON.parse(readFileSync(json, 'utf8')) as { start: number; end: number; text: string }[]) {
      assert.equal(doc.text.slice(a.start, a.end), a.text, `${file} ${a.start}-${a.end}`);
      annotations++;
    }
    // Every paragraph-level annotation starts inside a block the reader found.
    assert.ok(doc.blocks.length > 0, file);
  }
  assert.ok(annotations > 1000, `only ${annotations} annotations checked`);
});

test('fuzz: mutated HTML, Markdown and text never throw anything but PolicyInputError, and ranges stay inside the text', () => {
  const seeds = [
    '<html><body><h2>一、收集</h2><p>我们收集<b>位置</b>与<u>通讯录</u><a href="x">链接</a></p><table><tr><td>a</td></tr></table></body></html>',
    '# T\n\n- **粗体** <u>下划线</u> [l](u)\n| a | b |\n|---|---|\n| c | d |\n',
    '一、总则\n• 设备信息\n（1）位置\n',
  ];
  let state = 20261128;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state % n;
  };
  const pieces = ['<', '>', '</b>', '<b>', '**', '|', '\n', '&amp;', '&#x', '<u>', '"', '<br>', '<td>', '# ', '- ', '\uFEFF', '\u0000'];
  for (let i = 0; i < 3000; i++) {
    let input = seeds[random(seeds.length)]!;
    for (let k = random(6) + 1; k > 0; k--) {
      const at = random(input.length + 1);
      const op = random(3);
      if (op === 0) input = input.slice(0, at) + pieces[random(pieces.length)]! + input.slice(at);
      else if (op === 1) input = input.slice(0, at) + input.slice(at + random(8));
      else input = input.slice(0, at) + input.slice(random(input.length + 1));
    }
    for (const format of ['html', 'markdown', 'text'] as const) {
      let doc: PolicyDocument;
      try {
        doc = readPolicy(input, { format });
      } catch (error) {
        assert.ok(error instanceof PolicyInputError, `${format} #${i}: ${String(error)}`);
        continue;
      }
      let previous = 0;
      for (const b of doc.blocks) {
        assert.ok(b.start >= previous && b.end > b.start && b.end <= doc.text.length, `${format} #${i}: block out of order or bounds`);
        previous = b.end;
      }
      for (const r of [...doc.emphasis, ...doc.links])
        assert.ok(r.start >= 0 && r.end > r.start && r.end <= doc.text.length, `${format} #${i}: range`);
    }
  }
});
