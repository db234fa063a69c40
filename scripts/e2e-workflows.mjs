#!/usr/bin/env node
// npm run e2e:workflows: the workflows end to end over HTTP, against the real `apprights serve --demo`
// (embedded SQLite in a fresh folder; APPRIGHTS_DATABASE_URL=postgres://… runs it on PostgreSQL,
// with `apprights migrate` first). One actor after another, each with the demo account's token:
//
//   developer identity → store admin verifies → developer uploads ApiDemos and submits a listing that
//   contradicts the APK → the gate rejects it with reasons → resubmission → listed → public disclosure
//   → regulator: campaign over the store's apps → bulletin with a deadline → the deadline passes →
//   automatic re-test fails → removal order → delisting task and stop-access order → the access
//   provider reads the feed, verifies its Ed25519 signature with the published key and acknowledges.
//
// The server's clock is the system clock, so the deadline cannot pass by waiting: the script asks
// for a bulletin whose deadline is today's date counted zero working days on, then lets the regulator
// run the re-test that the scheduler would start after it (POST …/retest, the same function).
// Exit 0 when every step answered as expected; 1 with the step and the answer otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/apprights.js');
const APK = join(root, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk');
const data = mkdtempSync(join(tmpdir(), 'apprights-e2e-'));
const port = 18_000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const started = Date.now();

const POLICY = `隐私政策

本政策适用于 API Demos 应用，运营者为演示科技有限公司。
一、我们收集的个人信息：为实现通讯录演示功能，经您同意后我们读取您的通讯录；为实现定位演示，我们收集您的粗略位置信息。
二、第三方SDK：本应用未集成收集个人信息的第三方SDK。
三、您的权利：您可以查阅、更正、删除您的个人信息，或撤回同意。
四、联系我们：privacy@example.com，我们将在15个工作日内答复。`;

const PERMISSIONS = [
  'android.permission.READ_CONTACTS',
  'android.permission.WRITE_CONTACTS',
  'android.permission.ACCESS_COARSE_LOCATION',
  'android.permission.WRITE_EXTERNAL_STORAGE',
  'android.permission.SEND_SMS',
  'android.permission.RECEIVE_SMS',
  'android.permission.POST_NOTIFICATIONS',
  'android.permission.RECORD_AUDIO',
  'android.permission.CAMERA',
].map((name) => ({ name, purpose: '演示对应的系统接口 / demonstrates the API' }));

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

if (process.env.APPRIGHTS_DATABASE_URL) {
  const migrated = spawnSync(process.execPath, [cli, 'migrate'], { encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`apprights migrate: ${migrated.stderr}`);
}
const server = spawn(
  process.execPath,
  [cli, 'serve', '--data', data, '--port', String(port), '--demo', '--allow-private-fetch', '--concurrency', '1'],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let stdout = '';
let stderr = '';
server.stdout.on('data', (chunk) => (stdout += chunk));
server.stderr.on('data', (chunk) => (stderr += chunk));
const exited = new Promise((resolve) => server.on('exit', resolve));

let failed = false;
try {
  const demo = await until(
    'the demo accounts on standard output',
    () => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      return line ? JSON.parse(line) : undefined;
    },
    60_000,
  );
  const token = Object.fromEntries(demo.accounts.map((a) => [a.role, a.token]));
  await until(
    'the server to answer',
    async () => (await call(null, 'GET', '/health/ready').catch(() => ({ status: 0 }))).status === 200,
    30_000,
  );
  log(`apprights serve --demo on ${base}: ${demo.accounts.length} accounts`);

  // --- Store gatekeeping ---------------------------------------------------------------------
  const me = await call(token['store-admin'], 'GET', '/api/v1/sessions/current');
  const storeId = me.json.organisation.id;
  const profile = await call(token.developer, 'POST', '/api/v1/store/developer', {
    enterpriseName: '演示科技有限公司',
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
    developer: '演示科技有限公司',
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

  // --- Stop-access feed -----------------------------------------------------------------------
  const order = await call(token.regulator, 'POST', '/api/v1/stop-access/orders', {
    packageNames: ['io.appium.android.apis'],
    legalBasis: '《网络安全法》第六十八条；演示 / demonstration',
    validUntil: new Date(Date.now() + 90 * 86_400_000).toISOString(),
  });
  expect(order.status === 201, 'regulator issues a stop-access order', order.json);
  const key = (await call(null, 'GET', '/api/v1/stop-access/public-key')).json;
  const feed = await call(token['access-provider'], 'GET', '/api/v1/stop-access/feed?since=0');
  expect(feed.status === 200, 'the provider reads the feed', feed.text);
  const signature = feed.headers.get('signature') ?? '';
  const good = verify(
    null,
    Buffer.from(feed.text),
    createPublicKey(key.publicKeyPem),
    Buffer.from(signature.replace(/^ed25519=/, ''), 'base64'),
  );
  expect(good && feed.headers.get('signature-key-id') === key.keyId, 'the feed page verifies with the published key', { signature });
  const entries = feed.json.items ?? feed.json.entries ?? [];
  const entry = entries.find((e) => (e.order?.packageNames ?? e.packageNames ?? []).includes('io.appium.android.apis'));
  expect(entry, 'the order is in the feed', feed.json);
  const ack = await call(token['access-provider'], 'POST', '/api/v1/stop-access/acks', { seqs: [entry.seq] });
  expect(ack.status === 200, 'the provider acknowledges', ack.json);
  log(`stop-access feed entry ${entry.seq} verified with key ${key.keyId} and acknowledged`);
} catch (error) {
  failed = true;
  console.error(`\nFAILED at step ${step + 1}: ${error instanceof StepFailed ? error.message : error?.stack}`);
  console.error(`server stderr (last 2,000 characters):\n${stderr.slice(-2000)}`);
} finally {
  server.kill('SIGTERM');
  await exited;
  policyServer.close();
  rmSync(data, { recursive: true, force: true });
}
console.log(failed ? 'e2e:workflows failed' : `e2e:workflows passed: ${step} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
