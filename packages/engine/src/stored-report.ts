/**
 * Scan reports written earlier (`apprights scan --format json`), read back as input: the diff and the
 * drafts take one in place of a package. A stored report is input from outside, like an APK.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { ScanReport } from '@apprights/rules';
import { InputError } from './errors.js';
import { schemasDir } from './schemas.js';

/** An input that is neither a package nor a scan report this version reads. */
function reportInput(text: { en: string; zh: string }, subject: string): InputError {
  return new InputError('report', text, subject);
}

function unreadable(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new InputError('io', { en: `cannot read ${file}: ${code}`, zh: `无法读取 ${file}：${code}` }, file);
}

/** Whether an input is a JSON report: by name, or by its first non-blank byte, so a renamed report still works. */
export function looksLikeJson(file: string): boolean {
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
    throw reportInput({ en: `${file}: not valid JSON (${why})`, zh: `${file}：不是有效的 JSON（${why}）` }, file);
  }
  const report = data as Partial<ScanReport> | null;
  if (typeof report !== 'object' || report === null || Array.isArray(report) || typeof report.schemaVersion !== 'string') {
    throw reportInput(
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
    throw reportInput(
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
    throw reportInput(
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
  throw reportInput(
    {
      en: `${file}: not a valid AppRights scan report ${version}: ${where}`,
      zh: `${file}：不是有效的 AppRights 扫描报告 ${version}：${where}`,
    },
    file,
  );
}

/** A stored scan report: parsed, its version checked, and (1.2 or later) validated against the published schema. */
export async function readStoredReport(file: string): Promise<ScanReport> {
  const report = readReport(file);
  await checkAgainstSchema(file, report);
  return report;
}
