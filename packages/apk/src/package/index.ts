export { analyzePackage, analyzePackageAsync, analyzeArchive } from './analyze.js';
export { sdkNumber, signatureSdks, signatureSdksOf } from './sdk.js';
export type { AnalyzeOptions, AnalysisStage, AnalysisProblem, DexAnalysis, PackageAnalysis } from './analyze.js';
export { detectPackageKind, isBinaryXml, type PackageKind } from './detect.js';
export { isDexMagic } from './lone-dex.js';
export { countDefinedMethods } from './dex-counts.js';
export { inspectNested, DEFAULT_NESTED_BUDGET, type NestedArchive, type NestedBudget } from './nested.js';
export { DEFAULT_VERSION_FILE_LIMITS, isVersionFile, readVersionFiles, type VersionFile, type VersionFileLimits } from './version-files.js';
