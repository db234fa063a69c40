export * from './document/types.js';
export { readPolicy, detectFormat, type ReadOptions } from './document/read.js';
export * from './analysis/types.js';
export { analyzePolicy, type AnalyzeOptions } from './analysis/analyze.js';
export {
  loadPolicy,
  DEFAULT_POLICY_MAX_BYTES,
  DEFAULT_POLICY_TIMEOUT_MS,
  type LoadPolicyOptions,
  type LoadedPolicy,
} from './fetch/load.js';
export { decodePolicyBytes, type DecodedText, type DecodeOptions } from './fetch/decode.js';
