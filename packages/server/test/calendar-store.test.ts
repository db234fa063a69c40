import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bothDatabases } from './support/databases.js';
import { CalendarDataError } from '../src/calendar/calendar.js';
import { deadline } from '../src/calendar/clocks.js';
import { importCalendarYear, importedCalendarYears, loadCalendar } from '../src/calendar/store.js';
import { adminImportCalendar } from '../src/serve.js';
import { defaultConfig } from '../src/config.js';

// A made-up 2027 for tests only: no 2027 notice exists in the data.
function year2027(holidayTo = '2027-01-03'): string {
  return JSON.stringify(
    {
      year: 2027,
      sources: [{ title: 'test arrangement (not a real notice)', date: '2026-11-01', url: 'https://www.gov.cn/test/2027.htm' }],
      holidays: [{ name: '元旦', from: '2027-01-01', to: holidayTo }],
      workdays: [{ date: '2027-01-09', for: '元旦' }],
    },
    null,
    2,
  );
}

bothDatabases('calendar import: a new year overlays the shipped data, is audited, and replaces itself', async (_t, under) => {
  const store = await under.open();
  const before = await loadCalendar(store.db);
  assert.equal(before.coveredThrough, '2026-12-31');
  assert.equal(deadline(before, 'complaint-handling', '2026-12-20').provisional, true);

  const first = await importCalendarYear(store.db, year2027());
  assert.deepEqual(first, { year: 2027, replaced: false, shipped: false, coveredThrough: '2027-12-31' });
  // A second connection (another process of the platform) sees the new year.
  const other = await under.open();
  const after = await loadCalendar(other.db);
  assert.equal(after.isWorkingDay('2027-01-01'), false);
  assert.equal(after.isWorkingDay('2027-01-09'), true);
  const d = deadline(after, 'complaint-handling', '2026-12-20');
  assert.equal(d.provisional, false);
  // 2026-12-21..25 and 28..31 are 9; 2027-01-01..03 off; 01-04..08 are 14; Sat 01-09 (worked) is 15.
  assert.equal(d.date, '2027-01-09');

  // Replacing the year: the new arrangement wins, one row, two audit entries.
  const second = await importCalendarYear(store.db, year2027('2027-01-01'));
  assert.equal(second.replaced, true);
  const replaced = await loadCalendar(store.db);
  assert.equal(replaced.isWorkingDay('2027-01-01'), false);
  assert.equal(replaced.isWorkingDay('2027-01-02'), false, 'a Saturday');
  assert.equal((await importedCalendarYears(store.db)).length, 1);
  const audit = await store.db
    .selectFrom('audit_log')
    .select(['action', 'subject', 'detail'])
    .where('action', '=', 'calendar.import')
    .execute();
  assert.equal(audit.length, 2);
  assert.equal(audit[0]?.subject, '2027');
  assert.deepEqual(JSON.parse(audit[1]?.detail ?? '{}').sources, ['https://www.gov.cn/test/2027.htm']);

  // An imported year may replace a shipped one (a corrected notice); coverage is unchanged.
  const shipped2026 = JSON.parse(year2027().replaceAll('2027', '2026').replace('"2026-11-01"', '"2025-11-01"')) as Record<string, unknown>;
  shipped2026.workdays = [];
  const r2026 = await importCalendarYear(store.db, JSON.stringify(shipped2026));
  assert.equal(r2026.shipped, true);
  assert.equal((await loadCalendar(store.db)).isWorkingDay('2026-10-08'), true, 'the imported 2026 lacks 国庆: its own data wins');
});

bothDatabases('calendar import: bad input changes nothing and names the field', async (_t, under) => {
  const store = await under.open();
  const bad = year2027().replace('"2027-01-09"', '"2027-01-02"');
  await assert.rejects(importCalendarYear(store.db, bad), (error: unknown) => {
    assert.ok(error instanceof CalendarDataError);
    assert.equal(error.field, 'workdays[0].date');
    assert.ok(error.line && error.line > 1);
    return true;
  });
  await assert.rejects(
    importCalendarYear(store.db, year2027().replace('https://www.gov.cn/test/2027.htm', 'ftp://gov.cn/x')),
    /sources\[0\]\.url/,
  );
  await assert.rejects(importCalendarYear(store.db, 'x'.repeat(70_000)), /larger than/);
  assert.equal((await importedCalendarYears(store.db)).length, 0);
  assert.equal((await store.db.selectFrom('audit_log').select('id').where('action', '=', 'calendar.import').execute()).length, 0);
});

bothDatabases('admin calendar import FILE (what the CLI runs): reads, validates, stores', async (_t, under) => {
  const config = { ...defaultConfig(), dataDir: under.dataDir, ...(under.url ? { databaseUrl: under.url } : {}) };
  const file = join(under.dataDir, '2027.json');
  writeFileSync(file, year2027());
  // On PostgreSQL the schema is `apprights migrate`'s job: an unmigrated database is named as such.
  if (under.dialect === 'postgres') await assert.rejects(adminImportCalendar(config, file), /apprights migrate/);
  const store = await under.open();
  const result = await adminImportCalendar(config, file);
  assert.equal(result.coveredThrough, '2027-12-31');
  writeFileSync(file, Buffer.from([0xff, 0xfe, 0x7b, 0x00]));
  await assert.rejects(adminImportCalendar(config, file), /not UTF-8/);
  await assert.rejects(adminImportCalendar(config, join(under.dataDir, 'missing.json')), /ENOENT/);
  assert.equal((await loadCalendar(store.db)).coveredThrough, '2027-12-31');
});
