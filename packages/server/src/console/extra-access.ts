import type { Role } from '../db/schema.js';
import { ADMIN, EVERYONE, SIGNED_IN, type RouteAccess } from '../http/access.js';
import type { ConsoleLang } from './i18n.js';

// Who may open the console's screens of the platform admin (admin.ts), the SDK vendor (vendor.ts),
// the developer's versions (versions.ts), tokens and deadlines and the store's further screens (more.ts), and the language
// switch: their entries in the one access table (joined into CONSOLE_APP_ACCESS), and each role's
// links to them in the console's navigation. Kept apart from the pages so that pages.ts can take
// both without importing the screens.

const STORE_STAFF: RouteAccess['roles'] = ['store-admin', 'store-reviewer'];
const VENDOR: RouteAccess['roles'] = ['sdk-vendor'];
/** The SDK registry's readers: the vendor its own, the reviewers of proposals all (as the REST API). */
const SDK_READERS: RouteAccess['roles'] = ['sdk-vendor', 'platform-admin', 'regulator'];
const SDK_REVIEWERS: RouteAccess['roles'] = ['platform-admin', 'regulator'];

export const CONSOLE_EXTRA_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // The language switch: sets the ar_lang cookie and goes back to the page.
  'GET /console/lang': { roles: EVERYONE, scope: 'public' },
  // Everyone's own API tokens.
  'GET /console/tokens': { roles: SIGNED_IN, scope: 'self' },
  'POST /console/tokens': { roles: SIGNED_IN, scope: 'self' },
  'POST /console/tokens/:id/revoke': { roles: SIGNED_IN, scope: 'self' },
  // The developer's rectification deadlines.
  'GET /console/developer/deadlines': { roles: ['developer'], scope: 'own-organisation' },
  // The developer's apps, versions and the diff of two versions.
  'GET /console/developer/apps': { roles: ['developer'], scope: 'own-organisation' },
  'GET /console/developer/apps/:id': { roles: ['developer'], scope: 'own-organisation' },
  'POST /console/developer/apps/:id/diff': { roles: ['developer'], scope: 'own-organisation' },
  'GET /console/developer/diffs/:id': { roles: ['developer'], scope: 'own-organisation' },
  // The platform admin.
  'GET /console/admin/users': { roles: ADMIN, scope: 'platform' },
  'GET /console/admin/organisations': { roles: ADMIN, scope: 'platform' },
  'GET /console/admin/tokens': { roles: ADMIN, scope: 'platform' },
  'POST /console/admin/tokens/:id/revoke': { roles: ADMIN, scope: 'platform' },
  'GET /console/admin/calendar': { roles: ADMIN, scope: 'platform' },
  'POST /console/admin/calendar': { roles: ADMIN, scope: 'platform' },
  'GET /console/admin/queue': { roles: ADMIN, scope: 'platform' },
  'POST /console/admin/jobs/:id/retry': { roles: ADMIN, scope: 'platform' },
  'POST /console/admin/jobs/:id/cancel': { roles: ADMIN, scope: 'platform' },
  'GET /console/admin/audit': { roles: ADMIN, scope: 'platform' },
  // The store: the gate policy's dry run, patrol results, delisting tasks.
  'POST /console/store/gate/dry-run': { roles: STORE_STAFF, scope: 'own-organisation' },
  'GET /console/store/patrols': { roles: STORE_STAFF, scope: 'own-organisation' },
  'GET /console/store/credit/:id': { roles: STORE_STAFF, scope: 'own-organisation' },
  'GET /console/store/delisting': { roles: STORE_STAFF, scope: 'own-organisation' },
  'POST /console/store/delisting/:id/done': { roles: ['store-admin'], scope: 'own-organisation' },
  // The SDK registry.
  'GET /console/sdk-registry/sdks': { roles: SDK_READERS, scope: 'own-organisation' },
  'GET /console/sdk-registry/sdks/:id': { roles: SDK_READERS, scope: 'own-organisation' },
  'POST /console/sdk-registry/sdks/:id/proposals': { roles: VENDOR, scope: 'own-organisation' },
  'GET /console/sdk-registry/proposals': { roles: SDK_READERS, scope: 'own-organisation' },
  'GET /console/sdk-registry/proposals/:id': { roles: SDK_READERS, scope: 'own-organisation' },
  'POST /console/sdk-registry/proposals/:id/reviews': { roles: SDK_REVIEWERS, scope: 'own-organisation' },
};

const LINKS = {
  tokens: { href: '/console/tokens', en: 'API tokens', zh: 'API 令牌' },
  deadlines: { href: '/console/developer/deadlines', en: 'Rectification deadlines', zh: '整改期限' },
  versions: { href: '/console/developer/apps', en: 'Versions and diffs', zh: '版本与差异' },
  users: { href: '/console/admin/users', en: 'Users', zh: '用户' },
  organisations: { href: '/console/admin/organisations', en: 'Organisations', zh: '组织' },
  allTokens: { href: '/console/admin/tokens', en: 'All tokens', zh: '全部令牌' },
  calendar: { href: '/console/admin/calendar', en: 'Calendar', zh: '工作日历' },
  queue: { href: '/console/admin/queue', en: 'Queue and workers', zh: '任务队列与工作进程' },
  audit: { href: '/console/admin/audit', en: 'Audit log', zh: '审计日志' },
  patrols: { href: '/console/store/patrols', en: 'Patrol results', zh: '巡检结果' },
  delisting: { href: '/console/store/delisting', en: 'Delisting tasks', zh: '下架任务' },
  sdks: { href: '/console/sdk-registry/sdks', en: 'SDKs', zh: 'SDK' },
  proposals: { href: '/console/sdk-registry/proposals', en: 'Catalogue proposals', zh: '目录提案' },
} as const;

const BY_ROLE: Partial<Record<Role, (keyof typeof LINKS)[]>> = {
  'platform-admin': ['users', 'organisations', 'allTokens', 'calendar', 'queue', 'audit', 'sdks', 'proposals'],
  developer: ['versions', 'deadlines'],
  'store-admin': ['patrols', 'delisting'],
  'store-reviewer': ['patrols', 'delisting'],
  'sdk-vendor': ['sdks', 'proposals'],
  regulator: ['proposals'],
};

/** The links a role gets beyond those of pages.ts: its screens here, then its own API tokens. */
export function extraLinks(lang: ConsoleLang, role: Role): { href: string; label: string }[] {
  return [...(BY_ROLE[role] ?? []), 'tokens' as const].map((k) => ({
    href: LINKS[k].href,
    label: lang === 'zh-CN' ? LINKS[k].zh : LINKS[k].en,
  }));
}
