import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertNoStack, describeRun, runCli, tempDir } from './helpers.js';

// `apprights admin calendar import FILE` on the embedded store (the PostgreSQL path is tested in
// packages/server/test/calendar-store.test.ts). A made-up 2027: no 2027 notice is in the data.
const YEAR = {
  year: 2027,
  sources: [{ title: 'test arrangement (not a real notice)', date: '2026-11-01', url: 'https://www.gov.cn/test/2027.htm' }],
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
  workdays: [{ date: '2027-01-09', for: '元旦' }],
};

test('admin calendar import: adds a year, replaces it, and refuses bad input by field and line (exit 3)', () => {
  const dir = tempDir();
  try {
    const file = join(dir, '2027.json');
    const data = join(dir, 'data');
    writeFileSync(file, JSON.stringify(YEAR, null, 2));
    let r = runCli(['admin', 'calendar', 'import', file, '--data', data]);
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.stderr, /2027 added; working days known through 2027-12-31/);
    r = runCli(['admin', 'calendar', 'import', file, '--data', data, '--lang', 'zh']);
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.stderr, /2027 年已替换/);
    writeFileSync(file, JSON.stringify({ ...YEAR, workdays: [{ date: '2027-01-02' }] }, null, 2));
    r = runCli(['admin', 'calendar', 'import', file, '--data', data]);
    assert.equal(r.status, 3, describeRun(r));
    assert.match(r.stderr, /workdays\[0\]\.date \(line \d+\): 2027-01-02 is both a day off/);
    assertNoStack(r.stderr);
    writeFileSync(file, '{ "year": 2027,\n  "sources": [ }');
    r = runCli(['admin', 'calendar', 'import', file, '--data', data]);
    assert.equal(r.status, 3, describeRun(r));
    assert.match(r.stderr, /line 2/);
    r = runCli(['admin', 'calendar', 'import', '--help']);
    assert.match(r.stdout, /调休上班/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
