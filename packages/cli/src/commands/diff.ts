import { diffPackages, diffGateFails, type Severity } from '@apprights/engine';
import { renderDiffReport } from '@apprights/report';
import { ExitCode } from '../exit-codes.js';
import { emit } from '../output.js';
import { Progress } from '../progress.js';
import { engineChecks } from './checks.js';
import type { ReportOptions } from './scan.js';

export type DiffFormat = 'text' | 'json' | 'md';

export interface DiffOptions extends Omit<ReportOptions, 'failOn'> {
  format: DiffFormat;
  output?: string;
  /** `gating` (default): a change that needs review; a severity: any change that severe; `none`: never. */
  failOn?: Severity | 'gating' | 'none';
}

export async function runDiff(oldPath: string, newPath: string, options: DiffOptions): Promise<number> {
  const { failOn = 'gating', ...reportOptions } = options;
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  let diff;
  try {
    diff = await diffPackages(oldPath, newPath, {
      ...engineChecks(reportOptions, options.lang, options.version),
      ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
      onProgress: progress.onStage,
      measure: (stage, work) => options.stats.time(stage, work),
    });
  } finally {
    progress.clear();
  }
  emit(renderDiffReport(diff, options.format, options.lang), options.output, options.lang);
  return diffGateFails(diff, failOn) ? ExitCode.failed : ExitCode.ok;
}
