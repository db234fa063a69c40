export * from './evidence/package-facts.js';
export * from './evidence/evidence.js';
export {
  COMPONENT_TYPE_NAMES,
  callersBy,
  codeRef,
  isAospTestCertificate,
  isDangerousLevel,
  isDebugCertificate,
  isSpecialLevel,
  sdkNeedsDisclosure,
  sdkObservedPI,
} from './evidence/queries.js';
export { policyPassage, policyWhole, type PolicyRef } from './evidence/policy.js';
export * from './evidence/policy-comparison.js';
export { DOWNLOAD_ELEMENTS, ELEMENT_NAMES, type DownloadElement } from './evidence/ui-download.js';
export * from './engine/types.js';
export * from './engine/config.js';
export * from './engine/suppress.js';
export * from './engine/run.js';
export {
  defineRule,
  type EvidenceFor,
  type OptionsOf,
  type OptionValue,
  type RuleDefinition,
  type RuleEvidenceKind,
  type TypedRuleContext,
} from './engine/define.js';
export { optionProblem, resolveOptions, ruleDefaults, validateRuleOptions } from './engine/options.js';
export { elementLabel, resolveFix } from './engine/fix.js';
export { placeholders, renderMessage, renderTemplate } from './engine/messages.js';
export * from './report/scan-report.js';
export { allRules, ruleById } from './rules/index.js';
export * from './report/assemble.js';
export * from './report/policy-report.js';
export * from './diff/index.js';
export * from './report/trace-report.js';
export * from './report/link-runtime.js';
