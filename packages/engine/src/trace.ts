import { assembleTraceReport, type TraceReport } from '@apprights/rules';
import { assembleOptions, knowledgeFor, resolveChecks, type CheckOptions } from './checks.js';
import { checkAborted } from './errors.js';
import { readRuntime, type ReadRuntimeOptions, type RuntimeEvidence } from './evidence.js';
import { measured } from './progress.js';

export interface TraceOptions extends CheckOptions, ReadRuntimeOptions {}

/**
 * Checks a runtime trace (a JSON Lines file, or one already read with `readRuntime`) and its UI
 * snapshots: the runtime and UI rules run; the rules that also need the package are listed as not run.
 */
export async function checkTrace(trace: string | RuntimeEvidence, options: TraceOptions = {}): Promise<TraceReport> {
  const checks = resolveChecks(options);
  const evidence = typeof trace === 'string' ? await readRuntime(trace, options) : trace;
  const knowledge = await knowledgeFor(checks);
  checkAborted(options.signal);
  options.onProgress?.('rules');
  return measured(options, 'rules', () =>
    assembleTraceReport(evidence.trace, evidence.ui, assembleOptions(checks, knowledge, options.toolVersion)),
  );
}
