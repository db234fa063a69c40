import { Type } from 'typebox';
import { createOrganisation, createUser, findOrganisation, MAX_PASSWORD_LENGTH } from '../../admin.js';
import { ORG_KINDS, ROLES } from '../../db/schema.js';
import type { Api, AppContext } from '../context.js';
import { problem } from '../problems.js';
import { IdParams, PageQuery, page, principalOf } from './common.js';

// The platform admin's routes: organisations, users, the audit log. The work is done by the
// functions in src/admin.ts, which the command line calls too.

const OrganisationBody = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union(ORG_KINDS.map((k) => Type.Literal(k))),
  },
  { additionalProperties: false },
);

const UserBody = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 254 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: MAX_PASSWORD_LENGTH })),
    organisation: Type.String({ minLength: 1, maxLength: 64, description: 'slug or id' }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  },
  { additionalProperties: false },
);

export function adminRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.post(
    '/organisations',
    { schema: { tags: ['admin'], summary: 'Create an organisation', body: OrganisationBody } },
    async (request, reply) => {
      const p = principalOf(request);
      const org = await createOrganisation(db, request.body, { userId: p.userId, orgId: p.orgId, ip: request.ip });
      return reply.code(201).send(org);
    },
  );

  api.get(
    '/organisations',
    { schema: { tags: ['admin'], summary: 'List organisations', querystring: Type.Object(PageQuery, { additionalProperties: false }) } },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('organisations').selectAll();
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (o) => ({ id: o.id, slug: o.slug, name: o.name, kind: o.kind, createdAt: o.created_at }));
    },
  );

  api.get('/organisations/:id', { schema: { tags: ['admin'], summary: 'One organisation', params: IdParams } }, async (request) => {
    const org = await findOrganisation(db, request.params.id);
    if (org.id !== request.params.id) throw problem('not-found');
    return org;
  });

  api.post(
    '/users',
    { schema: { tags: ['admin'], summary: 'Create a user with a role in an organisation', body: UserBody } },
    async (request, reply) => {
      const p = principalOf(request);
      const user = await createUser(db, request.body, { userId: p.userId, orgId: p.orgId, ip: request.ip });
      return reply.code(201).send(user);
    },
  );

  api.get(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List users with their memberships',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('users').select(['id', 'login', 'display_name', 'disabled', 'created_at']);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const ids = rows.map((r) => r.id);
      const memberships = ids.length
        ? await db
            .selectFrom('memberships as m')
            .innerJoin('organisations as o', 'o.id', 'm.org_id')
            .select(['m.user_id', 'm.org_id', 'o.slug', 'm.role'])
            .where('m.user_id', 'in', ids)
            .execute()
        : [];
      return page(rows, limit, (u) => ({
        id: u.id,
        login: u.login,
        displayName: u.display_name,
        disabled: u.disabled === 1,
        createdAt: u.created_at,
        memberships: memberships.filter((m) => m.user_id === u.id).map((m) => ({ organisationId: m.org_id, slug: m.slug, role: m.role })),
      }));
    },
  );

  api.get(
    '/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({ ...PageQuery, action: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('audit_log').selectAll();
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      if (request.query.action) query = query.where('action', '=', request.query.action);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (a) => ({
        id: a.id,
        at: a.at,
        action: a.action,
        subject: a.subject,
        actorUserId: a.actor_user_id,
        actorOrganisationId: a.actor_org_id,
        ip: a.ip,
        detail: JSON.parse(a.detail) as unknown,
      }));
    },
  );
}
