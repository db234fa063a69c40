import { createHash } from 'node:crypto';

// A micro-cache for anonymous public pages (the disclosure list and app pages, bulletins, rankings):
// the same URL asked 500 times a second is built once every few seconds. What it changes for a
// reader: a change shows up at most `ttlMs` later (public pages also say max-age=60 to caches on
// the way). Bounded by entry count and by bytes; oldest out first. Only answers that do not depend
// on the caller go in: the REST answers of anonymous callers (sendPublic: a signed-in caller may see
// more), and the console's public pages, which show every caller the same (sendCachedPage).

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

/** Lookups answered from the cache and lookups that built (or waited for a build); /metrics shows both. */
export interface CacheCounters {
  publicCacheHits: number;
  publicCacheMisses: number;
}

/** How long a public answer is reused when the configuration does not say (publicCacheMs). */
export const DEFAULT_PUBLIC_CACHE_MS = 3000;

export class PublicCache {
  private readonly entries = new Map<string, { answer: CachedAnswer; until: number; bytes: number }>();
  private readonly inflight = new Map<string, Promise<CachedAnswer>>();
  private bytes = 0;

  constructor(
    private readonly ttlMs = DEFAULT_PUBLIC_CACHE_MS,
    private readonly maxEntries = 1000,
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly counters: CacheCounters = { publicCacheHits: 0, publicCacheMisses: 0 },
  ) {}

  /** The answer for `key`, built by `build` when absent or stale; concurrent misses share one build. */
  async get(key: string, now: number, build: () => Promise<BuiltAnswer>): Promise<CachedAnswer> {
    const hit = this.entries.get(key);
    if (hit && hit.until > now) {
      this.counters.publicCacheHits++;
      return hit.answer;
    }
    this.counters.publicCacheMisses++;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const promise = build()
      .then((built) => {
        const answer = encoded(built);
        this.put(key, answer, now);
        return answer;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private put(key: string, answer: CachedAnswer, now: number): void {
    const bytes = answer.body.length;
    if (bytes > this.maxBytes / 16 || this.ttlMs <= 0) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { answer, until: now + this.ttlMs, bytes });
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
