import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock } from '../src/calendar/clock.js';
import { csvCell } from '../src/workflows/complaints/csv.js';
import { COMPLAINTS_PER_HOUR, complaintsWorkflow, quarterRange, runComplaintDeadlines } from '../src/workflows/complaints/index.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';
import { listedApp } from './support/listed.js';

test('CSV cells: formulas are neutralised, quotes doubled, numbers kept', () => {
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const start of ['+', '-', '@', '\t', '\r']) assert.equal(csvCell(`${start}1`), `"'${start}1"`);
  assert.equal(csvCell(-0.5), '-0.5');
  assert.equal(csvCell('示例 "公司"'), '"示例 ""公司"""');
  assert.deepEqual(quarterRange('2025-Q3'), { from: '2025-07-01', to: '2025-09-30' });
});

bothDatabases(
  'complaints: anonymous form, operator-only handling, deadlines across the National Day holiday, escalation, KPI and CSV',
  async (_t, under) => {
    // Friday 2025-09-26, 09:00 in Shanghai: the 15th working day is 2025-10-23 (the calendar's vector),
    // the 5th is 2025-10-10 (Sunday 09-28 is a make-up workday; 10-01 to 10-08 are off).
    const clock = new TestClock('2025-09-26');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const store = await member(h.platform, 'store-1', 'store-admin');
      const operator = await member(h.platform, 'dev-a', 'developer');
      const otherDev = await member(h.platform, 'dev-b', 'developer');
      const regulator = await member(h.platform, 'miit', 'regulator');
      await db
        .updateTable('organisations')
        .set({ name: '=HYPERLINK("http://evil.example","A 公司")' })
        .where('id', '=', operator.orgId)
        .execute();
      const app = await listedApp(db, { storeId: store.orgId, developerOrgId: operator.orgId, packageName: 'com.example.shop' });
      const gone = await listedApp(db, { storeId: store.orgId, developerOrgId: operator.orgId, packageName: 'com.example.gone' });
      await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', gone.listingId).execute();

      const form = (listing: string, payload: unknown, ip = '198.51.100.7') =>
        h.app.inject({
          method: 'POST',
          url: `/api/v1/public/listings/${listing}/complaints`,
          payload: payload as object,
          remoteAddress: ip,
        });
      const complaint = {
        category: 'personal-information',
        text: 'The app reads my contacts before I agree.',
        contact: 'user@example.com',
      };

      // Bad input, each naming the field.
      for (const [payload, pointer] of [
        [{ ...complaint, text: 'short' }, '/text'],
        [{ ...complaint, text: 'bell \u0007 inside the text body' }, '/text'],
        [{ ...complaint, contact: 'x'.repeat(201) }, '/contact'],
        [{ ...complaint, category: 'spam' }, '/category'],
        [{ ...complaint, extra: 1 }, '/extra'],
      ] as const) {
        const res = await form(app.listingId, payload, '203.0.113.9');
        assert.equal(res.statusCode, 400, res.body);
        assert.ok(
          (res.json() as { errors: { pointer: string }[] }).errors.some((e) => e.pointer === pointer),
          `${pointer}: ${res.body}`,
        );
      }
      assert.equal((await form(gone.listingId, complaint, '203.0.113.10')).statusCode, 404, 'a delisted app');

      // The form's description: anonymous, cacheable, 304 when unchanged.
      const described = await h.app.inject({ method: 'GET', url: `/api/v1/public/listings/${app.listingId}/complaint-form` });
      assert.equal(described.statusCode, 200, described.body);
      assert.equal((described.json() as { categories: { id: string; zh: string }[] }).categories[0]!.id, 'personal-information');
      assert.match(String(described.headers['cache-control']), /max-age/);
      const etag = String(described.headers.etag);
      const again = await h.app.inject({
        method: 'GET',
        url: `/api/v1/public/listings/${app.listingId}/complaint-form`,
        headers: { 'if-none-match': etag },
      });
      assert.equal(again.statusCode, 304);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/public/listings/${gone.listingId}/complaint-form` })).statusCode,
        404,
      );
      const filed = await form(app.listingId, complaint);
      assert.equal(filed.statusCode, 201, filed.body);
      const c1 = filed.json() as { id: string; acceptDue: string; answerDue: string; receivedOn: string; provisional: boolean };
      assert.deepEqual(
        { ...c1, id: undefined },
        {
          id: undefined,
          state: 'received',
          receivedOn: '2025-09-26',
          acceptDue: '2025-10-10',
          answerDue: '2025-10-23',
          provisional: false,
        },
      );
      const c2 = (await form(app.listingId, { category: 'other', text: 'Nobody answers the hotline at all.' })).json() as { id: string };
      const c3 = (await form(app.listingId, { category: 'account-deletion', text: 'I cannot delete my account anywhere.' })).json() as {
        id: string;
      };
      // The rate limit per address (three were accepted above from this address; the bad ones came from others).
      let limited = 0;
      for (let i = 0; i < COMPLAINTS_PER_HOUR; i++) {
        const r = await form(app.listingId, complaint);
        if (r.statusCode === 429) assert.match(r.body, /per hour/);
        if (r.statusCode === 429) limited++;
      }
      assert.equal(limited, 3, 'the address may file 5 an hour');
      const extra = await db.selectFrom('complaints').select('id').where('id', 'not in', [c1.id, c2.id, c3.id]).execute();
      await db
        .deleteFrom('complaints')
        .where(
          'id',
          'in',
          extra.map((e) => e.id),
        )
        .execute();
      await db
        .deleteFrom('notifications')
        .where(
          'subject',
          'in',
          extra.map((e) => e.id),
        )
        .execute();

      // Anonymous reaches only the form; operators only their own; the regulator reads but does not handle.
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/complaints' })).statusCode, 401);
      assert.equal((await h.app.inject({ method: 'POST', url: `/api/v1/complaints/${c1.id}/accept`, payload: {} })).statusCode, 401);
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/complaints/${c1.id}`, headers: bearer(otherDev) })).statusCode, 404);
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/v1/complaints/${c1.id}/accept`, headers: bearer(otherDev), payload: {} }))
          .statusCode,
        404,
      );
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/v1/complaints/${c1.id}/accept`, headers: bearer(regulator), payload: {} }))
          .statusCode,
        403,
      );
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/complaints', headers: bearer(store) })).statusCode, 403);
      assert.equal(
        ((await h.app.inject({ method: 'GET', url: '/api/v1/complaints', headers: bearer(otherDev) })).json() as { items: unknown[] }).items
          .length,
        0,
      );
      assert.equal(
        ((await h.app.inject({ method: 'GET', url: '/api/v1/complaints', headers: bearer(operator) })).json() as { items: unknown[] }).items
          .length,
        3,
      );
      const inbox = await db.selectFrom('notifications').select(['topic', 'due_at']).where('org_id', '=', operator.orgId).execute();
      assert.equal(inbox.filter((n) => n.topic === 'complaint.received').length, 3);

      // During the holiday (Friday 10-03) nothing is due within a working day: no reminder yet.
      clock.jumpTo('2025-10-03');
      assert.deepEqual(await runComplaintDeadlines(h.platform, clock.now()), { reminded: 0, escalated: 0 });
      // Thursday 10-09, the working day before the acceptance date: one reminder each, once.
      clock.jumpTo('2025-10-09');
      // Through the scheduled task, as the scheduler's lease holder runs it (time from the platform's clock).
      const [task] = complaintsWorkflow.tasks!(h.platform);
      await task!.run(h.platform.store, 0);
      assert.equal(
        (await db.selectFrom('notifications').select('id').where('topic', '=', 'complaint.reminder.accept').execute()).length,
        3,
      );
      assert.deepEqual(await runComplaintDeadlines(h.platform, clock.now()), { reminded: 0, escalated: 0 });
      for (const id of [c1.id, c3.id]) {
        const res = await h.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/accept`, headers: bearer(operator), payload: {} });
        assert.equal(res.statusCode, 200, res.body);
      }
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/v1/complaints/${c1.id}/accept`, headers: bearer(operator), payload: {} }))
          .statusCode,
        409,
      );
      // Saturday 10-11 is a make-up workday and the day after c2's acceptance date: escalated to the regulator.
      clock.jumpTo('2025-10-11');
      assert.deepEqual(await runComplaintDeadlines(h.platform, clock.now()), { reminded: 0, escalated: 1 });
      const toRegulator = await db.selectFrom('notifications').select(['topic', 'subject']).where('org_id', '=', regulator.orgId).execute();
      assert.deepEqual(toRegulator, [{ topic: 'complaint.escalated', subject: c2.id }]);
      // 10-20: three working days before 10-23, the answer reminders (c1, c3).
      clock.jumpTo('2025-10-20');
      assert.deepEqual(await runComplaintDeadlines(h.platform, clock.now()), { reminded: 2, escalated: 0 });
      // c1 answered on the due date; c3 never: escalated on 10-24.
      clock.jumpTo('2025-10-23');
      const answered = await h.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${c1.id}/answer`,
        headers: bearer(operator),
        payload: { answer: 'Fixed in 2.1: contacts are read only after consent.' },
      });
      assert.equal(answered.statusCode, 200, answered.body);
      assert.equal((answered.json() as { answeredOn: string }).answeredOn, '2025-10-23');
      clock.jumpTo('2025-10-24');
      assert.deepEqual(await runComplaintDeadlines(h.platform, clock.now()), { reminded: 0, escalated: 1 });
      assert.equal(
        (
          await h.app.inject({
            method: 'POST',
            url: `/api/v1/complaints/${c3.id}/answer`,
            headers: bearer(operator),
            payload: { answer: 'late' },
          })
        ).statusCode,
        409,
      );
      const closed = await h.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${c1.id}/close`,
        headers: bearer(operator),
        payload: {},
      });
      assert.equal(closed.statusCode, 200, closed.body);
      const states = await db.selectFrom('complaints').select(['id', 'state']).orderBy('id').execute();
      assert.deepEqual(
        states.map((s) => s.state),
        ['closed', 'escalated', 'escalated'],
      );
      const audit = await db.selectFrom('audit_log').select('action').where('subject', '=', c1.id).orderBy('id').execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['complaint.receive', 'complaint.remind', 'complaint.accepted', 'complaint.remind', 'complaint.answered', 'complaint.closed'],
      );

      // KPI: 1 of 3 on time in 2025-Q3 (received 09-26): below the 95 % target.
      const kpi = await h.app.inject({ method: 'GET', url: '/api/v1/complaints/kpi?quarter=2025-Q3', headers: bearer(regulator) });
      assert.equal(kpi.statusCode, 200, kpi.body);
      const row = (kpi.json() as { items: Record<string, unknown>[] }).items[0]!;
      assert.deepEqual(
        { received: row.received, onTime: row.answeredOnTime, overdue: row.overdue, rate: row.onTimeRate, meets: row.meetsTarget },
        { received: 3, onTime: 1, overdue: 2, rate: 0.3333, meets: false },
      );
      assert.deepEqual(
        (await h.app.inject({ method: 'GET', url: '/api/v1/complaints/kpi?quarter=2025-Q3', headers: bearer(otherDev) })).json().items,
        [],
      );
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/api/v1/complaints/kpi?quarter=2025-13', headers: bearer(operator) })).statusCode,
        400,
      );
      const csv = await h.app.inject({ method: 'GET', url: '/api/v1/complaints/kpi.csv?quarter=2025-Q3', headers: bearer(operator) });
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const [header, line] = csv.body.split('\r\n');
      assert.match(header!, /^"quarter","operator_id","operator"/);
      assert.ok(line!.includes(`"'=HYPERLINK(""http://evil.example"",""A 公司"")"`), line);

      // A complaint whose 15 working days run past the calendar's data is marked provisional.
      clock.jumpTo('2026-12-21');
      const late = (await form(app.listingId, complaint, '192.0.2.1')).json() as { answerDue: string; provisional: boolean };
      assert.equal(late.provisional, true);
      assert.ok(late.answerDue > '2026-12-31');
    } finally {
      await h.close();
    }
  },
);
