import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { shanghaiDate } from '../calendar/dates.js';
import type { Principal } from '../http/auth.js';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { ID_PATTERN, page, parseJson } from '../http/routes/common.js';
import {
  acceptComplaint,
  AnswerBody,
  answerComplaint,
  CATEGORIES,
  CATEGORY_LABELS,
  COMPLAINT_ACCEPTANCE,
  COMPLAINT_RATE_LIMIT,
  COMPLAINTS_PER_HOUR,
  ComplaintBody,
  complaintKpi,
  fileComplaint,
  findComplaint,
  type ComplaintInput,
} from '../workflows/complaints/index.js';
import { CLOCKS } from '../calendar/clocks.js';
import { csrfField, field, formToken, notFoundPage, sendPrivate } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { layout, withLang } from './layout.js';
import { errorList, problemErrors, time } from './frame.js';
import { quarterOf } from './regulator.js';
import { columns, filterLinks, orNotFound, words, workflowState, type ConsoleKit } from './workflow-screens.js';
import { nextLink } from './words.js';

// Complaints in the console: the public form of a listed app (no sign-in, works without JavaScript;
// fileComplaint, as POST /api/v1/public/listings/:id/complaints, with the same per-address limit),
// and the operator's inbox (the developer organisation of the listing): due dates, accept, answer
// before the deadline (complaintStep / answerComplaint, as the REST routes), its own KPI row.

const say = words({
  complain: { en: 'File a complaint', zh: '投诉' },
  about: { en: 'About', zh: '投诉对象' },
  category: { en: 'What is it about', zh: '投诉类别' },
  text: { en: 'What happened (10–2000 characters)', zh: '情况说明（10–2000 字）' },
  contact: { en: 'Phone or e-mail for the answer (optional)', zh: '接收答复的电话或邮箱（可选）' },
  appVersion: { en: 'App version (optional)', zh: '应用版本（可选）' },
  send: { en: 'Send the complaint', zh: '提交投诉' },
  filed: { en: 'Your complaint is filed. Its number', zh: '投诉已提交，编号' },
  acceptBy: { en: 'to be accepted by', zh: '受理期限' },
  answerBy: { en: 'answered by', zh: '答复期限' },
  backToApp: { en: 'Back to the app', zh: '返回应用页面' },
  tooMany: { en: 'Too many complaints from this address', zh: '该地址提交投诉过于频繁' },
  inbox: { en: 'Complaints', zh: '投诉' },
  inboxIntro: {
    en: 'Complaints about your listed apps: accept each within 5 working days and answer within 15; the answer date counts for your timeliness figure.',
    zh: '关于本单位在架应用的投诉：请在 5 个工作日内受理、15 个工作日内答复；答复日期计入按时率。',
  },
  all: { en: 'all', zh: '全部' },
  packageName: { en: 'App', zh: '应用' },
  state: { en: 'State', zh: '状态' },
  receivedOn: { en: 'Received', zh: '收到日期' },
  acceptDue: { en: 'Accept by', zh: '受理期限' },
  answerDue: { en: 'Answer by', zh: '答复期限' },
  noComplaints: { en: 'No complaint.', zh: '暂无投诉。' },
  yourKpi: { en: 'This quarter: answered on time', zh: '本季度按时答复' },
  of: { en: 'of', zh: '/' },
  due: { en: 'due', zh: '已到期' },
  accept: { en: 'Accept', zh: '受理' },
  answer: { en: 'Your answer', zh: '答复内容' },
  sendAnswer: { en: 'Send the answer', zh: '提交答复' },
  answered: { en: 'Answered', zh: '答复时间' },
  escalated: { en: 'Escalated', zh: '已升级' },
  provisional: { en: 'provisional dates (calendar not yet imported that far)', zh: '日期为暂定（工作日历尚未覆盖）' },
  overdue: { en: 'overdue', zh: '已逾期' },
});

const complaintValidator = Compile(ComplaintBody);
const answerValidator = Compile(AnswerBody);
const IdParam = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
const Lang = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };
type Errors = { pointer: string; message: string }[];

function schemaErrors(validator: { Errors(value: unknown): { instancePath: string; message: string }[] }, value: unknown): Errors {
  return validator
    .Errors(value)
    .slice(0, 20)
    .map((e) => ({ pointer: e.instancePath, message: e.message }));
}

/** What happens to a complaint, with the clocks' own numbers of working days. */
function complainIntro(lang: ConsoleLang): string {
  const accept = COMPLAINT_ACCEPTANCE.amount;
  const answer = CLOCKS['complaint-handling'].amount;
  return lang === 'zh-CN'
    ? `投诉将转给该应用的运营者，运营者须在 ${accept} 个工作日内受理、${answer} 个工作日内答复；逾期将升级至监管部门。请勿填写密码或证件号码。`
    : `Your complaint goes to the app’s operator, who must accept it within ${accept} and answer it within ${answer} working days; late ones are escalated to the regulator. Do not write passwords or ID numbers.`;
}

/** A due date, marked when past (Asia/Shanghai). */
function dueCell(lang: ConsoleLang, date: string, today: string, open: boolean): SafeHtml {
  return html`${date}${open && today > date ? html` <span class="tag state-failed">${say(lang, 'overdue')}</span>` : ''}`;
}

export function complaintScreens(api: Api, { platform }: AppContext, kit: ConsoleKit): void {
  const db = platform.store.db;
  const config = { consolePage: true } as const;
  const hide = { hide: true } as const;
  const principal = (request: FastifyRequest): Principal => request.auth.principal!;

  // --- The public form -----------------------------------------------------------------------------

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    listingId: string,
    values: Record<string, string>,
    errors: Errors,
    status = 200,
  ) => {
    const lang = pickLang(request);
    const listing = await db
      .selectFrom('listings')
      .select(['id', 'package_name', 'elements'])
      .where('id', '=', listingId)
      .where('state', '=', 'listed')
      .executeTakeFirst();
    if (!listing) return notFoundPage(request, reply);
    const elements = (parseJson(listing.elements) ?? {}) as { name?: string; developer?: string };
    const filed = values.filed
      ? await db
          .selectFrom('complaints')
          .select(['id', 'accept_due', 'answer_due'])
          .where('id', '=', values.filed)
          .where('listing_id', '=', listing.id)
          .executeTakeFirst()
      : undefined;
    const body = html`<h1>${say(lang, 'complain')}</h1>
      <p>
        ${say(lang, 'about')}:
        <strong>${elements.name ?? listing.package_name}</strong>
        (<code>${listing.package_name}</code>)${elements.developer ? html` · ${elements.developer}` : ''}
      </p>
      ${
        filed
          ? html`<p class="notice" role="status" data-complaint="${filed.id}">
              ${say(lang, 'filed')} <code>${filed.id}</code>: ${say(lang, 'acceptBy')} ${filed.accept_due}, ${say(lang, 'answerBy')}
              ${filed.answer_due}.
            </p>`
          : html`<p class="muted">${complainIntro(lang)}</p>
              ${errorList(lang, errors)}
              <form method="post" action="${withLang(`/console/complain/${listing.id}`, lang)}" class="stack">
                ${csrfField(formToken(request, reply))}
                <label
                  >${say(lang, 'category')}<select name="category" required>
                    ${CATEGORIES.map(
                      (c) =>
                        html`<option value="${c}" ${values.category === c ? html`selected` : ''}>
                          ${lang === 'zh-CN' ? CATEGORY_LABELS[c].zh : CATEGORY_LABELS[c].en}
                        </option>`,
                    )}
                  </select></label
                >
                <label
                  >${say(lang, 'text')}<textarea name="text" rows="6" required minlength="10" maxlength="2000">
${values.text ?? ''}</textarea>
                </label>
                <label>${say(lang, 'contact')}<input name="contact" maxlength="200" value="${values.contact ?? ''}" /></label>
                <label>${say(lang, 'appVersion')}<input name="appVersion" maxlength="64" value="${values.appVersion ?? ''}" /></label>
                <button type="submit">${say(lang, 'send')}</button>
              </form>`
      }
      <p><a href="${withLang(`/apps/${listing.id}`, lang)}">${say(lang, 'backToApp')}</a></p>`;
    const user = request.auth.principal;
    const page = user
      ? kit.frame(request, reply, say(lang, 'complain'), body)
      : layout({ lang, title: say(lang, 'complain'), path: `/console/complain/${listing.id}`, body });
    return sendPrivate(reply, page, lang, status);
  };

  api.get(
    '/console/complain/:id',
    {
      config,
      schema: {
        ...hide,
        params: IdParam,
        querystring: Type.Object({ ...Lang, filed: Type.Optional(Type.String({ pattern: ID_PATTERN })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => formPage(request, reply, request.params.id, request.query.filed ? { filed: request.query.filed } : {}, []),
  );

  api.post(
    '/console/complain/:id',
    {
      config: { ...config, rateLimit: COMPLAINT_RATE_LIMIT },
      schema: { ...hide, params: IdParam },
      // A person at the form gets a page, not the API's JSON problem, when the address's hourly limit is reached.
      errorHandler: (error, request, reply) => {
        if (error instanceof ProblemError && error.code === 'rate-limited')
          return tooManyPage(request, reply, error.extra.retryAfterSeconds);
        throw error;
      },
    },
    async (request, reply) => {
      const form = request.body;
      if (!kit.checked(request, reply, form)) return reply;
      const lang = pickLang(request);
      const values = Object.fromEntries(['category', 'text', 'contact', 'appVersion'].map((n) => [n, field(form, n).trim()]));
      const input: Record<string, string> = { category: values.category!, text: values.text! };
      if (values.contact) input.contact = values.contact;
      if (values.appVersion) input.appVersion = values.appVersion;
      const errors = schemaErrors(complaintValidator, input);
      if (errors.length > 0) return formPage(request, reply, request.params.id, values, errors, 400);
      try {
        const filed = await fileComplaint(platform, request.params.id, input as unknown as ComplaintInput);
        // Post/redirect/get: a reload does not file it twice.
        return reply.redirect(withLang(`/console/complain/${request.params.id}?filed=${filed.id}`, lang), 303);
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        if (error.code === 'not-found') return notFoundPage(request, reply);
        return formPage(request, reply, request.params.id, values, problemErrors(error), error.status);
      }
    },
  );

  /** 429 from the public form: both languages (whatever the page's), when to try again, nothing filed. */
  const tooManyPage = (request: FastifyRequest, reply: FastifyReply, retryAfterSeconds = 3600) => {
    const lang = pickLang(request);
    // The limit is checked before the parameters are: an id is used only if it is one.
    const raw = String((request.params as { id?: unknown }).id ?? '');
    const id = new RegExp(ID_PATTERN).test(raw) ? raw : undefined;
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    const body = html`<h1>${say(lang, 'tooMany')}</h1>
      <p lang="en">
        At most ${COMPLAINTS_PER_HOUR} complaints an hour are taken from one address, and this one has reached it. Nothing was filed. Please
        send it again in ${minutes} minute${minutes === 1 ? '' : 's'}.
      </p>
      <p lang="zh-CN">同一地址每小时最多提交 ${COMPLAINTS_PER_HOUR} 次投诉，本地址已达上限，本次未提交。请在 ${minutes} 分钟后重新提交。</p>
      <p><a href="${withLang(id ? `/apps/${id}` : '/apps', lang)}">${say(lang, 'backToApp')}</a></p>`;
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
    return sendPrivate(
      reply,
      layout({ lang, title: say(lang, 'tooMany'), path: id ? `/console/complain/${id}` : '/apps', body }),
      lang,
      429,
    );
  };

  // --- The operator's inbox ------------------------------------------------------------------------

  const STATES = ['received', 'accepted', 'answered', 'closed', 'escalated'] as const;
  api.get(
    '/console/developer/complaints',
    {
      config,
      schema: {
        ...hide,
        querystring: Type.Object(
          {
            ...Lang,
            state: Type.Optional(Type.Union(STATES.map((s) => Type.Literal(s)))),
            cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      const p = principal(request);
      const { state, cursor } = request.query;
      let query = db.selectFrom('complaints').selectAll().where('operator_org_id', '=', p.orgId);
      if (state) query = query.where('state', '=', state);
      if (cursor) query = query.where('id', '<', cursor);
      const { items, nextCursor } = page(await query.orderBy('id', 'desc').limit(51).execute(), 50, (c) => c);
      const today = shanghaiDate(platform.clock.now());
      const [kpi] = await complaintKpi(db, quarterOf(today), p.orgId, today);
      const body = html`<h1>${say(lang, 'inbox')}</h1>
        <p class="muted">${say(lang, 'inboxIntro')}</p>
        ${
          kpi
            ? html`<p class="kpi">
                ${say(lang, 'yourKpi')}: <strong>${kpi.answeredOnTime}</strong> ${say(lang, 'of')}
                ${kpi.answeredOnTime + kpi.answeredLate + kpi.overdue} ${say(lang, 'due')}
                ${kpi.onTimeRate === null ? '' : `(${(kpi.onTimeRate * 100).toFixed(1)} %)`}
              </p>`
            : ''
        }
        ${filterLinks(lang, say(lang, 'state'), [
          { href: '/console/developer/complaints', text: say(lang, 'all'), current: !state },
          ...STATES.map((s) => ({ href: `/console/developer/complaints?state=${s}`, text: workflowState(lang, s), current: s === state })),
        ])}
        ${
          items.length === 0
            ? html`<p>${say(lang, 'noComplaints')}</p>`
            : html`<table>
                ${columns([say(lang, 'packageName'), say(lang, 'state'), say(lang, 'receivedOn'), say(lang, 'acceptDue'), say(lang, 'answerDue')])}
                <tbody>
                  ${items.map(
                    (c) =>
                      html`<tr>
                        <td>
                          <a href="${withLang(`/console/developer/complaints/${c.id}`, lang)}"><code>${c.package_name}</code></a>
                        </td>
                        <td>${workflowState(lang, c.state)}</td>
                        <td>${c.received_on}</td>
                        <td>${dueCell(lang, c.accept_due, today, c.state === 'received')}</td>
                        <td>${dueCell(lang, c.answer_due, today, c.state === 'received' || c.state === 'accepted')}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        ${nextLink(lang, '/console/developer/complaints', { state }, nextCursor)}`;
      return sendPrivate(reply, kit.frame(request, reply, say(lang, 'inbox'), body), lang);
    },
  );

  const complaintPage = async (request: FastifyRequest, reply: FastifyReply, id: string, answer: string, errors: Errors, status = 200) => {
    const lang = pickLang(request);
    const c = await orNotFound(() => findComplaint(db, id, principal(request)));
    if (!c) return notFoundPage(request, reply);
    const today = shanghaiDate(platform.clock.now());
    const category = CATEGORY_LABELS[c.category as keyof typeof CATEGORY_LABELS];
    const token = formToken(request, reply);
    const body = html`<h1>${say(lang, 'inbox')}: <code>${c.package_name}</code></h1>
      ${errorList(lang, errors)}
      <dl class="elements">
        <dt>${say(lang, 'state')}</dt>
        <dd data-state="${c.state}">${workflowState(lang, c.state)}${c.escalation_reason ? html` — ${c.escalation_reason}` : ''}</dd>
        <dt>${say(lang, 'category')}</dt>
        <dd>${category ? (lang === 'zh-CN' ? category.zh : category.en) : c.category}</dd>
        <dt>${say(lang, 'text')}</dt>
        <dd class="comment">${c.text}</dd>
        <dt>${say(lang, 'contact')}</dt>
        <dd>${c.contact ?? ''}</dd>
        <dt>${say(lang, 'receivedOn')}</dt>
        <dd>${c.received_on}</dd>
        <dt>${say(lang, 'acceptDue')}</dt>
        <dd>${dueCell(lang, c.accept_due, today, c.state === 'received')}</dd>
        <dt>${say(lang, 'answerDue')}</dt>
        <dd>
          ${dueCell(lang, c.answer_due, today, c.state === 'received' || c.state === 'accepted')}
          ${c.provisional === 1 ? html`<span class="muted">${say(lang, 'provisional')}</span>` : ''}
        </dd>
        ${
          c.answer
            ? html`<dt>${say(lang, 'answered')}</dt>
                <dd>${time(c.answered_at)}: <span class="answer">${c.answer}</span></dd>`
            : ''
        }
      </dl>
      ${
        c.state === 'received'
          ? html`<form method="post" action="${withLang(`/console/developer/complaints/${c.id}`, lang)}">
              ${csrfField(token)}
              <button type="submit" name="action" value="accept">${say(lang, 'accept')}</button>
            </form>`
          : ''
      }
      ${
        c.state === 'accepted'
          ? html`<form method="post" action="${withLang(`/console/developer/complaints/${c.id}`, lang)}" class="stack">
              ${csrfField(token)}
              <label>${say(lang, 'answer')}<textarea name="answer" rows="6" required maxlength="5000">${answer}</textarea></label>
              <button type="submit" name="action" value="answer">${say(lang, 'sendAnswer')}</button>
            </form>`
          : ''
      }
      <p><a href="${withLang('/console/developer/complaints', lang)}">${say(lang, 'inbox')}</a></p>`;
    return sendPrivate(reply, kit.frame(request, reply, say(lang, 'inbox'), body), lang, status);
  };

  api.get(
    '/console/developer/complaints/:id',
    { config, schema: { ...hide, params: IdParam, querystring: Type.Object(Lang, { additionalProperties: false }) } },
    async (request, reply) => complaintPage(request, reply, request.params.id, '', []),
  );

  api.post('/console/developer/complaints/:id', { config, schema: { ...hide, params: IdParam } }, async (request, reply) => {
    const form = request.body;
    if (!kit.checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const id = request.params.id;
    const p = principal(request);
    const action = field(form, 'action');
    const answer = field(form, 'answer').trim();
    try {
      if (action === 'accept') await acceptComplaint(platform, p, id, request.ip);
      else if (action === 'answer') {
        const errors = schemaErrors(answerValidator, { answer });
        if (errors.length > 0) return complaintPage(request, reply, id, answer, errors, 400);
        await answerComplaint(platform, p, id, answer, request.ip);
      } else return complaintPage(request, reply, id, answer, [{ pointer: '/action', message: 'accept or answer / 受理或答复' }], 400);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      if (error.code === 'not-found') return notFoundPage(request, reply);
      return complaintPage(request, reply, id, answer, problemErrors(error), error.status);
    }
    return reply.redirect(withLang(`/console/developer/complaints/${id}`, lang), 303);
  });
}
