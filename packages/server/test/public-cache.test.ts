// The public micro-cache (src/http/public-cache.ts) on its own, with builds a test finishes when it
// chooses and a lifetime draw it chooses: fresh answers and the bounds of each entry's lifetime; the
// stale answer sent while exactly one rebuild runs, and the new one after it; an answer past the
// stale window built before it is sent; one build for concurrent misses of a key; rebuilds beyond
// maxBuilds waiting their turn, and beyond maxRefreshes not queued at all; rebuilds waiting while
// builds have taken more than their share of the time; with turnMs, builds started only in turns of
// the event loop, for at most turnMs each, and none in the turn after a connection was accepted; a
// failed rebuild keeping the stale answer; the bounds on entries and bytes; the counters /metrics
// shows. No clock is read: every lookup says its time, and the build budget's clock is the test's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublicCache, type BuiltAnswer, type CacheCounters } from '../src/http/public-cache.js';

/** A build the test finishes (or fails) by hand; `calls` counts how often the cache started it. */
class Controlled {
  calls = 0;
  private readonly pending: { resolve: (a: BuiltAnswer) => void; reject: (e: Error) => void }[] = [];
  constructor(private readonly body = 'v1') {}
  run = (): Promise<BuiltAnswer> => {
    this.calls++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };
  finish(text = this.body): void {
    this.pending.shift()!.resolve({ body: text, type: 'text/plain' });
  }
  fail(): void {
    this.pending.shift()!.reject(new Error('database unavailable'));
  }
  get waiting(): number {
    return this.pending.length;
  }
}
const controlled = (body?: string) => new Controlled(body);

const immediate = (body: string) => async (): Promise<BuiltAnswer> => ({ body, type: 'text/plain' });

/** Lets queued turns (setImmediate) and their promise chains run, a bounded number of times. */
async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

const counters = (): CacheCounters => ({ publicCacheHits: 0, publicCacheStale: 0, publicCacheMisses: 0 });

test('public cache: an answer is fresh for a lifetime drawn between 3/4 of the TTL and all of it', async () => {
  for (const [draw, lifetime] of [
    [0, 1000],
    [0.5, 875],
    [0.999_999, 750],
  ] as const) {
    const c = counters();
    const cache = new PublicCache({ ttlMs: 1000, counters: c, random: () => draw });
    await cache.get('k', 0, immediate('v1'));
    assert.equal((await cache.get('k', lifetime - 1, immediate('v2'))).body.toString(), 'v1', `fresh at ${lifetime - 1} ms (draw ${draw})`);
    assert.equal(c.publicCacheHits, 1);
    await cache.get('k', lifetime, immediate('v2'));
    assert.equal(c.publicCacheStale, 1, `stale from ${lifetime} ms (draw ${draw})`);
  }
});

test('public cache: past its freshness the old answer is sent while one rebuild runs; the next lookup has the new one', async () => {
  const c = counters();
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 10_000, counters: c, random: () => 0 });
  await cache.get('k', 0, immediate('v1'));
  const build = controlled('v2');
  const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', 1500, build.run)));
  assert.deepEqual(new Set(answers.map((a) => a.body.toString())), new Set(['v1']), 'every reader has the stale answer at once');
  await settle();
  assert.equal(build.calls, 1, 'twenty stale lookups start one rebuild');
  assert.equal(c.publicCacheStale, 20);
  build.finish();
  await settle();
  const after = await cache.get('k', 1600, build.run);
  assert.equal(after.body.toString(), 'v2');
  assert.equal(c.publicCacheHits, 1, 'the rebuilt answer is fresh from the time its rebuild was asked for');
  assert.equal(build.calls, 1);
  assert.notEqual(after.etag, answers[0]!.etag, 'a new body, a new ETag');
});

test('public cache: an answer past the stale window is rebuilt before it is sent', async () => {
  const c = counters();
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 5000, counters: c, random: () => 0 });
  await cache.get('k', 0, immediate('v1'));
  const late = await cache.get('k', 6000, immediate('v2'));
  assert.equal(late.body.toString(), 'v2');
  assert.deepEqual([c.publicCacheHits, c.publicCacheStale, c.publicCacheMisses], [0, 0, 2]);
});

test('public cache: concurrent misses of one key share one build; of another key, another', async () => {
  const c = counters();
  const cache = new PublicCache({ ttlMs: 1000, counters: c });
  const build = controlled();
  const waiting = Array.from({ length: 30 }, () => cache.get('k', 0, build.run));
  const other = cache.get('other', 0, build.run);
  await settle();
  assert.equal(build.calls, 2);
  build.finish('for k');
  build.finish('for other');
  const answers = await Promise.all(waiting);
  assert.ok(answers.every((a) => a.body.toString() === 'for k'));
  assert.equal((await other).body.toString(), 'for other');
  assert.equal(c.publicCacheMisses, 31);
  assert.equal((await cache.get('k', 10, build.run)).body.toString(), 'for k');
  assert.equal(build.calls, 2);
});

test('public cache: a failed first build fails its readers and keeps nothing; the next lookup builds again', async () => {
  const cache = new PublicCache({ ttlMs: 1000 });
  const build = controlled();
  const readers = [cache.get('k', 0, build.run), cache.get('k', 0, build.run)];
  await settle();
  build.fail();
  for (const reader of readers) await assert.rejects(reader, /database unavailable/);
  assert.equal(cache.size, 0);
  const again = cache.get('k', 1, build.run);
  await settle();
  build.finish();
  assert.equal((await again).body.toString(), 'v1');
  assert.equal(build.calls, 2);
});

test('public cache: rebuilds beyond maxBuilds wait their turn; beyond maxRefreshes the stale answer is sent without one', async () => {
  const c = counters();
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, maxBuilds: 1, maxRefreshes: 1, counters: c, random: () => 0 });
  for (const key of ['a', 'b', 'c']) await cache.get(key, 0, immediate(`${key}1`));
  const build = controlled();
  for (const key of ['a', 'b', 'c']) assert.equal((await cache.get(key, 2000, build.run)).body.toString(), `${key}1`);
  await settle();
  assert.equal(build.calls, 1, 'one rebuild runs (maxBuilds 1)');
  assert.equal(build.waiting, 1);
  build.finish('a2');
  await settle();
  assert.equal(build.calls, 2, 'the waiting rebuild (b) starts once the first is done');
  build.finish('b2');
  await settle();
  assert.equal(build.calls, 2, 'c found the queue full: no rebuild queued for it');
  assert.equal((await cache.get('a', 2001, build.run)).body.toString(), 'a2');
  assert.equal((await cache.get('b', 2001, build.run)).body.toString(), 'b2');
  assert.equal((await cache.get('c', 2001, build.run)).body.toString(), 'c1', 'c is still stale, so this lookup queues its rebuild');
  await settle();
  assert.equal(build.calls, 3);
  build.finish('c2');
  await settle();
  assert.equal((await cache.get('c', 2002, build.run)).body.toString(), 'c2');
  assert.equal(c.publicCacheStale, 4);
});

test('public cache: once builds have taken their share of the time, rebuilds wait (the stale answer is sent) until it refills', async () => {
  let t = 0;
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, buildShare: 0.5, random: () => 0, elapsed: () => t });
  const slow = (body: string) => async (): Promise<BuiltAnswer> => {
    t += 600;
    return { body, type: 'text/plain' };
  };
  // Budget 500 ms (a second's worth at 1/2); first visits never wait, but they spend it: 500 − 600, then
  // + 300 (600 ms passed) − 600.
  await cache.get('a', 0, slow('a1'));
  await cache.get('b', 0, slow('b1'));
  const build = controlled();
  assert.equal((await cache.get('a', 2000, build.run)).body.toString(), 'a1');
  await settle();
  assert.equal(build.calls, 0, 'the budget is spent: the rebuild waits and the stale answer is sent');
  assert.equal((await cache.get('a', 2001, build.run)).body.toString(), 'a1');
  t += 1000;
  assert.equal((await cache.get('b', 2002, build.run)).body.toString(), 'b1');
  await settle();
  assert.equal(build.calls, 2, 'refilled: both waiting rebuilds start');
  build.finish('a2');
  build.finish('b2');
  await settle();
  assert.equal((await cache.get('a', 2003, build.run)).body.toString(), 'a2');
});

test('public cache: with a build share of 1 (PostgreSQL) rebuilds never wait for a budget', async () => {
  let t = 0;
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, buildShare: 1, random: () => 0, elapsed: () => t });
  await cache.get('a', 0, async () => {
    t += 5000;
    return { body: 'a1', type: 'text/plain' };
  });
  const build = controlled();
  assert.equal((await cache.get('a', 2000, build.run)).body.toString(), 'a1');
  await settle();
  assert.equal(build.calls, 1, 'the rebuild starts although builds took more than all the time passed');
  build.finish();
  await settle();
});

test('public cache: a first visit builds at once even while rebuilds fill every turn', async () => {
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, maxBuilds: 1, random: () => 0 });
  await cache.get('old', 0, immediate('old1'));
  const rebuild = controlled();
  await cache.get('old', 2000, rebuild.run);
  await settle();
  assert.equal(rebuild.calls, 1);
  assert.equal((await cache.get('new', 2000, immediate('new1'))).body.toString(), 'new1');
  rebuild.finish();
  await settle();
});

test('public cache: a lookup past the stale window whose rebuild still waits its turn starts that build at once', async () => {
  for (const turnMs of [undefined, 3]) {
    const c = counters();
    const cache = new PublicCache({
      ttlMs: 1000,
      staleMs: 1000,
      maxBuilds: 1,
      counters: c,
      random: () => 0,
      ...(turnMs ? { turnMs } : {}),
    });
    for (const key of ['a', 'b']) await cache.get(key, 0, immediate(`${key}1`));
    const build = controlled();
    // Both stale: a's rebuild runs (maxBuilds 1), b's waits behind it.
    assert.equal((await cache.get('a', 1500, build.run)).body.toString(), 'a1');
    assert.equal((await cache.get('b', 1500, build.run)).body.toString(), 'b1');
    await settle();
    assert.equal(build.calls, 1, `one rebuild runs (turnMs ${turnMs})`);
    // b is now past its stale window: nothing to send meanwhile, so its waiting rebuild starts now
    // rather than behind a's.
    const b = cache.get('b', 2500, build.run);
    await settle();
    assert.equal(build.calls, 2, `b's build started at once, a's still running (turnMs ${turnMs})`);
    build.finish('a2');
    build.finish('b2');
    assert.equal((await b).body.toString(), 'b2');
    await settle();
    assert.equal(build.calls, 2, 'b is built once: no second build once a is done');
    assert.equal(c.publicCacheMisses, 3, 'the two first visits and b past its stale window');
  }
});

test('public cache: with turnMs, builds (first visits too) start only in turns of the event loop, each starting them for at most turnMs', async () => {
  let t = 0;
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, turnMs: 3, random: () => 0, elapsed: () => t });
  const started: string[] = [];
  const twoMs = (body: string) => async (): Promise<BuiltAnswer> => {
    started.push(body);
    t += 2;
    return { body, type: 'text/plain' };
  };
  const answers = ['a', 'b', 'c'].map((key) => cache.get(key, 0, twoMs(key)));
  await Promise.resolve();
  assert.deepEqual(started, [], 'nothing is built outside a turn');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b'], 'the turn starts builds until 3 ms have gone (a: 0–2, b: 2–4)');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b', 'c'], 'the next turn starts the rest');
  assert.deepEqual(
    (await Promise.all(answers)).map((answer) => answer.body.toString()),
    ['a', 'b', 'c'],
  );
  assert.equal((await cache.get('a', 500, twoMs('a2'))).body.toString(), 'a', 'kept: fresh');
});

test('public cache: with turnMs, the turn after a connection was accepted starts no build (more may wait to be accepted)', async () => {
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, turnMs: 3, random: () => 0, elapsed: () => 0 });
  let calls = 0;
  cache.connectionOpened();
  const answer = cache.get('a', 0, async () => {
    calls++;
    return { body: 'a1', type: 'text/plain' };
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 0, 'that turn yields to the accepts');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 1, 'the next turn, with no connection accepted, builds');
  assert.equal((await answer).body.toString(), 'a1');
});

test('public cache: a failed rebuild keeps the stale answer; a later lookup tries again', async () => {
  const cache = new PublicCache({ ttlMs: 1000, staleMs: 60_000, random: () => 0 });
  await cache.get('k', 0, immediate('v1'));
  const build = controlled();
  assert.equal((await cache.get('k', 2000, build.run)).body.toString(), 'v1');
  await settle();
  build.fail();
  await settle();
  assert.equal((await cache.get('k', 2001, build.run)).body.toString(), 'v1');
  await settle();
  assert.equal(build.calls, 2);
  build.finish('v2');
  await settle();
  assert.equal((await cache.get('k', 2002, build.run)).body.toString(), 'v2');
});

test('public cache: a TTL of 0 keeps nothing and builds every time', async () => {
  const c = counters();
  const cache = new PublicCache({ ttlMs: 0, counters: c });
  let builds = 0;
  const build = async (): Promise<BuiltAnswer> => ({ body: `v${++builds}`, type: 'text/plain' });
  assert.equal((await cache.get('k', 0, build)).body.toString(), 'v1');
  assert.equal((await cache.get('k', 0, build)).body.toString(), 'v2');
  assert.equal(cache.size, 0);
  assert.equal(c.publicCacheMisses, 2);
});

test('public cache: bounded by entries and by bytes, the least recently built going first', async () => {
  const byCount = new PublicCache({ ttlMs: 1000, maxEntries: 3 });
  for (const key of ['a', 'b', 'c', 'd']) await byCount.get(key, 0, immediate(key));
  assert.equal(byCount.size, 3);
  let built = 0;
  await byCount.get('a', 1, async () => ({ body: `a${++built}`, type: 'text/plain' }));
  assert.equal(built, 1, 'the first built was dropped');
  const bySize = new PublicCache({ ttlMs: 1000, maxBytes: 16 * 100 });
  for (let i = 0; i < 20; i++) await bySize.get(`k${i}`, 0, immediate('x'.repeat(90)));
  assert.ok(bySize.size <= 17, `at most 1,600 bytes kept (${bySize.size} entries of 90)`);
  await bySize.get('big', 0, immediate('x'.repeat(101)));
  assert.equal((await bySize.get('big', 1, immediate('y'))).body.toString(), 'y', 'an answer over 1/16 of the bytes is not kept');
});
