import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWhen, splitCsv } from '../src/workflows/renewals/parse.js';
import { dayNumber } from '../src/calendar/dates.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

test('renewal dates: dates, times with offsets (to the Shanghai date), and impossible ones', () => {
  assert.equal(parseWhen('2025-10-06'), dayNumber('2025-10-06'));
  assert.equal(parseWhen('2025-10-05T16:30:00Z'), dayNumber('2025-10-06'), '00:30 in Shanghai');
  assert.equal(parseWhen('2025-10-06T00:30'), dayNumber('2025-10-06'), 'no offset: Shanghai time');
  assert.equal(parseWhen('2025-10-06T07:00:00-05:00'), dayNumber('2025-10-06'));
  for (const bad of ['2025-02-30', '2025-13-01', '06/10/2025', '2025-10-06T24:00', '1899-01-01', '2025-10-06T10:00+99:00', ''])
    assert.equal(typeof parseWhen(bad), 'string', bad);
  assert.deepEqual(splitCsv('a,"b,""c""",,d'), ['a', 'b,"c"', '', 'd']);
  assert.equal(typeof splitCsv('a,"b'), 'string');
  assert.equal(typeof splitCsv('a,b"c'), 'string');
});

const CHARGES_HEADER = 'package_name,subscription_id,charged_at,amount,currency,product';

bothDatabases('renewal audit: imports with BOM, bad lines by number, GB18030, and the audit per app and channel', async (_t, under) => {
  const h = await harness(under);
  try {
    const operator = await member(h.platform, 'dev-a', 'developer');
    const other = await member(h.platform, 'dev-b', 'developer');
    const store = await member(h.platform, 'store-1', 'store-admin');
    const vendor = await member(h.platform, 'vendor-1', 'sdk-vendor');
    const post = (who: { token: string } | null, kind: string, contentType: string, payload: Buffer | string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/renewals/imports?kind=${kind}`,
        headers: { ...(who ? bearer(who) : {}), 'content-type': contentType },
        payload,
      });

    const gbProduct = Buffer.from('d6d0cec4bbe1d4b1', 'hex'); // 中文会员 in GB18030
    const charges = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        [
          CHARGES_HEADER,
          'com.example.video,u1,2025-10-06,25.00,CNY,VIP monthly', // 2: SMS on 10-01: in time
          'com.example.video,u2,2025-10-06T00:30:00+08:00,25.00,CNY,', // 3: push on 10-02: late
          'com.example.video,u3,2025-10-06,25.00,CNY,', // 4: e-mail only: not conspicuous
          'com.example.video,u4,2025-10-06,25.00,CNY,', // 5: nothing
          'com.example.video,u5,2025-10-05T16:30:00Z,25.00,CNY,', // 6: 10-06 in Shanghai; SMS 10-01 23:59: in time
          'com.example.video,u6,2025-02-30,25.00,CNY,', // 7: no such date
          'com.example.video,u7,yesterday,25.00,CNY,', // 8
          'com.example.video,,2025-10-06,25.00,CNY,', // 9: no subscription
          'not a package,u8,2025-10-06,25.00,CNY,', // 10
          'com.example.video,u9,2025-10-06', // 11: 3 fields
          'com.example.video,"u10,2025-10-06,1,CNY,x', // 12: unclosed quote
          'com.example.music,m1,2025-11-01,-1,CNY,', // 13: a negative amount
          '',
          'com.example.music,m2,2025-11-01,12.00,CNY,', // 15: nothing
        ].join('\r\n') + '\r\n',
      ),
      Buffer.from('com.example.video,u11,2025-10-06,25.00,CNY,'), // 16: not UTF-8
      gbProduct,
      Buffer.from('\r\n'),
    ]);
    const imported = await post(operator, 'charges', 'text/csv', charges);
    assert.equal(imported.statusCode, 201, imported.body);
    const result = imported.json() as {
      bom: boolean;
      lines: number;
      imported: number;
      rejected: number;
      errors: { line: number; reason: string }[];
      encodingNote: string | null;
    };
    assert.equal(result.bom, true);
    assert.equal(result.lines, 16);
    assert.equal(result.imported, 6);
    assert.deepEqual(
      result.errors.map((e) => e.line),
      [7, 8, 9, 10, 11, 12, 13, 16],
    );
    assert.match(result.errors[0]!.reason, /2025-02-30 does not exist/);
    assert.match(result.errors.at(-1)!.reason, /not valid UTF-8; it reads as GB18030/);
    assert.match(result.encodingNote ?? '', /charset=gb18030/);

    // The same line sent as GB18030 imports, decoded.
    const gb = await post(
      operator,
      'charges',
      'text/csv; charset=gb18030',
      Buffer.concat([Buffer.from(`${CHARGES_HEADER}\ncom.example.video,u11,2025-10-06,25.00,CNY,`), gbProduct, Buffer.from('\n')]),
    );
    assert.equal(gb.statusCode, 201, gb.body);
    assert.equal((gb.json() as { imported: number; encoding: string }).imported, 1);
    const product = await h.platform.store.db
      .selectFrom('renewal_charges')
      .select('product')
      .where('subscription', '=', 'u11')
      .executeTakeFirstOrThrow();
    assert.equal(product.product, '中文会员');

    const reminders = [
      { package_name: 'com.example.video', subscription_id: 'u1', sent_at: '2025-10-01', channel: 'sms' },
      { package_name: 'com.example.video', subscription_id: 'u2', sent_at: '2025-10-02T10:00:00+08:00', channel: 'push' },
      { package_name: 'com.example.video', subscription_id: 'u3', sent_at: '2025-09-28', channel: 'email' },
      { package_name: 'com.example.video', subscription_id: 'u5', sent_at: '2025-10-01T23:59:00+08:00', channel: 'sms' },
      { package_name: 'com.example.video', subscription_id: 'u11', sent_at: '2025-08-01', channel: 'sms' }, // a cycle earlier
      { package_name: 'com.example.video', subscription_id: 'u1', sent_at: '2025-10-01', channel: 'carrier-pigeon' },
    ]
      .map((r) => JSON.stringify(r))
      .concat(['{"package_name": "com.example.video",', '[1,2]'])
      .join('\n');
    const rem = await post(operator, 'reminders', 'application/x-ndjson', reminders);
    assert.equal(rem.statusCode, 201, rem.body);
    const remResult = rem.json() as { imported: number; errors: { line: number; reason: string }[] };
    assert.equal(remResult.imported, 5);
    assert.deepEqual(
      remResult.errors.map((e) => e.line),
      [6, 7, 8],
    );
    assert.match(remResult.errors[0]!.reason, /channel "carrier-pigeon" is not one of sms, push/);

    // File-level faults.
    assert.equal((await post(operator, 'charges', 'text/csv', Buffer.from([0xff, 0xfe, 0x61, 0x00]))).statusCode, 400, 'UTF-16');
    assert.equal((await post(operator, 'charges', 'text/csv', '')).statusCode, 400, 'empty');
    assert.equal((await post(operator, 'charges', 'text/csv', 'a,b\n1,2\n')).statusCode, 400, 'a header without the columns');
    assert.equal((await post(operator, 'charges', 'text/csv; charset=latin1', `${CHARGES_HEADER}\n`)).statusCode, 415);
    assert.equal((await post(operator, 'charges', 'application/json', '{}')).statusCode, 415);

    // Role separation: nobody else reaches the operator's imports or data.
    assert.equal((await post(null, 'charges', 'text/csv', charges)).statusCode, 401);
    assert.equal((await post(store, 'charges', 'text/csv', charges)).statusCode, 403);
    assert.equal((await post(vendor, 'charges', 'text/csv', charges)).statusCode, 403);
    const importId = (imported.json() as { id: string }).id;
    assert.equal(
      (await h.app.inject({ method: 'GET', url: `/api/v1/renewals/imports/${importId}`, headers: bearer(other) })).statusCode,
      404,
    );
    assert.equal(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/renewals/imports/${importId}`, headers: bearer(other) })).statusCode,
      404,
    );
    const theirs = await h.app.inject({ method: 'GET', url: '/api/v1/renewals/audit', headers: bearer(other) });
    assert.deepEqual((theirs.json() as { apps: unknown[] }).apps, []);

    const audit = await h.app.inject({ method: 'GET', url: '/api/v1/renewals/audit', headers: bearer(operator) });
    assert.equal(audit.statusCode, 200, audit.body);
    const body = audit.json() as {
      apps: {
        packageName: string;
        charges: number;
        compliant: number;
        late: number;
        nonConspicuousOnly: number;
        noReminder: number;
        channels: { channel: string; conspicuous: boolean; reminders: number; chargesRemindedInTime: number }[];
      }[];
      examples: { subscription: string; finding: string; latestReminderDate: string }[];
      rule: { reminderDaysBefore: number; conspicuousChannels: string[] };
    };
    assert.equal(body.rule.reminderDaysBefore, 5);
    const video = body.apps.find((a) => a.packageName === 'com.example.video')!;
    assert.deepEqual(
      {
        charges: video.charges,
        compliant: video.compliant,
        late: video.late,
        nonConspicuousOnly: video.nonConspicuousOnly,
        noReminder: video.noReminder,
      },
      { charges: 6, compliant: 2, late: 1, nonConspicuousOnly: 1, noReminder: 2 },
    );
    assert.deepEqual(
      video.channels.map((c) => [c.channel, c.conspicuous, c.reminders, c.chargesRemindedInTime]),
      [
        ['email', false, 1, 1],
        ['push', true, 1, 0],
        ['sms', true, 3, 2],
      ],
    );
    const music = body.apps.find((a) => a.packageName === 'com.example.music')!;
    assert.equal(music.noReminder, 1);
    const u2 = body.examples.find((e) => e.subscription === 'u2')!;
    assert.deepEqual({ finding: u2.finding, latest: u2.latestReminderDate }, { finding: 'late', latest: '2025-10-01' });

    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/renewals/imports/${importId}`, headers: bearer(operator) });
    assert.equal(del.statusCode, 204);
    const after = (
      await h.app.inject({ method: 'GET', url: '/api/v1/renewals/audit?package=com.example.video', headers: bearer(operator) })
    ).json() as { apps: { charges: number }[] };
    assert.equal(after.apps[0]!.charges, 1, 'only the GB18030 import is left');
  } finally {
    await h.close();
  }
});
