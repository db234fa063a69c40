// Every data and job test runs on both databases: SQLite in a temporary folder, and a throwaway
// PostgreSQL database made for the test and dropped after it. PostgreSQL is found at
// APPRIGHTS_TEST_PG (default postgres://root@127.0.0.1:5432/postgres). When it cannot be reached the
// PostgreSQL half is skipped with a message — except under CI=true, where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { openStore, type Store } from '../../src/db/open.js';

export const ADMIN_URL = process.env.APPRIGHTS_TEST_PG ?? 'postgres://root@127.0.0.1:5432/postgres';

let reachable: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise why not. */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${ADMIN_URL} is not reachable (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

const THROWAWAY = /^apprights_test_([0-9a-z]{1,12})_[0-9a-f]{8}$/;
/** No test run lasts this long (CI must finish in 90 minutes), so an older throwaway database is a leftover. */
const LEFTOVER_AFTER_MS = 6 * 60 * 60 * 1000;
let swept = false;

/**
 * Drops the throwaway databases a killed run left behind (its `finally` never ran): those whose
 * name says they were made more than LEFTOVER_AFTER_MS ago. Younger ones may belong to a run going on
 * beside this one, so they stay. Once per test process.
 */
async function sweepLeftovers(admin: pg.Client): Promise<void> {
  if (swept) return;
  swept = true;
  const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'apprights\\_test\\_%'`);
  for (const { datname } of rows) {
    const made = THROWAWAY.exec(datname);
    if (!made || Date.now() - parseInt(made[1]!, 36) < LEFTOVER_AFTER_MS) continue;
    await admin.query(`drop database if exists ${datname} with (force)`).catch(() => {});
  }
}

/**
 * For a PostgreSQL-only test: true (the test skipped, with the reason) when PostgreSQL does not
 * answer; under CI=true that is a failure instead.
 */
export async function skipWithoutPostgres(t: TestContext): Promise<boolean> {
  const why = await postgresUnavailable();
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(`${why}; CI=true requires PostgreSQL`);
  t.skip(why);
  return true;
}

/** A new empty PostgreSQL database; returns its URL and a function that drops it. */
export async function throwawayPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `apprights_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await sweepLeftovers(admin);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A temporary data folder (removed after the test). */
export function tempDir(prefix = 'apprights-server-', parent = tmpdir()): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(parent, prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DatabaseUnderTest {
  dialect: 'sqlite' | 'postgres';
  /** Opens a store on this test's database (more than once for several processes' view). */
  open(): Promise<Store>;
  /** The data folder (blobs; the SQLite file on SQLite). */
  dataDir: string;
  /** The PostgreSQL URL, on PostgreSQL. */
  url?: string;
}

/**
 * Declares `name` twice, `[sqlite] name` and `[postgres] name`; `body` gets a fresh migrated
 * database each time and everything it opened is closed after it.
 */
export function bothDatabases(
  name: string,
  body: (t: TestContext, db: DatabaseUnderTest) => Promise<void>,
  options: { timeout?: number } = {},
) {
  test(`[sqlite] ${name}`, { timeout: options.timeout ?? 60_000 }, async (t) => {
    const data = tempDir();
    const opened: Store[] = [];
    try {
      await body(t, {
        dialect: 'sqlite',
        dataDir: data.dir,
        open: async () => {
          const store = await openStore({ dataDir: data.dir });
          opened.push(store);
          return store;
        },
      });
    } finally {
      for (const store of opened) await store.close().catch(() => {});
      data.remove();
    }
  });
  test(`[postgres] ${name}`, { timeout: options.timeout ?? 60_000 }, async (t) => {
    if (await skipWithoutPostgres(t)) return;
    const data = tempDir();
    const database = await throwawayPostgres();
    const opened: Store[] = [];
    try {
      await body(t, {
        dialect: 'postgres',
        dataDir: data.dir,
        url: database.url,
        open: async () => {
          const store = await openStore({ databaseUrl: database.url, dataDir: data.dir, poolSize: 4 });
          opened.push(store);
          return store;
        },
      });
    } finally {
      for (const store of opened) await store.close().catch(() => {});
      await database.drop();
      data.remove();
    }
  });
}
