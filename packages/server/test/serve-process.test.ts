// The server process killed at the worst moments (issue 13, "Bad input and faults"): right after it
// answered 201/202, and in the middle of an upload. What was acknowledged must be there after a
// restart and run once; what was not must leave no row, and its partial file goes at the next start.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bothDatabases, type DatabaseUnderTest } from './support/databases.js';
import { defaultConfig, type ServerConfig } from '../src/config.js';
import { adminCreateUser } from '../src/serve.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const APK = join(root, 'node_modules/io.appium.settings/apks/settings_apk-debug.apk');

function configFor(under: DatabaseUnderTest): ServerConfig {
  return defaultConfig({
    dataDir: under.dataDir,
    port: 0,
    ...(under.url ? { databaseUrl: under.url } : {}),
    workers: { concurrency: 1, memoryLimitMb: 1024, jobTimeoutMs: 120_000, recycleAfterJobs: 100, leaseMs: 3_000 },
    retryBackoffMs: 200,
  });
}

/** The fields of the API's answers these tests read. */
interface JobJson {
  id: string;
  state: string;
}

interface Serve {
  url: string;
  child: ChildProcess;
}

async function serve(config: ServerConfig): Promise<Serve> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'support/serve-process.ts')], {
    env: { ...process.env, APPRIGHTS_TEST_SERVE: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group, so a kill takes the worker children with it, as a machine crash would.
    detached: true,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening`)));
  });
  return { url, child };
}

function killGroup(s: Serve): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    process.kill(-s.child.pid!, 'SIGKILL');
  });
}

async function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: JobJson }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as JobJson };
}

bothDatabases(
  'SIGKILL right after 202: after a restart the job is there and runs once',
  async (_t, under) => {
    if (under.dialect === 'postgres') {
      // Scale-out is migrated by `apprights migrate`; the test does what an operator would.
      const store = await under.open();
      await store.close();
    }
    const config = configFor(under);
    const { token } = await adminCreateUser(config, { org: 'crash', role: 'developer', token: true });
    let s = await serve(config);
    try {
      const upload = await fetch(`${s.url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.android.package-archive' },
        body: readFileSync(APK),
      });
      assert.equal(upload.status, 201);
      const uploadId = ((await upload.json()) as { id: string }).id;
      const submitted = await call(s.url, token!, 'POST', '/api/v1/scans', { upload: uploadId });
      assert.equal(submitted.status, 202);
      await killGroup(s);
      s = await serve(config);
      let job: JobJson | undefined;
      for (let i = 0; i < 600; i++) {
        job = (await call(s.url, token!, 'GET', `/api/v1/jobs/${submitted.json.id}`)).json;
        if (['succeeded', 'failed', 'dead', 'cancelled'].includes(job.state)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(job?.state, 'succeeded', JSON.stringify(job));
      const store = await under.open();
      const reports = await store.db.selectFrom('reports').select('id').where('job_id', '=', submitted.json.id).execute();
      assert.equal(reports.length, 1, 'one report for the job');
      const uploads = await store.db.selectFrom('uploads').select('id').execute();
      assert.equal(uploads.length, 1, 'the acknowledged upload survived');
    } finally {
      await killGroup(s);
    }
  },
  { timeout: 180_000 },
);

bothDatabases(
  'SIGKILL during an upload: no row, and the partial file goes at the next start (embedded)',
  async (_t, under) => {
    if (under.dialect === 'postgres') {
      const store = await under.open();
      await store.close();
    }
    const config = configFor(under);
    const { token } = await adminCreateUser(config, { org: 'crash', role: 'developer', token: true });
    let s = await serve(config);
    const tmp = join(under.dataDir, 'blobs', 'tmp');
    try {
      // Half a body, then silence: the server is receiving when it dies.
      const target = new URL('/api/v1/packages', s.url);
      const req = request(target, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(8 << 20) },
      });
      req.on('error', () => {});
      req.write(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc((2 << 20) - 4)]));
      for (let i = 0; i < 100 && readdirSync(tmp).filter((n) => n.endsWith('.part')).length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(readdirSync(tmp).filter((n) => n.endsWith('.part')).length, 1, 'the upload is being written');
      await killGroup(s);
      req.destroy();
      const store = await under.open();
      assert.equal((await store.db.selectFrom('uploads').select('id').execute()).length, 0, 'no upload row');
      assert.equal((await store.db.selectFrom('blobs').select('sha256').execute()).length, 0, 'no blob row');
      s = await serve(config);
      const left = readdirSync(tmp).filter((n) => n.endsWith('.part')).length;
      // Embedded: removed at start. On a shared mount (scale-out) only files older than an hour go,
      // since another node may be receiving that upload right now.
      assert.equal(left, under.dialect === 'sqlite' ? 0 : 1);
    } finally {
      await killGroup(s);
    }
  },
  { timeout: 120_000 },
);
