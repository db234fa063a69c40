import type { Transaction } from 'kysely';
import type { Database, Job, JobKind } from '../db/schema.js';

// The contract between the API (which submits and cancels jobs) and the job layer (which delivers
// them to workers on the embedded SQLite queue or on pg-boss). The `jobs` table is the record of
// every job on both queues: the API reads state, attempts and progress from it directly.

/** What each kind of job takes. Stored as the job's JSON payload. */
export interface JobPayloads {
  /** A package already stored as a blob. `uploadId` ties the job to the upload it came from. */
  scan: {
    blob: string;
    uploadId?: string;
    appType?: string;
    /** A store listing object (see the CLI's --store-listing), validated by the engine. */
    storeListing?: unknown;
    /** A policy to check beside the package: a stored report of a fetch-policy job, or a blob of text. */
    policyReportId?: string;
  };
  /** Today's rules over a stored report's facts (no package read). */
  'rerun-rules': { reportId: string };
  /** A privacy policy fetched from a URL and analysed. */
  'fetch-policy': { url: string };
  /** Two stored packages (blobs) compared. */
  diff: { oldBlob: string; newBlob: string };
}

export interface SubmitJob<K extends JobKind = JobKind> {
  kind: K;
  orgId: string;
  createdBy?: string | null;
  payload: JobPayloads[K];
  /** Higher runs first (default 0; a developer's single upload outranks a campaign's bulk at -10). */
  priority?: number;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Default: the configured retries + 1. */
  maxAttempts?: number;
}

export type CancelOutcome = 'cancelled' | 'requested' | 'finished' | 'not-found';
/** queued: a dead, failed or cancelled job runs again (one more attempt); not-finished: it is queued, running or succeeded. */
export type RetryOutcome = 'queued' | 'not-finished' | 'not-found';
/** The ended states a job may be retried from. */
export const RETRYABLE_STATES = ['dead', 'failed', 'cancelled'] as const;

export interface JobQueue {
  readonly name: 'embedded' | 'pg-boss';
  /**
   * Records the job (a `jobs` row, state `queued`) and makes it deliverable. Given `trx`, the row is
   * written in the caller's transaction, so an upload's rows and its job commit together or not at all.
   */
  submit<K extends JobKind>(job: SubmitJob<K>, trx?: Transaction<Database>): Promise<Job>;
  /** submit for each of `jobs`, in the caller's transaction, in a few statements (a campaign's thousands); rows in the order given. */
  submitMany(jobs: readonly SubmitJob[], trx: Transaction<Database>): Promise<Job[]>;
  /** A queued job is cancelled at once; a running one is asked to stop (its worker aborts the engine). */
  cancel(jobId: string): Promise<CancelOutcome>;
  /**
   * Queues a dead, failed or cancelled job again, with one more attempt than it has used (an
   * operator's decision after fixing the cause: the worker's environment, a dependency).
   */
  retry(jobId: string): Promise<RetryOutcome>;
  /** Starts delivering jobs to this process's workers (no-op with no workers). */
  start(): Promise<void>;
  /** Stops taking jobs, lets running ones finish or hands them back, and closes. */
  stop(): Promise<void>;
}
