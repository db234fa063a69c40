import { defineRule } from '../engine/define.js';
import type { FixInput } from '../engine/types.js';

/**
 * The mechanical part of the fix: turn backups off in the source manifest. Keeping them with
 * exclusion rules needs an XML resource the developer writes, so that part stays in words.
 */
function backupFix(targetSdk: number | null): FixInput {
  const d2d =
    targetSdk !== null && targetSdk >= 31
      ? {
          zh: '目标 API 级别为 31 及以上时，该设置关闭云端备份，但设备间迁移仍会复制数据；如需限制，另用 android:dataExtractionRules 的 <device-transfer> 排除。',
          en: 'With a target API level of 31 or higher this turns off cloud backups but device-to-device transfers still copy the data; restrict those with <device-transfer> exclusions in android:dataExtractionRules.',
        }
      : { zh: '', en: '' };
  return {
    edits: [{ target: { element: 'application' }, attribute: 'allowBackup', value: 'false' }],
    note: {
      zh: `仅在应用不需要备份时适用；需要备份时改用 fullBackupContent / dataExtractionRules 排除个人信息文件。${d2d.zh}若某个库的清单也设置了该属性，清单合并时需加 tools:replace="android:allowBackup"。`,
      en: `Only when the app needs no backups; otherwise keep them and exclude personal-information files with fullBackupContent / dataExtractionRules.${d2d.en ? ` ${d2d.en}` : ''} If a library's manifest also sets the attribute, the manifest merger asks for tools:replace="android:allowBackup".`,
    },
  };
}

/** Backed-up app data leaves the sandbox: to a cloud account, a computer over adb, or another device. */
export const allowBackup = defineRule({
  meta: {
    id: 'allow-backup',
    measures: ['miit26-14'],
    evidence: ['apk'],
    appliesTo: ['apk', 'aar'],
    severity: 'low',
    fixable: 'manifest',
    title: { zh: '允许备份应用数据', en: 'App data can be backed up' },
    description: {
      zh: 'android:allowBackup 为 true（未设置时默认即为 true）时，应用私有目录中的数据可被备份到云端、通过 adb 导出到电脑（目标版本低于 Android 12 时）或迁移到其他设备，其中的个人信息会离开应用沙箱。',
      en: "When android:allowBackup is true (the default when it is not set), the app's private data can be copied to a cloud backup, pulled to a computer with adb (for apps targeting below Android 12) or moved to another device, taking the personal information in it outside the app sandbox.",
    },
    fix: {
      zh: '不需要备份时将 android:allowBackup 设为 false；需要备份时用 fullBackupContent / dataExtractionRules 排除令牌、账号和其他个人信息文件。',
      en: 'Set android:allowBackup to false when backups are not needed; otherwise exclude tokens, account data and other personal-information files with fullBackupContent / dataExtractionRules.',
    },
    messages: {
      allowed: {
        zh: '清单允许备份应用数据（android:allowBackup="true"）。',
        en: 'The manifest allows the app data to be backed up (android:allowBackup="true").',
      },
      defaultAllowed: {
        zh: '清单未设置 android:allowBackup，Android 默认允许备份应用数据。',
        en: 'The manifest does not set android:allowBackup, and Android allows backups of the app data by default.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const value = facts.app.flags.allowBackup;
    if (value === true) {
      return [
        {
          key: 'application',
          messageId: 'allowed',
          evidence: [{ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:allowBackup=true' }],
          data: { explicit: true },
          fix: backupFix(facts.app.targetSdk),
        },
      ];
    }
    // A library leaving the attribute out says nothing about the app it ends up in.
    if (value !== null || facts.file.kind !== 'apk') return [];
    return [
      {
        key: 'application',
        severity: 'info',
        messageId: 'defaultAllowed',
        evidence: [
          {
            kind: 'manifest',
            artifact: 'AndroidManifest.xml',
            element: 'application',
            detail: 'android:allowBackup absent (default true)',
          },
        ],
        data: { explicit: false },
        fix: backupFix(facts.app.targetSdk),
      },
    ];
  },
});
