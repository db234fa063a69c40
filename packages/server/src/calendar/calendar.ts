import { readFileSync } from 'node:fs';
import {
  MAX_YEAR,
  MIN_YEAR,
  checkDate,
  dayNumber,
  fromDayNumber,
  isPlainDate,
  isWeekend,
  shiftDate,
  yearOf,
  type PlainDate,
} from './dates.js';

// Working days in mainland China. A day is a working day when it is Monday–Friday and not a day off
// in that year's State Council notice (国务院办公厅关于某年部分节假日安排的通知), or when it is a
// Saturday or Sunday the notice makes a working day (调休上班). The notices are issued one year at a
// time, usually in October–December for the next year, so the calendar knows a year only once its
// notice is in the data: for any other year it never guesses the holidays. The shipped data file
// (data/cn-working-days.json) is overlaid by years imported into the database
// (`apprights admin calendar import`), so a running platform learns a new year without a release.

/** One source notice of a year's arrangement. */
export interface CalendarSource {
  title: string;
  /** 文号, e.g. 国办发明电〔2024〕12号 */
  document?: string;
  /** The notice's date (成文日期). */
  date: PlainDate;
  /** Its page on gov.cn (or a *.gov.cn republication). */
  url: string;
}

export interface HolidayRange {
  name: string;
  from: PlainDate;
  to: PlainDate;
}

export interface MakeUpWorkday {
  date: PlainDate;
  /** The holiday the weekend day is worked for. */
  for?: string;
}

/** One year's arrangement: the days off and the weekend days worked, with the notices they come from. */
export interface CalendarYear {
  year: number;
  sources: CalendarSource[];
  note?: string;
  holidays: HolidayRange[];
  workdays: MakeUpWorkday[];
}

export interface CalendarFile {
  format: string;
  description?: string;
  timeZone: 'Asia/Shanghai';
  coveredThrough: PlainDate;
  checked?: string;
  years: CalendarYear[];
}

export const CALENDAR_FORMAT = 'apprights-cn-working-days/1';
/** An import is one small JSON document; anything larger is not a year's arrangement. */
export const MAX_YEAR_FILE_BYTES = 64 * 1024;
const MAX_RANGES = 40;
const MAX_SOURCES = 10;
/** The longest break a notice has given (2020's extended Spring Festival: 10 days) with room to spare. */
const MAX_RANGE_DAYS = 31;

/** Bad calendar data: names the field (a JSON path) and, when it can be found, the line. */
export class CalendarDataError extends Error {
  constructor(
    readonly field: string,
    readonly en: string,
    readonly zh: string,
    readonly line?: number,
  ) {
    const where = `${field}${line ? ` (line ${line})` : ''}`;
    const whereZh = `${field}${line ? `（第 ${line} 行）` : ''}`;
    super(`${where}: ${en} / ${whereZh}：${zh}`);
    this.name = 'CalendarDataError';
  }
}

/** A question about a date whose year the data does not cover (isWorkingDay never guesses). */
export class CalendarCoverageError extends Error {
  constructor(readonly date: PlainDate) {
    super(
      `the working-day calendar has no State Council arrangement for ${yearOf(date)} (date ${date}); import it with \`apprights admin calendar import\` / ` +
        `工作日历中没有 ${yearOf(date)} 年的国务院节假日安排（日期 ${date}），请用 apprights admin calendar import 导入`,
    );
    this.name = 'CalendarCoverageError';
  }
}

/** 1-based line of the first occurrence of `needle` in `text`, when there is a text to search. */
function lineOf(text: string | undefined, needle: string | undefined): number | undefined {
  if (!text || !needle) return undefined;
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Reads JSON text, naming the line and column of a syntax error (Node's message gives a position).
 * A UTF-8 byte order mark is allowed and dropped.
 */
export function parseCalendarJson(text: string, what = 'file'): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const line = lineOfLine(body, syntaxErrorPosition(body, message));
    throw new CalendarDataError(what, `not valid JSON (${message.slice(0, 200)})`, `不是有效的 JSON（${message.slice(0, 200)}）`, line);
  }
}

/**
 * Where JSON.parse failed. V8 gives "at position N" for some errors and, for an unexpected token,
 * a quoted excerpt ("Unexpected token '}', ...\"urces\": [\n}\" is not valid JSON"): the token is
 * found inside the excerpt, and the excerpt in the text. End of input is the last line.
 */
function syntaxErrorPosition(body: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  if (/end of JSON input/.test(message)) return body.length;
  const token = /^Unexpected token '(.)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!token) return undefined;
  const excerpt = token[2] as string;
  const at = body.indexOf(excerpt);
  if (at < 0) return undefined;
  const inExcerpt = excerpt.lastIndexOf(token[1] as string);
  return at + Math.max(0, inExcerpt);
}

function lineOfLine(text: string, position: number | undefined): number | undefined {
  if (position === undefined) return undefined;
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validation of one year, with the raw text for line numbers. */
class YearChecker {
  constructor(
    private readonly text: string | undefined,
    private readonly prefix: string,
  ) {}

  fail(field: string, en: string, zh: string, needle?: string): never {
    throw new CalendarDataError(`${this.prefix}${field}`, en, zh, lineOf(this.text, needle));
  }

  keys(value: Obj, field: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value))
      if (!allowed.includes(key))
        this.fail(
          `${field}${field ? '.' : ''}${key}`,
          `unknown field (allowed: ${allowed.join(', ')})`,
          `未知字段（允许：${allowed.join('、')}）`,
          `"${key}"`,
        );
  }

  text_(value: unknown, field: string, max: number, optional = false): string | undefined {
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > max)
      this.fail(field, `must be a non-empty text of at most ${max} characters`, `须为不超过 ${max} 个字符的非空文本`);
    return value;
  }

  date(value: unknown, field: string, year?: number): PlainDate {
    const needle = typeof value === 'string' ? `"${value}"` : undefined;
    if (!isPlainDate(value))
      this.fail(
        field,
        `${JSON.stringify(value)?.slice(0, 40)} is not a date YYYY-MM-DD`,
        `${JSON.stringify(value)?.slice(0, 40)} 不是日期（YYYY-MM-DD）`,
        needle,
      );
    if (year !== undefined && yearOf(value) !== year)
      this.fail(
        field,
        `${value} is not in ${year}: a year's file lists only dates of that year`,
        `${value} 不在 ${year} 年内：一年的数据只能包含该年的日期`,
        needle,
      );
    return value;
  }
}

/** Validates one year's arrangement (an import file, or one entry of the shipped file). */
export function parseCalendarYear(value: unknown, text?: string, prefix = ''): CalendarYear {
  // Annotated: a never-returning method narrows only through an explicitly typed reference.
  const c: YearChecker = new YearChecker(text, prefix);
  if (!isObject(value))
    c.fail(
      '(root)',
      'must be a JSON object with year, sources, holidays, workdays',
      '须为包含 year、sources、holidays、workdays 的 JSON 对象',
    );
  c.keys(value, '', ['year', 'sources', 'note', 'holidays', 'workdays']);
  const year = value.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
    c.fail('year', `must be a whole year between ${MIN_YEAR} and ${MAX_YEAR}`, `须为 ${MIN_YEAR}–${MAX_YEAR} 之间的年份`);

  if (!Array.isArray(value.sources) || value.sources.length === 0 || value.sources.length > MAX_SOURCES)
    c.fail(
      'sources',
      `required: 1 to ${MAX_SOURCES} source notices, each with its gov.cn URL`,
      `必填：1–${MAX_SOURCES} 个来源通知，每个须有 gov.cn 网址`,
    );
  const sources: CalendarSource[] = value.sources.map((s: unknown, i: number) => {
    const field = `sources[${i}]`;
    if (!isObject(s)) c.fail(field, 'must be an object with title, date, url', '须为包含 title、date、url 的对象');
    c.keys(s, field, ['title', 'document', 'date', 'url']);
    const url = s.url;
    if (typeof url !== 'string' || url.length > 500)
      c.fail(`${field}.url`, 'required: the notice on gov.cn', '必填：通知在 gov.cn 上的网址');
    let host = '';
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') host = parsed.hostname;
    } catch {
      // reported below
    }
    // The State Council's own site, or a government republication (*.gov.cn): never a news mirror.
    if (host !== 'gov.cn' && !host.endsWith('.gov.cn'))
      c.fail(
        `${field}.url`,
        `${JSON.stringify(url.slice(0, 100))} is not an http(s) URL on gov.cn`,
        `${JSON.stringify(url.slice(0, 100))} 不是 gov.cn 上的 http(s) 网址`,
        `"${url}"`,
      );
    const source: CalendarSource = {
      title: c.text_(s.title, `${field}.title`, 200) as string,
      date: c.date(s.date, `${field}.date`),
      url,
    };
    const document = c.text_(s.document, `${field}.document`, 100, true);
    if (document !== undefined) source.document = document;
    return source;
  });
  const note = c.text_(value.note, 'note', 2000, true);

  if (!Array.isArray(value.holidays) || value.holidays.length === 0 || value.holidays.length > MAX_RANGES)
    c.fail('holidays', `required: 1 to ${MAX_RANGES} ranges {name, from, to}`, `必填：1–${MAX_RANGES} 个假期区间 {name, from, to}`);
  if (!Array.isArray(value.workdays) || value.workdays.length > MAX_RANGES)
    c.fail(
      'workdays',
      `required: a list (possibly empty) of at most ${MAX_RANGES} make-up workdays {date, for}`,
      `必填：调休上班日列表（可为空，至多 ${MAX_RANGES} 个）`,
    );

  const offDays = new Map<PlainDate, string>();
  const holidays: HolidayRange[] = value.holidays.map((h: unknown, i: number) => {
    const field = `holidays[${i}]`;
    if (!isObject(h)) c.fail(field, 'must be an object {name, from, to}', '须为对象 {name, from, to}');
    c.keys(h, field, ['name', 'from', 'to']);
    const name = c.text_(h.name, `${field}.name`, 60) as string;
    const from = c.date(h.from, `${field}.from`, year);
    const to = c.date(h.to, `${field}.to`, year);
    const days = dayNumber(to) - dayNumber(from) + 1;
    if (days < 1 || days > MAX_RANGE_DAYS)
      c.fail(
        `${field}.to`,
        `${to} must be on or after ${from} and at most ${MAX_RANGE_DAYS} days from it`,
        `${to} 须不早于 ${from}，且区间不超过 ${MAX_RANGE_DAYS} 天`,
        `"${to}"`,
      );
    for (let d = 0; d < days; d++) {
      const date = shiftDate(from, d);
      if (offDays.has(date))
        c.fail(
          field,
          `${date} is already a day off in ${offDays.get(date)}`,
          `${date} 已在“${offDays.get(date)}”中列为放假日`,
          `"${from}"`,
        );
      offDays.set(date, `${field} ${name}`);
    }
    return { name, from, to };
  });
  const seen = new Set<PlainDate>();
  const workdays: MakeUpWorkday[] = value.workdays.map((w: unknown, i: number) => {
    const field = `workdays[${i}]`;
    if (!isObject(w)) c.fail(field, 'must be an object {date, for}', '须为对象 {date, for}');
    c.keys(w, field, ['date', 'for']);
    const date = c.date(w.date, `${field}.date`, year);
    if (offDays.has(date))
      c.fail(
        `${field}.date`,
        `${date} is both a day off (${offDays.get(date)}) and a make-up workday`,
        `${date} 同时是放假日（${offDays.get(date)}）和调休上班日`,
        `"${date}"`,
      );
    if (seen.has(date)) c.fail(`${field}.date`, `${date} is listed twice`, `${date} 重复列出`, `"${date}"`);
    // Monday–Friday are working days anyway: a "make-up workday" on one is a transcription error.
    if (!isWeekend(date))
      c.fail(
        `${field}.date`,
        `${date} is a weekday; a make-up workday (调休上班) is a Saturday or Sunday`,
        `${date} 是工作日；调休上班日应为周六或周日`,
        `"${date}"`,
      );
    seen.add(date);
    const forName = c.text_(w.for, `${field}.for`, 60, true);
    return forName === undefined ? { date } : { date, for: forName };
  });
  const result: CalendarYear = { year, sources, holidays, workdays };
  if (note !== undefined) result.note = note;
  return result;
}

/** Validates the shipped file: its years, and that coveredThrough says what the years cover. */
export function parseCalendarFile(text: string, what = 'cn-working-days.json'): CalendarFile {
  const value = parseCalendarJson(text, what);
  if (!isObject(value) || value.format !== CALENDAR_FORMAT)
    throw new CalendarDataError('format', `must be ${CALENDAR_FORMAT}`, `须为 ${CALENDAR_FORMAT}`);
  if (value.timeZone !== 'Asia/Shanghai') throw new CalendarDataError('timeZone', 'must be Asia/Shanghai', '须为 Asia/Shanghai');
  if (!Array.isArray(value.years)) throw new CalendarDataError('years', 'must be a list', '须为列表');
  const years = value.years.map((y: unknown, i: number) => parseCalendarYear(y, text, `years[${i}].`));
  const calendar = new WorkingCalendar(years);
  if (value.coveredThrough !== calendar.coveredThrough)
    throw new CalendarDataError(
      'coveredThrough',
      `says ${String(value.coveredThrough)} but the years cover through ${calendar.coveredThrough}`,
      `写为 ${String(value.coveredThrough)}，但数据实际覆盖至 ${calendar.coveredThrough}`,
    );
  return { ...(value as unknown as CalendarFile), years };
}

let shipped: CalendarYear[] | undefined;

/** The years in the data file shipped with the package (validated once, on first use). */
export function shippedCalendarYears(): CalendarYear[] {
  // dist/calendar/ and src/calendar/ are both two levels below the package, beside data/.
  shipped ??= parseCalendarFile(readFileSync(new URL('../../data/cn-working-days.json', import.meta.url), 'utf8')).years;
  return shipped;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'make-up-workday';

export interface DayInfo {
  date: PlainDate;
  working: boolean;
  kind: DayKind;
  /** The holiday's name, or the holiday a make-up workday is worked for. */
  name?: string;
  /** False when the year has no notice in the data: `working` is then the weekend rule alone. */
  covered: boolean;
}

/** A date computed by counting days, and whether the count went through years the data lacks. */
export interface CountedDate {
  date: PlainDate;
  /** True when the count crossed a day of a year without a notice (weekends-only there): not final. */
  provisional: boolean;
  /** The years without a notice that the count went through. */
  uncoveredYears: number[];
}

/** At most ten years of working days in one count: longer is an input error, not a deadline. */
export const MAX_COUNT = 2600;

/** An immutable working-day calendar over a set of years' arrangements. */
export class WorkingCalendar {
  private readonly days = new Map<PlainDate, { working: boolean; kind: DayKind; name?: string }>();
  private readonly years: Map<number, CalendarYear>;
  /** The last day of the unbroken run of covered years starting at the first one. */
  readonly coveredThrough: PlainDate;
  readonly coveredFrom: PlainDate;

  constructor(years: readonly CalendarYear[]) {
    this.years = new Map(years.map((y) => [y.year, y]));
    if (this.years.size === 0) throw new CalendarDataError('years', 'the calendar needs at least one year', '日历至少需要一年的数据');
    for (const y of this.years.values()) {
      for (const h of y.holidays)
        for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++)
          this.days.set(fromDayNumber(d), { working: false, kind: 'holiday', name: h.name });
      for (const w of y.workdays) this.days.set(w.date, { working: true, kind: 'make-up-workday', ...(w.for ? { name: w.for } : {}) });
    }
    const sorted = [...this.years.keys()].sort((a, b) => a - b);
    const first = sorted[0] as number;
    let last = first;
    while (this.years.has(last + 1)) last++;
    this.coveredFrom = `${first}-01-01`;
    this.coveredThrough = `${last}-12-31`;
  }

  /** The years with a notice, ascending. */
  coveredYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  year(year: number): CalendarYear | undefined {
    return this.years.get(year);
  }

  isCovered(date: PlainDate): boolean {
    return this.years.has(yearOf(date));
  }

  dayInfo(date: PlainDate): DayInfo {
    checkDate(date);
    const covered = this.isCovered(date);
    const listed = covered ? this.days.get(date) : undefined;
    if (listed) return { date, covered, ...listed };
    const weekend = isWeekend(date);
    return { date, covered, working: !weekend, kind: weekend ? 'weekend' : 'workday' };
  }

  /** Whether `date` is a working day; throws CalendarCoverageError for a year without a notice. */
  isWorkingDay(date: PlainDate): boolean {
    const info = this.dayInfo(date);
    if (!info.covered) throw new CalendarCoverageError(date);
    return info.working;
  }

  /**
   * The n-th working day after `start`. The start day itself never counts, whatever it is: a
   * period counted in days begins on the day after the event (民法典 第二百零一条: 按照年、月、日
   * 计算期间的，开始的当日不计入，自下一日开始计算). So received on Friday 2025-09-26, the first
   * working day is Sunday 2025-09-28 (a make-up workday) and the 15th is 2025-10-23. n = 0 is
   * `start` itself. Days of years without a notice count by the weekend rule and make the result
   * provisional.
   */
  addWorkingDays(start: PlainDate, n: number): CountedDate {
    checkDate(start, 'start');
    checkCount(n);
    const uncovered = new Set<number>();
    let day = dayNumber(start);
    let left = n;
    while (left > 0) {
      day++;
      const info = this.dayInfo(fromDayNumber(day));
      if (!info.covered) uncovered.add(yearOf(info.date));
      if (info.working) left--;
    }
    const date = fromDayNumber(day);
    checkDate(date, 'result');
    return counted(date, uncovered);
  }

  /**
   * `start` plus n calendar days (the start day does not count: received on the 1st, 15 days end on
   * the 16th). The date does not depend on holidays, so it is never provisional by itself; with
   * `rollToWorkingDay` a result on a day off moves to the next working day (民法典 第二百零三条:
   * 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日), which does.
   */
  addCalendarDays(start: PlainDate, n: number, options: { rollToWorkingDay?: boolean } = {}): CountedDate {
    checkDate(start, 'start');
    checkCount(n);
    const date = checkDate(shiftDate(start, n), 'result');
    if (!options.rollToWorkingDay) return counted(date, new Set());
    const info = this.dayInfo(date);
    if (info.working) return counted(date, info.covered ? new Set() : new Set([yearOf(date)]));
    const next = this.addWorkingDays(date, 1);
    if (!info.covered) next.uncoveredYears = [...new Set([yearOf(date), ...next.uncoveredYears])].sort((a, b) => a - b);
    next.provisional = next.uncoveredYears.length > 0;
    return next;
  }

  /** `start` minus n calendar days ("at least 5 days before the charge"). */
  subtractCalendarDays(start: PlainDate, n: number): CountedDate {
    checkDate(start, 'start');
    checkCount(n);
    return counted(checkDate(shiftDate(start, -n), 'result'), new Set());
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_COUNT) throw new DateCountError(n);
}

/** A count of days that is not a whole number between 0 and MAX_COUNT. */
export class DateCountError extends Error {
  constructor(n: number) {
    super(
      `a number of days must be a whole number from 0 to ${MAX_COUNT}, not ${String(n)} / 天数须为 0–${MAX_COUNT} 的整数，而不是 ${String(n)}`,
    );
    this.name = 'DateCountError';
  }
}

function counted(date: PlainDate, uncovered: Set<number>): CountedDate {
  const uncoveredYears = [...uncovered].sort((a, b) => a - b);
  return { date, provisional: uncoveredYears.length > 0, uncoveredYears };
}

/** The shipped calendar, optionally overlaid by other years (an imported year replaces a shipped one). */
export function buildCalendar(overlay: readonly CalendarYear[] = []): WorkingCalendar {
  const byYear = new Map(shippedCalendarYears().map((y) => [y.year, y]));
  for (const y of overlay) byYear.set(y.year, y);
  return new WorkingCalendar([...byYear.values()]);
}
