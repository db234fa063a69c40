// Faults across processes: a worker process frozen (SIGSTOP) past its lease and then resumed cannot
// write a second result; a running job is cancelled; fetch-policy refuses private addresses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { bothDatabases } from './support/databases.js';
import { addOrg, APKS, storeApk, testConfig, testPlatform, waitFor, waitForState } from './support/jobs.js';
import { startWorkers } from '../src/jobs/index.js';
import { isPrivateAddress, safeFetch } from '../src/jobs/fetch.js';

const workerScript = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));

bothDatabases(
  'a worker frozen past its lease and resumed cannot write a second result',
  async (_t, under) => {
    const hold = join(under.dataDir, 'hold');
    mkdirSync(hold);
    const config = testConfig(under, { workers: { leaseMs: 1500 } as never });
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      env: { ...process.env, APPRIGHTS_TEST_WORKER: JSON.stringify(config), APPRIGHTS_TEST_HOLD_DIR: hold },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events: { type: string; jobId?: string }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line)));
    const p = await testPlatform(under, { config: { workers: { leaseMs: 1500 } as never } });
    let other: Awaited<ReturnType<typeof startWorkers>> | undefined;
    try {
      await waitFor('the worker process to start', () => events.some((e) => e.type === 'ready'), 60_000);
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.settings);
      const job = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      await waitFor('worker A to hold the job', () => existsSync(join(hold, `held-${job.id}-1`)), 60_000);
      // Freeze worker A (the process holding the lease); its child is left holding the job.
      child.kill('SIGSTOP');
      writeFileSync(join(hold, 'release'), '');
      // Worker B (this process, no hold) sweeps the expired lease, takes the job and finishes it.
      other = await startWorkers(p, { concurrency: 1, sweepMs: 300 });
      const done = await waitForState(p.store, job.id, ['succeeded', 'failed', 'dead'], 90_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      assert.equal(done.attempts, 2);
      // A resumes: its child's result arrives and it tries to complete under the lease it lost.
      child.kill('SIGCONT');
      await waitFor('worker A to notice the lost lease', () => events.some((e) => e.type === 'lease-lost' && e.jobId === job.id), 30_000);
      const reports = await p.store.db.selectFrom('reports').select('id').where('job_id', '=', job.id).execute();
      assert.equal(reports.length, 1, 'one result');
      const attempts = await p.store.db
        .selectFrom('job_attempts')
        .select(['attempt', 'outcome'])
        .where('job_id', '=', job.id)
        .orderBy('attempt')
        .execute();
      assert.deepEqual(attempts, [
        { attempt: 1, outcome: 'lost' },
        { attempt: 2, outcome: 'succeeded' },
      ]);
      assert.equal((await p.store.db.selectFrom('outbox').select('id').where('topic', '=', 'job.succeeded').execute()).length, 1);
    } finally {
      const exited =
        child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      await other?.stop();
      await p.close();
    }
  },
  { timeout: 180_000 },
);

bothDatabases(
  'a running job is cancelled: the worker aborts the engine',
  async (_t, under) => {
    const hold = join(under.dataDir, 'hold');
    mkdirSync(hold);
    const p = await testPlatform(under, { config: { workers: { leaseMs: 900 } as never } });
    const workers = await startWorkers(p, { concurrency: 1, childEnv: { ...process.env, APPRIGHTS_TEST_HOLD_DIR: hold } });
    try {
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.settings);
      const job = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      await waitFor('the job to be held', () => existsSync(join(hold, `held-${job.id}-1`)), 60_000);
      assert.equal(await p.queue.cancel(job.id), 'requested');
      const done = await waitForState(p.store, job.id, ['succeeded', 'failed', 'dead', 'cancelled'], 30_000);
      assert.equal(done.state, 'cancelled');
      assert.equal((await p.store.db.selectFrom('reports').select('id').where('job_id', '=', job.id).execute()).length, 0);
    } finally {
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 120_000 },
);

async function policyServer(): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/policy') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<html><body><h1>隐私政策</h1><h2>我们收集的信息</h2><p>我们会收集您的设备标识符（IMEI）和位置信息，用于提供服务。</p><h2>联系我们</h2><p>privacy@example.com</p></body></html>',
      );
    } else if (request.url === '/to-metadata') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    } else if (request.url === '/to-other-loopback') {
      response.writeHead(302, { location: `http://127.0.0.2:${(server.address() as { port: number }).port}/policy` });
      response.end();
    } else if (request.url === '/huge') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(Buffer.alloc(64 * 1024, 'a'));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

bothDatabases(
  'fetch-policy: loopback refused unless allowed; an allowed URL is analysed into a policy report',
  async (_t, under) => {
    const { server, base } = await policyServer();
    const strict = await testPlatform(under);
    const workers = await startWorkers(strict, { concurrency: 1 });
    try {
      const org = await addOrg(strict.store);
      const refused = await strict.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: `${base}/policy` } });
      const dead = await waitForState(strict.store, refused.id, ['succeeded', 'failed', 'dead'], 60_000);
      assert.equal(dead.state, 'dead');
      assert.equal(dead.error_code, 'fetch-private-address');
      assert.match(dead.error_message ?? '', /127\.0\.0\.1.*内网/);
      assert.equal(dead.attempts, 1);
    } finally {
      await workers.stop();
      await strict.close();
    }
    const open = { ...strict, config: { ...strict.config, allowPrivateFetch: true, fetchMaxBytes: 16 * 1024 } };
    const allowed = await startWorkers(open, { concurrency: 1 });
    try {
      const org = await addOrg(strict.store);
      const ok = await strict.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: `${base}/policy` } });
      const done = await waitForState(strict.store, ok.id, ['succeeded', 'failed', 'dead'], 60_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      const report = await strict.store.db.selectFrom('reports').selectAll().where('job_id', '=', ok.id).executeTakeFirstOrThrow();
      assert.equal(report.kind, 'policy');
      assert.ok(JSON.parse(report.body).sections.length > 0);
      const huge = await strict.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: `${base}/huge` } });
      assert.equal((await waitForState(strict.store, huge.id, ['succeeded', 'failed', 'dead'], 60_000)).error_code, 'fetch-too-large');
    } finally {
      await allowed.stop();
      await strict.close();
      server.close();
    }
  },
  { timeout: 120_000 },
);

test('fetch: every redirect is checked again; private, link-local and mapped addresses are recognised', async () => {
  const { server, base } = await policyServer();
  try {
    const onlyThis = { allowPrivate: false, allowAddress: (a: string) => a === '127.0.0.1', timeoutMs: 5000, maxBytes: 1 << 20 };
    assert.ok((await safeFetch(`${base}/policy`, onlyThis)).bytes.length > 0);
    await assert.rejects(safeFetch(`${base}/to-metadata`, onlyThis), /169\.254\.169\.254.*refused/);
    await assert.rejects(safeFetch(`${base}/to-other-loopback`, onlyThis), /127\.0\.0\.2.*refused/);
    await assert.rejects(safeFetch('file:///etc/passwd', onlyThis), /not fetched/);
    await assert.rejects(safeFetch('http://localhost:1/', { ...onlyThis, allowAddress: undefined }), /resolves to (127\.0\.0\.1|::1)/);
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ])
      assert.equal(isPrivateAddress(address), true, address);
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      assert.equal(isPrivateAddress(address), false, address);
  } finally {
    server.close();
  }
});
