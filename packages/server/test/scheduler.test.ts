import assert from 'node:assert/strict';
import { bothDatabases } from './support/databases.js';
import { startScheduler, type ScheduledTask } from '../src/scheduler.js';
import { newId } from '../src/ids.js';

bothDatabases('the scheduler: one node at a time runs the periodic work; another takes over when it stops', async (_t, under) => {
  const a = await under.open();
  const b = await under.open();
  const runs: string[] = [];
  const task = (node: 'a' | 'b'): ScheduledTask => ({ name: 'count', everyMs: 1, run: async () => void runs.push(node) });
  // Ticks are driven by hand (tickMs far beyond the test) so the order is the test's.
  const first = startScheduler(a, [task('a')], { tickMs: 3_600_000, leaseMs: 60_000 });
  await first.tick();
  const second = startScheduler(b, [task('b')], { tickMs: 3_600_000, leaseMs: 60_000 });
  await second.tick();
  assert.equal(first.isLeader(), true);
  assert.equal(second.isLeader(), false, 'the lease is held: the second node follows');
  await new Promise((r) => setTimeout(r, 5));
  await first.tick();
  await second.tick();
  assert.ok(runs.length >= 1 && runs.every((n) => n === 'a'), `only the leader ran the task: ${runs.join(',')}`);
  await first.stop();
  await second.tick();
  assert.equal(second.isLeader(), true, 'a stopped leader hands over at once');
  const before = runs.length;
  await new Promise((r) => setTimeout(r, 5));
  await second.tick();
  assert.ok((runs as string[]).slice(before).includes('b'), 'the new leader runs the task');
  await second.stop();
});

bothDatabases('the scheduler: a dead leader (no stop) is replaced after its lease; housekeeping prunes old rows', async (_t, under) => {
  const a = await under.open();
  const b = await under.open();
  const dead = startScheduler(a, [], { tickMs: 3_600_000, leaseMs: 150 });
  await dead.tick();
  assert.equal(dead.isLeader(), true);
  // The holder vanishes without a word (as after SIGKILL): its timer is gone, its lease runs out.
  const { coreTasks } = await import('../src/scheduler.js');
  const { defaultConfig } = await import('../src/config.js');
  const config = defaultConfig({ loginFailureWindowMs: 1000 });
  await b.db
    .insertInto('login_failures')
    .values({ id: newId(), key: 'k', at: Date.now() - 10_000 })
    .execute();
  await b.db.insertInto('login_failures').values({ id: newId(), key: 'k', at: Date.now() }).execute();
  const next = startScheduler(b, coreTasks(config), { tickMs: 3_600_000, leaseMs: 150 });
  await next.tick();
  assert.equal(next.isLeader(), false, 'the lease still runs');
  await new Promise((r) => setTimeout(r, 200));
  await next.tick();
  assert.equal(next.isLeader(), true, 'taken over after the lease');
  const left = await b.db.selectFrom('login_failures').select('at').execute();
  assert.equal(left.length, 1, 'the failure older than the window was pruned');
  const recorded = await b.db.selectFrom('scheduler_runs').selectAll().execute();
  assert.deepEqual(recorded.map((r) => r.task).sort(), ['prune-login-failures', 'prune-sessions']);
  await next.stop();
  // The dead one's object is simply dropped; stop() would find it no longer the holder.
  await dead.stop();
});
