import { ApkFormatError } from '../errors.js';
import { parseManifest, type AndroidManifest, type SdkVersion } from '../manifest/index.js';
import type { VerifyOptions } from '../signing/index.js';
import type { ZipArchive } from '../zip/index.js';

/** A numeric SDK level, or undefined for codenames and unresolved references. */
export function sdkNumber(value: SdkVersion | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * The SDK range signatures are verified for, as apksigner takes it: the manifest's minSdkVersion
 * (1 when absent or not a number) unless one is given, and its targetSdkVersion when numeric.
 */
export function signatureSdks(manifest: AndroidManifest | undefined, minSdk?: number): VerifyOptions {
  const targetSdk = sdkNumber(manifest?.targetSdkVersion);
  return { minSdk: minSdk ?? sdkNumber(manifest?.minSdkVersion) ?? 1, ...(targetSdk !== undefined ? { targetSdk } : {}) };
}

/**
 * signatureSdks for an archive whose manifest has not been read yet. A missing or unreadable
 * manifest is not fatal for verification: it is checked for minSdkVersion 1, with a warning saying so.
 */
export function signatureSdksOf(archive: ZipArchive, minSdk?: number): { options: VerifyOptions; warning?: string } {
  if (!archive.has('AndroidManifest.xml')) {
    return { options: signatureSdks(undefined, minSdk), warning: 'no AndroidManifest.xml: verifying for minSdkVersion 1' };
  }
  try {
    return { options: signatureSdks(parseManifest(archive.read('AndroidManifest.xml')), minSdk) };
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    return {
      options: signatureSdks(undefined, minSdk),
      warning: `cannot read AndroidManifest.xml (${error.message}): verifying for minSdkVersion 1`,
    };
  }
}
