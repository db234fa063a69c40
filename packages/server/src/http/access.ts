import { ROLES, type Role } from '../db/schema.js';

// Who may call each route, and which objects it reaches: ONE table, read by the app (a route without
// an entry makes buildApp throw) and by the role-matrix test (every route × every actor). Keys are
// "METHOD path" with fastify's path syntax.
//
// Object scope:
// - public: no object of any organisation (health, the API description) or the caller's own login;
// - self: the caller's own account (its tokens, its session);
// - own-organisation: objects whose org_id is the caller's organisation. For store-admin and
//   store-reviewer that organisation is the store (kind "store"), so this is "own store"; the
//   platform-admin alone reaches every organisation's objects. Another organisation's object is
//   answered 404, as if it did not exist, so ids cannot be probed;
// - platform: the platform's own records (organisations, users, audit log), platform-admin only.

/** An authenticated role, or nobody. */
export type Actor = Role | 'anonymous';
export const ACTORS: readonly Actor[] = [...ROLES, 'anonymous'];

export type Scope = 'public' | 'self' | 'own-organisation' | 'platform';

export interface RouteAccess {
  roles: readonly Actor[];
  scope: Scope;
}

export const EVERYONE: readonly Actor[] = ACTORS;
export const SIGNED_IN: readonly Actor[] = ROLES;
export const ADMIN: readonly Actor[] = ['platform-admin'];
/**
 * Those who bring packages to be checked: developers and SDK vendors their own, stores what is
 * submitted to them, regulators what they inspect. Access providers (接入服务提供者) read the
 * results shared with their organisation but do not submit; that is the next issue's workflow.
 */
export const SUBMITTERS: readonly Actor[] = ['platform-admin', 'store-admin', 'store-reviewer', 'developer', 'sdk-vendor', 'regulator'];

/** The core's routes; the workflows add theirs (access-table.ts joins them). */
export const CORE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // Operations and the description of the API.
  'GET /health/live': { roles: EVERYONE, scope: 'public' },
  'GET /health/ready': { roles: EVERYONE, scope: 'public' },
  // Counters only (no object of an organisation); bind the server to a private address or filter /metrics at the proxy.
  'GET /metrics': { roles: EVERYONE, scope: 'public' },
  'GET /api/v1/openapi.json': { roles: EVERYONE, scope: 'public' },

  // Console sessions.
  'POST /api/v1/sessions': { roles: EVERYONE, scope: 'public' },
  'GET /api/v1/sessions/current': { roles: SIGNED_IN, scope: 'self' },
  'DELETE /api/v1/sessions/current': { roles: SIGNED_IN, scope: 'self' },

  // API tokens: each user manages their own.
  'POST /api/v1/tokens': { roles: SIGNED_IN, scope: 'self' },
  'GET /api/v1/tokens': { roles: SIGNED_IN, scope: 'self' },
  'DELETE /api/v1/tokens/:id': { roles: SIGNED_IN, scope: 'self' },

  // The platform's administration.
  'POST /api/v1/organisations': { roles: ADMIN, scope: 'platform' },
  'GET /api/v1/organisations': { roles: ADMIN, scope: 'platform' },
  'GET /api/v1/organisations/:id': { roles: ADMIN, scope: 'platform' },
  'POST /api/v1/users': { roles: ADMIN, scope: 'platform' },
  'GET /api/v1/users': { roles: ADMIN, scope: 'platform' },
  'GET /api/v1/audit': { roles: ADMIN, scope: 'platform' },

  // Packages in, jobs out.
  'POST /api/v1/packages': { roles: SUBMITTERS, scope: 'own-organisation' },
  'GET /api/v1/packages': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/packages/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
  'POST /api/v1/scans': { roles: SUBMITTERS, scope: 'own-organisation' },
  'GET /api/v1/jobs': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/jobs/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
  'POST /api/v1/jobs/:id/cancel': { roles: SUBMITTERS, scope: 'own-organisation' },
  'POST /api/v1/jobs/:id/retry': { roles: ADMIN, scope: 'platform' },
  'GET /api/v1/queue': { roles: ADMIN, scope: 'platform' },

  // Results.
  'GET /api/v1/reports': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/reports/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/apps': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/apps/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/apps/:id/versions': { roles: SIGNED_IN, scope: 'own-organisation' },
  'GET /api/v1/versions/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
  'POST /api/v1/versions/:id/diff': { roles: SUBMITTERS, scope: 'own-organisation' },
};

export function accessKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
