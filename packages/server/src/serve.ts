// The processes the CLI starts: `serve` (HTTP, and in embedded mode the queue and workers too),
// `worker` (jobs only, scale-out), `migrate`, and the admin commands. Each opens what it needs from
// one ServerConfig and gives back a close() that leaves nothing running.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBlobStore } from './blobs/store.js';
import type { ServerConfig } from './config.js';
import { migrate, openStore, pendingMigrations, type Store } from './db/open.js';
import { ConfigError } from './config.js';
import { buildApp } from './http/app.js';
import { createQueue, startWorkers, type Workers, type WorkersOptions } from './jobs/index.js';
import type { DeliveringQueue } from './jobs/queue.js';
import type { Platform } from './platform.js';
import { coreTasks, startScheduler, type Scheduler } from './scheduler.js';
import { ROLES, type OrgKind, type Role } from './db/schema.js';
import { AdminError, createApiToken, createUser, ensureOrganisation, orgKindForRole, revokeApiToken } from './admin.js';
import { isId } from './ids.js';
import { importCalendarYear, type ImportedYear } from './calendar/store.js';
import { CalendarDataError, MAX_YEAR_FILE_BYTES } from './calendar/calendar.js';
import { systemClock, type Clock } from './calendar/clock.js';
import { WORKFLOWS } from './workflows/index.js';
import { dispatchTask } from './workflows/events.js';

function openConfigured(config: ServerConfig, migrateNow: boolean): Promise<Store> {
  return openStore({
    dataDir: config.dataDir,
    migrate: migrateNow,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
}

export interface RunningServer {
  /** http://host:port the server listens on. */
  url: string;
  /** The data folder (blobs; the SQLite file in embedded mode). */
  dataDir: string;
  platform: Platform;
  /** Stops listening, stops the workers (their running jobs go back through their leases) and closes the store. */
  close(): Promise<void>;
}

/** What every node holds: the store, blobs, queue, its workers (if any) and its offer to run the scheduler. */
interface Node {
  platform: Platform;
  workers: Workers | undefined;
  /** Stops the scheduler, the workers (running jobs go back through their leases), the queue and the store. */
  close(): Promise<void>;
}

/**
 * Opens what `serve` and `worker` share. The embedded store is migrated here; a PostgreSQL one must
 * have been by `apprights migrate`.
 */
async function startNode(config: ServerConfig, workerOptions: WorkersOptions | false, clock: Clock = systemClock): Promise<Node> {
  const store = await openConfigured(config, !config.databaseUrl);
  let workers: Workers | undefined;
  let queue: DeliveringQueue | undefined;
  let scheduler: Scheduler | undefined;
  const close = async () => {
    await scheduler?.stop();
    await workers?.stop();
    await queue?.stop();
    await store.close();
  };
  try {
    await requireMigrated(store);
    const blobs = new LocalBlobStore(
      join(config.dataDir, 'blobs'),
      // The store's own default (direct writes) unless the configuration says otherwise.
      config.uploadDirectIo === undefined ? {} : { directIo: config.uploadDirectIo },
    );
    queue = createQueue({ store, config });
    const platform: Platform = { config, store, blobs, queue, clock };
    await queue.start();
    if (workerOptions !== false) workers = await startWorkers(platform, workerOptions);
    // Every node offers to run the periodic work (one at a time does: the scheduler's lease), unless
    // the deployment keeps it off its API nodes (`scheduler: false`, APPRIGHTS_SCHEDULER=off).
    if (config.scheduler !== false)
      scheduler = startScheduler(
        store,
        [...coreTasks(config), dispatchTask(platform), ...WORKFLOWS.flatMap((w) => w.tasks?.(platform) ?? [])],
        { clock },
      );
    let closing: Promise<void> | undefined;
    return { platform, workers, close: () => (closing ??= close()) };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/**
 * `apprights serve`: embedded (SQLite, migrated at start, workers in this process tree) or one API
 * node of a PostgreSQL deployment (`--no-workers` for API-only nodes). A server receives uploads, so
 * it removes the partial files interrupted ones left (on a shared mount only those older than an
 * hour: another node may be receiving one).
 */
export async function startServer(
  config: ServerConfig,
  options: {
    logger?: boolean;
    trustProxy?: boolean;
    /** The workflows' clock (default the system clock; an embedding test passes a TestClock to jump days). */
    clock?: Clock;
  } = {},
): Promise<RunningServer> {
  const node = await startNode(config, config.workers.concurrency > 0 ? {} : false, options.clock);
  try {
    node.platform.blobs.removePartial(config.databaseUrl ? 3600_000 : 0);
    const app = await buildApp(node.platform, { logger: options.logger ?? false, trustProxy: options.trustProxy ?? false });
    const address = await app.listen({ host: config.host, port: config.port });
    let closing: Promise<void> | undefined;
    return {
      url: address,
      dataDir: config.dataDir,
      platform: node.platform,
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await node.close();
        })()),
    };
  } catch (error) {
    await node.close().catch(() => {});
    throw error;
  }
}

export interface RunningWorkers {
  workers: Workers;
  close(): Promise<void>;
}

/** `apprights worker`: job workers only, on the configured store (PostgreSQL in scale-out). */
export async function startWorkerNode(config: ServerConfig, options: WorkersOptions = {}): Promise<RunningWorkers> {
  const node = await startNode(config, options);
  return { workers: node.workers!, close: node.close };
}

/** A PostgreSQL deployment is migrated by `apprights migrate`, once; a node never does it behind the operator's back. */
async function requireMigrated(store: Store): Promise<void> {
  const pending = await pendingMigrations(store);
  if (pending.length > 0)
    throw new ConfigError(
      'APPRIGHTS_DATABASE_URL',
      `the database lacks migrations ${pending.join(', ')}: run \`apprights migrate\` first`,
      `数据库缺少迁移 ${pending.join('、')}：请先运行 apprights migrate`,
    );
}

/** `apprights migrate`: applies pending migrations; returns the names applied (empty: up to date). */
export async function migrateDatabase(config: ServerConfig): Promise<string[]> {
  const store = await openConfigured(config, false);
  try {
    const results = await migrate(store);
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } finally {
    await store.close();
  }
}

export interface AdminCreateUserInput {
  org: string;
  orgKind?: string;
  role: string;
  login?: string;
  password?: string;
  /** Also create an API token (returned once). */
  token: boolean;
  tokenDays?: number;
}

/** `apprights admin create-user`: the organisation when new, the user, and optionally a token. */
export async function adminCreateUser(
  config: ServerConfig,
  input: AdminCreateUserInput,
): Promise<{ login: string; createdOrg: boolean; token?: string }> {
  if (!(ROLES as readonly string[]).includes(input.role))
    throw new AdminError('bad-request', `role must be one of ${ROLES.join(', ')}`, `角色须为 ${ROLES.join('、')} 之一`);
  const role = input.role as Role;
  // The embedded store is migrated here too, so the first command on a new folder may be this one.
  const store = await openConfigured(config, !config.databaseUrl);
  try {
    const org = await ensureOrganisation(store.db, {
      slug: input.org,
      kind: (input.orgKind as OrgKind | undefined) ?? orgKindForRole(role),
    });
    const user = await createUser(store.db, {
      login: input.login ?? `${role}@${input.org}`,
      organisation: org.id,
      role,
      ...(input.password !== undefined ? { password: input.password } : {}),
    });
    const result: { login: string; createdOrg: boolean; token?: string } = { login: user.login, createdOrg: org.created };
    if (input.token) {
      const { token } = await createApiToken(store.db, {
        userId: user.id,
        orgId: org.id,
        name: 'created by apprights admin',
        ...(input.tokenDays ? { ttlMs: input.tokenDays * 86_400_000 } : {}),
      });
      result.token = token;
    }
    return result;
  } finally {
    await store.close();
  }
}

/** `apprights admin revoke-token`: by id or by the visible prefix (when it names one token). */
export async function adminRevokeToken(config: ServerConfig, idOrPrefix: string): Promise<boolean> {
  const store = await openConfigured(config, !config.databaseUrl);
  try {
    let id: string | undefined;
    if (isId(idOrPrefix)) id = idOrPrefix;
    else {
      const rows = await store.db.selectFrom('api_tokens').select('id').where('prefix', '=', idOrPrefix).limit(2).execute();
      if (rows.length > 1)
        throw new AdminError(
          'conflict',
          `prefix ${idOrPrefix} names several tokens: give the id`,
          `前缀 ${idOrPrefix} 对应多个令牌，请提供 ID`,
        );
      id = rows[0]?.id;
    }
    if (!id) return false;
    try {
      await revokeApiToken(store.db, id);
      return true;
    } catch (error) {
      if (error instanceof AdminError && error.code === 'not-found') return false;
      throw error;
    }
  } finally {
    await store.close();
  }
}

/**
 * `admin calendar import FILE`: validates one year's arrangement (JSON, at most 64 KiB, read no
 * further than that) and stores it in the database, replacing that year; audited.
 */
export async function adminImportCalendar(config: ServerConfig, file: string): Promise<ImportedYear> {
  let text: string;
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new CalendarDataError(file, `cannot be read (${error.code ?? error.message})`, `无法读取（${error.code ?? error.message}）`);
  });
  try {
    const buffer = Buffer.alloc(MAX_YEAR_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_YEAR_FILE_BYTES)
      throw new CalendarDataError(
        file,
        `is larger than ${MAX_YEAR_FILE_BYTES} bytes; a year's arrangement is a few kilobytes`,
        `超过 ${MAX_YEAR_FILE_BYTES} 字节；一年的安排只有几 KB`,
      );
    // fatal: a file in another encoding (GBK) is an error naming the file, not mojibake dates.
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead));
    } catch {
      throw new CalendarDataError(file, 'is not UTF-8 text', '不是 UTF-8 文本');
    }
  } finally {
    await handle.close();
  }
  const store = await openConfigured(config, !config.databaseUrl);
  try {
    await requireMigrated(store);
    return await importCalendarYear(store.db, text);
  } finally {
    await store.close();
  }
}
