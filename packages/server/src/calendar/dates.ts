// Plain calendar dates ("YYYY-MM-DD") for every clock of the platform. A legal deadline is a date in
// mainland China, not an instant: counting in Date objects would move it by a day wherever the
// process's time zone is not UTC+8. So dates are strings, arithmetic is on day numbers (days since
// 1970-01-01, computed in UTC where no day is ever 23 or 25 hours long), and an instant becomes a
// date only in `shanghaiDate`, at the fixed offset of Asia/Shanghai (UTC+8; China has observed no
// daylight saving since 1991, so the offset is constant for every date this calendar covers).

/** A calendar date, "YYYY-MM-DD", in Asia/Shanghai. */
export type PlainDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year (no DST since 1991). */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** Dates outside these years are refused: no clock of the platform needs them, and it bounds loops. */
export const MIN_YEAR = 1990;
export const MAX_YEAR = 2200;

/** True when `text` is a real calendar date "YYYY-MM-DD" between MIN_YEAR and MAX_YEAR. */
export function isPlainDate(text: unknown): text is PlainDate {
  if (typeof text !== 'string') return false;
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A failure to read a date: the message names the value. */
export class DateError extends Error {
  constructor(
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${en} / ${zh}`);
    this.name = 'DateError';
  }
}

export function checkDate(text: unknown, what = 'date'): PlainDate {
  if (!isPlainDate(text))
    throw new DateError(
      `${what} ${JSON.stringify(String(text).slice(0, 40))} is not a date YYYY-MM-DD between ${MIN_YEAR} and ${MAX_YEAR}`,
      `${what} ${JSON.stringify(String(text).slice(0, 40))} 不是 ${MIN_YEAR}–${MAX_YEAR} 年间的日期（YYYY-MM-DD）`,
    );
  return text;
}

/** Days since 1970-01-01 (the date taken as a UTC day, which has no DST). */
export function dayNumber(date: PlainDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function fromDayNumber(day: number): PlainDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days (negative: earlier). */
export function shiftDate(date: PlainDate, days: number): PlainDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: PlainDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: PlainDate): boolean {
  const d = weekday(date);
  return d === 0 || d === 6;
}

export function yearOf(date: PlainDate): number {
  return Number(date.slice(0, 4));
}

/** The date in Asia/Shanghai at an instant (milliseconds since the epoch), whatever the process's TZ. */
export function shanghaiDate(epochMs: number): PlainDate {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which `date` begins in Asia/Shanghai (00:00 UTC+8). */
export function shanghaiMidnight(date: PlainDate): number {
  return dayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS;
}
