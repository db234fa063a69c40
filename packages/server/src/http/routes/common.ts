import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Job } from '../../db/schema.js';
import type { Principal } from '../auth.js';
import { problem } from '../problems.js';

// Pieces every route file uses: the id and cursor schemas, the page shape, the caller's scope.

export const ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
export const SHA256_PATTERN = '^[0-9a-f]{64}$';

export const IdParams = Type.Object(
  { id: Type.String({ pattern: ID_PATTERN, description: 'a time-ordered id (26 characters)' }) },
  { additionalProperties: false },
);

/** Lists are newest first; `cursor` is the last id of the previous page (ids sort by creation time). */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'nextCursor of the previous page' })),
};

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

/** `rows` was fetched with limit + 1: the extra row only says whether another page exists. */
export function page<R extends { id: string }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(view), nextCursor: more ? kept[kept.length - 1]!.id : null };
}

/** The caller (routes with a role requirement always have one: the access hook saw to it). */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.auth.principal;
  if (!principal) throw problem('unauthenticated');
  return principal;
}

/**
 * The organisation whose objects the caller reaches: its own, or every one (null) for the platform
 * admin. Queries filter on it, so another organisation's object is simply not found (404).
 */
export function scopeOrg(principal: Principal): string | null {
  return principal.role === 'platform-admin' ? null : principal.orgId;
}

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function jobView(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    organisationId: job.org_id,
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    progress: parseJson(job.progress),
    error: job.error_code || job.error_message ? { code: job.error_code, message: job.error_message } : null,
    cancelRequested: job.cancel_requested === 1,
    runAfter: job.run_after,
    createdAt: job.created_at,
    updatedAt: job.updated_at,
    finishedAt: job.finished_at,
  };
}

export function clientIp(request: FastifyRequest): string {
  return request.ip;
}
