/**
 * The typed AndroidManifest model, built from the binary XML tree the way Android's package parser reads
 * it: attributes are matched by framework resource id (falling back to `android:` names only when the
 * compiler left no id), component names are expanded with the package, and the exported defaults follow
 * the platform rules for the app's target SDK. References stay references: resolving them needs
 * resources.arsc and is the caller's job.
 */
import {
  ANDROID_NAMESPACE,
  frameworkAttributeName,
  parseAxml,
  type AxmlAttribute,
  type AxmlDocument,
  type AxmlElement,
} from '../axml/index.js';
import type { AxmlValue, AxmlWarning, ParseAxmlOptions } from '../axml/index.js';
import type {
  AndroidManifest,
  Application,
  Component,
  ComponentType,
  ExportedSource,
  IntentData,
  IntentFilter,
  LauncherActivity,
  ManifestBoolean,
  MetaData,
  PermissionDeclaration,
  Queries,
  ResourceOrString,
  SdkVersion,
  UsesFeature,
} from './types.js';

/** Target SDK Android assigns to pre-release codenames (Build.VERSION_CODES.CUR_DEVELOPMENT). */
const CUR_DEVELOPMENT = 10000;
const ACTION_MAIN = 'android.intent.action.MAIN';
const CATEGORY_LAUNCHER = 'android.intent.category.LAUNCHER';

const PROTECTION_BASE = ['normal', 'dangerous', 'signature', 'signatureOrSystem'];
const PROTECTION_FLAGS: [number, string][] = [
  [0x10, 'privileged'],
  [0x20, 'development'],
  [0x40, 'appop'],
  [0x80, 'pre23'],
  [0x100, 'installer'],
  [0x200, 'verifier'],
  [0x400, 'preinstalled'],
  [0x800, 'setup'],
  [0x1000, 'instant'],
  [0x2000, 'runtime'],
  [0x4000, 'oem'],
  [0x8000, 'vendorPrivileged'],
  [0x10000, 'textClassifier'],
  [0x20000, 'wellbeing'],
  [0x40000, 'documenter'],
  [0x80000, 'configurator'],
  [0x100000, 'incidentReportApprover'],
  [0x200000, 'appPredictor'],
];

/** Parses AndroidManifest.xml bytes (or an already parsed document) into the typed model. */
export function parseManifest(input: Uint8Array | AxmlDocument, options: ParseAxmlOptions = {}): AndroidManifest {
  const document = input instanceof Uint8Array ? parseAxml(input, options) : input;
  return new ManifestReader(document).read();
}

/** Finds an `android:` attribute the way Android does: by framework id first, then by namespaced name. */
export function androidAttribute(element: AxmlElement, name: string): AxmlAttribute | undefined {
  let byName: AxmlAttribute | undefined;
  for (const attribute of element.attributes) {
    if (attribute.name !== name) continue;
    if (attribute.resourceId !== undefined && frameworkAttributeName(attribute.resourceId) !== undefined) return attribute;
    if (attribute.namespaceUri === ANDROID_NAMESPACE && byName === undefined) byName = attribute;
  }
  return byName;
}

/** Android's class-name expansion: `.Foo` and `Foo` become `package.Foo`; dotted names stay. */
export function expandClassName(packageName: string | undefined, name: string): string {
  if (!packageName) return name;
  if (name.startsWith('.')) return packageName + name;
  if (!name.includes('.')) return `${packageName}.${name}`;
  return name;
}

class ManifestReader {
  private readonly warnings: AxmlWarning[];
  private packageName: string | undefined;
  private targetSdk: number | undefined = 1;

  constructor(private readonly document: AxmlDocument) {
    this.warnings = [...document.warnings];
  }

  private warn(element: AxmlElement, message: string): void {
    this.warnings.push({ offset: -1, message: `line ${element.line}: ${message}` });
  }

  read(): AndroidManifest {
    const root = this.document.root;
    if (root.name !== 'manifest') this.warn(root, `root element is <${root.name}>, not <manifest>`);
    // `package` and the build stamps carry no namespace; Android reads them by plain name.
    const plain = (name: string): AxmlAttribute | undefined =>
      root.attributes.find((a) => a.rawName === name && (a.namespaceUri === undefined || a.namespaceUri === ''));
    this.packageName = stringValue(plain('package')?.value);
    if (this.packageName === undefined) this.warn(root, 'manifest has no package attribute');

    const usesSdk = root.children.find((c): c is AxmlElement => c.kind === 'element' && c.name === 'uses-sdk');
    const minSdkVersion = usesSdk ? sdkValue(this.attr(usesSdk, 'minSdkVersion')) : undefined;
    const targetSdkVersion = usesSdk ? sdkValue(this.attr(usesSdk, 'targetSdkVersion')) : undefined;
    const maxSdkVersion = usesSdk ? sdkValue(this.attr(usesSdk, 'maxSdkVersion')) : undefined;
    this.targetSdk = effectiveSdk(targetSdkVersion ?? minSdkVersion ?? 1);

    const manifest: AndroidManifest = {
      package: this.packageName,
      versionCode: intValue(this.attr(root, 'versionCode')),
      versionCodeMajor: intValue(this.attr(root, 'versionCodeMajor')),
      versionName: textValue(this.attr(root, 'versionName')),
      compileSdkVersion: intValue(this.attr(root, 'compileSdkVersion')),
      compileSdkVersionCodename: stringValue(this.attr(root, 'compileSdkVersionCodename')),
      platformBuildVersionCode: intValue(plain('platformBuildVersionCode')?.value),
      platformBuildVersionName: stringValue(plain('platformBuildVersionName')?.value),
      sharedUserId: stringValue(this.attr(root, 'sharedUserId')),
      installLocation: intValue(this.attr(root, 'installLocation')),
      minSdkVersion,
      targetSdkVersion,
      maxSdkVersion,
      effectiveTargetSdk: this.targetSdk,
      usesPermissions: [],
      permissions: [],
      permissionGroups: [],
      usesFeatures: [],
      queries: { packages: [], intents: [], providers: [] },
      application: undefined,
      launcherActivities: [],
      launcherActivity: undefined,
      warnings: this.warnings,
    };

    for (const child of elements(root)) {
      switch (child.name) {
        case 'uses-permission':
        case 'uses-permission-sdk-23':
        case 'uses-permission-sdk-m': {
          const name = stringValue(this.attr(child, 'name'));
          if (name === undefined) {
            this.warn(child, `<${child.name}> without a name ignored`);
            break;
          }
          manifest.usesPermissions.push({
            name,
            maxSdkVersion: sdkValue(this.attr(child, 'maxSdkVersion')),
            sdk23: child.name !== 'uses-permission',
          });
          break;
        }
        case 'permission': {
          const declaration = this.permission(child);
          if (declaration) manifest.permissions.push(declaration);
          break;
        }
        case 'permission-group': {
          const name = stringValue(this.attr(child, 'name'));
          if (name !== undefined) {
            manifest.permissionGroups.push({
              name,
              label: textValue(this.attr(child, 'label')),
              description: textValue(this.attr(child, 'description')),
            });
          }
          break;
        }
        case 'uses-feature':
          manifest.usesFeatures.push(this.usesFeature(child));
          break;
        case 'queries':
          this.queries(child, manifest.queries);
          break;
        case 'application':
          if (manifest.application) this.warn(child, 'more than one <application>; Android uses the first');
          else manifest.application = this.application(child);
          break;
        default:
          break;
      }
    }
    if (manifest.application) {
      manifest.launcherActivities = launchers(manifest.application);
      manifest.launcherActivity = manifest.launcherActivities[0]?.name;
    }
    return manifest;
  }

  private attr(element: AxmlElement, name: string): AxmlValue | undefined {
    return androidAttribute(element, name)?.value;
  }

  private permission(element: AxmlElement): PermissionDeclaration | undefined {
    const name = stringValue(this.attr(element, 'name'));
    if (name === undefined) {
      this.warn(element, '<permission> without a name ignored');
      return undefined;
    }
    const level = this.attr(element, 'protectionLevel');
    let protectionLevel: number | undefined;
    let protectionLevelNames: string[] = [];
    if (level?.kind === 'integer') {
      protectionLevel = level.value >>> 0;
      protectionLevelNames = protectionNames(protectionLevel);
    } else if (level?.kind === 'string') {
      protectionLevelNames = level.value.split('|').filter((part) => part.length > 0);
    }
    return {
      name,
      protectionLevel,
      protectionLevelNames,
      permissionGroup: stringValue(this.attr(element, 'permissionGroup')),
      label: textValue(this.attr(element, 'label')),
      description: textValue(this.attr(element, 'description')),
    };
  }

  private usesFeature(element: AxmlElement): UsesFeature {
    const gl = intValue(this.attr(element, 'glEsVersion'));
    return {
      name: stringValue(this.attr(element, 'name')),
      required: boolValue(this.attr(element, 'required')) ?? true,
      glEsVersion: gl === undefined ? undefined : gl >>> 0,
    };
  }

  private queries(element: AxmlElement, queries: Queries): void {
    for (const child of elements(element)) {
      if (child.name === 'package') {
        const name = stringValue(this.attr(child, 'name'));
        if (name !== undefined) queries.packages.push(name);
      } else if (child.name === 'intent') {
        queries.intents.push(this.intentFilter(child));
      } else if (child.name === 'provider') {
        for (const authority of splitAuthorities(stringValue(this.attr(child, 'authorities')))) queries.providers.push(authority);
      }
    }
  }

  private application(element: AxmlElement): Application {
    const rawName = stringValue(this.attr(element, 'name'));
    const fullBackup = this.attr(element, 'fullBackupContent');
    const app: Application = {
      name: rawName === undefined ? undefined : expandClassName(this.packageName, rawName),
      label: textValue(this.attr(element, 'label')),
      icon: textValue(this.attr(element, 'icon')),
      roundIcon: textValue(this.attr(element, 'roundIcon')),
      debuggable: boolValue(this.attr(element, 'debuggable')),
      allowBackup: boolValue(this.attr(element, 'allowBackup')),
      usesCleartextTraffic: boolValue(this.attr(element, 'usesCleartextTraffic')),
      networkSecurityConfig: textValue(this.attr(element, 'networkSecurityConfig')),
      requestLegacyExternalStorage: boolValue(this.attr(element, 'requestLegacyExternalStorage')),
      extractNativeLibs: boolValue(this.attr(element, 'extractNativeLibs')),
      testOnly: boolValue(this.attr(element, 'testOnly')),
      appComponentFactory: this.className(this.attr(element, 'appComponentFactory')),
      permission: stringValue(this.attr(element, 'permission')),
      process: stringValue(this.attr(element, 'process')),
      enabled: boolValue(this.attr(element, 'enabled')) ?? true,
      directBootAware: boolValue(this.attr(element, 'directBootAware')),
      persistent: boolValue(this.attr(element, 'persistent')),
      largeHeap: boolValue(this.attr(element, 'largeHeap')),
      hasFragileUserData: boolValue(this.attr(element, 'hasFragileUserData')),
      backupAgent: this.className(this.attr(element, 'backupAgent')),
      fullBackupContent: fullBackup?.kind === 'boolean' ? fullBackup.value : textValue(fullBackup),
      dataExtractionRules: textValue(this.attr(element, 'dataExtractionRules')),
      metaData: [],
      usesLibraries: [],
      components: [],
    };
    for (const child of elements(element)) {
      switch (child.name) {
        case 'activity':
        case 'activity-alias':
        case 'service':
        case 'receiver':
        case 'provider': {
          const component = this.component(child, child.name, app);
          if (component) app.components.push(component);
          break;
        }
        case 'meta-data':
          app.metaData.push(this.metaData(child));
          break;
        case 'uses-library': {
          const name = stringValue(this.attr(child, 'name'));
          if (name !== undefined) app.usesLibraries.push({ name, required: boolValue(this.attr(child, 'required')) ?? true });
          break;
        }
        default:
          break;
      }
    }
    return app;
  }

  private className(value: AxmlValue | undefined): string | undefined {
    const name = stringValue(value);
    return name === undefined ? undefined : expandClassName(this.packageName, name);
  }

  private component(element: AxmlElement, type: ComponentType, app: Application): Component | undefined {
    const rawName = stringValue(this.attr(element, 'name'));
    if (rawName === undefined || rawName.length === 0) {
      this.warn(element, `<${type}> without a name ignored (Android rejects the package)`);
      return undefined;
    }
    const intentFilters: IntentFilter[] = [];
    const metaData: MetaData[] = [];
    for (const child of elements(element)) {
      if (child.name === 'intent-filter') intentFilters.push(this.intentFilter(child));
      else if (child.name === 'meta-data') metaData.push(this.metaData(child));
    }
    const name = expandClassName(this.packageName, rawName);
    const explicit = boolValue(this.attr(element, 'exported'));
    let exported: ManifestBoolean;
    let exportedSource: ExportedSource;
    if (explicit !== undefined) {
      exported = explicit;
      exportedSource = 'explicit';
    } else if (type === 'provider') {
      exported = this.targetSdk !== undefined && this.targetSdk < 17;
      exportedSource = 'default';
    } else if (intentFilters.length > 0 && (this.targetSdk === undefined || this.targetSdk < 31)) {
      exported = true;
      exportedSource = 'implied-by-intent-filter';
    } else {
      if (intentFilters.length > 0) {
        this.warn(
          element,
          `${name} has intent filters but no android:exported; Android 12+ refuses to install apps targeting SDK 31+ like this`,
        );
      }
      exported = false;
      exportedSource = 'default';
    }
    const ownEnabled = boolValue(this.attr(element, 'enabled')) ?? true;
    const permission = stringValue(this.attr(element, 'permission'));
    const component: Component = {
      type,
      name,
      rawName,
      exported,
      exportedSource,
      enabled: app.enabled === false ? false : ownEnabled,
      permission,
      effectivePermission: permission ?? (type === 'provider' ? undefined : app.permission),
      process: stringValue(this.attr(element, 'process')) ?? app.process,
      directBootAware: boolValue(this.attr(element, 'directBootAware')),
      intentFilters,
      metaData,
    };
    if (type === 'activity-alias') {
      const target = stringValue(this.attr(element, 'targetActivity'));
      component.targetActivity = target === undefined ? undefined : expandClassName(this.packageName, target);
      if (target === undefined) this.warn(element, `activity-alias ${name} has no targetActivity`);
    } else if (type === 'provider') {
      component.authorities = splitAuthorities(stringValue(this.attr(element, 'authorities')));
      component.grantUriPermissions = boolValue(this.attr(element, 'grantUriPermissions'));
      component.readPermission = stringValue(this.attr(element, 'readPermission')) ?? permission;
      component.writePermission = stringValue(this.attr(element, 'writePermission')) ?? permission;
    } else if (type === 'service') {
      const fgs = intValue(this.attr(element, 'foregroundServiceType'));
      component.foregroundServiceType = fgs === undefined ? undefined : fgs >>> 0;
      component.isolatedProcess = boolValue(this.attr(element, 'isolatedProcess'));
    }
    return component;
  }

  private intentFilter(element: AxmlElement): IntentFilter {
    const filter: IntentFilter = {
      actions: [],
      categories: [],
      data: [],
      priority: intValue(this.attr(element, 'priority')),
      autoVerify: boolValue(this.attr(element, 'autoVerify')),
    };
    for (const child of elements(element)) {
      if (child.name === 'action' || child.name === 'category') {
        const name = stringValue(this.attr(child, 'name'));
        if (name === undefined) continue;
        (child.name === 'action' ? filter.actions : filter.categories).push(name);
      } else if (child.name === 'data') {
        const data: IntentData = {};
        for (const key of DATA_KEYS) {
          const value = this.attr(child, key);
          const text = value?.kind === 'integer' ? String(value.value) : stringValue(value);
          if (text !== undefined) data[key] = text;
        }
        filter.data.push(data);
      }
    }
    return filter;
  }

  private metaData(element: AxmlElement): MetaData {
    const resource = this.attr(element, 'resource');
    return {
      name: stringValue(this.attr(element, 'name')),
      value: this.attr(element, 'value'),
      resource: resource?.kind === 'reference' ? resource.id : undefined,
    };
  }
}

const DATA_KEYS = [
  'scheme',
  'host',
  'port',
  'path',
  'pathPrefix',
  'pathPattern',
  'pathSuffix',
  'mimeType',
  'ssp',
  'sspPrefix',
  'sspPattern',
] as const satisfies readonly (keyof IntentData)[];

function elements(element: AxmlElement): AxmlElement[] {
  return element.children.filter((c): c is AxmlElement => c.kind === 'element');
}

function launchers(app: Application): LauncherActivity[] {
  const out: LauncherActivity[] = [];
  const activitiesSoFar = new Set<string>();
  for (const component of app.components) {
    if (component.type === 'activity') activitiesSoFar.add(component.name);
    if (component.type !== 'activity' && component.type !== 'activity-alias') continue;
    if (component.enabled === false) continue;
    if (component.type === 'activity-alias') {
      // An alias launches only when its target is an activity declared before it (Android's rule).
      if (!component.targetActivity || !activitiesSoFar.has(component.targetActivity)) continue;
    }
    const launches = component.intentFilters.some((f) => f.actions.includes(ACTION_MAIN) && f.categories.includes(CATEGORY_LAUNCHER));
    if (launches) out.push({ name: component.name, targetActivity: component.targetActivity });
  }
  return out;
}

function splitAuthorities(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function protectionNames(level: number): string[] {
  const base = level & 0xf;
  const names = [PROTECTION_BASE[base] ?? `0x${base.toString(16)}`];
  let unknown = level & ~0xf;
  for (const [bit, name] of PROTECTION_FLAGS) {
    if (level & bit) {
      names.push(name);
      unknown &= ~bit;
    }
  }
  if (unknown !== 0) names.push(`0x${(unknown >>> 0).toString(16)}`);
  return names;
}

function stringValue(value: AxmlValue | undefined): string | undefined {
  return value?.kind === 'string' ? value.value : undefined;
}

function textValue(value: AxmlValue | undefined): ResourceOrString | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'reference') return value.id === 0 ? undefined : { kind: 'reference', id: value.id };
  if (value.kind === 'string') return { kind: 'string', value: value.value };
  return undefined;
}

function intValue(value: AxmlValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'integer') return value.value;
  if (value.kind === 'string' && /^\s*[-+]?\d+\s*$/.test(value.value)) return Number.parseInt(value.value, 10);
  return undefined;
}

/** Android's boolean conversion also accepts "true"/"false" strings and non-zero integers. */
function boolValue(value: AxmlValue | undefined): ManifestBoolean | undefined {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'boolean':
      return value.value;
    case 'reference':
      return value.id === 0 ? undefined : { kind: 'reference', id: value.id };
    case 'integer':
      return value.value !== 0;
    case 'string': {
      const text = value.value.trim().toLowerCase();
      if (text === 'true') return true;
      if (text === 'false') return false;
      return undefined;
    }
    default:
      return undefined;
  }
}

function sdkValue(value: AxmlValue | undefined): SdkVersion | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'integer') return value.value;
  if (value.kind === 'reference') return { kind: 'reference', id: value.id };
  if (value.kind === 'string') {
    const number = intValue(value);
    return number ?? value.value;
  }
  return undefined;
}

function effectiveSdk(value: SdkVersion): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return CUR_DEVELOPMENT;
  return undefined;
}
