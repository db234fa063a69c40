import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { SECTION_KINDS, type PolicyAnalysis, type SectionKind } from '@apprights/policy';
import { availableEvidence, type Evidence, type StoreListing } from '../evidence/evidence.js';
import { emptyConfig, type RulesConfig } from '../engine/config.js';
import { computeCoverage, runRules, type MeasureRef } from '../engine/run.js';
import { SEVERITIES, type CoverageEntry, type Finding, type Rule, type RuleOutcome, type Severity } from '../engine/types.js';
import { allRules } from '../rules/index.js';
import type { ReportContext } from './context.js';

/**
 * The report of `apprights policy`: the policy analysis itself at the top level (so a consumer of
 * the analysis reads the report unchanged), plus what the rules found in it. Documented by the CLI's
 * `schemas/policy-report.schema.json`; `reportVersion` versions the report fields, the analysis has
 * its own `version`. 1.1.0 added `context.knowledge` and, on findings, `messageId` and `messageData`.
 */
/** 1.1.0: the coverage of the scan report's 1.5.0 (strict `passed`, `partially-assessed`, `not-assessed`, `platform-checked`, `missing`, ...) and `context.measuresVersion`. */
export const POLICY_REPORT_VERSION = '1.1.0';

export interface PolicyReportSummary {
  /** Unsuppressed findings by severity. */
  findings: Record<Severity, number>;
  suppressed: number;
  sections: number;
  /** The section kinds the analyser knows, split by whether the policy has a section of that kind. */
  sectionKinds: { found: SectionKind[]; missing: SectionKind[] };
  dataMentions: number;
  sensitiveMentions: number;
  /** Sensitive mentions shown bold, underlined or in colour, as the notice asks. */
  sensitiveHighlighted: number;
  purposes: number;
  permissions: number;
  recipients: number;
  sdkTableRows: number;
  contacts: number;
}

export interface PolicyReport extends PolicyAnalysis {
  reportVersion: string;
  tool: { name: 'apprights'; version: string };
  /** ISO 8601: a policy URL can answer differently tomorrow, so the report says when it was read. */
  generatedAt: string;
  context: ReportContext;
  rules: RuleOutcome[];
  findings: Finding[];
  coverage: CoverageEntry[];
  summary: PolicyReportSummary;
}

export interface AssemblePolicyOptions {
  toolVersion: string;
  measures: readonly MeasureRef[];
  /** The catalogue version those measures come from (default: the snapshot's measure catalogue's). */
  measuresVersion?: number;
  /** The catalogues the rules judge by; its id is recorded in the report. */
  knowledge: KnowledgeSnapshot;
  store?: StoreListing;
  config?: RulesConfig;
  failOn?: Severity | 'none';
  rules?: readonly Rule[];
  /** Default: now. */
  generatedAt?: Date;
}

/** Runs the rules over a policy alone (rules that also need the package are skipped) and makes the report. */
export function assemblePolicyReport(analysis: PolicyAnalysis, options: AssemblePolicyOptions): PolicyReport {
  const config = options.config ?? emptyConfig();
  const rules = options.rules ?? allRules;
  const evidence: Evidence = { policy: analysis };
  if (options.store) evidence.store = options.store;
  const result = runRules(evidence, rules, config, options.knowledge);
  const coverage = computeCoverage(options.measures, rules, result, evidence);
  return {
    reportVersion: POLICY_REPORT_VERSION,
    tool: { name: 'apprights', version: options.toolVersion },
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    ...analysis,
    context: {
      store: options.store ?? null,
      config: config.source,
      failOn: options.failOn ?? config.failOn ?? 'none',
      evidence: [...availableEvidence(evidence)],
      measuresVersion: options.measuresVersion ?? options.knowledge.measures.version,
      knowledge: { id: options.knowledge.id, versions: options.knowledge.versions },
    },
    rules: result.rules,
    findings: result.findings,
    coverage,
    summary: summarisePolicy(analysis, result.findings),
  };
}

export function summarisePolicy(analysis: PolicyAnalysis, findings: readonly Finding[]): PolicyReportSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity]++;
  const found = new Set(analysis.sections.flatMap((s) => s.kinds));
  const sensitive = analysis.dataMentions.filter((m) => m.sensitive);
  return {
    findings: bySeverity,
    suppressed: findings.filter((f) => f.suppressed).length,
    sections: analysis.sections.length,
    sectionKinds: {
      found: SECTION_KINDS.filter((k) => found.has(k)),
      missing: SECTION_KINDS.filter((k) => !found.has(k)),
    },
    dataMentions: analysis.dataMentions.length,
    sensitiveMentions: sensitive.length,
    sensitiveHighlighted: sensitive.filter((m) => m.highlighted).length,
    purposes: analysis.purposes.length,
    permissions: analysis.permissions.length,
    recipients: analysis.recipients.length,
    sdkTableRows: analysis.sdkTable.length,
    contacts: analysis.contacts.length,
  };
}
