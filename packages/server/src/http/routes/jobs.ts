import { renderDiffReport, renderPolicyReport, renderScanReport, renderTraceReport, type Lang } from '@apprights/report';
import { Type } from 'typebox';
import { JOB_KINDS, JOB_STATES } from '../../db/schema.js';
import type { Api, AppContext } from '../context.js';
import { problem } from '../problems.js';
import { IdParams, PageQuery, jobView, page, parseJson, principalOf, scopeOrg } from './common.js';
import { jobStateCounts, listJobs, retryJob, workersSeen } from '../../jobs/views.js';

// Jobs as the queue recorded them (state, attempts, progress) and their reports, rendered on demand
// by @apprights/report. Both read the tables directly; only cancel goes through the queue.

const FORMATS = ['json', 'sarif', 'html', 'md'] as const;
type Format = (typeof FORMATS)[number];
const MEDIA: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  sarif: 'application/sarif+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

export function jobRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.get(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'The organisation’s jobs, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            state: Type.Optional(Type.Union(JOB_STATES.map((s) => Type.Literal(s)))),
            kind: Type.Optional(Type.Union(JOB_KINDS.map((k) => Type.Literal(k)))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      const { state, kind, cursor } = request.query;
      const rows = await listJobs(db, { orgId: org, state, kind, cursor, limit });
      return page(rows, limit, jobView);
    },
  );

  api.get(
    '/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'A job: state, progress, attempts and its report', params: IdParams } },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      let query = db.selectFrom('jobs').selectAll().where('id', '=', request.params.id);
      if (org !== null) query = query.where('org_id', '=', org);
      const job = await query.executeTakeFirst();
      if (!job) throw problem('not-found', `no job ${request.params.id}`);
      const attempts = await db.selectFrom('job_attempts').selectAll().where('job_id', '=', job.id).orderBy('attempt').limit(100).execute();
      const report = await db.selectFrom('reports').select(['id', 'kind']).where('job_id', '=', job.id).executeTakeFirst();
      return {
        ...jobView(job),
        attempts: attempts.map((a) => ({
          attempt: a.attempt,
          worker: a.worker,
          startedAt: a.started_at,
          endedAt: a.ended_at,
          outcome: a.outcome,
          error: a.error_code || a.error_message ? { code: a.error_code, message: a.error_message } : null,
        })),
        report: report ? { id: report.id, kind: report.kind, href: `/api/v1/reports/${report.id}` } : null,
      };
    },
  );

  api.post(
    '/jobs/:id/cancel',
    { schema: { tags: ['jobs'], summary: 'Cancel a job (queued: at once; running: its worker is asked to stop)', params: IdParams } },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      let query = db.selectFrom('jobs').select('id').where('id', '=', request.params.id);
      if (org !== null) query = query.where('org_id', '=', org);
      if (!(await query.executeTakeFirst())) throw problem('not-found', `no job ${request.params.id}`);
      const outcome = await platform.queue.cancel(request.params.id);
      if (outcome === 'not-found') throw problem('not-found', `no job ${request.params.id}`);
      const job = await db.selectFrom('jobs').selectAll().where('id', '=', request.params.id).executeTakeFirstOrThrow();
      return { outcome, job: jobView(job) };
    },
  );

  api.post(
    '/jobs/:id/retry',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Queue a dead, failed or cancelled job again with one more attempt (platform admin)',
        params: IdParams,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const outcome = await retryJob(db, platform.queue, request.params.id, { userId: p.userId, orgId: p.orgId, ip: request.ip });
      if (outcome === 'not-found') throw problem('not-found', `no job ${request.params.id}`);
      if (outcome === 'not-finished')
        throw problem('conflict', 'only a dead, failed or cancelled job can be retried / 仅可重试最终失败、失败或已取消的任务');
      const job = await db.selectFrom('jobs').selectAll().where('id', '=', request.params.id).executeTakeFirstOrThrow();
      return { outcome, job: jobView(job) };
    },
  );

  api.get(
    '/queue',
    {
      schema: {
        tags: ['jobs'],
        summary: 'The queue at a glance: jobs in each state and the workers seen in the last day (platform admin)',
      },
    },
    async () => {
      const now = platform.clock.now();
      return { states: await jobStateCounts(db, null), workers: await workersSeen(db, now) };
    },
  );

  api.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The organisation’s reports, newest first (summaries only)',
        querystring: Type.Object(
          { ...PageQuery, kind: Type.Optional(Type.String({ pattern: '^[a-z-]{1,20}$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reports').select(['id', 'job_id', 'org_id', 'kind', 'version_id', 'summary', 'created_at']);
      if (org !== null) query = query.where('org_id', '=', org);
      if (request.query.kind) query = query.where('kind', '=', request.query.kind);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (r) => ({
        id: r.id,
        kind: r.kind,
        jobId: r.job_id,
        organisationId: r.org_id,
        versionId: r.version_id,
        summary: parseJson(r.summary),
        createdAt: r.created_at,
      }));
    },
  );

  api.get(
    '/reports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'A report: its record with the report JSON, or rendered with ?format=json|sarif|html|md (&lang=en|zh)',
        params: IdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union(FORMATS.map((f) => Type.Literal(f)))),
            lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh'), Type.Literal('zh-CN')])),
            facts: Type.Optional(Type.Boolean({ description: 'include the facts section (scan reports)' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const org = scopeOrg(principalOf(request));
      let query = db.selectFrom('reports').selectAll().where('id', '=', request.params.id);
      if (org !== null) query = query.where('org_id', '=', org);
      const row = await query.executeTakeFirst();
      if (!row) throw problem('not-found', `no report ${request.params.id}`);
      const body = JSON.parse(row.body) as Record<string, unknown>;
      const format = request.query.format;
      if (!format) {
        return {
          id: row.id,
          kind: row.kind,
          jobId: row.job_id,
          organisationId: row.org_id,
          versionId: row.version_id,
          knowledgeId: row.knowledge_id,
          summary: parseJson(row.summary),
          createdAt: row.created_at,
          report: body,
          ...(request.query.facts ? { facts: parseJson(row.facts) } : {}),
        };
      }
      const lang: Lang = request.query.lang?.startsWith('zh') ? 'zh' : 'en';
      let text: string;
      switch (row.kind) {
        case 'scan':
        case 'rerun':
          text = renderScanReport(body as never, format, lang);
          break;
        case 'policy':
          text = renderPolicyReport(body as never, format, lang);
          break;
        case 'trace':
          text = renderTraceReport(body as never, format, lang);
          break;
        case 'diff':
          if (format !== 'json' && format !== 'md')
            throw problem('not-acceptable', 'a diff is rendered as json or md / 差异报告仅可呈现为 json 或 md');
          text = renderDiffReport(body as never, format, lang);
          break;
        default:
          throw problem('not-acceptable', `a ${row.kind} report has no renderer`);
      }
      if (format === 'html') {
        // The report's own page: inline styles only, no script, no fetch, not framed.
        reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
      }
      return reply.type(MEDIA[format]).send(text);
    },
  );
}
