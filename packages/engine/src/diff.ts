import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { diffReports, type ReportDiff, type ScanReport } from '@apprights/rules';
import { resolveChecks } from './checks.js';
import { InputError } from './errors.js';
import { schemasDir } from './schemas.js';
import { scanPackage, type ScanOptions } from './scan.js';

/** An input that is neither a package nor a scan report this version reads. */
function diffInput(text: { en: string; zh: string }, subject: string): InputError {
  return new InputError('report', text, subject);
}

function unreadable(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new InputError('io', { en: `cannot read ${file}: ${code}`, zh: `无法读取 ${file}：${code}` }, file);
}

/** Whether an input is a JSON report: by name, or by its first non-blank byte, so a renamed report still works. */
function looksLikeJson(file: string): boolean {
  if (file.toLowerCase().endsWith('.json')) return true;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    return head
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{');
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readReport(file: string): ScanReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw unreadable(file, error);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message;
    throw diffInput({ en: `${file}: not valid JSON (${why})`, zh: `${file}：不是有效的 JSON（${why}）` }, file);
  }
  const report = data as Partial<ScanReport> | null;
  if (typeof report !== 'object' || report === null || Array.isArray(report) || typeof report.schemaVersion !== 'string') {
    throw diffInput(
      {
        en: `${file}: not an AppRights scan report (no schemaVersion); write one with apprights scan --format json`,
        zh: `${file}：不是 AppRights 扫描报告（缺少 schemaVersion）；请用 apprights scan --format json 生成`,
      },
      file,
    );
  }
  const major = /^(\d+)\.\d+\.\d+$/.exec(report.schemaVersion)?.[1];
  if (major !== '1') {
    const version = report.schemaVersion;
    throw diffInput(
      {
        en: `${file}: scan report schema version ${version} is not supported; this AppRights reads version 1 reports (1.x.y)`,
        zh: `${file}：不支持扫描报告格式版本 ${version}；当前 AppRights 只读取 1.x.y 版本的报告`,
      },
      file,
    );
  }
  // The diff reads these without further checks; anything else a 1.x report may lack is compared only when present.
  const missing = [
    typeof report.file?.sha256 === 'string' && typeof report.file.name === 'string' ? null : 'file',
    typeof report.app === 'object' && report.app !== null ? null : 'app',
    Array.isArray(report.permissions) ? null : 'permissions',
    Array.isArray(report.components) ? null : 'components',
  ].filter((k) => k !== null);
  if (missing.length > 0) {
    throw diffInput(
      {
        en: `${file}: not an AppRights scan report (missing ${missing.join(', ')})`,
        zh: `${file}：不是 AppRights 扫描报告（缺少 ${missing.join('、')}）`,
      },
      file,
    );
  }
  return report as ScanReport;
}

let validator: Promise<ValidateFunction> | undefined;

/**
 * Compiled once per run (two JSON inputs share it), and loaded only here: most commands never need
 * it. The policy report and facts schemas come along: the scan report's `policy` and `facts` are defined there.
 */
function scanReportValidator(): Promise<ValidateFunction> {
  validator ??= import('ajv/dist/2020.js').then(({ Ajv2020 }) => {
    const load = (name: string) => JSON.parse(readFileSync(join(schemasDir, `${name}.schema.json`), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(load('policy-report'));
    ajv.addSchema(load('scan-facts'));
    return ajv.compile(load('scan-report'));
  });
  return validator;
}

/**
 * A stored report is input from outside, like an APK: one written by this schema version (1.2 or
 * later) is checked against the published schema before any field is trusted, so a damaged or
 * hand-edited report is refused with the place that is wrong. Older 1.x reports predate the schema's
 * newer required sections; the diff reads them defensively instead (see diffReports).
 */
async function checkAgainstSchema(file: string, report: ScanReport): Promise<void> {
  const version = report.schemaVersion;
  const minor = Number(/^1\.(\d+)\./.exec(version)?.[1] ?? 0);
  if (minor < 2) return;
  const validate = await scanReportValidator();
  if (validate(report as unknown)) return;
  const where = (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    .join('; ');
  throw diffInput(
    {
      en: `${file}: not a valid AppRights scan report ${version}: ${where}`,
      zh: `${file}：不是有效的 AppRights 扫描报告 ${version}：${where}`,
    },
    file,
  );
}

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
  if (looksLikeJson(file)) {
    const report = readReport(file);
    await checkAgainstSchema(file, report);
    return report;
  }
  try {
    return await scanPackage(file, { ...options, facts: false });
  } catch (error) {
    // The package reader's message does not name the file; with two inputs the user needs to know which.
    if (error instanceof InputError && error.code !== 'io' && !error.message.startsWith(file))
      throw new InputError(error.code, { en: `${file}: ${error.text.en}`, zh: `${file}：${error.text.zh}` }, file);
    throw error;
  }
}
