import { createHash } from 'node:crypto';
import { EVIDENCE_KINDS, type KnowledgeSnapshot } from '@apprights/knowledge';
import { availableEvidence, EVIDENCE_OPTIONS, type Evidence, type EvidenceKind } from '../evidence/evidence.js';
import type { RulesConfig } from './config.js';
import { resolveFix } from './fix.js';
import { renderMessage } from './messages.js';
import { resolveOptions } from './options.js';
import { applySuppressions } from './suppress.js';
import type { CoverageEntry, CoverageStatus, Finding, MessageValue, Rule, RuleOutcome, Severity } from './types.js';
import { severityRank } from './types.js';

/** What the coverage matrix needs of a catalogue measure. */
export interface MeasureRef {
  id: string;
  evidence: readonly EvidenceKind[];
  rules: readonly string[];
  /**
   * Where the measure can be checked (the catalogue's `assessment`; default `app`). A `platform` or
   * `organisation` measure is a store's, device maker's or organisation's duty: what an app scan
   * finds about it is a signal, never a pass or a fail.
   */
  assessment?: 'app' | 'platform' | 'organisation';
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
        if (input.fix) finding.fix = resolveFix(input.fix, meta.id, meta.fixable === 'manifest');
        produced.push(finding);
      }
    } catch (error) {
      outcomes.push({ id: meta.id, status: 'error', error: (error as Error).message, findings: 0 });
      continue;
    }
    for (const finding of produced) findings.push(finding);
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

/** Kinds in the catalogue's order, so every report lists them alike. */
function ordered(kinds: Set<EvidenceKind>): EvidenceKind[] {
  return EVIDENCE_KINDS.filter((kind) => kinds.has(kind));
}

/**
 * One entry per catalogue measure, in catalogue order: none may go missing from a report. A
 * measure the catalogue assesses on a platform or in an organisation is `platform-checked` or
 * `organisational` whatever its rules found: their findings count as signals.
 *
 * A measure is decided by the evidence kinds the catalogue lists for it and those its rules need.
 * It passes only when every one of them was supplied and examined by a rule that ran, every rule
 * serving it ran, and none found anything: a clean static scan says nothing about what the app does
 * before consent, so a measure a trace decides is never `passed` without one. Otherwise it is
 * `partially-assessed` (some of its deciding evidence was examined) or `not-assessed` (none was, or
 * only the package was for a measure that behaviour decides), and names the evidence to supply, the
 * option that supplies it, and what is left to a person (`manual`).
 */
export function computeCoverage(
  measures: readonly MeasureRef[],
  rules: readonly Rule[],
  result: RunResult,
  evidence: Evidence,
): CoverageEntry[] {
  const available = availableEvidence(evidence);
  const outcome = new Map(result.rules.map((o) => [o.id, o]));
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  // Findings by measure once, rather than a pass over all findings per measure.
  const failingBy = new Map<string, number>();
  for (const f of result.findings) {
    if (!isActionable(f) || outcome.get(f.ruleId)?.status !== 'ran') continue;
    for (const m of f.measures) failingBy.set(m, (failingBy.get(m) ?? 0) + 1);
  }
  return measures.map((measure) => {
    const serving = new Set(measure.rules);
    for (const rule of rules) if (rule.meta.measures.includes(measure.id)) serving.add(rule.meta.id);
    const ids = [...serving].sort();
    // Inventory rules list facts without judging them: they neither examine nor decide a measure.
    const checks = ids.filter((id) => byId.get(id)?.meta.kind !== 'inventory');
    const ran = checks.filter((id) => outcome.get(id)?.status === 'ran');
    const notRun = checks.filter((id) => outcome.get(id)?.status !== 'ran');
    // What the serving rules read (run or not): supplied evidence none of them reads is for a person.
    const read = new Set<EvidenceKind>();
    for (const id of checks) for (const kind of byId.get(id)?.meta.evidence ?? []) read.add(kind);
    const deciding = new Set<EvidenceKind>([...measure.evidence, ...read]);
    const examined = new Set<EvidenceKind>();
    for (const id of ran) for (const kind of byId.get(id)?.meta.evidence ?? []) examined.add(kind);
    const missing = new Set<EvidenceKind>();
    const manual = new Set<EvidenceKind>();
    for (const kind of deciding) {
      if (kind === 'org') manual.add(kind);
      else if (!available.has(kind)) missing.add(kind);
      else if (!read.has(kind)) manual.add(kind);
    }
    const failing = failingBy.get(measure.id) ?? 0;
    const toolKinds = [...deciding].filter((kind) => kind !== 'org');
    // A rule that is not applicable to this kind of package has nothing to judge; it does not stop a
    // pass, but the others still have to have run.
    const blocking = notRun.filter((id) => outcome.get(id)?.status !== 'not-applicable');
    // The package shows what an app could do; a policy, a trace, UI snapshots and the listing show
    // what it does and says. When a measure is decided by any of those, rules that read only the
    // package can fail it but not assess it: without one of them examined it is not assessed.
    const behavioural = toolKinds.filter((kind) => kind !== 'apk');
    const assessing = behavioural.length === 0 ? ran.length > 0 : behavioural.some((kind) => examined.has(kind));
    let status: CoverageStatus;
    // A store's, device maker's or organisation's duty: an app scan neither passes nor fails it, and
    // nothing it could be given would; what its rules found counts as signals.
    if (measure.assessment === 'platform' || measure.assessment === 'organisation') {
      return {
        measure: measure.id,
        status: measure.assessment === 'platform' ? 'platform-checked' : 'organisational',
        rules: ids,
        findings: failing,
        needs: [],
        missing: [],
        manual: [],
        supplyWith: [],
        notRun,
      };
    }
    if (failing > 0) status = 'failed';
    else if (!assessing) status = toolKinds.length === 0 ? 'organisational' : 'not-assessed';
    else if (missing.size === 0 && manual.size === 0 && blocking.length === 0) status = 'passed';
    else status = 'partially-assessed';
    const missingList = ordered(missing);
    const manualList = ordered(manual);
    return {
      measure: measure.id,
      status,
      rules: ids,
      findings: failing,
      needs: ordered(new Set([...missing, ...manual])),
      missing: missingList,
      manual: manualList,
      supplyWith: [...new Set(missingList.flatMap((kind) => EVIDENCE_OPTIONS[kind]))],
      notRun,
    };
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
