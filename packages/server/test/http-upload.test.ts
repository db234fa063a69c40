import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildApk } from '@apprights/testkit';
import { MiB } from '../src/config.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member, type Harness } from './support/http.js';

// Uploads: streamed into the content-addressed store, capped while streaming, typed by their first
// bytes, never named by the client. Run with inject for the cases and over a real socket for the
// streaming cap and the memory it takes.

function multipart(file: Buffer, filename = 'app.apk', field = 'file'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----apprights-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/vnd.android.package-archive\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, file, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every file under the data folder (blobs and the SQLite file), relative. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const f of filesUnder(path, `${prefix}${name}/`)) out.push(f);
    else out.push(`${prefix}${name}`);
  }
  return out;
}

async function counts(h: Harness) {
  const db = h.platform.store.db;
  const blobs = await db
    .selectFrom('blobs')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  const uploads = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return { blobs: Number(blobs.n), uploads: Number(uploads.n) };
}

bothDatabases(
  'uploads: multipart and raw; same bytes → one blob; not a ZIP → 415; empty → 400; file names never reach a path',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      const apk = Buffer.from(buildApk({ package: 'com.example.upload' }));
      const evil = '../../../../tmp/evil.apk';
      const first = await h.app.inject({ method: 'POST', url: '/api/v1/packages', ...withAuth(multipart(apk, evil), dev) });
      assert.equal(first.statusCode, 201, first.body);
      const a = first.json() as { id: string; blob: { sha256: string; size: number; new: boolean } };
      assert.equal(a.blob.size, apk.length);
      assert.equal(a.blob.new, true);
      assert.equal(first.headers.location, `/api/v1/packages/${a.id}`);
      const path = join(under.dataDir, 'blobs', a.blob.sha256.slice(0, 2), a.blob.sha256.slice(2, 4), a.blob.sha256);
      assert.deepEqual(readFileSync(path), apk);
      assert.equal(existsSync('/tmp/evil.apk'), false);
      assert.ok(
        filesUnder(under.dataDir).every((f) => !f.includes('evil')),
        'the client’s file name is nowhere on disk',
      );

      // The same bytes as a raw body: a second upload, the same blob.
      const second = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'application/vnd.android.package-archive' },
        payload: apk,
      });
      assert.equal(second.statusCode, 201, second.body);
      const b = second.json() as { id: string; blob: { sha256: string; new: boolean } };
      assert.equal(b.blob.sha256, a.blob.sha256);
      assert.equal(b.blob.new, false);
      assert.notEqual(b.id, a.id);
      assert.deepEqual(await counts(h), { blobs: 1, uploads: 2 });
      const listed = await h.app.inject({ method: 'GET', url: `/api/v1/packages?blob=${a.blob.sha256}`, headers: bearer(dev) });
      assert.deepEqual(
        (listed.json() as { items: { id: string }[] }).items.map((u) => u.id),
        [b.id, a.id],
      );
      const one = await h.app.inject({ method: 'GET', url: `/api/v1/packages/${a.id}`, headers: bearer(dev) });
      assert.equal((one.json() as { blob: { size: number } }).blob.size, apk.length);
      const row = await h.platform.store.db.selectFrom('uploads').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(row.org_id, dev.orgId);
      assert.equal(row.user_id, dev.userId);

      // Not a ZIP: 415, and nothing is kept.
      const text = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        ...withAuth(multipart(Buffer.from('just some text, not an archive')), dev),
      });
      assert.equal(text.statusCode, 415);
      assert.equal((text.json() as { code: string }).code, 'not-a-zip');
      const raw = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'application/octet-stream' },
        payload: Buffer.from('MZ\x90\x00 a PE file'),
      });
      assert.equal(raw.statusCode, 415);
      // Empty: 400, raw or multipart.
      const empty = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'application/octet-stream' },
        payload: '',
      });
      assert.equal(empty.statusCode, 400);
      assert.equal((empty.json() as { code: string }).code, 'empty-upload');
      const emptyPart = await h.app.inject({ method: 'POST', url: '/api/v1/packages', ...withAuth(multipart(Buffer.alloc(0)), dev) });
      assert.equal(emptyPart.statusCode, 400);
      // A multipart request whose part is not named "file"; a content type that is not a package.
      const wrongField = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        ...withAuth(multipart(apk, 'a.apk', 'package'), dev),
      });
      assert.equal(wrongField.statusCode, 400);
      assert.equal((wrongField.json() as { code: string }).code, 'no-file');
      const plain = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'text/plain' },
        payload: 'PK',
      });
      assert.equal(plain.statusCode, 415);
      // The multipart reader's refusals (src/http/multipart/reader.ts): a body cut before its final
      // boundary (the whole file there), no boundary, two file parts.
      const whole = multipart(apk);
      const cut = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        ...withAuth({ ...whole, payload: whole.payload.subarray(0, whole.payload.length - 8) }, dev),
      });
      assert.equal(cut.statusCode, 400, cut.body);
      assert.match((cut.json() as { detail: string }).detail, /ends before its final boundary/);
      const noBoundary = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'multipart/form-data' },
        payload: whole.payload,
      });
      assert.equal(noBoundary.statusCode, 415, noBoundary.body);
      // The same form with its parts twice: the close delimiter's "--" dropped, the first delimiter's line cut off.
      const twice = Buffer.concat([
        whole.payload.subarray(0, whole.payload.length - 4),
        whole.payload.subarray(whole.payload.indexOf('\r\n')),
      ]);
      const two = await h.app.inject({ method: 'POST', url: '/api/v1/packages', ...withAuth({ ...whole, payload: twice }, dev) });
      assert.equal(two.statusCode, 400, two.body);
      assert.match((two.json() as { detail: string }).detail, /more than one part is named "file"/);
      await h.platform.blobs.idle();
      assert.deepEqual(await counts(h), { blobs: 1, uploads: 2 }, 'refused uploads leave no row');
      const blobFiles = filesUnder(join(under.dataDir, 'blobs'));
      assert.deepEqual(
        blobFiles,
        [`${a.blob.sha256.slice(0, 2)}/${a.blob.sha256.slice(2, 4)}/${a.blob.sha256}`],
        'and no file, not even in tmp/',
      );
    } finally {
      await h.close();
    }
  },
);

function withAuth(body: { payload: Buffer; headers: Record<string, string> }, who: { token: string }) {
  return { payload: body.payload, headers: { ...body.headers, ...bearer(who) } };
}

/** `total` bytes: a ZIP signature then zeros, made from one reused buffer (the test must not hold the upload itself). */
function generated(total: number, chunk = MiB): Readable {
  const block = Buffer.alloc(chunk);
  block.write('PK\u0003\u0004');
  const rest = Buffer.alloc(chunk);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - sent);
      const piece = (sent === 0 ? block : rest).subarray(0, n);
      sent += n;
      this.push(piece);
    },
  });
}

interface Sent {
  status: number;
  body: string;
  /** Bytes the client had written when the answer came. */
  written: number;
  peakRssGrowth: number;
  ms: number;
}

/** A real HTTP upload of `total` generated bytes (raw or multipart), measuring this process's RSS meanwhile. */
async function send(port: number, token: string, total: number, form: boolean): Promise<Sent> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = Date.now();
  const boundary = '----apprights-stream';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.apk"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  try {
    return await new Promise<Sent>((resolve, reject) => {
      let written = 0;
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/packages',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': form ? `multipart/form-data; boundary=${boundary}` : 'application/octet-stream',
          'content-length': String(form ? head.length + total + tail.length : total),
        },
      });
      const source = generated(total);
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          source.destroy();
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            written,
            peakRssGrowth: peak - baseline,
            ms: Date.now() - started,
          });
        });
      });
      // The server may close the socket while we write (it refused the upload): that is the point.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (form) req.write(head);
      source.on('data', (chunk: Buffer) => {
        written += chunk.length;
        if (!req.write(chunk)) source.pause();
      });
      req.on('drain', () => source.resume());
      source.on('end', () => {
        if (form) req.write(tail);
        req.end();
      });
    });
  } finally {
    clearInterval(sampler);
  }
}

bothDatabases(
  'a real socket: an upload over the cap is refused with 413 while it streams, in flat memory; one under the cap is stored',
  async (t, under) => {
    const h = await harness(under, { maxUploadBytes: 48 * MiB });
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = h.app.server.address() as AddressInfo;
      const ok = await send(port, dev.token, 40 * MiB, false);
      assert.equal(ok.status, 201, ok.body);
      t.diagnostic(`40 MiB raw upload stored in ${ok.ms} ms, RSS growth ${(ok.peakRssGrowth / MiB).toFixed(1)} MiB`);
      for (const form of [false, true]) {
        const total = 512 * MiB;
        const refused = await send(port, dev.token, total, form);
        t.diagnostic(
          `${form ? 'multipart' : 'raw'} 512 MiB against a 48 MiB cap: ${refused.status} after ${(refused.written / MiB).toFixed(1)} MiB sent, ${refused.ms} ms, RSS growth ${(refused.peakRssGrowth / MiB).toFixed(1)} MiB`,
        );
        assert.equal(refused.status, 413, refused.body);
        assert.equal((JSON.parse(refused.body) as { code: string }).code, 'too-large');
        assert.ok(refused.written < total / 2, `refused while streaming: ${refused.written} of ${total} bytes sent`);
        assert.ok(refused.peakRssGrowth < 64 * MiB, `RSS growth ${refused.peakRssGrowth} < 64 MiB`);
      }
      assert.ok(ok.peakRssGrowth < 64 * MiB, `RSS growth of the stored upload ${ok.peakRssGrowth} < 64 MiB`);
      assert.deepEqual(await counts(h), { blobs: 1, uploads: 1 });
      assert.deepEqual(readdirSync(join(under.dataDir, 'blobs', 'tmp')), [], 'the refused uploads’ partial files are gone');
    } finally {
      await h.close();
    }
  },
  { timeout: 240_000 },
);

bothDatabases('a small cap with inject: 413 and nothing kept', async (_t, under) => {
  const h = await harness(under, { maxUploadBytes: 64 * 1024 });
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    const big = Buffer.alloc(200 * 1024);
    big.write('PK\u0003\u0004');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      headers: { ...bearer(dev), 'content-type': 'application/octet-stream' },
      payload: big,
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers.connection, 'close');
    const form = await h.app.inject({ method: 'POST', url: '/api/v1/packages', ...withAuth(multipart(big), dev) });
    assert.equal(form.statusCode, 413);
    assert.deepEqual(await counts(h), { blobs: 0, uploads: 0 });
  } finally {
    await h.close();
  }
});

bothDatabases('a client that drops the connection mid-upload leaves no row and no partial file', async (_t, under) => {
  const h = await harness(under, { maxUploadBytes: 64 * MiB });
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/packages',
        headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream', 'content-length': String(40 * MiB) },
      });
      req.on('error', () => resolve());
      const source = generated(8 * MiB);
      source.pipe(req, { end: false });
      source.on('end', () => {
        // Half-way through the declared length, the client goes away.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    });
    // The server notices the aborted stream; give it a moment to clean up.
    const tmp = join(under.dataDir, 'blobs', 'tmp');
    for (let i = 0; i < 50 && readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(readdirSync(tmp), [], 'the partial file is removed');
    assert.deepEqual(await counts(h), { blobs: 0, uploads: 0 });
    // And the server goes on serving.
    const ok = await send(port, dev.token, MiB, false);
    assert.equal(ok.status, 201, ok.body);
  } finally {
    await h.close();
  }
});
