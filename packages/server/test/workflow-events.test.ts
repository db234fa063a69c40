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

bothDatabases(
  'workflow events: a busy minute (more settled events behind the cursor than one batch) does not stall the dispatcher',
  async (t, under) => {
    // The bench's 10,000-app campaign: job results arrive at ~70 a second, so the 60 s the
    // dispatcher reads behind its cursor holds thousands of settled events. Reading them oldest first
    // in batches of `limit` returned the same settled batch for ever and the campaign's results
    // never reached its triage list.
    const p = await testPlatform(under);
    t.after(() => p.close());
    const seen = new Set<number>();
    const modules: WorkflowModule[] = [
      {
        name: 'busy',
        access: {},
        on: {
          'thing.done': async (_platform, event) => {
            seen.add((event.payload as { n: number }).n);
          },
        },
      },
    ];
    const start = Date.now();
    // 100 events in one second, then 100 more a second later (all within the 60 s window), with
    // unrelated topics interleaved; batches of 40.
    for (let n = 0; n < 200; n++) {
      await addOutbox(p.store.db, 'thing.done', { n }, start + Math.floor(n / 100) * 1000 + (n % 100));
      if (n % 5 === 0) await addOutbox(p.store.db, 'other.topic', { n }, start + n);
    }
    for (let i = 0; i < 20 && seen.size < 200; i++) await dispatchEvents(p, { modules, limit: 40 });
    assert.equal(seen.size, 200, 'every event reached its handler');
    // Events arriving later (while the dispatcher runs) are still delivered, once.
    for (let n = 200; n < 260; n++) await addOutbox(p.store.db, 'thing.done', { n }, start + 3000 + n);
    const more = await dispatchEvents(p, { modules, limit: 40 });
    assert.equal(more.delivered, 40);
    const rest = await dispatchEvents(p, { modules, limit: 40 });
    assert.equal(rest.delivered, 20);
    assert.equal((await dispatchEvents(p, { modules, limit: 40 })).delivered, 0);
    assert.equal(seen.size, 260);
  },
);

bothDatabases(
  'workflow events: a handler failing inside a batch fails alone; the batch before and after it takes effect once',
  async (t, under) => {
    const p = await testPlatform(under);
    t.after(() => p.close());
    let failOn = 3;
    const runs: number[] = [];
    const modules: WorkflowModule[] = [
      {
        name: 'batch',
        access: {},
        on: {
          'thing.done': async (_platform, event, trx) => {
            const n = (event.payload as { n: number }).n;
            runs.push(n);
            await trx
              .insertInto('scheduler_runs')
              .values({ task: `batch:${n}`, last_run_at: 1, last_error: null })
              .execute();
            if (n === failOn) throw new Error(`broken on ${n}`);
          },
        },
      },
    ];
    for (let n = 0; n < 8; n++) await addOutbox(p.store.db, 'thing.done', { n });
    const first = await dispatchEvents(p, { modules });
    assert.deepEqual(first, { delivered: 7, failed: 1 });
    // Rolled back once by the failure, 0–2 ran again in a batch of their own; 3 ran once (its failure
    // is recorded, not run again); 4–7 once.
    assert.deepEqual(runs, [0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7]);
    const tasks = async () =>
      (await p.store.db.selectFrom('scheduler_runs').select('task').where('task', 'like', 'batch:%').orderBy('task').execute()).map(
        (r) => r.task,
      );
    assert.deepEqual(await tasks(), ['batch:0', 'batch:1', 'batch:2', 'batch:4', 'batch:5', 'batch:6', 'batch:7']);
    const failed = await p.store.db.selectFrom('event_deliveries').selectAll().where('state', '=', 'failed').execute();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.attempts, 1);
    assert.match(failed[0]!.last_error ?? '', /broken on 3/);
    // The next dispatch retries only the failed one.
    failOn = -1;
    runs.length = 0;
    assert.deepEqual(await dispatchEvents(p, { modules }), { delivered: 1, failed: 0 });
    assert.deepEqual(runs, [3]);
    assert.equal((await tasks()).length, 8);
    assert.deepEqual(await dispatchEvents(p, { modules }), { delivered: 0, failed: 0 });
  },
);

bothDatabases(
  'workflow events: a batch form takes runs of events; when it throws, the events go one at a time and only the failing one fails',
  async (t, under) => {
    const p = await testPlatform(under);
    t.after(() => p.close());
    const calls: number[][] = [];
    const record = async (trx: Parameters<NonNullable<WorkflowModule['onBatch']>[string]>[2], ns: number[]) => {
      calls.push(ns);
      if (ns.includes(4)) throw new Error('broken on 4');
      for (const n of ns)
        await trx
          .insertInto('scheduler_runs')
          .values({ task: `run:${n}`, last_run_at: 1, last_error: null })
          .execute();
    };
    const n = (event: { payload: unknown }) => (event.payload as { n: number }).n;
    const modules: WorkflowModule[] = [
      {
        name: 'runs',
        access: {},
        on: { 'thing.done': (_platform, event, trx) => record(trx, [n(event)]) },
        onBatch: { 'thing.done': (_platform, events, trx) => record(trx, events.map(n)) },
      },
    ];
    for (let i = 0; i < 3; i++) await addOutbox(p.store.db, 'thing.done', { n: i });
    assert.deepEqual(await dispatchEvents(p, { modules }), { delivered: 3, failed: 0 });
    assert.deepEqual(calls, [[0, 1, 2]], 'one call for the run');
    calls.length = 0;
    for (let i = 3; i < 7; i++) await addOutbox(p.store.db, 'thing.done', { n: i });
    assert.deepEqual(await dispatchEvents(p, { modules }), { delivered: 3, failed: 1 });
    assert.deepEqual(calls, [[3, 4, 5, 6], [3], [4], [5], [6]]);
    const tasks = await p.store.db.selectFrom('scheduler_runs').select('task').where('task', 'like', 'run:%').orderBy('task').execute();
    assert.deepEqual(
      tasks.map((r) => r.task),
      ['run:0', 'run:1', 'run:2', 'run:3', 'run:5', 'run:6'],
    );
  },
);
