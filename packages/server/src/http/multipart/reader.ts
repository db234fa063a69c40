import type { Readable } from 'node:stream';
import { feedStream, type ChunkSink, type PushSource } from '../../blobs/store.js';
import { problem } from '../problems.js';

/**
 * A streaming reader of multipart/form-data (RFC 7578 over RFC 2046) for package uploads: the file
 * part's bytes go from the socket's chunks straight into the blob store's sink, copied there before
 * the next chunk is looked at.
 *
 * Why not busboy (@fastify/multipart): a delimiter's first bytes at a chunk's end go into its
 * lookbehind buffer, and when they turn out not to be a delimiter they are handed over as a view into
 * that buffer, which the next chunk overwrites: a consumer that copies only after an await (the blob
 * store's sink did, when its ring was full) could store bytes other than those sent. And the server
 * spent 1.1-1.3 s more CPU per GiB on a multipart upload than on the raw body (a stream per part,
 * its callbacks and fastify's wrappers per chunk), at two cores shared, load 2-4. Here the delimiter is
 * found with Buffer#indexOf, the file's bytes are handed over synchronously as views of the socket's
 * own chunks, and only the bytes at a chunk's end that could begin a delimiter are kept back (copied)
 * and put before the next chunk.
 *
 * Limits (hostile bodies): the boundary is 1-70 characters (RFC 2046); a part's header block is at
 * most 16 KiB; at most 20 parts; the bytes that are not the file (preamble, fields, parts skipped)
 * at most 64 KiB together, and a field's value 4 KiB. Every failure is a problem: 400 bad-request
 * naming what is wrong (a truncated body, a missing final boundary, a malformed header), 400 no-file,
 * 413 too-large for a limit, 415 unsupported-media-type for a content type without a usable boundary.
 */

export interface MultipartLimits {
  headerBytes: number;
  parts: number;
  otherBytes: number;
  fieldBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = { headerBytes: 16 << 10, parts: 20, otherBytes: 64 << 10, fieldBytes: 4 << 10 };

/** A part as its headers describe it. */
export interface PartInfo {
  name: string;
  filename: string | undefined;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** RFC 2046 bcharsnospace, and space (not last). */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

const bad = (en: string, zh: string) => problem('bad-request', `${en} / ${zh}`);
const tooLarge = (en: string, zh: string) => problem('too-large', `${en} / ${zh}`);

/**
 * A header's value and its parameters (`type/subtype; a=b; c="d"`), names lower-cased. Quoted
 * strings may hold `;` and backslash escapes.
 */
export function headerParameters(value: string): { value: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  const semicolon = value.indexOf(';');
  const main = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  let i = semicolon < 0 ? value.length : semicolon + 1;
  while (i < value.length) {
    const eq = value.indexOf('=', i);
    const next = value.indexOf(';', i);
    if (eq < 0 || (next >= 0 && next < eq)) {
      // A parameter without a value: skipped.
      i = next < 0 ? value.length : next + 1;
      continue;
    }
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (value[j] === ' ' || value[j] === '\t') j++;
    let v = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        v += value[j];
        j++;
      }
      const end = value.indexOf(';', j);
      i = end < 0 ? value.length : end + 1;
    } else {
      const end = value.indexOf(';', j);
      v = value.slice(j, end < 0 ? value.length : end).trim();
      i = end < 0 ? value.length : end + 1;
    }
    if (name && !params.has(name)) params.set(name, v);
  }
  return { value: main, params };
}

/** Whether a request's content type is multipart/form-data. */
export function isMultipart(contentType: string | undefined): contentType is string {
  return contentType !== undefined && headerParameters(contentType).value === 'multipart/form-data';
}

/** The boundary of a multipart/form-data content type; a 415 problem when there is none usable. */
export function formBoundary(contentType: string | undefined): string {
  const { value, params } = headerParameters(contentType ?? '');
  if (value !== 'multipart/form-data') {
    throw problem('unsupported-media-type', `expected multipart/form-data / 应为 multipart/form-data`);
  }
  const boundary = params.get('boundary');
  if (boundary === undefined || !BOUNDARY.test(boundary)) {
    throw problem(
      'unsupported-media-type',
      'the multipart boundary is missing or not 1-70 allowed characters (RFC 2046) / multipart 分隔符缺失，或不是 1-70 个允许的字符（RFC 2046）',
    );
  }
  return boundary;
}

/** What the parser does with a part's bytes. */
export type PartUse = 'file' | 'field' | 'skip';

export interface PartHandler {
  /** A part begins: what to do with its bytes. May throw to stop reading. */
  part(info: PartInfo): PartUse;
  /** Bytes of a 'file' part, in order; the view is valid only during the call. False: no room for more now. */
  file(bytes: Buffer): boolean;
  /** A 'field' part's whole value (UTF-8). */
  field(name: string, value: string): void;
}

const enum State {
  /** Before the first delimiter (the preamble), or in a part's body: looking for the delimiter. */
  Body,
  /** After a delimiter: "--" (the end), or padding, CRLF, headers and an empty line. */
  Head,
  /** After the close delimiter: the epilogue, ignored. */
  Done,
}

/**
 * The parser proper: push chunks in order, then `end()`. Synchronous; the handler is called from
 * within `push`.
 */
export class MultipartParser {
  private readonly delimiter: Buffer;
  private state = State.Body;
  /** Bytes kept back from the last chunk: a possible start of the delimiter (Body), or the head so far (Head). */
  private kept: Buffer = Buffer.alloc(0);
  private use: PartUse | 'preamble' = 'preamble';
  private field: Buffer[] = [];
  private fieldLength = 0;
  private info: PartInfo | undefined;
  private parts = 0;
  private other = 0;

  constructor(
    boundary: string,
    private readonly handler: PartHandler,
    private readonly limits: MultipartLimits = MULTIPART_LIMITS,
  ) {
    // The body's first delimiter may come without the CRLF before it: one is imagined there.
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    this.kept = Buffer.from(CRLF);
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Parses a chunk; false when the file's sink asked for a pause. */
  push(chunk: Buffer): boolean {
    let data = chunk;
    if (this.kept.length > 0) {
      // Rare in a file's body (its chunk ended with what could begin a delimiter): one copy.
      data = Buffer.concat([this.kept, chunk]);
      this.kept = Buffer.alloc(0);
    }
    let room = true;
    let at = 0;
    while (at < data.length) {
      if (this.state === State.Done) return room;
      if (this.state === State.Head) {
        at = this.head(data, at);
        continue;
      }
      const found = data.indexOf(this.delimiter, at);
      if (found >= 0) {
        if (!this.bytes(data, at, found)) room = false;
        this.endPart();
        at = found + this.delimiter.length;
        this.state = State.Head;
        continue;
      }
      // Keep back a tail that could begin the delimiter (it starts with CR, found only at its start).
      let keep = data.length;
      for (let cr = data.indexOf(0x0d, Math.max(at, data.length - this.delimiter.length + 1)); cr >= 0; cr = data.indexOf(0x0d, cr + 1)) {
        if (data.subarray(cr).equals(this.delimiter.subarray(0, data.length - cr))) {
          keep = cr;
          break;
        }
      }
      if (!this.bytes(data, at, keep)) room = false;
      if (keep < data.length) this.kept = Buffer.from(data.subarray(keep));
      at = data.length;
    }
    return room;
  }

  /** The body has ended: an error unless the close delimiter was seen. */
  end(): void {
    if (this.state !== State.Done) {
      throw bad('the multipart body ends before its final boundary (truncated?)', 'multipart 请求体在结束分隔符之前就结束了（被截断？）');
    }
  }

  /** A part's bytes [from, to) of `data`. */
  private bytes(data: Buffer, from: number, to: number): boolean {
    if (to <= from) return true;
    if (this.use === 'file') return this.handler.file(data.subarray(from, to));
    this.count(to - from);
    if (this.use === 'field') {
      this.fieldLength += to - from;
      if (this.fieldLength > this.limits.fieldBytes) {
        throw tooLarge(
          `the field ${JSON.stringify(this.info!.name.slice(0, 40))} is longer than ${this.limits.fieldBytes} bytes`,
          `字段 ${JSON.stringify(this.info!.name.slice(0, 40))} 超过 ${this.limits.fieldBytes} 字节`,
        );
      }
      this.field.push(Buffer.from(data.subarray(from, to)));
    }
    return true;
  }

  private count(bytes: number): void {
    this.other += bytes;
    if (this.other > this.limits.otherBytes) {
      throw tooLarge(
        `the multipart body holds more than ${this.limits.otherBytes} bytes besides the file`,
        `multipart 请求体中文件以外的内容超过 ${this.limits.otherBytes} 字节`,
      );
    }
  }

  private endPart(): void {
    if (this.use === 'field') this.handler.field(this.info!.name, Buffer.concat(this.field).toString('utf8'));
    this.field = [];
    this.fieldLength = 0;
    this.info = undefined;
  }

  /** After a delimiter: reads up to the end of the part's headers (or the close delimiter); returns where the body starts. */
  private head(data: Buffer, at: number): number {
    // Bytes kept from the last chunk are already at the start of `data` (push put them there).
    const head = data.subarray(at);
    if (head.length >= 2 && head[0] === 0x2d && head[1] === 0x2d) {
      this.state = State.Done;
      return data.length;
    }
    // The rest of the delimiter's line, the header lines, then an empty line: the first CRLF CRLF
    // (right after the delimiter's line when the part has no headers).
    const end = head.length >= 2 ? head.indexOf(HEADER_END) : -1;
    if (end >= 0 ? end + 4 > this.limits.headerBytes : head.length > this.limits.headerBytes) {
      throw tooLarge(
        `a part's headers are longer than ${this.limits.headerBytes} bytes`,
        `某个部分的头部超过 ${this.limits.headerBytes} 字节`,
      );
    }
    if (end < 0) {
      this.kept = Buffer.from(head);
      return data.length;
    }
    this.startPart(head.subarray(0, end + 2).toString('utf8'));
    this.state = State.Body;
    return at + end + 4;
  }

  private startPart(block: string): void {
    this.parts++;
    if (this.parts > this.limits.parts) {
      throw tooLarge(`the multipart body has more than ${this.limits.parts} parts`, `multipart 请求体超过 ${this.limits.parts} 个部分`);
    }
    const lines = block.split('\r\n');
    // The delimiter line's rest: transport padding (RFC 2046), spaces and tabs only.
    if (!/^[ \t]*$/.test(lines[0]!)) {
      throw bad('a multipart boundary line has more after the boundary', 'multipart 分隔行在分隔符之后还有其他内容');
    }
    let disposition: string | undefined;
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw bad(`a part's header line has no name: ${JSON.stringify(line.slice(0, 60))}`, '某个部分的头部行没有名称');
      if (line.slice(0, colon).trim().toLowerCase() === 'content-disposition') disposition = line.slice(colon + 1);
    }
    const { value, params } = headerParameters(disposition ?? '');
    const name = params.get('name');
    if (value !== 'form-data' || name === undefined) {
      throw bad('a part has no Content-Disposition: form-data with a name', '某个部分缺少带 name 的 Content-Disposition: form-data');
    }
    this.info = { name, filename: params.get('filename') };
    this.use = this.handler.part(this.info);
    if (this.use === 'field' && this.info.filename !== undefined) this.use = 'skip';
  }
}

/**
 * The package in a multipart/form-data body, as a source for the blob store: the part named "file"
 * (one only); other parts are fields (collected into `fields`, within limits) or skipped. `beforeFile`
 * runs when the file part begins, with the fields so far, and may throw to refuse the upload before
 * a byte of it is stored. The source completes at the close delimiter: a body cut short fails, even
 * after the whole file.
 */
export function multipartFile(
  source: Readable,
  contentType: string | undefined,
  options: { fields?: Record<string, string>; beforeFile?: (fields: Record<string, string>) => void; limits?: MultipartLimits } = {},
): PushSource {
  const boundary = formBoundary(contentType);
  const fields = options.fields ?? {};
  return {
    pump: async (sink: ChunkSink) => {
      let files = 0;
      const parser = new MultipartParser(
        boundary,
        {
          part: (info) => {
            if (info.name !== 'file') return 'field';
            if (++files > 1) throw bad('more than one part is named "file"', '不止一个部分名为 "file"');
            options.beforeFile?.(fields);
            return 'file';
          },
          file: (bytes) => sink.write(bytes),
          field: (name, value) => {
            if (!(name in fields)) fields[name] = value;
          },
        },
        options.limits,
      );
      // Done at the close delimiter: the epilogue, if any, is read and dropped by the server.
      await feedStream(
        source,
        (chunk) => {
          const room = parser.push(chunk);
          return parser.done ? 'done' : room;
        },
        () => sink.room(),
        () => parser.end(),
      );
      if (files === 0) throw problem('no-file', 'send the package in a multipart part named "file"');
    },
  };
}
