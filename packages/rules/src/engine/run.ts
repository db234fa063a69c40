import { createHash } from 'node:crypto';
import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { availableEvidence, type Evidence, type EvidenceKind } from '../evidence/evidence.js';
import type { RulesConfig } from './config.js';
import { renderMessage } from './messages.js';
import { resolveOptions } from './options.js';
import { applySuppressions } from './suppress.js';
import type { CoverageEntry, Finding, MessageValue, Rule, RuleOutcome, Severity } from './types.js';
import { severityRank } from './types.js';

/** What the coverage matrix needs of a catalogue measure. */
export interface MeasureRef {
  id: string;
  evidence: readonly EvidenceKind[];
  rules: readonly string[];
}

export interface RunResult {
  findings: Finding[];
  rules: RuleOutcome[];
}

/**
 * The message data as the report keeps it: a `{ zh, en }` value is cut down to those two texts, so a
 * rule passing a catalogue object (an app type, an SDK's name) stores its words, not the whole entry.
 */
function plainData(data: Record<string, MessageValue>): Record<string, MessageValue> {
  const out: Record<string, MessageValue> = {};
  for (const [key, value] of Object.entries(data))
    out[key] = value !== null && typeof value === 'object' ? { zh: String(value.zh), en: String(value.en) } : value;
  return out;
}

export function fingerprint(ruleId: string, key: string): string {
  return createHash('sha256').update(`${ruleId}\0${key}`).digest('hex').slice(0, 16);
}

/**
 * Runs every enabled rule whose evidence is present, with the knowledge snapshot as the only
 * catalogue it may read. A rule that throws is reported as an `error` outcome rather than ending
 * the run: one faulty check must not hide the others' findings. A configured option that does not
 * fit the rule's spec throws a `ConfigError` (a configuration built in code skips `parseConfig`).
 */
export function runRules(evidence: Evidence, rules: readonly Rule[], config: RulesConfig, knowledge: KnowledgeSnapshot): RunResult {
  const available = availableEvidence(evidence);
  const findings: Finding[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const { meta } = rule;
    const setting = config.rules[meta.id];
    if (setting && !setting.enabled) {
      outcomes.push({ id: meta.id, status: 'disabled', findings: 0 });
      continue;
    }
    const missing = meta.evidence.filter((kind) => !available.has(kind));
    if (missing.length > 0) {
      outcomes.push({ id: meta.id, status: 'skipped', missing, findings: 0 });
      continue;
    }
    const kind = evidence.package?.file.kind;
    if (meta.appliesTo && kind !== undefined && !meta.appliesTo.includes(kind)) {
      outcomes.push({ id: meta.id, status: 'not-applicable', findings: 0 });
      continue;
    }
    const options = resolveOptions(rule, setting?.options, knowledge, config.source);
    const produced: Finding[] = [];
    try {
      const seen = new Set<string>();
      for (const input of rule.check({ evidence, options, knowledge })) {
        // Two findings with one key are one finding to a reader and to suppressions; keep the first.
        if (seen.has(input.key)) continue;
        seen.add(input.key);
        const finding: Finding = {
          ruleId: meta.id,
          measures: input.measures ? meta.measures.filter((m) => input.measures!.includes(m)) : [...meta.measures],
          severity: setting?.severity ?? input.severity ?? meta.severity,
          message: renderMessage(meta.messages, input.messageId, input.messageData),
          messageId: input.messageId,
          ...(input.messageData ? { messageData: plainData(input.messageData) } : {}),
          evidence: input.evidence,
          fingerprint: fingerprint(meta.id, input.key),
        };
        if (input.data) finding.data = input.data;
        produced.push(finding);
      }
    } catch (error) {
      outcomes.push({ id: meta.id, status: 'error', error: (error as Error).message, findings: 0 });
      continue;
    }
    findings.push(...produced);
    outcomes.push({ id: meta.id, status: 'ran', findings: produced.length });
  }
  applySuppressions(findings, config.suppressions);
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  return { findings, rules: outcomes };
}

/** Counts toward a failed measure or a gate: not suppressed, and more than information. */
export function isActionable(finding: Finding): boolean {
  return !finding.suppressed && finding.severity !== 'info';
}

/**
 * One entry per catalogue measure, in catalogue order: none may go missing from a report. A measure
 * passes only when a rule serving it ran and found nothing; `needs` still names the evidence that
 * would check it further, because a clean static scan says nothing about runtime behaviour.
 */
export function computeCoverage(
  measures: readonly MeasureRef[],
  rules: readonly Rule[],
  result: RunResult,
  evidence: Evidence,
): CoverageEntry[] {
  const available = availableEvidence(evidence);
  const outcome = new Map(result.rules.map((o) => [o.id, o]));
  return measures.map((measure) => {
    const serving = new Set(measure.rules);
    for (const rule of rules) if (rule.meta.measures.includes(measure.id)) serving.add(rule.meta.id);
    const ids = [...serving].sort();
    const ran = ids.filter((id) => outcome.get(id)?.status === 'ran');
    const judged = ran.filter((id) => rules.find((r) => r.meta.id === id)?.meta.kind !== 'inventory');
    const failing = result.findings.filter((f) => ran.includes(f.ruleId) && f.measures.includes(measure.id) && isActionable(f)).length;
    const checkable = measure.evidence.filter((kind) => kind !== 'org');
    const missing = checkable.filter((kind) => !available.has(kind));
    const skippedFor = new Set<EvidenceKind>();
    for (const id of ids) for (const kind of outcome.get(id)?.missing ?? []) skippedFor.add(kind);
    const needs = [...new Set<EvidenceKind>([...missing, ...skippedFor])];
    let status: CoverageEntry['status'];
    if (failing > 0) status = 'failed';
    else if (judged.length > 0) status = 'passed';
    else if (checkable.length === 0) status = 'organisational';
    else status = 'needs-evidence';
    // A measure no rule can check yet, with all its evidence kinds present, still needs a person to
    // look at that evidence: name the kinds rather than leave `needs` empty.
    const entry: CoverageEntry = {
      measure: measure.id,
      status,
      rules: ids,
      findings: failing,
      needs: status === 'needs-evidence' && needs.length === 0 ? checkable : needs,
    };
    return entry;
  });
}

/** The most severe actionable finding's severity, or null. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (isActionable(f) && (worst === null || severityRank(f.severity) > severityRank(worst))) worst = f.severity;
  return worst;
}

/** `--fail-on`: true when an actionable finding is at least as severe as the threshold. */
export function gateFails(findings: readonly Finding[], threshold: Severity | 'none'): boolean {
  if (threshold === 'none') return false;
  const worst = worstSeverity(findings);
  return worst !== null && severityRank(worst) >= severityRank(threshold);
}
