// The API under test on one database: a Platform with the recording queue, the app, and helpers
// that make organisations, users and tokens through the same admin functions the CLI uses.
import { systemClock, type Clock } from '../../src/calendar/clock.js';
import { join } from 'node:path';
import { defaultConfig, type ServerConfig } from '../../src/config.js';
import { LocalBlobStore } from '../../src/blobs/store.js';
import type { Role } from '../../src/db/schema.js';
import type { Platform } from '../../src/platform.js';
import { buildApp, type Api } from '../../src/http/app.js';
import { createApiToken, createOrganisation, createUser } from '../../src/admin.js';
import type { DatabaseUnderTest } from './databases.js';
import { RecordingQueue } from './queue.js';

export interface Harness {
  platform: Platform;
  app: Api;
  close(): Promise<void>;
}

export async function harness(
  under: DatabaseUnderTest,
  overrides: Partial<ServerConfig> = {},
  clock: Clock = systemClock,
): Promise<Harness> {
  const store = await under.open();
  // No micro-cache unless a test asks for one: tests change data and read the public pages back at once.
  const config = defaultConfig({ dataDir: under.dataDir, databaseUrl: under.url, publicCacheMs: 0, ...overrides });
  const platform: Platform = {
    config,
    store,
    blobs: new LocalBlobStore(join(under.dataDir, 'blobs')),
    queue: new RecordingQueue(store),
    clock,
  };
  const app = await buildApp(platform);
  return { platform, app, close: () => app.close() };
}

export interface Member {
  userId: string;
  orgId: string;
  role: Role;
  token: string;
  login: string;
  password: string;
}

let counter = 0;
export const PASSWORD = 'correct horse battery';

/** A user with `role` in organisation `orgSlug` (made if missing), and an API token. */
export async function member(platform: Platform, orgSlug: string, role: Role): Promise<Member> {
  const db = platform.store.db;
  let org = await db.selectFrom('organisations').select('id').where('slug', '=', orgSlug).executeTakeFirst();
  if (!org) {
    const kind =
      role === 'platform-admin'
        ? 'platform'
        : role.startsWith('store')
          ? 'store'
          : role === 'sdk-vendor'
            ? 'sdk-vendor'
            : role === 'regulator'
              ? 'regulator'
              : role === 'access-provider'
                ? 'access-provider'
                : 'developer';
    org = { id: (await createOrganisation(db, { slug: orgSlug, name: orgSlug, kind })).id };
  }
  const login = `u${++counter}-${role}@${orgSlug}`;
  const user = await createUser(db, { login, password: PASSWORD, organisation: orgSlug, role });
  const { token } = await createApiToken(db, { userId: user.id, orgId: org.id, name: 'test' });
  return { userId: user.id, orgId: org.id, role, token, login, password: PASSWORD };
}

export function bearer(m: { token: string }): Record<string, string> {
  return { authorization: `Bearer ${m.token}` };
}
