import { sql, type Kysely } from 'kysely';
import type { Readable } from 'node:stream';
import type { Database, ListingElements } from '../../db/schema.js';
import { parseJson } from '../../http/routes/common.js';
import { newId } from '../../ids.js';

// A device's permission-usage export (Android's AppOps history or a privacy dashboard's records),
// imported as JSON Lines — format "apprights-permission-usage/1", documented in docs/workflows.md —
// and compared with what the app disclosed: the store listing's permissions with their purposes
// and the permissions the latest scan found in the manifest. Lines are streamed: memory is bounded
// by the line cap and the insert batch, whatever the file's size; a bad line is reported by number
// with the reason and the rest imports.

export const USAGE_FORMAT = 'apprights-permission-usage/1';
export const MAX_LINE_BYTES = 8192;
export const MAX_LINES = 1_000_000;
export const MAX_BYTES = 256 * 1024 * 1024;
/** Errors listed one by one; beyond, only counted. */
export const MAX_LISTED_ERRORS = 1000;
const INSERT_BATCH = 500;
/** Records before 2008 (Android 1.0) or more than a day ahead of the import are not a device's. */
const EARLIEST = Date.UTC(2008, 8, 23);

/**
 * AppOps operation names (AppOpsManager.OPSTR_*, as `appops` and the usage history print them) →
 * the runtime permission they stand for. Source: the Android SDK reference of AppOpsManager.
 */
export const OP_PERMISSIONS: Readonly<Record<string, string>> = {
  'android:coarse_location': 'android.permission.ACCESS_COARSE_LOCATION',
  'android:fine_location': 'android.permission.ACCESS_FINE_LOCATION',
  'android:camera': 'android.permission.CAMERA',
  'android:record_audio': 'android.permission.RECORD_AUDIO',
  'android:read_contacts': 'android.permission.READ_CONTACTS',
  'android:write_contacts': 'android.permission.WRITE_CONTACTS',
  'android:get_accounts': 'android.permission.GET_ACCOUNTS',
  'android:read_call_log': 'android.permission.READ_CALL_LOG',
  'android:write_call_log': 'android.permission.WRITE_CALL_LOG',
  'android:read_calendar': 'android.permission.READ_CALENDAR',
  'android:write_calendar': 'android.permission.WRITE_CALENDAR',
  'android:read_sms': 'android.permission.READ_SMS',
  'android:receive_sms': 'android.permission.RECEIVE_SMS',
  'android:send_sms': 'android.permission.SEND_SMS',
  'android:read_phone_state': 'android.permission.READ_PHONE_STATE',
  'android:read_phone_numbers': 'android.permission.READ_PHONE_NUMBERS',
  'android:call_phone': 'android.permission.CALL_PHONE',
  'android:body_sensors': 'android.permission.BODY_SENSORS',
  'android:activity_recognition': 'android.permission.ACTIVITY_RECOGNITION',
  'android:read_external_storage': 'android.permission.READ_EXTERNAL_STORAGE',
  'android:write_external_storage': 'android.permission.WRITE_EXTERNAL_STORAGE',
  'android:read_media_images': 'android.permission.READ_MEDIA_IMAGES',
  'android:read_media_video': 'android.permission.READ_MEDIA_VIDEO',
  'android:read_media_audio': 'android.permission.READ_MEDIA_AUDIO',
  'android:access_media_location': 'android.permission.ACCESS_MEDIA_LOCATION',
  'android:bluetooth_scan': 'android.permission.BLUETOOTH_SCAN',
  'android:bluetooth_connect': 'android.permission.BLUETOOTH_CONNECT',
};

const PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const PERMISSION = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface LineError {
  line: number;
  pointer: string;
  message: string;
}

export interface UsageRecord {
  packageName: string;
  permission: string;
  at: number;
  background: boolean;
  durationMs: number | null;
}

/** One line's record, or why not. */
export function parseUsageLine(text: string, now: number): UsageRecord | { pointer: string; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { pointer: '', message: 'not valid JSON / 不是有效的 JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { pointer: '', message: 'not a JSON object / 不是 JSON 对象' };
  const v = value as Record<string, unknown>;
  const pkg = v.package;
  if (typeof pkg !== 'string' || pkg.length > 255 || !PACKAGE.test(pkg))
    return { pointer: '/package', message: 'missing or not an Android package name / 缺失或不是 Android 包名' };
  let permission: string;
  if (typeof v.permission === 'string') {
    if (v.permission.length > 255 || !PERMISSION.test(v.permission))
      return { pointer: '/permission', message: 'not a permission name / 不是权限名' };
    permission = v.permission.includes('.') ? v.permission : `android.permission.${v.permission}`;
  } else if (typeof v.op === 'string') {
    const mapped = OP_PERMISSIONS[v.op];
    if (!mapped) return { pointer: '/op', message: `unknown AppOps operation ${JSON.stringify(v.op.slice(0, 60))} / 未知的 AppOps 操作` };
    permission = mapped;
  } else {
    return { pointer: '/permission', message: 'needs "permission" or "op" / 须提供 permission 或 op' };
  }
  let at: number;
  if (typeof v.time === 'number' && Number.isSafeInteger(v.time)) at = v.time;
  else if (typeof v.time === 'string' && ISO.test(v.time)) at = Date.parse(v.time);
  else
    return {
      pointer: '/time',
      message:
        'missing, or not epoch milliseconds or an ISO 8601 date-time with its offset / 缺失，或不是毫秒时间戳或带时区的 ISO 8601 时间',
    };
  if (!Number.isFinite(at) || at < EARLIEST || at > now + 86_400_000)
    return { pointer: '/time', message: 'out of range (before Android or in the future) / 超出范围（早于 Android 或在未来）' };
  if (v.mode !== 'foreground' && v.mode !== 'background')
    return { pointer: '/mode', message: 'must be "foreground" or "background" / 须为 foreground 或 background' };
  let durationMs: number | null = null;
  if (v.durationMs !== undefined && v.durationMs !== null) {
    if (typeof v.durationMs !== 'number' || !Number.isSafeInteger(v.durationMs) || v.durationMs < 0 || v.durationMs > 31 * 86_400_000)
      return { pointer: '/durationMs', message: 'must be a non-negative integer of milliseconds / 须为非负整数毫秒' };
    durationMs = v.durationMs;
  }
  return { packageName: pkg, permission, at, background: v.mode === 'background', durationMs };
}

/**
 * Splits a byte stream into lines without ever holding more than one line (capped) in memory.
 * Yields each line's number and its text, or the reason it cannot be read (too long, not UTF-8).
 */
export async function* streamLines(
  stream: AsyncIterable<Buffer>,
  limits: { maxLineBytes: number; maxBytes: number },
): AsyncGenerator<{ line: number; text: string } | { line: number; error: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let line = 0;
  let total = 0;
  const finish = (): { line: number; text: string } | { line: number; error: string } | null => {
    line++;
    const bytes = Buffer.concat(parts);
    parts = [];
    size = 0;
    if (tooLong) {
      tooLong = false;
      return { line, error: `longer than ${limits.maxLineBytes} bytes / 超过 ${limits.maxLineBytes} 字节` };
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return { line, error: 'not UTF-8 (convert the file from GBK or UTF-16 first) / 不是 UTF-8 编码（请先从 GBK 或 UTF-16 转换）' };
    }
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { line, text };
  };
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limits.maxBytes) throw new ImportTooLarge(limits.maxBytes);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!tooLong) {
        if (size + (end - start) > limits.maxLineBytes) {
          tooLong = true;
          parts = [];
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      const out = finish();
      if (out) yield out;
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) {
    const out = finish();
    if (out) yield out;
  }
}

export class ImportTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the import is larger than ${maxBytes} bytes / 导入内容超过 ${maxBytes} 字节`);
    this.name = 'ImportTooLarge';
  }
}

export interface ImportOutcome {
  id: string;
  lines: number;
  imported: number;
  rejected: number;
  errors: LineError[];
  truncated: boolean;
}

/** Streams the export into terminal_usage_records (batched inserts, no long transaction). */
export async function importUsage(
  db: Kysely<Database>,
  stream: Readable | AsyncIterable<Buffer>,
  who: { orgId: string; userId: string | null },
  now: number,
  limits = { maxLineBytes: MAX_LINE_BYTES, maxBytes: MAX_BYTES, maxLines: MAX_LINES },
): Promise<ImportOutcome> {
  const id = newId(now);
  await db
    .insertInto('terminal_usage_imports')
    .values({
      id,
      org_id: who.orgId,
      created_by: who.userId,
      lines: 0,
      imported: 0,
      rejected: 0,
      result: '{"state":"importing"}',
      created_at: now,
    })
    .execute();
  const outcome: ImportOutcome = { id, lines: 0, imported: 0, rejected: 0, errors: [], truncated: false };
  const reject = (line: number, pointer: string, message: string) => {
    outcome.rejected++;
    if (outcome.errors.length < MAX_LISTED_ERRORS) outcome.errors.push({ line, pointer, message });
  };
  let batch: Database['terminal_usage_records'][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.insertInto('terminal_usage_records').values(batch).execute();
    outcome.imported += batch.length;
    batch = [];
  };
  try {
    for await (const item of streamLines(stream, limits)) {
      if ('text' in item && item.text.trim() === '') continue;
      if (outcome.lines >= limits.maxLines) {
        outcome.truncated = true;
        reject(item.line, '', `beyond the ${limits.maxLines}-line limit; not read / 超过 ${limits.maxLines} 行上限，未读取`);
        break;
      }
      outcome.lines++;
      if ('error' in item) {
        reject(item.line, '', item.error);
        continue;
      }
      const parsed = parseUsageLine(item.text, now);
      if ('message' in parsed) {
        reject(item.line, parsed.pointer, parsed.message);
        continue;
      }
      batch.push({
        import_id: id,
        line: item.line,
        package_name: parsed.packageName,
        permission: parsed.permission,
        at: parsed.at,
        background: parsed.background ? 1 : 0,
        duration_ms: parsed.durationMs,
      });
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
  } catch (error) {
    // Nothing half-imported stays behind.
    await db.deleteFrom('terminal_usage_records').where('import_id', '=', id).execute();
    await db.deleteFrom('terminal_usage_imports').where('id', '=', id).execute();
    throw error;
  }
  return outcome;
}

// ---- Comparison with the disclosures ----

export interface Frequency {
  max: number;
  per: 'hour' | 'day' | 'week';
}

const CN_NUMBERS: Record<string, number> = { 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const PER: Record<string, Frequency['per']> = {
  小时: 'hour',
  天: 'day',
  日: 'day',
  周: 'week',
  星期: 'week',
  hour: 'hour',
  day: 'day',
  week: 'week',
};

function count(word: string): number | null {
  if (/^\d{1,6}$/.test(word)) return Number(word);
  if (word === 'once') return 1;
  if (word === 'twice') return 2;
  return CN_NUMBERS[word] ?? null;
}

/** A frequency a purpose states ("每天最多 3 次", "至多每小时1次", "once a day", "up to 5 times per hour"), if any. */
export function statedFrequency(purpose: string): Frequency | null {
  const text = purpose.normalize('NFKC');
  const patterns: [RegExp, number, number][] = [
    // 每天最多3次 / 每小时不超过一次 / 每日1次
    [/每\s*(小时|天|日|周|星期)\s*(?:最多|至多|不超过|仅|只)?\s*(\d{1,6}|[一两二三四五六七八九十])\s*次/u, 2, 1],
    // 3次/天, 1 次 / 小时
    [/(\d{1,6}|[一两二三四五六七八九十])\s*次\s*\/\s*(小时|天|日|周)/u, 1, 2],
    // once a day, up to 5 times per hour, at most twice each week
    [/\b(\d{1,6}|once|twice)\s*(?:times?)?\s*(?:per|a|an|each|every)\s+(hour|day|week)\b/i, 1, 2],
  ];
  for (const [re, n, unit] of patterns) {
    const m = re.exec(text);
    if (!m) continue;
    const max = count(m[n]!.toLowerCase());
    const per = PER[m[unit]!.toLowerCase()];
    if (max !== null && per) return { max, per };
  }
  return null;
}

const BACKGROUND_WORDS = /后台|background/i;
/** Windows are counted in Asia/Shanghai (days start at 00:00 +08:00, weeks on Monday). */
const BUCKET_MS: Record<Frequency['per'], number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
const BUCKET_OFFSET_MS: Record<Frequency['per'], number> = { hour: 0, day: 8 * 3_600_000, week: 8 * 3_600_000 + 3 * 86_400_000 };

export interface PermissionFinding {
  kind: 'undisclosed-use' | 'background-use' | 'over-frequency';
  permission: string;
  uses: number;
  en: string;
  zh: string;
  detail: Record<string, unknown>;
}

export interface PackageComparison {
  packageName: string;
  listed: boolean;
  uses: number;
  disclosure: { listingPermissions: { name: string; purpose: string }[]; manifestPermissions: string[] | null };
  findings: PermissionFinding[];
}

function covers(disclosed: Map<string, string>, permission: string): string | undefined {
  // Precise location disclosed covers approximate location (the finer grant includes the coarser).
  return (
    disclosed.get(permission) ??
    (permission.endsWith('.ACCESS_COARSE_LOCATION') ? disclosed.get('android.permission.ACCESS_FINE_LOCATION') : undefined)
  );
}

/** What the latest scan of the listed version (or of the caller's own app) found in the manifest. */
async function manifestPermissions(
  db: Kysely<Database>,
  packageName: string,
  versionIds: string[],
  orgId: string,
): Promise<string[] | null> {
  let q = db.selectFrom('reports as r').select(['r.facts', 'r.body']).where('r.kind', '=', 'scan');
  q = q.where((eb) => {
    const ors = [
      eb(
        'r.version_id',
        'in',
        eb
          .selectFrom('versions as v')
          .innerJoin('apps as a', 'a.id', 'v.app_id')
          .select('v.id')
          .where('a.package_name', '=', packageName)
          .where('a.org_id', '=', orgId),
      ),
    ];
    if (versionIds.length) ors.push(eb('r.version_id', 'in', versionIds));
    return eb.or(ors);
  });
  const report = await q.orderBy('r.id', 'desc').executeTakeFirst();
  if (!report) return null;
  for (const text of [report.facts, report.body]) {
    const value = parseJson(text) as { permissions?: unknown; facts?: { permissions?: unknown } } | null;
    const list = value?.permissions ?? value?.facts?.permissions;
    if (Array.isArray(list))
      return list
        .map((p) => (typeof p === 'string' ? p : (p as { name?: unknown })?.name))
        .filter((n): n is string => typeof n === 'string');
  }
  return null;
}

/** Compares one import's records with each package's disclosures (SQL aggregates: memory stays bounded). */
export async function compareImport(db: Kysely<Database>, importId: string, orgId: string): Promise<PackageComparison[]> {
  const groups = await db
    .selectFrom('terminal_usage_records')
    .select(['package_name', 'permission', 'background', (eb) => eb.fn.countAll<number>().as('n')])
    .where('import_id', '=', importId)
    .groupBy(['package_name', 'permission', 'background'])
    .orderBy('package_name')
    .orderBy('permission')
    .limit(10_000)
    .execute();
  const byPackage = new Map<string, Map<string, { total: number; background: number }>>();
  for (const g of groups) {
    const perms = byPackage.get(g.package_name) ?? new Map<string, { total: number; background: number }>();
    const entry = perms.get(g.permission) ?? { total: 0, background: 0 };
    entry.total += Number(g.n);
    if (g.background === 1) entry.background += Number(g.n);
    perms.set(g.permission, entry);
    byPackage.set(g.package_name, perms);
  }
  const out: PackageComparison[] = [];
  for (const [packageName, perms] of [...byPackage].slice(0, 500)) {
    const listings = await db
      .selectFrom('listings')
      .select(['elements', 'version_id'])
      .where('package_name', '=', packageName)
      .where('state', '=', 'listed')
      .limit(50)
      .execute();
    const disclosed = new Map<string, string>();
    for (const l of listings) {
      const elements = parseJson(l.elements) as Partial<ListingElements> | null;
      for (const p of Array.isArray(elements?.permissions) ? elements.permissions : [])
        if (p && typeof p.name === 'string' && typeof p.purpose === 'string' && p.purpose.trim()) disclosed.set(p.name, p.purpose.trim());
    }
    const manifest = await manifestPermissions(
      db,
      packageName,
      listings.map((l) => l.version_id).filter((v): v is string => v !== null),
      orgId,
    );
    const findings: PermissionFinding[] = [];
    let uses = 0;
    for (const [permission, n] of perms) {
      uses += n.total;
      const purpose = covers(disclosed, permission);
      if (purpose === undefined)
        findings.push({
          kind: 'undisclosed-use',
          permission,
          uses: n.total,
          en: `${permission} was used ${n.total} times but the listing gives it no purpose${manifest && !manifest.includes(permission) ? ', and the scanned manifest does not request it' : ''}`,
          zh: `${permission} 被使用 ${n.total} 次，但上架信息未说明其使用目的${manifest && !manifest.includes(permission) ? '，且检测的清单文件未申请该权限' : ''}`,
          detail: { inManifest: manifest ? manifest.includes(permission) : null },
        });
      if (n.background > 0)
        findings.push({
          kind: 'background-use',
          permission,
          uses: n.background,
          en: `${permission} was used ${n.background} times in the background${purpose && BACKGROUND_WORDS.test(purpose) ? ' (the purpose mentions background use)' : ''}`,
          zh: `${permission} 在后台被使用 ${n.background} 次${purpose && BACKGROUND_WORDS.test(purpose) ? '（使用目的提及后台使用）' : ''}`,
          detail: { purposeMentionsBackground: purpose ? BACKGROUND_WORDS.test(purpose) : false },
        });
      const frequency = purpose ? statedFrequency(purpose) : null;
      if (frequency) {
        const size = BUCKET_MS[frequency.per];
        const offset = BUCKET_OFFSET_MS[frequency.per];
        const bucket = sql<number>`(at + ${sql.lit(offset)}) / ${sql.lit(size)}`;
        const worst = await db
          .selectFrom('terminal_usage_records')
          .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('n')])
          .where('import_id', '=', importId)
          .where('package_name', '=', packageName)
          .where('permission', '=', permission)
          .groupBy(bucket)
          .orderBy('n', 'desc')
          .limit(1)
          .executeTakeFirst();
        const most = Number(worst?.n ?? 0);
        if (most > frequency.max)
          findings.push({
            kind: 'over-frequency',
            permission,
            uses: most,
            en: `${permission} was used ${most} times in one ${frequency.per}; the purpose states at most ${frequency.max}`,
            zh: `${permission} 在一个${frequency.per === 'hour' ? '小时' : frequency.per === 'day' ? '自然日' : '自然周'}内被使用 ${most} 次，超过使用目的所述的 ${frequency.max} 次`,
            detail: { stated: frequency, windowStart: Number(worst!.bucket) * size - offset },
          });
      }
    }
    out.push({
      packageName,
      listed: listings.length > 0,
      uses,
      disclosure: { listingPermissions: [...disclosed].map(([name, purpose]) => ({ name, purpose })), manifestPermissions: manifest },
      findings,
    });
  }
  return out;
}
