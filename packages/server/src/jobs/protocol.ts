// The messages between the worker runner (parent) and its warm child processes (child.ts). The
// parent owns the database and the leases; a child only runs the engine on files and text it is
// handed and answers with the result, so a child killed at any moment leaves nothing half-written.

export interface TaskBase {
  jobId: string;
  attempt: number;
}

export type Task = TaskBase &
  (
    | {
        kind: 'scan';
        file: string;
        name: string;
        appType?: string;
        storeListing?: Record<string, unknown>;
        /** A stored policy report (an analysis): checked with the package. */
        policy?: unknown;
      }
    | { kind: 'rerun-rules'; sourceReportId: string; facts: string }
    | { kind: 'fetch-policy'; url: string; allowPrivate: boolean; timeoutMs: number; maxBytes: number }
    | { kind: 'diff'; oldFile: string; newFile: string }
  );

export interface FindingRow {
  fingerprint: string;
  ruleId: string;
  severity: string;
  measures: string[];
}

/** A job's result as the child computed it; the parent writes it in the completing transaction. */
export interface JobOutput {
  reportKind: 'scan' | 'rerun' | 'policy' | 'diff';
  /** The report JSON without its facts section. */
  body: string;
  /** The facts section JSON (scans), else null. */
  facts: string | null;
  summary: Record<string, unknown>;
  findings: FindingRow[];
  /** From a scanned package: what the apps and versions rows need. */
  app?: { packageName: string; versionCode: string | null; versionName: string | null; signerSha256: string | null };
  knowledge?: { id: string; versions: unknown };
  /** From a scanned package: the package prefixes of its code and the readers' version (the version's prefix set). */
  packagePrefixes?: { readers: number; depth: number; cap: number; omitted: number; prefixes: string[] };
}

/** Failure classes a child reports (see FailureClass in queue.ts; timeout and memory are the parent's). */
export interface ChildError {
  class: 'input' | 'cancelled' | 'crashed';
  code: string;
  message: string;
}

export type ToChild = { type: 'run'; task: Task } | { type: 'abort'; jobId: string };

export type FromChild =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; jobId: string; stage: string; done?: number; total?: number }
  | { type: 'result'; jobId: string; output: JobOutput }
  | { type: 'error'; jobId: string; error: ChildError };
