export * from './document/types.js';
export { readPolicy, detectFormat, type ReadOptions } from './document/read.js';
export * from './analysis/types.js';
export { analyzePolicy, type AnalyzeOptions } from './analysis/analyze.js';
