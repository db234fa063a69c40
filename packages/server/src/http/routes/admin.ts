import { Type } from 'typebox';
import {
  createOrganisation,
  createUser,
  findOrganisation,
  listOrganisations,
  listUsers,
  MAX_PASSWORD_LENGTH,
  searchAudit,
} from '../../admin.js';
import { ORG_KINDS, ROLES } from '../../db/schema.js';
import type { Api, AppContext } from '../context.js';
import { problem } from '../problems.js';
import { IdParams, ID_PATTERN, PageQuery, page, principalOf } from './common.js';

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
      const rows = await listOrganisations(db, { cursor: request.query.cursor, limit });
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
      const rows = await listUsers(db, { cursor: request.query.cursor, limit });
      return page(rows, limit, (u) => ({
        id: u.id,
        login: u.login,
        displayName: u.display_name,
        disabled: u.disabled === 1,
        createdAt: u.created_at,
        memberships: u.memberships,
      }));
    },
  );

  api.get(
    '/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first, filtered by action (or family), subject, actor and time',
        querystring: Type.Object(
          {
            ...PageQuery,
            action: Type.Optional(Type.String({ maxLength: 64, description: 'an action, or a family ending in "." or "*"' })),
            subject: Type.Optional(Type.String({ maxLength: 128 })),
            actorUserId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
            from: Type.Optional(Type.Integer({ minimum: 0, description: 'from this instant (ms since the epoch, inclusive)' })),
            to: Type.Optional(Type.Integer({ minimum: 0, description: 'before this instant (ms since the epoch)' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const { cursor, action, subject, actorUserId, from, to } = request.query;
      const rows = await searchAudit(db, { cursor, limit }, { action, subject, actorUserId, from, to });
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
