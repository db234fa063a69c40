/**
 * The privacy-policy draft built from a package's facts: the SDK list, the list of personal
 * information the app's own code collects, the permission list, and, with a policy, the gap report.
 * Nothing here is worded as a fact unless the catalogue or the code says it; the purposes and business
 * functions are left null for the developer. Rows come in a stable order (the same facts give the
 * same bytes).
 */
import type { KnowledgeSnapshot } from '@apprights/knowledge';
import {
  callersBy,
  codeRef,
  comparePolicy,
  isDangerousLevel,
  isSpecialLevel,
  policyPassage,
  policyWhole,
  ruleById,
  sdkNeedsDisclosure,
  sdkObservedPI,
  type Bilingual,
  type DetectedSdk,
  type PackageFacts,
  type PolicyFacts,
  type SensitiveApiUse,
} from '@apprights/rules';
import {
  POLICY_DRAFT_VERSION,
  type DraftApp,
  type DraftCollected,
  type DraftGap,
  type DraftGaps,
  type DraftLibrary,
  type DraftPermission,
  type DraftPi,
  type DraftPiNotPossible,
  type DraftSdk,
  type DraftSource,
  type PolicyDraft,
} from './draft-model.js';

/** Code references kept per row: enough to find the place, few enough to read. */
const CODE_SOURCES = 2;
/** Class names shown per collected-information row. */
const WHERE = 5;

export interface PolicyDraftInput {
  facts: PackageFacts;
  knowledge: KnowledgeSnapshot;
  toolVersion: string;
  /** The CAC 2021 app type id (already resolved). */
  appType?: string;
  policy?: PolicyFacts;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function permissionsOf(permission: string | readonly string[] | null): string[] {
  return permission === null ? [] : typeof permission === 'string' ? [permission] : [...permission];
}

export function draftApp(facts: PackageFacts): DraftApp {
  return {
    file: facts.file.name,
    sha256: facts.file.sha256,
    kind: facts.file.kind,
    package: facts.app.package,
    label: facts.app.label,
    versionName: facts.app.versionName,
    versionCode: facts.app.versionCode,
  };
}

function piLabel(knowledge: KnowledgeSnapshot, id: string): Bilingual {
  const c = knowledge.piCategory(id);
  return c ? { zh: c.zh, en: c.en } : { zh: id, en: id };
}

/** The requested permissions (one entry per name). */
function requestedNames(facts: PackageFacts): Set<string> {
  return new Set(facts.permissions.map((p) => p.name));
}

/**
 * The permissions without which no catalogued API reaches a PI category, when every API for it needs
 * one; null when some API needs none, or the catalogue has no API for it (then nothing rules it out).
 */
function gatingPermissions(knowledge: KnowledgeSnapshot, category: string): string[] | null {
  const apis = knowledge.sensitiveApis.filter((a) => a.pi === category);
  if (apis.length === 0) return null;
  const needs = new Set<string>();
  for (const api of apis) {
    const list = permissionsOf(api.permission);
    if (list.length === 0) return null;
    for (const p of list) needs.add(p);
  }
  return [...needs].sort(byString);
}

/** Adds to `out` up to CODE_SOURCES call sites of `uses` whose caller matches, first caller of each API first. */
function codeSources(
  uses: readonly SensitiveApiUse[],
  match: (c: SensitiveApiUse['callers'][number]) => boolean,
  out: DraftSource[] = [],
): DraftSource[] {
  let added = 0;
  for (let round = 0; added < CODE_SOURCES && round < CODE_SOURCES; round++) {
    for (const use of uses) {
      const caller = use.callers.filter(match)[round];
      if (caller && added < CODE_SOURCES) {
        out.push(codeRef(use, caller));
        added++;
      }
    }
  }
  return out;
}

function sdkSources(sdk: DetectedSdk): DraftSource[] {
  const sources: DraftSource[] = [
    { kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version },
    { kind: 'catalogue', file: `sdks/${sdk.id}.json`, entry: sdk.id },
  ];
  for (const cls of sdk.evidence.classExamples.slice(0, 2)) sources.push({ kind: 'code', artifact: null, class: cls, sdk: sdk.id });
  for (const name of sdk.evidence.components.slice(0, 2))
    sources.push({ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', name, sdk: sdk.id });
  for (const lib of sdk.evidence.nativeLibraries.slice(0, 1)) sources.push({ kind: 'resource', artifact: lib, detail: 'native library' });
  if (sdk.evidence.classExamples.length === 0 && sdk.evidence.components.length === 0)
    for (const host of sdk.evidence.domains.slice(0, 2)) sources.push({ kind: 'resource', artifact: 'dex', detail: `host ${host}` });
  return sources;
}

function draftSdk(facts: PackageFacts, knowledge: KnowledgeSnapshot, sdk: DetectedSdk): DraftSdk {
  const entry = knowledge.sdks.get(sdk.id);
  const unsourced = new Set(entry?.unsourced ?? []);
  const requested = requestedNames(facts);
  // Only an APK says which permissions the app holds; a JAR or AAR is judged by what its host grants.
  const knowsPermissions = facts.file.kind === 'apk';
  const uses = facts.sensitiveApis.filter((u) => u.callers.some((c) => c.sdk === sdk.id));
  const observed = new Set(sdkObservedPI(facts, sdk.id).pi);
  const personalInformation: DraftPi[] = [];
  const notPossibleHere: DraftPiNotPossible[] = [];
  for (const id of [...new Set([...sdk.personalInformation, ...observed])].sort(byString)) {
    const stated = sdk.personalInformation.includes(id);
    const seen = observed.has(id);
    if (stated && !seen && knowsPermissions) {
      const needs = gatingPermissions(knowledge, id);
      if (needs && !needs.some((p) => requested.has(p))) {
        notPossibleHere.push({ id, label: piLabel(knowledge, id), needs });
        continue;
      }
    }
    const piUses = uses.filter((u) => u.pi === id);
    const sources: DraftSource[] = [];
    if (stated)
      sources.push({
        kind: 'catalogue',
        file: `sdks/${sdk.id}.json`,
        entry: sdk.id,
        field: 'personalInformation',
        ...(unsourced.has('personalInformation') ? { unsourced: true } : {}),
      });
    if (seen) codeSources(piUses, (c) => c.sdk === sdk.id, sources);
    personalInformation.push({
      id,
      label: piLabel(knowledge, id),
      sensitive: knowledge.piCategory(id)?.sensitive ?? false,
      basis: [...(stated ? (['sdk-statement'] as const) : []), ...(seen ? (['app-code'] as const) : [])],
      apis: [...new Set(piUses.map((u) => u.api))].sort(byString),
      sources,
    });
  }
  // In an APK, the requested permissions its calls need; a library's calls need whatever its host must grant.
  const permissions = new Map<string, Set<string>>();
  for (const use of uses)
    for (const p of permissionsOf(use.permission))
      if (!knowsPermissions || requested.has(p)) permissions.set(p, (permissions.get(p) ?? new Set()).add(use.api));
  return {
    id: sdk.id,
    name: sdk.name,
    vendor: sdk.vendor,
    vendorVerified: !unsourced.has('vendor'),
    category: sdk.category,
    purpose: knowledge.sdkCategoryPurpose(sdk.category),
    tracker: sdk.tracker,
    confidence: sdk.confidence,
    version: sdk.version,
    versionSource: sdk.versionSource ?? null,
    bundledBy: [...(sdk.bundledBy ?? [])].sort(byString),
    privacyPolicy: sdk.privacyPolicy,
    personalInformation,
    notPossibleHere,
    permissions: [...permissions]
      .sort(([a], [b]) => byString(a, b))
      .map(([permission, apis]) => ({ permission, apis: [...apis].sort(byString) })),
    sources: sdkSources(sdk),
  };
}

function draftSdks(facts: PackageFacts, knowledge: KnowledgeSnapshot): PolicyDraft['sdks'] {
  const trackers: DraftSdk[] = [];
  const others: DraftSdk[] = [];
  const notListed: DraftLibrary[] = [];
  const order = [...facts.sdks].sort((a, b) => byString(a.id, b.id));
  for (const sdk of order) {
    // The rules' own test of which SDKs a policy must name, so the draft lists exactly what they ask for.
    if (sdkNeedsDisclosure(facts, sdk)) (sdk.tracker ? trackers : others).push(draftSdk(facts, knowledge, sdk));
    else
      notListed.push({
        id: sdk.id,
        name: sdk.name,
        version: sdk.version,
        reason: sdk.category === 'open-source-library' ? 'open-source-library' : 'no-pi',
      });
  }
  return { trackers, others, notListed };
}

/** The PI categories the app's own code (or code no SDK claims) reaches, and those only its permissions reach. */
function draftCollected(facts: PackageFacts, knowledge: KnowledgeSnapshot, necessary: Set<string> | null): DraftCollected[] {
  const requested = facts.permissions.map((p) => p.name);
  const rows = new Map<string, DraftCollected>();
  const row = (pi: string, basis: DraftCollected['basis']): DraftCollected => {
    let found = rows.get(pi);
    if (!found) {
      const isNecessary = necessary ? necessary.has(pi) : null;
      found = {
        pi,
        label: piLabel(knowledge, pi),
        sensitive: knowledge.piCategory(pi)?.sensitive ?? false,
        items: [],
        apis: [],
        where: [],
        unidentifiedCallers: 0,
        permissions: [],
        basis,
        function: null,
        purpose: null,
        necessary: isNecessary,
        separateConsent: isNecessary === null ? null : !isNecessary,
        sources: [],
      };
      rows.set(pi, found);
    }
    return found;
  };
  const byPi = new Map<string, SensitiveApiUse[]>();
  for (const use of facts.sensitiveApis) {
    if (!use.pi) continue;
    const by = callersBy(use);
    if (by.own === 0 && by.unknown === 0) continue;
    byPi.set(use.pi, [...(byPi.get(use.pi) ?? []), use]);
  }
  for (const [pi, uses] of byPi) {
    const r = row(pi, 'app-code');
    const where = new Set<string>();
    for (const use of uses) for (const c of use.callers) if (c.own) where.add(c.class);
    r.where = [...where].sort(byString).slice(0, WHERE);
    r.unidentifiedCallers = uses.reduce((n, u) => n + callersBy(u).unknown, 0);
    r.apis = [...new Set(uses.map((u) => u.api))].sort(byString);
    const items = new Map<string, Bilingual>();
    for (const id of r.apis) {
      const what = knowledge.sensitiveApi(id)?.what;
      if (what && !items.has(what.en)) items.set(what.en, { zh: what.zh, en: what.en });
    }
    r.items = [...items.values()];
    codeSources(uses, (c) => !c.sdk, r.sources);
    const needed = new Set(uses.flatMap((u) => permissionsOf(u.permission)));
    r.permissions = requested.filter((p) => needed.has(p) || knowledge.permission(p)?.pi === pi);
  }
  // A requested runtime permission no code was seen using (an intent, an API the catalogue lacks) is the app's own.
  const usedByCode = new Set(facts.sensitiveApis.filter((u) => u.callerCount > 0).flatMap((u) => permissionsOf(u.permission)));
  for (const p of facts.permissions) {
    const pi = knowledge.permission(p.name)?.pi;
    if (!pi || !isDangerousLevel(p.protectionLevel) || usedByCode.has(p.name)) continue;
    const r = row(pi, 'manifest');
    if (!r.permissions.includes(p.name)) r.permissions.push(p.name);
  }
  const out = [...rows.values()].sort((a, b) => byString(a.pi, b.pi));
  for (const r of out) {
    r.permissions = [...new Set(r.permissions)].sort(byString);
    for (const p of r.permissions) r.sources.push({ kind: 'permission', artifact: 'AndroidManifest.xml', permission: p });
    r.sources.push({ kind: 'catalogue', file: 'pi-categories.json', entry: r.pi, field: 'sensitive' });
  }
  return out;
}

function draftPermissions(facts: PackageFacts, knowledge: KnowledgeSnapshot): DraftPermission[] {
  const purposes = new Map(facts.app.metaData.filter((m) => m.value !== null && m.value.trim() !== '').map((m) => [m.name, m.value!]));
  const seen = new Set<string>();
  const rows: DraftPermission[] = [];
  for (const p of facts.permissions) {
    if (seen.has(p.name)) continue;
    const dangerous = isDangerousLevel(p.protectionLevel);
    if (!dangerous && !isSpecialLevel(p.protectionLevel)) continue;
    seen.add(p.name);
    const entry = knowledge.permission(p.name);
    const uses = facts.sensitiveApis.filter((u) => u.callerCount > 0 && permissionsOf(u.permission).includes(p.name));
    let own = 0;
    let unidentified = 0;
    const sdks = new Set<string>();
    for (const use of uses) {
      const by = callersBy(use);
      own += by.own;
      unidentified += by.unknown;
      for (const id of by.sdks) sdks.add(id);
    }
    const purpose = purposes.get(p.name) ?? null;
    const sources: DraftSource[] = [{ kind: 'permission', artifact: 'AndroidManifest.xml', permission: p.name }];
    if (entry) sources.push({ kind: 'catalogue', file: 'permissions.json', entry: p.name, field: 'label' });
    if (purpose !== null)
      sources.push({ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application/meta-data', name: p.name });
    codeSources(uses, () => true, sources);
    rows.push({
      permission: p.name,
      kind: dangerous ? 'dangerous' : 'special',
      protectionLevel: p.protectionLevel!,
      label: { en: entry?.label.en ?? null, zh: entry?.label['zh-CN'] ?? null },
      pi: entry?.pi ?? null,
      piLabel: entry?.pi ? piLabel(knowledge, entry.pi) : null,
      usedBy: {
        own,
        sdks: [...sdks].sort(byString).map((id) => ({ id, name: facts.sdks.find((s) => s.id === id)?.name ?? { zh: id, en: id } })),
        unidentified,
        apis: [...new Set(uses.map((u) => u.api))].sort(byString),
        catalogued: knowledge.sensitiveApis.some((a) => permissionsOf(a.permission).includes(p.name)),
      },
      purpose,
      maxSdkVersion: p.maxSdkVersion,
      sources,
    });
  }
  return rows.sort((a, b) => (a.kind === b.kind ? byString(a.permission, b.permission) : a.kind === 'dangerous' ? -1 : 1));
}

function sdkSubject(sdk: { name: Bilingual; id: string }): Bilingual {
  return { zh: `${sdk.name.zh}（${sdk.id}）`, en: `${sdk.name.en} (${sdk.id})` };
}

function permissionSubject(knowledge: KnowledgeSnapshot, name: string): Bilingual {
  const label = knowledge.permission(name)?.label;
  return { zh: label?.['zh-CN'] ? `${label['zh-CN']}（${name}）` : name, en: label?.en ? `${label.en} (${name})` : name };
}

/** The policy against the app, row by row, from the comparison the policy rules judge by. */
function draftGaps(facts: PackageFacts, knowledge: KnowledgeSnapshot, policy: PolicyFacts): DraftGaps {
  const comparison = comparePolicy(facts, policy, knowledge);
  const libraries = new Set(facts.sdks.filter((s) => s.category === 'open-source-library').map((s) => s.id));
  const rows: DraftGap[] = [];
  for (const check of comparison.sdks) {
    if (check.status === 'named') continue;
    const { sdk, mention } = check;
    const brand = check.status === 'brand-only';
    rows.push({
      kind: brand ? 'sdk-brand-only' : 'sdk-missing',
      direction: 'policy-lacks',
      key: sdk.id,
      rule: 'policy-sdk-undisclosed',
      subject: sdkSubject(sdk),
      detail: brand
        ? {
            zh: `政策只写了“${mention!.text}”（${mention!.shared} 个 SDK 共用的品牌或公司名），没有写明该 SDK`,
            en: `the policy only says "${mention!.text}" (a brand or company name ${mention!.shared} SDKs share), not this SDK`,
          }
        : { zh: '政策的 SDK 清单和正文都没有列出该 SDK', en: 'neither the policy’s SDK list nor its text names this SDK' },
      policy: mention ? policyPassage(policy, mention.start, mention.end) : policyWhole(policy),
      app: sdkSources(sdk),
    });
  }
  for (const d of comparison.listedAbsent) {
    const name = knowledge.sdks.get(d.sdk)?.name ?? { zh: d.name, en: d.name };
    rows.push({
      kind: 'sdk-not-in-app',
      direction: 'app-lacks',
      key: d.sdk,
      rule: 'policy-sdk-not-found',
      subject: sdkSubject({ id: d.sdk, name }),
      detail: {
        zh: `政策${d.where === 'table' ? '的 SDK 清单' : '正文'}列出了“${d.name}”，安装包中未检出（已移除、仅服务器端使用、动态加载或未识别）`,
        en: `the policy's ${d.where === 'table' ? 'SDK list' : 'text'} names "${d.name}", which the package does not contain (removed, server-side, loaded at run time or not recognised)`,
      },
      policy: policyPassage(policy, d.start, d.end, d.section),
      app: [{ kind: 'catalogue', file: `sdks/${d.sdk}.json`, entry: d.sdk, field: 'packages' }],
    });
  }
  for (const check of comparison.permissions) {
    if (check.status === 'explained' || check.status === 'explained-through-pi') continue;
    const named = check.status === 'named-without-purpose';
    rows.push({
      kind: named ? 'permission-no-purpose' : 'permission-unexplained',
      direction: 'policy-lacks',
      key: check.permission,
      rule: 'policy-permission-unexplained',
      subject: permissionSubject(knowledge, check.permission),
      detail: named
        ? { zh: '政策提到了该权限，但没有说明目的', en: 'the policy names the permission but gives no purpose' }
        : {
            zh: `政策既没有说明该权限及其用途${check.pi ? `，也没有说明收集${piLabel(knowledge, check.pi).zh}的目的` : ''}`,
            en: `the policy explains neither the permission${check.pi ? ` nor a purpose for ${piLabel(knowledge, check.pi).en}` : ''}`,
          },
      policy: check.mention ? policyPassage(policy, check.mention.start, check.mention.end, check.mention.section) : policyWhole(policy),
      app: [{ kind: 'permission', artifact: 'AndroidManifest.xml', permission: check.permission }],
    });
  }
  for (const { permissions, mention } of comparison.permissionsNotRequested) {
    rows.push({
      kind: 'permission-not-requested',
      direction: 'app-lacks',
      key: permissions[0]!,
      rule: null,
      subject: permissionSubject(knowledge, permissions[0]!),
      detail: {
        zh: `政策说明了该权限（“${mention.text}”），但清单文件没有申请${permissions.length > 1 ? `其中任何一项（${permissions.join('、')}）` : ''}`,
        en: `the policy explains it ("${mention.text}"), but the manifest ${permissions.length > 1 ? `requests none of ${permissions.join(', ')}` : 'no longer requests it'}`,
      },
      policy: policyPassage(policy, mention.start, mention.end, mention.section),
      app: [{ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'uses-permission', detail: 'absent' }],
    });
  }
  for (const check of comparison.pi) {
    if (check.status !== 'denied' && check.status !== 'unmentioned') continue;
    const label = piLabel(knowledge, check.pi);
    const denied = check.status === 'denied';
    rows.push({
      kind: denied ? 'pi-denied' : 'pi-unmentioned',
      direction: 'policy-lacks',
      key: check.pi,
      rule: 'policy-api-pi-unmentioned',
      subject: label,
      detail: denied
        ? { zh: `代码读取${label.zh}，政策却声明不收集`, en: `the code reads ${label.en}, yet the policy says it is not collected` }
        : {
            zh: `代码读取${label.zh}，政策没有在处理规则中提到`,
            en: `the code reads ${label.en}; the policy never mentions it where it describes processing`,
          },
      policy: check.mention ? policyPassage(policy, check.mention.start, check.mention.end, check.mention.section) : policyWhole(policy),
      // The app's own or an SDK's calls, not a library's wrapper of them.
      app: codeSources(check.uses, (c) => !c.sdk || !libraries.has(c.sdk)),
    });
  }
  // The rules judge some kinds of package only (apps, not SDK libraries); the report says what they would.
  const applies = (rule: string) => {
    const kinds = ruleById(rule)?.meta.appliesTo;
    return !kinds || kinds.includes(facts.file.kind);
  };
  return {
    policy: { source: policy.source, title: policy.title, analysisVersion: policy.version },
    rows: rows.filter((r) => r.rule === null || applies(r.rule)),
    rulesNotApplicable: COMPARISON_RULES.filter((rule) => !applies(rule)),
  };
}

/** The rules that judge the comparison (each gap row names one of them). */
const COMPARISON_RULES = ['policy-sdk-undisclosed', 'policy-sdk-not-found', 'policy-permission-unexplained', 'policy-api-pi-unmentioned'];

/** The policy draft (and, with a policy, its gap report) from a package's facts. */
export function buildPolicyDraft(input: PolicyDraftInput): PolicyDraft {
  const { facts, knowledge } = input;
  const type = input.appType ? knowledge.appType(input.appType) : undefined;
  const necessary = type ? new Set(type.necessaryPI.map((p) => p.pi)) : null;
  return {
    schemaVersion: POLICY_DRAFT_VERSION,
    kind: 'policy-draft',
    tool: { name: 'apprights', version: input.toolVersion },
    knowledge: { id: knowledge.id, versions: knowledge.versions },
    app: draftApp(facts),
    appType: type ? { id: type.id, zh: type.zh, en: type.en, necessaryPI: [...necessary!].sort(byString) } : null,
    sdks: draftSdks(facts, knowledge),
    collected: draftCollected(facts, knowledge, necessary),
    permissions: draftPermissions(facts, knowledge),
    gaps: input.policy ? draftGaps(facts, knowledge, input.policy) : null,
  };
}
