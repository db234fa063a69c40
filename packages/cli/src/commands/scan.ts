import { analyzePackageAsync, type AnalysisStage, type PackageAnalysis } from '@apprights/apk';
import { detectAll, isDangerousPermission, loadKnowledgeAsync, loadMeasureCatalog, type KnowledgeFindings } from '@apprights/knowledge';
import { assembleScanReport, gateFails, type ScanReport, type Severity } from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang, type MessageKey } from '../i18n.js';
import { Progress } from '../progress.js';
import { buildPackageFacts } from '../report/build.js';
import { renderMarkdown, renderText } from '../report/render.js';
import { renderSarif } from '../report/sarif.js';
import { renderHtml } from '../report/html.js';
import type { Stats } from '../stats.js';
import { emit, renderReport, type ReportFormat } from '../output.js';
import { resolveChecks, type CheckOptions } from './checks.js';
import { readAndAnalysePolicy } from './policy.js';
import type { PolicyAnalysis } from '@apprights/policy';
import { readRuntimeEvidence, type RuntimeEvidence } from './trace.js';

export type ScanFormat = ReportFormat;

export interface ReportOptions extends CheckOptions {
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  version: string;
  stats: Stats;
  /** The privacy policy, analysed, checked together with the package. */
  policyAnalysis?: PolicyAnalysis;
  /** A runtime trace and UI snapshots, checked together with the package. */
  runtime?: RuntimeEvidence;
}

export interface ScanOptions extends ReportOptions {
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

const STAGE_MESSAGES: Partial<Record<AnalysisStage, MessageKey>> = {
  open: 'progressOpen',
  manifest: 'progressManifest',
  resources: 'progressManifest',
  dex: 'progressDex',
  classes: 'progressClasses',
  signatures: 'progressSignatures',
  nested: 'progressNested',
};

/** Reads one package and checks it: the report `scan` prints and `diff` compares. */
export async function produceReport(file: string, options: ReportOptions): Promise<ScanReport> {
  const checks = resolveChecks(options, options.lang);
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  // The catalogue's files are read while the package is analysed; a failure shows up at detection.
  const catalog = loadKnowledgeAsync();
  catalog.catch(() => {});
  const analysis = await analyzePackageAsync(file, {
    strict: !options.keepGoing,
    onProgress: (stage, done, total) => {
      const key = STAGE_MESSAGES[stage];
      if (key) progress.update(t(options.lang, key), done, total);
    },
    measure: (stage, work) => options.stats.time(stage, work),
  });
  try {
    const knowledge = await catalog;
    const findings = options.stats.time('knowledge', () => knowledgeFindings(analysis));
    const facts = options.stats.time('report', () => buildPackageFacts(analysis, findings));
    progress.update(t(options.lang, 'progressRules'), 0, 0);
    return options.stats.time('rules', () =>
      assembleScanReport(facts, {
        toolVersion: options.version,
        measures: loadMeasureCatalog().measures,
        knowledge,
        config: checks.config,
        failOn: checks.failOn,
        ...(checks.store ? { store: checks.store } : {}),
        evidence: {
          ...(options.policyAnalysis ? { policy: options.policyAnalysis } : {}),
          ...(options.runtime ? { trace: options.runtime.trace } : {}),
          ...(options.runtime?.ui ? { ui: options.runtime.ui } : {}),
        },
      }),
    );
  } finally {
    progress.clear();
    analysis.close();
  }
}

export async function runScan(file: string, options: ScanOptions): Promise<number> {
  let policyAnalysis: PolicyAnalysis | undefined;
  if (options.policy !== undefined) {
    // Before the package: a mistyped URL should fail at once, not after a long scan.
    const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
    try {
      policyAnalysis = await readAndAnalysePolicy(options.policy, { ...options, timeout: options.policyTimeout, progress });
    } finally {
      progress.clear();
    }
  }
  // The trace too: a trace that cannot be read fails before the package is read.
  let runtime: RuntimeEvidence | undefined;
  if (options.trace !== undefined) {
    const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
    try {
      progress.update(t(options.lang, 'progressReadTrace'));
      runtime = await readRuntimeEvidence(options.trace, options.ui, options);
    } finally {
      progress.clear();
    }
  }
  const report = await produceReport(file, { ...options, ...(policyAnalysis ? { policyAnalysis } : {}), ...(runtime ? { runtime } : {}) });
  const rendered = renderReport(report, options.format, options.lang, {
    text: renderText,
    md: renderMarkdown,
    sarif: renderSarif,
    html: renderHtml,
  });
  emit(rendered, options.output, options.lang);
  return gateFails(report.findings, report.context.failOn) ? ExitCode.failed : ExitCode.ok;
}

/**
 * SDKs, sensitive API uses and the permission cross-check. The permission levels come from the same
 * platform table as the report's permission list, so both agree on what "dangerous" means.
 */
function knowledgeFindings(analysis: PackageAnalysis): KnowledgeFindings {
  return detectAll(analysis, { isDangerous: isDangerousPermission });
}
