// A separate worker process (`apprights worker`) for fault tests: runs the job workers on the
// database named by APPRIGHTS_TEST_WORKER (JSON: the ServerConfig) and prints one JSON line per
// event on stdout, so a test can stop, freeze and resume it and see what it did.
import { migrateDatabase, startWorkerNode } from '../../src/serve.js';
import type { ServerConfig } from '../../src/config.js';

const config = JSON.parse(process.env.APPRIGHTS_TEST_WORKER ?? '{}') as ServerConfig;
// As an operator runs `apprights migrate` before the workers (the test may open the database later).
await migrateDatabase(config);
const handle = await startWorkerNode(config, {
  concurrency: config.workers.concurrency,
  onEvent: (event) => {
    const { type } = event;
    const detail = 'jobId' in event ? { jobId: event.jobId } : { error: String((event as { error?: unknown }).error) };
    process.stdout.write(`${JSON.stringify({ type, ...detail })}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ type: 'ready', pids: handle.workers.childPids() })}\n`);
// As `apprights worker` does: a signal stops taking jobs and hands running ones back.
const stop = () => void handle.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
