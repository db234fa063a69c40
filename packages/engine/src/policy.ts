import type { PolicyAnalysis } from '@apprights/policy';
import { assemblePolicyReport, type PolicyReport } from '@apprights/rules';
import { assembleOptions, knowledgeFor, resolveChecks, type CheckOptions } from './checks.js';
import { checkAborted } from './errors.js';
import { readPolicy, type PolicySource, type ReadPolicyOptions } from './evidence.js';
import { measured } from './progress.js';

export interface PolicyOptions extends CheckOptions, ReadPolicyOptions {}

/**
 * Reads a privacy policy (file, http(s) URL or text; or one already analysed) and checks it alone:
 * the rules that need only the policy (and the app type, when given) run, the others are listed as
 * not run. Configuration is checked before the policy is fetched.
 */
export async function checkPolicy(source: PolicySource | PolicyAnalysis, options: PolicyOptions = {}): Promise<PolicyReport> {
  const checks = resolveChecks(options);
  const analysis = isAnalysis(source) ? source : await readPolicy(source, options);
  const knowledge = await knowledgeFor(checks);
  checkAborted(options.signal);
  options.onProgress?.('rules');
  return measured(options, 'rules', () => assemblePolicyReport(analysis, assembleOptions(checks, knowledge, options.toolVersion)));
}

function isAnalysis(source: PolicySource | PolicyAnalysis): source is PolicyAnalysis {
  return typeof source === 'object' && 'sections' in source && 'version' in source;
}
