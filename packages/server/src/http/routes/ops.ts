import { sql } from 'kysely';
import type { Api, AppContext } from '../context.js';
import { problem } from '../problems.js';

// Probes and counters, outside /api/v1: an orchestrator's liveness probe (the process answers),
// readiness probe (the database answers), and Prometheus' scrape.

export function opsRoutes(api: Api, { platform, metrics }: AppContext): void {
  api.get('/health/live', { schema: { tags: ['operations'], summary: 'The process answers', security: [] } }, async () => ({
    status: 'ok',
  }));

  api.get(
    '/health/ready',
    { schema: { tags: ['operations'], summary: 'The database answers (503 + Retry-After when not)', security: [] } },
    async () => {
      try {
        await sql`select 1`.execute(platform.store.db);
      } catch (error) {
        throw problem('unavailable', `the database does not answer: ${(error as Error).message}`.slice(0, 300), { retryAfterSeconds: 5 });
      }
      return { status: 'ok', database: platform.store.dialect, queue: platform.queue.name };
    },
  );

  api.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus text exposition', security: [] } },
    async (_request, reply) => {
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render(platform));
    },
  );
}
