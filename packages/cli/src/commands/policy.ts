import { checkPolicy } from '@apprights/engine';
import { renderPolicyReport, type Lang, type ReportFormat } from '@apprights/report';
import type { Severity } from '@apprights/rules';
import type { Stats } from '../stats.js';
import type { TextFlags } from '../output.js';
import { engineChecks, runReportCommand, type CheckOptions } from './checks.js';

export type PolicyReportFormat = ReportFormat;

export interface PolicyCommandOptions extends CheckOptions, TextFlags {
  format: PolicyReportFormat;
  output?: string;
  lang: Lang;
  progress: boolean;
  timeout?: number;
  maxSize?: number;
  failOn?: Severity | 'none';
  version: string;
  stats: Stats;
}

export async function runPolicy(input: string, options: PolicyCommandOptions): Promise<number> {
  const checks = engineChecks(options, options.lang, options.version);
  return runReportCommand(
    options,
    (progress) =>
      checkPolicy(input, {
        ...checks,
        ...(options.timeout !== undefined ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
        ...(options.maxSize !== undefined ? { maxBytes: options.maxSize } : {}),
        onProgress: progress.onStage,
        measure: (stage, work) => options.stats.time(stage, work),
      }),
    (report, text) => renderPolicyReport(report, options.format, options.lang, text),
  );
}
