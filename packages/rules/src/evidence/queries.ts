import type { Component, ComponentType, DetectedSdk, PackageFacts, SensitiveApiCaller, SensitiveApiUse } from './package-facts.js';
import type { Bilingual, EvidenceRef } from '../engine/types.js';

/**
 * The detected SDK owning a manifest component: the detector lists the component names it matched,
 * and otherwise the class's package decides (`sdkOfClass`).
 */
export function sdkOfComponent(facts: PackageFacts, name: string): DetectedSdk | undefined {
  if (ownSegments(facts, name) === 0) {
    const direct = facts.sdks.find((s) => s.evidence.components.includes(name));
    if (direct) return direct;
  }
  return sdkOfClass(facts, name);
}

/**
 * The detected SDK a class name belongs to, by the longest package prefix it shares with the SDK's
 * class examples. Under the app's own package the longer claim wins, as for code: an SDK must claim
 * more of the name than the app's package does (com.app.sdk.push), or the class is the app's
 * (io.appium.android.apis inside a vendor namespace the catalogue knows as io.appium).
 */
export function sdkOfClass(facts: PackageFacts, className: string): DetectedSdk | undefined {
  const own = ownSegments(facts, className);
  // The longest shared package prefix over every SDK's class examples, found by walking the
  // class's package down a tree of the examples' packages (built once per facts): rules ask this for
  // every component, and comparing against each example in turn was most of a re-run's time.
  let node = exampleTree(facts.sdks);
  let depth = 0;
  const segments = className.split('.');
  for (let i = 0; i < segments.length - 1; i++) {
    const next = node.children.get(segments[i]!);
    if (!next) break;
    node = next;
    depth++;
  }
  // Two segments (com.vendor) are shared by unrelated products of one vendor; ask for three.
  return depth >= 3 && depth > own ? node.first : undefined;
}

/** A package segment tree of the SDKs' class examples; `first` is the first SDK (in order) with an example at or below. */
interface ExampleNode {
  children: Map<string, ExampleNode>;
  first: DetectedSdk | undefined;
}

const exampleTrees = new WeakMap<readonly DetectedSdk[], ExampleNode>();

function exampleTree(sdks: readonly DetectedSdk[]): ExampleNode {
  let root = exampleTrees.get(sdks);
  if (root) return root;
  root = { children: new Map(), first: undefined };
  for (const sdk of sdks) {
    for (const example of sdk.evidence.classExamples) {
      const segments = example.split('.');
      let node = root;
      node.first ??= sdk;
      for (let i = 0; i < segments.length - 1; i++) {
        let next = node.children.get(segments[i]!);
        if (!next) node.children.set(segments[i]!, (next = { children: new Map(), first: undefined }));
        next.first ??= sdk;
        node = next;
      }
    }
  }
  exampleTrees.set(sdks, root);
  return root;
}

/** How many package segments the app's own package claims of a class name (0 when it is outside it). */
function ownSegments(facts: PackageFacts, className: string): number {
  const own = facts.app.package;
  return own && className.startsWith(`${own}.`) ? own.split('.').length : 0;
}

/** PI categories an SDK's own code was seen reaching, and the sensitive APIs behind them, sorted. */
export function sdkObservedPI(facts: PackageFacts, sdk: string): { pi: string[]; apis: string[] } {
  const pi = new Set<string>();
  const apis = new Set<string>();
  for (const use of facts.sensitiveApis) {
    if (!use.callers.some((c) => c.sdk === sdk)) continue;
    apis.add(use.api);
    if (use.pi) pi.add(use.pi);
  }
  return { pi: [...pi].sort(), apis: [...apis].sort() };
}

/**
 * The SDKs a privacy policy must name: those collecting PI for their vendor (`tracker`), and any other
 * seen reaching PI, except plain open-source libraries, which send nothing anywhere.
 */
export function sdkNeedsDisclosure(facts: PackageFacts, sdk: DetectedSdk): boolean {
  return sdk.tracker || (sdkObservedPI(facts, sdk.id).pi.length > 0 && sdk.category !== 'open-source-library');
}

export function sdkName(facts: PackageFacts, id: string | null | undefined, lang: 'zh' | 'en'): string | null {
  if (!id) return null;
  const sdk = facts.sdks.find((s) => s.id === id);
  return sdk ? sdk.name[lang] : id;
}

export function manifestRef(component: Component, detail: string, sdk?: string | null): EvidenceRef {
  const ref: EvidenceRef = { kind: 'manifest', artifact: 'AndroidManifest.xml', element: component.type, name: component.name, detail };
  if (sdk !== undefined) ref.sdk = sdk;
  return ref;
}

export function codeRef(use: SensitiveApiUse, caller: SensitiveApiCaller): EvidenceRef {
  return {
    kind: 'code',
    artifact: caller.artifact,
    class: caller.class,
    method: caller.method,
    api: use.api,
    sdk: caller.sdk,
    ...(caller.reach !== undefined ? { reach: caller.reach } : {}),
  };
}

/** Who calls an API: the app's own code, each SDK by id, and code nobody claims. */
export function callersBy(use: SensitiveApiUse): { own: number; sdks: string[]; unknown: number } {
  const sdks = new Set<string>();
  let own = 0;
  let unknown = 0;
  for (const c of use.callers) {
    if (c.own) own++;
    else if (c.sdk) sdks.add(c.sdk);
    else unknown++;
  }
  return { own, sdks: [...sdks].sort(), unknown };
}

/** "the app, JPush and 2 unidentified classes": who a reader should talk to about a call. */
export function describeCallers(facts: PackageFacts, use: SensitiveApiUse, lang: 'zh' | 'en'): string {
  const by = callersBy(use);
  const parts: string[] = [];
  if (by.own > 0) parts.push(lang === 'zh' ? '应用自身代码' : "the app's own code");
  for (const id of by.sdks) parts.push(sdkName(facts, id, lang) ?? id);
  if (by.unknown > 0)
    parts.push(lang === 'zh' ? `${by.unknown} 个未识别来源的类` : `${by.unknown} unidentified class${by.unknown === 1 ? '' : 'es'}`);
  return parts.join(lang === 'zh' ? '、' : ', ') || (lang === 'zh' ? '未列出' : 'not listed');
}

export function intentActions(component: Component): string[] {
  return component.intentFilters.flatMap((f) => f.actions);
}

const PHONE_LAUNCHER = ['android.intent.category.LAUNCHER'];
const ANY_LAUNCHER = ['android.intent.category.LAUNCHER', 'android.intent.category.LEANBACK_LAUNCHER'];

/**
 * An activity or alias a launcher lists (MAIN + LAUNCHER). `tv: true` also counts Android TV's
 * LEANBACK_LAUNCHER, for questions about what may be exported rather than what a phone shows.
 */
export function isLauncherEntry(component: Component, options: { tv?: boolean } = {}): boolean {
  if (component.type !== 'activity' && component.type !== 'activity-alias') return false;
  const categories = options.tv ? ANY_LAUNCHER : PHONE_LAUNCHER;
  return component.intentFilters.some(
    (f) => f.actions.includes('android.intent.action.MAIN') && f.categories.some((c) => categories.includes(c)),
  );
}

/** A protection level is a runtime ("dangerous") one, also in combined levels such as `dangerous|instant`. */
export function isDangerousLevel(protectionLevel: string | null): boolean {
  return protectionLevel !== null && protectionLevel.split('|').includes('dangerous');
}

/**
 * A protection level of a special permission: one the user grants on a settings page ("special app
 * access": display over other apps, usage access, all-files access, install unknown apps), which
 * Android marks with the `appop` flag; runtime ("dangerous") levels are not special.
 */
export function isSpecialLevel(protectionLevel: string | null): boolean {
  if (protectionLevel === null) return false;
  const levels = protectionLevel.split('|');
  return levels.includes('appop') && !levels.includes('dangerous');
}

/** Android's debug certificate (the key the SDK tools generate): its subject is the tools', not a developer's. */
export function isDebugCertificate(subject: string): boolean {
  return /(?:^|,\s*)CN=Android Debug(?:,|$)/i.test(subject);
}

/**
 * The AOSP test keys (testkey, platform, shared, media), published with the Android sources, whose
 * subject is Android's own (`EMAILADDRESS=android@android.com, …, O=Android`): anyone can sign with
 * them, so they say nothing of who published an app.
 */
export function isAospTestCertificate(subject: string): boolean {
  return /(?:^|,\s*)EMAILADDRESS=android@android\.com(?:,|$)/i.test(subject) && /(?:^|,\s*)O=Android(?:,|$)/.test(subject);
}

/** Component kinds as a reader calls them. */
export const COMPONENT_TYPE_NAMES: Readonly<Record<ComponentType, Bilingual>> = {
  activity: { zh: 'Activity', en: 'Activity' },
  'activity-alias': { zh: 'Activity 别名', en: 'Activity alias' },
  service: { zh: '服务', en: 'Service' },
  receiver: { zh: '广播接收器', en: 'Receiver' },
  provider: { zh: '内容提供器', en: 'Provider' },
};

/**
 * Sensitive-API ids that load code at run time: class loaders over DEX files and `System.load` of a
 * path. `System.loadLibrary` is left out on purpose: it can only load libraries shipped in the APK,
 * which the store has already seen. The dynamic-code rule and the version diff both ask this.
 */
export function isDynamicCodeApi(api: string): boolean {
  const id = api.toLowerCase();
  return id.includes('classloader') || id.includes('dexfile') || id === 'system.load';
}
