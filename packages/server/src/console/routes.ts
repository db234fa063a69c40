import { etagOf, notModified, type PublicCache } from '../http/public-cache.js';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteAccess } from '../http/access.js';
import { EVERYONE } from '../http/access.js';
import type { Api, AppContext } from '../http/context.js';
import { ID_PATTERN } from '../http/routes/common.js';
import type { Database, ListingElements } from '../db/schema.js';
import type { CompiledQuery, ExpressionBuilder } from 'kysely';
import { searchListingIds } from '../workflows/store/search.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, shanghaiTime, t, type ConsoleLang } from './i18n.js';
import { layout, withLang } from './layout.js';

// The console's public pages (no sign-in): the disclosure list of listed apps and each app's page.
// Server-rendered, linkable, paginated, cacheable (ETag), and complete without JavaScript.

export const CONSOLE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /': { roles: EVERYONE, scope: 'public' },
  'GET /apps': { roles: EVERYONE, scope: 'public' },
  'GET /apps/:id': { roles: EVERYONE, scope: 'public' },
  'GET /assets/:name': { roles: EVERYONE, scope: 'public' },
};

/** The console's policy: nothing from another origin, no inline script or style, no framing. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ASSETS: Record<string, { type: string; file: string }> = {
  'console.css': { type: 'text/css; charset=utf-8', file: 'console.css' },
  'console.js': { type: 'text/javascript; charset=utf-8', file: 'console.js' },
};
const assetCache = new Map<string, { body: Buffer; etag: string }>();

function asset(name: string): { body: Buffer; etag: string } | undefined {
  const entry = ASSETS[name];
  if (!entry) return undefined;
  let cached = assetCache.get(name);
  if (!cached) {
    // dist/console/routes.js → ../../assets/
    const body = readFileSync(new URL(`../../assets/${entry.file}`, import.meta.url));
    cached = { body, etag: etagOf(body) };
    assetCache.set(name, cached);
  }
  return cached;
}

const HTML_TYPE = 'text/html; charset=utf-8';

/** A public page's headers (CSP, language, caching, ETag) and its answer: 304 when the client holds it already. */
function sendPageAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  lang: ConsoleLang,
  maxAge: number,
  answer: { body: string | Buffer; etag: string; status?: number },
): FastifyReply {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('content-language', lang)
    .header('vary', 'Accept-Language, Cookie')
    .header('cache-control', `public, max-age=${maxAge}`)
    .header('etag', answer.etag);
  if (answer.status) reply.code(answer.status);
  else if (notModified(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  return reply.type(HTML_TYPE).send(answer.body);
}

/** Sends a page with its ETag; 304 when the client holds it already. */
export function sendPage(request: FastifyRequest, reply: FastifyReply, page: SafeHtml, lang: ConsoleLang, maxAge = 60): FastifyReply {
  return sendPageAnswer(request, reply, lang, maxAge, { body: page.value, etag: etagOf(page.value) });
}

/**
 * A public page through the micro-cache (src/http/public-cache.ts): built at most once per TTL for
 * each language and URL, whoever asks; only for pages that show nothing of the caller (no `user` in
 * their layout). The key is the route with its validated parameters and query (unknown parameters
 * are refused by the schema, so they cannot multiply the entries), without `lang`, which the
 * language already says.
 */
export async function sendCachedPage(
  cache: PublicCache,
  now: number,
  request: FastifyRequest,
  reply: FastifyReply,
  lang: ConsoleLang,
  build: () => Promise<{ page: SafeHtml; status?: number }>,
  maxAge = 60,
): Promise<FastifyReply> {
  const query = Object.entries((request.query ?? {}) as Record<string, unknown>)
    .filter(([name, value]) => name !== 'lang' && value !== undefined)
    .map(([name, value]): [string, string] => [name, String(value)])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  // The route and its validated parameters, not the raw path: /apps/%30… and /apps/0… are one entry.
  const key = `page ${lang} ${request.routeOptions.url} ${JSON.stringify(request.params ?? {})} ${new URLSearchParams(query)}`;
  const answer = await cache.get(key, now, async () => {
    const { page, status } = await build();
    return { body: page.value, type: HTML_TYPE, ...(status && status !== 200 ? { status } : {}) };
  });
  return sendPageAnswer(request, reply, lang, maxAge, answer);
}

const LangQuery = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };
const AppsQuery = Type.Object(
  {
    ...LangQuery,
    q: Type.Optional(Type.String({ maxLength: 100 })),
    store: Type.Optional(Type.String({ pattern: ID_PATTERN })),
    type: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9-]*$' })),
    cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })),
  },
  { additionalProperties: false },
);

const PAGE_SIZE = 50;

/** What the list and the app page read of a listing (each adds its own). */
const LISTING_COLUMNS = ['listings.id', 'listings.package_name', 'listings.elements', 'listings.app_type', 'listings.version_id'] as const;

function elementsOf(text: string): ListingElements | undefined {
  try {
    return JSON.parse(text) as ListingElements;
  } catch {
    return undefined;
  }
}

/** The stores a form offers to choose from (by name, at most 200). */
export function storeChoices(db: AppContext['platform']['store']['db']) {
  return storeChoicesQuery(db).execute();
}

function storeChoicesQuery(db: AppContext['platform']['store']['db']) {
  return db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'store').orderBy('name').limit(200);
}

/**
 * Statements of the public pages, built and compiled once each (per shape) and run with each page's
 * values: kysely's building and compiling took about 0.2 ms of a list page's 2 ms of Node CPU, and
 * ~318 first visits build their pages in the same second. Compiled with placeholders (a NUL then a
 * name: no validated value can hold a NUL), replaced by the values in the parameters, never in the SQL.
 */
function placeholder(name: string): string {
  return `\u0000${name}`;
}

function withValues<R>(compiled: CompiledQuery<R>, values: ReadonlyMap<string, unknown>): CompiledQuery<R> {
  return { ...compiled, parameters: compiled.parameters.map((p) => (typeof p === 'string' && values.has(p) ? values.get(p) : p)) };
}

export function consoleRoutes(api: Api, { platform, publicCache }: AppContext): void {
  const db = platform.store.db;
  const hide = { hide: true } as const;

  api.get('/', { schema: { ...hide, querystring: Type.Object(LangQuery, { additionalProperties: false }) } }, async (request, reply) => {
    const lang = pickLang(request);
    return reply.redirect(withLang('/apps', lang), 302);
  });

  api.get(
    '/assets/:name',
    { schema: { ...hide, params: Type.Object({ name: Type.String({ maxLength: 40 }) }) } },
    async (request, reply) => {
      const found = asset(request.params.name);
      if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('not found / 未找到');
      reply.header('cache-control', 'public, max-age=3600').header('etag', found.etag);
      if (notModified(request.headers['if-none-match'], found.etag)) return reply.code(304).send();
      return reply.type(ASSETS[request.params.name]!.type).send(found.body);
    },
  );

  api.get('/apps', { schema: { ...hide, querystring: AppsQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    return sendCachedPage(publicCache, platform.clock.now(), request, reply, lang, () => appsPage(lang, request.query));
  });

  /** The list's rows: listed, newest first, a page and one more, with each one's last check. */
  function listQuery(conn: typeof db, { store, type, cursor }: { store?: string; type?: string; cursor?: string }) {
    let query = conn
      .selectFrom('listings')
      .innerJoin('organisations as s', 's.id', 'listings.store_id')
      .select([...LISTING_COLUMNS, 'listings.listed_at', 's.name as store_name'])
      .select((eb) => newestCheck(eb).select('r.created_at').as('checked_at'))
      .where('listings.state', '=', 'listed');
    if (store) query = query.where('listings.store_id', '=', store);
    if (type) query = query.where('listings.app_type', '=', type);
    if (cursor) query = query.where('listings.id', '<', cursor);
    return query.orderBy('listings.id', 'desc').limit(PAGE_SIZE + 1);
  }
  type ListRow = Awaited<ReturnType<ReturnType<typeof listQuery>['execute']>>[number];
  const listsCompiled = new Map<string, CompiledQuery<ListRow>>();
  let storesStatement: CompiledQuery<{ id: string; name: string }> | undefined;

  /** listQuery without a search, compiled once per filter shape (which of store, type and cursor are given). */
  function listStatement(filters: { store?: string; type?: string; cursor?: string }): CompiledQuery<ListRow> {
    const values = new Map<string, unknown>();
    const named: { store?: string; type?: string; cursor?: string } = {};
    for (const name of ['store', 'type', 'cursor'] as const) {
      const value = filters[name];
      if (!value) continue;
      named[name] = placeholder(name);
      values.set(named[name], value);
    }
    const shape = [...values.keys()].join(' ');
    let compiled = listsCompiled.get(shape);
    if (!compiled) listsCompiled.set(shape, (compiled = listQuery(db, named).compile()));
    return withValues(compiled, values);
  }

  async function appsPage(lang: ConsoleLang, { q, store, type, cursor }: { q?: string; store?: string; type?: string; cursor?: string }) {
    // One pool connection for the whole read (on PostgreSQL, a build waits for the pool once, not
    // once per statement: with many first visits at once, each wait was behind every other build's),
    // and the page's rows with each one's last check in one statement.
    const { rows, stores } = await db.connection().execute(async (conn) => {
      // A search finds the matching ids first (src/workflows/store/search.ts), then reads those rows.
      const matching = q?.trim()
        ? await searchListingIds(conn, platform.store.dialect, { q, store, type, cursor }, PAGE_SIZE + 1)
        : undefined;
      const rows =
        matching?.length === 0
          ? []
          : matching
            ? await listQuery(conn, { store, type, cursor }).where('listings.id', 'in', matching).execute()
            : (await conn.executeQuery(listStatement({ store, type, cursor }))).rows;
      const stores = (await conn.executeQuery((storesStatement ??= storeChoicesQuery(db).compile()))).rows;
      return { rows, stores };
    });
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    const base = new URLSearchParams();
    if (q) base.set('q', q);
    if (store) base.set('store', store);
    if (type) base.set('type', type);
    const path = `/apps${base.size ? `?${base}` : ''}`;
    const nextParams = new URLSearchParams(base);
    if (more) nextParams.set('cursor', shown[shown.length - 1]!.id);
    const body = html`<h1>${t(lang, 'appsTitle')}</h1>
      <p class="muted">${t(lang, 'appsIntro')}</p>
      <form class="filters" method="get" action="/apps" role="search">
        <input type="hidden" name="lang" value="${lang}" />
        <label>${t(lang, 'searchLabel')}<input type="search" name="q" value="${q ?? ''}" maxlength="100" /></label>
        <label
          >${t(lang, 'store')}<select name="store">
            <option value="">${t(lang, 'anyStore')}</option>
            ${stores.map((s) => html`<option value="${s.id}" ${s.id === store ? html` selected` : ''}>${s.name}</option>`)}
          </select></label
        >
        <label>${t(lang, 'appType')}<input type="text" name="type" value="${type ?? ''}" maxlength="64" pattern="[a-z0-9-]*" /></label>
        <button type="submit">${t(lang, 'search')}</button>
      </form>
      ${
        shown.length === 0
          ? html`<p>${t(lang, 'noApps')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${t(lang, 'name')}</th>
                  <th scope="col">${t(lang, 'packageName')}</th>
                  <th scope="col">${t(lang, 'version')}</th>
                  <th scope="col">${t(lang, 'developer')}</th>
                  <th scope="col">${t(lang, 'store')}</th>
                  <th scope="col">${t(lang, 'lastCheck')}</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map((row) => {
                  const elements = elementsOf(row.elements);
                  return html`<tr>
                    <td><a href="${withLang(`/apps/${row.id}`, lang)}">${elements?.name ?? row.package_name}</a></td>
                    <td><code>${row.package_name}</code></td>
                    <td>${elements?.version ?? ''}</td>
                    <td>${elements?.developer ?? ''}</td>
                    <td>${row.store_name}</td>
                    <td>${row.checked_at !== null ? time(row.checked_at) : html`<span class="muted">${t(lang, 'notChecked')}</span>`}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      ${more ? html`<p class="pager"><a rel="next" href="${withLang(`/apps?${nextParams}`, lang)}">${t(lang, 'next')}</a></p>` : ''}`;
    return { page: layout({ lang, title: t(lang, 'appsTitle'), path, body }) };
  }

  api.get(
    '/apps/:id',
    {
      schema: {
        ...hide,
        params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }),
        querystring: Type.Object(LangQuery, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      return sendCachedPage(publicCache, platform.clock.now(), request, reply, lang, () => appPage(lang, request.params.id));
    },
  );

  /** One statement: the listing, its store, the store's record of its check and the version's newest report. */
  function appQuery(id: string) {
    return (
      db
        .selectFrom('listings')
        .innerJoin('organisations as s', 's.id', 'listings.store_id')
        // The store's record of the check that listed this version: its SDK list, already cut out of the report.
        .leftJoin('store_listing_checks as c', 'c.listing_id', 'listings.id')
        .select([...LISTING_COLUMNS, 's.name as store_name', 'c.report_id as checked_report_id', 'c.sdks as checked_sdks'])
        .select((eb) => [
          newestCheck(eb).select('r.id').as('check_id'),
          newestCheck(eb).select('r.created_at').as('check_created_at'),
          newestCheck(eb).select('r.summary').as('check_summary'),
        ])
        .where('listings.id', '=', id)
        .where('listings.state', '=', 'listed')
    );
  }
  type AppRow = Awaited<ReturnType<ReturnType<typeof appQuery>['executeTakeFirst']>>;
  let appStatement: CompiledQuery<NonNullable<AppRow>> | undefined;

  async function appPage(lang: ConsoleLang, id: string): Promise<{ page: SafeHtml; status?: number }> {
    const row = (
      await db.executeQuery(withValues((appStatement ??= appQuery(placeholder('id')).compile()), new Map([[placeholder('id'), id]])))
    ).rows[0];
    if (!row) {
      const body = html`<h1>${t(lang, 'notFound')}</h1>
        <p>${t(lang, 'notFoundText')}</p>`;
      return { page: layout({ lang, title: t(lang, 'notFound'), path: `/apps/${id}`, body }), status: 404 };
    }
    const elements = elementsOf(row.elements);
    const check =
      row.check_id !== null && row.check_created_at !== null && row.check_summary !== null
        ? { id: row.check_id, created_at: row.check_created_at, summary: row.check_summary }
        : undefined;
    // The newest report's SDKs: from the store's record when it is of that report (a few hundred
    // bytes), else from the report's body (tens of KB to parse, when a re-run came after the listing).
    const sdksRead =
      check && check.id === row.checked_report_id && row.checked_sdks !== null
        ? parse<ReportSdk[]>(row.checked_sdks)
        : check
          ? parse<{ sdks?: ReportSdk[] }>(
              (await db.selectFrom('reports').select('body').where('id', '=', check.id).executeTakeFirst())?.body ?? '',
            )?.sdks
          : undefined;
    const sdks = Array.isArray(sdksRead) ? sdksRead : [];
    const summary = check ? parse<{ findings?: Record<string, number>; coverage?: Record<string, number> }>(check.summary) : undefined;
    const pick = (text: { zh?: string; en?: string } | undefined) =>
      (lang === 'zh-CN' ? (text?.zh ?? text?.en) : (text?.en ?? text?.zh)) ?? '';
    const title = elements?.name ?? row.package_name;
    const body = html`<h1>${title}</h1>
      <dl class="elements">
        <dt>${t(lang, 'packageName')}</dt>
        <dd><code>${row.package_name}</code></dd>
        <dt>${t(lang, 'version')}</dt>
        <dd>${elements?.version ?? ''}</dd>
        <dt>${t(lang, 'developer')}</dt>
        <dd>${elements?.developer ?? ''}</dd>
        <dt>${t(lang, 'store')}</dt>
        <dd>${row.store_name}</dd>
        <dt>${t(lang, 'appType')}</dt>
        <dd>${row.app_type ?? ''}</dd>
        <dt>${t(lang, 'privacyPolicy')}</dt>
        <dd>${safeLink(elements?.privacyPolicyUrl)}</dd>
        <dt>${t(lang, 'description')}</dt>
        <dd>${elements?.description ?? ''}</dd>
        <dt>${t(lang, 'lastCheck')}</dt>
        <dd>${check ? time(check.created_at) : t(lang, 'notChecked')}</dd>
      </dl>
      <p><a class="button" href="${withLang(`/console/complain/${row.id}`, lang)}">${t(lang, 'fileComplaint')}</a></p>
      <h2>${t(lang, 'permissions')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">${t(lang, 'permissions')}</th>
            <th scope="col">${t(lang, 'purpose')}</th>
          </tr>
        </thead>
        <tbody>
          ${(elements?.permissions ?? []).map(
            (p) =>
              html`<tr>
                <td><code>${p.name}</code></td>
                <td>${p.purpose}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>${t(lang, 'sdks')}</h2>
      ${
        sdks.length
          ? html`<table>
              <thead>
                <tr>
                  <th scope="col">SDK</th>
                  <th scope="col">${t(lang, 'vendor')}</th>
                </tr>
              </thead>
              <tbody>
                ${sdks.map(
                  (s) =>
                    html`<tr>
                      <td>${pick(s.name) || s.id}</td>
                      <td>${pick(s.vendor)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p>${t(lang, 'noSdks')}</p>`
      }
      ${
        summary
          ? html`<h2>${t(lang, 'findings')}</h2>
              <p>${counts(summary.findings)}</p>
              <h2>${t(lang, 'coverage')}</h2>
              <p>${counts(summary.coverage)}</p>`
          : ''
      }`;
    return { page: layout({ lang, title, path: `/apps/${row.id}`, body }) };
  }
}

/**
 * The newest scan or rerun report of the listing's version (a correlated subquery: select one
 * column of it), as the version's last check; none when the listing names no version.
 */
function newestCheck(eb: ExpressionBuilder<Database & { listings: Database['listings'] }, 'listings'>) {
  return eb
    .selectFrom('reports as r')
    .whereRef('r.version_id', '=', 'listings.version_id')
    .where('r.kind', 'in', ['scan', 'rerun'])
    .orderBy('r.id', 'desc')
    .limit(1);
}

/** An SDK as a report (and the store's record of a check) names it. */
interface ReportSdk {
  id: string;
  name?: { zh?: string; en?: string };
  vendor?: { zh?: string; en?: string };
  category?: string;
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function time(ms: number): SafeHtml {
  const { text, iso } = shanghaiTime(ms);
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

function counts(map: Record<string, number> | undefined): SafeHtml {
  const entries = Object.entries(map ?? {});
  return html`${entries.map(([k, v]) => html`<span class="tag">${k}: ${v}</span> `)}`;
}

/** A link only for http(s) URLs; anything else (javascript:, data:) is shown as text. */
function safeLink(url: string | undefined): SafeHtml {
  if (!url) return html``;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:')
      return html`<a href="${parsed.href}" rel="noopener noreferrer nofollow">${url}</a>`;
  } catch {
    // not a URL: text below
  }
  return html`${url}`;
}
