import type { CertificateInfo } from '@apprights/apk';
import type { SensitiveApiUse, PermissionUse } from '@apprights/knowledge';
/**
 * What was read from one package (APK, JAR or AAR): the static part of the evidence model, and the
 * fact sections of the scan report (`schemas/scan-report.schema.json` in the CLI documents the JSON).
 * Everything here is plain JSON, so rules give the same findings on a stored report as on the file.
 */
/** `dex`: a bare DEX file (what d8 writes), read as the one DEX of a package with no manifest. */
export type PackageKind = 'apk' | 'jar' | 'aar' | 'dex';

export interface PackageFacts {
  file: { path: string; name: string; size: number; sha256: string; kind: PackageKind };
  app: AppInfo;
  permissions: RequestedPermission[];
  declaredPermissions: DeclaredPermission[];
  components: Component[];
  dex: DexSummary;
  jvm: JvmSummary | null;
  nativeLibraries: NativeLibrary[];
  signatures: SignatureSummary | null;
  archive: ArchiveSummary;
  /** Third-party SDKs of the AppRights catalogue found in the code, manifest or native libraries (1.1). */
  sdks: DetectedSdk[];
  /** Privacy-sensitive platform APIs the code uses, with the calling methods (1.1). */
  sensitiveApis: SensitiveApiUse[];
  /** Requested permissions against the sensitive APIs the code calls (1.1). */
  permissionUse: PermissionUse;
  /** Non-fatal problems: a part that could not be read, with the reason. */
  problems: Problem[];
}

export interface AppInfo {
  package: string | null;
  versionName: string | null;
  versionCode: number | null;
  /** The app name as users see it in the default locale (resolved through resources.arsc). */
  label: string | null;
  /** The app name per locale (`default`, `zh-CN`, `zh-TW`, `en`, and any other the app has). */
  labels: Record<string, string>;
  /** The launcher icon file (highest density) when it is a file in the APK. */
  icon: string | null;
  /**
   * What the icon file looks like: PNGs are decoded for their alpha (measure 3 bans transparent icons);
   * WebP and adaptive-icon XML give only the format. Null without an icon file (1.2).
   */
  iconImage: IconImage | null;
  minSdk: number | null;
  targetSdk: number | null;
  maxSdk: number | null;
  compileSdk: number | null;
  launcherActivity: string | null;
  /** `<meta-data>` directly under `<application>` (T/TAF 076 permission purposes live here) (1.2). */
  metaData: { name: string; value: string | null }[];
  flags: {
    debuggable: boolean | null;
    allowBackup: boolean | null;
    usesCleartextTraffic: boolean | null;
    networkSecurityConfig: string | null;
    requestLegacyExternalStorage: boolean | null;
    testOnly: boolean | null;
  };
}

export interface IconImage {
  path: string;
  format: 'png' | 'webp' | 'xml' | 'other';
  /** Null unless a PNG was decoded, as are the alpha figures. */
  width: number | null;
  height: number | null;
  /** Share of pixels with alpha below 16 of 255 (0–1). */
  transparentRatio: number | null;
  /** Mean alpha, 0–255. */
  meanAlpha: number | null;
  /** Why the image could not be read or decoded, when it could not. */
  problem: string | null;
}

export interface RequestedPermission {
  name: string;
  maxSdkVersion: number | null;
  /** Declared with `uses-permission-sdk-23` (requested only on Android 6.0+). */
  sdk23: boolean;
  /** Platform protection level (`dangerous`, `signature|privileged`, ...) or null when unknown. */
  protectionLevel: string | null;
}

export interface DeclaredPermission {
  name: string;
  protectionLevel: string | null;
  group: string | null;
}

export type ComponentType = 'activity' | 'activity-alias' | 'service' | 'receiver' | 'provider';

export interface Component {
  type: ComponentType;
  name: string;
  exported: boolean;
  exportedSource: 'explicit' | 'implied-by-intent-filter' | 'default';
  enabled: boolean | null;
  permission: string | null;
  process: string | null;
  intentFilters: { actions: string[]; categories: string[]; data: Record<string, string>[]; priority: number | null }[];
  metaData: { name: string; value: string | null }[];
  authorities?: string[];
  targetActivity?: string;
}

export interface DexSummary {
  files: number;
  classes: number;
  methods: number;
  methodRefs: number;
  fieldRefs: number;
  strings: number;
  /** Code references found by scanning every method body. */
  invokes: number;
  staticFieldReads: number;
  stringLoads: number;
  perFile: { name: string; version: string; size: number; classes: number; methods: number; checksumValid: boolean }[];
}

export interface JvmSummary {
  classFiles: number;
  classes: number;
  methods: number;
  methodRefs: number;
  aarPackage: string | null;
  jars: string[];
}

export interface NativeLibrary {
  abi: string;
  path: string;
  size: number;
  soname: string | null;
  machine: string | null;
  problem: string | null;
}

export interface SchemeSummary {
  present: boolean;
  verified: boolean;
  /** Why the scheme was not checked for this SDK range (apksigner's rules), or null when it was. */
  skipped: string | null;
  errors: string[];
  warnings: string[];
}

/** A signer certificate as @apprights/apk describes it, with absent key details as null in JSON. */
export type CertificateSummary = Omit<CertificateInfo, 'publicKey' | 'signatureAlgorithm'> & {
  publicKey: { algorithm: string; bits: number | null; curve: string | null };
  signatureAlgorithm: string | null;
};

export interface SignatureSummary {
  verified: boolean;
  /** `true` when the scheme is present and verified. */
  schemes: { v1: boolean; v2: boolean; v3: boolean; v31: boolean };
  details: { v1: SchemeSummary; v2: SchemeSummary; v3: SchemeSummary; v31: SchemeSummary };
  certificates: CertificateSummary[];
  /**
   * The v3 proof-of-rotation lineage (sha256 of each certificate, oldest first), when the APK has
   * one: a store accepts a new signer for an app only if its lineage starts from the listed signer.
   */
  lineage?: string[];
  /** minSdkVersion used to decide which schemes must verify. */
  minSdk: number;
  errors: string[];
  warnings: string[];
}

export interface ArchiveSummary {
  entries: number;
  issues: { kind: string; entry: string | null; message: string }[];
  nested: NestedArchiveSummary[];
}

export interface NestedArchiveSummary {
  path: string;
  kind: string;
  size: number;
  depth: number;
  entries: number | null;
  dexFiles: number | null;
  classes: number | null;
  methods: number | null;
  skipped: string | null;
  error: string | null;
}

export interface Problem {
  code: string;
  message: string;
  entry: string | null;
}

export interface DetectedSdk {
  /** The catalogue id (`jpush`): `apprights sdk show ID` describes it. */
  id: string;
  name: { zh: string; en: string };
  vendor: { zh: string; en: string };
  category: string;
  region: 'cn' | 'global';
  /** The SDK collects personal information for its vendor (false for plain open-source libraries). */
  tracker: boolean;
  /** high: classes (3+, or 1+ with a component or library); medium: components or libraries only; low: host names only. */
  confidence: 'high' | 'medium' | 'low';
  evidence: {
    classes: number;
    classExamples: string[];
    components: string[];
    nativeLibraries: string[];
    domains: string[];
  };
  version: string | null;
  /** Where the version was read: kind (version-hint, constant, aar-manifest, meta-inf, file-name, native-library) and what (1.5). */
  versionSource?: { kind: string; where: string } | null;
  /** Detected SDKs that ship this one inside them: it came with them, not as a separate SDK (1.5). */
  bundledBy?: string[];
  /** The vendor's privacy policy for the SDK, from the catalogue (1.2). */
  privacyPolicy: string | null;
  /** PI categories the vendor says the SDK collects, from the catalogue (1.2). */
  personalInformation: string[];
}

/**
 * Sensitive API uses and the permission cross-check are reported exactly as @apprights/knowledge
 * computes them (schemas/scan-report.schema.json documents the JSON).
 */
export type { SensitiveApiCaller, SensitiveApiUse, PermissionUse } from '@apprights/knowledge';
