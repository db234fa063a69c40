import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { readPolicy } from '../document/read.js';
import { PolicyInputError, type PolicyDocument, type PolicyFormat } from '../document/types.js';
import { assertLooksLikeText, decodePolicyBytes } from './decode.js';

/**
 * A policy from a file or an http(s) URL, read into a PolicyDocument. Policy pages are input from
 * outside like an APK: a server may never answer, answer forever, or answer with a PDF, so every
 * read has a time and size limit and every failure is a PolicyInputError that names the problem.
 */

export const DEFAULT_POLICY_TIMEOUT_MS = 20_000;
/** 4 MiB: the longest real policies are a few hundred KB of HTML. */
export const DEFAULT_POLICY_MAX_BYTES = 4 * 1024 * 1024;

export interface LoadPolicyOptions {
  /**
   * The whole load (default 20 s): for URLs the exchange, headers and body; then decoding and reading
   * the markup. `analyzePolicy`'s `deadline` can take the rest (see LoadedPolicy.deadline).
   */
  timeoutMs?: number;
  /** Bytes read from the file or the response body (default 4 MiB); also the characters the reader accepts. */
  maxBytes?: number;
  /** Overrides what the content type, the extension or the content say. */
  format?: PolicyFormat;
}

export interface LoadedPolicy {
  document: PolicyDocument;
  /** The file path as given, or the URL the text came from (after redirects). */
  source: string;
  /** The response's Content-Type header (URLs only). */
  contentType?: string;
  /** Date.now() milliseconds when the time limit given to loadPolicy ends, for the analysis after it. */
  deadline: number;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Asked for so a server that negotiates gives the policy itself: markup or text, in Chinese first
 * (the notice concerns apps offered in China), else English.
 */
const REQUEST_HEADERS = {
  accept: 'text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8',
  'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
  'user-agent': 'AppRights (privacy-policy check; +https://github.com/apprights/apprights)',
};

const FORMAT_BY_TYPE: Record<string, PolicyFormat | null> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  // Raw-file hosts serve .md and .html as text/plain: the extension and the content decide.
  'text/plain': null,
  'application/octet-stream': null,
  'binary/octet-stream': null,
};

interface Limits {
  timeoutMs: number;
  maxBytes: number;
  deadline: number;
}

function checkLimits(options: LoadPolicyOptions): Limits {
  const timeoutMs = options.timeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_POLICY_MAX_BYTES;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number, not ${timeoutMs}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError(`maxBytes must be a positive whole number, not ${maxBytes}`);
  return { timeoutMs, maxBytes, deadline: Date.now() + timeoutMs };
}

export async function loadPolicy(fileOrUrl: string, options: LoadPolicyOptions = {}): Promise<LoadedPolicy> {
  const limits = checkLimits(options);
  const scheme = SCHEME.exec(fileOrUrl)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return loadUrl(fileOrUrl, options, limits);
  // One letter before the colon is a Windows drive; a file that exists is read whatever its name.
  if (scheme !== undefined && scheme.length > 1 && !existsSync(fileOrUrl))
    throw new PolicyInputError(`${fileOrUrl}: ${scheme}: URLs are not read; give an http(s) address or a file path`);
  return loadFile(fileOrUrl, options, limits);
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a folder in the path is not a folder',
};

async function loadFile(path: string, options: LoadPolicyOptions, limits: Limits): Promise<LoadedPolicy> {
  const fail = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return new PolicyInputError(`cannot open ${path}: ${ERRNO_WORDS[code] ?? code}`);
  };
  let info;
  try {
    // stat before open: opening a FIFO or a device would wait for a writer or read forever.
    info = await stat(path);
  } catch (error) {
    throw fail(error);
  }
  if (!info.isFile()) throw new PolicyInputError(`cannot open ${path}: not a regular file`);
  if (info.size > limits.maxBytes) throw tooLarge(path, `${info.size} bytes`, limits.maxBytes);
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(path, limits.maxBytes);
  } catch (error) {
    if (error instanceof PolicyInputError) throw error;
    throw fail(error);
  }
  assertLooksLikeText(bytes, path);
  const format = options.format ?? formatByName(path);
  const { text } = decodePolicyBytes(bytes, { sniffMeta: format === undefined || format === 'html' });
  return { document: read(text, path, path, options.format, limits), source: path, deadline: limits.deadline };
}

/** The file may grow between stat and read; a read past the limit is refused rather than trusted. */
async function readAtMost(path: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, (await handle.stat()).size + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) throw tooLarge(path, `more than ${maxBytes} bytes`, maxBytes);
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function tooLarge(source: string, size: string, maxBytes: number): PolicyInputError {
  return new PolicyInputError(`${source}: too large: ${size}, limit ${maxBytes} bytes`);
}

function formatByName(name: string): PolicyFormat | undefined {
  const lower = name.toLowerCase();
  if (/\.(html?|xhtml)$/.test(lower)) return 'html';
  if (/\.(md|markdown)$/.test(lower)) return 'markdown';
  if (/\.txt$/.test(lower)) return 'text';
  return undefined;
}

function read(text: string, name: string, source: string, format: PolicyFormat | undefined, limits: Limits): PolicyDocument {
  try {
    return readPolicy(text, { name, ...(format ? { format } : {}), limits: { maxInputChars: limits.maxBytes }, deadline: limits.deadline });
  } catch (error) {
    // The reader's own limits do not know where the text came from.
    if (error instanceof PolicyInputError)
      throw new PolicyInputError(`${source}: ${error.message}${/time limit/.test(error.message) ? ` (${limits.timeoutMs} ms)` : ''}`);
    throw error;
  }
}

async function loadUrl(input: string, options: LoadPolicyOptions, limits: Limits): Promise<LoadedPolicy> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new PolicyInputError(`${input}: not a valid URL`);
  }
  // One deadline for headers and body alike: a server that trickles bytes must not hold the run.
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: REQUEST_HEADERS });
  } catch (error) {
    throw networkError(input, error, limits.timeoutMs);
  }
  const source = response.url || url.href;
  const contentType = response.headers.get('content-type') ?? undefined;
  const discard = () => response.body?.cancel().catch(() => {});
  if (!response.ok) {
    await discard();
    throw new PolicyInputError(`${input}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const mime = contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
  if (mime !== '' && !(mime in FORMAT_BY_TYPE)) {
    await discard();
    const hint = mime === 'application/pdf' ? '; PDF policies are not read, give the HTML page' : '';
    throw new PolicyInputError(`${input}: unsupported content type ${mime}: a privacy policy must be HTML, Markdown or plain text${hint}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await discard();
    throw tooLarge(input, `${declared} bytes`, limits.maxBytes);
  }
  const bytes = await readBody(response, input, limits);
  assertLooksLikeText(bytes, input);
  const name = new URL(source).pathname;
  const format = options.format ?? FORMAT_BY_TYPE[mime] ?? formatByName(name);
  const { text } = decodePolicyBytes(bytes, {
    ...(contentType ? { contentType } : {}),
    sniffMeta: format === undefined || format === 'html',
  });
  return {
    document: read(text, name, input, options.format ?? FORMAT_BY_TYPE[mime] ?? undefined, limits),
    source,
    deadline: limits.deadline,
    ...(contentType ? { contentType } : {}),
  };
}

/** Reads the body as it arrives and stops at the limit: Content-Length may be absent or wrong. */
async function readBody(response: Response, input: string, limits: { timeoutMs: number; maxBytes: number }): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(input, `more than ${limits.maxBytes} bytes`, limits.maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PolicyInputError) throw error;
    throw networkError(input, error, limits.timeoutMs);
  }
  return Buffer.concat(chunks, total);
}

function networkError(input: string, error: unknown, timeoutMs: number): PolicyInputError {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new PolicyInputError(`${input}: timed out after ${timeoutMs} ms`);
  // fetch reports every network failure as "fetch failed"; the reason is in `cause`.
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new PolicyInputError(`${input}: cannot fetch: ${why}`);
}
