import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { bothDatabases, tempDir } from './support/databases.js';
import { LocalBlobStore, BlobTooLargeError } from '../src/blobs/store.js';
import { newId, isId } from '../src/ids.js';
import { migrate } from '../src/db/open.js';

bothDatabases('migrations apply once and the schema takes a row in every table', async (_t, under) => {
  const store = await under.open();
  // A second migrate is a no-op (the server and `apprights migrate` may both run it).
  assert.deepEqual(await migrate(store), []);
  const now = Date.now();
  const org = newId();
  await store.db.insertInto('organisations').values({ id: org, slug: 'demo', name: 'Demo', kind: 'developer', created_at: now }).execute();
  const row = await store.db.selectFrom('organisations').selectAll().where('id', '=', org).executeTakeFirstOrThrow();
  assert.equal(row.created_at, now, 'bigint times come back as numbers on both databases');
  assert.equal(row.slug, 'demo');
  await assert.rejects(
    store.db.insertInto('organisations').values({ id: newId(), slug: 'demo', name: 'Again', kind: 'developer', created_at: now }).execute(),
    'slugs are unique',
  );
  if (under.dialect === 'postgres') {
    // Room on each page of campaign findings for its triaged version (0063): triage updates in place.
    const { rows } = await sql<{
      options: string[] | null;
    }>`select reloptions as options from pg_class where relname = 'reg_findings'`.execute(store.db);
    assert.deepEqual(rows[0]?.options, ['fillfactor=50']);
  }
});

bothDatabases('a second connection sees committed rows (a worker process beside the server)', async (_t, under) => {
  const a = await under.open();
  const b = await under.open();
  const id = newId();
  await a.db
    .insertInto('blobs')
    .values({ sha256: 'a'.repeat(64), size: 3, media_type: 'application/zip', created_at: 1 })
    .execute();
  await a.db.insertInto('outbox').values({ id, topic: 't', payload: '{}', created_at: 1, delivered_at: null }).execute();
  const seen = await b.db.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst();
  assert.equal(seen?.id, id);
});

bothDatabases('PostgreSQL sessions run with the JIT off (short statements; see db/open.ts)', async (_t, under) => {
  if (under.dialect !== 'postgres') return;
  const store = await under.open();
  const { rows } = await sql<{ jit: string }>`show jit`.execute(store.db);
  assert.equal(rows[0]?.jit, 'off');
});

test('ids sort by creation and are recognised', () => {
  const ids = Array.from({ length: 1000 }, () => newId());
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(ids.every(isId));
  assert.equal(isId('../etc/passwd'), false);
  assert.equal(isId('0'.repeat(27)), false);
});

test('blobs: the same bytes twice are one blob; over the cap stops and leaves nothing', async () => {
  const { dir, remove } = tempDir();
  try {
    const blobs = new LocalBlobStore(join(dir, 'blobs'));
    const bytes = Buffer.from('PK\u0003\u0004 hello');
    const first = await blobs.put(Readable.from([bytes]), { maxBytes: 1024 });
    const second = await blobs.put(Readable.from([bytes]), { maxBytes: 1024 });
    assert.equal(first.sha256, second.sha256);
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.deepEqual(first.head, bytes.subarray(0, 8));
    assert.deepEqual(readFileSync(blobs.path(first.sha256)), bytes);
    await assert.rejects(blobs.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }), BlobTooLargeError);
    await blobs.idle();
    assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), [], 'the partial file and the duplicate are removed');
    assert.throws(() => blobs.path('../../x'), /not a sha256/);
    // What a killed upload leaves behind is removed at the next start.
    mkdirSync(join(dir, 'blobs', 'tmp'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'tmp', '1-ab.part'), 'partial');
    assert.equal(new LocalBlobStore(join(dir, 'blobs')).removePartial(), 1);
  } finally {
    remove();
  }
});

// By default the store writes full slots with O_DIRECT on a disk, and on /dev/shm (tmpfs, which
// refuses O_DIRECT) falls back to the page cache; directIo: false writes through the page cache.
const blobRoots = [
  { where: 'a disk directory, page cache', make: () => tempDir(), directIo: false },
  { where: 'a disk directory, direct I/O (the default)', make: () => tempDir(), directIo: undefined },
  ...(existsSync('/dev/shm')
    ? [{ where: 'tmpfs, direct I/O (refused)', make: () => tempDir('apprights-shm-', '/dev/shm'), directIo: undefined }]
    : []),
];

for (const { where, make, directIo } of blobRoots)
  test(`blobs on ${where}: a large upload is hashed on the hashing thread, in order, whatever the chunk sizes`, async () => {
    const { dir, remove } = make();
    try {
      const blobs = new LocalBlobStore(join(dir, 'blobs'), directIo === undefined ? {} : { directIo });
      // More than one ring (four 4 MiB slots) of the store's hashing and writing slots, cut at odd
      // places (chunks straddle slots, one spans several, the ring wraps).
      const MiB = 1024 * 1024;
      const bytes = randomBytes(37 * MiB + 12345);
      const cuts = [0, 1, 70_000, 4 * MiB, 4 * MiB + 1, 9_000_000, 16 * MiB, 16 * MiB + 3, 29 * MiB, bytes.length];
      const chunks = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
      const expected = createHash('sha256').update(bytes).digest('hex');
      // Two at once: each upload has its own digest on the one hashing thread.
      const [a, b] = await Promise.all([
        blobs.put(Readable.from(chunks), { maxBytes: bytes.length }),
        blobs.put(Readable.from([bytes]), { maxBytes: bytes.length }),
      ]);
      assert.equal(a.sha256, expected);
      assert.equal(b.sha256, expected);
      assert.equal(a.size, bytes.length);
      assert.deepEqual(a.head, bytes.subarray(0, 8));
      assert.equal([a.created, b.created].filter(Boolean).length, 1, 'one of the two made the blob');
      assert.ok(readFileSync(blobs.path(expected)).equals(bytes));
      // One byte over the cap, several buffers in: refused, nothing left, and the store still works.
      await assert.rejects(blobs.put(Readable.from(chunks), { maxBytes: bytes.length - 1 }), BlobTooLargeError);
      // The duplicate's file goes after its answer.
      await blobs.idle();
      assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), []);
      const again = await blobs.put(Readable.from([bytes.subarray(0, 5_000_000)]), { maxBytes: bytes.length });
      assert.equal(again.sha256, createHash('sha256').update(bytes.subarray(0, 5_000_000)).digest('hex'));
      // Sizes at slot edges: exactly one slot, exactly the whole ring (no partial tail), one byte past it.
      for (const size of [1_048_576, 8 * 1_048_576, 8 * 1_048_576 + 1, 100]) {
        const part = bytes.subarray(0, size);
        const stored = await blobs.put(Readable.from([part.subarray(0, 1000), part.subarray(1000)]), { maxBytes: bytes.length });
        assert.equal(stored.sha256, createHash('sha256').update(part).digest('hex'), `size ${size}`);
        assert.ok(readFileSync(blobs.path(stored.sha256)).equals(part), `bytes on disk, size ${size}`);
      }
      assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), []);
    } finally {
      remove();
    }
  });
