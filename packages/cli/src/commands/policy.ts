import { loadKnowledge, loadMeasureCatalog } from '@apprights/knowledge';
import { analyzePolicy, loadPolicy, type PolicyAnalysis } from '@apprights/policy';
import { assemblePolicyReport, type Severity } from '@apprights/rules';
import { t, type Lang } from '../i18n.js';
import type { ReportFormat } from '../output.js';
import type { Progress } from '../progress.js';
import { renderPolicyHtml, renderPolicyMarkdown, renderPolicyText } from '../report/policy-render.js';
import { renderPolicySarif } from '../report/sarif.js';
import type { Stats } from '../stats.js';
import { runReportCommand, type CheckOptions } from './checks.js';

export type PolicyReportFormat = ReportFormat;

export const POLICY_HELP = `
Input / 输入: a file (.html, .htm, .md, .txt; otherwise the content decides) or an http(s) URL. URLs are fetched with
a time limit (--timeout, default 20 s) and a size limit (--max-size, default 4 MiB); the encoding comes from the
Content-Type header, a byte-order mark or <meta charset> (GBK and GB18030 included), else UTF-8.
文件（.html、.htm、.md、.txt）或 http(s) 网址；网址读取有时间与大小上限，编码按 Content-Type、BOM 或 <meta charset> 判断。
Checks / 检测: the rules that need only the policy (and the app type, when given) run; those that also need the APK
are listed as not run. Use apprights scan APP --policy FILE|URL to check both together.
Exit codes / 退出码: 0 ok, 1 a finding reached --fail-on, 2 usage or configuration error, 3 the policy cannot be read
(missing file, HTTP error, timeout, too large, not HTML/Markdown/text), 4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/policy-report.schema.json), md, sarif (SARIF 2.1.0), html (single file, zh/en).
Example / 示例: apprights policy https://example.com/privacy.html --format html -o policy.html`;

export interface PolicyLoadOptions {
  /** Seconds, as the command line gives it. */
  timeout?: number;
  /** Bytes. */
  maxSize?: number;
  lang: Lang;
  stats: Stats;
  progress: Progress;
}

/** Reads and analyses a privacy policy: `apprights policy` and `scan --policy` share it. */
export async function readAndAnalysePolicy(input: string, options: PolicyLoadOptions): Promise<PolicyAnalysis> {
  const remote = /^https?:\/\//i.test(input);
  options.progress.update(t(options.lang, remote ? 'progressFetchPolicy' : 'progressReadPolicy'));
  const loaded = await loadPolicy(input, {
    ...(options.timeout !== undefined ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
    ...(options.maxSize !== undefined ? { maxBytes: options.maxSize } : {}),
  });
  options.progress.update(t(options.lang, 'progressAnalysePolicy'));
  return options.stats.time('policy', () => analyzePolicy(loaded.document, { source: loaded.source }));
}

export interface PolicyCommandOptions extends CheckOptions {
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
  return runReportCommand(
    options,
    async (checks, progress) => {
      const analysis = await readAndAnalysePolicy(input, { ...options, progress });
      progress.update(t(options.lang, 'progressRules'));
      return options.stats.time('rules', () =>
        assemblePolicyReport(analysis, {
          toolVersion: options.version,
          measures: loadMeasureCatalog().measures,
          knowledge: loadKnowledge(),
          config: checks.config,
          failOn: checks.failOn,
          ...(checks.store ? { store: checks.store } : {}),
        }),
      );
    },
    { text: renderPolicyText, md: renderPolicyMarkdown, sarif: renderPolicySarif, html: renderPolicyHtml },
  );
}
