import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

// A micro-cache for anonymous public pages (the disclosure list and app pages, bulletins, rankings):
// the same URL asked 500 times a second is built once every few seconds. Only answers that do not
// depend on the caller go in: the REST answers of anonymous callers (sendPublic: a signed-in caller
// may see more), and the console's public pages, which show every caller the same (sendCachedPage).
//
// What it changes for a reader: an answer is fresh for `ttlMs` at most (each entry draws its own
// lifetime between 3/4 of that and all of it, so entries built together do not expire together).
// After that, and for `staleMs` more, the old answer is still sent while one rebuild runs behind it
// (stale-while-revalidate); an answer older than that is rebuilt before it is sent. So a change shows
// on a page read often within about ttlMs; a page not read for a while may be sent once more as it
// was (at most ttlMs + staleMs old) while it is rebuilt. Public pages also say max-age=60 to caches
// on the way.
//
// Why: on SQLite a page's queries run on the event loop, so when many entries expired at once their
// rebuilds held every connection behind them. A rebuild now starts only while fewer than `maxBuilds`
// builds run, each from its own turn of the event loop, so answers from the cache are sent between
// them, and while builds have taken less than `buildShare` of the time (a budget refilled as time
// passes): under load, pages stay stale longer (never past staleMs) instead of slowing every answer.
// At most `maxRefreshes` rebuilds wait; when that many already do, the stale answer is sent without
// queueing another. A first visit (nothing to send meanwhile) never waits for the budget or behind
// rebuilds: not even when its key's own rebuild, asked while the answer was stale, still waits its
// turn (that build starts at once; on PostgreSQL with 4000 pages rebuilt four at a time, such a lookup
// past the stale window waited behind up to maxRefreshes rebuilds, about a second: issue 15's 928 ms).
// Concurrent lookups of one key share one build. Bounded by entry count and by bytes; the
// least recently built go first.
//
// With `turnMs` (SQLite), builds, first visits included, start only in turns of the event loop, each
// turn starting builds for at most turnMs: the rest wait for the next turn. Why: Node (libuv ≥ 1.45)
// accepts one new connection per turn of the event loop, and a turn also answers every connection
// whose request came in. When many connections open together on a cold cache (a proxy or a load
// generator opening its pool), each turn built the pages of every connection already open, so the
// last connection was accepted, and its first request answered, only after seconds. Sliced, a turn
// holds the loop for about turnMs of builds, so connections are accepted and cached answers sent
// between them. And a turn in which a connection was accepted starts no build (connectionOpened():
// more are likely waiting, one a turn), for at most 64 turns in a row, then builds go on while
// connections keep coming: one search page can take tens of milliseconds to build, and a turn holding
// one held each of those accepts. Without turnMs (PostgreSQL, where a build mostly waits for the
// database) a first visit builds at once, as its request's own work.

export interface CachedAnswer {
  /** Encoded once when built: every answer from the cache sends these bytes as they are. */
  body: Buffer;
  etag: string;
  type: string;
  /** The status sent with it when not 200 (a public page's 404 is cached like its 200). */
  status?: number;
}

/** What a build gives the cache. */
export type BuiltAnswer = Omit<CachedAnswer, 'etag' | 'body'> & { body: string };

/** /metrics shows these: lookups answered fresh from the cache, stale while rebuilt, and after a build. */
export interface CacheCounters {
  publicCacheHits: number;
  publicCacheStale: number;
  /** Lookups that built (or waited for a build): nothing usable was kept. */
  publicCacheMisses: number;
}

/** Turns in a row that start no build because a connection was accepted (PublicCache.connectionOpened). */
const MAX_YIELDS = 64;

/** How long a public answer is reused when the configuration does not say (publicCacheMs). */
export const DEFAULT_PUBLIC_CACHE_MS = 3000;

export interface PublicCacheOptions {
  /** Longest freshness (ms); 0 turns the cache off (every lookup builds). */
  ttlMs?: number;
  /** How long after its freshness an answer may still be sent while it is rebuilt (ms, default 30 s). */
  staleMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** Builds running at once (default 2). */
  maxBuilds?: number;
  /** Rebuilds of stale answers waiting for a turn (default 256); beyond, the stale answer is sent as it is. */
  maxRefreshes?: number;
  /**
   * The share of time builds may take before rebuilds wait (default 1/4), by their wall time (on
   * SQLite, time the event loop is held); first visits are counted but never wait. 1: no budget
   * (on PostgreSQL a build's wall time is mostly waiting for the database, not holding the loop).
   */
  buildShare?: number;
  /**
   * Build time (ms) one turn of the event loop may start builds for, first visits included; the rest
   * wait for the next turn (setImmediate). Unset: first visits build at once and each rebuild starts
   * from its own turn.
   */
  turnMs?: number;
  counters?: CacheCounters;
  /** In [0, 1): draws each entry's lifetime (tests pass their own). */
  random?: () => number;
  /** Milliseconds from a monotonic clock, for the build budget (tests pass their own). */
  elapsed?: () => number;
}

interface Entry {
  answer: CachedAnswer;
  /** Fresh until this time; sent while rebuilt until staleUntil. */
  freshUntil: number;
  staleUntil: number;
  bytes: number;
}

export class PublicCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<CachedAnswer>>();
  /** Rebuilds of stale answers waiting for their turn, by key (in the order asked). */
  private readonly refreshes = new Map<string, () => void>();
  /** First visits waiting for a turn (turnMs only). */
  private readonly firsts: (() => void)[] = [];
  /** When the current turn began (turnMs only), and whether the next one is asked for. */
  private turnStarted = -Infinity;
  private turnAsked = false;
  private readonly turnMs?: number;
  /** A connection was accepted since the last turn began; turns in a row that started no build for that. */
  private accepted = false;
  private yielded = 0;
  /** Builds running: first visits and rebuilds. */
  private running = 0;
  private bytes = 0;
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxBuilds: number;
  private readonly maxRefreshes: number;
  private readonly buildShare: number;
  private readonly counters: CacheCounters;
  private readonly random: () => number;
  private readonly elapsed: () => number;
  /** Build time (ms) rebuilds may still take: refilled at buildShare of the time passed, up to a second's worth. */
  private budget: number;
  private budgetAt: number;
  /** Set while rebuilds wait for the budget to refill. */
  private refill?: NodeJS.Timeout;

  constructor(options: PublicCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_PUBLIC_CACHE_MS;
    this.staleMs = options.staleMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxBuilds = Math.max(1, options.maxBuilds ?? 2);
    this.maxRefreshes = options.maxRefreshes ?? 256;
    this.counters = options.counters ?? { publicCacheHits: 0, publicCacheStale: 0, publicCacheMisses: 0 };
    this.buildShare = Math.min(1, Math.max(0.01, options.buildShare ?? 0.25));
    if (options.turnMs !== undefined) this.turnMs = Math.max(0, options.turnMs);
    this.random = options.random ?? Math.random;
    this.elapsed = options.elapsed ?? (() => performance.now());
    this.budget = 1000 * this.buildShare;
    this.budgetAt = this.elapsed();
  }

  /**
   * The answer for `key`: fresh from the cache; stale from it while one rebuild runs; or built by
   * `build` (concurrent lookups share one build).
   */
  async get(key: string, now: number, build: () => Promise<BuiltAnswer>): Promise<CachedAnswer> {
    if (this.ttlMs <= 0) {
      this.counters.publicCacheMisses++;
      return encoded(await build());
    }
    const kept = this.entries.get(key);
    if (kept && kept.freshUntil > now) {
      this.counters.publicCacheHits++;
      return kept.answer;
    }
    if (kept && kept.staleUntil > now) {
      this.counters.publicCacheStale++;
      if (!this.inflight.has(key) && this.refreshes.size < this.maxRefreshes)
        // Its failure leaves the stale answer in place; the next lookup tries again.
        this.building(key, now, build, true).catch(() => {});
      return kept.answer;
    }
    this.counters.publicCacheMisses++;
    const shared = this.inflight.get(key);
    if (!shared) return this.building(key, now, build, false);
    // Its rebuild, asked while the answer was stale, may still wait for a turn behind others (up to
    // maxRefreshes of them): a first visit does not wait behind rebuilds, so it starts now.
    const waiting = this.refreshes.get(key);
    if (waiting) {
      this.refreshes.delete(key);
      this.startFirst(waiting);
    }
    return shared;
  }

  /** Starts a first visit's build: at once, or with turnMs in the current turn or the next. */
  private startFirst(start: () => void): void {
    if (this.turnMs !== undefined) {
      this.firsts.push(start);
      this.next();
    } else {
      this.running++;
      start();
    }
  }

  /**
   * The HTTP server accepted a connection (with turnMs): the next turn starts no build, as Node
   * accepts one connection per turn of the event loop and more may be waiting.
   */
  connectionOpened(): void {
    if (this.turnMs === undefined) return;
    this.accepted = true;
    // Builds started from a lookup in this turn wait for the next one too.
    this.turnStarted = -Infinity;
  }

  /** Entries kept (tests). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `build` for `key` and keeps its answer; lookups of the key meanwhile share it. A rebuild
   * waits for its turn (next()); so does a first visit with turnMs; without, a first visit (nothing
   * to send meanwhile) builds at once, as the request's own work.
   */
  private building(key: string, now: number, build: () => Promise<BuiltAnswer>, rebuild: boolean): Promise<CachedAnswer> {
    const turn = new Promise<void>((start) => {
      if (rebuild) {
        this.refreshes.set(key, start);
        this.next();
      } else this.startFirst(start);
    });
    // A rebuild may wait for its turn: its answer is fresh from when it starts, not from when it was asked for.
    const asked = this.elapsed();
    let started = asked;
    const promise = turn
      .then(() => {
        started = this.elapsed();
        return build();
      })
      .then((built) => {
        const answer = encoded(built);
        this.put(key, answer, rebuild ? now + Math.round(started - asked) : now);
        return answer;
      })
      .finally(() => {
        this.inflight.delete(key);
        this.running--;
        this.spend(this.elapsed() - started);
        this.next();
      });
    this.inflight.set(key, promise);
    return promise;
  }

  /**
   * Starts waiting builds: rebuilds while fewer than maxBuilds builds run and the budget lasts, each
   * from its own turn of the event loop (when the budget is spent, again once it has refilled). With
   * turnMs, first visits (before rebuilds, and whatever runs) and rebuilds start while the current
   * turn has lasted less than turnMs; the rest in the next turn.
   */
  private next(): void {
    this.spend(0);
    if (this.turnMs !== undefined) {
      this.nextInTurn(this.turnMs);
      return;
    }
    while (this.running < this.maxBuilds && this.refreshes.size > 0) {
      if (this.budgetSpent()) {
        this.waitForRefill();
        return;
      }
      this.running++;
      setImmediate(this.takeRefresh());
    }
  }

  /**
   * With turnMs: starts the first waiting build (first visits before rebuilds; first visits whatever
   * runs, rebuilds while fewer than maxBuilds run and the budget lasts) if the current turn has
   * lasted less than turnMs, else asks for the next turn. The build's end calls next() again.
   */
  private nextInTurn(turnMs: number): void {
    const rebuild = this.running < this.maxBuilds && this.refreshes.size > 0;
    if (this.firsts.length === 0 && !rebuild) return;
    if (this.elapsed() - this.turnStarted >= turnMs) {
      this.nextTurn();
      return;
    }
    if (this.firsts.length === 0 && this.budgetSpent()) {
      this.waitForRefill();
      return;
    }
    this.running++;
    // Started in a microtask: on SQLite it runs (and ends, calling next()) before the turn does.
    (this.firsts.shift() ?? this.takeRefresh())();
  }

  /** The rebuild asked first, out of the queue. */
  private takeRefresh(): () => void {
    const [key, start] = this.refreshes.entries().next().value as [string, () => void];
    this.refreshes.delete(key);
    return start;
  }

  /** Whether rebuilds have used up their share of the time (never with buildShare 1). */
  private budgetSpent(): boolean {
    return this.budget <= 0 && this.buildShare < 1;
  }

  /** Calls next() once the budget has refilled enough to start a rebuild. */
  private waitForRefill(): void {
    this.refill ??= setTimeout(
      () => {
        this.refill = undefined;
        this.next();
      },
      Math.ceil(-this.budget / this.buildShare) + 1,
    ).unref();
  }

  /** Asks for the next turn of the event loop, which starts waiting builds for up to turnMs. */
  private nextTurn(): void {
    if (this.turnAsked) return;
    this.turnAsked = true;
    setImmediate(() => {
      this.turnAsked = false;
      if (this.accepted && this.yielded < MAX_YIELDS) {
        this.accepted = false;
        this.yielded++;
        this.nextTurn();
        return;
      }
      // After MAX_YIELDS in a row, turns build even while connections keep coming, until one comes without.
      if (!this.accepted) this.yielded = 0;
      this.accepted = false;
      this.turnStarted = this.elapsed();
      this.next();
    });
  }

  /** Refills the budget for the time passed, less `ms` spent building. */
  private spend(ms: number): void {
    const now = this.elapsed();
    this.budget = Math.min(1000 * this.buildShare, this.budget + (now - this.budgetAt) * this.buildShare) - ms;
    this.budgetAt = now;
  }

  private put(key: string, answer: CachedAnswer, now: number): void {
    const bytes = answer.body.length;
    if (bytes > this.maxBytes / 16) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    const freshUntil = now + Math.round(this.ttlMs * (1 - this.random() / 4));
    this.entries.set(key, { answer, freshUntil, staleUntil: freshUntil + this.staleMs, bytes });
    this.bytes += bytes;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.bytes;
    }
  }
}

function encoded(built: BuiltAnswer): CachedAnswer {
  const body = Buffer.from(built.body);
  return { ...built, body, etag: etagOf(body) };
}

/** The ETag of the exact bytes sent (every cacheable answer of the platform uses this one). */
export function etagOf(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Whether If-None-Match names `etag`: a list, weak forms (W/, compared weakly as RFC 9110 says) and "*". */
export function notModified(ifNoneMatch: unknown, etag: string): boolean {
  const header = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch;
  if (typeof header !== 'string' || header === '') return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === bare);
}

interface ReplyLike {
  header(name: string, value: string): ReplyLike;
  code(status: number): ReplyLike;
  type(contentType: string): ReplyLike;
  send(payload?: unknown): unknown;
}

/**
 * Sends a public answer with its ETag and Cache-Control, 304 when the client holds it, from the
 * micro-cache when the caller is anonymous. `key` must say everything the answer depends on
 * besides the caller (the URL; the language for pages).
 */
export async function sendPublic(
  cache: PublicCache,
  request: { headers: Record<string, unknown>; auth?: { principal?: unknown } | null },
  reply: ReplyLike,
  key: string,
  now: number,
  build: () => Promise<{ body: string; type: string }>,
  maxAgeSeconds = 60,
): Promise<unknown> {
  const anonymous = !request.auth?.principal;
  const answer = anonymous ? await cache.get(key, now, build) : encoded(await build());
  reply.header('etag', answer.etag).header('cache-control', `public, max-age=${maxAgeSeconds}`);
  if (notModified(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  return reply.type(answer.type).send(answer.body);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
