/**
 * @apprights/engine: the one typed entry point to AppRights' checks. A small, curated API (like
 * ESLint's `lib/api.js`): read and check a package, a privacy policy, a runtime trace; compare two
 * versions; judge stored facts again. Reports are locale-free data; @apprights/report renders them.
 * Errors are typed: InputError (the user's input), LimitError (a configured limit), AbortError.
 */
export { scanPackage, type ScanOptions, type EngineScanReport } from './scan.js';
export { checkPolicy, type PolicyOptions } from './policy.js';
export { checkTrace, type TraceOptions } from './trace.js';
export { diffPackages, type DiffOptions } from './diff.js';
export { rerunRules, type RerunResult } from './rerun.js';
export {
  readPolicy,
  readRuntime,
  type PolicySource,
  type ReadPolicyOptions,
  type ReadRuntimeOptions,
  type RuntimeEvidence,
} from './evidence.js';
export { resolveChecks, findAppType, parseStoreListing, type CheckOptions, type ResolvedChecks } from './checks.js';
export { EngineError, InputError, LimitError, AbortError, type ErrorText } from './errors.js';
export { FACTS_VERSION, READERS_VERSION, type ScanFacts } from './facts-section.js';
export { PACKAGE_PREFIX_CAP, PACKAGE_PREFIX_DEPTH, prefixKey, prefixSetOf, type PackagePrefixSet } from './package-prefixes.js';
export { schemasDir } from './schemas.js';
export {
  readSourceManifest,
  parseSourceManifest,
  matchManifest,
  attachPatches,
  fixedManifest,
  applyReplacements,
  MAX_SOURCE_MANIFEST_BYTES,
  type SourceManifest,
  type ManifestMatch,
  type FixedManifest,
} from './manifest-source/source-manifest.js';
export { unifiedDiff } from './manifest-source/diff.js';
export type { PackageInput, ReadLimits } from './package-facts.js';
export type { EngineStage, ProgressCallback, RunControl } from './progress.js';
export type {
  ScanReport,
  PolicyReport,
  TraceReport,
  ReportDiff,
  Finding,
  CoverageEntry,
  RuleOutcome,
  Severity,
  PackageFacts,
  StoreListing,
  RulesConfig,
} from '@apprights/rules';
export { gateFails, diffGateFails, SEVERITIES } from '@apprights/rules';
export { signatureSummary } from './facts.js';
export { draftPolicy, draftListing, type DraftOptions, type PolicyDraftOptions, type ListingDraftOptions } from './drafts.js';
export * from './draft-model.js';
