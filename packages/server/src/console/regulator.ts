import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { shanghaiDate } from '../calendar/dates.js';
import type { Principal } from '../http/auth.js';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { ID_PATTERN, page, parseJson, scopeOrg } from '../http/routes/common.js';
import { complaintKpi, KPI_TARGET } from '../workflows/complaints/index.js';
import {
  draftBulletin,
  dueDate,
  parseList,
  publishBulletin,
  type DeadlineInput,
  type DraftInput,
} from '../workflows/regulator/bulletins.js';
import { campaignProgress, createCampaign, type CampaignSelection } from '../workflows/regulator/campaigns.js';
import { RANKING_DIMENSIONS, latestRankings } from '../workflows/regulator/rankings.js';
import {
  asProblem,
  bulletinSummary,
  bulletinView,
  campaignOf,
  guarded,
  recomputeAudited,
  triageCampaign,
} from '../workflows/regulator/views.js';
import { issueOrder, OrderBody, overdueAcknowledgements } from '../workflows/stop-access/index.js';
import { csrfField, field, fields, formToken, notFoundPage, sendPrivate } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, problemErrors, time } from './frame.js';
import { bulletinItems, dimensionLinks, dueText, rankingTable } from './public-workflows.js';
import { storeChoices } from './routes.js';
import { columns, filterLinks, lines, orNotFound, words, workflowState, type ConsoleKit } from './workflow-screens.js';
import { nextLink } from './words.js';

// The regulator's console: campaigns (selection by store, app type, SDK, seeded sample; progress;
// triage of findings), the bulletin composer with the deadline previewed from the working-day
// calendar, bulletins with their re-test outcomes and publication, rankings, the complaint KPIs by
// operator, and removal and stop-access orders with late acknowledgements. Every change is a call
// of the regulator workflow's own functions (createCampaign, triageCampaign, draftBulletin,
// publishBulletin, recomputeAudited); each form posts to its own page.

const say = words({
  campaigns: { en: 'Campaigns', zh: '专项检查' },
  campaignsIntro: {
    en: 'Select listed apps and run detection on each (priority below developers’ own uploads); then triage what is found.',
    zh: '选取在架应用并逐一检测（优先级低于开发者自行上传）；随后研判检出的问题。',
  },
  newCampaign: { en: 'New campaign', zh: '新建专项检查' },
  name: { en: 'Name', zh: '名称' },
  store: { en: 'Store', zh: '应用商店' },
  anyStore: { en: 'Any store', zh: '全部商店' },
  appType: { en: 'App type (CAC category, optional)', zh: '应用类型（可选）' },
  sdk: { en: 'SDK (catalogue id or Java package prefix, optional)', zh: 'SDK（目录标识或 Java 包名前缀，可选）' },
  sampleSize: { en: 'Random sample: number of apps (optional)', zh: '随机抽样数量（可选）' },
  seed: {
    en: 'Seed of the sample (needed with a sample; the same seed draws the same apps)',
    zh: '抽样种子（抽样时必填；相同种子抽取相同应用）',
  },
  start: { en: 'Start the campaign', zh: '开始检查' },
  created: { en: 'Created', zh: '创建时间' },
  selection: { en: 'Selection', zh: '选取条件' },
  noCampaigns: { en: 'No campaign yet.', zh: '暂无专项检查。' },
  progress: { en: 'Progress (apps by job state)', zh: '进度（按任务状态统计应用）' },
  refresh: { en: 'Refresh', zh: '刷新' },
  findings: { en: 'Findings', zh: '检出问题' },
  noFindings: { en: 'No finding in this state.', zh: '没有该状态的问题。' },
  pick: { en: 'Pick', zh: '选择' },
  rule: { en: 'Rule', zh: '规则' },
  severity: { en: 'Severity', zh: '严重程度' },
  app: { en: 'App', zh: '应用' },
  state: { en: 'State', zh: '状态' },
  note: { en: 'Note (required to dismiss)', zh: '说明（排除时必填）' },
  confirm: { en: 'Confirm the picked findings', zh: '确认所选问题' },
  dismiss: { en: 'Dismiss the picked findings', zh: '排除所选问题' },
  decided: { en: 'findings decided', zh: '项问题已处理' },
  draftBulletin: { en: 'Draft a bulletin from the confirmed findings', zh: '根据已确认的问题起草通报' },
  bulletins: { en: 'Bulletins', zh: '通报' },
  noBulletins: { en: 'No bulletin yet.', zh: '暂无通报。' },
  composer: { en: 'Bulletin composer', zh: '起草通报' },
  titleEn: { en: 'Title (English)', zh: '标题（英文）' },
  titleZh: { en: 'Title (Chinese)', zh: '标题（中文）' },
  measure: { en: 'Measure required', zh: '整改要求' },
  legalBasis: { en: 'Legal basis', zh: '依据' },
  deadline: { en: 'Deadline', zh: '整改期限' },
  workingDays: { en: 'Working days after publication', zh: '发布后工作日数' },
  workingDaysUnit: { en: 'working days after publication', zh: '个工作日（自发布次日起算）' },
  stopTargets: { en: 'Also to stop (SDKs, domains, IPs)', zh: '另须停止接入（SDK、域名、IP）' },
  orDate: { en: 'or a fixed date (YYYY-MM-DD)', zh: '或固定日期（YYYY-MM-DD）' },
  sdkPrefixes: { en: 'SDK package prefixes to stop (one a line, optional)', zh: '须停止接入的 SDK 包名前缀（每行一个，可选）' },
  domains: { en: 'Domains (one a line, optional)', zh: '域名（每行一个，可选）' },
  ips: { en: 'IP addresses (one a line, optional)', zh: 'IP 地址（每行一个，可选）' },
  confirmedFindings: { en: 'Confirmed findings to include', zh: '纳入通报的已确认问题' },
  noConfirmed: { en: 'No confirmed finding: triage a campaign first.', zh: '没有已确认的问题，请先研判专项检查结果。' },
  preview: { en: 'Preview the deadline', zh: '预览整改期限' },
  saveDraft: { en: 'Save the draft', zh: '保存草稿' },
  previewText: { en: 'Published today, the apps must be rectified by', zh: '若今日发布，整改期限为' },
  provisional: {
    en: 'provisional: the imported working-day calendar covers dates through',
    zh: '暂定：已导入的工作日历仅覆盖至',
  },
  publish: { en: 'Publish', zh: '发布' },
  confirmPublish: { en: 'Publish this bulletin and notify the developers?', zh: '确定发布该通报并通知开发者？' },
  publicPage: { en: 'Public page', zh: '公开页面' },
  due: { en: 'Rectify by', zh: '整改期限' },
  retestReport: { en: 're-test report', zh: '复测报告' },
  rankings: { en: 'Rankings', zh: '排名' },
  recompute: { en: 'Recompute now', zh: '立即重新计算' },
  noRankings: { en: 'No ranking has been computed yet.', zh: '尚未生成排名。' },
  complaints: { en: 'Complaint handling by operator', zh: '各运营者投诉处理情况' },
  complaintsIntro: {
    en: 'Per operator and quarter (by the date received): complaints answered within 15 working days; target at least',
    zh: '按运营者与季度（以收到日期计）：15 个工作日内答复的投诉比例；目标不低于',
  },
  quarter: { en: 'Quarter', zh: '季度' },
  show: { en: 'Show', zh: '查看' },
  operator: { en: 'Operator', zh: '运营者' },
  received: { en: 'Received', zh: '收到' },
  onTime: { en: 'Answered on time', zh: '按时答复' },
  late: { en: 'Answered late', zh: '逾期答复' },
  overdue: { en: 'Overdue', zh: '逾期未答复' },
  pending: { en: 'Not yet due', zh: '未到期' },
  rate: { en: 'On-time rate', zh: '按时率' },
  target: { en: 'Meets the target', zh: '是否达标' },
  yes: { en: 'yes', zh: '达标' },
  no: { en: 'no', zh: '未达标' },
  noComplaints: { en: 'No complaint received in this quarter.', zh: '本季度未收到投诉。' },
  orders: { en: 'Removal and stop-access orders', zh: '下架与停止接入' },
  issueOrder: { en: 'Issue a stop-access order', zh: '下达停止接入决定' },
  packageNames: { en: 'Package names (one a line)', zh: '包名（每行一个）' },
  signerSha256: { en: 'Signing certificate SHA-256 (one a line)', zh: '签名证书 SHA-256（每行一个）' },
  validUntilOptional: { en: 'Valid until (optional, Beijing date)', zh: '有效期至（可选，北京时间日期）' },
  issue: { en: 'Issue the order', zh: '下达决定' },
  confirmIssue: { en: 'Issue this order to every access provider?', zh: '确定向全部接入服务提供者下达该决定？' },
  removalOrders: { en: 'Removal orders', zh: '下架决定' },
  noRemoval: { en: 'No removal order.', zh: '暂无下架决定。' },
  packageName: { en: 'Package', zh: '包名' },
  issued: { en: 'Issued', zh: '发布时间' },
  validUntil: { en: 'Valid until', zh: '有效期至' },
  stopOrders: { en: 'Stop-access orders (feed entries)', zh: '停止接入决定（通知条目）' },
  noStop: { en: 'No stop-access order.', zh: '暂无停止接入决定。' },
  seq: { en: 'Entry', zh: '条目' },
  targets: { en: 'Targets', zh: '对象' },
  acks: { en: 'Acknowledgements', zh: '确认数' },
  source: { en: 'Source', zh: '来源' },
  overdueAcks: { en: 'Late or missing acknowledgements', zh: '逾期或未确认' },
  noOverdue: { en: 'Every access provider acknowledged in time.', zh: '各接入服务提供者均已按时确认。' },
  provider: { en: 'Access provider', zh: '接入服务提供者' },
  dueAt: { en: 'Due', zh: '应确认时间' },
  ackedAt: { en: 'Acknowledged', zh: '确认时间' },
  notYet: { en: 'not yet', zh: '尚未确认' },
});

const IdParam = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
const Lang = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };
const Cursor = { cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })) };
const LangOnly = Type.Object(Lang, { additionalProperties: false });

type Errors = { pointer: string; message: string }[];

/** The current quarter of a date (Asia/Shanghai), e.g. "2026-Q4". */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}

function selectionText(lang: ConsoleLang, text: string): string {
  const s = (parseJson(text) ?? {}) as CampaignSelection;
  const parts: string[] = [];
  if (s.storeIds?.length) parts.push(`${say(lang, 'store')}: ${s.storeIds.join(', ')}`);
  if (s.appTypes?.length) parts.push(s.appTypes.join(', '));
  if (s.sdk) parts.push(`SDK ${s.sdk}`);
  if (s.ruleId) parts.push(s.ruleId);
  if (s.sampleSize) parts.push(`n=${s.sampleSize}, seed=${s.seed ?? ''}`);
  return parts.join(' · ') || '—';
}

export function regulatorScreens(api: Api, { platform }: AppContext, kit: ConsoleKit): void {
  const db = platform.store.db;
  const hide = { hide: true } as const;
  const config = { consolePage: true } as const;
  const principal = (request: FastifyRequest): Principal => request.auth.principal!;
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200, head?: SafeHtml) =>
    sendPrivate(reply, kit.frame(request, reply, title, body, head), pickLang(request), status);
  /** A workflow step's refusal as the form's errors (404 as the page). */
  const refusal = (error: unknown): { status: number; errors: Errors } | 'not-found' => {
    const p = asProblem(error);
    if (!(p instanceof ProblemError)) throw error;
    if (p.code === 'not-found') return 'not-found';
    return { status: p.status, errors: problemErrors(p) };
  };

  // --- Campaigns ---------------------------------------------------------------------------------

  const campaignsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    cursor: string | undefined,
    values: Record<string, string>,
    errors: Errors,
    status = 200,
  ) => {
    const lang = pickLang(request);
    const org = scopeOrg(principal(request));
    let query = db.selectFrom('reg_campaigns').selectAll();
    if (org !== null) query = query.where('org_id', '=', org);
    if (cursor) query = query.where('id', '<', cursor);
    const { items, nextCursor } = page(await query.orderBy('id', 'desc').limit(51).execute(), 50, (c) => c);
    const stores = await storeChoices(db);
    const body = html`<h1>${say(lang, 'campaigns')}</h1>
      <p class="muted">${say(lang, 'campaignsIntro')}</p>
      <h2>${say(lang, 'newCampaign')}</h2>
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/regulator/campaigns', lang)}" class="stack">
        ${csrfField(formToken(request, reply))}
        <label>${say(lang, 'name')}<input name="name" required maxlength="200" value="${values.name ?? ''}" /></label>
        <label
          >${say(lang, 'store')}<select name="store">
            <option value="">${say(lang, 'anyStore')}</option>
            ${stores.map((s) => html`<option value="${s.id}" ${s.id === values.store ? html`selected` : ''}>${s.name}</option>`)}
          </select></label
        >
        <label>${say(lang, 'appType')}<input name="appType" maxlength="64" value="${values.appType ?? ''}" /></label>
        <label>${say(lang, 'sdk')}<input name="sdk" maxlength="200" value="${values.sdk ?? ''}" /></label>
        <label
          >${say(lang, 'sampleSize')}<input name="sampleSize" type="number" min="1" max="20000" value="${values.sampleSize ?? ''}"
        /></label>
        <label>${say(lang, 'seed')}<input name="seed" maxlength="200" value="${values.seed ?? ''}" /></label>
        <button type="submit">${say(lang, 'start')}</button>
      </form>
      <h2>${say(lang, 'campaigns')}</h2>
      ${
        items.length === 0
          ? html`<p>${say(lang, 'noCampaigns')}</p>`
          : html`<table>
              ${columns([say(lang, 'name'), say(lang, 'selection'), say(lang, 'created')])}
              <tbody>
                ${items.map(
                  (c) =>
                    html`<tr>
                      <td><a href="${withLang(`/console/regulator/campaigns/${c.id}`, lang)}">${c.name}</a></td>
                      <td>${selectionText(lang, c.selection)}</td>
                      <td>${time(c.created_at)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${nextLink(lang, '/console/regulator/campaigns', {}, nextCursor)}`;
    return send(request, reply, say(lang, 'campaigns'), body, status);
  };

  api.get(
    '/console/regulator/campaigns',
    { config, schema: { ...hide, querystring: Type.Object({ ...Lang, ...Cursor }, { additionalProperties: false }) } },
    async (request, reply) => campaignsPage(request, reply, request.query.cursor, {}, []),
  );

  api.post('/console/regulator/campaigns', { config, schema: hide }, async (request, reply) => {
    const form = request.body;
    if (!kit.checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const values = Object.fromEntries(['name', 'store', 'appType', 'sdk', 'sampleSize', 'seed'].map((n) => [n, field(form, n).trim()]));
    const selection: CampaignSelection = {};
    const errors: Errors = [];
    if (!values.name) errors.push({ pointer: '/name', message: 'is required / 必填' });
    if (values.store) selection.storeIds = [values.store];
    if (values.appType) selection.appTypes = [values.appType];
    if (values.sdk) {
      if (/^[A-Za-z0-9_.$-]{2,200}$/.test(values.sdk!)) selection.sdk = values.sdk;
      else errors.push({ pointer: '/selection/sdk', message: 'an SDK id or a Java package prefix / SDK 标识或包名前缀' });
    }
    if (values.sampleSize) {
      const n = Number(values.sampleSize);
      if (Number.isInteger(n) && n >= 1 && n <= 20_000) selection.sampleSize = n;
      else errors.push({ pointer: '/selection/sampleSize', message: '1–20000' });
    }
    if (values.seed) selection.seed = values.seed.slice(0, 200);
    if (errors.length > 0) return campaignsPage(request, reply, undefined, values, errors, 400);
    const p = principal(request);
    try {
      const created = await guarded(() =>
        createCampaign(platform, { name: values.name!.slice(0, 200), selection, orgId: p.orgId, userId: p.userId, ip: request.ip }),
      );
      return reply.redirect(withLang(`/console/regulator/campaigns/${created.id}`, lang), 303);
    } catch (error) {
      const r = refusal(error);
      if (r === 'not-found') return notFoundPage(request, reply);
      return campaignsPage(request, reply, undefined, values, r.errors, r.status);
    }
  });

  const FINDING_STATES = ['new', 'confirmed', 'dismissed'] as const;
  const CampaignQuery = Type.Object(
    {
      ...Lang,
      ...Cursor,
      state: Type.Optional(Type.Union(FINDING_STATES.map((s) => Type.Literal(s)))),
      decided: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
    },
    { additionalProperties: false },
  );

  /** Whether the campaign's jobs are all done (nothing queued or running). */
  const campaignDone = (progress: Record<string, number>) => (progress.queued ?? 0) + (progress.running ?? 0) === 0;

  const campaignPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: (typeof FINDING_STATES)[number],
    cursor: string | undefined,
    errors: Errors,
    decided?: string,
    status = 200,
  ) => {
    const lang = pickLang(request);
    const c = await orNotFound(() => campaignOf(db, id, scopeOrg(principal(request))));
    if (!c) return notFoundPage(request, reply);
    const progress = await campaignProgress(db, c.id);
    const done = campaignDone(progress);
    let query = db
      .selectFrom('reg_findings')
      .leftJoin('apps', 'apps.id', 'reg_findings.app_id')
      .selectAll('reg_findings')
      .select('apps.package_name')
      .where('campaign_id', '=', c.id)
      .where('reg_findings.state', '=', state);
    if (cursor) query = query.where('reg_findings.id', '<', cursor);
    const { items, nextCursor } = page(await query.orderBy('reg_findings.id', 'desc').limit(101).execute(), 100, (f) => f);
    const base = `/console/regulator/campaigns/${c.id}`;
    const body = html`<h1>${c.name}</h1>
      <p class="muted">${say(lang, 'selection')}: ${selectionText(lang, c.selection)} · ${time(c.created_at)}</p>
      <h2 id="progress-h">${say(lang, 'progress')}</h2>
      <ul class="jobs" data-poll="${done ? '' : `${base}/progress`}" aria-labelledby="progress-h" aria-live="polite">
        ${Object.entries(progress).map(([k, n]) => html`<li data-job="${k}"><span class="job-state">${n}</span> ${workflowState(lang, k)}</li>`)}
      </ul>
      ${done ? '' : html`<p><a href="${withLang(base, lang)}">${say(lang, 'refresh')}</a></p>`}
      <h2>${say(lang, 'findings')}</h2>
      ${filterLinks(
        lang,
        say(lang, 'state'),
        FINDING_STATES.map((s) => ({ href: `${base}?state=${s}`, text: workflowState(lang, s), current: s === state })),
      )}
      ${decided !== undefined ? html`<p class="notice" role="status">${decided} ${say(lang, 'decided')}</p>` : ''}
      ${errorList(lang, errors)}
      ${
        items.length === 0
          ? html`<p>${say(lang, 'noFindings')}</p>`
          : html`<table>
              <thead>
                <tr>
                  ${state === 'new' ? html`<th scope="col">${say(lang, 'pick')}</th>` : ''}
                  <th scope="col">${say(lang, 'app')}</th>
                  <th scope="col">${say(lang, 'rule')}</th>
                  <th scope="col">${say(lang, 'severity')}</th>
                  <th scope="col">${say(lang, 'state')}</th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (f) =>
                    html`<tr>
                      ${
                        state === 'new'
                          ? html`<td>
                              <input
                                type="checkbox"
                                name="finding"
                                value="${f.id}"
                                form="triage-form"
                                aria-label="${say(lang, 'pick')} ${f.rule_id}"
                              />
                            </td>`
                          : ''
                      }
                      <td><code>${f.package_name ?? f.app_id}</code></td>
                      <td><code>${f.rule_id}</code></td>
                      <td><span class="tag">${f.severity}</span></td>
                      <td>${workflowState(lang, f.state)}${f.note ? html` — ${f.note}` : ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${nextLink(lang, base, { state }, nextCursor)}
      ${
        state === 'new' && items.length > 0
          ? html`<form method="post" action="${withLang(base, lang)}" id="triage-form" class="stack">
              ${csrfField(formToken(request, reply))}
              <label>${say(lang, 'note')}<textarea name="note" rows="2" maxlength="4000"></textarea></label>
              <div class="actions">
                <button type="submit" name="decision" value="confirm">${say(lang, 'confirm')}</button>
                <button type="submit" name="decision" value="dismiss" class="danger">${say(lang, 'dismiss')}</button>
              </div>
            </form>`
          : ''
      }
      <p>
        <a class="button" href="${withLang(`/console/regulator/bulletins/new?campaign=${c.id}`, lang)}">${say(lang, 'draftBulletin')}</a>
      </p>`;
    const head = done ? undefined : html`<noscript><meta http-equiv="refresh" content="5" /></noscript>`;
    return send(request, reply, c.name, body, status, head);
  };

  api.get(
    '/console/regulator/campaigns/:id',
    { config, schema: { ...hide, params: IdParam, querystring: CampaignQuery } },
    async (request, reply) =>
      campaignPage(request, reply, request.params.id, request.query.state ?? 'new', request.query.cursor, [], request.query.decided),
  );

  // What console.js polls while jobs run: done, and the counts by state (keyed like the page's list).
  api.get(
    '/console/regulator/campaigns/:id/progress',
    { config, schema: { ...hide, params: IdParam, querystring: LangOnly } },
    async (request, reply) => {
      const c = await orNotFound(() => campaignOf(db, request.params.id, scopeOrg(principal(request))));
      if (!c) return notFoundPage(request, reply);
      const progress = await campaignProgress(db, c.id);
      return reply
        .header('cache-control', 'no-store')
        .send({ done: campaignDone(progress), jobs: Object.entries(progress).map(([id, n]) => ({ id, state: String(n) })) });
    },
  );

  api.post('/console/regulator/campaigns/:id', { config, schema: { ...hide, params: IdParam } }, async (request, reply) => {
    const form = request.body;
    if (!kit.checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const id = request.params.id;
    const decision = field(form, 'decision');
    const note = field(form, 'note').trim().slice(0, 4000);
    const findingIds = fields(form, 'finding')
      .filter((f) => new RegExp(ID_PATTERN).test(f))
      .slice(0, 5000);
    const errors: Errors = [];
    if (decision !== 'confirm' && decision !== 'dismiss') errors.push({ pointer: '/decision', message: 'confirm or dismiss / 确认或排除' });
    if (findingIds.length === 0) errors.push({ pointer: '/findingIds', message: 'pick at least one finding / 请至少选择一项' });
    if (errors.length > 0) return campaignPage(request, reply, id, 'new', undefined, errors, undefined, 400);
    try {
      const result = await guarded(() =>
        triageCampaign(
          platform,
          principal(request),
          id,
          { decision: decision as 'confirm' | 'dismiss', ...(note ? { note } : {}), findingIds },
          request.ip,
        ),
      );
      return reply.redirect(withLang(`/console/regulator/campaigns/${id}?decided=${result.decided}`, lang), 303);
    } catch (error) {
      const r = refusal(error);
      if (r === 'not-found') return notFoundPage(request, reply);
      return campaignPage(request, reply, id, 'new', undefined, r.errors, undefined, r.status);
    }
  });

  // --- Bulletins ---------------------------------------------------------------------------------

  api.get(
    '/console/regulator/bulletins',
    { config, schema: { ...hide, querystring: Type.Object({ ...Lang, ...Cursor }, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const org = scopeOrg(principal(request));
      let query = db.selectFrom('reg_bulletins').selectAll();
      if (org !== null) query = query.where('org_id', '=', org);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const { items, nextCursor } = page(await query.orderBy('id', 'desc').limit(51).execute(), 50, bulletinSummary);
      const body = html`<h1>${say(lang, 'bulletins')}</h1>
        <p><a class="button" href="${withLang('/console/regulator/bulletins/new', lang)}">${say(lang, 'composer')}</a></p>
        ${
          items.length === 0
            ? html`<p>${say(lang, 'noBulletins')}</p>`
            : html`<table>
                ${columns([say(lang, 'titleEn'), say(lang, 'state'), say(lang, 'due'), say(lang, 'created')])}
                <tbody>
                  ${items.map(
                    (b) =>
                      html`<tr>
                        <td>
                          <a href="${withLang(`/console/regulator/bulletins/${b.id}`, lang)}">${lang === 'zh-CN' ? b.titleZh : b.title}</a>
                        </td>
                        <td>${workflowState(lang, b.state)}</td>
                        <td>${dueText(lang, b.dueDate, b.provisional)}</td>
                        <td>${time(b.createdAt)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        ${nextLink(lang, '/console/regulator/bulletins', {}, nextCursor)}`;
      return send(request, reply, say(lang, 'bulletins'), body);
    },
  );

  const composerPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    campaign: string | undefined,
    values: Record<string, string>,
    picked: Set<string>,
    errors: Errors,
    status = 200,
  ) => {
    const lang = pickLang(request);
    const org = scopeOrg(principal(request));
    // Confirmed findings of the regulator's campaigns (of one campaign when named), newest first.
    let query = db
      .selectFrom('reg_findings')
      .innerJoin('reg_campaigns', 'reg_campaigns.id', 'reg_findings.campaign_id')
      .leftJoin('apps', 'apps.id', 'reg_findings.app_id')
      .select(['reg_findings.id', 'reg_findings.rule_id', 'reg_findings.severity', 'apps.package_name', 'reg_campaigns.name as campaign'])
      .where('reg_findings.state', '=', 'confirmed');
    if (org !== null) query = query.where('reg_campaigns.org_id', '=', org);
    if (campaign) query = query.where('reg_campaigns.id', '=', campaign);
    const findings = await query.orderBy('reg_findings.id', 'desc').limit(200).execute();
    // The preview: the due date if published today, through the same calendar count as publication.
    const deadline = deadlineOf(values);
    let preview: SafeHtml = html``;
    if (!('error' in deadline)) {
      try {
        const due = await dueDate(db, deadline, shanghaiDate(platform.clock.now()));
        preview = html`<p class="notice" role="status" data-due="${due.dueDate}">
          ${say(lang, 'previewText')} <strong>${due.dueDate}</strong>${
            due.provisional ? html` (${say(lang, 'provisional')} ${due.coveredThrough})` : ''
          }
        </p>`;
      } catch (error) {
        const r = refusal(error);
        if (r !== 'not-found') errors = [...errors, ...r.errors];
      }
    }
    const text = (name: string, label: Parameters<typeof say>[1], max: number) =>
      html`<label>${say(lang, label)}<input name="${name}" required maxlength="${max}" value="${values[name] ?? ''}" /></label>`;
    const area = (name: string, label: Parameters<typeof say>[1], required = false) =>
      html`<label
        >${say(lang, label)}<textarea name="${name}" rows="3" maxlength="20000" ${required ? html`required` : ''}>
${values[name] ?? ''}</textarea>
      </label>`;
    const body = html`<h1>${say(lang, 'composer')}</h1>
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/regulator/bulletins/new', lang)}" class="stack">
        ${csrfField(formToken(request, reply))} ${campaign ? html`<input type="hidden" name="campaign" value="${campaign}" />` : ''}
        ${text('title', 'titleEn', 300)} ${text('titleZh', 'titleZh', 300)} ${area('measure', 'measure', true)}
        ${text('legalBasis', 'legalBasis', 1000)}
        <fieldset>
          <legend>${say(lang, 'deadline')}</legend>
          <label
            >${say(lang, 'workingDays')}<input name="workingDays" type="number" min="1" max="250" value="${values.workingDays ?? ''}"
          /></label>
          <label>${say(lang, 'orDate')}<input name="date" type="date" value="${values.date ?? ''}" /></label>
        </fieldset>
        ${preview} ${area('sdkPrefixes', 'sdkPrefixes')} ${area('domains', 'domains')} ${area('ips', 'ips')}
        <fieldset>
          <legend>${say(lang, 'confirmedFindings')}</legend>
          ${
            findings.length === 0
              ? html`<p>${say(lang, 'noConfirmed')}</p>`
              : findings.map(
                  (f) =>
                    html`<label class="check"
                      ><input
                        type="checkbox"
                        name="finding"
                        value="${f.id}"
                        ${picked.has(f.id) || picked.size === 0 ? html`checked` : ''}
                      />
                      <code>${f.package_name ?? ''}</code> <code>${f.rule_id}</code> <span class="tag">${f.severity}</span>
                      <span class="muted">${f.campaign}</span></label
                    >`,
                )
          }
        </fieldset>
        <div class="actions">
          <button type="submit" name="action" value="preview">${say(lang, 'preview')}</button>
          <button type="submit" name="action" value="draft">${say(lang, 'saveDraft')}</button>
        </div>
      </form>`;
    return send(request, reply, say(lang, 'composer'), body, status);
  };

  api.get(
    '/console/regulator/bulletins/new',
    {
      config,
      schema: {
        ...hide,
        querystring: Type.Object(
          { ...Lang, campaign: Type.Optional(Type.String({ pattern: ID_PATTERN })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => composerPage(request, reply, request.query.campaign, { workingDays: '15' }, new Set(), []),
  );

  api.post('/console/regulator/bulletins/new', { config, schema: hide }, async (request, reply) => {
    const form = request.body;
    if (!kit.checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const names = ['title', 'titleZh', 'measure', 'legalBasis', 'workingDays', 'date', 'sdkPrefixes', 'domains', 'ips'];
    const values = Object.fromEntries(names.map((n) => [n, field(form, n).trim()]));
    const campaign = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(field(form, 'campaign')) ? field(form, 'campaign') : undefined;
    const picked = new Set(fields(form, 'finding').filter((f) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(f)));
    if (field(form, 'action') !== 'draft') return composerPage(request, reply, campaign, values, picked, []);
    const deadline = deadlineOf(values);
    const errors: Errors = [];
    for (const [name, max] of [
      ['title', 300],
      ['titleZh', 300],
      ['measure', 4000],
      ['legalBasis', 1000],
    ] as const)
      if (!values[name] || values[name]!.length > max)
        errors.push({ pointer: `/${name}`, message: `1–${max} characters / 1–${max} 个字符` });
    if ('error' in deadline) errors.push({ pointer: '/deadline', message: deadline.error });
    if (picked.size === 0)
      errors.push({ pointer: '/findings', message: 'pick at least one confirmed finding / 请至少选择一项已确认的问题' });
    if (errors.length > 0 || 'error' in deadline) return composerPage(request, reply, campaign, values, picked, errors, 400);
    const input: DraftInput = {
      title: values.title!,
      titleZh: values.titleZh!,
      measure: values.measure!,
      legalBasis: values.legalBasis!,
      findings: [...picked].slice(0, 5000),
      deadline,
    };
    for (const key of ['sdkPrefixes', 'domains', 'ips'] as const) {
      const list = lines(values[key] ?? '');
      if (list.length > 0) input[key] = list;
    }
    const p = principal(request);
    try {
      const id = await guarded(() =>
        draftBulletin(platform, input, { orgId: p.orgId, userId: p.userId, ip: request.ip, scope: scopeOrg(p) }),
      );
      return reply.redirect(withLang(`/console/regulator/bulletins/${id}`, lang), 303);
    } catch (error) {
      const r = refusal(error);
      if (r === 'not-found') return notFoundPage(request, reply);
      return composerPage(request, reply, campaign, values, picked, r.errors, r.status);
    }
  });

  const bulletinPage = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: Errors, status = 200) => {
    const lang = pickLang(request);
    const org = scopeOrg(principal(request));
    let query = db.selectFrom('reg_bulletins').select('id').where('id', '=', id);
    if (org !== null) query = query.where('org_id', '=', org);
    if (!(await query.executeTakeFirst())) return notFoundPage(request, reply);
    const b = await bulletinView(db, id, false);
    const retest = new Map(b.items.map((i) => [i.id, i.retestReportId]));
    const title = lang === 'zh-CN' ? b.titleZh : b.title;
    const body = html`<h1>${title}</h1>
      ${errorList(lang, errors)}
      <dl class="elements">
        <dt>${say(lang, 'state')}</dt>
        <dd data-state="${b.state}">${workflowState(lang, b.state)}</dd>
        <dt>${say(lang, 'deadline')}</dt>
        <dd>
          ${'workingDays' in b.deadline ? `${b.deadline.workingDays} ${say(lang, 'workingDaysUnit')}` : b.deadline.date}
          ${b.dueDate ? html` → ${dueText(lang, b.dueDate, b.provisional)}` : ''}
        </dd>
        <dt>${say(lang, 'measure')}</dt>
        <dd>${b.measure}</dd>
        <dt>${say(lang, 'legalBasis')}</dt>
        <dd>${b.legalBasis}</dd>
        ${
          b.sdkPrefixes.length + (b.domains?.length ?? 0) + (b.ips?.length ?? 0) > 0
            ? html`<dt>${say(lang, 'stopTargets')}</dt>
                <dd><code>${[...b.sdkPrefixes, ...(b.domains ?? []), ...(b.ips ?? [])].join(', ')}</code></dd>`
            : ''
        }
      </dl>
      ${
        b.state === 'draft'
          ? html`<form
              method="post"
              action="${withLang(`/console/regulator/bulletins/${b.id}`, lang)}"
              data-confirm="${say(lang, 'confirmPublish')}"
            >
              ${csrfField(formToken(request, reply))}
              <button type="submit" name="action" value="publish">${say(lang, 'publish')}</button>
            </form>`
          : html`<p><a href="${withLang(`/bulletins/${b.id}`, lang)}">${say(lang, 'publicPage')}</a></p>`
      }
      <h2>${say(lang, 'findings')}</h2>
      ${bulletinItems(lang, b, (itemId) => {
        const report = retest.get(itemId);
        return report ? html`<a href="${withLang(`/console/reports/${report}`, lang)}">${say(lang, 'retestReport')}</a>` : html``;
      })}`;
    return send(request, reply, title, body, status);
  };

  api.get(
    '/console/regulator/bulletins/:id',
    { config, schema: { ...hide, params: IdParam, querystring: LangOnly } },
    async (request, reply) => bulletinPage(request, reply, request.params.id, []),
  );

  api.post('/console/regulator/bulletins/:id', { config, schema: { ...hide, params: IdParam } }, async (request, reply) => {
    if (!kit.checked(request, reply, request.body)) return reply;
    const lang = pickLang(request);
    const id = request.params.id;
    const org = scopeOrg(principal(request));
    let query = db.selectFrom('reg_bulletins').select('id').where('id', '=', id);
    if (org !== null) query = query.where('org_id', '=', org);
    if (!(await query.executeTakeFirst())) return notFoundPage(request, reply);
    const p = principal(request);
    try {
      await guarded(() => publishBulletin(platform, id, { orgId: p.orgId, userId: p.userId, ip: request.ip }));
    } catch (error) {
      const r = refusal(error);
      if (r === 'not-found') return notFoundPage(request, reply);
      return bulletinPage(request, reply, id, r.errors, r.status);
    }
    return reply.redirect(withLang(`/console/regulator/bulletins/${id}`, lang), 303);
  });

  // --- Rankings ----------------------------------------------------------------------------------

  const RankingsQuery = Type.Object(
    { ...Lang, dimension: Type.Optional(Type.Union(RANKING_DIMENSIONS.map((d) => Type.Literal(d)))) },
    { additionalProperties: false },
  );
  api.get('/console/regulator/rankings', { config, schema: { ...hide, querystring: RankingsQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const dimension = request.query.dimension ?? 'store';
    const s = await latestRankings(db);
    const body = html`<h1>${say(lang, 'rankings')}</h1>
      <form method="post" action="${withLang('/console/regulator/rankings', lang)}">
        ${csrfField(formToken(request, reply))}
        <button type="submit">${say(lang, 'recompute')}</button>
      </form>
      ${
        s
          ? html`<p>${time(s.computedAt)} · <code>${s.definitions}</code> · ${s.durationMs} ms</p>
              ${dimensionLinks(lang, '/console/regulator/rankings', dimension)} ${rankingTable(lang, s.rankings[dimension])}`
          : html`<p>${say(lang, 'noRankings')}</p>`
      }`;
    return send(request, reply, say(lang, 'rankings'), body);
  });

  api.post('/console/regulator/rankings', { config, schema: hide }, async (request, reply) => {
    if (!kit.checked(request, reply, request.body)) return reply;
    await recomputeAudited(platform, principal(request), request.ip);
    return reply.redirect(withLang('/console/regulator/rankings', pickLang(request)), 303);
  });

  // --- Complaint KPIs ----------------------------------------------------------------------------

  api.get(
    '/console/regulator/complaints',
    {
      config,
      schema: {
        ...hide,
        querystring: Type.Object(
          { ...Lang, quarter: Type.Optional(Type.String({ pattern: '^\\d{4}-Q[1-4]$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      const today = shanghaiDate(platform.clock.now());
      const quarter = request.query.quarter ?? quarterOf(today);
      const rows = await complaintKpi(db, quarter, null, today);
      const body = html`<h1>${say(lang, 'complaints')}</h1>
        <p class="muted">${say(lang, 'complaintsIntro')} ${KPI_TARGET * 100} %.</p>
        <form class="filters" method="get" action="/console/regulator/complaints">
          <input type="hidden" name="lang" value="${lang}" />
          <label>${say(lang, 'quarter')}<input name="quarter" value="${quarter}" pattern="\\d{4}-Q[1-4]" maxlength="7" /></label>
          <button type="submit">${say(lang, 'show')}</button>
        </form>
        ${
          rows.length === 0
            ? html`<p>${say(lang, 'noComplaints')}</p>`
            : html`<table class="kpi">
                ${columns([say(lang, 'operator'), say(lang, 'received'), say(lang, 'onTime'), say(lang, 'late'), say(lang, 'overdue'), say(lang, 'pending'), say(lang, 'rate'), say(lang, 'target')])}
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr data-operator="${r.operatorOrganisationId}">
                        <td>${r.operator}</td>
                        <td>${r.received}</td>
                        <td class="on-time">${r.answeredOnTime}</td>
                        <td>${r.answeredLate}</td>
                        <td>${r.overdue}</td>
                        <td class="pending">${r.pending}</td>
                        <td>${r.onTimeRate === null ? '—' : `${(r.onTimeRate * 100).toFixed(1)} %`}</td>
                        <td class="${r.meetsTarget === false ? 'state-failed' : r.meetsTarget ? 'state-succeeded' : ''}">
                          ${r.meetsTarget === null ? '—' : say(lang, r.meetsTarget ? 'yes' : 'no')}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        <p><a href="/api/v1/complaints/kpi.csv?quarter=${quarter}">CSV</a></p>`;
      return send(request, reply, say(lang, 'complaints'), body);
    },
  );

  // --- Removal and stop-access orders ------------------------------------------------------------

  const ORDER_LISTS = ['packageNames', 'signerSha256', 'sdkPrefixes', 'domains', 'ips'] as const;
  const ordersPage = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: Errors, status = 200) => {
    const lang = pickLang(request);
    const org = scopeOrg(principal(request));
    let removal = db
      .selectFrom('reg_removal_orders')
      .innerJoin('reg_bulletins', 'reg_bulletins.id', 'reg_removal_orders.bulletin_id')
      .selectAll('reg_removal_orders');
    if (org !== null) removal = removal.where('reg_bulletins.org_id', '=', org);
    const removals = await removal.orderBy('reg_removal_orders.id', 'desc').limit(50).execute();
    const stops = await db
      .selectFrom('stop_access_orders as o')
      .leftJoin('stop_access_feed as f', 'f.order_id', 'o.id')
      .selectAll('o')
      .select([
        'f.seq',
        (eb) =>
          eb
            .selectFrom('stop_access_acks as a')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('a.seq', '=', 'f.seq')
            .as('acks'),
      ])
      .orderBy('o.id', 'desc')
      .limit(50)
      .execute();
    const overdue = await overdueAcknowledgements(platform, 100);
    const late = [...overdue.unacknowledged, ...overdue.lateAcknowledgements];
    const targets = (o: (typeof stops)[number]) =>
      [
        ...parseList(o.package_names),
        ...parseList(o.signer_sha256s).map((s) => `${s.slice(0, 12)}…`),
        ...parseList(o.sdk_prefixes),
        ...parseList(o.domains),
        ...parseList(o.ips),
      ].join(', ');
    const body = html`<h1>${say(lang, 'orders')}</h1>
      <h2>${say(lang, 'issueOrder')}</h2>
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/regulator/orders', lang)}" class="stack" data-confirm="${say(lang, 'confirmIssue')}">
        ${csrfField(formToken(request, reply))}
        ${ORDER_LISTS.map(
          (name) =>
            html`<label>${say(lang, name)}<textarea name="${name}" rows="2" maxlength="20000">${values[name] ?? ''}</textarea></label>`,
        )}
        <label>${say(lang, 'legalBasis')}<input name="legalBasis" required maxlength="2000" value="${values.legalBasis ?? ''}" /></label>
        <label>${say(lang, 'validUntilOptional')}<input name="validUntil" type="date" value="${values.validUntil ?? ''}" /></label>
        <button type="submit">${say(lang, 'issue')}</button>
      </form>
      <h2>${say(lang, 'removalOrders')}</h2>
      ${
        removals.length === 0
          ? html`<p>${say(lang, 'noRemoval')}</p>`
          : html`<table class="removal-orders">
              ${columns([say(lang, 'packageName'), say(lang, 'legalBasis'), say(lang, 'issued'), say(lang, 'validUntil')])}
              <tbody>
                ${removals.map(
                  (o) =>
                    html`<tr>
                      <td>
                        <code>${o.package_name}</code> ·
                        <a href="${withLang(`/console/regulator/bulletins/${o.bulletin_id}`, lang)}">${say(lang, 'bulletins')}</a>
                      </td>
                      <td>${o.legal_basis}</td>
                      <td>${time(o.issued_at)}</td>
                      <td>${o.valid_until}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <h2>${say(lang, 'stopOrders')}</h2>
      ${
        stops.length === 0
          ? html`<p>${say(lang, 'noStop')}</p>`
          : html`<table class="stop-orders">
              ${columns([say(lang, 'seq'), say(lang, 'targets'), say(lang, 'source'), say(lang, 'issued'), say(lang, 'acks')])}
              <tbody>
                ${stops.map(
                  (o) =>
                    html`<tr data-seq="${o.seq ?? ''}">
                      <td>${o.seq ?? ''}</td>
                      <td><code>${targets(o)}</code></td>
                      <td>${o.source}</td>
                      <td>${time(o.created_at)}</td>
                      <td>${Number(o.acks ?? 0)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <h2>${say(lang, 'overdueAcks')}</h2>
      ${
        late.length === 0
          ? html`<p>${say(lang, 'noOverdue')}</p>`
          : html`<table>
              ${columns([say(lang, 'provider'), say(lang, 'seq'), say(lang, 'dueAt'), say(lang, 'ackedAt')])}
              <tbody>
                ${late.map(
                  (l) =>
                    html`<tr>
                      <td>${l.providerName}</td>
                      <td>${l.seq}</td>
                      <td>${time(l.dueAt)}</td>
                      <td>${l.ackedAt === null ? say(lang, 'notYet') : time(l.ackedAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }`;
    return send(request, reply, say(lang, 'orders'), body, status);
  };

  api.get('/console/regulator/orders', { config, schema: { ...hide, querystring: LangOnly } }, async (request, reply) =>
    ordersPage(request, reply, {}, []),
  );

  api.post('/console/regulator/orders', { config, schema: hide }, async (request, reply) => {
    const form = request.body;
    if (!kit.checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const values = Object.fromEntries([...ORDER_LISTS, 'legalBasis', 'validUntil'].map((n) => [n, field(form, n).trim()]));
    const order: Static<typeof OrderBody> = { legalBasis: values.legalBasis!.slice(0, 2000) };
    for (const name of ORDER_LISTS) {
      const list = lines(values[name] ?? '', 1000).map((l) => l.slice(0, 300));
      if (list.length > 0) order[name] = list;
    }
    // A date is in force through its end, Beijing time.
    if (values.validUntil)
      order.validUntil = /^\d{4}-\d{2}-\d{2}$/.test(values.validUntil) ? `${values.validUntil}T23:59:59.999+08:00` : values.validUntil;
    if (!order.legalBasis) return ordersPage(request, reply, values, [{ pointer: '/legalBasis', message: 'is required / 必填' }], 400);
    try {
      await issueOrder(platform, principal(request), order);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return ordersPage(request, reply, values, problemErrors(error), error.status);
    }
    return reply.redirect(withLang('/console/regulator/orders', lang), 303);
  });
}

/** The composer's deadline fields: working days, or a fixed date. */
function deadlineOf(values: Record<string, string>): DeadlineInput | { error: string } {
  if (values.date) return { date: values.date };
  const n = Number(values.workingDays);
  if (values.workingDays && Number.isInteger(n) && n >= 1 && n <= 250) return { workingDays: n };
  return { error: 'working days (1–250) or a date / 工作日数（1–250）或日期' };
}
