import { Type } from 'typebox';
import {
  createApiToken,
  hashPassword,
  listApiTokens,
  revokeApiToken,
  verifyPassword,
  writeAudit,
  MAX_PASSWORD_LENGTH,
} from '../../admin.js';
import { newId } from '../../ids.js';
import type { Api, AppContext } from '../context.js';
import { clearSessionCookie, loginFailureKey, newSecret, setSessionCookie, sha256Hex, SESSION_COOKIE } from '../auth.js';
import { problem } from '../problems.js';
import { IdParams, PageQuery, page, principalOf } from './common.js';

// A constant Argon2id hash checked when the login is unknown, so an unknown login takes as long to
// refuse as a wrong password (no account enumeration by timing). Made once, lazily.
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(newSecret());
  return dummyHash;
}

const LoginBody = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    organisation: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'slug or id; default: the first membership' })),
  },
  { additionalProperties: false },
);

const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 90 })),
  },
  { additionalProperties: false },
);

export interface LoginInput {
  login: string;
  password: string;
  organisation?: string | undefined;
}

/**
 * Checks a login and opens a session (the API's POST /sessions and the console's sign-in form both
 * call this): lockout after repeated failures, constant-time refusal of unknown logins, and a new
 * session id at every login (a cookie planted before login is discarded). Throws
 * invalid-credentials or login-locked; the caller sets the cookie.
 */
export async function logIn(
  { platform, metrics }: AppContext,
  input: LoginInput,
  client: { ip: string; previousCookie?: string | undefined },
) {
  const db = platform.store.db;
  const { config } = platform;
  const now = Date.now();
  const login = input.login.trim().toLowerCase();
  const key = loginFailureKey(login, client.ip);
  const windowStart = now - config.loginFailureWindowMs;
  // The attempt is recorded before the password is checked and counted after: parallel attempts
  // each see the others, so a burst cannot get more than the limit of guesses past the check
  // (a count-then-record order would let every request of a burst through). A successful login
  // removes the records; a failed one keeps its record as the failure.
  const attemptId = newId(now);
  await db.insertInto('login_failures').values({ id: attemptId, key, at: now }).execute();
  const failures = await db
    .selectFrom('login_failures')
    .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.min('at').as('first')])
    .where('key', '=', key)
    .where('at', '>', windowStart)
    .executeTakeFirst();
  if (Number(failures?.n ?? 0) > config.loginFailureLimit) {
    // Refused before any check: not a failure of its own, so it does not extend the lock.
    await db.deleteFrom('login_failures').where('id', '=', attemptId).execute();
    metrics.counters.loginLocked++;
    await writeAudit(db, { action: 'auth.login-locked', subject: login, ip: client.ip });
    const first = Number(failures?.first ?? now);
    throw problem('login-locked', undefined, { retryAfterSeconds: (first + config.loginFailureWindowMs - now) / 1000 });
  }
  const user = await db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
  const ok = user?.password_hash
    ? await verifyPassword(user.password_hash, input.password)
    : (await verifyPassword(await dummy(), input.password), false);
  let membership;
  if (ok && user && !user.disabled) {
    let query = db
      .selectFrom('memberships as m')
      .innerJoin('organisations as o', 'o.id', 'm.org_id')
      .select(['m.org_id', 'm.role', 'o.slug', 'o.kind', 'o.name'])
      .where('m.user_id', '=', user.id);
    if (input.organisation) {
      const wanted = input.organisation;
      query = query.where((eb) => eb.or([eb('o.slug', '=', wanted), eb('o.id', '=', wanted)]));
    }
    membership = await query.orderBy('m.created_at').executeTakeFirst();
  }
  if (!ok || !user || user.disabled || !membership) {
    metrics.counters.loginFailures++;
    await db.transaction().execute(async (trx) => {
      await writeAudit(trx, { action: 'auth.login-failed', subject: login, ip: client.ip, userId: user?.id ?? null }, now);
      // Old failures are dropped as new ones come: the table stays as small as the window.
      await trx.deleteFrom('login_failures').where('at', '<=', windowStart).execute();
    });
    throw problem('invalid-credentials');
  }
  // The session id is rotated at login: a cookie planted before login (fixation) is discarded.
  const previous = client.previousCookie;
  const cookieValue = newSecret();
  const csrfToken = newSecret();
  const expiresAt = now + config.sessionTtlMs;
  await db.transaction().execute(async (trx) => {
    if (previous) await trx.deleteFrom('sessions').where('id', '=', sha256Hex(previous)).execute();
    await trx
      .insertInto('sessions')
      .values({
        id: sha256Hex(cookieValue),
        user_id: user.id,
        org_id: membership.org_id,
        role: membership.role,
        csrf_secret: csrfToken,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      })
      .execute();
    await trx.deleteFrom('login_failures').where('key', '=', key).execute();
    await writeAudit(trx, { action: 'auth.login', subject: user.id, userId: user.id, orgId: membership.org_id, ip: client.ip }, now);
  });
  return {
    cookieValue,
    user: { id: user.id, login: user.login, displayName: user.display_name },
    organisation: { id: membership.org_id, slug: membership.slug, name: membership.name, kind: membership.kind },
    role: membership.role,
    csrfToken,
    expiresAt,
  };
}

export function sessionRoutes(api: Api, ctx: AppContext): void {
  const { platform } = ctx;
  const db = platform.store.db;
  const { config } = platform;

  api.post(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Log in (console): sets the session cookie and returns the CSRF token',
        body: LoginBody,
        security: [],
      },
    },
    async (request, reply) => {
      const session = await logIn(ctx, request.body, { ip: request.ip, previousCookie: request.cookies[SESSION_COOKIE] });
      setSessionCookie(request, reply, session.cookieValue, config.sessionTtlMs);
      const { cookieValue: _secret, ...shown } = session;
      return reply.code(201).send(shown);
    },
  );

  api.get(
    '/sessions/current',
    { schema: { tags: ['sessions'], summary: 'Who am I: user, organisation, role (and the CSRF token of a session)' } },
    async (request) => {
      const p = principalOf(request);
      return {
        user: { id: p.userId, login: p.login },
        organisation: { id: p.orgId, slug: p.orgSlug, kind: p.orgKind },
        role: p.role,
        via: p.via,
        ...(p.via === 'session' ? { csrfToken: p.csrfSecret } : {}),
      };
    },
  );

  api.delete(
    '/sessions/current',
    { schema: { tags: ['sessions'], summary: 'Log out: ends the session and clears the cookie' } },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.via !== 'session' || !p.sessionId)
        throw problem('bad-request', 'this request is authenticated by a token, not a session; revoke the token instead');
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('id', '=', p.sessionId!).execute();
        await writeAudit(trx, { action: 'auth.logout', subject: p.userId, userId: p.userId, orgId: p.orgId, ip: request.ip });
      });
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  api.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for the caller, in the caller’s organisation and role; the secret is shown once',
        body: TokenBody,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { token, record } = await createApiToken(
        db,
        { userId: p.userId, orgId: p.orgId, name: request.body.name, ttlMs: (request.body.expiresInDays ?? 90) * 24 * 3600_000 },
        { userId: p.userId, orgId: p.orgId, ip: request.ip },
      );
      return reply.code(201).send({ ...record, token });
    },
  );

  api.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The caller’s API tokens (never their secrets)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listApiTokens(db, { cursor: request.query.cursor, limit }, p.userId);
      return page(rows, limit, (t) => ({
        id: t.id,
        prefix: t.prefix,
        name: t.name,
        role: t.role,
        organisationId: t.org_id,
        createdAt: t.created_at,
        expiresAt: t.expires_at,
        revokedAt: t.revoked_at,
        lastUsedAt: t.last_used_at,
      }));
    },
  );

  api.delete(
    '/tokens/:id',
    { schema: { tags: ['tokens'], summary: 'Revoke one of the caller’s tokens', params: IdParams } },
    async (request, reply) => {
      const p = principalOf(request);
      await revokeApiToken(
        db,
        request.params.id,
        { ownerId: p.role === 'platform-admin' ? undefined : p.userId },
        { userId: p.userId, orgId: p.orgId, ip: request.ip },
      );
      return reply.code(204).send();
    },
  );
}
