/**
 * Testing rules the way users run them: through `runRules`, with a real knowledge snapshot and a
 * configuration parsed like `apprights.config.json` (so option specs are checked as they are for
 * users). Cases assert message ids and data, not prose: wording can improve without breaking tests,
 * while a changed fact (a count, a name, a key) cannot slip through.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadKnowledge, type KnowledgeSnapshot } from '@apprights/knowledge';
import type { Evidence } from '../evidence/evidence.js';
import { parseConfig } from '../engine/config.js';
import { renderMessage } from '../engine/messages.js';
import { resolveOptions } from '../engine/options.js';
import { fingerprint, runRules, type RunResult } from '../engine/run.js';
import type { Bilingual, EvidenceRef, Finding, FindingInput, ManifestEdit, MessageValue, Rule, Severity } from '../engine/types.js';

export interface ValidCase {
  /** Shown in the test name. */
  name: string;
  evidence: Evidence;
  /** Options as a configuration file sets them (validated against the rule's specs). */
  options?: Record<string, unknown>;
}

export interface ExpectedFinding {
  messageId: string;
  /** The message data, exactly (omit to not check it). */
  data?: Record<string, MessageValue>;
  /** The finding's key (checked through its fingerprint). */
  key?: string;
  severity?: Severity;
  measures?: string[];
  evidence?: EvidenceRef[];
  /** The finding's machine facts (`data` of the report), exactly. */
  facts?: Record<string, unknown>;
  /**
   * The fix's manifest edits, exactly; `null` asserts the finding has no fix. Its words are checked
   * for both languages whenever there is a fix.
   */
  fix?: ManifestEdit[] | null;
}

export interface InvalidCase extends ValidCase {
  /** In report order (most severe first, then as the rule reported them). */
  findings: ExpectedFinding[];
}

export interface BadOptionsCase {
  name: string;
  options: Record<string, unknown>;
  /** What the configuration error must say (it always names the rule and the option). */
  error: RegExp;
}

export interface RuleTesterOptions {
  /** Default: the package's snapshot (`loadKnowledge()`). */
  knowledge?: KnowledgeSnapshot;
}

/** Runs one rule as users do: a parsed configuration, `runRules`, the knowledge snapshot. */
export function runRule(
  rule: Rule,
  evidence: Evidence,
  options?: Record<string, unknown>,
  knowledge: KnowledgeSnapshot = loadKnowledge(),
): RunResult {
  const config = parseConfig(options ? { rules: { [rule.meta.id]: { options } } } : {}, null, [rule]);
  return runRules(evidence, [rule], config, knowledge);
}

/** What `check` returned, with each message rendered: for tests of a rule's keys and evidence. */
export type CheckedFinding = FindingInput & { message: Bilingual };

/**
 * Calls the rule's `check` directly with its resolved options and the snapshot, rendering each
 * message: for tests that look at what a rule returns (keys, per-finding severity) rather than at
 * the report. Options are validated as `runRules` validates them.
 */
export function checkRule(
  rule: Rule,
  evidence: Evidence,
  options?: Record<string, unknown>,
  knowledge: KnowledgeSnapshot = loadKnowledge(),
): CheckedFinding[] {
  const resolved = resolveOptions(rule, options, knowledge);
  return rule.check({ evidence, options: resolved, knowledge }).map((f) => ({
    ...f,
    message: renderMessage(rule.meta.messages, f.messageId, f.messageData),
  }));
}

function assertFinding(rule: Rule, actual: Finding, expected: ExpectedFinding, where: string): void {
  assert.equal(actual.messageId, expected.messageId, `${where}: messageId`);
  if (expected.data !== undefined) assert.deepEqual(actual.messageData ?? {}, expected.data, `${where}: message data`);
  if (expected.key !== undefined)
    assert.equal(actual.fingerprint, fingerprint(rule.meta.id, expected.key), `${where}: key ${expected.key}`);
  if (expected.severity !== undefined) assert.equal(actual.severity, expected.severity, `${where}: severity`);
  if (expected.measures !== undefined) assert.deepEqual(actual.measures, expected.measures, `${where}: measures`);
  if (expected.evidence !== undefined) assert.deepEqual(actual.evidence, expected.evidence, `${where}: evidence`);
  if (expected.facts !== undefined) assert.deepEqual(actual.data ?? {}, expected.facts, `${where}: data`);
  if (expected.fix !== undefined) assert.deepEqual(actual.fix?.edits ?? null, expected.fix, `${where}: fix edits`);
  if (actual.fix) {
    assert.ok(/[\u4e00-\u9fff]/.test(actual.fix.description.zh) && actual.fix.description.en.trim(), `${where}: fix words in zh and en`);
    assert.equal(actual.fix.patch, undefined, `${where}: rules never locate a fix in a source manifest`);
  }
  // A rendered message never shows a placeholder or an empty language.
  for (const lang of ['zh', 'en'] as const) {
    assert.ok(actual.message[lang].trim().length > 0, `${where}: empty ${lang} message`);
    assert.doesNotMatch(actual.message[lang], /\{[A-Za-z]\w*\}/, `${where}: unfilled placeholder in the ${lang} message`);
  }
}

/** Valid and invalid cases for one rule, each a `node:test` test. */
export class RuleTester {
  private readonly knowledge: KnowledgeSnapshot | undefined;

  constructor(options: RuleTesterOptions = {}) {
    this.knowledge = options.knowledge;
  }

  run(rule: Rule, cases: { valid?: ValidCase[]; invalid?: InvalidCase[]; badOptions?: BadOptionsCase[] }): void {
    const id = rule.meta.id;
    const knowledge = () => this.knowledge ?? loadKnowledge();
    for (const c of cases.valid ?? []) {
      test(`${id}: valid: ${c.name}`, () => {
        const result = runRule(rule, c.evidence, c.options, knowledge());
        assert.deepEqual(result.rules[0], { id, status: 'ran', findings: 0 }, 'the rule ran and found nothing');
      });
    }
    for (const c of cases.invalid ?? []) {
      test(`${id}: invalid: ${c.name}`, () => {
        const result = runRule(rule, c.evidence, c.options, knowledge());
        assert.equal(result.rules[0]?.status, 'ran', `the rule did not run: ${JSON.stringify(result.rules[0])}`);
        assert.equal(
          result.findings.length,
          c.findings.length,
          `findings: ${JSON.stringify(result.findings.map((f) => [f.messageId, f.messageData]))}`,
        );
        c.findings.forEach((expected, i) => assertFinding(rule, result.findings[i]!, expected, `finding ${i}`));
      });
    }
    for (const c of cases.badOptions ?? []) {
      test(`${id}: bad options: ${c.name}`, () => {
        assert.throws(
          () => parseConfig({ rules: { [id]: { options: c.options } } }, null, [rule]),
          (error: Error) => {
            assert.equal(error.name, 'ConfigError');
            assert.ok(error.message.includes(`rules.${id}.options.`), `names the rule and option: ${error.message}`);
            assert.match(error.message, c.error);
            return true;
          },
        );
      });
    }
  }
}
