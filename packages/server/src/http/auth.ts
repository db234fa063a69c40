import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OrgKind, Role } from '../db/schema.js';
import type { Platform } from '../platform.js';
import { tokenHash } from '../admin.js';

// Who is calling: a bearer token (API clients) or a session cookie (the console). Sessions and
// tokens are looked up by the sha256 of the secret, so the database never holds a usable one.

export const SESSION_COOKIE = 'ar_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  via: 'session' | 'token';
  userId: string;
  login: string;
  orgId: string;
  orgSlug: string;
  orgKind: OrgKind;
  role: Role;
  /** The session's row id (sha256 of the cookie), for logout and CSRF. */
  sessionId?: string;
  csrfSecret?: string;
  tokenId?: string;
}

/** What a request presented and what came of it; the access hook turns failures into 401. */
export interface AuthState {
  principal: Principal | null;
  failure?: 'invalid-token' | 'session-expired';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A last-used time is written at most this often per token or session (not a write per request). */
const TOUCH_EVERY_MS = 60_000;

const BEARER = /^Bearer\s+(ar_[A-Za-z0-9_-]{43})\s*$/;

export async function authenticate(platform: Platform, request: FastifyRequest): Promise<AuthState> {
  const db = platform.store.db;
  const now = Date.now();
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match) return { principal: null, failure: 'invalid-token' };
    const row = await db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 't.user_id').onRef('m.org_id', '=', 't.org_id'))
      .innerJoin('organisations as o', 'o.id', 't.org_id')
      .select([
        't.id',
        't.user_id',
        't.org_id',
        't.role',
        't.expires_at',
        't.revoked_at',
        't.last_used_at',
        'u.login',
        'u.disabled',
        'o.slug',
        'o.kind',
        'm.role as memberRole',
      ])
      .where('t.token_hash', '=', tokenHash(match[1]!))
      .executeTakeFirst();
    // A token acts in the role it was made for; a member whose role has changed since (or who left the
    // organisation: the join finds nothing) needs a new token.
    if (
      !row ||
      row.revoked_at !== null ||
      (row.expires_at !== null && row.expires_at <= now) ||
      row.disabled ||
      row.memberRole !== row.role
    ) {
      return { principal: null, failure: 'invalid-token' };
    }
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) {
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return {
      principal: {
        via: 'token',
        userId: row.user_id,
        login: row.login,
        orgId: row.org_id,
        orgSlug: row.slug,
        orgKind: row.kind,
        role: row.role,
        tokenId: row.id,
      },
    };
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) {
    const id = sha256Hex(cookie);
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('organisations as o', 'o.id', 's.org_id')
      .innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 's.user_id').onRef('m.org_id', '=', 's.org_id'))
      .select([
        's.id',
        's.user_id',
        's.org_id',
        's.role',
        's.csrf_secret',
        's.expires_at',
        's.last_seen_at',
        'u.login',
        'u.disabled',
        'o.slug',
        'o.kind',
        'm.role as memberRole',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!row || row.expires_at <= now || row.disabled || row.memberRole !== row.role)
      return { principal: null, failure: 'session-expired' };
    if (now - row.last_seen_at > TOUCH_EVERY_MS) {
      await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
    }
    return {
      principal: {
        via: 'session',
        userId: row.user_id,
        login: row.login,
        orgId: row.org_id,
        orgSlug: row.slug,
        orgKind: row.kind,
        role: row.role,
        sessionId: row.id,
        csrfSecret: row.csrf_secret,
      },
    };
  }
  return { principal: null };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A cookie-authenticated request that changes something must echo the session's CSRF token in a
 * header: a page of another site can make the browser send the cookie, but cannot read the token.
 * (SameSite=Lax already stops most cross-site posts; this covers the rest and old browsers.)
 */
export function csrfSatisfied(request: FastifyRequest, principal: Principal): boolean {
  if (principal.via !== 'session' || SAFE_METHODS.has(request.method)) return true;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !principal.csrfSecret) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(principal.csrfSecret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeMs: number): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}

/** The login-failure key: per account and client address, hashed (the table holds no login names). */
export function loginFailureKey(login: string, ip: string): string {
  return sha256Hex(`${login.trim().toLowerCase()}\0${ip}`);
}
