import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// fetch-policy takes a URL from a user and fetches it from inside the platform's network: without
// care that is a request forgery (SSRF) against the cloud metadata service, the database, the admin
// ports of localhost. Every address the request connects to is checked — after DNS resolution, in
// the socket's own lookup, so a name that resolves to a public address for a check and a private one
// for the connection (DNS rebinding) gains nothing — and every redirect is checked again.

/** Private, loopback, link-local, shared, multicast and reserved ranges (RFC 6890 and friends). */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Whether an address is private, loopback, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export class FetchRefused extends Error {
  readonly code: string;
  readonly zh: string;
  constructor(code: string, en: string, zh: string) {
    super(en);
    this.name = 'FetchRefused';
    this.code = code;
    this.zh = zh;
  }
}

export interface SafeFetchOptions {
  /** Allow private and loopback addresses (tests, intranets). */
  allowPrivate: boolean;
  /** Decides per address instead of allowPrivate (tests of the redirect checks). */
  allowAddress?: (address: string) => boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface Fetched {
  url: string;
  contentType: string | undefined;
  bytes: Buffer;
}

const HEADERS = {
  accept: 'text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8',
  'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
  'user-agent': 'AppRights platform (privacy-policy check)',
};

/** GETs a URL with the address checks, one deadline for the whole exchange, and a size cap read as it streams. */
export async function safeFetch(input: string, options: SafeFetchOptions): Promise<Fetched> {
  const { url, contentType, body, signal } = await safeFetchStream(input, options);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBytes) {
        body.destroy();
        throw tooLarge(url, options.maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof FetchRefused) throw error;
    throw timeoutOr(error, url, options.timeoutMs, signal);
  }
  return { url, contentType, bytes: Buffer.concat(chunks) };
}

export interface FetchedStream {
  url: string;
  contentType: string | undefined;
  /** The response body, unread: the caller streams it (and caps it: only a declared length is checked here). */
  body: http.IncomingMessage;
  /** Aborts at the deadline, so a body read past it fails. */
  signal: AbortSignal;
}

/**
 * The same checks as safeFetch (addresses, redirects, status, declared length), but the body is
 * handed over as a stream, for downloads too large to hold in memory (the store's re-fetch).
 */
export async function safeFetchStream(input: string, options: SafeFetchOptions): Promise<FetchedStream> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let url = parseUrl(input);
  for (let hop = 0; ; hop++) {
    const response = await get(url, options, signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 5))
        throw new FetchRefused('fetch-redirects', `${input}: more than ${options.maxRedirects ?? 5} redirects`, `${input}：重定向次数过多`);
      url = parseUrl(new URL(response.headers.location, url).href);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new FetchHttpError(status, `${url.href}: HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw tooLarge(url.href, options.maxBytes);
    }
    const type = response.headers['content-type'];
    return { url: url.href, contentType: typeof type === 'string' ? type : undefined, body: response, signal };
  }
}

/** HTTP errors: 4xx are the URL's fault (final), 5xx may pass (retried). */
export class FetchHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FetchHttpError';
  }
}

function tooLarge(url: string, max: number): FetchRefused {
  return new FetchRefused('fetch-too-large', `${url}: the response is larger than ${max} bytes`, `${url}：响应超过 ${max} 字节的上限`);
}

/** The URL checks every outgoing request passes (http(s) only, no credentials); webhooks reuse them. */
export function checkOutgoingUrl(input: string): URL {
  return parseUrl(input);
}

function parseUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FetchRefused('fetch-url', `${input.slice(0, 200)}: not a valid URL`, `${input.slice(0, 200)}：不是有效的网址`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchRefused(
      'fetch-url',
      `${url.protocol} URLs are not fetched; give an http(s) address`,
      `不获取 ${url.protocol} 网址；请提供 http(s) 地址`,
    );
  if (url.username || url.password)
    throw new FetchRefused('fetch-url', 'URLs with credentials are not fetched', '不获取带有用户名或密码的网址');
  return url;
}

function refusedAddress(host: string, address: string): FetchRefused {
  return new FetchRefused(
    'fetch-private-address',
    `${host} resolves to ${address}, a private, loopback or link-local address; such addresses are refused`,
    `${host} 解析到 ${address}，属于内网、回环或链路本地地址，已拒绝访问`,
  );
}

/**
 * The address checks of one request to `url`: a literal address is checked at once (it never
 * reaches `lookup`), a name in the socket's own lookup. Throws FetchRefused for a refused literal.
 * Exported so other outgoing requests (webhooks) connect under the same rules.
 */
export function guardedLookup(url: URL, options: Pick<SafeFetchOptions, 'allowPrivate' | 'allowAddress'>): LookupFunction {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = options.allowAddress ?? ((address: string) => options.allowPrivate || !isPrivateAddress(address));
  if (isIP(host) && !allowed(host)) throw refusedAddress(host, host);
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const bad = list.find((a) => !allowed(a.address));
      if (bad) return callback(refusedAddress(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  let lookup: LookupFunction;
  try {
    lookup = guardedLookup(url, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: HEADERS, lookup, signal }, resolve);
    request.on('error', (error) => reject(error instanceof FetchRefused ? error : timeoutOr(error, url.href, options.timeoutMs, signal)));
  });
}

export function timeoutOr(error: unknown, url: string, timeoutMs: number, signal: AbortSignal): unknown {
  if (signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError')
    return new FetchRefused('fetch-timeout', `${url}: no complete answer within ${timeoutMs} ms`, `${url}：${timeoutMs} 毫秒内未完成响应`);
  return error;
}
