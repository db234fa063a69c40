import { analyzePackageAsync, type AnalysisStage, type PackageAnalysis } from '@apprights/apk';
import { detectAll, isDangerousPermission, loadSdkCatalogAsync, type KnowledgeFindings } from '@apprights/knowledge';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang, type MessageKey } from '../i18n.js';
import { Progress } from '../progress.js';
import { buildScanReport } from '../report/build.js';
import { renderMarkdown, renderText } from '../report/render.js';
import type { Stats } from '../stats.js';
import { emit } from '../output.js';

export interface ScanOptions {
  format: 'text' | 'json' | 'md';
  output?: string;
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  version: string;
  stats: Stats;
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

export async function runScan(file: string, options: ScanOptions): Promise<number> {
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  // The catalogue's files are read while the package is analysed; a failure shows up at detection.
  const catalog = loadSdkCatalogAsync();
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
    await catalog;
    const findings = options.stats.time('knowledge', () => knowledgeFindings(analysis));
    const report = options.stats.time('report', () => buildScanReport(analysis, options.version, findings));
    progress.clear();
    const rendered =
      options.format === 'json'
        ? JSON.stringify(report, null, 2)
        : options.format === 'md'
          ? renderMarkdown(report, options.lang)
          : renderText(report, options.lang);
    emit(rendered, options.output, options.lang);
    return ExitCode.ok;
  } finally {
    progress.clear();
    analysis.close();
  }
}

/**
 * SDKs, sensitive API uses and the permission cross-check. The permission levels come from the same
 * platform table as the report's permission list, so both agree on what "dangerous" means.
 */
function knowledgeFindings(analysis: PackageAnalysis): KnowledgeFindings {
  return detectAll(analysis, { isDangerous: isDangerousPermission });
}
