import {
  analyzeArchive,
  analyzePackageAsync,
  ZipArchive,
  type AnalyzeOptions,
  type NestedBudget,
  type PackageAnalysis,
  type RandomAccessSource,
  type ZipLimits,
} from '@apprights/apk';
import { detectAll, isDangerousPermission, loadSdkCatalogAsync, type KnowledgeFindings } from '@apprights/knowledge';
import type { PackageFacts } from '@apprights/rules';
import { asEngineError, checkAborted } from './errors.js';
import { buildPackageFacts } from './facts.js';
import { packagePrefixes, type PackagePrefixSet } from './package-prefixes.js';
import { measured, type RunControl } from './progress.js';

/** A package to read: a file path, a random-access source (a blob store's reader) or the bytes. */
export type PackageInput = string | RandomAccessSource | Uint8Array;

export interface ReadLimits {
  zip?: Partial<ZipLimits>;
  nested?: Partial<NestedBudget>;
}

export interface ReadPackageOptions extends RunControl {
  /** Record unreadable parts as problems and go on (the CLI's `--keep-going`); default: stop at the first. */
  keepGoing?: boolean;
  limits?: ReadLimits;
  /** The file name reports show for a source or bytes (default `package`). */
  name?: string;
  /**
   * Search each sensitive API caller for a call path from an entry point (APKs): callers,
   * sensitiveApis and permissionUse then say `reachable` or `present`. Default false: the bounded
   * search costs up to about a second on an 18 MB APK.
   */
  reachability?: boolean;
  /**
   * Also list the package prefixes of the code (`PackageRead.packagePrefixes`), for a facts section
   * that is kept. Default false: a report without facts never shows them.
   */
  packagePrefixes?: boolean;
}

function describe(input: PackageInput, name: string | undefined): string {
  return typeof input === 'string' ? input : (name ?? 'package');
}

/** What one read of a package gives: its facts and the package prefixes of its code. */
export interface PackageRead {
  facts: PackageFacts;
  /** Present when `packagePrefixes` was asked. */
  packagePrefixes?: PackagePrefixSet;
}

/**
 * Reads one package and matches it against the knowledge base: the package facts every rule and
 * report section is built from, and the package prefixes of its code (from the same analysis).
 * Cooperative abort: the signal is checked at every stage and DEX file.
 */
export async function readPackage(input: PackageInput, options: ReadPackageOptions = {}): Promise<PackageRead> {
  const subject = describe(input, options.name);
  const { signal } = options;
  checkAborted(signal);
  // The catalogue's files are read while the package is analysed; a failure shows up at detection.
  const catalog = loadSdkCatalogAsync();
  catalog.catch(() => {});
  const analyzeOptions: AnalyzeOptions = {
    strict: !options.keepGoing,
    ...(options.limits?.zip ? { zipLimits: options.limits.zip } : {}),
    ...(options.limits?.nested ? { nestedBudget: options.limits.nested } : {}),
    onProgress: (stage, done, total) => {
      checkAborted(signal);
      options.onProgress?.(stage, done, total);
    },
    ...(options.measure ? { measure: options.measure } : {}),
  };
  // SDK and API matching, run while the analysis worker (for a large file) hashes it and verifies
  // the signatures, which matching does not need.
  let findings: KnowledgeFindings | undefined;
  const detect = async (analysis: PackageAnalysis): Promise<KnowledgeFindings> => {
    await catalog;
    checkAborted(signal);
    options.onProgress?.('knowledge');
    findings = measured(options, 'knowledge', () =>
      detectAll(analysis, { isDangerous: isDangerousPermission, reachability: options.reachability ?? false }),
    );
    return findings;
  };
  let analysis: PackageAnalysis;
  try {
    if (typeof input === 'string') {
      analysis = await analyzePackageAsync(input, { ...analyzeOptions, onDexRead: async (read) => void (await detect(read)) });
    } else {
      const archive =
        input instanceof Uint8Array
          ? ZipArchive.fromBytes(input, analyzeOptions.zipLimits)
          : ZipArchive.fromSource(input, analyzeOptions.zipLimits);
      try {
        analysis = analyzeArchive(archive, subject, analyzeOptions);
      } catch (error) {
        archive.close();
        throw error;
      }
    }
  } catch (error) {
    throw asEngineError(error, subject);
  }
  try {
    const found = findings ?? (await detect(analysis));
    return measured(options, 'report', () => ({
      facts: buildPackageFacts(analysis, found),
      ...(options.packagePrefixes ? { packagePrefixes: packagePrefixes(analysis) } : {}),
    }));
  } catch (error) {
    throw asEngineError(error, subject);
  } finally {
    analysis.close();
  }
}
