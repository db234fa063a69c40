import { Type, type Static } from 'typebox';
import type { FieldError } from '../../http/problems.js';

// A store's gate: its own policy over the pre-listing detection's findings and the listing/APK diff
// items, as JSON the store writes (validated by the schema below, then by `gateProblems` for what a
// schema cannot say). Every rule whose `when` matches an item fires; the strictest outcome wins
// (reject > manual-review > pass), and the items behind it are the reasons, with their evidence.

export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
export type GateSeverity = (typeof SEVERITIES)[number];

/** What the detection can say about a listing against its APK (compare.ts) and an update against the listed version. */
export const DIFF_KINDS = [
  'label-mismatch',
  'version-mismatch',
  'developer-mismatch',
  'permission-not-listed',
  'permission-listed-not-requested',
  'sdk-not-in-policy',
  'policy-unavailable',
  // An update against the listed version (versions.ts).
  'signer-changed',
  'signer-rotated',
  'new-permission',
  'new-sdk',
  'new-sensitive-api',
  'new-dynamic-code',
] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });

export const GateRuleSchema = Type.Object(
  {
    id: Id,
    when: Type.Object(
      {
        severityAtLeast: Type.Optional(Type.Enum(SEVERITIES)),
        ruleIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 200 })),
        measures: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100 })),
        diffKinds: Type.Optional(Type.Array(Type.Enum(DIFF_KINDS), { minItems: 1, maxItems: 20 })),
      },
      { additionalProperties: false, description: 'finding criteria (all that are given must hold) or diffKinds, not both' },
    ),
    then: Type.Union([Type.Literal('reject'), Type.Literal('manual-review')]),
  },
  { additionalProperties: false },
);

export const GatePolicySchema = Type.Object(
  {
    rules: Type.Array(GateRuleSchema, { maxItems: 100 }),
    otherwise: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('manual-review')], { default: 'pass' })),
  },
  { additionalProperties: false },
);
export type GatePolicy = Static<typeof GatePolicySchema>;

/** Version 0: a store that wrote no policy rejects a listing that contradicts its APK, and passes the rest. */
export const DEFAULT_GATE: GatePolicy = {
  rules: [
    {
      id: 'listing-contradicts-apk',
      when: { diffKinds: ['label-mismatch', 'version-mismatch', 'developer-mismatch', 'permission-not-listed', 'sdk-not-in-policy'] },
      then: 'reject',
    },
    // A policy that could not be fetched was not checked: the SDK-list comparison never ran, so the
    // listing cannot pass unseen (a pass must mean the deciding evidence was examined).
    { id: 'policy-not-checked', when: { diffKinds: ['policy-unavailable'] }, then: 'manual-review' },
  ],
  otherwise: 'pass',
};

/** What the schema cannot say, as JSON pointers into the body. */
export function gateProblems(policy: GatePolicy): FieldError[] {
  const out: FieldError[] = [];
  const ids = new Set<string>();
  policy.rules.forEach((rule, i) => {
    const w = rule.when;
    const findingCriteria = w.severityAtLeast !== undefined || w.ruleIds !== undefined || w.measures !== undefined;
    if (!findingCriteria && w.diffKinds === undefined)
      out.push({ pointer: `/rules/${i}/when`, message: 'needs severityAtLeast, ruleIds, measures or diffKinds / 须给出条件' });
    if (findingCriteria && w.diffKinds !== undefined)
      out.push({
        pointer: `/rules/${i}/when/diffKinds`,
        message: 'diffKinds cannot be combined with finding criteria / 差异条件不能与发现条件混用',
      });
    if (ids.has(rule.id)) out.push({ pointer: `/rules/${i}/id`, message: `duplicate rule id ${rule.id} / 规则 id 重复` });
    ids.add(rule.id);
  });
  return out;
}

export interface GateFinding {
  ruleId: string;
  severity: string;
  measures: string[];
  fingerprint: string;
  message?: unknown;
  evidence?: unknown;
}

export interface DiffItem {
  kind: DiffKind;
  /** Where in the submission (a JSON pointer into the listing), or null. */
  pointer: string | null;
  listing: unknown;
  apk: unknown;
  en: string;
  zh: string;
}

export type GateOutcome = 'pass' | 'reject' | 'manual-review';

export interface GateReason {
  gateRule: string;
  then: 'reject' | 'manual-review';
  finding?: GateFinding;
  diff?: DiffItem;
}

export interface GateResult {
  outcome: GateOutcome;
  reasons: GateReason[];
}

const MAX_REASONS = 200;

function findingMatches(when: GatePolicy['rules'][number]['when'], f: GateFinding): boolean {
  if (when.diffKinds !== undefined) return false;
  if (when.severityAtLeast !== undefined) {
    const at = SEVERITIES.indexOf(f.severity as GateSeverity);
    if (at < 0 || at < SEVERITIES.indexOf(when.severityAtLeast)) return false;
  }
  if (when.ruleIds !== undefined && !when.ruleIds.includes(f.ruleId)) return false;
  if (when.measures !== undefined && !f.measures.some((m) => when.measures!.includes(m))) return false;
  return true;
}

export function applyGate(policy: GatePolicy, findings: readonly GateFinding[], diffs: readonly DiffItem[]): GateResult {
  const reasons: GateReason[] = [];
  let rejects = false;
  let reviews = false;
  for (const rule of policy.rules) {
    const push = (reason: GateReason) => {
      if (rule.then === 'reject') rejects = true;
      else reviews = true;
      if (reasons.length < MAX_REASONS) reasons.push(reason);
    };
    if (rule.when.diffKinds !== undefined) {
      for (const d of diffs) if (rule.when.diffKinds.includes(d.kind)) push({ gateRule: rule.id, then: rule.then, diff: d });
    } else {
      for (const f of findings) if (findingMatches(rule.when, f)) push({ gateRule: rule.id, then: rule.then, finding: f });
    }
  }
  const outcome: GateOutcome = rejects ? 'reject' : reviews ? 'manual-review' : (policy.otherwise ?? 'pass');
  // The reasons are those of the outcome (a reject lists what rejected, not what would have gone to review).
  const kept = outcome === 'reject' ? reasons.filter((r) => r.then === 'reject') : reasons;
  return { outcome, reasons: kept };
}
