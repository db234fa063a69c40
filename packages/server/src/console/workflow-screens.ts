import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.js';
import { EVERYONE, type RouteAccess } from '../http/access.js';
import { ProblemError } from '../http/problems.js';
import { html, type SafeHtml } from './html.js';
import type { ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';

// The console's screens of the workflows behind the store's: the regulator's (campaigns, bulletins,
// rankings, complaint KPIs, removal and stop-access orders), the access provider's (feed and
// acknowledgements), the operator's complaint inbox and the public complaint form, and the public
// pages of bulletins, rankings and the stop-access feed. Each calls the same workflow functions as
// the REST routes (src/workflows/*); registered from consoleAppRoutes, in the context that parses forms.
// This file holds who may open them, their links and the small pieces their files share; it imports
// none of them, so they and frame.ts can import it.

/** What a screen file needs from the signed-in console: its frame and the CSRF check (frame.ts). */
export interface ConsoleKit {
  frame(request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, head?: SafeHtml): SafeHtml;
  /** A POST's token, or the 403 page (then false). */
  checked(request: FastifyRequest, reply: FastifyReply, form: unknown): boolean;
}

/** The words of a screen file, in both languages: `say(lang, id)`. */
export function words<T extends Record<string, { en: string; zh: string }>>(table: T) {
  return (lang: ConsoleLang, id: keyof T): string => (lang === 'zh-CN' ? table[id]!.zh : table[id]!.en);
}

const regulatorOwn: RouteAccess = { roles: ['platform-admin', 'regulator'], scope: 'own-organisation' };
const operatorOwn: RouteAccess = { roles: ['developer'], scope: 'own-organisation' };
const providerOwn: RouteAccess = { roles: ['access-provider'], scope: 'own-organisation' };
const publicPage: RouteAccess = { roles: EVERYONE, scope: 'public' };

/**
 * Who may open each of these screens (joined into the one access table, src/http/access-table.ts).
 * Kept here, with no value taken from the screen files, so the access table can be read without
 * loading them.
 */
export const CONSOLE_WORKFLOW_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /console/regulator/campaigns': regulatorOwn,
  'POST /console/regulator/campaigns': regulatorOwn,
  'GET /console/regulator/campaigns/:id': regulatorOwn,
  'GET /console/regulator/campaigns/:id/progress': regulatorOwn,
  'POST /console/regulator/campaigns/:id': regulatorOwn,
  'GET /console/regulator/bulletins': regulatorOwn,
  'GET /console/regulator/bulletins/new': regulatorOwn,
  'POST /console/regulator/bulletins/new': regulatorOwn,
  'GET /console/regulator/bulletins/:id': regulatorOwn,
  'POST /console/regulator/bulletins/:id': regulatorOwn,
  'GET /console/regulator/rankings': regulatorOwn,
  'POST /console/regulator/rankings': regulatorOwn,
  'GET /console/regulator/complaints': regulatorOwn,
  'GET /console/regulator/orders': regulatorOwn,
  'POST /console/regulator/orders': regulatorOwn,
  'GET /console/provider/feed': providerOwn,
  'POST /console/provider/feed': providerOwn,
  'GET /console/complain/:id': publicPage,
  'POST /console/complain/:id': publicPage,
  'GET /console/developer/complaints': operatorOwn,
  'GET /console/developer/complaints/:id': operatorOwn,
  'POST /console/developer/complaints/:id': operatorOwn,
  'GET /bulletins': publicPage,
  'GET /bulletins/:id': publicPage,
  'GET /rankings': publicPage,
  'GET /stop-access': publicPage,
};

const LINKS: Partial<Record<Role, { href: string; en: string; zh: string }[]>> = {
  regulator: [
    { href: '/console/regulator/campaigns', en: 'Campaigns', zh: '专项检查' },
    { href: '/console/regulator/bulletins', en: 'Bulletin drafts', zh: '通报管理' },
    { href: '/console/regulator/rankings', en: 'Ranking runs', zh: '排名计算' },
    { href: '/console/regulator/complaints', en: 'Complaint KPIs', zh: '投诉处理指标' },
    { href: '/console/regulator/orders', en: 'Removal and stop-access orders', zh: '下架与停止接入' },
  ],
  'access-provider': [{ href: '/console/provider/feed', en: 'Stop-access feed', zh: '停止接入通知' }],
  developer: [{ href: '/console/developer/complaints', en: 'Complaints', zh: '投诉' }],
};

/** The links these screens add to a role's navigation. */
export function workflowLinks(lang: ConsoleLang, role: Role): { href: string; label: string }[] {
  return (LINKS[role] ?? []).map((l) => ({ href: l.href, label: lang === 'zh-CN' ? l.zh : l.en }));
}

const STATES: Record<string, { en: string; zh: string }> = {
  draft: { en: 'draft', zh: '草稿' },
  published: { en: 'published', zh: '已发布' },
  open: { en: 'open: awaiting rectification', zh: '整改中' },
  retesting: { en: 're-testing', zh: '复测中' },
  closed: { en: 'closed: rectified', zh: '已整改' },
  escalated: { en: 'escalated', zh: '已升级' },
  untestable: { en: 're-test could not run', zh: '无法复测' },
  new: { en: 'new', zh: '待研判' },
  confirmed: { en: 'confirmed', zh: '已确认' },
  dismissed: { en: 'dismissed', zh: '已排除' },
  received: { en: 'received', zh: '已收到' },
  accepted: { en: 'accepted', zh: '已受理' },
  answered: { en: 'answered', zh: '已答复' },
  done: { en: 'done', zh: '已完成' },
  skipped: { en: 'skipped', zh: '已跳过' },
  queued: { en: 'queued', zh: '排队中' },
  running: { en: 'running', zh: '运行中' },
  succeeded: { en: 'done', zh: '已完成' },
  failed: { en: 'failed', zh: '失败' },
  dead: { en: 'failed for good', zh: '最终失败' },
  cancelled: { en: 'cancelled', zh: '已取消' },
};

/** A workflow state in the page's language (the store's states are in frame.ts). */
export function workflowState(lang: ConsoleLang, state: string): string {
  const name = STATES[state];
  return name ? (lang === 'zh-CN' ? name.zh : name.en) : state;
}

/** What `find` returns, or undefined when it says not-found (any other error goes on). */
export async function orNotFound<T>(find: () => Promise<T>): Promise<T | undefined> {
  try {
    return await find();
  } catch (error) {
    if (error instanceof ProblemError && error.code === 'not-found') return undefined;
    throw error;
  }
}

/** A row of filter links (plain links, so they work without JavaScript); the current one is marked. */
export function filterLinks(
  lang: ConsoleLang,
  label: string,
  links: readonly { href: string; text: string; current: boolean }[],
): SafeHtml {
  return html`<nav class="filters" aria-label="${label}">
    ${links.map((l) => html`<a href="${withLang(l.href, lang)}" ${l.current ? html`aria-current="page"` : ''}>${l.text}</a>`)}
  </nav>`;
}

/** A table's head row: one column header per label. */
export function columns(labels: readonly string[]): SafeHtml {
  return html`<thead>
    <tr>
      ${labels.map((l) => html`<th scope="col">${l}</th>`)}
    </tr>
  </thead>`;
}

/** One line per item of a textarea (trimmed, empty lines dropped, at most `max`). */
export function lines(text: string, max = 100): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, max);
}
