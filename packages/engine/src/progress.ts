import type { AnalysisStage } from '@apprights/apk';

/**
 * What the engine is doing, for a progress line or a job's progress field: the package reader's
 * stages, then SDK and API matching (`knowledge`), the rules, and the other evidence readers.
 */
export type EngineStage = AnalysisStage | 'knowledge' | 'rules' | 'policy-fetch' | 'policy-read' | 'policy-analyse' | 'trace';

export type ProgressCallback = (stage: EngineStage, done?: number, total?: number) => void;

/** What every engine call takes to be watched and stopped. */
export interface RunControl {
  /** Called at each stage (and per DEX file, with done/total). */
  onProgress?: ProgressCallback;
  /**
   * Stops the work: the call rejects with an AbortError. A scan given a signal runs its reading in
   * a worker thread, which is terminated on abort, so the thread is freed at once.
   */
  signal?: AbortSignal;
  /** Wraps each stage, e.g. to time it (the CLI's APPRIGHTS_STATS=1). */
  measure?: <T>(stage: string, work: () => T) => T;
}

export function measured<T>(control: RunControl, stage: string, work: () => T): T {
  return control.measure ? control.measure(stage, work) : work();
}
