import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderDiffReport } from '@apprights/report';
import { Type } from 'typebox';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { ID_PATTERN } from '../http/routes/common.js';
import { submitVersionDiff } from '../http/routes/apps.js';
import { csrfField, field, formToken, notFoundPage } from './forms.js';
import { html } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, formChecked, problemErrors, stateName, time } from './frame.js';
import { IdParam, LangOnly, listTable, ListQuery, PAGE, pager, sendSigned, type Words, word } from './words.js';

// The developer's apps and versions as the scan jobs recorded them, and the diff of two versions:
// the engine's package diff (a diff job, as POST /api/v1/versions/:id/diff), shown in the report
// renderer's text once the job ends. The page refreshes itself while the job runs (no script needed).

const W = {
  apps: { en: 'Apps and versions', zh: '应用与版本' },
  appsIntro: {
    en: 'Every package your organisation uploaded, by package name; compare two versions to see what changed (permissions, SDKs, sensitive APIs, signer).',
    zh: '本组织上传过的全部安装包（按包名）；比较两个版本可查看变化（权限、SDK、敏感 API、签名）。',
  },
  packageName: { en: 'Package', zh: '包名' },
  created: { en: 'First seen', zh: '首次上传' },
  versions: { en: 'Versions', zh: '版本' },
  versionName: { en: 'versionName', zh: 'versionName' },
  versionCode: { en: 'versionCode', zh: 'versionCode' },
  signer: { en: 'Signer (SHA-256)', zh: '签名（SHA-256）' },
  uploaded: { en: 'Uploaded', zh: '上传时间' },
  none: { en: 'Nothing to show.', zh: '暂无记录。' },
  compare: { en: 'Compare two versions', zh: '比较两个版本' },
  newer: { en: 'Newer version', zh: '较新版本' },
  older: { en: 'Older version', zh: '较旧版本' },
  run: { en: 'Compare', zh: '比较' },
  same: { en: 'Choose two different versions.', zh: '请选择两个不同的版本。' },
  diff: { en: 'Version diff', zh: '版本差异' },
  waiting: { en: 'The comparison is running; this page refreshes itself.', zh: '正在比较，本页面将自动刷新。' },
  failed: { en: 'The comparison failed', zh: '比较失败' },
} as const satisfies Words;

const w = (lang: ConsoleLang, id: keyof typeof W) => word(W, lang, id);

export function consoleVersionRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;
  const page = { hide: true } as const;
  const config = { consolePage: true } as const;
  const orgOf = (request: FastifyRequest) => request.auth.principal!.orgId;
  const send = sendSigned;

  api.get('/console/developer/apps', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    let query = db.selectFrom('apps').selectAll().where('org_id', '=', orgOf(request));
    if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(PAGE + 1)
      .execute();
    const shown = rows.slice(0, PAGE);
    const body = html`<h1>${w(lang, 'apps')}</h1>
      <p class="muted">${w(lang, 'appsIntro')}</p>
      ${listTable(
        lang,
        [w(lang, 'packageName'), w(lang, 'created')],
        shown.map(
          (a) =>
            html`<tr>
              <td>
                <a href="${withLang(`/console/developer/apps/${a.id}`, lang)}"><code>${a.package_name}</code></a>
              </td>
              <td>${time(a.created_at)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/developer/apps', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'apps'), body);
  });

  const appPage = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: { pointer: string; message: string }[]) => {
    const lang = pickLang(request);
    const app = await db.selectFrom('apps').selectAll().where('id', '=', id).where('org_id', '=', orgOf(request)).executeTakeFirst();
    if (!app) return notFoundPage(request, reply);
    const versions = await db.selectFrom('versions').selectAll().where('app_id', '=', app.id).orderBy('id', 'desc').limit(200).execute();
    const option = (v: (typeof versions)[number]) =>
      html`<option value="${v.id}">${v.version_name ?? '?'} (${v.version_code ?? '?'}) · ${time(v.created_at)}</option>`;
    const body = html`<h1><code>${app.package_name}</code></h1>
      <h2>${w(lang, 'versions')}</h2>
      ${listTable(
        lang,
        [w(lang, 'versionName'), w(lang, 'versionCode'), w(lang, 'signer'), w(lang, 'uploaded')],
        versions.map(
          (v) =>
            html`<tr>
              <td>${v.version_name ?? ''}</td>
              <td>${v.version_code ?? ''}</td>
              <td><code>${(v.signer_sha256 ?? '').slice(0, 16)}</code></td>
              <td>${time(v.created_at)}</td>
            </tr>`,
        ),
      )}
      ${
        versions.length >= 2
          ? html`<h2>${w(lang, 'compare')}</h2>
              ${errorList(lang, errors)}
              <form method="post" action="${withLang(`/console/developer/apps/${app.id}/diff`, lang)}" class="stack">
                ${csrfField(formToken(request, reply))}
                <label
                  >${w(lang, 'newer')}<select name="newer">
                    ${versions.map(option)}
                  </select></label
                >
                <label
                  >${w(lang, 'older')}<select name="older">
                    ${versions.map((v, i) => (i === 1 ? html`<option value="${v.id}" selected>${v.version_name ?? '?'} (${v.version_code ?? '?'})</option>` : option(v)))}
                  </select></label
                >
                <button type="submit">${w(lang, 'run')}</button>
              </form>`
          : ''
      }`;
    return send(request, reply, app.package_name, body, errors.length ? 400 : 200);
  };

  api.get(
    '/console/developer/apps/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => appPage(request, reply, request.params.id, []),
  );

  api.post('/console/developer/apps/:id/diff', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    const form = request.body;
    if (!formChecked(request, reply, form)) return reply;
    const newer = field(form, 'newer');
    const older = field(form, 'older');
    const id = new RegExp(ID_PATTERN);
    if (!id.test(newer) || !id.test(older) || newer === older)
      return appPage(request, reply, request.params.id, [{ pointer: '/older', message: `${W.same.en} / ${W.same.zh}` }]);
    // Both versions must be of this app (the function checks the organisation).
    const ofApp = await db
      .selectFrom('versions')
      .select('id')
      .where('app_id', '=', request.params.id)
      .where('org_id', '=', orgOf(request))
      .where('id', 'in', [newer, older])
      .execute();
    if (ofApp.length !== 2) return notFoundPage(request, reply);
    try {
      const job = await submitVersionDiff(platform, request.auth.principal!, newer, older);
      return reply.redirect(withLang(`/console/developer/diffs/${job.id}`, pickLang(request)), 303);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return appPage(request, reply, request.params.id, problemErrors(error));
    }
  });

  api.get(
    '/console/developer/diffs/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const job = await db
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('org_id', '=', orgOf(request))
        .where('kind', '=', 'diff')
        .executeTakeFirst();
      if (!job) return notFoundPage(request, reply);
      const report =
        job.state === 'succeeded'
          ? await db.selectFrom('reports').select(['body']).where('job_id', '=', job.id).where('kind', '=', 'diff').executeTakeFirst()
          : undefined;
      const running = job.state === 'queued' || job.state === 'running';
      const body = html`<h1>${w(lang, 'diff')}</h1>
        <p>${stateName(lang, job.state)} · ${time(job.updated_at)}</p>
        ${running ? html`<p class="notice" role="status">${w(lang, 'waiting')}</p>` : ''}
        ${
          job.error_message
            ? html`<div class="errors" role="alert">
                <p><strong>${w(lang, 'failed')}</strong></p>
                <p><code>${job.error_code ?? ''}</code> ${job.error_message}</p>
              </div>`
            : ''
        }
        ${report ? html`<pre class="code diff">${renderDiffReport(JSON.parse(report.body) as never, 'md', lang === 'zh-CN' ? 'zh' : 'en')}</pre>` : ''}`;
      // A running comparison refreshes itself every few seconds (no script needed).
      const head = running ? html`<meta http-equiv="refresh" content="3" />` : undefined;
      return send(request, reply, w(lang, 'diff'), body, 200, head);
    },
  );
}
