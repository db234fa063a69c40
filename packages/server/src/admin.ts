import { createHash, randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Options as ArgonOptions } from '@node-rs/argon2';
import { sql, type Kysely, type Transaction } from 'kysely';
import { ORG_KINDS, ROLES, type Database, type OrgKind, type Role } from './db/schema.js';
import { newId } from './ids.js';

// The platform's administration as plain functions over the database: the HTTP routes call them,
// and so does `apprights admin …` without a server running. Each action that changes who may do
// what is written to the audit log in the same transaction as the change.

type Db = Kysely<Database> | Transaction<Database>;

/** A failure of an administrative action, with its bilingual message and the API's problem code. */
export class AdminError extends Error {
  constructor(
    readonly code: 'bad-request' | 'conflict' | 'not-found',
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${en} / ${zh}`);
    this.name = 'AdminError';
  }
}

/** Who did it (null actor: the command line, run by whoever holds the database). */
export interface AuditActor {
  userId?: string | null;
  orgId?: string | null;
  ip?: string | null;
}

export interface AuditEntry extends AuditActor {
  action: string;
  subject?: string | null;
  /** Never a secret: no password, token or cookie. */
  detail?: Record<string, unknown>;
}

export async function writeAudit(db: Db, entry: AuditEntry, now = Date.now()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(now),
      at: now,
      actor_user_id: entry.userId ?? null,
      actor_org_id: entry.orgId ?? null,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      ip: entry.ip ?? null,
    })
    .execute();
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const LOGIN = /^[a-z0-9._@+-]{1,254}$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Argon2id at 19 MiB, 2 passes, 1 lane: OWASP's recommended floor. Spelt out, not left to the
 * library's defaults, so an upgrade cannot weaken it silently. (The library's algorithm enum is a
 * `const enum`, which isolated modules cannot read: 2 is Argon2id.)
 */
const ARGON2_OPTIONS: ArgonOptions = { algorithm: 2 as ArgonOptions['algorithm'], memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return argon2Hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AdminError(
      'bad-request',
      `a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
      `密码长度须为 ${MIN_PASSWORD_LENGTH} 至 ${MAX_PASSWORD_LENGTH} 个字符`,
    );
  }
}

export interface OrganisationInput {
  slug: string;
  name: string;
  kind: OrgKind;
}

export interface OrganisationRecord {
  id: string;
  slug: string;
  name: string;
  kind: OrgKind;
  createdAt: number;
}

export async function createOrganisation(
  db: Kysely<Database>,
  input: OrganisationInput,
  actor: AuditActor = {},
): Promise<OrganisationRecord> {
  if (!SLUG.test(input.slug)) {
    throw new AdminError(
      'bad-request',
      `organisation slug ${JSON.stringify(input.slug.slice(0, 80))} is not lower-case letters, digits and dashes (1–64)`,
      `组织标识 ${JSON.stringify(input.slug.slice(0, 80))} 须为 1–64 个小写字母、数字或连字符`,
    );
  }
  if (!(ORG_KINDS as readonly string[]).includes(input.kind)) {
    throw new AdminError(
      'bad-request',
      `organisation kind must be one of ${ORG_KINDS.join(', ')}`,
      `组织类型须为 ${ORG_KINDS.join('、')} 之一`,
    );
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    throw new AdminError('bad-request', 'organisation name has 1 to 200 characters', '组织名称须为 1 至 200 个字符');
  const now = Date.now();
  const record: OrganisationRecord = { id: newId(now), slug: input.slug, name, kind: input.kind, createdAt: now };
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('organisations').select('id').where('slug', '=', input.slug).executeTakeFirst();
    if (taken) throw new AdminError('conflict', `organisation ${input.slug} exists`, `组织 ${input.slug} 已存在`);
    await trx.insertInto('organisations').values({ id: record.id, slug: record.slug, name, kind: record.kind, created_at: now }).execute();
    await writeAudit(trx, { ...actor, action: 'org.create', subject: record.id, detail: { slug: record.slug, kind: record.kind } }, now);
    return record;
  });
}

/** The kind of organisation a role belongs to, for an organisation made on the fly (`admin create-user --org demo`). */
export function orgKindForRole(role: Role): OrgKind {
  switch (role) {
    case 'platform-admin':
      return 'platform';
    case 'store-admin':
    case 'store-reviewer':
      return 'store';
    case 'sdk-vendor':
    case 'regulator':
    case 'access-provider':
      return role;
    default:
      return 'developer';
  }
}

/** The organisation with this slug; made (name = slug) if there is none. `created` says which. */
export async function ensureOrganisation(
  db: Kysely<Database>,
  input: { slug: string; kind: OrgKind; name?: string },
  actor: AuditActor = {},
): Promise<OrganisationRecord & { created: boolean }> {
  const existing = await db.selectFrom('organisations').selectAll().where('slug', '=', input.slug).executeTakeFirst();
  if (existing)
    return {
      id: existing.id,
      slug: existing.slug,
      name: existing.name,
      kind: existing.kind,
      createdAt: existing.created_at,
      created: false,
    };
  try {
    return {
      ...(await createOrganisation(db, { slug: input.slug, kind: input.kind, name: input.name ?? input.slug }, actor)),
      created: true,
    };
  } catch (error) {
    // Made meanwhile by another process: take that one.
    if (error instanceof AdminError && error.code === 'conflict') return { ...(await findOrganisation(db, input.slug)), created: false };
    throw error;
  }
}

/** The organisation named by id or slug, or an AdminError. */
export async function findOrganisation(db: Db, idOrSlug: string): Promise<OrganisationRecord> {
  const row = await db
    .selectFrom('organisations')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
    .executeTakeFirst();
  if (!row)
    throw new AdminError(
      'not-found',
      `no organisation ${JSON.stringify(idOrSlug.slice(0, 80))}`,
      `组织 ${JSON.stringify(idOrSlug.slice(0, 80))} 不存在`,
    );
  return { id: row.id, slug: row.slug, name: row.name, kind: row.kind, createdAt: row.created_at };
}

export interface UserInput {
  login: string;
  displayName?: string;
  /** Omitted: the account signs in with API tokens only. */
  password?: string;
  /** The organisation (id or slug) and the role in it. */
  organisation: string;
  role: Role;
}

export interface UserRecord {
  id: string;
  login: string;
  displayName: string;
  organisationId: string;
  role: Role;
  createdAt: number;
}

export async function createUser(db: Kysely<Database>, input: UserInput, actor: AuditActor = {}): Promise<UserRecord> {
  const login = input.login.trim().toLowerCase();
  if (!LOGIN.test(login)) {
    throw new AdminError(
      'bad-request',
      'a login has 1 to 254 characters among a-z 0-9 . _ @ + -',
      '登录名须为 1 至 254 个字符，仅限 a-z 0-9 . _ @ + -',
    );
  }
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw new AdminError('bad-request', `role must be one of ${ROLES.join(', ')}`, `角色须为 ${ROLES.join('、')} 之一`);
  }
  const displayName = (input.displayName ?? login).trim().slice(0, 200) || login;
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const now = Date.now();
  return db.transaction().execute(async (trx) => {
    const org = await findOrganisation(trx, input.organisation);
    const taken = await trx.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
    if (taken) throw new AdminError('conflict', `user ${login} exists`, `用户 ${login} 已存在`);
    const id = newId(now);
    await trx
      .insertInto('users')
      .values({ id, login, display_name: displayName, password_hash: passwordHash, disabled: 0, created_at: now })
      .execute();
    await trx.insertInto('memberships').values({ user_id: id, org_id: org.id, role: input.role, created_at: now }).execute();
    await writeAudit(
      trx,
      { ...actor, action: 'user.create', subject: id, detail: { login, org: org.slug, role: input.role, password: passwordHash !== null } },
      now,
    );
    return { id, login, displayName, organisationId: org.id, role: input.role, createdAt: now };
  });
}

/** The visible part of a token: "ar_" and 8 characters, enough to tell a user's tokens apart. */
export const TOKEN_PREFIX_LENGTH = 11;
export const DEFAULT_TOKEN_TTL_MS = 90 * 24 * 3600_000;
export const MAX_TOKEN_TTL_MS = 366 * 24 * 3600_000;

export interface TokenInput {
  userId: string;
  /** The organisation the token acts in; the user must be a member, and the token takes that membership's role. */
  orgId: string;
  name: string;
  /** Lifetime; default 90 days, at most 366. */
  ttlMs?: number;
}

export interface TokenRecord {
  id: string;
  prefix: string;
  name: string;
  role: Role;
  organisationId: string;
  createdAt: number;
  expiresAt: number;
}

/** 256 random bits, base64url: "ar_" + 43 characters. Only its sha256 is stored. */
export function newTokenSecret(): string {
  return `ar_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return sha256Hex(token);
}

/** Creates a token and returns it once, with its record; the secret is not stored and cannot be shown again. */
export async function createApiToken(
  db: Kysely<Database>,
  input: TokenInput,
  actor: AuditActor = {},
): Promise<{ token: string; record: TokenRecord }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100)
    throw new AdminError('bad-request', 'a token name has 1 to 100 characters', '令牌名称须为 1 至 100 个字符');
  const ttl = input.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < 60_000 || ttl > MAX_TOKEN_TTL_MS) {
    throw new AdminError('bad-request', 'a token lives from one minute to 366 days', '令牌有效期须在 1 分钟至 366 天之间');
  }
  const now = Date.now();
  return db.transaction().execute(async (trx) => {
    const membership = await trx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['memberships.role', 'users.disabled'])
      .where('memberships.user_id', '=', input.userId)
      .where('memberships.org_id', '=', input.orgId)
      .executeTakeFirst();
    if (!membership || membership.disabled) {
      throw new AdminError('not-found', 'the user is not an active member of that organisation', '该用户不是该组织的有效成员');
    }
    const token = newTokenSecret();
    const record: TokenRecord = {
      id: newId(now),
      prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
      name,
      role: membership.role,
      organisationId: input.orgId,
      createdAt: now,
      expiresAt: now + ttl,
    };
    await trx
      .insertInto('api_tokens')
      .values({
        id: record.id,
        prefix: record.prefix,
        token_hash: tokenHash(token),
        user_id: input.userId,
        org_id: input.orgId,
        role: record.role,
        name,
        created_at: now,
        expires_at: record.expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    await writeAudit(
      trx,
      { ...actor, action: 'token.create', subject: record.id, detail: { user: input.userId, prefix: record.prefix, role: record.role } },
      now,
    );
    return { token, record };
  });
}

/**
 * Revokes a token. `ownerId` limits it to that user's tokens (a user revoking their own); without
 * it any token (the platform admin, the command line). Unknown, someone else's → AdminError not-found.
 */
export async function revokeApiToken(
  db: Kysely<Database>,
  tokenId: string,
  options: { ownerId?: string } = {},
  actor: AuditActor = {},
): Promise<void> {
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('api_tokens').select(['id', 'revoked_at', 'prefix']).where('id', '=', tokenId);
    if (options.ownerId) query = query.where('user_id', '=', options.ownerId);
    const row = await query.executeTakeFirst();
    if (!row) throw new AdminError('not-found', 'no such token', '令牌不存在');
    if (row.revoked_at === null) await trx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', tokenId).execute();
    await writeAudit(trx, { ...actor, action: 'token.revoke', subject: tokenId, detail: { prefix: row.prefix } }, now);
  });
}

/** A page of rows newest first: `cursor` is the last id of the previous page; `limit + 1` rows are read. */
export interface ListOptions {
  cursor?: string | undefined;
  limit: number;
}

/** Organisations, newest first (limit + 1 rows: the extra one says another page exists). */
export async function listOrganisations(db: Db, { cursor, limit }: ListOptions, kind?: OrgKind) {
  let query = db.selectFrom('organisations').selectAll();
  if (cursor) query = query.where('id', '<', cursor);
  if (kind) query = query.where('kind', '=', kind);
  return query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

/** Users newest first with their memberships (limit + 1 rows). */
export async function listUsers(db: Db, { cursor, limit }: ListOptions) {
  let query = db.selectFrom('users').select(['id', 'login', 'display_name', 'disabled', 'created_at']);
  if (cursor) query = query.where('id', '<', cursor);
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
  return rows.map((u) => ({
    ...u,
    memberships: memberships.filter((m) => m.user_id === u.id).map((m) => ({ organisationId: m.org_id, slug: m.slug, role: m.role })),
  }));
}

/** API tokens newest first (never their secrets): one user's, or everyone's when `userId` is absent. */
export async function listApiTokens(db: Db, { cursor, limit }: ListOptions, userId?: string) {
  let query = db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.prefix',
      't.name',
      't.role',
      't.user_id',
      'u.login',
      't.org_id',
      't.created_at',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
    ]);
  if (userId) query = query.where('t.user_id', '=', userId);
  if (cursor) query = query.where('t.id', '<', cursor);
  return query
    .orderBy('t.id', 'desc')
    .limit(limit + 1)
    .execute();
}

export interface AuditFilter {
  /** An exact action ("token.revoke"), or a family ending in "." or "*" ("store.", "store.*"). */
  action?: string | undefined;
  subject?: string | undefined;
  actorUserId?: string | undefined;
  actorOrgId?: string | undefined;
  /** Milliseconds since the epoch, inclusive from, exclusive to. */
  from?: number | undefined;
  to?: number | undefined;
}

/** The audit log newest first, filtered (limit + 1 rows). */
export async function searchAudit(db: Db, { cursor, limit }: ListOptions, filter: AuditFilter = {}) {
  let query = db.selectFrom('audit_log').selectAll();
  if (cursor) query = query.where('id', '<', cursor);
  if (filter.action) {
    const family = /[.*]$/.test(filter.action) ? filter.action.replace(/\*$/, '') : undefined;
    if (family) {
      // A prefix match whose % and _ are literal (an action name holds neither, but the filter is input).
      const escaped = family.replace(/[\\%_]/g, (c) => `\\${c}`);
      query = query.where(sql<boolean>`action like ${`${escaped}%`} escape '\\'`);
    } else query = query.where('action', '=', filter.action);
  }
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.actorUserId) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.actorOrgId) query = query.where('actor_org_id', '=', filter.actorOrgId);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  return query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}
