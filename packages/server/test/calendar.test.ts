import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  CalendarCoverageError,
  CalendarDataError,
  WorkingCalendar,
  buildCalendar,
  parseCalendarFile,
  parseCalendarJson,
  parseCalendarYear,
  shippedCalendarYears,
  type CalendarYear,
} from '../src/calendar/calendar.js';
import { CLOCKS, deadline } from '../src/calendar/clocks.js';
import { TestClock, today } from '../src/calendar/clock.js';
import { dayNumber, fromDayNumber, isPlainDate, shanghaiDate, weekday } from '../src/calendar/dates.js';

const calendar = buildCalendar();

test('the shipped data covers 2020–2026, each year with its gov.cn notice and date', () => {
  assert.equal(calendar.coveredFrom, '2020-01-01');
  assert.equal(calendar.coveredThrough, '2026-12-31');
  assert.deepEqual(calendar.coveredYears(), [2020, 2021, 2022, 2023, 2024, 2025, 2026]);
  for (const year of shippedCalendarYears()) {
    assert.ok(year.sources.length > 0);
    for (const source of year.sources) {
      assert.match(source.url, /^https?:\/\/www\.gov\.cn\/zhengce\//, `${year.year}: ${source.url}`);
      assert.ok(isPlainDate(source.date));
      assert.ok(source.date < `${year.year}-12-31`, 'a notice precedes (or, 2020, falls within) its year');
    }
  }
});

test('every day of 2020–2026 agrees with chinese-days (independent transcription)', async () => {
  // chinese-days builds its tables through dayjs in the process's time zone when it loads: loaded
  // west of UTC it answers for the wrong day (found running this test with
  // TZ=America/Los_Angeles). So it is loaded, and asked, in Shanghai time; our own answers do not
  // depend on TZ (next test). It is CommonJS: its functions hang off the default export.
  const saved = process.env.TZ;
  process.env.TZ = 'Asia/Shanghai';
  try {
    const chineseDays = (await import('chinese-days')).default;
    const disagreements: string[] = [];
    let days = 0;
    for (let d = dayNumber('2020-01-01'); d <= dayNumber('2026-12-31'); d++) {
      const date = fromDayNumber(d);
      days++;
      if (calendar.isWorkingDay(date) !== chineseDays.isWorkday(date)) disagreements.push(date);
    }
    assert.equal(days, 2557);
    assert.deepEqual(disagreements, []);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('our answers are the same in any process time zone', () => {
  const saved = process.env.TZ;
  const answers = (): string[] => [
    calendar.addWorkingDays('2025-09-26', 15).date,
    shanghaiDate(Date.UTC(2025, 8, 25, 16, 30)),
    String(weekday('2026-02-14')),
    String(calendar.isWorkingDay('2020-01-19')),
  ];
  try {
    const all = ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Shanghai'].map((tz) => {
      process.env.TZ = tz;
      return answers().join(' ');
    });
    assert.deepEqual(new Set(all).size, 1, all.join(' | '));
    assert.equal(all[0], '2025-10-23 2025-09-26 6 true');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('the issue vector: received 2025-09-26, the 15th working day is 2025-10-23 (start day not counted)', () => {
  const result = calendar.addWorkingDays('2025-09-26', 15);
  assert.deepEqual(result, { date: '2025-10-23', provisional: false, uncoveredYears: [] });
  // The count: Sun 09-28 (make-up) is the 1st, 09-29 and 09-30, then 10-01..10-08 off, 10-09, 10-10,
  // Sat 10-11 (make-up) is the 6th, and nine more weekdays to Thursday 10-23.
  assert.equal(calendar.addWorkingDays('2025-09-26', 1).date, '2025-09-28');
  assert.equal(calendar.addWorkingDays('2025-09-26', 4).date, '2025-10-09');
  assert.equal(calendar.addWorkingDays('2025-09-26', 6).date, '2025-10-11');
  assert.equal(calendar.addWorkingDays('2025-09-26', 0).date, '2025-09-26');
  assert.equal(deadline(calendar, 'complaint-handling', '2025-09-26').date, '2025-10-23');
});

test('day kinds around 国庆 and 春节, with make-up workdays', () => {
  assert.deepEqual(calendar.dayInfo('2025-09-28'), {
    date: '2025-09-28',
    covered: true,
    working: true,
    kind: 'make-up-workday',
    name: '国庆节、中秋节',
  });
  assert.equal(calendar.dayInfo('2025-10-03').kind, 'holiday');
  assert.equal(calendar.dayInfo('2025-10-12').kind, 'weekend');
  assert.equal(calendar.dayInfo('2025-10-13').kind, 'workday');
  // 2020: the extension made the first notice's make-up Saturday 02-01 a day off.
  assert.equal(calendar.isWorkingDay('2020-01-19'), true);
  assert.equal(calendar.isWorkingDay('2020-02-01'), false);
  assert.equal(calendar.isWorkingDay('2020-02-03'), true);
  // 2026 春节: 02-15..02-23 off; Sat 02-14 and Sat 02-28 worked.
  assert.equal(calendar.isWorkingDay('2026-02-14'), true);
  assert.equal(calendar.isWorkingDay('2026-02-23'), false);
  assert.equal(calendar.isWorkingDay('2026-02-28'), true);
});

test('deadlines across holidays and make-up days', () => {
  // Received Friday before 春节 2026 (2026-02-13): Sat 02-14 worked is day 1; 02-15..23 off; then
  // 02-24..02-27 are days 2–5, Sat 02-28 is day 6: acceptance (5 working days) ends 02-27.
  assert.equal(deadline(calendar, 'appeal-acceptance', '2026-02-13').date, '2026-02-27');
  assert.equal(calendar.addWorkingDays('2026-02-13', 6).date, '2026-02-28');
  // 15 working days from 2026-02-13: 02-14, 02-24..28 (6), 03-02..06 (11), 03-09..12 → 03-12.
  assert.equal(deadline(calendar, 'complaint-handling', '2026-02-13').date, '2026-03-12');
  // Across a year end: received 2025-12-31, 2026-01-01..03 off, Sun 01-04 worked (day 1).
  assert.equal(calendar.addWorkingDays('2025-12-31', 1).date, '2026-01-04');
  assert.equal(deadline(calendar, 'appeal-acceptance', '2025-12-31').date, '2026-01-08');
  // Calendar-day clocks count every day: 15 days from 2025-09-26 is 10-11, 30 from 09-30 is 10-30.
  assert.equal(deadline(calendar, 'operator-reply', '2025-09-26').date, '2025-10-11');
  assert.equal(deadline(calendar, 'mediation', '2025-09-30').date, '2025-10-30');
  // Renewal: the reminder is due at the latest 5 days before the charge.
  assert.equal(deadline(calendar, 'renewal-reminder', '2025-10-03').date, '2025-09-28');
  // Rolling a calendar-day deadline off a holiday (民法典 203), when a clock asks for it.
  assert.deepEqual(calendar.addCalendarDays('2025-09-26', 7, { rollToWorkingDay: true }), {
    date: '2025-10-09',
    provisional: false,
    uncoveredYears: [],
  });
  for (const clock of Object.values(CLOCKS)) assert.ok(clock.source.title && clock.source.locator);
});

test('past coveredThrough: provisional, by the weekend rule only, never guessed holidays', () => {
  // 2027-01-01 is a Friday: chinese-days calls it a workday; we do not know it.
  assert.throws(() => calendar.isWorkingDay('2027-01-01'), CalendarCoverageError);
  assert.equal(calendar.dayInfo('2027-01-01').covered, false);
  const late = deadline(calendar, 'complaint-handling', '2026-12-20');
  assert.equal(late.provisional, true);
  assert.deepEqual(late.uncoveredYears, [2027]);
  assert.equal(late.beyondCoverage, true);
  assert.equal(late.date, '2027-01-08', 'weekdays only after 2026-12-31');
  // Fully inside 2026: not provisional.
  assert.equal(deadline(calendar, 'complaint-handling', '2026-11-02').provisional, false);
  // A calendar-day clock's date does not depend on holidays: exact, but flagged beyond coverage.
  const reply = deadline(calendar, 'operator-reply', '2026-12-25');
  assert.equal(reply.provisional, false);
  assert.equal(reply.beyondCoverage, true);
  // Before the first year too.
  assert.equal(calendar.addWorkingDays('2019-12-30', 2).provisional, true);
  // An imported 2027 removes the flag.
  const with2027 = buildCalendar([year2027()]);
  assert.equal(with2027.coveredThrough, '2027-12-31');
  assert.equal(deadline(with2027, 'complaint-handling', '2026-12-20').provisional, false);
  assert.equal(with2027.isWorkingDay('2027-01-01'), false);
});

test('dates are Asia/Shanghai whatever TZ the process runs in; the test clock jumps days', () => {
  // 2025-09-25T16:30Z is 00:30 on the 26th in Shanghai.
  assert.equal(shanghaiDate(Date.UTC(2025, 8, 25, 16, 30)), '2025-09-26');
  assert.equal(shanghaiDate(Date.UTC(2025, 8, 25, 15, 59)), '2025-09-25');
  assert.equal(weekday('2025-09-26'), 5);
  const clock = new TestClock('2025-09-26');
  assert.equal(today(clock), '2025-09-26');
  clock.advanceDays(27);
  assert.equal(today(clock), '2025-10-23');
  clock.jumpTo('2026-01-04');
  assert.equal(today(clock), '2026-01-04');
  assert.throws(() => clock.advance(-1), RangeError);
  assert.throws(() => clock.jumpTo('2025-01-01'), RangeError);
});

test('bad counts and dates are refused with a message', () => {
  assert.throws(() => calendar.addWorkingDays('2025-02-30', 1), /2025-02-30/);
  assert.throws(() => calendar.addWorkingDays('2025-01-01', -1), /whole number/);
  assert.throws(() => calendar.addWorkingDays('2025-01-01', 1.5), /whole number/);
  assert.throws(() => calendar.addWorkingDays('2025-01-01', 1e9), /whole number/);
});

function year2027(): CalendarYear {
  // A made-up arrangement for tests only (no 2027 notice is in the data).
  return {
    year: 2027,
    sources: [{ title: 'test arrangement', date: '2026-11-01', url: 'https://www.gov.cn/test/2027.htm' }],
    holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
    workdays: [],
  };
}

function importText(patch: (y: Record<string, unknown>) => void): string {
  const y = JSON.parse(JSON.stringify(year2027())) as Record<string, unknown>;
  y.workdays = [{ date: '2027-01-09', for: '元旦' }];
  patch(y);
  return JSON.stringify(y, null, 2);
}

function importError(text: string): CalendarDataError {
  try {
    parseCalendarYear(parseCalendarJson(text), text);
  } catch (error) {
    assert.ok(error instanceof CalendarDataError, String(error));
    return error;
  }
  assert.fail('accepted');
}

test('import validation names the field and the line', () => {
  assert.equal(parseCalendarYear(JSON.parse(importText(() => {}))).year, 2027);
  let e = importError(importText((y) => ((y.holidays as { to: string }[])[0]!.to = '2028-01-02')));
  assert.equal(e.field, 'holidays[0].to');
  assert.match(e.message, /not in 2027/);
  assert.ok(e.line && e.line > 1);
  e = importError(importText((y) => (y.workdays = [{ date: '2027-01-02' }])));
  assert.equal(e.field, 'workdays[0].date');
  assert.match(e.message, /both a day off/);
  e = importError(importText((y) => (y.workdays = [{ date: '2027-01-05' }])));
  assert.match(e.message, /weekday/);
  e = importError(importText((y) => delete (y.sources as Record<string, unknown>[])[0]!.url));
  assert.equal(e.field, 'sources[0].url');
  e = importError(importText((y) => ((y.sources as Record<string, unknown>[])[0]!.url = 'https://news.example.com/gov.cn/2027')));
  assert.equal(e.field, 'sources[0].url');
  e = importError(importText((y) => (y.sources = [])));
  assert.equal(e.field, 'sources');
  e = importError(importText((y) => ((y.holidays as { from: string }[])[0]!.from = '2027-02-30')));
  assert.equal(e.field, 'holidays[0].from');
  e = importError(importText((y) => (y.extra = 1)));
  assert.equal(e.field, 'extra');
  e = importError(importText((y) => (y.year = '2027')));
  assert.equal(e.field, 'year');
  e = importError('{\n  "year": 2027,\n  "sources": [\n}');
  assert.equal(e.field, 'file');
  assert.equal(e.line, 4, 'the stray } on line 4');
  assert.equal(importError('{\n  "year": 2027\n  "sources": []\n}').line, 3);
  assert.equal(importError('{\n  "year": ').line, 2);
  // A byte order mark is fine.
  assert.equal(parseCalendarYear(parseCalendarJson(`\ufeff${importText(() => {})}`)).year, 2027);
});

test('the shipped file validates, and a wrong coveredThrough is caught', () => {
  const text = readFileSync(new URL('../data/cn-working-days.json', import.meta.url), 'utf8');
  assert.equal(parseCalendarFile(text).years.length, 7);
  assert.throws(
    () => parseCalendarFile(text.replace('"coveredThrough": "2026-12-31"', '"coveredThrough": "2027-12-31"')),
    /coveredThrough/,
  );
  assert.throws(() => new WorkingCalendar([]), CalendarDataError);
});
