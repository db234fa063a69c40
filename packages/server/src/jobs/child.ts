// A warm worker: a long-lived child process (forked by pool.ts) that loads the engine and the
// knowledge snapshot once and then runs one task at a time, answering over IPC. It touches no
// database and writes no file: the parent writes results under its lease, so killing this process
// at any moment (memory cap, wall clock, a test's SIGKILL) loses only the attempt.
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  AbortError,
  EngineError,
  READERS_VERSION,
  checkPolicy,
  diffPackages,
  rerunRules,
  scanPackage,
  type ScanFacts,
} from '@apprights/engine';
import { loadKnowledge, type KnowledgeSnapshot } from '@apprights/knowledge';
import type { ChildError, FindingRow, FromChild, JobOutput, Task, ToChild } from './protocol.js';
import { FetchHttpError, FetchRefused, safeFetch } from './fetch.js';

const knowledge: KnowledgeSnapshot = loadKnowledge();
// Reports name the program that made them (SARIF's tool.driver.version, the JSON's tool field).
const toolVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
const running = new Map<string, AbortController>();

function send(message: FromChild): void {
  // The parent may be gone (stopped while this child was starting): nothing to answer to.
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

process.on('message', (message: ToChild) => {
  if (message.type === 'abort') {
    running.get(message.jobId)?.abort(new Error('cancelled'));
    return;
  }
  if (message.type === 'run') void handle(message.task);
});
// The parent gone (killed): nothing to answer to.
process.on('disconnect', () => process.exit(0));

async function handle(task: Task): Promise<void> {
  const controller = new AbortController();
  running.set(task.jobId, controller);
  try {
    await testHold(task, controller.signal);
    const output = await run(task, controller.signal);
    send({ type: 'result', jobId: task.jobId, output });
  } catch (error) {
    send({ type: 'error', jobId: task.jobId, error: classify(error) });
  } finally {
    running.delete(task.jobId);
  }
}

/**
 * Test-only hook: with APPRIGHTS_TEST_HOLD_DIR set, a task announces itself with a file
 * (`held-<job>-<attempt>` holding this pid) and waits until `release` appears in that folder, so a
 * test can SIGKILL or SIGSTOP a worker in the middle of a job. Never set outside tests.
 */
async function testHold(task: Task, signal: AbortSignal): Promise<void> {
  const dir = process.env.APPRIGHTS_TEST_HOLD_DIR;
  if (!dir) return;
  writeFileSync(join(dir, `held-${task.jobId}-${task.attempt}`), String(process.pid));
  while (!existsSync(join(dir, 'release'))) {
    if (signal.aborted) throw new AbortError(signal.reason);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function run(task: Task, signal: AbortSignal): Promise<JobOutput> {
  const onProgress = (stage: string, done?: number, total?: number) =>
    send({
      type: 'progress',
      jobId: task.jobId,
      stage,
      ...(done !== undefined ? { done } : {}),
      ...(total !== undefined ? { total } : {}),
    });
  switch (task.kind) {
    case 'scan': {
      // No signal for the engine here: given one, scanPackage reads the package in a fresh worker
      // thread that an abort can terminate, and starting that thread (loading the engine again)
      // made each warm scan about 4x slower (0.5 s → 2.1 s for ApiDemos, measured). This process is
      // already the unit an abort stops: the pool kills it after a short grace (pool.abort).
      const report = await scanPackage(task.file, {
        knowledge,
        toolVersion,
        onProgress,
        name: task.name,
        ...(task.appType !== undefined ? { appType: task.appType } : {}),
        ...(task.storeListing !== undefined ? { storeListing: task.storeListing } : {}),
        ...(task.policy !== undefined ? { policy: task.policy as never } : {}),
      });
      const { facts, ...body } = report;
      const app = report.app;
      return {
        reportKind: 'scan',
        body: JSON.stringify(body),
        facts: facts ? JSON.stringify(facts) : null,
        summary: summarise(report.findings, report.coverage),
        findings: findingRows(report.findings),
        ...(app.package
          ? {
              app: {
                packageName: app.package,
                versionCode: app.versionCode === null ? null : String(app.versionCode),
                versionName: app.versionName,
                signerSha256: report.signatures?.certificates[0]?.sha256 ?? null,
              },
            }
          : {}),
        knowledge: { id: knowledge.id, versions: knowledge.versions },
        ...(facts?.packagePrefixes ? { packagePrefixes: { readers: READERS_VERSION, ...facts.packagePrefixes } } : {}),
      };
    }
    case 'rerun-rules': {
      let facts: ScanFacts;
      try {
        facts = JSON.parse(task.facts) as ScanFacts;
      } catch {
        throw new FetchRefused('facts', 'the stored facts are not JSON', '存储的事实数据不是 JSON');
      }
      const result = rerunRules(facts, { knowledge, toolVersion });
      const app = facts.package.app;
      return {
        reportKind: 'rerun',
        body: JSON.stringify({
          kind: 'rerun',
          sourceReportId: task.sourceReportId,
          knowledge: { id: knowledge.id, versions: knowledge.versions },
          app,
          rules: result.rules,
          findings: result.findings,
          coverage: result.coverage,
        }),
        facts: null,
        summary: summarise(result.findings, result.coverage),
        findings: findingRows(result.findings),
        knowledge: { id: knowledge.id, versions: knowledge.versions },
        ...(app?.package
          ? {
              app: {
                packageName: app.package,
                versionCode: app.versionCode === null ? null : String(app.versionCode),
                versionName: app.versionName,
                signerSha256: facts.package.signatures?.certificates[0]?.sha256 ?? null,
              },
            }
          : {}),
      };
    }
    case 'fetch-policy': {
      onProgress('policy-fetch');
      const fetched = await safeFetch(task.url, {
        allowPrivate: task.allowPrivate,
        timeoutMs: task.timeoutMs,
        maxBytes: task.maxBytes,
        signal,
      });
      const text = decode(fetched.bytes, fetched.contentType);
      const mime = fetched.contentType?.split(';')[0]?.trim().toLowerCase();
      const format = mime === 'text/markdown' || mime === 'text/x-markdown' ? 'markdown' : mime === 'text/plain' ? 'text' : 'html';
      const report = await checkPolicy({ text, name: fetched.url, format }, { knowledge, toolVersion, signal, onProgress });
      return {
        reportKind: 'policy',
        body: JSON.stringify(report),
        facts: null,
        summary: { ...report.summary },
        findings: findingRows(report.findings),
        knowledge: { id: knowledge.id, versions: knowledge.versions },
      };
    }
    case 'diff': {
      const diff = await diffPackages(task.oldFile, task.newFile, { knowledge, toolVersion, onProgress }); // no signal: see scan
      return {
        reportKind: 'diff',
        body: JSON.stringify(diff),
        facts: null,
        summary: { ...(diff as unknown as { summary?: Record<string, unknown> }).summary },
        findings: [],
        knowledge: { id: knowledge.id, versions: knowledge.versions },
      };
    }
  }
}

/** The response's charset when it names one the runtime decodes (GBK, GB18030, Big5 …), else UTF-8. */
function decode(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

interface FindingLike {
  fingerprint: string;
  ruleId: string;
  severity: string;
  measures: string[];
  suppressed?: unknown;
}

function findingRows(findings: readonly FindingLike[]): FindingRow[] {
  const seen = new Set<string>();
  const rows: FindingRow[] = [];
  for (const f of findings) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    rows.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, measures: f.measures });
  }
  return rows;
}

/** Counts for lists: unsuppressed findings by severity, suppressed, and measures by coverage status. */
function summarise(findings: readonly FindingLike[], coverage: readonly { status: string }[]): Record<string, unknown> {
  const bySeverity: Record<string, number> = {};
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  }
  const byStatus: Record<string, number> = {};
  for (const c of coverage) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return { findings: bySeverity, suppressed, coverage: byStatus };
}

function classify(error: unknown): ChildError {
  if (error instanceof AbortError) return { class: 'cancelled', code: 'cancelled', message: 'cancelled / 已取消' };
  if (error instanceof EngineError) {
    // Input and limit errors alike: the same input fails the same way on every attempt.
    const zh = error.text.zh !== error.text.en ? ` / ${error.text.zh}` : '';
    return { class: 'input', code: error.code, message: `${error.text.en}${zh}` };
  }
  if (error instanceof FetchRefused) {
    return { class: 'input', code: error.code, message: `${error.message} / ${error.zh}` };
  }
  if (error instanceof FetchHttpError) {
    // A 4xx is the address's fault; a 5xx or a network error may pass, so it is retried.
    return { class: error.status < 500 ? 'input' : 'crashed', code: 'fetch-http', message: error.message };
  }
  const e = error as { code?: unknown; message?: unknown };
  return { class: 'crashed', code: typeof e?.code === 'string' ? e.code : 'internal', message: String(e?.message ?? error) };
}

send({ type: 'ready', pid: process.pid });
