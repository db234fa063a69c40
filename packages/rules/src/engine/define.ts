import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { Evidence, EvidenceKind } from '../evidence/evidence.js';
import type { Bilingual, FindingInput, OptionSpec, Rule, RuleMeta } from './types.js';

/** The evidence kinds a rule can need (`org`, organisational records, is never machine evidence). */
export type RuleEvidenceKind = Exclude<EvidenceKind, 'org'>;

/** Which `Evidence` field holds each kind. */
interface EvidenceField {
  apk: 'package';
  store: 'store';
  policy: 'policy';
  trace: 'trace';
  ui: 'ui';
}

/**
 * The evidence a rule sees: the kinds its `meta.evidence` names are present (the engine skips the
 * rule otherwise), so the rule reads `evidence.package` without a non-null assertion.
 */
export type EvidenceFor<K extends RuleEvidenceKind> = Evidence & {
  [P in K as EvidenceField[P]]-?: NonNullable<Evidence[EvidenceField[P]]>;
};

/** The value type of one option spec. */
export type OptionValue<S> = S extends { type: 'number' | 'integer'; nullable: true }
  ? number | null
  : S extends { type: 'number' | 'integer' }
    ? number
    : S extends { type: 'string'; enum: readonly (infer E)[] }
      ? E
      : S extends { type: 'string' }
        ? string
        : S extends { type: 'boolean' }
          ? boolean
          : S extends { type: 'array'; items: { enum: readonly (infer E)[] } }
            ? E[]
            : S extends { type: 'array' }
              ? string[]
              : S extends { type: 'object' }
                ? Record<string, number>
                : never;

/** The options object a rule's `check` receives for its `meta.options` specs. */
export type OptionsOf<O> = { [N in keyof O]: OptionValue<O[N]> };

export interface TypedRuleContext<K extends RuleEvidenceKind, O, M extends string> {
  evidence: EvidenceFor<K>;
  /** Defaults merged with the configured values, all validated when the configuration loaded. */
  options: OptionsOf<O>;
  knowledge: KnowledgeSnapshot;
  /** Only for type inference of message ids; never set. */
  readonly _messages?: M;
}

export interface RuleDefinition<K extends RuleEvidenceKind, O extends Record<string, OptionSpec>, M extends string> {
  meta: Omit<RuleMeta, 'evidence' | 'options' | 'messages'> & {
    evidence: readonly K[];
    options?: O;
    messages: Record<M, Bilingual>;
  };
  /**
   * Findings whose `messageId` is not in `meta.messages` make the engine report the rule as an
   * error (typed as `string` so rules can collect findings in a plain `FindingInput[]`).
   */
  check(context: TypedRuleContext<K, O, NoInfer<M>>): FindingInput[];
}

/**
 * Declares a rule. Types follow from `meta`: `evidence` narrows what `check` sees, `options` (specs
 * in the JSON Schema vocabulary) types the options it gets, and `messages` the message ids it may
 * report. The engine validates configured options against the specs, renders messages from the
 * templates, and gives the rule the knowledge snapshot: a rule needs nothing else.
 */
export function defineRule<
  const K extends RuleEvidenceKind,
  const O extends Record<string, OptionSpec> = Record<never, OptionSpec>,
  M extends string = string,
>(definition: RuleDefinition<K, O, M>): Rule {
  return definition as unknown as Rule;
}
