/**
 * loadPolicy: files and http(s) URLs into a PolicyDocument, against a local HTTP server on
 * 127.0.0.1 (no outside network). Encodings as Chinese sites serve them, and every way a server can
 * fail: an error status, no answer, an endless body, a PDF.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodePolicyBytes, loadPolicy, PolicyInputError } from '../src/index.js';

/** GBK bytes for a text, built from the decoder's own table (Node has no GBK encoder). */
function gbk(text: string): Buffer {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gbk');
  for (let lead = 0x81; lead <= 0xfe; lead++)
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else {
      const bytes = table.get(ch);
      assert.ok(bytes, `no GBK code for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

const HTML_UTF8 = `<!doctype html><html><head><meta charset="utf-8"><title>隐私政策</title></head>
<body><h1>隐私政策</h1><p>我们会收集您的<strong>位置信息</strong>。联系邮箱：privacy@example.com</p></body></html>`;
const GBK_TEXT =
  '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>隐私政策</title></head><body><h1>个人信息保护政策</h1><p>我们将在十五个工作日内答复。</p></body></html>';
const MARKDOWN = '# Privacy Policy\n\n## Contact us\n\nWrite to privacy@example.com; we answer within 15 working days.\n';

let server: Server;
let base = '';

function route(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/utf8.html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML_UTF8);
      return;
    case '/gbk':
      // No charset in the header: only the <meta http-equiv> says GBK.
      res.writeHead(200, { 'content-type': 'text/html' }).end(gbk(GBK_TEXT));
      return;
    case '/header-wins.html':
      res.writeHead(200, { 'content-type': 'text/html; charset=GB18030' }).end(gbk('<meta charset="utf-8"><p>隐私政策</p>'));
      return;
    case '/policy':
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(MARKDOWN);
      return;
    case '/raw/policy.md':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(MARKDOWN);
      return;
    case '/moved':
      res.writeHead(302, { location: '/utf8.html' }).end();
      return;
    case '/hang':
      // Headers never come; the socket stays open until the test closes the server.
      return;
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>first part');
      return;
    case '/endless': {
      // Chunked, no Content-Length: only counting the bytes as they arrive can stop it.
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Infinity));
      pump();
      return;
    }
    case '/declared-large':
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(10 * 1024 * 1024) });
      res.write('<p>');
      return;
    case '/policy.pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7\n');
      return;
    case '/image':
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
      return;
    case '/octet':
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
  }
}

before(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dir = mkdtempSync(join(tmpdir(), 'apprights-policy-fetch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PolicyInputError, `a PolicyInputError, not ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('URL: UTF-8 HTML is read as HTML, with the content type and source recorded', async () => {
  const loaded = await loadPolicy(`${base}/utf8.html`);
  assert.equal(loaded.source, `${base}/utf8.html`);
  assert.equal(loaded.contentType, 'text/html; charset=utf-8');
  assert.equal(loaded.document.format, 'html');
  assert.equal(loaded.document.title, '隐私政策');
  assert.match(loaded.document.text, /我们会收集您的位置信息。联系邮箱：privacy@example\.com/);
  assert.equal(loaded.document.emphasis[0]?.kind, 'bold');
});

test('URL: GBK HTML whose charset is only in <meta http-equiv> decodes; a header charset wins over <meta>', async () => {
  const loaded = await loadPolicy(`${base}/gbk`);
  assert.equal(loaded.document.format, 'html');
  assert.equal(loaded.document.title, '隐私政策');
  assert.match(loaded.document.text, /个人信息保护政策/);
  assert.match(loaded.document.text, /我们将在十五个工作日内答复。/);
  const header = await loadPolicy(`${base}/header-wins.html`);
  assert.match(header.document.text, /隐私政策/);
});

test('URL: Markdown by content type; text/plain with a .md path is Markdown by extension', async () => {
  const md = await loadPolicy(`${base}/policy`);
  assert.equal(md.document.format, 'markdown');
  assert.equal(md.document.title, 'Privacy Policy');
  assert.ok(md.document.blocks.some((b) => b.kind === 'heading'));
  const raw = await loadPolicy(`${base}/raw/policy.md`);
  assert.equal(raw.document.format, 'markdown');
  const forced = await loadPolicy(`${base}/policy`, { format: 'text' });
  assert.equal(forced.document.format, 'text');
  assert.equal(forced.document.text, MARKDOWN);
});

test('URL: redirects are followed; the source is the address the text came from', async () => {
  const loaded = await loadPolicy(`${base}/moved`);
  assert.equal(loaded.source, `${base}/utf8.html`);
  assert.equal(loaded.document.title, '隐私政策');
});

test('URL: an error status names the status', async () => {
  await rejects(loadPolicy(`${base}/missing`), /\/missing: HTTP 404 Not Found$/);
});

test('URL: a server that never answers, or stops mid-body, times out after the limit', async () => {
  const started = Date.now();
  await rejects(loadPolicy(`${base}/hang`, { timeoutMs: 300 }), /\/hang: timed out after 300 ms$/);
  await rejects(loadPolicy(`${base}/slow-body`, { timeoutMs: 300 }), /\/slow-body: timed out after 300 ms$/);
  assert.ok(Date.now() - started < 5000, 'both gave up at their deadline');
});

test('URL: a body over the limit is stopped while it streams; a declared length over it is refused at once', async () => {
  await rejects(
    loadPolicy(`${base}/endless`, { maxBytes: 256 * 1024 }),
    /\/endless: too large: more than 262144 bytes, limit 262144 bytes$/,
  );
  await rejects(loadPolicy(`${base}/declared-large`, { maxBytes: 1024 * 1024 }), /too large: 10485760 bytes, limit 1048576 bytes$/);
});

test('URL: PDF, images and binary octet-streams are refused with the reason', async () => {
  await rejects(
    loadPolicy(`${base}/policy.pdf`),
    /unsupported content type application\/pdf: .*HTML, Markdown or plain text; PDF policies are not read/,
  );
  await rejects(loadPolicy(`${base}/image`), /unsupported content type image\/png/);
  await rejects(loadPolicy(`${base}/octet`), /binary content/);
});

test('URL: other schemes are refused; an unreachable host names the network error', async () => {
  await rejects(loadPolicy('ftp://example.com/policy.html'), /^ftp:\/\/example\.com\/policy\.html: ftp: URLs are not read/);
  await rejects(loadPolicy('file:///etc/hostname'), /file: URLs are not read/);
  await rejects(loadPolicy('http://[::1'), /not a valid URL/);
  // A port just given up by a closed server: nothing listens there, so the connection is refused at once.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await rejects(loadPolicy(`http://127.0.0.1:${port}/policy.html`, { timeoutMs: 5000 }), /cannot fetch: ECONNREFUSED$/);
});

test('file: Markdown and GBK HTML by extension; a folder, a missing file and one over the limit are refused', async () => {
  const md = join(dir, '隐私政策.md');
  writeFileSync(md, MARKDOWN);
  const loaded = await loadPolicy(md);
  assert.equal(loaded.source, md);
  assert.equal(loaded.contentType, undefined);
  assert.equal(loaded.document.format, 'markdown');

  const html = join(dir, 'policy.htm');
  writeFileSync(html, gbk(GBK_TEXT));
  assert.match((await loadPolicy(html)).document.text, /我们将在十五个工作日内答复。/);

  const txt = join(dir, 'policy.txt');
  writeFileSync(txt, '\uFEFF隐私政策\n第一条');
  const plain = await loadPolicy(txt);
  assert.equal(plain.document.format, 'text');
  assert.equal(plain.document.text, '\uFEFF隐私政策\n第一条', 'a plain-text policy is the file exactly, BOM included');

  await rejects(loadPolicy(md, { maxBytes: 10 }), /too large: \d+ bytes, limit 10 bytes$/);
  await rejects(loadPolicy(join(dir, 'none.html')), /cannot open .*none\.html: no such file$/);
  const folder = join(dir, 'folder.html');
  mkdirSync(folder);
  await rejects(loadPolicy(folder), /not a regular file$/);
  const pdf = join(dir, 'policy.pdf');
  writeFileSync(pdf, '%PDF-1.4\n%\xe2\xe3\n');
  await rejects(loadPolicy(pdf), /a PDF document, not a text policy/);
});

test('decode: BOM, Content-Type, <meta>, XML declaration, default UTF-8; unknown labels fall through', () => {
  const text = '隐私政策';
  assert.deepEqual(decodePolicyBytes(Buffer.from(`\uFEFF${text}`)), { text: `\uFEFF${text}`, encoding: 'utf-8', from: 'bom' });
  assert.equal(decodePolicyBytes(gbk(text), { contentType: 'text/html; charset="gb2312"' }).text, text);
  assert.equal(decodePolicyBytes(gbk(text), { contentType: 'text/html; charset=nonsense' }).from, 'default');
  const xml = decodePolicyBytes(gbk(`<?xml version="1.0" encoding="GB18030"?><p>${text}</p>`));
  assert.deepEqual([xml.encoding, xml.from], ['gb18030', 'meta']);
  assert.ok(xml.text.endsWith(`<p>${text}</p>`));
  const md = decodePolicyBytes(Buffer.from(`<meta charset="gbk"> ${text}`), { sniffMeta: false });
  assert.deepEqual([md.text, md.from], [`<meta charset="gbk"> ${text}`, 'default']);
  assert.equal(decodePolicyBytes(Buffer.from(`<meta charset="utf-16">${text}`)).text, `<meta charset="utf-16">${text}`);
});
