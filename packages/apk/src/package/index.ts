export { analyzePackage, analyzeArchive, sdkNumber } from './analyze.js';
export type { AnalyzeOptions, AnalysisStage, AnalysisProblem, DexAnalysis, PackageAnalysis } from './analyze.js';
export { detectPackageKind, isBinaryXml, type PackageKind } from './detect.js';
export { countDefinedMethods } from './dex-counts.js';
export { inspectNested, DEFAULT_NESTED_BUDGET, type NestedArchive, type NestedBudget } from './nested.js';
