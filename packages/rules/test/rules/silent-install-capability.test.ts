import { silentInstallCapability } from '../../src/rules/silent-install-capability.js';
import { apiUse, evidenceOf, makeFacts, permission, sdk } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const INSTALL = permission('android.permission.REQUEST_INSTALL_PACKAGES', 'signature|appop');
const enqueue = (callers: Parameters<typeof apiUse>[2]) =>
  apiUse('downloadManager.enqueue', 'Landroid/app/DownloadManager;->enqueue', callers, { pi: null, sensitivity: 'low' });
const session = (callers: Parameters<typeof apiUse>[2]) =>
  apiUse('packageInstaller.createSession', 'Landroid/content/pm/PackageInstaller;->createSession', callers, {
    pi: null,
    sensitivity: 'medium',
  });
const apkType = (callers: Parameters<typeof apiUse>[2]) =>
  apiUse('intent.apkMimeType', 'application/vnd.android.package-archive', callers, { kind: 'string', pi: null, sensitivity: 'medium' });

const ads = sdk('acme-ads', { name: { zh: 'Acme 广告', en: 'Acme Ads' }, category: 'ads' });
const updater = sdk('acme-update', { name: { zh: 'Acme 升级', en: 'Acme Update' }, category: 'other' });

const installPermission = {
  kind: 'permission',
  artifact: 'AndroidManifest.xml',
  permission: 'android.permission.REQUEST_INSTALL_PACKAGES',
} as const;
const code = (cls: string, api: string, sdk: string | null) =>
  ({ kind: 'code', artifact: 'classes.dex', class: cls, method: 'run()V', api, sdk }) as const;

new RuleTester().run(silentInstallCapability, {
  valid: [
    {
      name: 'download and install code without the permission',
      evidence: evidenceOf(
        makeFacts({
          permissions: [permission('android.permission.INTERNET', 'normal')],
          sdks: [ads],
          sensitiveApis: [
            enqueue([{ class: 'com.acme.ads.download.Task', sdk: 'acme-ads' }]),
            session([{ class: 'com.acme.ads.download.Installer', sdk: 'acme-ads' }]),
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'an ad SDK holding download and install code is high, with callers grouped by owner',
      evidence: evidenceOf(
        makeFacts({
          permissions: [INSTALL],
          sdks: [ads, updater],
          sensitiveApis: [
            enqueue([
              { class: 'com.example.app.update.Updater', own: true },
              { class: 'com.acme.ads.download.Task', sdk: 'acme-ads' },
            ]),
            apkType([
              { class: 'com.acme.ads.download.Installer', sdk: 'acme-ads' },
              { class: 'a.b.c', sdk: null },
            ]),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'installCode',
          data: {
            said: {
              zh: '应用自身代码（系统下载管理器下载）；Acme 广告（系统下载管理器下载、以 APK 类型调起安装界面）；未识别来源的代码（以 APK 类型调起安装界面）',
              en: "the app's own code (DownloadManager downloads); Acme Ads (DownloadManager downloads, intents typed as APK files); unidentified code (intents typed as APK files)",
            },
            adSdks: {
              zh: '其中包含广告 SDK，可能在用户未确认时下载推广应用。',
              en: ' Ad SDKs among them can download promoted apps without the user confirming.',
            },
          },
          key: 'android.permission.REQUEST_INSTALL_PACKAGES',
          severity: 'high',
          evidence: [
            installPermission,
            code('com.example.app.update.Updater', 'downloadManager.enqueue', null),
            code('com.acme.ads.download.Task', 'downloadManager.enqueue', 'acme-ads'),
            code('com.acme.ads.download.Installer', 'intent.apkMimeType', 'acme-ads'),
            code('a.b.c', 'intent.apkMimeType', null),
          ],
          facts: {
            permission: 'android.permission.REQUEST_INSTALL_PACKAGES',
            owners: [
              { owner: 'own', apis: ['downloadManager.enqueue'], callers: 1 },
              { owner: 'acme-ads', apis: ['downloadManager.enqueue', 'intent.apkMimeType'], callers: 2 },
              { owner: 'unknown', apis: ['intent.apkMimeType'], callers: 1 },
            ],
            adSdks: ['acme-ads'],
          },
        },
      ],
    },
    {
      name: 'install code of the app or a non-ad SDK is medium',
      evidence: evidenceOf(
        makeFacts({
          permissions: [INSTALL],
          sdks: [updater],
          sensitiveApis: [session([{ class: 'com.acme.update.Install', sdk: 'acme-update' }])],
        }),
      ),
      findings: [
        {
          messageId: 'installCode',
          data: {
            said: { zh: 'Acme 升级（PackageInstaller 安装会话）', en: 'Acme Update (PackageInstaller sessions)' },
            adSdks: { zh: '', en: '' },
          },
          key: 'android.permission.REQUEST_INSTALL_PACKAGES',
          severity: 'medium',
          evidence: [installPermission, code('com.acme.update.Install', 'packageInstaller.createSession', 'acme-update')],
        },
      ],
    },
    {
      name: 'the permission without download or install code is low',
      evidence: evidenceOf(
        makeFacts({
          permissions: [INSTALL],
          sensitiveApis: [
            apiUse('intent.setPackage', 'Landroid/content/Intent;->setPackage', [{ class: 'com.example.app.Share', own: true }]),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'capabilityOnly',
          data: {},
          key: 'android.permission.REQUEST_INSTALL_PACKAGES',
          severity: 'low',
          evidence: [installPermission],
        },
      ],
    },
  ],
});
