/**
 * Package facts for rule tests: a minimal, valid `PackageFacts` that each test changes only where
 * its rule looks. Real-APK behaviour is covered by the CLI tests, which scan the npm test APKs.
 */
import type { Component, DetectedSdk, PackageFacts, RequestedPermission, SensitiveApiUse } from '../../src/index.js';
import type { Evidence, StoreListing } from '../../src/index.js';

type AppPatch = Partial<Omit<PackageFacts['app'], 'flags'>> & { flags?: Partial<PackageFacts['app']['flags']> };

export function makeFacts(patch: Partial<Omit<PackageFacts, 'app'>> & { app?: AppPatch } = {}): PackageFacts {
  const { app, ...rest } = patch;
  const { flags, ...appRest } = app ?? {};
  return {
    file: { path: '/tmp/app.apk', name: 'app.apk', size: 1000, sha256: '0'.repeat(64), kind: 'apk' },
    app: {
      package: 'com.example.app',
      versionName: '1.0',
      versionCode: 1,
      label: 'Example',
      labels: { default: 'Example' },
      icon: 'res/mipmap-xxxhdpi/ic_launcher.png',
      iconImage: null,
      minSdk: 21,
      targetSdk: 34,
      maxSdk: null,
      compileSdk: 34,
      launcherActivity: 'com.example.app.MainActivity',
      metaData: [],
      flags: {
        debuggable: null,
        allowBackup: false,
        usesCleartextTraffic: false,
        networkSecurityConfig: null,
        requestLegacyExternalStorage: null,
        testOnly: null,
        ...flags,
      },
      ...appRest,
    },
    permissions: [],
    declaredPermissions: [],
    components: [activity('com.example.app.MainActivity', { launcher: true })],
    dex: {
      files: 1,
      classes: 1,
      methods: 1,
      methodRefs: 1,
      fieldRefs: 0,
      strings: 1,
      invokes: 0,
      staticFieldReads: 0,
      stringLoads: 0,
      perFile: [],
    },
    jvm: null,
    nativeLibraries: [],
    signatures: null,
    archive: { entries: 3, issues: [], nested: [] },
    sdks: [],
    sensitiveApis: [],
    permissionUse: { declaredUnused: [], usedUndeclared: [] },
    problems: [],
    ...rest,
  };
}

export function evidenceOf(facts: PackageFacts, store?: StoreListing): Evidence {
  return store ? { package: facts, store } : { package: facts };
}

export function activity(name: string, options: { launcher?: boolean; exported?: boolean } = {}): Component {
  return {
    type: 'activity',
    name,
    exported: options.exported ?? options.launcher ?? false,
    exportedSource: options.launcher ? 'implied-by-intent-filter' : 'default',
    enabled: null,
    permission: null,
    process: null,
    intentFilters: options.launcher
      ? [{ actions: ['android.intent.action.MAIN'], categories: ['android.intent.category.LAUNCHER'], data: [], priority: null }]
      : [],
    metaData: [],
  };
}

export function receiver(name: string, actions: string[], options: { exported?: boolean; permission?: string } = {}): Component {
  return {
    type: 'receiver',
    name,
    exported: options.exported ?? actions.length > 0,
    exportedSource: options.exported !== undefined ? 'explicit' : 'implied-by-intent-filter',
    enabled: null,
    permission: options.permission ?? null,
    process: null,
    intentFilters: actions.length ? [{ actions, categories: [], data: [], priority: null }] : [],
    metaData: [],
  };
}

export function service(name: string, actions: string[] = [], options: { exported?: boolean; permission?: string } = {}): Component {
  return { ...receiver(name, actions, options), type: 'service' };
}

export function provider(
  name: string,
  options: { authorities?: string[]; metaData?: { name: string; value: string | null }[]; enabled?: boolean } = {},
): Component {
  return {
    type: 'provider',
    name,
    exported: false,
    exportedSource: 'default',
    enabled: options.enabled ?? null,
    permission: null,
    process: null,
    intentFilters: [],
    metaData: options.metaData ?? [],
    authorities: options.authorities ?? [],
  };
}

export function permission(name: string, protectionLevel: string | null = 'dangerous'): RequestedPermission {
  return { name, maxSdkVersion: null, sdk23: false, protectionLevel };
}

export function sdk(id: string, patch: Partial<DetectedSdk> = {}): DetectedSdk {
  return {
    id,
    name: { zh: id, en: id },
    vendor: { zh: `${id} vendor`, en: `${id} vendor` },
    category: 'analytics',
    region: 'cn',
    tracker: true,
    confidence: 'high',
    evidence: { classes: 10, classExamples: [`com.${id}.Main`], components: [], nativeLibraries: [], domains: [] },
    version: null,
    privacyPolicy: null,
    personalInformation: [],
    ...patch,
  };
}

/** A sensitive-API use called from the given classes (`sdk` null: the app's or unknown code). */
export function apiUse(
  api: string,
  signature: string,
  callers: { class: string; sdk?: string | null; own?: boolean }[],
  patch: Partial<SensitiveApiUse> = {},
): SensitiveApiUse {
  return {
    api,
    kind: 'method',
    signature,
    pi: null,
    sensitivity: 'high',
    permission: null,
    callers: callers.map((c) => ({ class: c.class, method: 'run()V', sdk: c.sdk ?? null, own: c.own ?? false, artifact: 'classes.dex' })),
    callerCount: callers.length,
    ...patch,
  };
}
