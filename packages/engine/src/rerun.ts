import { assembleScanReport, type CoverageEntry, type Finding, type RuleOutcome } from '@apprights/rules';
import { loadKnowledge } from '@apprights/knowledge';
import { assembleOptions, resolveChecks, type CheckOptions } from './checks.js';
import { InputError } from './errors.js';
import { FACTS_VERSION, otherEvidence, type ScanFacts } from './facts-section.js';

export interface RerunResult {
  rules: RuleOutcome[];
  findings: Finding[];
  coverage: CoverageEntry[];
}

/**
 * Runs the rules again over stored facts (a report's `facts` section), with today's rules and
 * catalogue and the given configuration: no package, no policy fetch, no trace file. With the same
 * rules and configuration it gives exactly the findings and coverage of the report the facts came
 * from (a test holds it to that for every fixture and real APK).
 */
export function rerunRules(facts: ScanFacts, options: CheckOptions = {}): RerunResult {
  checkFacts(facts);
  const checks = resolveChecks(options);
  const report = assembleScanReport(facts.package, {
    ...assembleOptions(checks, checks.knowledge ?? loadKnowledge(), options.toolVersion),
    evidence: otherEvidence(facts),
  });

  return { rules: report.rules, findings: report.findings, coverage: report.coverage };
}

/** Stored facts come from outside (a database, a file): refuse what this version cannot read. */
function checkFacts(facts: ScanFacts): void {
  const version = typeof facts?.schemaVersion === 'string' ? facts.schemaVersion : undefined;
  if (!version || !facts.package || typeof facts.package !== 'object')
    throw new InputError('facts', {
      en: 'not a facts section: schemaVersion and package are required',
      zh: '不是事实数据：缺少 schemaVersion 或 package',
    });
  if (version.split('.')[0] !== FACTS_VERSION.split('.')[0])
    throw new InputError('facts', {
      en: `facts of version ${version} cannot be read by this version (reads ${FACTS_VERSION.split('.')[0]}.x)`,
      zh: `无法读取 ${version} 版本的事实数据（本版本读取 ${FACTS_VERSION.split('.')[0]}.x）`,
    });
}
