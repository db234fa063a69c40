import { JOB_STATES } from '../db/schema.js';
import type { Platform } from '../platform.js';

// Prometheus text exposition (version 0.0.4), written by hand: a handful of counters do not need a
// client library. Request counters are per process; job counts are read from the jobs table at
// scrape time, so every server node reports the same queue.

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { sum: number; count: number }>();
  readonly counters = {
    uploadBytes: 0,
    uploads: 0,
    loginFailures: 0,
    loginLocked: 0,
    rateLimited: 0,
    publicCacheHits: 0,
    publicCacheStale: 0,
    publicCacheMisses: 0,
  };

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\0${route}\0${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const dkey = `${method}\0${route}`;
    const d = this.durations.get(dkey) ?? { sum: 0, count: 0 };
    d.sum += seconds;
    d.count += 1;
    this.durations.set(dkey, d);
  }

  async render(platform: Platform): Promise<string> {
    const lines: string[] = [];
    lines.push('# HELP apprights_http_requests_total HTTP requests answered, by method, route and status.');
    lines.push('# TYPE apprights_http_requests_total counter');
    for (const [key, value] of this.requests) {
      const [method, route, status] = key.split('\0');
      lines.push(`apprights_http_requests_total{method="${label(method!)}",route="${label(route!)}",status="${status}"} ${value}`);
    }
    lines.push('# HELP apprights_http_request_duration_seconds Time to answer, by method and route.');
    lines.push('# TYPE apprights_http_request_duration_seconds summary');
    for (const [key, d] of this.durations) {
      const [method, route] = key.split('\0');
      const labels = `method="${label(method!)}",route="${label(route!)}"`;
      lines.push(`apprights_http_request_duration_seconds_sum{${labels}} ${d.sum.toFixed(6)}`);
      lines.push(`apprights_http_request_duration_seconds_count{${labels}} ${d.count}`);
    }
    const counters: [string, string, number][] = [
      ['apprights_uploads_total', 'Packages stored through the API.', this.counters.uploads],
      ['apprights_upload_bytes_total', 'Bytes of packages stored through the API.', this.counters.uploadBytes],
      ['apprights_login_failures_total', 'Failed logins.', this.counters.loginFailures],
      ['apprights_login_locked_total', 'Logins refused for too many failures.', this.counters.loginLocked],
      ['apprights_rate_limited_total', 'Requests refused by the rate limit.', this.counters.rateLimited],
      ['apprights_public_cache_hits_total', 'Public pages and answers sent fresh from the micro-cache.', this.counters.publicCacheHits],
      [
        'apprights_public_cache_stale_total',
        'Public pages and answers sent from the micro-cache past their freshness while rebuilt.',
        this.counters.publicCacheStale,
      ],
      [
        'apprights_public_cache_misses_total',
        'Public pages and answers built (or awaited while built) for the micro-cache.',
        this.counters.publicCacheMisses,
      ],
    ];
    for (const [name, help, value] of counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    }
    lines.push('# HELP apprights_jobs Jobs in the store, by kind and state.');
    lines.push('# TYPE apprights_jobs gauge');
    const rows = await platform.store.db
      .selectFrom('jobs')
      .select((eb) => ['kind', 'state', eb.fn.countAll<string | number>().as('n')])
      .groupBy(['kind', 'state'])
      .execute();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.state);
      lines.push(`apprights_jobs{kind="${label(row.kind)}",state="${label(row.state)}"} ${Number(row.n)}`);
    }
    // Every state appears (as 0) so a dashboard's query does not see a missing series.
    for (const state of JOB_STATES) if (!seen.has(state)) lines.push(`apprights_jobs{kind="all",state="${state}"} 0`);
    const memory = process.memoryUsage();
    lines.push('# HELP apprights_process_resident_memory_bytes Resident set size of this server process.');
    lines.push('# TYPE apprights_process_resident_memory_bytes gauge');
    lines.push(`apprights_process_resident_memory_bytes ${memory.rss}`);
    return `${lines.join('\n')}\n`;
  }
}
