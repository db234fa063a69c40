import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../http/auth.js';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { parseJson } from '../http/routes/common.js';
import {
  APPROVALS_NEEDED,
  embeddingQuery,
  findProposalOf,
  findSdk,
  listProposals,
  listSdks,
  proposalReviews,
  proposeEntry,
  reviewProposal,
  sdkVersions,
} from '../workflows/sdk-registry/index.js';
import { csrfField, field, formToken, notFoundPage } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, formChecked, problemErrors, textOf, time } from './frame.js';
import { Cursor, IdParam, LangOnly, listTable, ListQuery, PAGE, pager, sendSigned, type Words, word } from './words.js';

// The SDK registry's screens: a vendor's SDK entries, each version with the personal information it
// collects (per purpose) and the options that turn functions off, the listed apps embedding each
// version; proposals to the detection catalogue with their reviews, which two reviewers other than
// the author approve. The reviewers (platform admin, regulator) read every SDK and decide here.
// Every read and change goes through the registry's functions (src/workflows/sdk-registry).

const W = {
  sdks: { en: 'SDK entries', zh: 'SDK 条目' },
  sdksIntro: {
    en: 'Your SDKs as the detection catalogue names them, with each published version. Publish and edit through the REST API (/api/v1/sdk-registry).',
    zh: '本组织的 SDK（按检测目录的标识）及已发布的各版本。发布与修改请使用 REST 接口（/api/v1/sdk-registry）。',
  },
  catalogId: { en: 'Catalogue id', zh: '目录标识' },
  name: { en: 'Name', zh: '名称' },
  updated: { en: 'Updated', zh: '更新时间' },
  none: { en: 'Nothing to show.', zh: '暂无记录。' },
  guide: { en: 'Compliance guide', zh: '合规指引' },
  versions: { en: 'Versions', zh: '版本' },
  version: { en: 'Version', zh: '版本' },
  flagged: { en: 'Flagged', zh: '已标记' },
  personalInformation: { en: 'Personal information collected, by purpose', zh: '收集的个人信息及目的' },
  category: { en: 'Category', zh: '类别' },
  purpose: { en: 'Purpose', zh: '目的' },
  items: { en: 'Items', zh: '具体字段' },
  optional: { en: 'optional', zh: '可选' },
  options: { en: 'Configuration options that turn a function off', zh: '可关闭功能的配置项' },
  function: { en: 'Function', zh: '功能' },
  option: { en: 'Option', zh: '配置方法' },
  defaultOn: { en: 'on by default', zh: '默认开启' },
  apps: { en: 'Listed apps embedding it', zh: '集成该版本的在架应用' },
  undetected: { en: 'version not detected', zh: '未识别版本' },
  more: { en: 'and more', zh: '等' },
  propose: { en: 'Propose this entry to the detection catalogue', zh: '将此条目提交至检测目录' },
  proposals: { en: 'Catalogue proposals', zh: '检测目录提案' },
  proposalsIntro: {
    en: `A proposal enters the detection catalogue after ${APPROVALS_NEEDED} approvals by reviewers other than its author; one rejection closes it.`,
    zh: `提案须经提案人以外的 ${APPROVALS_NEEDED} 名审核人通过方可进入检测目录；任一驳回即关闭。`,
  },
  proposal: { en: 'Proposal', zh: '提案' },
  state: { en: 'State', zh: '状态' },
  all: { en: 'All', zh: '全部' },
  created: { en: 'Created', zh: '创建时间' },
  approvals: { en: 'Approvals', zh: '通过数' },
  warnings: { en: 'Warnings', zh: '警告' },
  entry: { en: 'Entry', zh: '条目' },
  reviews: { en: 'Reviews', zh: '审核记录' },
  reviewer: { en: 'Reviewer', zh: '审核人' },
  decision: { en: 'Decision', zh: '决定' },
  comment: { en: 'Comment', zh: '意见' },
  review: { en: 'Your review', zh: '审核' },
  approve: { en: 'Approve', zh: '通过' },
  reject: { en: 'Reject', zh: '驳回' },
  catalogueFile: { en: 'File for the catalogue', zh: '目录文件' },
} as const satisfies Words;

const w = (lang: ConsoleLang, id: keyof typeof W) => word(W, lang, id);

const STATE_WORDS: Record<string, { en: string; zh: string }> = {
  open: { en: 'open', zh: '审核中' },
  approved: { en: 'approved', zh: '已通过' },
  rejected: { en: 'rejected', zh: '已驳回' },
  approve: { en: 'approve', zh: '通过' },
  reject: { en: 'reject', zh: '驳回' },
};
const stateWord = (lang: ConsoleLang, state: string) => textOf(STATE_WORDS[state] ?? state, lang);

/** Apps shown per version (the REST API pages through all of them). */
const APPS_SHOWN = 20;
const PROPOSAL_STATES = ['open', 'approved', 'rejected'] as const;

/** The bilingual name of a catalogue entry, or its id. */
function entryName(entry: unknown, lang: ConsoleLang, fallback: string): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return (name ? textOf(name, lang) : '') || fallback;
}

/** A link only for http(s) URLs; anything else is shown as text. */
function outLink(url: string | null): SafeHtml {
  if (!url) return html``;
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noopener noreferrer nofollow">${url}</a>` : html`${url}`;
}

/** A registry error the page shows (not found → the 404 page). */
async function asPage<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<T>,
): Promise<{ ok: T } | { errors: { pointer: string; message: string }[]; status: number } | { sent: FastifyReply }> {
  try {
    return { ok: await run() };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    if (error.code === 'not-found') return { sent: notFoundPage(request, reply) };
    return { errors: problemErrors(error), status: error.status };
  }
}

export function consoleVendorRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;
  const page = { hide: true } as const;
  const config = { consolePage: true } as const;
  const principal = (request: FastifyRequest): Principal => request.auth.principal!;
  const send = sendSigned;

  api.get('/console/sdk-registry/sdks', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const rows = await listSdks(db, principal(request), { cursor: request.query.cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const body = html`<h1>${w(lang, 'sdks')}</h1>
      <p class="muted">${w(lang, 'sdksIntro')}</p>
      ${listTable(
        lang,
        [w(lang, 'name'), w(lang, 'catalogId'), w(lang, 'updated')],
        shown.map(
          (s) =>
            html`<tr>
              <td>
                <a href="${withLang(`/console/sdk-registry/sdks/${s.id}`, lang)}">${entryName(parseJson(s.entry), lang, s.catalog_id)}</a>
              </td>
              <td><code>${s.catalog_id}</code></td>
              <td>${time(s.updated_at)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/sdk-registry/sdks', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'sdks'), body);
  });

  const sdkPage = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: { pointer: string; message: string }[]) => {
    const lang = pickLang(request);
    const p = principal(request);
    const found = await asPage(request, reply, () => findSdk(db, id, p));
    if ('sent' in found) return found.sent;
    if (!('ok' in found)) return send(request, reply, w(lang, 'sdks'), errorList(lang, found.errors), found.status);
    const sdk = found.ok;
    const versions = await sdkVersions(db, sdk.id);
    // The apps embedding each version (and those whose version the detection did not tell).
    const embedding = new Map<string, { packageName: string; listingId: string }[]>();
    for (const v of [...versions.map((x) => x.version), '']) {
      const rows = await embeddingQuery(db, sdk.catalog_id, v)
        .orderBy('l.id', 'desc')
        .limit(APPS_SHOWN + 1)
        .execute();
      if (rows.length) embedding.set(v, rows);
    }
    const entry = parseJson(sdk.entry);
    const title = entryName(entry, lang, sdk.catalog_id);
    const appsOf = (version: string) => {
      const rows = embedding.get(version) ?? [];
      if (rows.length === 0) return html`<span class="muted">0</span>`;
      return html`${rows.slice(0, APPS_SHOWN).map((a) => html`<a href="${withLang(`/apps/${a.listingId}`, lang)}"><code>${a.packageName}</code></a> `)}
      ${rows.length > APPS_SHOWN ? html`<span class="muted">${w(lang, 'more')}</span>` : ''}`;
    };
    const body = html`<h1>${title}</h1>
      <p><code>${sdk.catalog_id}</code> · ${w(lang, 'updated')} ${time(sdk.updated_at)}</p>
      ${sdk.compliance_guide_url ? html`<p>${w(lang, 'guide')}: ${outLink(sdk.compliance_guide_url)}</p>` : ''} ${errorList(lang, errors)}
      ${
        p.role === 'sdk-vendor'
          ? html`<form method="post" action="${withLang(`/console/sdk-registry/sdks/${sdk.id}/proposals`, lang)}" class="inline">
              ${csrfField(formToken(request, reply))}
              <button type="submit">${w(lang, 'propose')}</button>
            </form>`
          : ''
      }
      <h2>${w(lang, 'versions')}</h2>
      ${versions.length === 0 ? html`<p>${w(lang, 'none')}</p>` : ''}
      ${versions.map((v) => {
        const pi = (parseJson(v.personal_information) ?? []) as { category: string; purpose: string; items?: string; optional?: boolean }[];
        const options = (parseJson(v.config_options) ?? []) as {
          function: string;
          option: string;
          personalInformation: string[];
          defaultOn?: boolean;
        }[];
        return html`<section class="version">
          <h3>
            ${w(lang, 'version')} <code>${v.version}</code>
            ${v.flagged_at !== null ? html`<span class="state state-rejected">${w(lang, 'flagged')}: ${v.flag_reason ?? ''}</span>` : ''}
          </h3>
          <h4>${w(lang, 'personalInformation')}</h4>
          ${listTable(
            lang,
            [w(lang, 'category'), w(lang, 'purpose'), w(lang, 'items')],
            pi.map(
              (x) =>
                html`<tr>
                  <td><code>${x.category}</code>${x.optional ? html` <span class="tag">${w(lang, 'optional')}</span>` : ''}</td>
                  <td>${x.purpose}</td>
                  <td>${x.items ?? ''}</td>
                </tr>`,
            ),
          )}
          <h4>${w(lang, 'options')}</h4>
          ${listTable(
            lang,
            [w(lang, 'function'), w(lang, 'option'), w(lang, 'category')],
            options.map(
              (o) =>
                html`<tr>
                  <td>${o.function}${o.defaultOn ? html` <span class="tag">${w(lang, 'defaultOn')}</span>` : ''}</td>
                  <td><code>${o.option}</code></td>
                  <td>${o.personalInformation.map((c) => html`<code>${c}</code> `)}</td>
                </tr>`,
            ),
          )}
          <p>${w(lang, 'apps')}: ${appsOf(v.version)}</p>
        </section>`;
      })}
      ${embedding.has('') ? html`<p>${w(lang, 'apps')} (${w(lang, 'undetected')}): ${appsOf('')}</p>` : ''}`;
    return send(request, reply, title, body, errors.length ? 409 : 200);
  };

  api.get(
    '/console/sdk-registry/sdks/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => sdkPage(request, reply, request.params.id, []),
  );

  api.post('/console/sdk-registry/sdks/:id/proposals', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    if (!formChecked(request, reply, request.body)) return reply;
    const done = await asPage(request, reply, () => proposeEntry(platform, principal(request), request.params.id, undefined, request.ip));
    if ('sent' in done) return done.sent;
    if (!('ok' in done)) return sdkPage(request, reply, request.params.id, done.errors);
    return reply.redirect(withLang(`/console/sdk-registry/proposals/${done.ok.id}`, pickLang(request)), 303);
  });

  const ProposalsQuery = Type.Object(
    { ...LangOnly, cursor: Cursor, state: Type.Optional(Type.Union(PROPOSAL_STATES.map((s) => Type.Literal(s)))) },
    { additionalProperties: false },
  );

  api.get('/console/sdk-registry/proposals', { config, schema: { ...page, querystring: ProposalsQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const { state, cursor } = request.query;
    const rows = await listProposals(db, principal(request), { state, cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const body = html`<h1>${w(lang, 'proposals')}</h1>
      <p class="muted">${w(lang, 'proposalsIntro')}</p>
      <nav class="filters" aria-label="${w(lang, 'state')}">
        <a href="${withLang('/console/sdk-registry/proposals', lang)}" ${state ? '' : html`aria-current="page"`}>${w(lang, 'all')}</a>
        ${PROPOSAL_STATES.map(
          (s) =>
            html`<a href="${withLang(`/console/sdk-registry/proposals?state=${s}`, lang)}" ${s === state ? html`aria-current="page"` : ''}
              >${stateWord(lang, s)}</a
            >`,
        )}
      </nav>
      ${listTable(
        lang,
        [w(lang, 'proposal'), w(lang, 'catalogId'), w(lang, 'state'), w(lang, 'created')],
        shown.map(
          (r) =>
            html`<tr>
              <td>
                <a href="${withLang(`/console/sdk-registry/proposals/${r.id}`, lang)}"
                  >${entryName(parseJson(r.entry), lang, r.catalog_id)}</a
                >
              </td>
              <td><code>${r.catalog_id}</code></td>
              <td>${stateWord(lang, r.state)}</td>
              <td>${time(r.created_at)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/sdk-registry/proposals', new URLSearchParams(state ? { state } : {}), rows, PAGE)}`;
    return send(request, reply, w(lang, 'proposals'), body);
  });

  const proposalPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: { pointer: string; message: string }[],
    status = 200,
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const found = await asPage(request, reply, () => findProposalOf(db, id, p));
    if ('sent' in found) return found.sent;
    if (!('ok' in found)) return send(request, reply, w(lang, 'proposals'), errorList(lang, found.errors), found.status);
    const row = found.ok;
    const reviews = await proposalReviews(db, row.id);
    const logins = new Map(
      reviews.length
        ? (
            await db
              .selectFrom('users')
              .select(['id', 'login'])
              .where(
                'id',
                'in',
                reviews.map((r) => r.reviewer_user_id),
              )
              .execute()
          ).map((u) => [u.id, u.login])
        : [],
    );
    const approvals = new Set(
      reviews.filter((r) => r.decision === 'approve' && r.reviewer_user_id !== row.author_user_id).map((r) => r.reviewer_user_id),
    ).size;
    const warnings = (parseJson(row.warnings) ?? []) as unknown[];
    const canReview =
      (p.role === 'platform-admin' || p.role === 'regulator') &&
      row.state === 'open' &&
      row.author_user_id !== p.userId &&
      !reviews.some((r) => r.reviewer_user_id === p.userId);
    const title = `${w(lang, 'proposal')}: ${row.catalog_id}`;
    const body = html`<h1>${title}</h1>
      <p>
        ${w(lang, 'state')}: <strong>${stateWord(lang, row.state)}</strong> · ${w(lang, 'approvals')}:
        <strong>${approvals} / ${APPROVALS_NEEDED}</strong> · ${w(lang, 'created')} ${time(row.created_at)}
      </p>
      ${errorList(lang, errors)}
      ${
        warnings.length
          ? html`<h2>${w(lang, 'warnings')}</h2>
              <ul>
                ${warnings.map((x) => html`<li>${textOf(x, lang)}</li>`)}
              </ul>`
          : ''
      }
      <h2>${w(lang, 'entry')}</h2>
      <pre class="code">${JSON.stringify(parseJson(row.entry), null, 2)}</pre>
      ${row.state === 'approved' ? html`<p>${w(lang, 'catalogueFile')}: <code>packages/knowledge/data/sdks/${row.catalog_id}.json</code></p>` : ''}
      <h2>${w(lang, 'reviews')}</h2>
      ${listTable(
        lang,
        [w(lang, 'reviewer'), w(lang, 'decision'), w(lang, 'comment'), w(lang, 'created')],
        reviews.map(
          (r) =>
            html`<tr>
              <td><code>${logins.get(r.reviewer_user_id) ?? r.reviewer_user_id}</code></td>
              <td>${stateWord(lang, r.decision)}</td>
              <td>${r.comment ?? ''}</td>
              <td>${time(r.created_at)}</td>
            </tr>`,
        ),
      )}
      ${
        canReview
          ? html`<h2>${w(lang, 'review')}</h2>
              <form method="post" action="${withLang(`/console/sdk-registry/proposals/${row.id}/reviews`, lang)}" class="stack">
                ${csrfField(formToken(request, reply))}
                <label>${w(lang, 'comment')}<textarea name="comment" rows="3" maxlength="2000"></textarea></label>
                <div>
                  <button type="submit" name="decision" value="approve">${w(lang, 'approve')}</button>
                  <button type="submit" name="decision" value="reject" class="danger">${w(lang, 'reject')}</button>
                </div>
              </form>`
          : ''
      }`;
    return send(request, reply, title, body, status);
  };

  api.get(
    '/console/sdk-registry/proposals/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => proposalPage(request, reply, request.params.id, []),
  );

  api.post('/console/sdk-registry/proposals/:id/reviews', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    const form = request.body;
    if (!formChecked(request, reply, form)) return reply;
    const id = request.params.id;
    const decision = field(form, 'decision');
    const comment = field(form, 'comment').trim().slice(0, 2000);
    if (decision !== 'approve' && decision !== 'reject')
      return proposalPage(request, reply, id, [{ pointer: '/decision', message: 'approve or reject / 通过或驳回' }], 400);
    const done = await asPage(request, reply, () =>
      reviewProposal(platform, principal(request), id, comment ? { decision, comment } : { decision }, request.ip),
    );
    if ('sent' in done) return done.sent;
    if (!('ok' in done)) return proposalPage(request, reply, id, done.errors, done.status);
    return reply.redirect(withLang(`/console/sdk-registry/proposals/${id}`, pickLang(request)), 303);
  });
}
