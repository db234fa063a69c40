import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'node:test';
import { Busboy } from '@fastify/busboy';
import { formBoundary, MultipartParser, multipartFile, MULTIPART_LIMITS, type MultipartLimits } from '../src/http/multipart/reader.js';
import { ProblemError } from '../src/http/problems.js';

// The package upload's multipart reader (src/http/multipart/reader.ts): byte-exact whatever the
// chunking (a delimiter split across chunks, a CR at a chunk's end, boundary-like bytes in the file),
// the same answers as busboy on random bodies, and a typed problem (never a crash or a hang) for
// every hostile body.

interface Parsed {
  file: Buffer | undefined;
  fields: Record<string, string>;
}

/** Parses `body` cut at `cuts`; file bytes are copied as they come (their views are valid only during the call). */
function parse(boundary: string, body: Buffer, cuts: number[], limits?: MultipartLimits): Parsed {
  const pieces: Buffer[] = [];
  let file = false;
  const fields: Record<string, string> = {};
  const parser = new MultipartParser(
    boundary,
    {
      part: (info) => {
        if (info.name !== 'file') return 'field';
        file = true;
        return 'file';
      },
      file: (bytes) => {
        pieces.push(Buffer.from(bytes));
        // The parser must not hold on to what it handed over: scribble over it.
        bytes.fill(0xee);
        return true;
      },
      field: (name, value) => {
        fields[name] = value;
      },
    },
    limits,
  );
  let at = 0;
  for (const cut of [...cuts, body.length]) {
    // A copy per chunk, scribbled over after the push: nothing may keep a view of it either.
    const chunk = Buffer.from(body.subarray(at, cut));
    parser.push(chunk);
    chunk.fill(0xdd);
    at = cut;
  }
  parser.end();
  return { file: file ? Buffer.concat(pieces) : undefined, fields };
}

function form(boundary: string, parts: { name: string; filename?: string; body: Buffer | string }[], preamble = '', epilogue = ''): Buffer {
  const out: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) {
    const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    out.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}\r\n`));
    if (p.filename !== undefined) out.push(Buffer.from('Content-Type: application/octet-stream\r\n'));
    out.push(Buffer.from('\r\n'), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n${epilogue}`));
  return Buffer.concat(out);
}

const BOUNDARY = '----apprights-boundary-7MA4YWxkTrZu0gW';

test('multipart reader: byte-exact with a cut (or two) at every offset around each delimiter, with boundary-like bytes in the file', () => {
  const delimiter = `\r\n--${BOUNDARY}`;
  // Near misses of the delimiter, a CR and CRLF at the end, the boundary without its CRLF.
  const file = Buffer.concat([
    Buffer.from('PK\u0003\u0004'),
    randomBytes(300),
    Buffer.from(delimiter.slice(0, -1)),
    Buffer.from('\r\n--'),
    Buffer.from(`--${BOUNDARY}`),
    Buffer.from('\r\r\n\r\n-'),
    Buffer.from(delimiter.slice(0, 10)),
    randomBytes(100),
    Buffer.from('\r'),
  ]);
  const body = form(BOUNDARY, [
    { name: 'note', body: 'before the file' },
    { name: 'file', filename: 'a.apk', body: file },
    { name: 'after', body: 'x' },
  ]);
  const expected = { file, fields: { note: 'before the file', after: 'x' } };
  const delimiters: number[] = [];
  for (let i = body.indexOf(`--${BOUNDARY}`); i >= 0; i = body.indexOf(`--${BOUNDARY}`, i + 1)) delimiters.push(i);
  // Every place the file's near misses sit, too.
  for (let i = body.indexOf('\r'); i >= 0; i = body.indexOf('\r', i + 1)) delimiters.push(i);
  let cases = 0;
  for (const d of delimiters) {
    for (let a = Math.max(1, d - 3); a < Math.min(body.length, d + delimiter.length + 4); a++) {
      assert.deepEqual(parse(BOUNDARY, body, [a]), expected, `cut at ${a}`);
      for (const b of [a + 1, a + 2, a + 7])
        if (b < body.length) assert.deepEqual(parse(BOUNDARY, body, [a, b]), expected, `cuts at ${a}, ${b}`);
      cases++;
    }
  }
  assert.ok(cases > 500);
  // One byte at a time, and a few chunk sizes throughout.
  for (const size of [1, 2, 3, 5, 41, 64, 1000]) {
    const cuts: number[] = [];
    for (let i = size; i < body.length; i += size) cuts.push(i);
    assert.deepEqual(parse(BOUNDARY, body, cuts), expected, `chunks of ${size}`);
  }
});

test('multipart reader: the same file and fields as busboy on random bodies and chunkings', async () => {
  const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? ";
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  for (let round = 0; round < 150; round++) {
    let boundary = '';
    for (let i = 0, n = 1 + rnd(70); i < n; i++) boundary += chars[rnd(chars.length)];
    if (boundary.endsWith(' ')) boundary = `${boundary.slice(0, -1)}x`;
    const delimiter = Buffer.from(`\r\n--${boundary}`);
    // File bytes with pieces of the delimiter (never all of it) spliced in.
    const pieces: Buffer[] = [];
    for (let i = 0, n = rnd(12); i < n; i++) {
      pieces.push(randomBytes(rnd(3000)));
      pieces.push(delimiter.subarray(0, rnd(delimiter.length)));
    }
    let file = Buffer.concat(pieces);
    while (file.includes(delimiter)) file = Buffer.concat([file, Buffer.from('x')]).subarray(1);
    const fields: Record<string, string> = {};
    const parts: { name: string; filename?: string; body: Buffer | string }[] = [];
    const fileAt = rnd(4);
    for (let i = 0; i < 4; i++) {
      if (i === fileAt) parts.push({ name: 'file', filename: `f${round}.apk`, body: file });
      else if (rnd(2)) {
        const value = `value ${round}-${i} ${'é'.repeat(rnd(5))}`;
        fields[`field${i}`] = value;
        parts.push({ name: `field${i}`, body: value });
      }
    }
    const body = form(boundary, parts, rnd(2) ? 'a preamble\r\n' : '', rnd(2) ? 'an epilogue' : '');
    const cuts = [...new Set(Array.from({ length: rnd(20) }, () => 1 + rnd(body.length - 1)))].sort((a, b) => a - b);
    const ours = parse(boundary, body, cuts);
    const theirs = await new Promise<Parsed>((resolve, reject) => {
      const got: Parsed = { file: undefined, fields: {} };
      const bb = Busboy({ headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` } });
      bb.on('file', (_name: string, stream: Readable) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
        stream.on('end', () => (got.file = Buffer.concat(chunks)));
      });
      bb.on('field', (name: string, value: string) => (got.fields[name] = value));
      bb.on('finish', () => resolve(got));
      bb.on('error', reject);
      let at = 0;
      for (const cut of [...cuts, body.length]) {
        bb.write(body.subarray(at, cut));
        at = cut;
      }
      bb.end();
    });
    assert.deepEqual(ours, theirs, `round ${round}, boundary ${JSON.stringify(boundary)}, cuts ${cuts.join(',')}`);
    assert.deepEqual(ours, { file, fields });
  }
});

test('multipart reader: hostile bodies end in a problem, never a crash or a hang', () => {
  const base = form(BOUNDARY, [
    { name: 'a', body: 'one' },
    { name: 'file', filename: 'x.apk', body: randomBytes(500) },
    { name: 'b', body: 'two' },
  ]);
  const small: MultipartLimits = { headerBytes: 256, parts: 4, otherBytes: 1024, fieldBytes: 64 };
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const outcomes = new Map<string, number>();
  for (let round = 0; round < 3000; round++) {
    const body = Buffer.from(base);
    const kind = rnd(5);
    let mutated: Buffer;
    if (kind === 0)
      mutated = body.subarray(0, rnd(body.length)); // truncated
    else if (kind === 1) {
      for (let i = 0, n = 1 + rnd(8); i < n; i++) body[rnd(body.length)] = rnd(256);
      mutated = body;
    } else if (kind === 2) {
      const at = rnd(body.length);
      mutated = Buffer.concat([body.subarray(0, at), randomBytes(rnd(2000)), body.subarray(at)]);
    } else if (kind === 3) {
      // Headers without end, many parts, huge fields.
      const what = rnd(3);
      mutated =
        what === 0
          ? Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\nX: ${'y'.repeat(rnd(4000))}`)
          : what === 1
            ? form(
                BOUNDARY,
                Array.from({ length: 2 + rnd(10) }, (_, i) => ({ name: `f${i}`, body: 'v' })),
              )
            : form(BOUNDARY, [
                { name: 'big', body: 'z'.repeat(rnd(3000)) },
                { name: 'file', body: 'PK' },
              ]);
    } else mutated = randomBytes(rnd(3000));
    const cuts = [...new Set(Array.from({ length: rnd(6) }, () => 1 + rnd(Math.max(1, mutated.length - 1))))]
      .filter((c) => c < mutated.length)
      .sort((a, b) => a - b);
    let outcome: string;
    try {
      const parsed = parse(BOUNDARY, mutated, cuts, small);
      outcome = parsed.file ? 'file' : 'no file';
    } catch (error) {
      assert.ok(error instanceof ProblemError, `round ${round}: ${String(error)}`);
      assert.ok([400, 413].includes(error.status), `round ${round}: ${error.status}`);
      assert.ok(error.detail && / \/ /.test(error.detail), `bilingual detail: ${error.detail}`);
      outcome = `${error.status}`;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  assert.ok((outcomes.get('400') ?? 0) > 100 && (outcomes.get('413') ?? 0) > 50, JSON.stringify([...outcomes]));
});

test('multipart reader: limits and malformed bodies, each named', () => {
  const problemOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof ProblemError, String(error));
      return `${error.code}: ${error.detail}`;
    }
    assert.fail('no problem');
  };
  const file = { name: 'file', filename: 'a.apk', body: 'PK' };
  assert.match(
    problemOf(() => formBoundary('application/json')),
    /^unsupported-media-type: expected multipart/,
  );
  assert.match(
    problemOf(() => formBoundary('multipart/form-data')),
    /^unsupported-media-type: the multipart boundary is missing/,
  );
  assert.match(
    problemOf(() => formBoundary(`multipart/form-data; boundary=${'a'.repeat(71)}`)),
    /1-70/,
  );
  assert.match(
    problemOf(() => formBoundary('multipart/form-data; boundary="ends with space "')),
    /1-70/,
  );
  assert.equal(formBoundary(`multipart/form-data; charset=utf-8; boundary="${'a'.repeat(70)}"`), 'a'.repeat(70));
  const body = form(BOUNDARY, [file]);
  assert.match(
    problemOf(() => parse(BOUNDARY, body.subarray(0, body.length - 4), [])),
    /^bad-request: the multipart body ends before its final boundary/,
  );
  assert.match(
    problemOf(() => parse(BOUNDARY, body.subarray(0, 60), [])),
    /final boundary/,
  );
  assert.match(
    problemOf(() => parse(BOUNDARY, Buffer.alloc(0), [])),
    /final boundary/,
  );
  const parts = Array.from({ length: MULTIPART_LIMITS.parts + 1 }, (_, i) => ({ name: `f${i}`, body: '' }));
  assert.match(
    problemOf(() => parse(BOUNDARY, form(BOUNDARY, parts), [])),
    /^too-large: the multipart body has more than 20 parts/,
  );
  const longHeader = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\nX: ${'y'.repeat(17 << 10)}\r\n\r\nPK\r\n--${BOUNDARY}--`,
  );
  assert.match(
    problemOf(() => parse(BOUNDARY, longHeader, [100, 5000])),
    /^too-large: a part's headers are longer than 16384 bytes/,
  );
  assert.match(
    problemOf(() => parse(BOUNDARY, form(BOUNDARY, [{ name: 'note', body: 'n'.repeat(5000) }, file]), [])),
    /field "note" is longer than 4096/,
  );
  const manyFields = Array.from({ length: 17 }, (_, i) => ({ name: `f${i}`, body: 'v'.repeat(4000) }));
  assert.match(
    problemOf(() => parse(BOUNDARY, form(BOUNDARY, [...manyFields, file]), [])),
    /more than 65536 bytes besides the file/,
  );
  const noName = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nPK\r\n--${BOUNDARY}--`);
  assert.match(
    problemOf(() => parse(BOUNDARY, noName, [])),
    /^bad-request: a part has no Content-Disposition/,
  );
  const noColon = Buffer.from(`--${BOUNDARY}\r\nnot a header\r\n\r\nPK\r\n--${BOUNDARY}--`);
  assert.match(
    problemOf(() => parse(BOUNDARY, noColon, [])),
    /header line has no name/,
  );
  const trailing = Buffer.from(`--${BOUNDARY}x\r\nContent-Disposition: form-data; name="file"\r\n\r\nPK\r\n--${BOUNDARY}--`);
  assert.match(
    problemOf(() => parse(BOUNDARY, trailing, [])),
    /more after the boundary/,
  );
  // Transport padding after a boundary, a part without headers other than its disposition, a quoted name with an escape.
  const padded = Buffer.from(`--${BOUNDARY} \t\r\nContent-Disposition: form-data; name="fi\\"le"\r\n\r\nPK\r\n--${BOUNDARY}--`);
  assert.deepEqual(parse(BOUNDARY, padded, []).fields, { 'fi"le': 'PK' });
});

/** A sink collecting what the store would get, with room only every `every` writes. */
function collecting(every = 3) {
  const got: Buffer[] = [];
  let writes = 0;
  return {
    got,
    sink: {
      write(chunk: Uint8Array) {
        got.push(Buffer.from(chunk));
        return ++writes % every !== 0;
      },
      room: () => new Promise<void>((resolve) => setTimeout(resolve, 1)),
    },
  };
}

test('multipart reader as a store source: waits for room when the sink is full; no file part, a second one, a refusal, a cut body', async () => {
  const file = randomBytes(200_000);
  const type = `multipart/form-data; boundary=${BOUNDARY}`;
  const body = form(BOUNDARY, [
    { name: 'token', body: 't' },
    { name: 'file', filename: 'a.apk', body: file },
  ]);
  const chunked = (b: Buffer) =>
    Readable.from(Array.from({ length: Math.ceil(b.length / 7000) }, (_, i) => b.subarray(i * 7000, (i + 1) * 7000)));
  const { got, sink } = collecting();
  const fields: Record<string, string> = {};
  let seen: Record<string, string> | undefined;
  await multipartFile(chunked(body), type, { fields, beforeFile: (f) => (seen = { ...f }) }).pump(sink);
  assert.deepEqual(Buffer.concat(got), file);
  assert.deepEqual(seen, { token: 't' });
  const code = async (b: Buffer, options = {}) => {
    try {
      await multipartFile(chunked(b), type, options).pump(collecting().sink);
      return 'ok';
    } catch (error) {
      return error instanceof ProblemError ? error.code : String(error);
    }
  };
  assert.equal(await code(form(BOUNDARY, [{ name: 'other', body: 'x' }])), 'no-file');
  assert.equal(
    await code(
      form(BOUNDARY, [
        { name: 'file', filename: 'a', body: 'PK' },
        { name: 'file', filename: 'b', body: 'PK' },
      ]),
    ),
    'bad-request',
  );
  assert.equal(await code(body.subarray(0, body.length - 10)), 'bad-request');
  assert.equal(
    await code(body, {
      beforeFile: () => {
        throw new Error('refused');
      },
    }),
    'Error: refused',
  );
  // The sink's own failure (the cap) ends the read with it.
  const capped = {
    write: () => {
      throw new Error('over the cap');
    },
    room: () => Promise.resolve(),
  };
  await assert.rejects(multipartFile(chunked(body), type).pump(capped), /over the cap/);
});
