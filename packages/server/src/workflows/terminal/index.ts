import type { Kysely } from 'kysely';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Database, ListingElements } from '../../db/schema.js';
import { EVERYONE, SUBMITTERS } from '../../http/access.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { IdParams, parseJson, principalOf, scopeOrg } from '../../http/routes/common.js';
import type { WorkflowModule } from '../module.js';
import { ordersInForce } from '../stop-access/orders.js';
import { sendSigned } from '../stop-access/index.js';
import { checkTargets } from '../stop-access/targets.js';
import { foldLabel, refreshLabels } from './labels.js';
import { compareImport, ImportTooLarge, importUsage, USAGE_FORMAT } from './usage.js';

// Terminal makers (终端厂商): a signature-based risk prompt (电子签名认证) before an install —
// GET /verdicts?package=&signer= says whether that package under that signer is listed (where,
// which version), by a verified developer, under a bulletin or a stop-access order, or unknown, and
// warns when its label looks like a listed app of another signer. Answers are signed with the
// platform's Ed25519 key (the stop-access feed's), cacheable and rate-limited. And a device's
// permission-usage export compared with what the app disclosed.

export const VERDICT_FORMAT = 'apprights-verdict/1';
/** Verdict queries per client address per minute (at most the platform's general limit). */
const VERDICT_RATE_PER_MINUTE = 120;
const USAGE_MEDIA_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-seq'];

/**
 * Whether each developer organisation's identity was verified by a store (the store workflow's
 * store_developers: unverified → verified | rejected). No identity on file is false.
 */
export async function developerVerification(db: Kysely<Database>, orgIds: readonly string[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>(orgIds.map((id) => [id, false]));
  if (orgIds.length === 0) return out;
  const rows = await db.selectFrom('store_developers').select(['org_id', 'state']).where('org_id', 'in', orgIds).execute();
  for (const row of rows) out.set(row.org_id, row.state === 'verified');
  return out;
}

/**
 * HOOK (bulletins): open bulletins (通报) naming this package. The regulator workflow keeps them;
 * until its tables are on main this answers none. Wire it here, nowhere else.
 */
export async function bulletinsNaming(
  _db: Kysely<Database>,
  _packageName: string,
): Promise<{ bulletinId: string; measure: string | null; deadline: string | null; publishedAt: number | null }[]> {
  return [];
}

function terminalRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.get(
    '/verdicts',
    {
      config: { rateLimit: { max: Math.min(VERDICT_RATE_PER_MINUTE, platform.config.rateLimitPerMinute), timeWindow: 60_000 } },
      schema: {
        tags: ['terminal'],
        summary: 'A signed risk verdict for a package and its signer (listed, verified, bulletin, stop-access order, unknown; look-alikes)',
        description:
          'Anonymous, rate-limited, cacheable (ETag). The body is signed like the stop-access feed: header `signature: ed25519=<base64>` over the exact body bytes; key from GET /api/v1/stop-access/public-key.',
        security: [],
        querystring: Type.Object(
          {
            package: Type.String({ minLength: 1, maxLength: 255 }),
            signer: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'SHA-256 of the signing certificate (hex, colons allowed)' }),
            ),
            label: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'the label the device shows, for the look-alike check' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { targets, errors } = checkTargets({ packageNames: request.query.package, signerSha256: request.query.signer });
      if (errors.length)
        throw problem('invalid-query', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), {
          errors: errors.map((e) => ({
            pointer: e.pointer.replace('/packageNames', '/package').replace('/signerSha256', '/signer'),
            message: e.message,
          })),
        });
      const packageName = targets.packageNames[0]!;
      const signer = targets.signerSha256[0] ?? null;
      const now = platform.clock.now();
      const listings = await db
        .selectFrom('listings as l')
        .innerJoin('organisations as s', 's.id', 'l.store_id')
        .leftJoin('versions as v', 'v.id', 'l.version_id')
        .select([
          'l.id',
          'l.store_id',
          's.name as store_name',
          'l.developer_org_id',
          'l.elements',
          'l.listed_at',
          'v.version_name',
          'v.version_code',
          'v.signer_sha256',
        ])
        .where('l.package_name', '=', packageName)
        .where('l.state', '=', 'listed')
        .orderBy('l.id')
        .limit(100)
        .execute();
      const verified = await developerVerification(db, [...new Set(listings.map((l) => l.developer_org_id))]);
      const listed = listings.map((l) => ({
        storeId: l.store_id,
        storeName: l.store_name,
        versionName: l.version_name,
        versionCode: l.version_code,
        listedAt: l.listed_at,
        signerSha256: l.signer_sha256,
        signerMatches: signer === null ? null : l.signer_sha256 === signer,
        developerVerified: verified.get(l.developer_org_id) ?? null,
      }));
      const orders = await ordersInForce(db, { packageName, signer }, now);
      const bulletins = await bulletinsNaming(db, packageName);
      // Look-alikes: the labels this package is listed under (and the one the device shows), against listed apps of other signers.
      const labels = new Set<string>();
      for (const l of listings) {
        const name = (parseJson(l.elements) as Partial<ListingElements> | null)?.name;
        if (typeof name === 'string' && name.trim()) labels.add(foldLabel(name));
      }
      if (request.query.label) labels.add(foldLabel(request.query.label));
      labels.delete('');
      const lookAlikes = labels.size
        ? (
            await db
              .selectFrom('terminal_labels as t')
              .innerJoin('organisations as s', 's.id', 't.store_id')
              .select(['t.package_name', 't.label', 't.signer_sha256', 't.store_id', 's.name as store_name'])
              .where('t.folded_label', 'in', [...labels])
              .orderBy('t.listing_id')
              .limit(200)
              .execute()
          )
            // Another signer's app (or, without a signer to compare, another package) under the same folded label.
            .filter((t) => (signer !== null ? t.signer_sha256 !== signer : t.package_name !== packageName))
            .slice(0, 20)
            .map((t) => ({
              packageName: t.package_name,
              label: t.label,
              signerSha256: t.signer_sha256,
              storeId: t.store_id,
              storeName: t.store_name,
            }))
        : [];
      const signerMismatch = signer !== null && listed.length > 0 && listed.every((l) => l.signerMatches === false);
      const verdict =
        orders.length > 0
          ? 'stop-access-order'
          : bulletins.length > 0
            ? 'bulletin'
            : signerMismatch
              ? 'signer-mismatch'
              : listed.length > 0
                ? 'listed'
                : 'unknown';
      // No time of answering in the body: the same state gives the same bytes, so the ETag holds.
      const body = {
        format: VERDICT_FORMAT,
        package: packageName,
        signer,
        verdict,
        listed,
        // Whether any store listing it vouches for the developer's identity (null: not listed anywhere).
        developerVerified: listed.length ? listed.some((l) => l.developerVerified) : null,
        bulletins,
        stopAccessOrders: orders.map((o) => ({
          orderId: o.id,
          seq: o.seq,
          legalBasis: o.legalBasis,
          validFrom: o.validFrom,
          validUntil: o.validUntil,
        })),
        lookAlikes,
      };
      return sendSigned(platform, request, reply, Buffer.from(JSON.stringify(body), 'utf8'), 'public, max-age=300');
    },
  );

  // A usage export is read as a stream (never buffered whole); other bodies are refused in the handler.

  api.post(
    '/terminal/usage-imports',
    {
      schema: {
        tags: ['terminal'],
        summary: `Import a device's permission-usage export (JSON Lines, ${USAGE_FORMAT}) and compare it with the apps' disclosures`,
        description: `Content-Type application/x-ndjson. One record per line: {"package","permission" or "op","time","mode":"foreground"|"background","durationMs"?}. Bad lines are reported by number with the reason; the rest imports.`,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (!USAGE_MEDIA_TYPES.includes(type))
        throw problem(
          'unsupported-media-type',
          `send the export as ${USAGE_MEDIA_TYPES[0]} (JSON Lines) / 请以 ${USAGE_MEDIA_TYPES[0]}（JSON Lines）发送`,
        );
      const now = platform.clock.now();
      let outcome;
      try {
        outcome = await importUsage(db, request.body as Readable, { orgId: p.orgId, userId: p.userId }, now);
      } catch (error) {
        if (error instanceof ImportTooLarge) {
          reply.header('connection', 'close');
          throw problem('too-large', error.message);
        }
        throw error;
      }
      const comparison = await compareImport(db, outcome.id, p.orgId);
      const result = { format: USAGE_FORMAT, errors: outcome.errors, truncated: outcome.truncated, comparison };
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('terminal_usage_imports')
          .set({ lines: outcome.lines, imported: outcome.imported, rejected: outcome.rejected, result: JSON.stringify(result) })
          .where('id', '=', outcome.id)
          .execute();
        await writeAudit(
          trx,
          {
            userId: p.userId,
            orgId: p.orgId,
            action: 'terminal.usage-import',
            subject: outcome.id,
            detail: { lines: outcome.lines, imported: outcome.imported, rejected: outcome.rejected },
          },
          now,
        );
      });
      return reply
        .code(201)
        .header('location', `/api/v1/terminal/usage-imports/${outcome.id}`)
        .send({ id: outcome.id, lines: outcome.lines, imported: outcome.imported, rejected: outcome.rejected, createdAt: now, ...result });
    },
  );

  api.get(
    '/terminal/usage-imports/:id',
    {
      schema: {
        tags: ['terminal'],
        summary: 'A permission-usage import: bad lines and the comparison with the disclosures',
        params: IdParams,
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      let q = db.selectFrom('terminal_usage_imports').selectAll().where('id', '=', request.params.id);
      if (org !== null) q = q.where('org_id', '=', org);
      const row = await q.executeTakeFirst();
      if (!row) throw problem('not-found', `no usage import ${request.params.id}`);
      return {
        id: row.id,
        organisationId: row.org_id,
        lines: row.lines,
        imported: row.imported,
        rejected: row.rejected,
        createdAt: row.created_at,
        ...((parseJson(row.result) as object | null) ?? {}),
      };
    },
  );
}

export const terminalWorkflow: WorkflowModule = {
  name: 'terminal',
  access: {
    'GET /api/v1/verdicts': { roles: EVERYONE, scope: 'public' },
    'POST /api/v1/terminal/usage-imports': { roles: SUBMITTERS, scope: 'own-organisation' },
    'GET /api/v1/terminal/usage-imports/:id': { roles: SUBMITTERS, scope: 'own-organisation' },
  },
  routes: terminalRoutes,
  tasks: (platform) => [
    {
      name: 'terminal-labels',
      everyMs: 60_000,
      run: async () => {
        await refreshLabels(platform.store.db);
      },
    },
  ],
};
