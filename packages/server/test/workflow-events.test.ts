import assert from 'node:assert/strict';
import { bothDatabases } from './support/databases.js';
import { testPlatform } from './support/jobs.js';
import { addOutbox } from '../src/jobs/sql.js';
import { dispatchEvents, MAX_ATTEMPTS } from '../src/workflows/events.js';
import type { WorkflowModule } from '../src/workflows/module.js';

bothDatabases('workflow events: each handler sees each event once, across two dispatchers and a retry', async (_t, under) => {
  const p = await testPlatform(under);
  const p2 = { ...p, store: await under.open() };
  const seen: string[] = [];
  let failNext = 1;
  const modules: WorkflowModule[] = [
    {
      name: 'a',
      access: {},
      on: {
        'thing.done': async (_platform, event, trx) => {
          // The handler's own write commits with its delivery record.
          await trx
            .insertInto('scheduler_runs')
            .values({ task: `a:${event.id}`, last_run_at: 1, last_error: null })
            .execute();
          seen.push(`a:${(event.payload as { n: number }).n}`);
        },
      },
    },
    {
      name: 'b',
      access: {},
      on: {
        'thing.done': async (_platform, event) => {
          if (failNext-- > 0) throw new Error('transient');
          seen.push(`b:${(event.payload as { n: number }).n}`);
        },
      },
    },
  ];
  for (let n = 0; n < 3; n++) await addOutbox(p.store.db, 'thing.done', { n });
  await addOutbox(p.store.db, 'other.topic', { n: 99 });
  // Two dispatchers at once on PostgreSQL; on SQLite one process's two connections cannot interleave
  // write transactions (better-sqlite3 waits synchronously on the lock), so there they take turns.
  const [first, second] = under.url
    ? await Promise.all([dispatchEvents(p, { modules }), dispatchEvents(p2, { modules })])
    : [await dispatchEvents(p, { modules }), await dispatchEvents(p2, { modules })];
  assert.equal(first.failed + second.failed, 1, 'b failed once');
  await dispatchEvents(p, { modules });
  await dispatchEvents(p2, { modules });
  assert.deepEqual(seen.filter((s) => s.startsWith('a:')).sort(), ['a:0', 'a:1', 'a:2']);
  assert.deepEqual(seen.filter((s) => s.startsWith('b:')).sort(), ['b:0', 'b:1', 'b:2'], 'the failed delivery was retried, once');
  const rows = await p.store.db.selectFrom('scheduler_runs').select('task').where('task', 'like', 'a:%').execute();
  assert.equal(rows.length, 3);
  await p.close();
  await p2.store.close();
});

bothDatabases('workflow events: a handler failing every time is given up after its attempts, with its error kept', async (_t, under) => {
  const p = await testPlatform(under);
  const modules: WorkflowModule[] = [
    {
      name: 'c',
      access: {},
      on: {
        'x.y': async () => {
          throw new Error('always broken');
        },
      },
    },
  ];
  await addOutbox(p.store.db, 'x.y', {});
  for (let i = 0; i < MAX_ATTEMPTS + 2; i++) await dispatchEvents(p, { modules });
  const row = await p.store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.state, 'dead');
  assert.equal(row.attempts, MAX_ATTEMPTS);
  assert.match(row.last_error ?? '', /always broken/);
  await p.close();
});
