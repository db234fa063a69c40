import { dayNumber, shanghaiDate } from '../../calendar/dates.js';

// Reading renewal charges and reminder logs (docs/renewal-audit.md) as a stream of lines: bytes are
// split on LF (0x0A never occurs inside a UTF-8 or GB18030 multi-byte character), each line decoded
// on its own, so a bad line is reported by its number and the rest imports, and memory holds one
// line (at most MAX_LINE_BYTES) and one batch of rows, whatever the file's size.

export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_FIELD = { packageName: 255, subscription: 128, product: 200, amount: 32, currency: 3 } as const;

/**
 * Where a reminder reaches the user without them opening the app: 26号文 Part 一(二)7 names SMS
 * and push messages (短信、消息推送) as the conspicuous means (显著方式). A phone call reaches the user
 * the same way. An e-mail, a message in the app's own inbox (站内信), a banner or a notice on the
 * account page is seen only by a user who goes looking, so it does not count as conspicuous.
 */
export const CHANNELS = {
  sms: { conspicuous: true, en: 'SMS', zh: '短信' },
  push: { conspicuous: true, en: 'push notification', zh: '消息推送' },
  'phone-call': { conspicuous: true, en: 'phone call', zh: '电话' },
  email: { conspicuous: false, en: 'e-mail', zh: '电子邮件' },
  'in-app-inbox': { conspicuous: false, en: 'in-app inbox (站内信)', zh: '站内信' },
  'in-app-banner': { conspicuous: false, en: 'in-app banner or pop-up shown only when the app is opened', zh: '应用内横幅或弹窗' },
  'account-page': { conspicuous: false, en: 'notice on the account or subscription page', zh: '账户或订阅页面提示' },
  other: { conspicuous: false, en: 'other', zh: '其他' },
} as const;
export type Channel = keyof typeof CHANNELS;

export type Kind = 'charges' | 'reminders';
export type Format = 'csv' | 'jsonl';

export interface ChargeRow {
  packageName: string;
  subscription: string;
  day: number;
  amount: string | null;
  product: string | null;
}
export interface ReminderRow {
  packageName: string;
  subscription: string;
  day: number;
  channel: Channel;
}
export type Row = ChargeRow | ReminderRow;

export interface LineError {
  line: number;
  reason: string;
}

const COLUMNS: Record<Kind, { required: string[]; optional: string[]; time: string }> = {
  charges: { required: ['package_name', 'subscription_id', 'charged_at'], optional: ['amount', 'currency', 'product'], time: 'charged_at' },
  reminders: { required: ['package_name', 'subscription_id', 'sent_at', 'channel'], optional: ['template'], time: 'sent_at' },
};

const PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;
// Control characters are refused in fields (they would reach CSV exports and logs).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The date (Asia/Shanghai) of a charge or reminder: `YYYY-MM-DD`, or an ISO 8601 time with its
 * offset (`2025-10-01T09:30:00+08:00`, `…Z`); a time without an offset is read as Asia/Shanghai.
 * Returns the day number, or why the value is not a date.
 */
export function parseWhen(value: string): number | string {
  const date = DATE_ONLY.exec(value);
  const time = date ? null : DATE_TIME.exec(value);
  const m = date ?? time;
  if (!m) return 'not a date (YYYY-MM-DD) or an ISO 8601 time (2025-10-01T09:30:00+08:00)';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2100) return `year ${y} is out of range (2000–2100)`;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > last) return `${m[1]}-${m[2]}-${m[3]} does not exist`;
  if (date) return dayNumber(value);
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return `${m[4]}:${m[5]} is not a time of day`;
  const offset = m[7] ?? '+08:00';
  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const [oh, om] = [Number(offset.slice(1, 3)), Number(offset.slice(4, 6))];
    if (oh > 14 || om > 59) return `offset ${offset} is not valid`;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const instant = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000;
  return dayNumber(shanghaiDate(instant));
}

/** One CSV record on one line (RFC 4180 quoting; a quoted field may not span lines here). */
export function splitCsv(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  while (true) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (true) {
        const q = line.indexOf('"', i);
        if (q < 0) return 'a quoted field is not closed on its line (fields spanning lines are not supported)';
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') return `unexpected character after a quoted field at column ${i + 1}`;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return `a quote inside an unquoted field at column ${i + 1}`;
      out.push(value);
      if (comma < 0) return out;
      i = comma + 1;
    }
    if (out.length > 64) return 'more than 64 fields';
  }
}

/** A record (field name → text) checked into a row, or why not. */
export function toRow(kind: Kind, record: Record<string, unknown>): Row | string {
  const spec = COLUMNS[kind];
  const text = (name: string, max: number, required: boolean): string | null | { error: string } => {
    const v = record[name];
    if (v === undefined || v === null || v === '') return required ? { error: `${name} is missing` } : null;
    if (typeof v !== 'string' && typeof v !== 'number') return { error: `${name} must be text` };
    const s = String(v).trim();
    if (s.length > max) return { error: `${name} is longer than ${max} characters` };
    if (CONTROL.test(s)) return { error: `${name} holds a control character` };
    return s;
  };
  const pkg = text('package_name', MAX_FIELD.packageName, true);
  if (typeof pkg === 'object' && pkg) return pkg.error;
  if (!PACKAGE.test(pkg!)) return `package_name ${JSON.stringify(pkg!.slice(0, 60))} is not a package name`;
  const sub = text('subscription_id', MAX_FIELD.subscription, true);
  if (typeof sub === 'object' && sub) return sub.error;
  const when = text(spec.time, 40, true);
  if (typeof when === 'object' && when) return when.error;
  const day = parseWhen(when!);
  if (typeof day === 'string') return `${spec.time}: ${day}`;
  if (kind === 'charges') {
    const amount = text('amount', MAX_FIELD.amount, false);
    if (typeof amount === 'object' && amount) return amount.error;
    if (amount !== null && !/^\d{1,12}(\.\d{1,4})?$/.test(amount)) return `amount ${JSON.stringify(amount)} is not a number like 25.00`;
    const currency = text('currency', MAX_FIELD.currency, false);
    if (typeof currency === 'object' && currency) return currency.error;
    if (currency !== null && !/^[A-Z]{3}$/.test(currency)) return 'currency must be an ISO 4217 code (CNY)';
    const product = text('product', MAX_FIELD.product, false);
    if (typeof product === 'object' && product) return product.error;
    return {
      packageName: pkg!,
      subscription: sub!,
      day,
      amount: amount === null ? null : `${amount}${currency ? ` ${currency}` : ''}`,
      product,
    };
  }
  const channel = text('channel', 40, true);
  if (typeof channel === 'object' && channel) return channel.error;
  if (!Object.hasOwn(CHANNELS, channel!))
    return `channel ${JSON.stringify(channel!.slice(0, 40))} is not one of ${Object.keys(CHANNELS).join(', ')}`;
  return { packageName: pkg!, subscription: sub!, day, channel: channel as Channel };
}

export interface ReadResult {
  lines: number;
  encoding: 'utf-8' | 'gb18030';
  bom: boolean;
  /** Lines that were not UTF-8 (when UTF-8 was expected), so the caller can say what the file probably is. */
  notUtf8: number;
  /** Of those, how many decode as GB18030 to CJK text: the file is probably GB18030/GBK. */
  looksGb18030: number;
}

export class ImportFileError extends Error {
  constructor(
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${en} / ${zh}`);
  }
}

/**
 * Reads `source` line by line, calls `onRow` with each good row (awaited: a slow database slows
 * the reading, which is the backpressure) and `onError` with each bad line. `maxBytes` caps the
 * whole upload.
 */
export async function readRecords(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: { kind: Kind; format: Format; charset: 'utf-8' | 'gb18030'; maxBytes: number },
  onRow: (row: Row, line: number) => Promise<void> | void,
  onError: (error: LineError) => void,
): Promise<ReadResult> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const gb = new TextDecoder('gb18030', { fatal: false });
  const decoder = options.charset === 'gb18030' ? gb : utf8;
  const result: ReadResult = { lines: 0, encoding: options.charset, bom: false, notUtf8: 0, looksGb18030: 0 };
  let header: string[] | null = options.format === 'jsonl' ? [] : null;
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let lineNo = 0;

  const handle = async (bytes: Buffer): Promise<void> => {
    lineNo++;
    result.lines = lineNo;
    if (lineNo === 1) {
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        result.bom = true;
        bytes = bytes.subarray(3);
      } else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
        throw new ImportFileError(
          'the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8',
          '文件为 UTF-16 编码（以 UTF-16 字节顺序标记开头）：请另存为 UTF-8',
        );
      }
    }
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      result.notUtf8++;
      const guess = gb.decode(bytes);
      const cjk = /[\u4e00-\u9fff]/.test(guess) && !guess.includes('\ufffd');
      if (cjk) result.looksGb18030++;
      return onError({
        line: lineNo,
        reason: cjk
          ? 'not valid UTF-8; it reads as GB18030/GBK: send the file as UTF-8, or with Content-Type charset=gb18030'
          : 'not valid UTF-8',
      });
    }
    if (text.trim() === '') return;
    let record: Record<string, unknown>;
    if (options.format === 'csv') {
      const fields = splitCsv(text);
      if (typeof fields === 'string') return onError({ line: lineNo, reason: fields });
      if (header === null) {
        const names = fields.map((f) => f.trim().toLowerCase());
        const spec = COLUMNS[options.kind];
        const missing = spec.required.filter((c) => !names.includes(c));
        if (missing.length)
          throw new ImportFileError(
            `line ${lineNo}: the header lacks ${missing.join(', ')} (columns: ${[...spec.required, ...spec.optional].join(', ')})`,
            `第 ${lineNo} 行：表头缺少 ${missing.join('、')}`,
          );
        header = names;
        return;
      }
      if (fields.length !== header.length)
        return onError({ line: lineNo, reason: `${fields.length} fields where the header has ${header.length}` });
      record = {};
      header.forEach((name, i) => (record[name] = fields[i]));
    } else {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return onError({ line: lineNo, reason: `not JSON: ${(error as Error).message.slice(0, 120)}` });
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return onError({ line: lineNo, reason: 'not a JSON object' });
      record = value as Record<string, unknown>;
    }
    const row = toRow(options.kind, record);
    if (typeof row === 'string') return onError({ line: lineNo, reason: row });
    await onRow(row, lineNo);
  };

  for await (const chunk of source) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buf.length;
    if (total > options.maxBytes)
      throw new ImportFileError(`the file is larger than ${options.maxBytes} bytes`, `文件超过 ${options.maxBytes} 字节`);
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      const part = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      if (tooLong || pendingBytes + part.length > MAX_LINE_BYTES) {
        lineNo++;
        result.lines = lineNo;
        onError({ line: lineNo, reason: `longer than ${MAX_LINE_BYTES} bytes` });
      } else {
        await handle(pending.length ? Buffer.concat([...pending, part]) : part);
      }
      pending = [];
      pendingBytes = 0;
      tooLong = false;
    }
    if (buf.length) {
      if (pendingBytes + buf.length > MAX_LINE_BYTES) {
        // Keep counting the line, not its bytes.
        tooLong = true;
        pending = [];
        pendingBytes = 0;
      } else {
        // Copy: the chunk's memory may be reused by the stream.
        pending.push(Buffer.from(buf));
        pendingBytes += buf.length;
      }
    }
  }
  if (tooLong) {
    lineNo++;
    result.lines = lineNo;
    onError({ line: lineNo, reason: `longer than ${MAX_LINE_BYTES} bytes` });
  } else if (pendingBytes > 0) await handle(Buffer.concat(pending));
  if (header === null) throw new ImportFileError('the file is empty (no header line)', '文件为空（没有表头行）');
  return result;
}
