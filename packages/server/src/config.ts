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
  /**
   * APPRIGHTS_UPLOAD_DIRECT_IO=off (false): uploads go through the page cache instead of writing whole
   * 1 MiB slots with O_DIRECT (the default; it spends less CPU, see blobs/store.ts).
   */
  uploadDirectIo?: boolean;
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
  /**
   * How long an anonymous public answer (disclosure list, app and bulletin pages, the public REST
   * listings) is reused before it is built again (default 3 s); 0 builds every request (tests that
   * change data and read it back at once).
   */
  publicCacheMs?: number;
  /** Job retries (attempts = retries + 1) and the first backoff, doubled at each retry. */
  jobRetries: number;
  retryBackoffMs: number;
  /** Store workflow: the APP 备案号 pattern (a RegExp source); default DEFAULT_APP_FILING_PATTERN in src/workflows/store. */
  appFilingPattern?: string;
  /** Stop-access feed: an access provider's acknowledgement later than this after the entry is late (default 24 h). */
  stopAccessAckWindowMs?: number;
  /** Store workflow: working days a developer has to rectify new findings of a patrol (default 15). */
  storeRectificationWorkingDays?: number;
  /** Store re-fetch of listed apps' download URLs: the period (default 24 h), listings per run (default 20), one download's time limit (default 10 min). */
  storeRefetchIntervalMs?: number;
  /**
   * Whether this node offers to run the periodic work (default true). Scale-out deployments may keep
   * it off their API nodes so patrols and recomputations never share a process with public traffic.
   */
  scheduler?: boolean;
  storeRefetchPerRun?: number;
  storeRefetchTimeoutMs?: number;
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

/** A setting that cannot be used: names the variable or flag and what it takes. */
export class ConfigError extends Error {
  readonly code = 'config';
  constructor(
    readonly setting: string,
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${setting}: ${en} / ${zh}`);
    this.name = 'ConfigError';
  }
}

/** What the command line may set (undefined: from the environment, else the default). */
export interface ConfigFlags {
  data?: string;
  host?: string;
  port?: number;
  workers?: boolean;
  concurrency?: number;
  maxUpload?: string;
  jobTimeout?: number;
  memoryLimit?: number;
  allowPrivateFetch?: boolean;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i;

/** "1GiB", "512MiB", "100mb", "1048576" → bytes. */
export function parseSize(setting: string, text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match)
    throw new ConfigError(
      setting,
      `takes a size such as 512MiB or 1GiB, not ${JSON.stringify(text.slice(0, 40))}`,
      `须为大小，如 512MiB、1GiB`,
    );
  const unit = (match[2] ?? '').toLowerCase().replace(/i?b$/, '');
  const scale = { '': 1, k: 1024, m: MiB, g: GiB, t: 1024 * GiB }[unit] ?? 1;
  const bytes = Math.floor(Number(match[1]) * scale);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new ConfigError(setting, 'must be a positive size', '须为正数');
  return bytes;
}

/** An on/off setting: undefined when unset or empty; anything else is a ConfigError naming it. */
function onOff(setting: string, text: string | undefined): 'on' | 'off' | undefined {
  if (text === undefined || text === '') return undefined;
  if (text !== 'on' && text !== 'off') throw new ConfigError(setting, 'takes on or off', '须为 on 或 off');
  return text;
}

function positiveInt(setting: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(setting, `takes a positive whole number, not ${JSON.stringify(text.slice(0, 40))}`, '须为正整数');
  return n;
}

/**
 * The settings for `serve`/`worker`/`migrate`/`admin`: flags over APPRIGHTS_* variables over the
 * defaults. Only postgres:// (or postgresql://) URLs are taken: anything else is a ConfigError,
 * not a silent fall-back to SQLite.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const databaseUrl = env.APPRIGHTS_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError(
      'APPRIGHTS_DATABASE_URL',
      'must be a postgres:// URL (leave it unset for the embedded SQLite store)',
      '须为 postgres:// 地址（不设则使用内置 SQLite）',
    );
  const redisUrl = env.APPRIGHTS_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('APPRIGHTS_REDIS_URL', 'must be a redis:// URL', '须为 redis:// 地址');
  const base = defaultConfig();
  const port = flags.port ?? positiveInt('APPRIGHTS_PORT', env.APPRIGHTS_PORT) ?? base.port;
  if (port > 65535) throw new ConfigError('--port', 'must be at most 65535', '不能大于 65535');
  const concurrency =
    flags.workers === false
      ? 0
      : (flags.concurrency ?? positiveInt('APPRIGHTS_WORKERS', env.APPRIGHTS_WORKERS) ?? base.workers.concurrency);
  const maxUpload = flags.maxUpload ?? env.APPRIGHTS_MAX_UPLOAD;
  const directIo = onOff('APPRIGHTS_UPLOAD_DIRECT_IO', env.APPRIGHTS_UPLOAD_DIRECT_IO);
  const scheduler = onOff('APPRIGHTS_SCHEDULER', env.APPRIGHTS_SCHEDULER);
  return defaultConfig({
    ...(scheduler === 'off' ? { scheduler: false } : {}),
    ...(directIo === 'off' ? { uploadDirectIo: false } : {}),
    dataDir: flags.data ?? env.APPRIGHTS_DATA ?? base.dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    host: flags.host ?? env.APPRIGHTS_HOST ?? base.host,
    port,
    maxUploadBytes: maxUpload ? parseSize('--max-upload', maxUpload) : base.maxUploadBytes,
    allowPrivateFetch: flags.allowPrivateFetch ?? env.APPRIGHTS_ALLOW_PRIVATE_FETCH === '1',
    workers: {
      ...base.workers,
      concurrency,
      jobTimeoutMs:
        (flags.jobTimeout ?? positiveInt('APPRIGHTS_JOB_TIMEOUT', env.APPRIGHTS_JOB_TIMEOUT) ?? base.workers.jobTimeoutMs / 1000) * 1000,
      memoryLimitMb:
        flags.memoryLimit ?? positiveInt('APPRIGHTS_WORKER_MEMORY_MB', env.APPRIGHTS_WORKER_MEMORY_MB) ?? base.workers.memoryLimitMb,
    },
  });
}
