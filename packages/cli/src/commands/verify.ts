import { ApkFormatError, ZipArchive, parseManifest, sdkNumber, verifyApkSignatures } from '@apprights/apk';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '../i18n.js';
import { emit } from '../output.js';
import { signatureSummary } from '../report/build.js';
import type { SignatureSummary } from '../report/model.js';

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

/** minSdkVersion from the manifest, as apksigner reads it; 1 when absent or unreadable. */
function manifestSdks(archive: ZipArchive): { minSdk: number; targetSdk: number | undefined; warning?: string } {
  if (!archive.has('AndroidManifest.xml'))
    return { minSdk: 1, targetSdk: undefined, warning: 'no AndroidManifest.xml: verifying for minSdkVersion 1' };
  try {
    const manifest = parseManifest(archive.read('AndroidManifest.xml'));
    return { minSdk: sdkNumber(manifest.minSdkVersion) ?? 1, targetSdk: sdkNumber(manifest.targetSdkVersion) };
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    return {
      minSdk: 1,
      targetSdk: undefined,
      warning: `cannot read AndroidManifest.xml (${error.message}): verifying for minSdkVersion 1`,
    };
  }
}

function verifyOne(file: string, options: VerifyOptions): VerifyResult {
  let archive: ZipArchive | undefined;
  try {
    archive = ZipArchive.open(file);
    const sdks = manifestSdks(archive);
    const minSdk = options.minSdk ?? sdks.minSdk;
    const result = verifyApkSignatures(archive, { minSdk, ...(sdks.targetSdk !== undefined ? { targetSdk: sdks.targetSdk } : {}) });
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
