import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { PackageFacts } from '../evidence/package-facts.js';
import { availableEvidence, type Evidence, type StoreListing } from '../evidence/evidence.js';
import { emptyConfig, type RulesConfig } from '../engine/config.js';
import { computeCoverage, runRules, type MeasureRef } from '../engine/run.js';
import type { Rule, Severity } from '../engine/types.js';
import { allRules } from '../rules/index.js';
import { linkRuntime, type EventAttribution } from './link-runtime.js';
import { SCAN_REPORT_VERSION, type ScanReport } from './scan-report.js';
import { summariseTrace, summariseUi } from './trace-report.js';

export interface AssembleOptions {
  toolVersion: string;
  /** The catalogue's measures, in order (`loadMeasureCatalog().measures` from @apprights/knowledge). */
  measures: readonly MeasureRef[];
  /** The catalogue version those measures come from (default: the snapshot's measure catalogue's). */
  measuresVersion?: number;
  /** The catalogues the rules judge by; its id is recorded in the report. */
  knowledge: KnowledgeSnapshot;
  store?: StoreListing;
  config?: RulesConfig;
  failOn?: Severity | 'none';
  /** Default: every rule. */
  rules?: readonly Rule[];
  /** Other evidence (policy, trace, UI) checked together with the package. */
  evidence?: Omit<Evidence, 'package' | 'store'>;
  /** How trace events are attributed to SDKs when static findings are linked to a trace (default: by class prefix). */
  attribute?: EventAttribution;
}

/** Runs the rules over the package facts (and any other evidence) and makes the scan report. */
export function assembleScanReport(facts: PackageFacts, options: AssembleOptions): ScanReport {
  const config = options.config ?? emptyConfig();
  const rules = options.rules ?? allRules;
  const evidence: Evidence = { ...(options.evidence ?? {}), package: facts };
  if (options.store) evidence.store = options.store;
  const result = runRules(evidence, rules, config, options.knowledge);
  // "Present" versus "active": static findings about code the trace saw run, or did not.
  linkRuntime(result.findings, evidence, rules, options.attribute ? { attribute: options.attribute } : {});
  const coverage = computeCoverage(options.measures, rules, result, evidence);
  return {
    schemaVersion: SCAN_REPORT_VERSION,
    tool: { name: 'apprights', version: options.toolVersion },
    context: {
      store: options.store ?? null,
      config: config.source,
      failOn: options.failOn ?? config.failOn ?? 'none',
      evidence: [...availableEvidence(evidence)],
      measuresVersion: options.measuresVersion ?? options.knowledge.measures.version,
      knowledge: { id: options.knowledge.id, versions: options.knowledge.versions },
    },
    ...facts,
    rules: result.rules,
    findings: result.findings,
    coverage,
    ...(evidence.policy ? { policy: evidence.policy } : {}),
    ...(evidence.trace ? { trace: summariseTrace(evidence.trace, evidence.ui) } : {}),
    ...(evidence.ui ? { ui: summariseUi(evidence.ui, evidence.trace) } : {}),
  };
}
