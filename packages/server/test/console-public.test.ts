import assert from 'node:assert/strict';
import { bothDatabases } from './support/databases.js';
import { harness } from './support/http.js';
import { addOrg } from './support/jobs.js';
import { newId } from '../src/ids.js';
import { html, trustedHtml } from '../src/console/html.js';

const HOSTILE = '<img src=x onerror=alert(1)>\u202Egnp.exe"\'&';

test_escaping();

function test_escaping(): void {
  // Plain unit checks of the template tag (no database).
  const out = html`<p title="${HOSTILE}">${HOSTILE}</p>
    ${[HOSTILE, html`<b>ok</b>`]}`.value;
  assert.ok(!out.includes('<img'), out);
  assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(out.includes('&quot;&#39;&amp;'));
  assert.ok(out.includes('<b>ok</b>'), 'nested html stays markup');
  assert.equal(trustedHtml('<i>x</i>').value, '<i>x</i>');
}

async function seedListing(h: Awaited<ReturnType<typeof harness>>, name: string, url = 'https://example.cn/privacy') {
  const db = h.platform.store.db;
  const store = await addOrg(h.platform.store, `store-${newId().slice(-5).toLowerCase()}`);
  await db
    .updateTable('organisations')
    .set({ kind: 'store', name: `Store ${name}` })
    .where('id', '=', store)
    .execute();
  const dev = await addOrg(h.platform.store);
  const appId = newId();
  await db.insertInto('apps').values({ id: appId, org_id: dev, package_name: 'com.example.hostile', created_at: 1 }).execute();
  const id = newId();
  await db
    .insertInto('listings')
    .values({
      id,
      store_id: store,
      developer_org_id: dev,
      package_name: 'com.example.hostile',
      app_id: appId,
      version_id: null,
      state: 'listed',
      elements: JSON.stringify({
        name,
        version: '1.0',
        developer: `${name} Ltd`,
        privacyPolicyUrl: url,
        permissions: [{ name: 'android.permission.CAMERA', purpose: name }],
        description: name,
      }),
      app_type: 'utility',
      listed_at: 1,
      delisted_at: null,
      updated_at: 1,
    })
    .execute();
  return id;
}

bothDatabases('console public pages: hostile listing text renders as text, strict CSP, both languages, ETag 304', async (_t, under) => {
  const h = await harness(under);
  const id = await seedListing(h, HOSTILE + 'x'.repeat(2048), 'javascript:alert(1)');
  const list = await h.app.inject({ method: 'GET', url: '/apps', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
  assert.equal(list.statusCode, 200);
  assert.match(String(list.headers['content-type']), /^text\/html/);
  const csp = String(list.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.ok(!csp.includes('unsafe-inline'));
  assert.equal(list.headers['content-language'], 'zh-CN');
  assert.ok(list.body.includes('在架应用全量公示'));
  assert.ok(!list.body.includes('<img src=x'), 'no markup from the listing');
  assert.ok(!/<script(?![^>]*src="\/assets\/console\.js")/.test(list.body), 'the only script is our own file');
  const page = await h.app.inject({ method: 'GET', url: `/apps/${id}?lang=en` });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('Listed apps'));
  assert.ok(!page.body.includes('<img src=x'));
  assert.ok(!page.body.includes('href="javascript:'), 'a javascript: policy URL is not a link');
  const again = await h.app.inject({ method: 'GET', url: `/apps/${id}?lang=en`, headers: { 'if-none-match': String(page.headers.etag) } });
  assert.equal(again.statusCode, 304);
  const missing = await h.app.inject({ method: 'GET', url: `/apps/${newId()}` });
  assert.equal(missing.statusCode, 404);
  assert.match(String(missing.headers['content-type']), /^text\/html/);
  const css = await h.app.inject({ method: 'GET', url: '/assets/console.css' });
  assert.equal(css.statusCode, 200);
  assert.match(String(css.headers['content-type']), /^text\/css/);
  const weight =
    Buffer.byteLength(list.body) + css.body.length + (await h.app.inject({ method: 'GET', url: '/assets/console.js' })).body.length;
  assert.ok(weight < 100 * 1024, `public page weight ${weight} bytes`);
  const filtered = await h.app.inject({ method: 'GET', url: `/apps?q=${encodeURIComponent('%_')}` });
  assert.equal(filtered.statusCode, 200);
  assert.ok(filtered.body.includes('No listed app') || filtered.body.includes('没有'), 'LIKE wildcards in a search are literal');
  await h.close();
});
