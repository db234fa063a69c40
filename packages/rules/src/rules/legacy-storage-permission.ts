import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';

/**
 * Shared-storage permissions that stop granting anything once the app targets a newer API level:
 * `WRITE_EXTERNAL_STORAGE` from API 30 (scoped storage; API 29 keeps it with
 * requestLegacyExternalStorage) and `READ_EXTERNAL_STORAGE` from API 33 (replaced by the
 * READ_MEDIA_* permissions). `lastLevel` is the last API level on which the request still does
 * something for such an app, so `maxSdkVersion` set to it takes away nothing.
 */
const LEGACY = [
  { permission: 'android.permission.WRITE_EXTERNAL_STORAGE', fromTarget: 30, lastLevel: 29 },
  { permission: 'android.permission.READ_EXTERNAL_STORAGE', fromTarget: 33, lastLevel: 32 },
] as const;

/** Storage permissions requested on Android versions where they grant this app nothing. */
export const legacyStoragePermission = defineRule({
  meta: {
    id: 'legacy-storage-permission',
    measures: ['miit26-10'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'low',
    fixable: 'manifest',
    title: { zh: '在新系统上无效的存储权限仍被申请', en: 'Storage permissions requested where they grant nothing' },
    description: {
      zh: '目标 API 级别为 30 及以上的应用，WRITE_EXTERNAL_STORAGE 在 Android 11 及以上不再授予任何访问；目标 33 及以上的应用，READ_EXTERNAL_STORAGE 在 Android 13 及以上由 READ_MEDIA_* 权限取代。未用 maxSdkVersion 限定时，这些权限仍出现在权限列表和隐私政策中，向用户申请了实际不需要的权限，不符合权限申请最小必要的要求。',
      en: 'For an app targeting API 30 or higher, WRITE_EXTERNAL_STORAGE grants nothing on Android 11 and later; for one targeting API 33 or higher, READ_EXTERNAL_STORAGE is replaced by the READ_MEDIA_* permissions on Android 13 and later. Without maxSdkVersion they still show in permission lists and policies: the app asks for access it does not get, against the rule that permission requests be limited to what is needed.',
    },
    fix: {
      zh: '为这些权限加 android:maxSdkVersion（WRITE_EXTERNAL_STORAGE 为 29，READ_EXTERNAL_STORAGE 为 32），新系统上改用 MediaStore、存储访问框架或 READ_MEDIA_* 权限。',
      en: 'Add android:maxSdkVersion to them (29 for WRITE_EXTERNAL_STORAGE, 32 for READ_EXTERNAL_STORAGE), and use MediaStore, the Storage Access Framework or the READ_MEDIA_* permissions on newer versions.',
    },
    messages: {
      unbounded: {
        zh: '{permission} 未限定 maxSdkVersion（或高于 {lastLevel}）；目标 API 级别为 {targetSdk}，该权限在 API {lastLevel} 以上不再授予任何访问。',
        en: '{permission} has no maxSdkVersion (or one above {lastLevel}); with target API {targetSdk} it grants nothing above API {lastLevel}.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const targetSdk = facts.app.targetSdk;
    if (targetSdk === null) return [];
    const findings: FindingInput[] = [];
    for (const requested of facts.permissions) {
      const legacy = LEGACY.find((l) => l.permission === requested.name);
      if (!legacy || targetSdk < legacy.fromTarget) continue;
      if (requested.maxSdkVersion !== null && requested.maxSdkVersion <= legacy.lastLevel) continue;
      const element = requested.sdk23 ? 'uses-permission-sdk-23' : 'uses-permission';
      findings.push({
        key: `${element}/${requested.name}`,
        messageId: 'unbounded',
        messageData: { permission: requested.name, lastLevel: legacy.lastLevel, targetSdk },
        evidence: [{ kind: 'permission', artifact: 'AndroidManifest.xml', permission: requested.name }],
        data: { permission: requested.name, maxSdkVersion: requested.maxSdkVersion, targetSdk, lastLevel: legacy.lastLevel },
        fix: {
          edits: [{ target: { element, name: requested.name }, attribute: 'maxSdkVersion', value: String(legacy.lastLevel) }],
          note: {
            zh: '若该权限来自某个库的清单，请在应用清单中声明同名权限并加 tools:node="replace"。',
            en: 'If a library\'s manifest brings the permission, declare it in the app\'s manifest with tools:node="replace".',
          },
        },
      });
    }
    return findings;
  },
});
