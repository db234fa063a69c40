import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { writeAudit, type AuditActor } from '../admin.js';
import {
  CalendarDataError,
  MAX_YEAR_FILE_BYTES,
  buildCalendar,
  parseCalendarJson,
  parseCalendarYear,
  shippedCalendarYears,
  type CalendarYear,
  type WorkingCalendar,
} from './calendar.js';

// The calendar a running platform uses: the shipped data file, overlaid year by year by the years
// an administrator imported into the database. Imported years are validated on the way in and
// again when read (a row edited by hand must not silently change deadlines).

export interface ImportedYear {
  year: number;
  /** replaced: the year was in the database already; shipped: the data file has this year too. */
  replaced: boolean;
  shipped: boolean;
  coveredThrough: string;
}

/** Validates a year's JSON text (with line numbers in errors) and stores it, replacing that year. */
export async function importCalendarYear(
  db: Kysely<Database>,
  text: string,
  actor: AuditActor = {},
  now = Date.now(),
): Promise<ImportedYear> {
  if (Buffer.byteLength(text, 'utf8') > MAX_YEAR_FILE_BYTES)
    throw new CalendarDataError(
      'file',
      `is larger than ${MAX_YEAR_FILE_BYTES} bytes; a year's arrangement is a few kilobytes`,
      `超过 ${MAX_YEAR_FILE_BYTES} 字节；一年的安排只有几 KB`,
    );
  const year = parseCalendarYear(parseCalendarJson(text), text);
  const replaced = await db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('calendar_years').select('year').where('year', '=', year.year).executeTakeFirst();
    await tx.deleteFrom('calendar_years').where('year', '=', year.year).execute();
    await tx
      .insertInto('calendar_years')
      .values({ year: year.year, arrangement: JSON.stringify(year), source_url: year.sources[0]?.url ?? '', imported_at: now })
      .execute();
    await writeAudit(
      tx,
      {
        ...actor,
        action: 'calendar.import',
        subject: String(year.year),
        detail: {
          year: year.year,
          sources: year.sources.map((s) => s.url),
          holidays: year.holidays.length,
          workdays: year.workdays.length,
          replaced: existing !== undefined,
        },
      },
      now,
    );
    return existing !== undefined;
  });
  const calendar = await loadCalendar(db);
  return {
    year: year.year,
    replaced,
    shipped: shippedCalendarYears().some((y) => y.year === year.year),
    coveredThrough: calendar.coveredThrough,
  };
}

/** The imported years, validated. */
export async function importedCalendarYears(db: Kysely<Database>): Promise<CalendarYear[]> {
  const rows = await db.selectFrom('calendar_years').select(['year', 'arrangement']).orderBy('year').execute();
  return rows.map((row) => {
    const text = row.arrangement;
    const year = parseCalendarYear(parseCalendarJson(text, `calendar_years[${row.year}]`), undefined, `calendar_years[${row.year}].`);
    if (year.year !== row.year)
      throw new CalendarDataError(
        `calendar_years[${row.year}].year`,
        `the stored arrangement is for ${year.year}`,
        `存储的安排属于 ${year.year} 年`,
      );
    return year;
  });
}

/** The calendar in force: shipped data overlaid by the database's years. */
export async function loadCalendar(db: Kysely<Database>): Promise<WorkingCalendar> {
  return buildCalendar(await importedCalendarYears(db));
}
