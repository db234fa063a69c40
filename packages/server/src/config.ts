// The platform's settings: one object built from defaults, environment and command-line flags
// (the CLI's serve/worker commands fill it). Every limit lives here so docs/platform.md can list
// them in one table.

export interface ServerConfig {
  /** Embedded mode's folder: apprights.db, blobs/. In scale-out, blobs/ only (a shared mount). */
  dataDir: string;
  /** APPRIGHTS_DATABASE_URL: postgres://… selects PostgreSQL and pg-boss. */
  databaseUrl?: string;
  /** APPRIGHTS_REDIS_URL: optional; shared rate-limit counters across server nodes. */
  redisUrl?: string;
  host: string;
  port: number;
  /** Upload cap (bytes), enforced while streaming. */
  maxUploadBytes: number;
  /** JSON request body cap (bytes). */
  maxJsonBytes: number;
  workers: WorkerConfig;
  /** fetch-policy: allow private, loopback and link-local addresses (tests, intranets). */
  allowPrivateFetch: boolean;
  /** fetch-policy: wall clock and size cap. */
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  /** Console session lifetime. */
  sessionTtlMs: number;
  /** Failed logins per account and address within the window before 429. */
  loginFailureLimit: number;
  loginFailureWindowMs: number;
  /** API requests per principal (or address, for anonymous) per minute. */
  rateLimitPerMinute: number;
  /** Job retries (attempts = retries + 1) and the first backoff, doubled at each retry. */
  jobRetries: number;
  retryBackoffMs: number;
}

export interface WorkerConfig {
  /** Child processes running jobs in this process tree (0 with --no-workers). */
  concurrency: number;
  /** A child over this resident size is killed and the attempt fails as `memory`. */
  memoryLimitMb: number;
  /** A job running longer is killed and the attempt fails as `timeout`. */
  jobTimeoutMs: number;
  /** A child is replaced after this many jobs (bounds slow leaks in long-lived processes). */
  recycleAfterJobs: number;
  /** How long a claimed job is leased; a worker renews it while running. */
  leaseMs: number;
}

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    dataDir: './ar-data',
    host: '127.0.0.1',
    port: 8080,
    maxUploadBytes: GiB,
    maxJsonBytes: MiB,
    allowPrivateFetch: false,
    fetchTimeoutMs: 20_000,
    fetchMaxBytes: 5 * MiB,
    sessionTtlMs: 12 * 3600_000,
    loginFailureLimit: 5,
    loginFailureWindowMs: 15 * 60_000,
    rateLimitPerMinute: 600,
    jobRetries: 3,
    retryBackoffMs: 2_000,
    ...overrides,
    workers: {
      concurrency: 2,
      memoryLimitMb: 1024,
      jobTimeoutMs: 10 * 60_000,
      recycleAfterJobs: 200,
      leaseMs: 60_000,
      ...overrides.workers,
    },
  };
}
