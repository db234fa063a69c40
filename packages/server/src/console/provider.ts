import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { acknowledgeEntries, overdueAcknowledgements } from '../workflows/stop-access/index.js';
import { ackWindowMs } from '../workflows/stop-access/orders.js';
import { csrfField, fields, formToken, sendPrivate } from './forms.js';
import { html } from './html.js';
import { pickLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, problemErrors, time } from './frame.js';
import { columns, words, type ConsoleKit } from './workflow-screens.js';

// The access provider's console (接入服务提供者): the stop-access feed's entries after a sequence
// number, which of them this organisation has acknowledged (and whether late), a form to acknowledge
// the ticked ones (acknowledgeEntries, as POST /api/v1/stop-access/acks), and its overdue ones.

const say = words({
  feed: { en: 'Stop-access feed', zh: '停止接入通知' },
  feedIntro: {
    en: 'Apply each entry, then acknowledge it here (or through the API). An acknowledgement later than the window is shown to the regulator.',
    zh: '请执行每个条目后在此（或通过接口）确认。超过时限的确认会向监管部门显示。',
  },
  window: { en: 'Acknowledgement window', zh: '确认时限' },
  hours: { en: 'hours', zh: '小时' },
  keyLink: { en: 'Public key and format', zh: '公钥与格式' },
  pick: { en: 'Pick', zh: '选择' },
  seq: { en: 'Entry', zh: '条目' },
  targets: { en: 'Targets', zh: '对象' },
  legalBasis: { en: 'Legal basis', zh: '依据' },
  published: { en: 'Published', zh: '发布时间' },
  acked: { en: 'Acknowledged', zh: '已确认' },
  late: { en: 'late', zh: '逾期' },
  notYet: { en: 'not yet', zh: '未确认' },
  acknowledge: { en: 'Acknowledge the picked entries', zh: '确认所选条目' },
  noEntries: { en: 'No entry after this one.', zh: '此后没有条目。' },
  overdue: { en: 'Your overdue entries', zh: '本单位逾期条目' },
  noOverdue: { en: 'Nothing overdue.', zh: '没有逾期条目。' },
  due: { en: 'Due', zh: '应确认时间' },
  next: { en: 'Next entries', zh: '后续条目' },
  done: { en: 'entries acknowledged', zh: '个条目已确认' },
});

const PAGE = 50;

interface Entry {
  seq: number;
  packageNames?: string[];
  signerSha256?: string[];
  sdkPrefixes?: string[];
  domains?: string[];
  ips?: string[];
  legalBasis?: string;
}

export function providerScreens(api: Api, { platform }: AppContext, kit: ConsoleKit): void {
  const db = platform.store.db;
  const config = { consolePage: true } as const;
  const hide = { hide: true } as const;

  const feedPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    since: number,
    errors: { pointer: string; message: string }[],
    acked?: string,
    status = 200,
  ) => {
    const lang = pickLang(request);
    const org = request.auth.principal!.orgId;
    const rows = await db
      .selectFrom('stop_access_feed as f')
      .leftJoin('stop_access_acks as a', (join) => join.onRef('a.seq', '=', 'f.seq').on('a.provider_org_id', '=', org))
      .select(['f.seq', 'f.entry', 'f.created_at', 'a.acked_at', 'a.late'])
      .where('f.seq', '>', since)
      .orderBy('f.seq')
      .limit(PAGE + 1)
      .execute();
    const more = rows.length > PAGE;
    const shown = more ? rows.slice(0, PAGE) : rows;
    const overdue = await overdueAcknowledgements(platform, 100, org);
    const mine = [...overdue.unacknowledged, ...overdue.lateAcknowledgements];
    const list = (e: Entry) =>
      [
        ...(e.packageNames ?? []),
        ...(e.signerSha256 ?? []).map((s) => `${s.slice(0, 12)}…`),
        ...(e.sdkPrefixes ?? []),
        ...(e.domains ?? []),
        ...(e.ips ?? []),
      ].join(', ');
    const body = html`<h1>${say(lang, 'feed')}</h1>
      <p class="muted">${say(lang, 'feedIntro')}</p>
      <p>
        ${say(lang, 'window')}: ${ackWindowMs(platform.config) / 3_600_000} ${say(lang, 'hours')} ·
        <a href="${withLang('/stop-access', lang)}">${say(lang, 'keyLink')}</a>
      </p>
      ${acked !== undefined ? html`<p class="notice" role="status">${acked} ${say(lang, 'done')}</p>` : ''} ${errorList(lang, errors)}
      <h2>${say(lang, 'overdue')}</h2>
      ${
        mine.length === 0
          ? html`<p>${say(lang, 'noOverdue')}</p>`
          : html`<ul class="overdue">
              ${mine.map(
                (o) =>
                  html`<li>
                    ${say(lang, 'seq')} ${o.seq}: ${say(lang, 'due')}
                    ${time(o.dueAt)}${o.ackedAt === null ? '' : html` · ${say(lang, 'acked')} ${time(o.ackedAt)}`}
                  </li>`,
              )}
            </ul>`
      }
      <h2>${say(lang, 'feed')}</h2>
      ${
        shown.length === 0
          ? html`<p>${say(lang, 'noEntries')}</p>`
          : html`<form method="post" action="${withLang(`/console/provider/feed?since=${since}`, lang)}" class="stack">
              ${csrfField(formToken(request, reply))}
              <table class="feed">
                ${columns([say(lang, 'pick'), say(lang, 'seq'), say(lang, 'targets'), say(lang, 'legalBasis'), say(lang, 'published'), say(lang, 'acked')])}
                <tbody>
                  ${shown.map((r) => {
                    let entry: Entry;
                    try {
                      entry = JSON.parse(r.entry) as Entry;
                    } catch {
                      entry = { seq: Number(r.seq) };
                    }
                    return html`<tr data-seq="${r.seq}">
                      <td>
                        ${r.acked_at === null ? html`<input type="checkbox" name="seq" value="${r.seq}" aria-label="${say(lang, 'pick')} ${r.seq}" />` : ''}
                      </td>
                      <td>${r.seq}</td>
                      <td><code>${list(entry)}</code></td>
                      <td>${entry.legalBasis ?? ''}</td>
                      <td>${time(r.created_at)}</td>
                      <td class="ack">
                        ${r.acked_at === null ? say(lang, 'notYet') : html`${time(r.acked_at)}${r.late === 1 ? html` <span class="tag">${say(lang, 'late')}</span>` : ''}`}
                      </td>
                    </tr>`;
                  })}
                </tbody>
              </table>
              <button type="submit">${say(lang, 'acknowledge')}</button>
            </form>`
      }
      ${more ? html`<p class="pager"><a rel="next" href="${withLang(`/console/provider/feed?since=${shown[shown.length - 1]!.seq}`, lang)}">${say(lang, 'next')}</a></p>` : ''}`;
    return sendPrivate(reply, kit.frame(request, reply, say(lang, 'feed'), body), lang, status);
  };

  const FeedQuery = Type.Object(
    {
      lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
      since: Type.Optional(Type.Integer({ minimum: 0 })),
      acked: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    },
    { additionalProperties: false },
  );

  api.get('/console/provider/feed', { config, schema: { ...hide, querystring: FeedQuery } }, async (request, reply) =>
    feedPage(request, reply, request.query.since ?? 0, [], request.query.acked),
  );

  api.post('/console/provider/feed', { config, schema: { ...hide, querystring: FeedQuery } }, async (request, reply) => {
    if (!kit.checked(request, reply, request.body)) return reply;
    const lang = pickLang(request);
    const since = request.query.since ?? 0;
    const seqs = fields(request.body, 'seq')
      .filter((s) => /^[1-9][0-9]{0,15}$/.test(s))
      .map(Number)
      .slice(0, 500);
    if (seqs.length === 0)
      return feedPage(
        request,
        reply,
        since,
        [{ pointer: '/seqs', message: 'pick at least one entry / 请至少选择一个条目' }],
        undefined,
        400,
      );
    try {
      const out = await acknowledgeEntries(platform, request.auth.principal!, seqs);
      return reply.redirect(withLang(`/console/provider/feed?since=${since}&acked=${out.acknowledged.length}`, lang), 303);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return feedPage(request, reply, since, problemErrors(error), undefined, error.status);
    }
  });
}
