/**
 * Regenerates packages/knowledge/data/permissions.json.
 *
 * Inputs:
 * - Debian's android-framework-res (the Android 10 framework resources APK), read with our own AXML and
 *   ARSC parsers: every `<permission>` with its protection level, group and zh-CN/en strings;
 * - data/permissions.newer.json: permissions introduced after Android 10, each with its source;
 * - data/permissions.pi-map.json: the hand-written permission → PI category mapping;
 * - ADDED_IN below: API levels, because framework-res does not record when a permission appeared.
 *
 * Run: node --import tsx packages/knowledge/scripts/generate-permissions.ts [path/to/framework-res.apk]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ZipArchive, parseManifest, readResourceTable, type ResourceOrString, type ResourceTable } from '@apprights/apk';

const source = process.argv[2] ?? '/usr/share/android-framework-res/framework-res.apk';
const dataDir = fileURLToPath(new URL('../data/', import.meta.url));

/**
 * "Added in API level" of the permissions that matter for privacy checks, as the Android
 * Manifest.permission reference states them. Only levels we are sure of; everything else stays null
 * rather than guessed.
 */
const ADDED_IN: Record<string, number> = {
  'android.permission.ACCEPT_HANDOVER': 28,
  'android.permission.ACCESS_BACKGROUND_LOCATION': 29,
  'android.permission.ACCESS_COARSE_LOCATION': 1,
  'android.permission.ACCESS_FINE_LOCATION': 1,
  'android.permission.ACCESS_LOCATION_EXTRA_COMMANDS': 1,
  'android.permission.ACCESS_MEDIA_LOCATION': 29,
  'android.permission.ACCESS_NETWORK_STATE': 1,
  'android.permission.ACCESS_WIFI_STATE': 1,
  'android.permission.ACTIVITY_RECOGNITION': 29,
  'android.permission.ANSWER_PHONE_CALLS': 26,
  'android.permission.BLUETOOTH': 1,
  'android.permission.BLUETOOTH_ADMIN': 1,
  'android.permission.BLUETOOTH_PRIVILEGED': 19,
  'android.permission.BODY_SENSORS': 20,
  'android.permission.CALL_PHONE': 1,
  'android.permission.CAMERA': 1,
  'android.permission.CHANGE_WIFI_STATE': 1,
  'android.permission.FOREGROUND_SERVICE': 28,
  'android.permission.GET_ACCOUNTS': 1,
  'android.permission.GET_TASKS': 1,
  'android.permission.INTERNET': 1,
  'android.permission.LOCATION_HARDWARE': 18,
  'android.permission.MANAGE_OWN_CALLS': 26,
  'android.permission.PACKAGE_USAGE_STATS': 23,
  'android.permission.PROCESS_OUTGOING_CALLS': 1,
  'android.permission.READ_CALENDAR': 1,
  'android.permission.READ_CALL_LOG': 16,
  'android.permission.READ_CONTACTS': 1,
  'android.permission.READ_EXTERNAL_STORAGE': 16,
  'android.permission.READ_PHONE_NUMBERS': 26,
  'android.permission.READ_PHONE_STATE': 1,
  'android.permission.READ_SMS': 1,
  'android.permission.READ_SYNC_SETTINGS': 1,
  'android.permission.RECEIVE_BOOT_COMPLETED': 1,
  'android.permission.RECEIVE_MMS': 1,
  'android.permission.RECEIVE_SMS': 1,
  'android.permission.RECEIVE_WAP_PUSH': 1,
  'android.permission.RECORD_AUDIO': 1,
  'android.permission.REQUEST_INSTALL_PACKAGES': 23,
  'android.permission.SEND_SMS': 1,
  'android.permission.SYSTEM_ALERT_WINDOW': 1,
  'android.permission.USE_BIOMETRIC': 28,
  'android.permission.USE_FINGERPRINT': 23,
  'android.permission.USE_FULL_SCREEN_INTENT': 29,
  'android.permission.USE_SIP': 9,
  'android.permission.VIBRATE': 1,
  'android.permission.WAKE_LOCK': 1,
  'android.permission.WRITE_CALENDAR': 1,
  'android.permission.WRITE_CALL_LOG': 16,
  'android.permission.WRITE_CONTACTS': 1,
  'android.permission.WRITE_EXTERNAL_STORAGE': 4,
  'com.android.voicemail.permission.ADD_VOICEMAIL': 14,
  'com.android.voicemail.permission.READ_VOICEMAIL': 21,
  'com.android.voicemail.permission.WRITE_VOICEMAIL': 21,
};

interface Localized {
  en?: string;
  'zh-CN'?: string;
}

interface PermissionEntry {
  protectionLevel: string;
  group: string | null;
  label: Localized;
  description: Localized;
  addedIn: number | null;
  pi: string | null;
  source: string;
}

function localized(value: ResourceOrString | undefined, table: ResourceTable): Localized {
  if (!value) return {};
  if (value.kind === 'string') return { en: value.value };
  const en = table.resolveString(value.id, 'en');
  const zh = table.resolveString(value.id, 'zh-CN');
  return { ...(en ? { en } : {}), ...(zh ? { 'zh-CN': zh } : {}) };
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(`${dataDir}${name}`, 'utf8')) as T;
}

const zip = ZipArchive.open(source);
const manifest = parseManifest(zip.read('AndroidManifest.xml'));
const table = readResourceTable(zip);
if (!table) throw new Error(`${source} has no resources.arsc`);

const piMap = readJson<{ map: Record<string, string>; noPersonalInformation: Record<string, string> }>('permissions.pi-map.json');
const piIds = new Set(readJson<{ categories: { id: string }[] }>('pi-categories.json').categories.map((c) => c.id));
const newer = readJson<{ permissions: Record<string, Omit<PermissionEntry, 'pi'>> }>('permissions.newer.json');

const permissions: Record<string, PermissionEntry> = {};
for (const p of manifest.permissions) {
  permissions[p.name] = {
    protectionLevel: p.protectionLevelNames.join('|') || 'normal',
    group: p.permissionGroup ?? null,
    label: localized(p.label, table),
    description: localized(p.description, table),
    addedIn: ADDED_IN[p.name] ?? null,
    pi: null,
    source: 'framework-res',
  };
}
const fromFramework = Object.keys(permissions).length;
for (const [name, entry] of Object.entries(newer.permissions)) {
  // framework-res is the primary source: a newer.json entry must not silently override it.
  if (name in permissions) throw new Error(`permissions.newer.json: ${name} is already declared by framework-res; remove it`);
  if (!entry.source) throw new Error(`permissions.newer.json: ${name} has no source`);
  permissions[name] = { ...entry, pi: null };
}

// A mapping for a permission that does not exist is a typo; fail instead of dropping it.
for (const [name, pi] of Object.entries(piMap.map)) {
  if (!permissions[name]) throw new Error(`permissions.pi-map.json: unknown permission ${name}`);
  if (!piIds.has(pi)) throw new Error(`permissions.pi-map.json: ${name} maps to unknown PI category ${pi}`);
  permissions[name].pi = pi;
}
const unmapped = Object.entries(permissions)
  .filter(([name, p]) => p.protectionLevel.split('|').includes('dangerous') && p.pi === null && !(name in piMap.noPersonalInformation))
  .map(([name]) => name);
if (unmapped.length > 0) throw new Error(`dangerous permissions without a PI category in permissions.pi-map.json: ${unmapped.join(', ')}`);

const versionName = manifest.versionName?.kind === 'string' ? manifest.versionName.value : 'unknown';
const out = {
  version: 1,
  description:
    'Android platform permissions: protection level, group, zh-CN/en label and description, API level, PI category. Generated by packages/knowledge/scripts/generate-permissions.ts; do not edit by hand.',
  sources: {
    'framework-res': `Debian package android-framework-res (Android 10, API 29; version name ${versionName}): AndroidManifest.xml <permission> elements and resources.arsc strings`,
    newer: 'data/permissions.newer.json (permissions added after Android 10; each entry names its source)',
    addedIn: 'developer.android.com/reference/android/Manifest.permission ("Added in API level"); null where not recorded',
    pi: 'data/permissions.pi-map.json (hand-written mapping)',
  },
  count: Object.keys(permissions).length,
  permissions: Object.fromEntries(Object.entries(permissions).sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(`${dataDir}permissions.json`, `${JSON.stringify(out, null, 1)}\n`);
const withPi = Object.values(permissions).filter((p) => p.pi !== null).length;
console.log(`wrote ${out.count} permissions (${fromFramework} from ${source}), ${withPi} with a PI category`);
