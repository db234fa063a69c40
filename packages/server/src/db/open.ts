import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type MigrationResultSet,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
} from 'kysely';
import pg from 'pg';
import type { Database, Dialect } from './schema.js';
import { InlineMigrations } from './migrations.js';

export type { Dialect };

/** An open store: one Kysely over either database, and what the job layer needs to know of it. */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL connection string (pg-boss opens its own pool on it); undefined on SQLite. */
  url?: string;
  /** SQLite file path; undefined on PostgreSQL. */
  file?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… : scale-out mode. Otherwise `dataDir` holds apprights.db. */
  databaseUrl?: string;
  dataDir?: string;
  /** Pool size on PostgreSQL (default 10). */
  poolSize?: number;
  /** Apply pending migrations after opening (the embedded default; `apprights migrate` on PostgreSQL). */
  migrate?: boolean;
}

// PostgreSQL returns bigint (int8) as a string, since it can exceed 2^53. Our bigints are
// millisecond times and byte sizes, far below that: read them as numbers, once, for every pool.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

/**
 * The platform's sessions run with PostgreSQL's JIT off. Its statements are short (claims, result
 * writes, event dispatch, pages), and the JIT compiles any statement whose estimated cost passes
 * jit_above_cost, which on statistics a burst of writes has outrun is often: the event dispatcher's
 * read of pending events, estimated at 274,000, spent 68 ms of its 173 ms compiling (35 ms without
 * JIT; 10,000-app campaign, 2 cores) on every dispatch, and the rankings' aggregate 1–2 s (it set
 * jit off for itself before). A connection string's own `options` come first and are kept.
 */
function connectionOptions(url: string): string {
  let own: string | null = null;
  try {
    own = new URL(url).searchParams.get('options');
  } catch {
    // Not a URL (a libpq keyword string): nothing of its own to keep here.
  }
  return [own, '-c jit=off'].filter(Boolean).join(' ');
}

/**
 * Marks a statement (its text's first characters) to run as a named prepared statement on
 * PostgreSQL: parsed once per connection instead of at every call, and, once PostgreSQL settles on
 * a generic plan, planned once too. Only for statements whose every lookup is by key, so a generic
 * plan is as good as one made for the values (the job layer's submit and result: parsing pg-boss's
 * insert was half the cost of a submit). Not for the fair claim: its generic plan, blind to the
 * organisation chosen inside the statement, walked the primary key past every finished job. A marked statement returns
 * named columns, never `*`, so a migration that adds a column does not change its result type (a
 * prepared statement whose result type changed fails). Behind a connection pooler, that pooler must
 * keep prepared statements (PgBouncer 1.21+ with `max_prepared_statements`, or session pooling).
 */
export const PREPARED = '/* prepared */';

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ar_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    // The marked statements are a handful of fixed texts; the bound keeps a mistake from growing it.
    if (statementNames.size < 1000) statementNames.set(text, name);
  }
  return name;
}

/** The pool as Kysely sees it, running PREPARED statements by name (see PREPARED). */
function preparing(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // A cursor (Kysely's streaming) passes through as it came.
    query: ((text: unknown, parameters?: readonly unknown[]) =>
      typeof text === 'string' && text.startsWith(PREPARED)
        ? client.query({ name: statementName(text), text, values: [...(parameters ?? [])] })
        : client.query(text as string, parameters as unknown[])) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  });
  return {
    connect: async () => {
      const client = await pool.connect();
      let facade = wrapped.get(client);
      if (!facade) wrapped.set(client, (facade = wrap(client)));
      return facade;
    },
    end: () => pool.end(),
  };
}

/** Opens (and by default migrates) the store named by the options. */
export async function openStore(options: OpenOptions): Promise<Store> {
  let store: Store;
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: connectionOptions(url) });
    // An idle client's error (the server restarted) must not crash the process: the pool drops it.
    pool.on('error', () => {});
    // A connection lost during a query (PostgreSQL restarting) fails that query and then emits
    // 'error' on the checked-out client, where the pool has no listener: without this one the
    // process would die of an uncaught exception instead of answering 503.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool) }) });
    store = { db, dialect: 'postgres', url, close: () => db.destroy() };
  } else {
    const dir = options.dataDir ?? './ar-data';
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'apprights.db');
    const database = new BetterSqlite3(file);
    // WAL: readers never block the writer. synchronous=FULL: a committed job result survives a
    // power cut, not just a process crash (the effect-once guarantee leans on it). busy_timeout: a
    // second connection (a worker process, `apprights admin`) waits for the lock instead of failing.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(database) }) });
    store = { db, dialect: 'sqlite', file, close: () => db.destroy() };
  }
  if (options.migrate ?? true) {
    try {
      await migrate(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/**
 * better-sqlite3 as Kysely sees it, keeping the last STATEMENTS_KEPT prepared statements by their
 * SQL text: Kysely prepares every query it runs, and preparing cost as much as running the index
 * lookups of a public page (a third of its database time). Kysely runs one query at a time on this
 * connection; a statement still being iterated (busy) is not handed out again, a new one is made.
 * SQLite re-prepares a kept statement itself when a migration changes the schema.
 */
function keepingStatements(database: BetterSqlite3.Database): SqliteDatabase {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const found = kept.get(sql);
      if (found && !found.busy) {
        // Most recently used last: the oldest is the first key.
        kept.delete(sql);
        kept.set(sql, found);
        return found;
      }
      const statement = database.prepare(sql);
      kept.set(sql, statement);
      if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
      return statement;
    },
  };
}

const STATEMENTS_KEPT = 500;

function migrator(store: Store): Migrator {
  return new Migrator({
    db: store.db,
    provider: new InlineMigrations(),
    migrationTableName: 'apprights_migration',
    migrationLockTableName: 'apprights_migration_lock',
  });
}

/** The names of the migrations this database has not had yet. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const all = await migrator(store).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrate(store: Store): Promise<MigrationResultSet['results']> {
  const { error, results } = await migrator(store).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    // No migration ran (the database did not answer): the driver's own error, with its code, is the news.
    if (!failed) throw error;
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((error as Error)?.message ?? error)}`, {
      cause: error,
    });
  }
  return results;
}
