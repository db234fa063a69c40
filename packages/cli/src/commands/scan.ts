import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  fixedManifest,
  readPolicy,
  readRuntime,
  readSourceManifest,
  resolveChecks,
  scanPackage,
  type SourceManifest,
  type CheckOptions as EngineCheckOptions,
  type RuntimeEvidence,
} from '@apprights/engine';
import type { PolicyAnalysis } from '@apprights/policy';
import { renderScanReport, type Lang, type ReportFormat } from '@apprights/report';
import { gateFails, type ScanReport, type Severity } from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import { emit, formatSize, OutputError, textOptions, type TextFlags } from '../output.js';
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
  /** The app's source manifest, read: the findings' fixes are located in it. */
  sourceManifest?: SourceManifest;
  /** `--namespace`: build.gradle's namespace for a source manifest without `package`. */
  namespace?: string;
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
  /** `--manifest-source FILE`: the app's source AndroidManifest.xml. */
  manifestSource?: string;
  /** `--fix-manifest FILE`: write a fixed copy of it. */
  fixManifest?: string;
  /** `--fix-manifest-out FILE` (default: the manifest's path + `.fixed`). */
  fixManifestOut?: string;
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
      ...(options.sourceManifest ? { manifestSource: options.sourceManifest } : {}),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
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
  // The source manifest is read (and the fixed copy's place checked) before the long scan.
  const manifestPath = options.fixManifest ?? options.manifestSource;
  const sourceManifest = manifestPath !== undefined ? readSourceManifest(manifestPath) : undefined;
  const fixOut = options.fixManifest !== undefined ? (options.fixManifestOut ?? `${options.fixManifest}.fixed`) : undefined;
  if (fixOut !== undefined) refuseExisting(fixOut, options.lang);
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
    ...(sourceManifest ? { sourceManifest } : {}),
  });
  emit(renderScanReport(report, options.format, options.lang, textOptions(options)), options.output, options.lang);
  if (sourceManifest && fixOut !== undefined) writeFixedManifest(report, sourceManifest, fixOut, options);
  return gateFails(report.findings, report.context.failOn) ? ExitCode.failed : ExitCode.ok;
}

/** The fixed copy never replaces a file: not the source manifest, not an earlier copy. */
function refuseExisting(path: string, lang: ScanOptions['lang']): void {
  if (!existsSync(path)) return;
  throw new OutputError(
    path,
    lang === 'zh'
      ? '文件已存在（修复后的清单不会覆盖任何文件：请删除它，或用 --fix-manifest-out 另选路径）'
      : 'it exists (the fixed manifest never overwrites a file: remove it or choose another path with --fix-manifest-out)',
  );
}

/**
 * Writes the source manifest with every located fix of the actionable findings applied, and
 * prints the unified diff: to stdout when the report went to a file (`-o`), else to stderr, so the
 * report on stdout stays what its format says.
 */
function writeFixedManifest(report: ScanReport, manifest: SourceManifest, out: string, options: ScanOptions): void {
  const zh = options.lang === 'zh';
  const fixed = fixedManifest(manifest, report.findings, manifest.path, out);
  const summary = report.manifestSource;
  const notLocated = summary?.notLocated ?? 0;
  const skipped =
    notLocated > 0
      ? zh
        ? `；${notLocated} 项无法在源清单中定位，原因见报告的 fix.patch.reason`
        : `; ${notLocated} could not be located in the source, see fix.patch.reason in the report`
      : '';
  if (fixed.fixed.length === 0) {
    process.stderr
      .write(`apprights: ${zh ? `没有可应用于 ${manifest.path} 的修复，未写入文件` : `no fix applies to ${manifest.path}: nothing written`}${skipped}
`);
    return;
  }
  if (resolve(out) === resolve(manifest.path)) refuseExisting(out, options.lang);
  try {
    writeFileSync(out, fixed.text, { flag: 'wx' });
  } catch (error) {
    throw new OutputError(out, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  (options.output !== undefined ? process.stdout : process.stderr).write(fixed.diff);
  const size = formatSize(Buffer.byteLength(fixed.text), options.lang);
  process.stderr.write(
    `apprights: ${zh ? `修复后的清单已写入 ${out}（${size}，${fixed.fixed.length} 项修复${skipped}）` : `fixed manifest written to ${out} (${size}, ${fixed.fixed.length} fixes${skipped})`}
`,
  );
}
