/**
 * The one comparison of a privacy policy with the app it covers: which SDKs, permissions and PI
 * categories the app has that the policy names or leaves out, and what the policy lists that the
 * app no longer has. The policy-versus-app rules (policy-sdk-undisclosed, policy-sdk-not-found,
 * policy-permission-unexplained, policy-api-pi-unmentioned) turn it into findings, and the engine's
 * policy gap report (`apprights policy draft --policy`) into rows: both read this, so they cannot
 * disagree.
 */
import type { KnowledgeSnapshot, SdkNameMatch } from '@apprights/knowledge';
import type { DataMention, PermissionMention, TextSpan } from '@apprights/policy';
import type { PolicyFacts } from './evidence.js';
import type { DetectedSdk, PackageFacts, SensitiveApiUse } from './package-facts.js';
import { affirmed, inProcessingContext, policySdkNames, sharedNameOnly } from './policy.js';
import { callersBy, isDangerousLevel, sdkNeedsDisclosure, sdkObservedPI } from './queries.js';

/** An SDK the policy must name (`sdkNeedsDisclosure`), and whether it does. */
export interface SdkDisclosureCheck {
  sdk: DetectedSdk;
  /** `named`: one by one; `brand-only`: only a brand or company name several SDKs share; `missing`: not at all. */
  status: 'named' | 'brand-only' | 'missing';
  /** What the catalogue says it collects and what its code was seen reaching, sorted. */
  personalInformation: string[];
  /** The PI categories its own code was seen reaching, sorted. */
  observed: string[];
  /** The brand or company mention, for `brand-only`. */
  mention?: SdkNameMatch;
  /** Another SDK of the same developer the policy does name. */
  sameDeveloperNamed?: string;
}

/** An SDK the policy lists (a table row or a recipient) that the package does not contain. */
export interface ListedSdkCheck {
  sdk: string;
  start: number;
  end: number;
  /** As the policy writes it. */
  name: string;
  section?: number;
  where: 'table' | 'text';
  /** A detected SDK of the same developer: the policy may name the wrong product. */
  sameDeveloperInPackage?: DetectedSdk;
}

/** A dangerous permission the app requests, and how the policy explains it. */
export interface PermissionCheck {
  permission: string;
  /** The PI category the permission reaches, per the permission catalogue. */
  pi: string | null;
  /**
   * `explained`: named with a purpose; `explained-through-pi`: a purpose is given for the PI it
   * reaches; `named-without-purpose`: named where processing is described, without a purpose;
   * `unexplained`: neither.
   */
  status: 'explained' | 'explained-through-pi' | 'named-without-purpose' | 'unexplained';
  /** The first mention in a processing context. */
  mention?: PermissionMention;
  /** A purpose given for the permission or its PI, when explained. */
  purpose?: TextSpan & { section: number };
}

/**
 * A permission the policy names where it describes processing that the app does not request: none
 * of the permissions the mention stands for ("位置权限" stands for fine and coarse location) is requested.
 */
export interface ListedPermissionCheck {
  permissions: string[];
  mention: PermissionMention;
}

/** A PI category the code (the app's own or an SDK's, not only libraries) reaches, and what the policy says of it. */
export interface PiCheck {
  pi: string;
  uses: SensitiveApiUse[];
  own: number;
  sdks: string[];
  unknown: number;
  /**
   * `processed`: a statement of processing names it; `named`: named elsewhere only ("we protect your
   * location data"); `denied`: the policy says it is not collected; `unmentioned`: never named.
   */
  status: 'processed' | 'named' | 'denied' | 'unmentioned';
  /** The first processing statement, for `processed`; the denial, for `denied`. */
  mention?: DataMention;
}

export interface PolicyComparison {
  /** Every SDK the policy must name, in the package's order. */
  sdks: SdkDisclosureCheck[];
  /** SDKs the policy lists that the package lacks, in the policy's order. */
  listedAbsent: ListedSdkCheck[];
  /** Every dangerous permission requested, sorted by name. */
  permissions: PermissionCheck[];
  /** Permissions the policy names that the app does not request, in the policy's order. */
  permissionsNotRequested: ListedPermissionCheck[];
  /** Every PI category the code reaches, sorted by id. */
  pi: PiCheck[];
}

/** Four rules ask for the comparison of one report: it is worked out once per package, policy and snapshot. */
const cache = new WeakMap<PolicyFacts, WeakMap<PackageFacts, WeakMap<KnowledgeSnapshot, PolicyComparison>>>();

export function comparePolicy(facts: PackageFacts, policy: PolicyFacts, knowledge: KnowledgeSnapshot): PolicyComparison {
  let byFacts = cache.get(policy);
  if (!byFacts) cache.set(policy, (byFacts = new WeakMap()));
  let byKnowledge = byFacts.get(facts);
  if (!byKnowledge) byFacts.set(facts, (byKnowledge = new WeakMap()));
  let found = byKnowledge.get(knowledge);
  if (!found) {
    found = {
      sdks: compareSdks(facts, policy, knowledge),
      listedAbsent: listedAbsent(facts, policy, knowledge),
      ...comparePermissions(facts, policy, knowledge),
      pi: comparePi(facts, policy),
    };
    byKnowledge.set(knowledge, found);
  }
  return found;
}

function compareSdks(facts: PackageFacts, policy: PolicyFacts, knowledge: KnowledgeSnapshot): SdkDisclosureCheck[] {
  const { named, partial } = policySdkNames(knowledge, policy);
  const vendorOf = (id: string) => facts.sdks.find((s) => s.id === id)?.vendor ?? knowledge.sdks.get(id)?.vendor;
  const checks: SdkDisclosureCheck[] = [];
  for (const sdk of facts.sdks) {
    if (!sdkNeedsDisclosure(facts, sdk)) continue;
    const observed = sdkObservedPI(facts, sdk.id).pi;
    const personalInformation = [...new Set([...sdk.personalInformation, ...observed])].sort();
    if (named.has(sdk.id)) {
      checks.push({ sdk, status: 'named', personalInformation, observed });
      continue;
    }
    const mention = partial.get(sdk.id);
    const sibling = [...named].find((id) => id !== sdk.id && vendorOf(id)?.zh === sdk.vendor.zh);
    checks.push({
      sdk,
      status: mention ? 'brand-only' : 'missing',
      personalInformation,
      observed,
      ...(mention ? { mention } : {}),
      ...(sibling ? { sameDeveloperNamed: sibling } : {}),
    });
  }
  return checks;
}

function listedAbsent(facts: PackageFacts, policy: PolicyFacts, knowledge: KnowledgeSnapshot): ListedSdkCheck[] {
  const present = new Set(facts.sdks.map((s) => s.id));
  const listed = new Map<string, ListedSdkCheck>();
  const note = (d: ListedSdkCheck) => {
    if (!listed.has(d.sdk)) listed.set(d.sdk, d);
  };
  for (const row of policy.sdkTable) if (row.sdk) note({ sdk: row.sdk, start: row.start, end: row.end, name: row.name, where: 'table' });
  for (const r of policy.recipients)
    if (r.sdk) note({ sdk: r.sdk, start: r.start, end: r.end, name: r.name, section: r.section, where: 'text' });
  const checks: ListedSdkCheck[] = [];
  for (const d of [...listed.values()].sort((a, b) => a.start - b.start)) {
    // Only a brand or vendor stands there ("友盟+"): which of its SDKs the policy means is not known.
    if (present.has(d.sdk) || sharedNameOnly(knowledge, policy, d.sdk, d.start, d.end)) continue;
    const entry = knowledge.sdks.get(d.sdk);
    const sibling = entry ? facts.sdks.find((s) => s.vendor.zh === entry.vendor.zh) : undefined;
    checks.push({ ...d, ...(sibling ? { sameDeveloperInPackage: sibling } : {}) });
  }
  return checks;
}

function comparePermissions(
  facts: PackageFacts,
  policy: PolicyFacts,
  knowledge: KnowledgeSnapshot,
): Pick<PolicyComparison, 'permissions' | 'permissionsNotRequested'> {
  const mentions = new Map<string, PermissionMention>();
  const purposes = new Map<string, TextSpan & { section: number }>();
  for (const m of policy.permissions) {
    // A permission named only in the user's rights or a definition ("您可以在设置中关闭相机权限") is not explained.
    if (!inProcessingContext(policy, m.start)) continue;
    for (const p of m.permissions) {
      if (!mentions.has(p)) mentions.set(p, m);
      if (m.purpose && !purposes.has(p)) purposes.set(p, { ...m.purpose, section: m.section });
    }
  }
  for (const purpose of policy.purposes)
    if (inProcessingContext(policy, purpose.start)) for (const p of purpose.permissions) if (!purposes.has(p)) purposes.set(p, purpose);
  // PI categories the policy gives a purpose for ("为了向您推荐附近的服务，我们会收集您的位置信息").
  const kept = new Set(affirmed(policy));
  const purposeful = new Map<string, TextSpan & { section: number }>();
  for (const purpose of policy.purposes) {
    for (const i of purpose.data) {
      const m = policy.dataMentions[i];
      if (m && kept.has(m) && !purposeful.has(m.category)) purposeful.set(m.category, purpose);
    }
  }
  const requested = new Set(facts.permissions.map((p) => p.name));
  const dangerous = [...new Set(facts.permissions.filter((p) => isDangerousLevel(p.protectionLevel)).map((p) => p.name))].sort();
  const permissions: PermissionCheck[] = dangerous.map((permission) => {
    const pi = knowledge.permission(permission)?.pi ?? null;
    const mention = mentions.get(permission);
    const withMention = mention ? { mention } : {};
    const own = purposes.get(permission);
    if (own) return { permission, pi, status: 'explained', purpose: own, ...withMention };
    const through = pi ? purposeful.get(pi) : undefined;
    if (through) return { permission, pi, status: 'explained-through-pi', purpose: through, ...withMention };
    return { permission, pi, status: mention ? 'named-without-purpose' : 'unexplained', ...withMention };
  });
  const permissionsNotRequested: ListedPermissionCheck[] = [];
  const seen = new Set<string>();
  for (const m of policy.permissions) {
    if (!inProcessingContext(policy, m.start) || m.permissions.some((p) => requested.has(p))) continue;
    const key = [...m.permissions].sort().join(' ');
    if (m.permissions.length === 0 || seen.has(key)) continue;
    seen.add(key);
    permissionsNotRequested.push({ permissions: [...m.permissions].sort(), mention: m });
  }
  return { permissions, permissionsNotRequested };
}

function comparePi(facts: PackageFacts, policy: PolicyFacts): PiCheck[] {
  const libraries = new Set(facts.sdks.filter((s) => s.category === 'open-source-library').map((s) => s.id));
  const byPi = new Map<string, SensitiveApiUse[]>();
  for (const use of facts.sensitiveApis) {
    if (!use.pi) continue;
    const by = callersBy(use);
    // Open-source libraries only wrap the call for whoever uses them (AndroidX compat classes).
    if (by.own === 0 && by.unknown === 0 && by.sdks.every((id) => libraries.has(id))) continue;
    byPi.set(use.pi, [...(byPi.get(use.pi) ?? []), use]);
  }
  const processed = new Map<string, DataMention>();
  for (const m of affirmed(policy)) if (!processed.has(m.category)) processed.set(m.category, m);
  // Every type the policy names anywhere ("we protect your location data" names location); older
  // stored analyses lack the field.
  const named = new Set(policy.mentionedCategories ?? []);
  const checks: PiCheck[] = [];
  for (const [pi, uses] of [...byPi].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const who = {
      uses,
      own: uses.reduce((n, u) => n + callersBy(u).own, 0),
      sdks: [...new Set(uses.flatMap((u) => callersBy(u).sdks))].sort(),
      unknown: uses.reduce((n, u) => n + callersBy(u).unknown, 0),
    };
    const statement = processed.get(pi);
    if (statement) {
      checks.push({ pi, ...who, status: 'processed', mention: statement });
      continue;
    }
    // "我们不会收集您的通讯录" while the code reads it: worse than silence.
    const denial = policy.dataMentions.find((m) => m.negated && m.category === pi);
    if (denial) checks.push({ pi, ...who, status: 'denied', mention: denial });
    else checks.push({ pi, ...who, status: named.has(pi) ? 'named' : 'unmentioned' });
  }
  return checks;
}
