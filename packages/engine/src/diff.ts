import { diffReports, type ReportDiff, type ScanReport } from '@apprights/rules';
import { resolveChecks } from './checks.js';
import { InputError } from './errors.js';
import { scanPackage, type ScanOptions } from './scan.js';
import { looksLikeJson, readStoredReport } from './stored-report.js';

export type DiffOptions = Omit<ScanOptions, 'facts'>;

/**
 * Compares two versions of an app: each side is a package (scanned with the options) or a scan
 * report written earlier (`.json`, or any file starting with `{`; checked against the published
 * schema before any field is trusted). The diff's gate is the caller's (`diffGateFails`).
 */
export async function diffPackages(oldInput: string, newInput: string, options: DiffOptions = {}): Promise<ReportDiff> {
  // The configuration is read and checked once, before either side is read, and shared by both.
  const checks = resolveChecks(options);
  const shared: DiffOptions = { ...options, config: checks.config, ...(checks.knowledge ? { knowledge: checks.knowledge } : {}) };
  const before = await loadSide(oldInput, shared);
  const after = await loadSide(newInput, shared);
  try {
    return diffReports(before, after);
  } catch (error) {
    // Only a stored report of an older schema version can be malformed past the checks above.
    if (!(error instanceof TypeError)) throw error;
    throw new InputError('report', {
      en: `a stored report is malformed (${error.message}); scan the package again with this version`,
      zh: `存储的报告格式有误（${error.message}）；请用当前版本重新扫描`,
    });
  }
}

async function loadSide(file: string, options: DiffOptions): Promise<ScanReport> {
  if (looksLikeJson(file)) return readStoredReport(file);
  try {
    return await scanPackage(file, { ...options, facts: false });
  } catch (error) {
    // The package reader's message does not name the file; with two inputs the user needs to know which.
    if (error instanceof InputError && error.code !== 'io' && !error.message.startsWith(file))
      throw new InputError(error.code, { en: `${file}: ${error.text.en}`, zh: `${file}：${error.text.zh}` }, file);
    throw error;
  }
}
