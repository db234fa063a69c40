import type { Readable } from 'node:stream';
import type { PushSource } from '../../blobs/store.js';
import { findAppType } from '@apprights/engine';
import { Type } from 'typebox';
import { newId } from '../../ids.js';
import type { Api, AppContext } from '../context.js';
import { isMultipart, multipartFile } from '../multipart/reader.js';
import { problem } from '../problems.js';
import { ID_PATTERN, IdParams, PageQuery, SHA256_PATTERN, jobView, page, principalOf, scopeOrg } from './common.js';

// Packages come in as a stream (multipart `file` part, or the raw body) and go straight to the blob
// store, which hashes and counts as it writes and stops at the cap: memory stays flat whatever the
// size, and an oversized upload is refused while it streams. The client's file name is never used:
// the blob's address is its sha256.

/** A local file header: every APK, AAB, JAR and AAR starts with one. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const ScanBody = Type.Object(
  {
    upload: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'an upload id from POST /packages' })),
    blob: Type.Optional(Type.String({ pattern: SHA256_PATTERN, description: 'the sha256 of a package this organisation uploaded' })),
    url: Type.Optional(
      Type.String({ pattern: '^https?://', maxLength: 2048, description: 'a privacy policy to fetch and analyse (a fetch-policy job)' }),
    ),
    appType: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the app type for the necessary-PI checks' })),
    policyReport: Type.Optional(
      Type.String({ pattern: ID_PATTERN, description: 'a policy report (of a fetch-policy job) to check with the package' }),
    ),
    priority: Type.Optional(Type.Integer({ minimum: -10, maximum: 10, default: 0 })),
  },
  { additionalProperties: false },
);

/**
 * Stores an uploaded package for the caller's organisation (the API's POST /packages and the
 * console's upload form): streamed to the blob store under the size cap, refused unless it is a ZIP
 * (nothing is kept then), and recorded as an upload of the organisation.
 */
export async function storePackage(
  { platform, metrics }: Pick<AppContext, 'platform' | 'metrics'>,
  p: { userId: string; orgId: string },
  source: Readable | PushSource,
) {
  const { config, blobs } = platform;
  const db = platform.store.db;
  const stored = await blobs.put(source, { maxBytes: config.maxUploadBytes });
  if (stored.size === 0 || stored.head.length < ZIP_MAGIC.length || !stored.head.subarray(0, 4).equals(ZIP_MAGIC)) {
    // Nothing names the blob yet: if this upload made it, it goes.
    if (stored.created) await blobs.delete(stored.sha256);
    if (stored.size === 0) throw problem('empty-upload');
    throw problem('not-a-zip', `the upload starts with ${stored.head.subarray(0, 4).toString('hex') || 'nothing'}, not 504b0304`);
  }
  const now = Date.now();
  const uploadId = newId(now);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('blobs')
      .values({ sha256: stored.sha256, size: stored.size, media_type: 'application/zip', created_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    await trx
      .insertInto('uploads')
      .values({ id: uploadId, org_id: p.orgId, user_id: p.userId, blob_sha256: stored.sha256, created_at: now })
      .execute();
  });
  metrics.counters.uploads++;
  metrics.counters.uploadBytes += stored.size;
  return { uploadId, stored, now };
}

export function packageRoutes(api: Api, { platform, metrics }: AppContext): void {
  const db = platform.store.db;
  const { config } = platform;

  api.post(
    '/packages',
    {
      bodyLimit: config.maxUploadBytes,
      // The body is a stream the handler reads (never validated as a whole); the description still
      // says what to send.
      config: {
        swaggerTransform: ({ schema, url }) => ({
          url,
          schema: {
            ...schema,
            body: {
              type: 'string',
              format: 'binary',
              description: 'the package (APK, AAB, JAR or AAR); in multipart/form-data, the part named "file"',
            },
          },
        }),
      },
      schema: {
        tags: ['packages'],
        summary:
          'Upload a package (multipart `file` part, or the raw body as application/octet-stream or application/vnd.android.package-archive)',
        consumes: ['multipart/form-data', 'application/octet-stream', 'application/vnd.android.package-archive'],
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') {
        throw problem('unsupported-media-type', 'send multipart/form-data or application/octet-stream');
      }
      // multipart: the part named "file", read by the own reader (http/multipart/reader.ts).
      const type = request.headers['content-type'];
      const source = isMultipart(type) ? multipartFile(body, type) : body;
      const { uploadId, stored, now } = await storePackage({ platform, metrics }, p, source);
      return reply
        .code(201)
        .header('location', `/api/v1/packages/${uploadId}`)
        .send({ id: uploadId, blob: { sha256: stored.sha256, size: stored.size, new: stored.created }, createdAt: now });
    },
  );

  const uploadView = (u: {
    id: string;
    org_id: string;
    user_id: string | null;
    blob_sha256: string;
    created_at: number;
    size: number;
  }) => ({
    id: u.id,
    organisationId: u.org_id,
    userId: u.user_id,
    blob: { sha256: u.blob_sha256, size: u.size },
    createdAt: u.created_at,
  });

  api.get(
    '/packages',
    {
      schema: {
        tags: ['packages'],
        summary: 'The organisation’s uploads, newest first',
        querystring: Type.Object(
          { ...PageQuery, blob: Type.Optional(Type.String({ pattern: SHA256_PATTERN })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db
        .selectFrom('uploads as u')
        .innerJoin('blobs as b', 'b.sha256', 'u.blob_sha256')
        .select(['u.id', 'u.org_id', 'u.user_id', 'u.blob_sha256', 'u.created_at', 'b.size']);
      if (org !== null) query = query.where('u.org_id', '=', org);
      if (request.query.blob) query = query.where('u.blob_sha256', '=', request.query.blob);
      if (request.query.cursor) query = query.where('u.id', '<', request.query.cursor);
      const rows = await query
        .orderBy('u.id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, uploadView);
    },
  );

  api.get('/packages/:id', { schema: { tags: ['packages'], summary: 'One upload', params: IdParams } }, async (request) => {
    const org = scopeOrg(principalOf(request));
    let query = db
      .selectFrom('uploads as u')
      .innerJoin('blobs as b', 'b.sha256', 'u.blob_sha256')
      .select(['u.id', 'u.org_id', 'u.user_id', 'u.blob_sha256', 'u.created_at', 'b.size'])
      .where('u.id', '=', request.params.id);
    if (org !== null) query = query.where('u.org_id', '=', org);
    const upload = await query.executeTakeFirst();
    if (!upload) throw problem('not-found', `no upload ${request.params.id}`);
    return uploadView(upload);
  });

  api.post(
    '/scans',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Submit a check: a package (upload id or blob) → a scan job; a policy URL → a fetch-policy job. Answers 202 with the job.',
        body: ScanBody,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const given = [body.upload, body.blob, body.url].filter((v) => v !== undefined).length;
      if (given !== 1) {
        throw problem('invalid-body', 'give exactly one of upload, blob and url / upload、blob、url 三者须且仅须给出一个', {
          errors: [{ pointer: '/upload', message: 'exactly one of upload, blob, url' }],
        });
      }
      // A misspelt app type fails here, not later in a worker.
      if (body.appType !== undefined && !findAppType(body.appType)) {
        throw problem('invalid-body', `unknown app type ${JSON.stringify(body.appType)} / 未知的应用类型`, {
          errors: [{ pointer: '/appType', message: 'is not a known app type (number, id, or name of the CAC 2021 list)' }],
        });
      }
      if (p.role !== 'platform-admin' && (body.priority ?? 0) > 0) {
        throw problem('forbidden', 'only the platform admin raises a job above priority 0 / 仅平台管理员可提高任务优先级');
      }
      const org = scopeOrg(p);
      const job = await db.transaction().execute(async (trx) => {
        if (body.url !== undefined) {
          return platform.queue.submit(
            { kind: 'fetch-policy', orgId: p.orgId, createdBy: p.userId, payload: { url: body.url }, priority: body.priority ?? 0 },
            trx,
          );
        }
        // The package must be one this organisation uploaded: knowing a sha256 grants nothing.
        let query = trx.selectFrom('uploads').select(['id', 'blob_sha256', 'org_id']);
        query = body.upload !== undefined ? query.where('id', '=', body.upload) : query.where('blob_sha256', '=', body.blob!);
        if (org !== null) query = query.where('org_id', '=', org);
        const upload = await query.orderBy('id', 'desc').executeTakeFirst();
        if (!upload)
          throw problem('not-found', body.upload !== undefined ? `no upload ${body.upload}` : `no uploaded package ${body.blob}`);
        if (body.policyReport !== undefined) {
          let report = trx.selectFrom('reports').select('id').where('id', '=', body.policyReport).where('kind', '=', 'policy');
          if (org !== null) report = report.where('org_id', '=', org);
          if (!(await report.executeTakeFirst())) throw problem('not-found', `no policy report ${body.policyReport}`);
        }
        return platform.queue.submit(
          {
            kind: 'scan',
            orgId: upload.org_id,
            createdBy: p.userId,
            priority: body.priority ?? 0,
            payload: {
              blob: upload.blob_sha256,
              uploadId: upload.id,
              ...(body.appType !== undefined ? { appType: body.appType } : {}),
              ...(body.policyReport !== undefined ? { policyReportId: body.policyReport } : {}),
            },
          },
          trx,
        );
      });
      return reply.code(202).header('location', `/api/v1/jobs/${job.id}`).send(jobView(job));
    },
  );
}
