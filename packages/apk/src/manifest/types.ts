import type { AxmlValue, AxmlWarning } from '../axml/index.js';

/** An unresolved resource reference (`@0x7f040001`); resources.arsc gives its value. */
export interface ResourceRef {
  kind: 'reference';
  id: number;
}

/** A label, icon or similar: a literal string or a reference to a resource. */
export type ResourceOrString = ResourceRef | { kind: 'string'; value: string };

/** A boolean attribute: literal, or a reference to a bool resource (e.g. `@bool/debuggable`). */
export type ManifestBoolean = boolean | ResourceRef;

/** An SDK level: a number, a pre-release codename (`"Q"`), or a reference to an integer resource. */
export type SdkVersion = number | string | ResourceRef;

export type ComponentType = 'activity' | 'activity-alias' | 'service' | 'receiver' | 'provider';

/**
 * Why a component is or is not exported: written in the manifest, implied by an intent filter
 * (targetSdk < 31), or the platform default (false, or true for providers when targetSdk < 17).
 */
export type ExportedSource = 'explicit' | 'implied-by-intent-filter' | 'default';

export interface IntentData {
  scheme?: string;
  host?: string;
  port?: string;
  path?: string;
  pathPrefix?: string;
  pathPattern?: string;
  pathSuffix?: string;
  mimeType?: string;
  ssp?: string;
  sspPrefix?: string;
  sspPattern?: string;
}

export interface IntentFilter {
  actions: string[];
  categories: string[];
  data: IntentData[];
  priority: number | undefined;
  autoVerify: ManifestBoolean | undefined;
}

export interface MetaData {
  name: string | undefined;
  /** `android:value` as compiled (string, integer, boolean, reference, ...). */
  value: AxmlValue | undefined;
  /** `android:resource`: a resource id. */
  resource: number | undefined;
}

export interface Component {
  type: ComponentType;
  /** Fully qualified class name (`.Main` expanded with the package, as Android does). */
  name: string;
  /** The name as written. */
  rawName: string;
  exported: ManifestBoolean;
  exportedSource: ExportedSource;
  /** `android:enabled` (default true). A disabled application disables every component too. */
  enabled: ManifestBoolean;
  /** The component's own `android:permission`. */
  permission: string | undefined;
  /** The permission that guards it: its own or, for non-providers, the application's. */
  effectivePermission: string | undefined;
  process: string | undefined;
  directBootAware: ManifestBoolean | undefined;
  intentFilters: IntentFilter[];
  metaData: MetaData[];
  /** activity-alias only: the fully qualified target activity. */
  targetActivity?: string | undefined;
  /** provider only: authorities split at `;`. */
  authorities?: string[];
  grantUriPermissions?: ManifestBoolean | undefined;
  readPermission?: string | undefined;
  writePermission?: string | undefined;
  /** service only: `android:foregroundServiceType` flags. */
  foregroundServiceType?: number | undefined;
  /** service only. */
  isolatedProcess?: ManifestBoolean | undefined;
}

export interface UsesPermission {
  name: string;
  maxSdkVersion: SdkVersion | undefined;
  /** Declared with `<uses-permission-sdk-23>` (or its alias `uses-permission-sdk-m`): requested only on API 23+. */
  sdk23: boolean;
}

export interface PermissionDeclaration {
  name: string;
  /** The numeric protection level (base level in the low 4 bits, flags above). */
  protectionLevel: number | undefined;
  /** Names of the base level and flags, e.g. `['signature', 'privileged']`; a string value as written. */
  protectionLevelNames: string[];
  permissionGroup: string | undefined;
  label: ResourceOrString | undefined;
  description: ResourceOrString | undefined;
}

export interface PermissionGroupDeclaration {
  name: string;
  label: ResourceOrString | undefined;
  description: ResourceOrString | undefined;
}

export interface UsesFeature {
  name: string | undefined;
  required: ManifestBoolean;
  glEsVersion: number | undefined;
}

export interface UsesLibrary {
  name: string;
  required: ManifestBoolean;
}

export interface Queries {
  packages: string[];
  intents: IntentFilter[];
  /** Provider authorities (each `<provider android:authorities>` split at `;`). */
  providers: string[];
}

export interface Application {
  /** Fully qualified `android:name` (the Application subclass), if any. */
  name: string | undefined;
  label: ResourceOrString | undefined;
  icon: ResourceOrString | undefined;
  roundIcon: ResourceOrString | undefined;
  debuggable: ManifestBoolean | undefined;
  allowBackup: ManifestBoolean | undefined;
  usesCleartextTraffic: ManifestBoolean | undefined;
  networkSecurityConfig: ResourceOrString | undefined;
  requestLegacyExternalStorage: ManifestBoolean | undefined;
  extractNativeLibs: ManifestBoolean | undefined;
  testOnly: ManifestBoolean | undefined;
  appComponentFactory: string | undefined;
  permission: string | undefined;
  process: string | undefined;
  enabled: ManifestBoolean;
  directBootAware: ManifestBoolean | undefined;
  persistent: ManifestBoolean | undefined;
  largeHeap: ManifestBoolean | undefined;
  hasFragileUserData: ManifestBoolean | undefined;
  backupAgent: string | undefined;
  fullBackupContent: ResourceOrString | ManifestBoolean | undefined;
  /** API 31 attribute; matched by name (its id is newer than our framework table). */
  dataExtractionRules: ResourceOrString | undefined;
  metaData: MetaData[];
  usesLibraries: UsesLibrary[];
  /** Every component in document order. */
  components: Component[];
}

export interface LauncherActivity {
  /** The activity or alias name that carries MAIN + LAUNCHER (what the launcher starts). */
  name: string;
  /** For an alias, the activity it starts. */
  targetActivity: string | undefined;
}

export interface AndroidManifest {
  package: string | undefined;
  versionCode: number | undefined;
  versionCodeMajor: number | undefined;
  versionName: ResourceOrString | undefined;
  compileSdkVersion: number | undefined;
  compileSdkVersionCodename: string | undefined;
  platformBuildVersionCode: number | undefined;
  platformBuildVersionName: string | undefined;
  sharedUserId: string | undefined;
  installLocation: number | undefined;
  minSdkVersion: SdkVersion | undefined;
  targetSdkVersion: SdkVersion | undefined;
  maxSdkVersion: SdkVersion | undefined;
  /**
   * The numeric target SDK Android uses for defaults (target, else min, else 1; codenames count as
   * 10000 like a development build), or undefined when it is a resource reference.
   */
  effectiveTargetSdk: number | undefined;
  usesPermissions: UsesPermission[];
  permissions: PermissionDeclaration[];
  permissionGroups: PermissionGroupDeclaration[];
  usesFeatures: UsesFeature[];
  queries: Queries;
  application: Application | undefined;
  /** Enabled activities or aliases with an intent filter holding MAIN and LAUNCHER, in document order. */
  launcherActivities: LauncherActivity[];
  /** The first of `launcherActivities`, what aapt calls launchable-activity. */
  launcherActivity: string | undefined;
  /** Tolerated problems: the binary XML parser's and the model's. */
  warnings: AxmlWarning[];
}
