import {
  readPolicy,
  readRuntime,
  resolveChecks,
  scanPackage,
  type CheckOptions as EngineCheckOptions,
  type RuntimeEvidence,
} from '@apprights/engine';
import type { PolicyAnalysis } from '@apprights/policy';
import { renderScanReport, type Lang, type ReportFormat } from '@apprights/report';
import { gateFails, type ScanReport, type Severity } from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import { emit, textOptions, type TextFlags } from '../output.js';
import { Progress } from '../progress.js';
import type { Stats } from '../stats.js';
import { engineChecks, type CheckOptions } from './checks.js';

export type ScanFormat = ReportFormat;

export interface ReportOptions extends CheckOptions {
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  /** `--reachability`: sensitive API calls say present/reachable (the engine's call graph). */
  reachability?: boolean;
  version: string;
  stats: Stats;
  /** The privacy policy, analysed, checked together with the package. */
  policyAnalysis?: PolicyAnalysis;
  /** A runtime trace and UI snapshots, checked together with the package. */
  runtime?: RuntimeEvidence;
}

export interface ScanOptions extends ReportOptions, TextFlags {
  format: ScanFormat;
  output?: string;
  failOn?: Severity | 'none';
  /** `--policy FILE|URL`. */
  policy?: string;
  /** `--policy-timeout SECONDS`. */
  policyTimeout?: number;
  /** `--trace FILE`: a runtime trace (JSON Lines). */
  trace?: string;
  /** `--ui DIR`: UI snapshots (uiautomator dumps or JSON trees). */
  ui?: string;
}

/** Reads one package and checks it through the engine, with the checks the command line asked for. */
export async function produceReport(file: string, checks: EngineCheckOptions, options: ReportOptions): Promise<ScanReport> {
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  try {
    return await scanPackage(file, {
      ...checks,
      ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
      ...(options.reachability ? { reachability: true } : {}),
      ...(options.policyAnalysis ? { policy: options.policyAnalysis } : {}),
      ...(options.runtime ? { trace: options.runtime.trace } : {}),
      ...(options.runtime?.ui ? { ui: options.runtime.ui } : {}),
      facts: false,
      onProgress: progress.onStage,
      measure: (stage, work) => options.stats.time(stage, work),
    });
  } finally {
    progress.clear();
  }
}

export async function runScan(file: string, options: ScanOptions): Promise<number> {
  // The configuration first, then the policy and the trace: a mistake or a mistyped URL should fail
  // at once, not after a long scan. The scan is handed the configuration as read, not its file again.
  const requested = engineChecks(options, options.lang, options.version);
  const resolved = resolveChecks(requested);
  const checks: EngineCheckOptions = {
    ...requested,
    config: resolved.config,
    ...(resolved.knowledge ? { knowledge: resolved.knowledge } : {}),
  };
  let policyAnalysis: PolicyAnalysis | undefined;
  if (options.policy !== undefined) {
    const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
    try {
      policyAnalysis = await readPolicy(options.policy, {
        ...(options.policyTimeout !== undefined ? { timeoutMs: Math.round(options.policyTimeout * 1000) } : {}),
        onProgress: progress.onStage,
        measure: (stage, work) => options.stats.time(stage, work),
      });
    } finally {
      progress.clear();
    }
  }
  let runtime: RuntimeEvidence | undefined;
  if (options.trace !== undefined) {
    const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
    try {
      runtime = await readRuntime(options.trace, {
        ...(options.ui !== undefined ? { uiDir: options.ui } : {}),
        ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
        onProgress: progress.onStage,
      });
    } finally {
      progress.clear();
    }
  }
  const report = await produceReport(file, checks, {
    ...options,
    ...(policyAnalysis ? { policyAnalysis } : {}),
    ...(runtime ? { runtime } : {}),
  });
  emit(renderScanReport(report, options.format, options.lang, textOptions(options)), options.output, options.lang);
  return gateFails(report.findings, report.context.failOn) ? ExitCode.failed : ExitCode.ok;
}
