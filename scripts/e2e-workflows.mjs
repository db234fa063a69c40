#!/usr/bin/env node
// npm run e2e:workflows: the workflows end to end over HTTP against the platform's server, started
// here as `apprights serve --demo` starts it (startServer + seedDemo: embedded SQLite in a fresh
// folder, two warm workers, the scheduler; APPRIGHTS_DATABASE_URL=postgres://… runs it on PostgreSQL,
// migrated first). One actor after another, each with the demo account's token:
//
//   developer identity → store admin verifies → developer uploads ApiDemos and submits a listing that
//   contradicts the APK → the gate rejects it with reasons → resubmission → listed → public disclosure
//   → regulator: campaign over the store's apps → bulletin with a deadline → the deadline passes →
//   automatic re-test fails → removal order → delisting task and stop-access order → the access
//   provider reads the feed, verifies its Ed25519 signature with the published key and acknowledges.
//
// Deadlines are days away, so the server runs on a test clock that the script moves past the
// bulletin's due date; the scheduler then starts the re-test on its own, as it would the day after.
// Exit 0 when every step answered as expected; 1 with the step and the answer otherwise.
import { createServer } from 'node:http';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const APK = join(root, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk');
const data = mkdtempSync(join(tmpdir(), 'apprights-e2e-'));
const port = 18_000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const server = await import(pathToFileURL(join(root, 'packages/server/dist/index.js')).href);
const started = Date.now();

// The listing and policy written for the real ApiDemos APK (shared with the store workflow test).
const FIXTURE = JSON.parse(readFileSync(join(root, 'packages/server/test/fixtures/api-demos-listing.json'), 'utf8'));
const POLICY = FIXTURE.policy;
const PERMISSIONS = FIXTURE.permissions;

let step = 0;
function log(text) {
  step++;
  console.log(`${String(step).padStart(2)}. ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

class StepFailed extends Error {}

function expect(condition, what, detail) {
  if (!condition) throw new StepFailed(`${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)?.slice(0, 800)}`);
}

async function call(token, method, path, body, headers = {}) {
  const init = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
  if (body instanceof Uint8Array) {
    init.body = body;
    init.headers['content-type'] ??= 'application/vnd.android.package-archive';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function until(what, probe, timeoutMs = 180_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new StepFailed(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// A privacy policy served on loopback (the server is started with --allow-private-fetch for it).
const policyServer = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(POLICY);
});
await new Promise((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
const policyUrl = `http://127.0.0.1:${policyServer.address().port}/privacy`;

const config = server.loadConfig({ data, port, host: '127.0.0.1', allowPrivateFetch: true, concurrency: 1 });
if (config.databaseUrl) await server.migrateDatabase(config);
const clock = new server.TestClock(Date.now());
const running = await server.startServer(config, { clock });
let failed = false;
try {
  const demo = await server.seedDemo(running.platform);
  const token = Object.fromEntries(demo.accounts.map((a) => [a.role, a.token]));
  log(`server with the demo accounts on ${base}: ${demo.accounts.length} accounts`);

  // --- Store gatekeeping ---------------------------------------------------------------------
  const me = await call(token['store-admin'], 'GET', '/api/v1/sessions/current');
  const storeId = me.json.organisation.id;
  const profile = await call(token.developer, 'POST', '/api/v1/store/developer', {
    enterpriseName: FIXTURE.enterpriseName,
    creditCode: '91110108123456788E',
    filingNumber: '京ICP备2023012345号-1A',
    contacts: [{ name: '张三', email: 'privacy@example.com' }],
  });
  expect(profile.status === 200 && profile.json.state === 'unverified', 'developer identity saved', profile.json);
  const devOrg = (await call(token.developer, 'GET', '/api/v1/sessions/current')).json.organisation.id;
  const verified = await call(token['store-admin'], 'POST', `/api/v1/store/developers/${devOrg}/decision`, {
    decision: 'verified',
    comment: '营业执照一致',
  });
  expect(verified.status === 200 && verified.json.state === 'verified', 'store admin verifies the developer', verified.json);
  log('developer identity verified by the store admin');

  const upload = await call(token.developer, 'POST', '/api/v1/packages', new Uint8Array(readFileSync(APK)));
  expect(upload.status === 201, 'upload ApiDemos', upload.json);
  const blob = upload.json.blob.sha256;
  const elements = {
    name: 'API Demos',
    version: '5.0.0',
    developer: FIXTURE.enterpriseName,
    privacyPolicyUrl: policyUrl,
    permissions: PERMISSIONS,
    description: 'Android API 演示 / demonstrates the Android APIs',
  };
  const submission = async (body) => {
    const res = await call(token.developer, 'POST', '/api/v1/store/submissions', { store: storeId, blob, appType: 'utilities', ...body });
    expect(res.status === 202, 'submission accepted for detection', res.json);
    return res.json.id;
  };
  const gated = (id) =>
    until(`submission ${id} to be gated`, async () => {
      const s = await call(token.developer, 'GET', `/api/v1/store/submissions/${id}`);
      return s.json && s.json.state !== 'detecting' ? s.json : undefined;
    });
  const wrongId = await submission({ elements: { ...elements, name: 'Totally Different App', version: '9.9.9' } });
  const wrong = await gated(wrongId);
  expect(wrong.state === 'rejected', 'a listing contradicting the APK is rejected', wrong);
  log(`submission contradicting the APK rejected with ${wrong.reasons?.length ?? 0} reasons`);
  const rightId = await submission({ elements, resubmissionOf: wrongId });
  const right = await gated(rightId);
  expect(right.state === 'listed', 'the corrected resubmission is listed', right);
  log('resubmission passed the gate and is listed');
  const listed = await call(null, 'GET', '/api/v1/public/listings');
  const item = listed.json.items.find((i) => i.packageName === 'io.appium.android.apis');
  expect(item, 'the app is on the public disclosure', listed.json);
  log(`public disclosure lists ${item.packageName} with ${item.sdks.length} SDKs`);

  // --- Regulator -----------------------------------------------------------------------------
  const campaign = await call(token.regulator, 'POST', '/api/v1/regulator/campaigns', {
    name: 'e2e 专项检测',
    selection: { storeIds: [storeId] },
  });
  expect(campaign.status === 201 && campaign.json.selected >= 1, 'regulator starts a campaign over the store', campaign.json);
  const cid = campaign.json.id;
  // The jobs finish, then the dispatcher hands their results to the campaign: wait for the triage list.
  const findings = await until('the campaign findings to triage', async () => {
    const items = (await call(token.regulator, 'GET', `/api/v1/regulator/campaigns/${cid}/findings?state=new`)).json?.items;
    return items?.length ? items : undefined;
  });
  log(`campaign over ${campaign.json.selected} listed app(s) done: ${findings.length} findings to triage`);
  const chosen = findings.slice(0, 3);
  for (const f of chosen) {
    const t = await call(token.regulator, 'POST', `/api/v1/regulator/findings/${f.id}/triage`, { decision: 'confirm' });
    expect(t.status === 200, 'triage confirms a finding', t.json);
  }
  const bulletin = await call(token.regulator, 'POST', '/api/v1/regulator/bulletins', {
    title: "Apps infringing users' rights (e2e)",
    titleZh: '侵害用户权益行为的APP通报（端到端）',
    measure: '按工信部信管函〔2023〕26号整改 / rectify under the 2023 notice',
    legalBasis: '工信部信管函〔2023〕26号',
    findings: chosen.map((f) => f.id),
    deadline: { workingDays: 5 },
  });
  expect(bulletin.status === 201, 'regulator drafts a bulletin from confirmed findings', bulletin.json);
  const bid = bulletin.json.id;
  const published = await call(token.regulator, 'POST', `/api/v1/regulator/bulletins/${bid}/publish`, {});
  expect(published.status === 200 && published.json.dueDate, 'regulator publishes the bulletin', published.json);
  const publicBulletins = await call(null, 'GET', '/api/v1/public/bulletins');
  expect(
    publicBulletins.json.items.some((b) => b.id === bid),
    'the bulletin is public',
    publicBulletins.json,
  );
  log(`bulletin published, due ${published.json.dueDate} (5 working days${published.json.provisional ? ', provisional' : ''})`);

  // The developer does not rectify; the deadline passes (the test clock jumps past it).
  const due = published.json.dueDate;
  const after = new Date(Date.parse(`${due}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
  clock.jumpTo(after);
  const escalated = await until('the automatic re-test to escalate the bulletin', async () => {
    const b = (await call(token.regulator, 'GET', `/api/v1/regulator/bulletins/${bid}`)).json;
    return b?.items?.every((i) => i.state === 'escalated' || i.state === 'closed') ? b : undefined;
  });
  expect(
    escalated.items.some((i) => i.state === 'escalated'),
    'the re-test still finds the issues: escalated',
    escalated,
  );
  log(`clock moved to ${after}: the automatic re-test still finds the issues, the item is escalated`);
  const orders = (await call(token.regulator, 'GET', '/api/v1/regulator/removal-orders')).json.items;
  expect(orders.length >= 1, 'a removal order is issued', orders);
  const tasks = await until('the delisting task of the store', async () => {
    const t = (await call(token['store-admin'], 'GET', '/api/v1/delisting-tasks?state=open')).json;
    return t?.items?.length ? t.items : undefined;
  });
  const done = await call(token['store-admin'], 'POST', `/api/v1/delisting-tasks/${tasks[0].id}/done`, {});
  expect(done.status === 200, 'the store admin delists the app', done.json);
  const gone = await call(null, 'GET', `/api/v1/public/listings/${item.id}`);
  expect(gone.status === 404, 'the delisted app leaves the public disclosure', gone.status);
  log('removal order issued; the store delisted the app; it left the public disclosure');

  // --- Stop-access feed -----------------------------------------------------------------------
  const key = (await call(null, 'GET', '/api/v1/stop-access/public-key')).json;
  const { feed, entry } = await until('the removal order in the stop-access feed', async () => {
    const page = await call(token['access-provider'], 'GET', '/api/v1/stop-access/feed?since=0');
    const found = (page.json?.entries ?? []).find((e) => JSON.stringify(e).includes('io.appium.android.apis'));
    return found ? { feed: page, entry: found } : undefined;
  });
  const signature = feed.headers.get('signature') ?? '';
  const good = verify(
    null,
    Buffer.from(feed.text),
    createPublicKey(key.publicKeyPem),
    Buffer.from(signature.replace(/^ed25519=/, ''), 'base64'),
  );
  expect(good && feed.headers.get('signature-key-id') === key.keyId, 'the feed page verifies with the published key', { signature });
  const ack = await call(token['access-provider'], 'POST', '/api/v1/stop-access/acks', { seqs: [entry.seq] });
  expect(ack.status === 200, 'the provider acknowledges', ack.json);
  log(`stop-access feed entry ${entry.seq} verified with key ${key.keyId} and acknowledged`);
} catch (error) {
  failed = true;
  console.error(`\nFAILED at step ${step + 1}: ${error instanceof StepFailed ? error.message : error?.stack}`);
} finally {
  await running.close();
  policyServer.close();
  rmSync(data, { recursive: true, force: true });
}
console.log(failed ? 'e2e:workflows failed' : `e2e:workflows passed: ${step} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
