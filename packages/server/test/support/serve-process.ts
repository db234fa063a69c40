// `apprights serve` as its own process for crash tests: starts the server on the settings in
// APPRIGHTS_TEST_SERVE (JSON ServerConfig), prints {"url": …} on stdout when it listens, and stops on
// SIGTERM. Tests SIGKILL it to see what survives.
import { startServer } from '../../src/serve.js';
import type { ServerConfig } from '../../src/config.js';

const config = JSON.parse(process.env.APPRIGHTS_TEST_SERVE ?? '{}') as ServerConfig;
const running = await startServer(config);
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
