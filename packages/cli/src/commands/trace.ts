import { checkTrace } from '@apprights/engine';
import { renderTraceReport, type Lang, type ReportFormat } from '@apprights/report';
import type { Severity } from '@apprights/rules';
import type { Stats } from '../stats.js';
import type { TextFlags } from '../output.js';
import { engineChecks, runReportCommand, type CheckOptions } from './checks.js';

export type TraceReportFormat = ReportFormat;

export interface TraceCommandOptions extends CheckOptions, TextFlags {
  format: TraceReportFormat;
  output?: string;
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  ui?: string;
  failOn?: Severity | 'none';
  version: string;
  stats: Stats;
}

export async function runTrace(file: string, options: TraceCommandOptions): Promise<number> {
  const checks = engineChecks(options, options.lang, options.version);
  return runReportCommand(
    options,
    (progress) =>
      checkTrace(file, {
        ...checks,
        ...(options.ui !== undefined ? { uiDir: options.ui } : {}),
        ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
        onProgress: progress.onStage,
        measure: (stage, work) => options.stats.time(stage, work),
      }),
    (report, text) => renderTraceReport(report, options.format, options.lang, text),
  );
}
