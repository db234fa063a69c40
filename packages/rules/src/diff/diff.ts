import {
  COMPONENT_TYPE_NAMES,
  describeCallers,
  intentActions,
  isDangerousLevel,
  isDynamicCodeApi,
  sdkOfComponent,
} from '../evidence/queries.js';
import { SELF_START_TRIGGERS } from '../rules/self-start-receivers.js';
import type { Component, DetectedSdk, SensitiveApiUse } from '../evidence/package-facts.js';
import type { ScanReport } from '../report/scan-report.js';
import { SEVERITIES, severityRank, type Bilingual, type Finding, type Severity } from '../engine/types.js';

/**
 * The version diff: what changed between two scan reports of one app, the way an app store patrols
 * updates for silent changes (a new signer, a new tracker SDK, hot-update code). Documented by the
 * CLI's `schemas/diff-report.schema.json`; the same versioning rules as the scan report apply.
 */
export const DIFF_REPORT_VERSION = '1.0.0';

export type ChangeKind =
  | 'package-changed'
  | 'signer-changed'
  | 'version-not-increased'
  | 'target-sdk-lowered'
  | 'min-sdk-changed'
  | 'permission-added'
  | 'permission-removed'
  | 'sdk-added'
  | 'sdk-removed'
  | 'sdk-upgraded'
  | 'sdk-downgraded'
  | 'sensitive-api-added'
  | 'sensitive-api-removed'
  | 'dynamic-code-added'
  | 'component-added'
  | 'self-start-added'
  | 'exported-component-added'
  | 'component-removed'
  | 'flag-changed'
  | 'finding-added'
  | 'finding-resolved';

/** Every kind, in the order a reader should meet them within one severity. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  'package-changed',
  'signer-changed',
  'dynamic-code-added',
  'target-sdk-lowered',
  'permission-added',
  'sdk-added',
  'sensitive-api-added',
  'self-start-added',
  'exported-component-added',
  'flag-changed',
  'version-not-increased',
  'sdk-downgraded',
  'component-added',
  'finding-added',
  'min-sdk-changed',
  'sdk-upgraded',
  'permission-removed',
  'sdk-removed',
  'sensitive-api-removed',
  'component-removed',
  'finding-resolved',
];

export interface Change {
  kind: ChangeKind;
  severity: Severity;
  /** The change alone should stop an update until someone has looked at it (`--fail-on gating`). */
  gating: boolean;
  /** What changed: a permission, SDK id, API id, component or flag name, a finding's `ruleId#fingerprint`. */
  subject: string;
  message: Bilingual;
  /** The old value; absent when the subject is new. */
  before?: unknown;
  /** The new value; absent when the subject is gone. */
  after?: unknown;
}

export interface DiffSide {
  /** The package file's name (the APK's, also when the side was read from a JSON report). */
  file: string;
  sha256: string;
  package: string | null;
  versionName: string | null;
  versionCode: number | null;
  label: string | null;
}

export interface ReportDiff {
  schemaVersion: typeof DIFF_REPORT_VERSION;
  old: DiffSide;
  new: DiffSide;
  /** Most severe first; gating before non-gating within a severity. */
  changes: Change[];
  summary: { bySeverity: Record<Severity, number>; gating: boolean };
}

/** The broadcasts that make a receiver a self-start one: the self-start rule's list, so both agree. */
export const SELF_START_ACTIONS: ReadonlySet<string> = new Set(Object.keys(SELF_START_TRIGGERS));

export { isDynamicCodeApi };

/** Compares two reports of (supposedly) one app: `old` is the version in the store, `next` the update. */
export function diffReports(old: ScanReport, next: ScanReport): ReportDiff {
  const changes: Change[] = [
    ...identityChanges(old, next),
    ...sdkLevelChanges(old, next),
    ...permissionChanges(old, next),
    ...sdkChanges(old, next),
    ...apiChanges(old, next),
    ...componentChanges(old, next),
    ...flagChanges(old, next),
    ...findingChanges(old, next),
  ];
  changes.sort(compareChanges);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of changes) bySeverity[c.severity]++;
  return {
    schemaVersion: DIFF_REPORT_VERSION,
    old: side(old),
    new: side(next),
    changes,
    summary: { bySeverity, gating: changes.some((c) => c.gating) },
  };
}

/**
 * Whether a diff fails a gate: `gating` fails on a gating change, a severity on any change at least
 * that severe (`info` then means "any change at all"), `none` never.
 */
export function diffGateFails(diff: ReportDiff, threshold: Severity | 'gating' | 'none'): boolean {
  if (threshold === 'none') return false;
  if (threshold === 'gating') return diff.summary.gating;
  return diff.changes.some((c) => severityRank(c.severity) >= severityRank(threshold));
}

function compareChanges(a: Change, b: Change): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(b.gating) - Number(a.gating) ||
    CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind) ||
    (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0)
  );
}

function side(report: ScanReport): DiffSide {
  return {
    file: report.file.name,
    sha256: report.file.sha256,
    package: packageOf(report),
    versionName: report.app.versionName,
    versionCode: report.app.versionCode,
    label: report.app.label ?? null,
  };
}

/** AARs carry their package in the library manifest, not in `app`. */
function packageOf(report: ScanReport): string | null {
  return report.app.package ?? report.jvm?.aarPackage ?? null;
}

function change(
  kind: ChangeKind,
  severity: Severity,
  gating: boolean,
  subject: string,
  message: Bilingual,
  values: { before?: unknown; after?: unknown } = {},
): Change {
  const c: Change = { kind, severity, gating, subject, message };
  if (values.before !== undefined) c.before = values.before;
  if (values.after !== undefined) c.after = values.after;
  return c;
}

/**
 * A section older reports may lack (`sdks` and `sensitiveApis` came in 1.1): when either side has no
 * such section the two cannot be compared on it, and calling everything "added" would be false.
 */
function bothHave<K extends 'sdks' | 'sensitiveApis' | 'permissions' | 'components'>(
  old: ScanReport,
  next: ScanReport,
  key: K,
): [ScanReport[K], ScanReport[K]] | undefined {
  const a = (old as Partial<ScanReport>)[key];
  const b = (next as Partial<ScanReport>)[key];
  return Array.isArray(a) && Array.isArray(b) ? [a, b] : undefined;
}

/** Both sides of a section as maps by id: the diff works on sets of ids, never on list positions. */
function keyed<T>(sections: [T[], T[]], key: (item: T) => string): [Map<string, T>, Map<string, T>] {
  return [new Map(sections[0].map((i) => [key(i), i])), new Map(sections[1].map((i) => [key(i), i]))];
}

function short(sha256: string): string {
  return `${sha256.slice(0, 16)}…`;
}

function certificatesOf(report: ScanReport): string[] {
  return [...new Set((report.signatures?.certificates ?? []).map((c) => c.sha256.toLowerCase()))].sort();
}

function identityChanges(old: ScanReport, next: ScanReport): Change[] {
  const out: Change[] = [];
  const [pa, pb] = [packageOf(old), packageOf(next)];
  if (pa !== pb) {
    const [a, b] = [pa ?? '?', pb ?? '?'];
    out.push(
      change(
        'package-changed',
        'high',
        true,
        'package',
        {
          zh: `包名由 ${a} 变为 ${b}：这不是同一应用的升级，应按新应用重新审核。`,
          en: `The package name changed from ${a} to ${b}: this is not an update of the same app and needs review as a new app.`,
        },
        { before: pa, after: pb },
      ),
    );
  }

  const [ca, cb] = [certificatesOf(old), certificatesOf(next)];
  if (ca.length > 0 && cb.length > 0) {
    if (ca.join() !== cb.join()) {
      out.push(
        change(
          'signer-changed',
          'high',
          true,
          'signature',
          {
            zh: `签名证书变了（SHA-256 ${ca.map(short).join('、')} → ${cb.map(short).join('、')}）：新版本用另一把密钥签名，可能换了开发者或被他人重新打包；除非开发者能出示密钥轮换证明（v3 轮换谱系），应视为不同开发者。`,
            en: `The signing certificate changed (SHA-256 ${ca.map(short).join(', ')} → ${cb.map(short).join(', ')}): the update is signed with another key, so it may come from a different developer or be a repackaged copy; treat it as such unless the developer shows a key rotation (v3 proof-of-rotation).`,
          },
          { before: ca, after: cb },
        ),
      );
    }
  } else if (ca.length > 0 || cb.length > 0) {
    const which = ca.length === 0 ? { zh: '旧版本', en: 'old version' } : { zh: '新版本', en: 'new version' };
    out.push(
      change(
        'signer-changed',
        'medium',
        false,
        'signature',
        {
          zh: `${which.zh}未签名或读不到签名证书，无法确认两个版本出自同一开发者。`,
          en: `The ${which.en} is unsigned or its certificate could not be read, so the two versions cannot be shown to come from one developer.`,
        },
        { before: ca, after: cb },
      ),
    );
  }

  // The same bytes are the same build: an equal versionCode is then expected, not a resubmission.
  const [va, vb] = [old.app.versionCode, next.app.versionCode];
  if (va !== null && vb !== null && vb <= va && old.file.sha256 !== next.file.sha256) {
    out.push(
      change(
        'version-not-increased',
        'medium',
        false,
        'versionCode',
        {
          zh: `版本号（versionCode）没有增加（${va} → ${vb}），但安装包内容不同：同一版本号对应不同的包，用户和应用商店都无法区分。`,
          en: `versionCode did not increase (${va} → ${vb}) although the package differs: two builds under one version number cannot be told apart by users or stores.`,
        },
        { before: va, after: vb },
      ),
    );
  }
  return out;
}

function sdkLevelChanges(old: ScanReport, next: ScanReport): Change[] {
  const out: Change[] = [];
  const [ta, tb] = [old.app.targetSdk, next.app.targetSdk];
  if (ta !== null && tb !== null && tb < ta) {
    out.push(
      change(
        'target-sdk-lowered',
        'high',
        true,
        'targetSdk',
        {
          zh: `目标 SDK 版本（targetSdkVersion）由 ${ta} 降为 ${tb}：降低目标版本可以绕开新版安卓的权限与隐私限制。`,
          en: `targetSdkVersion dropped from ${ta} to ${tb}: targeting an older Android level opts the app out of newer permission and privacy protections.`,
        },
        { before: ta, after: tb },
      ),
    );
  }
  const [ma, mb] = [old.app.minSdk, next.app.minSdk];
  if (ma !== mb) {
    const [a, b] = [ma ?? '?', mb ?? '?'];
    out.push(
      change(
        'min-sdk-changed',
        'info',
        false,
        'minSdk',
        { zh: `最低 SDK 版本（minSdkVersion）由 ${a} 变为 ${b}。`, en: `minSdkVersion changed from ${a} to ${b}.` },
        { before: ma, after: mb },
      ),
    );
  }
  return out;
}

function permissionChanges(old: ScanReport, next: ScanReport): Change[] {
  const sections = bothHave(old, next, 'permissions');
  if (!sections) return [];
  const [before, after] = keyed(sections, (p) => p.name);
  const out: Change[] = [];
  for (const [name, p] of after) {
    if (before.has(name)) continue;
    const value = { name, protectionLevel: p.protectionLevel };
    if (isDangerousLevel(p.protectionLevel)) {
      out.push(
        change(
          'permission-added',
          'high',
          true,
          name,
          {
            zh: `新增危险权限 ${name}：需在隐私政策和权限说明中写明用途，并在用到时才向用户申请。`,
            en: `New dangerous permission ${name}: its purpose must be stated in the privacy policy and permission notice, and users asked only when it is needed.`,
          },
          { after: value },
        ),
      );
    } else {
      const level = p.protectionLevel;
      out.push(
        change(
          'permission-added',
          'low',
          false,
          name,
          {
            zh: `新增权限 ${name}（保护级别：${level ?? '未知'}）。`,
            en: `New permission ${name} (protection level: ${level ?? 'unknown'}).`,
          },
          { after: value },
        ),
      );
    }
  }
  for (const [name, p] of before) {
    if (after.has(name)) continue;
    out.push(
      change(
        'permission-removed',
        'info',
        false,
        name,
        { zh: `不再申请权限 ${name}。`, en: `Permission ${name} is no longer requested.` },
        { before: { name, protectionLevel: p.protectionLevel } },
      ),
    );
  }
  return out;
}

function sdkValue(sdk: DetectedSdk): Record<string, unknown> {
  return { id: sdk.id, name: sdk.name.en, version: sdk.version, tracker: sdk.tracker, category: sdk.category };
}

function sdkChanges(old: ScanReport, next: ScanReport): Change[] {
  const sections = bothHave(old, next, 'sdks');
  if (!sections) return [];
  const [before, after] = keyed(sections, (s) => s.id);
  const out: Change[] = [];
  for (const [id, s] of after) {
    const was = before.get(id);
    if (!was) {
      const version = s.version ? ` ${s.version}` : '';
      if (s.category === 'hot-update') {
        out.push(
          change(
            'dynamic-code-added',
            'high',
            true,
            `sdk:${id}`,
            {
              zh: `新增热更新/插件框架 ${s.name.zh}${version}：上架后可替换或新增代码，绕过应用商店审核。`,
              en: `Hot-update capability added: the new version embeds ${s.name.en}${version}, which can replace or add code after the store has reviewed the app.`,
            },
            { after: sdkValue(s) },
          ),
        );
        continue;
      }
      out.push(
        s.tracker
          ? change(
              'sdk-added',
              'medium',
              true,
              id,
              {
                zh: `新增会收集个人信息的第三方 SDK：${s.name.zh}${version}（${s.vendor.zh}），须写入第三方 SDK 清单和隐私政策。`,
                en: `New third-party SDK that collects personal information: ${s.name.en}${version} (${s.vendor.en}); it must appear in the SDK list and the privacy policy.`,
              },
              { after: sdkValue(s) },
            )
          : change(
              'sdk-added',
              'low',
              false,
              id,
              { zh: `新增第三方库：${s.name.zh}${version}。`, en: `New third-party library: ${s.name.en}${version}.` },
              { after: sdkValue(s) },
            ),
      );
      continue;
    }
    // An unknown version on either side says nothing about an upgrade: detection may just have missed it.
    if (was.version === null || s.version === null) continue;
    const order = compareVersions(was.version, s.version);
    if (order < 0) {
      out.push(
        change(
          'sdk-upgraded',
          'info',
          false,
          id,
          {
            zh: `SDK ${s.name.zh} 由 ${was.version} 升级到 ${s.version}。`,
            en: `SDK ${s.name.en} upgraded from ${was.version} to ${s.version}.`,
          },
          { before: was.version, after: s.version },
        ),
      );
    } else if (order > 0) {
      out.push(
        change(
          'sdk-downgraded',
          'low',
          false,
          id,
          {
            zh: `SDK ${s.name.zh} 由 ${was.version} 降级到 ${s.version}：旧版本可能带回已修复的合规或安全问题。`,
            en: `SDK ${s.name.en} went back from ${was.version} to ${s.version}: an older release can bring back compliance or security problems that were fixed.`,
          },
          { before: was.version, after: s.version },
        ),
      );
    }
  }
  for (const [id, s] of before) {
    if (after.has(id)) continue;
    out.push(
      change(
        'sdk-removed',
        'info',
        false,
        id,
        { zh: `移除 SDK：${s.name.zh}。`, en: `SDK removed: ${s.name.en}.` },
        { before: sdkValue(s) },
      ),
    );
  }
  return out;
}

/**
 * Orders version strings by their numeric and word parts (`4.9.10` after `4.9.2`, `v1.2` = `1.2.0`); a
 * trailing word part marks a pre-release (`2.0-beta` before `2.0`). Returns <0, 0 or >0 like a sort comparator.
 */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .toLowerCase()
      .replace(/^v(?=\d)/, '')
      .match(/\d+|[a-z]+/g) ?? [];
  const numeric = (part: string) => /^\d/.test(part);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === undefined || q === undefined) {
      // One version goes on: further zeros change nothing (1.0 = 1.0.0), a number makes it later,
      // a word makes it a pre-release of the shorter one.
      const rest = (p ?? q)!;
      const longer = p === undefined ? -1 : 1;
      if (numeric(rest) && Number(rest) === 0) continue;
      return numeric(rest) ? longer : -longer;
    }
    if (numeric(p) && numeric(q)) {
      const d = Number(p) - Number(q);
      if (d !== 0) return Math.sign(d);
    } else if (numeric(p) !== numeric(q)) {
      // A number outranks a word at the same place: 2.0.1 comes after 2.0.beta.
      return numeric(p) ? 1 : -1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return 0;
}

/** Who calls an API, in words; an older report without an SDK list still names the SDK ids. */
function callersText(report: ScanReport, use: SensitiveApiUse, lang: 'zh' | 'en'): string {
  return describeCallers({ ...report, sdks: report.sdks ?? [] }, use, lang);
}

function apiValue(use: SensitiveApiUse): Record<string, unknown> {
  return {
    api: use.api,
    pi: use.pi,
    sensitivity: use.sensitivity,
    callerCount: use.callerCount,
    callers: use.callers.slice(0, 10).map((c) => ({ class: c.class, sdk: c.sdk, own: c.own })),
  };
}

function apiChanges(old: ScanReport, next: ScanReport): Change[] {
  const sections = bothHave(old, next, 'sensitiveApis');
  if (!sections) return [];
  const [before, after] = keyed(sections, (u) => u.api);
  const out: Change[] = [];
  for (const [api, use] of after) {
    if (before.has(api)) continue;
    const by = { zh: callersText(next, use, 'zh'), en: callersText(next, use, 'en') };
    if (isDynamicCodeApi(api)) {
      // Frameworks (Play services modules, WebView) build PathClassLoaders over installed APKs: a
      // lead, not by itself a way to run code the store has not seen.
      const overInstalledCode = api === 'pathClassLoader.init';
      out.push(
        change(
          'dynamic-code-added',
          overInstalledCode ? 'low' : 'high',
          !overInstalledCode,
          api,
          {
            zh: `新增热更新能力：新版本开始调用动态加载代码的 API ${api}（调用方：${by.zh}）。运行时加载的代码不经应用商店审核，上架后仍可改变应用行为。`,
            en: `Hot-update capability added: the new version calls the dynamic code loading API ${api} (from ${by.en}). Code loaded at run time skips store review and can change what the app does after it is listed.`,
          },
          { after: apiValue(use) },
        ),
      );
      continue;
    }
    const collectsPi = use.pi !== null && use.sensitivity === 'high';
    const pi = use.pi ? { zh: `个人信息：${use.pi}，`, en: `personal information: ${use.pi}, ` } : { zh: '', en: '' };
    out.push(
      change(
        'sensitive-api-added',
        collectsPi ? 'medium' : 'low',
        collectsPi,
        api,
        {
          zh: `新调用敏感 API ${api}（${pi.zh}敏感度 ${use.sensitivity}），调用方：${by.zh}。`,
          en: `Newly calls the sensitive API ${api} (${pi.en}sensitivity ${use.sensitivity}) from ${by.en}.`,
        },
        { after: apiValue(use) },
      ),
    );
  }
  for (const [api, use] of before) {
    if (after.has(api)) continue;
    out.push(
      change(
        'sensitive-api-removed',
        'info',
        false,
        api,
        { zh: `不再调用敏感 API ${api}。`, en: `No longer calls the sensitive API ${api}.` },
        { before: apiValue(use) },
      ),
    );
  }
  return out;
}

function actionsOf(component: Component): string[] {
  return [...new Set(intentActions(component))];
}

function selfStartActions(component: Component | undefined): Set<string> {
  if (!component || component.type !== 'receiver') return new Set();
  return new Set(actionsOf(component).filter((a) => SELF_START_ACTIONS.has(a)));
}

function componentValue(c: Component): Record<string, unknown> {
  return { type: c.type, name: c.name, exported: c.exported, permission: c.permission, enabled: c.enabled, actions: actionsOf(c) };
}

/** " (from JPush)": who brought a component in, by the same attribution the rules use. */
function ownerText(report: ScanReport, name: string): Bilingual {
  const sdk = sdkOfComponent({ ...report, sdks: report.sdks ?? [] }, name);
  return sdk ? { zh: `（来自 ${sdk.name.zh}）`, en: ` (from ${sdk.name.en})` } : { zh: '', en: '' };
}

function componentChanges(old: ScanReport, next: ScanReport): Change[] {
  const sections = bothHave(old, next, 'components');
  if (!sections) return [];
  const [before, after] = keyed(sections, (c) => c.name);
  const out: Change[] = [];
  for (const [name, c] of after) {
    const was = before.get(name);
    const from = ownerText(next, name);
    const type = { zh: COMPONENT_TYPE_NAMES[c.type]?.zh ?? c.type, en: c.type };
    const values = { ...(was ? { before: componentValue(was) } : {}), after: componentValue(c) };
    const gained = [...selfStartActions(c)].filter((a) => !selfStartActions(was).has(a));
    const exposed = c.exported && !was?.exported;
    if (gained.length > 0) {
      // A receiver shipped disabled starts nothing until the app enables it, normally after consent.
      const disabled = c.enabled === false;
      const list = gained.map((a) => a.slice(a.lastIndexOf('.') + 1)).join(', ');
      const note = disabled ? { zh: '（清单中默认禁用）', en: ' (disabled in the manifest)' } : { zh: '', en: '' };
      out.push(
        change(
          'self-start-added',
          disabled ? 'low' : 'medium',
          !disabled,
          name,
          {
            zh: was
              ? `广播接收器 ${name}${from.zh}新监听 ${list}${note.zh}：可在用户没有打开应用时启动应用（自启动）。`
              : `新增广播接收器 ${name}${from.zh}，监听 ${list}${note.zh}：可在用户没有打开应用时启动应用（自启动）。`,
            en: `${was ? 'Receiver' : 'New receiver'} ${name}${from.en} ${was ? 'now listens' : 'listens'} for ${list}${note.en} and can start the app without the user opening it (self-start).`,
          },
          values,
        ),
      );
    }
    // Self-start and exposure are what make a component matter; for a new component either one
    // replaces the plain "added" line, so one component is not listed twice for one reason.
    if (exposed && (was || gained.length === 0)) {
      const guard = c.permission
        ? { zh: `，访问需权限 ${c.permission}`, en: `, guarded by ${c.permission}` }
        : { zh: '，且未设访问权限', en: ' with no permission guarding it' };
      out.push(
        change(
          'exported-component-added',
          'medium',
          false,
          name,
          {
            zh: was
              ? `${type.zh} ${name}${from.zh}改为导出：其他应用可以直接调用它${guard.zh}。`
              : `新增导出的${type.zh} ${name}${from.zh}：其他应用可以直接调用它${guard.zh}。`,
            en: `${was ? `${capital(type.en)} ${name}${from.en} is now exported` : `New exported ${type.en} ${name}${from.en}`}: other apps can call it directly${guard.en}.`,
          },
          values,
        ),
      );
    }
    if (!was && !exposed && gained.length === 0) {
      out.push(
        change(
          'component-added',
          'low',
          false,
          name,
          { zh: `新增${type.zh} ${name}${from.zh}。`, en: `New ${type.en} ${name}${from.en}.` },
          values,
        ),
      );
    }
  }
  for (const [name, c] of before) {
    if (after.has(name)) continue;
    const type = { zh: COMPONENT_TYPE_NAMES[c.type]?.zh ?? c.type, en: c.type };
    out.push(
      change(
        'component-removed',
        'info',
        false,
        name,
        { zh: `移除${type.zh} ${name}。`, en: `${capital(type.en)} ${name} removed.` },
        { before: componentValue(c) },
      ),
    );
  }
  return out;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const RISKY_FLAGS = {
  debuggable: { zh: '调试器可以附加到应用并读取其数据', en: 'a debugger can attach to the app and read its data' },
  usesCleartextTraffic: {
    zh: '允许明文 HTTP 通信，传输中的个人信息可能被窃听',
    en: 'plain HTTP is allowed, so personal data can be read in transit',
  },
  allowBackup: { zh: '应用数据可以通过 adb 备份导出', en: 'app data can be copied off the device with adb backup' },
} as const;

function flagChanges(old: ScanReport, next: ScanReport): Change[] {
  const out: Change[] = [];
  for (const [flag, why] of Object.entries(RISKY_FLAGS) as [keyof typeof RISKY_FLAGS, Bilingual][]) {
    const [a, b] = [old.app.flags?.[flag] ?? null, next.app.flags?.[flag] ?? null];
    // Only an explicit `true` counts: the platform defaults for an absent attribute depend on the
    // target SDK, and guessing them would report changes nobody made.
    if (b !== true || a === true) continue;
    out.push(
      change(
        'flag-changed',
        'medium',
        false,
        flag,
        { zh: `android:${flag} 被打开：${why.zh}。`, en: `android:${flag} was turned on: ${why.en}.` },
        { before: a, after: b },
      ),
    );
  }
  return out;
}

/** Rules that produced an answer in a report; reports before 1.2 have none. */
function ranRules(report: ScanReport): Set<string> {
  return new Set((Array.isArray(report.rules) ? report.rules : []).filter((r) => r.status === 'ran').map((r) => r.id));
}

function findingValue(f: Finding): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    fingerprint: f.fingerprint,
    message: f.message,
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
  };
}

function findingChanges(old: ScanReport, next: ScanReport): Change[] {
  // A rule that did not run on one side (older tool, disabled, missing evidence) says nothing about
  // the app there; comparing its findings would report tool changes as app changes.
  const ranOld = ranRules(old);
  const comparable = new Set([...ranRules(next)].filter((id) => ranOld.has(id)));
  const pick = (r: ScanReport) =>
    new Map((Array.isArray(r.findings) ? r.findings : []).filter((f) => comparable.has(f.ruleId)).map((f) => [f.fingerprint, f]));
  const [before, after] = [pick(old), pick(next)];
  const out: Change[] = [];
  for (const [fp, f] of after) {
    if (before.has(fp)) continue;
    out.push(
      change(
        'finding-added',
        f.severity,
        // A suppressed finding was accepted in the configuration; it is shown, but stops nothing.
        f.severity === 'high' && !f.suppressed,
        `${f.ruleId}#${fp}`,
        { zh: `新问题 [${f.ruleId}]：${f.message.zh}`, en: `New finding [${f.ruleId}]: ${f.message.en}` },
        { after: findingValue(f) },
      ),
    );
  }
  for (const [fp, f] of before) {
    if (after.has(fp)) continue;
    // Resolved findings are good news: `info`, so no `--fail-on` threshold trips on them.
    out.push(
      change(
        'finding-resolved',
        'info',
        false,
        `${f.ruleId}#${fp}`,
        { zh: `已不再出现 [${f.ruleId}]：${f.message.zh}`, en: `Resolved [${f.ruleId}]: ${f.message.en}` },
        { before: findingValue(f) },
      ),
    );
  }
  return out;
}
