import { randomBytes } from 'node:crypto';
import type { OrgKind, Role } from './db/schema.js';
import type { Platform } from './platform.js';
import { createApiToken, createUser, ensureOrganisation, hashPassword, writeAudit } from './admin.js';

// `apprights serve --demo`: one account for each actor, so a person can log in as any of them and a
// script can call the API as any of them. The passwords and tokens are new at every start (printed
// once by the CLI, stored hashed): a demo data folder never holds a credential anyone else knows.

export interface DemoAccount {
  role: Role;
  login: string;
  organisation: string;
  password: string;
  token: string;
}

const ACCOUNTS: readonly { role: Role; login: string; org: string; kind: OrgKind; name: string }[] = [
  { role: 'platform-admin', login: 'admin@demo', org: 'demo-platform', kind: 'platform', name: 'Demo platform 演示平台' },
  { role: 'store-admin', login: 'store-admin@demo', org: 'demo-store', kind: 'store', name: 'Demo app store 演示应用商店' },
  { role: 'store-reviewer', login: 'reviewer@demo', org: 'demo-store', kind: 'store', name: 'Demo app store 演示应用商店' },
  { role: 'developer', login: 'developer@demo', org: 'demo-developer', kind: 'developer', name: '演示科技有限公司 Demo Tech Co., Ltd.' },
  { role: 'sdk-vendor', login: 'vendor@demo', org: 'demo-vendor', kind: 'sdk-vendor', name: 'Demo SDK vendor 演示SDK厂商' },
  { role: 'regulator', login: 'regulator@demo', org: 'demo-regulator', kind: 'regulator', name: 'Demo regulator 演示监管部门' },
  {
    role: 'access-provider',
    login: 'provider@demo',
    org: 'demo-provider',
    kind: 'access-provider',
    name: 'Demo access provider 演示接入服务商',
  },
];

/** Creates (or refreshes) the demo organisations and accounts; returns their new passwords and tokens. */
export async function seedDemoAccounts(platform: Platform): Promise<DemoAccount[]> {
  const db = platform.store.db;
  const out: DemoAccount[] = [];
  for (const account of ACCOUNTS) {
    const org = await ensureOrganisation(db, { slug: account.org, kind: account.kind, name: account.name }, {});
    const password = randomBytes(12).toString('base64url');
    const existing = await db.selectFrom('users').select('id').where('login', '=', account.login).executeTakeFirst();
    let userId: string;
    if (existing) {
      userId = existing.id;
      await db
        .updateTable('users')
        .set({ password_hash: await hashPassword(password) })
        .where('id', '=', userId)
        .execute();
      // The previous start's tokens end with its passwords.
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: platform.clock.now() })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      await writeAudit(db, { action: 'demo.credentials-reset', subject: userId });
    } else {
      userId = (await createUser(db, { login: account.login, password, organisation: org.id, role: account.role }, {})).id;
    }
    const { token } = await createApiToken(db, { userId, orgId: org.id, name: `demo ${new Date(platform.clock.now()).toISOString()}` }, {});
    out.push({ role: account.role, login: account.login, organisation: account.org, password, token });
  }
  return out;
}

export interface DemoSeed {
  accounts: DemoAccount[];
  /** What else the demo holds, in one line. */
  summary: { en: string; zh: string };
}

/** `serve --demo`: the accounts, then each workflow's demo objects. */
export async function seedDemo(platform: Platform): Promise<DemoSeed> {
  const accounts = await seedDemoAccounts(platform);
  return { accounts, summary: { en: 'one account per actor', zh: '每类角色一个账号' } };
}
