import { ApkFormatError, ZipArchive, signatureSdksOf, verifyApkSignatures } from '@apprights/apk';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '../i18n.js';
import { emit } from '../output.js';
import { signatureSummary } from '@apprights/engine';
import type { SignatureSummary } from '@apprights/rules';

export interface VerifyOptions {
  format: 'text' | 'json';
  minSdk?: number;
  output?: string;
  lang: Lang;
}

interface VerifyResult {
  file: string;
  verified: boolean;
  schemes: SignatureSummary['details'] | null;
  minSdk: number | null;
  certificates: SignatureSummary['certificates'];
  errors: string[];
  warnings: string[];
}

function verifyOne(file: string, options: VerifyOptions): VerifyResult {
  let archive: ZipArchive | undefined;
  try {
    archive = ZipArchive.open(file);
    const sdks = signatureSdksOf(archive, options.minSdk);
    const minSdk = sdks.options.minSdk;
    const result = verifyApkSignatures(archive, sdks.options);
    const summary = signatureSummary(result, minSdk);
    return {
      file,
      verified: summary.verified,
      schemes: summary.details,
      minSdk,
      certificates: summary.certificates,
      errors: summary.errors,
      warnings: [...(sdks.warning ? [sdks.warning] : []), ...summary.warnings],
    };
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    return { file, verified: false, schemes: null, minSdk: null, certificates: [], errors: [error.message], warnings: [] };
  } finally {
    archive?.close();
  }
}

export function runVerify(files: string[], options: VerifyOptions): number {
  const results = files.map((file) => verifyOne(file, options));
  if (options.format === 'json') {
    emit(JSON.stringify(results, null, 2), options.output, options.lang);
  } else {
    const lines: string[] = [];
    for (const r of results) {
      lines.push(`${r.file}: ${r.verified ? t(options.lang, 'verifyOk') : t(options.lang, 'verifyFail')}`);
      if (r.schemes) {
        for (const [name, s] of Object.entries(r.schemes)) {
          const label = name === 'v31' ? 'v3.1' : name;
          lines.push(
            `  ${label}: ${s.present ? (s.verified ? t(options.lang, 'verified') : t(options.lang, 'notVerified')) : t(options.lang, 'absent')}`,
          );
        }
      }
      for (const c of r.certificates) lines.push(`  ${t(options.lang, 'certificate')}: ${c.subject}  SHA-256 ${c.sha256}`);
      for (const e of r.errors) lines.push(`  ${t(options.lang, 'errorPrefix')}: ${e}`);
      for (const w of r.warnings) lines.push(`  warning: ${w}`);
    }
    emit(lines.join('\n'), options.output, options.lang);
  }
  return results.every((r) => r.verified) ? ExitCode.ok : ExitCode.failed;
}
