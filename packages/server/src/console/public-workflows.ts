import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Api, AppContext } from '../http/context.js';
import { ID_PATTERN, page } from '../http/routes/common.js';
import { RANKING_DIMENSIONS, latestRankings, type RankingRow } from '../workflows/regulator/rankings.js';
import { bulletinSummary, bulletinView, publishedBulletinId } from '../workflows/regulator/views.js';
import { publicKeyView } from '../workflows/stop-access/index.js';
import { FEED_FORMAT } from '../workflows/stop-access/orders.js';
import { KEY_ID_HEADER, SIGNATURE_HEADER, signingKey } from '../workflows/stop-access/signing.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, t, type ConsoleLang } from './i18n.js';
import { layout, withLang } from './layout.js';
import { time } from './frame.js';
import { sendCachedPage, sendPage } from './routes.js';
import { columns, filterLinks, words, workflowState } from './workflow-screens.js';
import { nextLink } from './words.js';

// Public pages of the regulator's and the stop-access workflows: published bulletins with their
// deadlines and re-test outcomes, the newest rankings, and the stop-access feed's public key and
// format. Anonymous, linkable, paginated, cacheable (ETag), complete without JavaScript; the data
// is what the public REST routes answer (bulletinView with the public cut, latestRankings, publicKeyView).

const say = words({
  bulletins: { en: 'Bulletins', zh: '通报' },
  bulletinsIntro: {
    en: 'Apps the regulator found in breach, the measure required and the deadline; after the deadline a re-test decides: rectified, or a removal order.',
    zh: '监管部门通报的违规应用、整改要求与期限；期限届满后复测：已整改，或下架。',
  },
  noBulletins: { en: 'No bulletin has been published.', zh: '尚无已发布的通报。' },
  title: { en: 'Title', zh: '标题' },
  published: { en: 'Published', zh: '发布时间' },
  due: { en: 'Rectify by', zh: '整改期限' },
  provisional: {
    en: 'provisional: the working-day calendar does not cover the whole period yet',
    zh: '暂定：工作日历尚未覆盖整个期限',
  },
  measure: { en: 'Measure required', zh: '整改要求' },
  legalBasis: { en: 'Legal basis', zh: '依据' },
  apps: { en: 'Apps', zh: '应用' },
  packageName: { en: 'Package', zh: '包名' },
  developer: { en: 'Developer', zh: '开发者' },
  outcome: { en: 'State or re-test outcome', zh: '状态或复测结果' },
  closedAt: { en: 'Closed', zh: '结束时间' },
  evidence: { en: 'Findings', zh: '问题' },
  rankings: { en: 'Rankings', zh: '排名' },
  rankingsIntro: {
    en: 'Computed from the platform’s records (definitions version shown); the CSV and JSON are in the API.',
    zh: '根据平台记录计算（注明定义版本）；CSV 与 JSON 见接口。',
  },
  noRankings: { en: 'No ranking has been computed yet.', zh: '尚未生成排名。' },
  computed: { en: 'Computed', zh: '计算时间' },
  dimension: { en: 'By', zh: '维度' },
  store: { en: 'store', zh: '应用商店' },
  developers: { en: 'developer', zh: '开发者' },
  category: { en: 'category', zh: '类别' },
  measureDim: { en: 'measure', zh: '措施' },
  name: { en: 'Name', zh: '名称' },
  listed: { en: 'Listed apps', zh: '在架应用' },
  tested: { en: 'Tested', zh: '已检测' },
  passRate: { en: 'Pass rate', zh: '通过率' },
  timeliness: { en: 'Rectified on time', zh: '按期整改率' },
  delisting: { en: 'Delisting median (h)', zh: '下架中位时长（小时）' },
  stopAccess: { en: 'Stop-access feed: key and format', zh: '停止接入通知：公钥与格式' },
  stopAccessIntro: {
    en: 'Access providers poll the signed feed, verify each page’s Ed25519 signature with this key and acknowledge the entries they applied.',
    zh: '接入服务提供者轮询签名通知，用此公钥验证每页的 Ed25519 签名，并确认已执行的条目。',
  },
  keyId: { en: 'Key id', zh: '密钥标识' },
  publicKey: { en: 'Public key (PEM)', zh: '公钥（PEM）' },
  format: { en: 'Format', zh: '格式' },
  formatText: {
    en: 'GET /api/v1/stop-access/feed?since=N (signed in as an access provider) answers {format, keyId, since, next, more, entries[]}; each entry: seq, type "order.issued", orderId, issuedAt, removalOrderId, packageNames, signerSha256, sdkPrefixes, domains, ips, legalBasis, validFrom, validUntil (epoch ms). Pass next as since for the next page; acknowledge with POST /api/v1/stop-access/acks {seqs}.',
    zh: 'GET /api/v1/stop-access/feed?since=N（以接入服务提供者身份登录）返回 {format, keyId, since, next, more, entries[]}；每个条目含 seq、type "order.issued"、orderId、issuedAt、removalOrderId、packageNames、signerSha256、sdkPrefixes、domains、ips、legalBasis、validFrom、validUntil（毫秒时间戳）。将 next 作为下一页的 since；以 POST /api/v1/stop-access/acks {seqs} 确认。',
  },
  signature: { en: 'Signature headers', zh: '签名头' },
});

const DIMENSION_WORDS = { store: 'store', developer: 'developers', category: 'category', measure: 'measureDim' } as const;

const LangQuery = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };

/** A date (Asia/Shanghai calendar date), flagged when provisional. */
export function dueText(lang: ConsoleLang, date: string | null, provisional: boolean): SafeHtml {
  if (!date) return html``;
  return html`<strong>${date}</strong>${provisional ? html` <span class="tag" title="${say(lang, 'provisional')}">*</span>` : ''}`;
}

const percent = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

export function rankingTable(lang: ConsoleLang, rows: readonly RankingRow[]): SafeHtml {
  return html`<table>
    ${columns(['#', say(lang, 'name'), say(lang, 'listed'), say(lang, 'tested'), say(lang, 'passRate'), say(lang, 'timeliness'), say(lang, 'delisting')])}
    <tbody>
      ${rows.slice(0, 200).map(
        (r, i) =>
          html`<tr>
            <td>${i + 1}</td>
            <td>${r.name}</td>
            <td>${r.listedApps}</td>
            <td>${r.testedApps}</td>
            <td>${percent(r.passRate)}</td>
            <td>${percent(r.rectificationTimeliness)}</td>
            <td>${r.delistingMedianHours === null ? '—' : r.delistingMedianHours.toFixed(1)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The dimension switch of a rankings page (plain links). */
export function dimensionLinks(lang: ConsoleLang, base: string, current: string): SafeHtml {
  return filterLinks(
    lang,
    say(lang, 'dimension'),
    RANKING_DIMENSIONS.map((d) => ({ href: `${base}?dimension=${d}`, text: say(lang, DIMENSION_WORDS[d]), current: d === current })),
  );
}

/** A bulletin item's findings, one tag per rule and severity with its count. */
function evidenceTags(evidence: readonly Record<string, unknown>[]): SafeHtml {
  const counts = new Map<string, number>();
  for (const e of evidence) {
    const key = `${String(e.ruleId ?? '')} · ${String(e.severity ?? '')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return html`${[...counts].map(([key, n]) => html`<span class="tag">${key}${n > 1 ? ` ×${n}` : ''}</span> `)}`;
}

/** A bulletin's items: package, developer, state or re-test outcome, due date, findings. */
export function bulletinItems(lang: ConsoleLang, b: Awaited<ReturnType<typeof bulletinView>>, extra?: (itemId: string) => SafeHtml) {
  return html`<table>
    ${columns([say(lang, 'packageName'), say(lang, 'developer'), say(lang, 'outcome'), say(lang, 'due'), say(lang, 'closedAt'), say(lang, 'evidence')])}
    <tbody>
      ${b.items.map(
        (i) =>
          html`<tr data-item="${i.id}">
            <td><code>${i.packageName}</code></td>
            <td>${i.developer.name}</td>
            <td class="item-state state-${i.state}">${workflowState(lang, i.state)}</td>
            <td>${dueText(lang, i.dueDate, b.provisional)}</td>
            <td>${time(i.closedAt)}</td>
            <td>${evidenceTags(i.evidence)} ${extra ? extra(i.id) : ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function publicWorkflowPages(api: Api, { platform, publicCache }: AppContext): void {
  const db = platform.store.db;
  const hide = { hide: true } as const;
  const path = (request: FastifyRequest) => request.url.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');

  api.get(
    '/bulletins',
    {
      schema: {
        ...hide,
        querystring: Type.Object(
          { ...LangQuery, cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      return sendCachedPage(publicCache, platform.clock.now(), request, reply, lang, async () => {
        let query = db.selectFrom('reg_bulletins').selectAll().where('state', '=', 'published');
        if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
        const rows = await query.orderBy('id', 'desc').limit(51).execute();
        const { items, nextCursor } = page(rows, 50, bulletinSummary);
        const body = html`<h1>${say(lang, 'bulletins')}</h1>
          <p class="muted">${say(lang, 'bulletinsIntro')}</p>
          ${
            items.length === 0
              ? html`<p>${say(lang, 'noBulletins')}</p>`
              : html`<table>
                  ${columns([say(lang, 'title'), say(lang, 'published'), say(lang, 'due')])}
                  <tbody>
                    ${items.map(
                      (b) =>
                        html`<tr>
                          <td><a href="${withLang(`/bulletins/${b.id}`, lang)}">${lang === 'zh-CN' ? b.titleZh : b.title}</a></td>
                          <td>${time(b.publishedAt)}</td>
                          <td>${dueText(lang, b.dueDate, b.provisional)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${nextLink(lang, '/bulletins', {}, nextCursor)}`;
        return { page: layout({ lang, title: say(lang, 'bulletins'), path: path(request), body }) };
      });
    },
  );

  api.get(
    '/bulletins/:id',
    {
      schema: {
        ...hide,
        params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }),
        querystring: Type.Object(LangQuery, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      return sendCachedPage(publicCache, platform.clock.now(), request, reply, lang, async () => {
        const id = await publishedBulletinId(db, request.params.id);
        if (!id) {
          const body = html`<h1>${t(lang, 'notFound')}</h1>
            <p>${t(lang, 'notFoundText')}</p>`;
          return { page: layout({ lang, title: t(lang, 'notFound'), path: path(request), body }), status: 404 };
        }
        const b = await bulletinView(db, id, true);
        const title = lang === 'zh-CN' ? b.titleZh : b.title;
        const body = html`<h1>${title}</h1>
          <dl class="elements">
            <dt>${say(lang, 'published')}</dt>
            <dd>${time(b.publishedAt)}</dd>
            <dt>${say(lang, 'due')}</dt>
            <dd>
              ${dueText(lang, b.dueDate, b.provisional)}
              ${b.provisional ? html`<span class="muted">${say(lang, 'provisional')}</span>` : ''}
            </dd>
            <dt>${say(lang, 'measure')}</dt>
            <dd>${b.measure}</dd>
            <dt>${say(lang, 'legalBasis')}</dt>
            <dd>${b.legalBasis}</dd>
          </dl>
          <h2>${say(lang, 'apps')}</h2>
          ${bulletinItems(lang, b)}
          <p><a href="${withLang('/bulletins', lang)}">${say(lang, 'bulletins')}</a></p>`;
        return { page: layout({ lang, title, path: `/bulletins/${b.id}`, body }) };
      });
    },
  );

  api.get(
    '/rankings',
    {
      schema: {
        ...hide,
        querystring: Type.Object(
          { ...LangQuery, dimension: Type.Optional(Type.Union(RANKING_DIMENSIONS.map((d) => Type.Literal(d)))) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      return sendCachedPage(publicCache, platform.clock.now(), request, reply, lang, async () => {
        const dimension = request.query.dimension ?? 'store';
        const s = await latestRankings(db);
        const body = html`<h1>${say(lang, 'rankings')}</h1>
          <p class="muted">${say(lang, 'rankingsIntro')}</p>
          ${
            s
              ? html`<p>${say(lang, 'computed')}: ${time(s.computedAt)} · <code>${s.definitions}</code></p>
                  ${dimensionLinks(lang, '/rankings', dimension)} ${rankingTable(lang, s.rankings[dimension])}`
              : html`<p>${say(lang, 'noRankings')}</p>`
          }`;
        return { page: layout({ lang, title: say(lang, 'rankings'), path: path(request), body }) };
      });
    },
  );

  api.get(
    '/stop-access',
    { schema: { ...hide, querystring: Type.Object(LangQuery, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const key = publicKeyView(await signingKey(db, platform.clock.now()));
      const body = html`<h1>${say(lang, 'stopAccess')}</h1>
        <p class="muted">${say(lang, 'stopAccessIntro')}</p>
        <dl class="elements">
          <dt>${say(lang, 'format')}</dt>
          <dd><code>${FEED_FORMAT}</code></dd>
          <dt>${say(lang, 'keyId')}</dt>
          <dd><code>${key.keyId}</code> (${key.algorithm})</dd>
          <dt>${say(lang, 'signature')}</dt>
          <dd><code>${key.signatureHeader}</code>; <code>${KEY_ID_HEADER}</code></dd>
        </dl>
        <h2>${say(lang, 'publicKey')}</h2>
        <pre class="code">${key.publicKeyPem}</pre>
        <p><a href="/api/v1/stop-access/public-key">/api/v1/stop-access/public-key</a> (JSON, <code>${SIGNATURE_HEADER}</code>)</p>
        <h2>${say(lang, 'format')}</h2>
        <p>${say(lang, 'formatText')}</p>`;
      return sendPage(request, reply, layout({ lang, title: say(lang, 'stopAccess'), path: '/stop-access', body }), lang, 3600);
    },
  );
}
