export * from './evidence/package-facts.js';
export * from './evidence/evidence.js';
export * from './engine/types.js';
export * from './engine/config.js';
export * from './engine/suppress.js';
export * from './engine/run.js';
export * from './report/scan-report.js';
export { allRules, ruleById } from './rules/index.js';
export * from './report/assemble.js';
