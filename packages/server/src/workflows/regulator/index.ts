import { EVERYONE, type Actor, type RouteAccess } from '../../http/access.js';
import type { Platform } from '../../platform.js';
import type { BatchEventHandler, EventHandler, WorkflowModule } from '../module.js';
import { campaignJobFailed, campaignJobsSucceeded } from './campaigns.js';
import { retestFailed, retestSucceeded, startDueRetests } from './bulletins.js';
import { recomputeRankings } from './rankings.js';
import { regulatorRoutes } from './routes.js';

// The regulator's workflow (issue 14 "Regulator" and "Developer credit"): campaigns → triage →
// bulletins → re-test after the deadline → closure or removal order (delisting tasks + the
// `removal-order.issued` event for the stop-access feed); rankings; developer credit and appeals.
// States, clocks and sources: docs/workflows.md "Regulator".

const REGULATOR: readonly Actor[] = ['platform-admin', 'regulator'];
const STORES_AND_REGULATOR: readonly Actor[] = ['platform-admin', 'regulator', 'store-admin', 'store-reviewer'];
/** Who may read a developer's credit: the developer (own only), stores and the regulator (all). */
const CREDIT_READERS: readonly Actor[] = ['platform-admin', 'regulator', 'store-admin', 'store-reviewer', 'developer'];

const regulatorOwn: RouteAccess = { roles: REGULATOR, scope: 'own-organisation' };
const publicRead: RouteAccess = { roles: EVERYONE, scope: 'public' };

const access: Record<string, RouteAccess> = {
  'POST /api/v1/regulator/campaigns': regulatorOwn,
  'GET /api/v1/regulator/campaigns': regulatorOwn,
  'GET /api/v1/regulator/campaigns/:id': regulatorOwn,
  'GET /api/v1/regulator/campaigns/:id/items': regulatorOwn,
  'GET /api/v1/regulator/campaigns/:id/findings': regulatorOwn,
  'POST /api/v1/regulator/findings/:id/triage': regulatorOwn,
  'POST /api/v1/regulator/campaigns/:id/triage': regulatorOwn,
  'POST /api/v1/regulator/bulletins': regulatorOwn,
  'GET /api/v1/regulator/bulletins': regulatorOwn,
  'GET /api/v1/regulator/bulletins/:id': regulatorOwn,
  'POST /api/v1/regulator/bulletins/:id/publish': regulatorOwn,
  'GET /api/v1/regulator/removal-orders': regulatorOwn,
  // The developer asks for an early re-test of its own item; the regulator of any.
  'POST /api/v1/bulletin-items/:id/retest': { roles: ['platform-admin', 'regulator', 'developer'], scope: 'own-organisation' },
  'POST /api/v1/regulator/rankings/recompute': regulatorOwn,
  // A store sees and completes its own delisting tasks; the regulator sees every store's.
  'GET /api/v1/delisting-tasks': { roles: STORES_AND_REGULATOR, scope: 'own-organisation' },
  'POST /api/v1/delisting-tasks/:id/done': { roles: ['platform-admin', 'store-admin'], scope: 'own-organisation' },
  'GET /api/v1/public/bulletins': publicRead,
  'GET /api/v1/public/bulletins/:id': publicRead,
  'GET /api/v1/public/rankings': publicRead,
  'GET /api/v1/public/rankings.csv': publicRead,
  'GET /api/v1/public/developers/:id/risk-prompt': publicRead,
  'GET /api/v1/credit/:id': { roles: CREDIT_READERS, scope: 'own-organisation' },
  // The platform admin may file for a developer (support desk), naming it.
  'POST /api/v1/credit/appeals': { roles: ['platform-admin', 'developer'], scope: 'own-organisation' },
  'GET /api/v1/credit/appeals': { roles: ['platform-admin', 'regulator', 'developer'], scope: 'own-organisation' },
  'POST /api/v1/credit/appeals/:id/decide': regulatorOwn,
};

type JobEvent = { jobId?: unknown; reportId?: unknown; error?: unknown };

/** Detection or re-test jobs that succeeded: their campaign items, then their bulletin re-tests. */
const jobsSucceeded: BatchEventHandler = async (platform, events, trx) => {
  const results: { jobId: string; reportId: string }[] = [];
  for (const event of events) {
    const { jobId, reportId } = (event.payload ?? {}) as JobEvent;
    if (typeof jobId === 'string' && typeof reportId === 'string') results.push({ jobId, reportId });
  }
  if (results.length === 0) return;
  await campaignJobsSucceeded(trx, results, platform.clock.now());
  // Re-tests are few: only the jobs that are one (an index seek for the run) go on to be judged.
  const retests = new Set(
    (
      await trx
        .selectFrom('reg_bulletin_items')
        .select('retest_job_id')
        .where(
          'retest_job_id',
          'in',
          results.map((r) => r.jobId),
        )
        .execute()
    ).map((r) => r.retest_job_id),
  );
  for (const r of results) if (retests.has(r.jobId)) await retestSucceeded(platform, trx, r.jobId, r.reportId);
};

/** A detection or re-test job that ended without a result (failed, dead or cancelled). */
const jobEnded: EventHandler = async (platform, event, trx) => {
  const { jobId, error } = (event.payload ?? {}) as JobEvent;
  if (typeof jobId !== 'string') return;
  const reason = typeof error === 'string' ? error : event.topic;
  await campaignJobFailed(trx, jobId, reason);
  await retestFailed(platform, trx, jobId, reason);
};

export const regulatorWorkflow: WorkflowModule = {
  name: 'regulator',
  access,
  routes: regulatorRoutes,
  tasks: (platform: Platform) => [
    {
      // The day after a bulletin's deadline: one re-test per open item (Asia/Shanghai dates).
      name: 'regulator-retests',
      everyMs: 15 * 60_000,
      run: async (_store, now) => {
        await startDueRetests(platform, now);
      },
    },
    {
      name: 'regulator-rankings',
      everyMs: 24 * 3600_000,
      run: async (store, now) => {
        await recomputeRankings(store.db, now);
      },
    },
  ],
  on: {
    'job.succeeded': (platform, event, trx) => jobsSucceeded(platform, [event], trx),
    'job.failed': jobEnded,
    'job.dead': jobEnded,
    'job.cancelled': jobEnded,
  },
  // A campaign's results arrive by the thousand: its items and findings in a few statements a run.
  onBatch: { 'job.succeeded': jobsSucceeded },
};
