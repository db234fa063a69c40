import { Type } from 'typebox';
import type { Platform } from '../../platform.js';
import type { Principal } from '../auth.js';
import type { Api, AppContext } from '../context.js';
import { problem } from '../problems.js';
import { ID_PATTERN, IdParams, PageQuery, jobView, page, principalOf, scopeOrg } from './common.js';

// Apps and their versions as the scan jobs recorded them (package name, version code, signer), and
// the diff of two versions, submitted as a job.

/** A version the caller's scope reaches (null: every organisation's), or not-found. */
export async function findVersionIn(db: Platform['store']['db'], id: string, org: string | null) {
  let query = db.selectFrom('versions').selectAll().where('id', '=', id);
  if (org !== null) query = query.where('org_id', '=', org);
  const version = await query.executeTakeFirst();
  if (!version) throw problem('not-found', `no version ${id}`);
  return version;
}

/** The diff of two versions of the caller's organisation (`newerId` against `olderId`), as a job. */
export async function submitVersionDiff(platform: Platform, p: Principal, newerId: string, olderId: string) {
  const org = scopeOrg(p);
  const newer = await findVersionIn(platform.store.db, newerId, org);
  const older = await findVersionIn(platform.store.db, olderId, org);
  if (older.org_id !== newer.org_id) throw problem('not-found', `no version ${olderId}`);
  return platform.queue.submit({
    kind: 'diff',
    orgId: newer.org_id,
    createdBy: p.userId,
    payload: { oldBlob: older.blob_sha256, newBlob: newer.blob_sha256 },
  });
}

export function appRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  const versionView = (v: {
    id: string;
    app_id: string;
    version_code: string | null;
    version_name: string | null;
    signer_sha256: string | null;
    blob_sha256: string;
    created_at: number;
  }) => ({
    id: v.id,
    appId: v.app_id,
    versionCode: v.version_code,
    versionName: v.version_name,
    signerSha256: v.signer_sha256,
    blobSha256: v.blob_sha256,
    createdAt: v.created_at,
  });

  api.get(
    '/apps',
    {
      schema: {
        tags: ['apps'],
        summary: 'The organisation’s apps, newest first',
        querystring: Type.Object(
          { ...PageQuery, package: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.]{1,255}$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('apps').selectAll();
      if (org !== null) query = query.where('org_id', '=', org);
      if (request.query.package) query = query.where('package_name', '=', request.query.package);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (a) => ({ id: a.id, packageName: a.package_name, organisationId: a.org_id, createdAt: a.created_at }));
    },
  );

  const findApp = async (id: string, org: string | null) => {
    let query = db.selectFrom('apps').selectAll().where('id', '=', id);
    if (org !== null) query = query.where('org_id', '=', org);
    const app = await query.executeTakeFirst();
    if (!app) throw problem('not-found', `no app ${id}`);
    return app;
  };

  api.get('/apps/:id', { schema: { tags: ['apps'], summary: 'An app and its latest version', params: IdParams } }, async (request) => {
    const app = await findApp(request.params.id, scopeOrg(principalOf(request)));
    const latest = await db.selectFrom('versions').selectAll().where('app_id', '=', app.id).orderBy('id', 'desc').executeTakeFirst();
    return {
      id: app.id,
      packageName: app.package_name,
      organisationId: app.org_id,
      createdAt: app.created_at,
      latestVersion: latest ? versionView(latest) : null,
    };
  });

  api.get(
    '/apps/:id/versions',
    {
      schema: {
        tags: ['apps'],
        summary: 'An app’s versions, newest first',
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const app = await findApp(request.params.id, scopeOrg(principalOf(request)));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('versions').selectAll().where('app_id', '=', app.id);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, versionView);
    },
  );

  const findVersion = (id: string, org: string | null) => findVersionIn(db, id, org);

  api.get('/versions/:id', { schema: { tags: ['apps'], summary: 'A version and its reports', params: IdParams } }, async (request) => {
    const version = await findVersion(request.params.id, scopeOrg(principalOf(request)));
    const reports = await db
      .selectFrom('reports')
      .select(['id', 'kind', 'job_id', 'created_at'])
      .where('version_id', '=', version.id)
      .orderBy('id', 'desc')
      .limit(50)
      .execute();
    return { ...versionView(version), reports: reports.map((r) => ({ id: r.id, kind: r.kind, jobId: r.job_id, createdAt: r.created_at })) };
  });

  api.post(
    '/versions/:id/diff',
    {
      schema: {
        tags: ['apps'],
        summary: 'Compare this version with an older one (a diff job; 202 with the job)',
        params: IdParams,
        body: Type.Object(
          { against: Type.String({ pattern: ID_PATTERN, description: 'the older version’s id' }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const job = await submitVersionDiff(platform, principalOf(request), request.params.id, request.body.against);
      return reply.code(202).header('location', `/api/v1/jobs/${job.id}`).send(jobView(job));
    },
  );
}
