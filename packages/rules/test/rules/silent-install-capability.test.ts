import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentInstallCapability } from '../../src/rules/silent-install-capability.js';
import { apiUse, evidenceOf, makeFacts, permission, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(silentInstallCapability, evidenceOf(facts));

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

test('silent-install-capability: an ad SDK holding download and install code is high, with callers grouped by owner', () => {
  const facts = makeFacts({
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
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.key, 'android.permission.REQUEST_INSTALL_PACKAGES');
  assert.equal(finding!.severity, 'high');
  assert.equal(finding!.messageId, 'installCode');
  assert.match(
    (finding!.messageData!.said as { en: string }).en,
    /the app's own code \(DownloadManager downloads\); Acme Ads \(DownloadManager downloads, intents typed as APK files\); unidentified code/,
  );
  assert.notEqual((finding!.messageData!.adSdks as { zh: string }).zh, '');
  assert.deepEqual(finding!.evidence, [
    { kind: 'permission', artifact: 'AndroidManifest.xml', permission: 'android.permission.REQUEST_INSTALL_PACKAGES' },
    {
      kind: 'code',
      artifact: 'classes.dex',
      class: 'com.example.app.update.Updater',
      method: 'run()V',
      api: 'downloadManager.enqueue',
      sdk: null,
    },
    {
      kind: 'code',
      artifact: 'classes.dex',
      class: 'com.acme.ads.download.Task',
      method: 'run()V',
      api: 'downloadManager.enqueue',
      sdk: 'acme-ads',
    },
    {
      kind: 'code',
      artifact: 'classes.dex',
      class: 'com.acme.ads.download.Installer',
      method: 'run()V',
      api: 'intent.apkMimeType',
      sdk: 'acme-ads',
    },
    { kind: 'code', artifact: 'classes.dex', class: 'a.b.c', method: 'run()V', api: 'intent.apkMimeType', sdk: null },
  ]);
  assert.deepEqual(finding!.data!.owners, [
    { owner: 'own', apis: ['downloadManager.enqueue'], callers: 1 },
    { owner: 'acme-ads', apis: ['downloadManager.enqueue', 'intent.apkMimeType'], callers: 2 },
    { owner: 'unknown', apis: ['intent.apkMimeType'], callers: 1 },
  ]);
  assert.deepEqual(finding!.data!.adSdks, ['acme-ads']);
});

test('silent-install-capability: install code of the app or a non-ad SDK is medium', () => {
  const facts = makeFacts({
    permissions: [INSTALL],
    sdks: [updater],
    sensitiveApis: [session([{ class: 'com.acme.update.Install', sdk: 'acme-update' }])],
  });
  const [finding] = run(facts);
  assert.equal(finding!.severity, 'medium');
  assert.deepEqual(
    finding!.evidence.map((e) => (e.kind === 'code' ? `${e.sdk}:${e.api}` : e.kind)),
    ['permission', 'acme-update:packageInstaller.createSession'],
  );
});

test('silent-install-capability: the permission without download or install code is low', () => {
  const facts = makeFacts({
    permissions: [INSTALL],
    sensitiveApis: [apiUse('intent.setPackage', 'Landroid/content/Intent;->setPackage', [{ class: 'com.example.app.Share', own: true }])],
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.severity, 'low');
  assert.deepEqual(finding!.evidence, [
    { kind: 'permission', artifact: 'AndroidManifest.xml', permission: 'android.permission.REQUEST_INSTALL_PACKAGES' },
  ]);
});

test('silent-install-capability: without the permission nothing is reported, even with download and install code', () => {
  const facts = makeFacts({
    permissions: [permission('android.permission.INTERNET', 'normal')],
    sdks: [ads],
    sensitiveApis: [
      enqueue([{ class: 'com.acme.ads.download.Task', sdk: 'acme-ads' }]),
      session([{ class: 'com.acme.ads.download.Installer', sdk: 'acme-ads' }]),
    ],
  });
  assert.deepEqual(run(facts), []);
});
