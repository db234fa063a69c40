import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkInitBeforeConsent } from '../../src/rules/sdk-init-before-consent.js';
import { evidenceOf, makeFacts, provider, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(sdkInitBeforeConsent, evidenceOf(facts));

const analytics = sdk('acme-analytics', {
  name: { zh: 'Acme 统计', en: 'Acme Analytics' },
  category: 'analytics',
  version: '4.2.0',
  evidence: {
    classes: 40,
    classExamples: ['com.acme.analytics.core.Tracker'],
    components: ['com.acme.analytics.AcmeInitProvider'],
    nativeLibraries: [],
    domains: [],
  },
});
const androidx = sdk('androidx', {
  category: 'open-source-library',
  tracker: false,
  evidence: {
    classes: 900,
    classExamples: ['androidx.core.content.FileProvider', 'androidx.work.WorkManager', 'androidx.startup.AppInitializer'],
    components: ['androidx.startup.InitializationProvider', 'androidx.core.content.FileProvider'],
    nativeLibraries: [],
    domains: [],
  },
});
const startup = (...initializers: string[]) =>
  provider('androidx.startup.InitializationProvider', {
    authorities: ['com.example.app.androidx-startup'],
    metaData: initializers.map((name) => ({ name, value: 'androidx.startup' })),
  });

test('sdk-init-before-consent: a tracker SDK provider and its App Startup initializer make one finding', () => {
  const facts = makeFacts({
    sdks: [analytics, androidx],
    components: [
      provider('com.acme.analytics.AcmeInitProvider', { authorities: ['com.example.app.acme-init'] }),
      startup('com.acme.analytics.startup.AcmeInitializer', 'androidx.work.WorkManagerInitializer', 'com.example.app.AppInitializer'),
    ],
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.key, 'acme-analytics');
  assert.equal(finding!.severity, undefined);
  assert.equal(finding!.messageId, 'initBeforeConsent');
  assert.equal((finding!.messageData!.name as { en: string }).en, 'Acme Analytics');
  assert.deepEqual(finding!.messageData!.enabled, { zh: '', en: '' });
  assert.deepEqual(finding!.evidence, [
    { kind: 'sdk', sdk: 'acme-analytics', name: 'Acme Analytics', version: '4.2.0' },
    {
      kind: 'manifest',
      artifact: 'AndroidManifest.xml',
      element: 'provider',
      name: 'com.acme.analytics.AcmeInitProvider',
      detail: 'android:authorities=com.example.app.acme-init',
      sdk: 'acme-analytics',
    },
    {
      kind: 'manifest',
      artifact: 'AndroidManifest.xml',
      element: 'provider',
      name: 'androidx.startup.InitializationProvider',
      detail: 'meta-data=com.acme.analytics.startup.AcmeInitializer',
      sdk: 'acme-analytics',
    },
  ]);
  assert.deepEqual(finding!.data, {
    sdk: 'acme-analytics',
    category: 'analytics',
    providers: ['com.acme.analytics.AcmeInitProvider'],
    initializers: ['com.acme.analytics.startup.AcmeInitializer'],
    enabled: true,
  });
});

test('sdk-init-before-consent: one finding per SDK; a provider shipped disabled is low', () => {
  const push = sdk('acme-push', {
    category: 'push',
    evidence: { classes: 12, classExamples: ['com.acme.push.core.PushClient'], components: [], nativeLibraries: [], domains: [] },
  });
  const facts = makeFacts({
    sdks: [analytics, push],
    components: [
      provider('com.acme.analytics.AcmeInitProvider', { enabled: false }),
      // Found by package: three shared segments with the SDK's classes.
      provider('com.acme.push.data.PushProvider', { authorities: ['com.example.app.push'] }),
    ],
  });
  const found = run(facts);
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['acme-analytics', 'low'],
      ['acme-push', undefined],
    ],
  );
  assert.deepEqual(found[0]!.messageData!.enabled, { zh: '（清单中默认禁用）', en: ' (disabled in the manifest)' });
  assert.deepEqual(found[0]!.evidence[1], {
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element: 'provider',
    name: 'com.acme.analytics.AcmeInitProvider',
    detail: 'provider',
    sdk: 'acme-analytics',
  });
  assert.equal(found[1]!.evidence[1]!.kind === 'manifest' && found[1]!.evidence[1]!.name, 'com.acme.push.data.PushProvider');
});

test("sdk-init-before-consent: the app's providers, FileProviders, open-source libraries and non-tracking SDKs are fine", () => {
  const picasso = sdk('picasso', {
    category: 'open-source-library',
    tracker: false,
    evidence: { classes: 30, classExamples: ['com.squareup.picasso.Picasso'], components: [], nativeLibraries: [], domains: [] },
  });
  const tool = sdk('acme-tool', {
    category: 'other',
    tracker: false,
    evidence: { classes: 5, classExamples: ['com.acme.tool.core.Tool'], components: [], nativeLibraries: [], domains: [] },
  });
  const ads = sdk('acme-ads', {
    category: 'ads',
    evidence: { classes: 80, classExamples: ['com.acme.ads.core.AdLoader'], components: [], nativeLibraries: [], domains: [] },
  });
  const facts = makeFacts({
    sdks: [analytics, androidx, picasso, tool, ads],
    components: [
      provider('com.example.app.data.NotesProvider', { authorities: ['com.example.app.notes'] }),
      provider('androidx.core.content.FileProvider', { authorities: ['com.example.app.fileprovider'] }),
      provider('com.acme.ads.core.AcmeFileProvider', { authorities: ['com.example.app.acme-files'] }),
      provider('com.squareup.picasso.PicassoProvider'),
      provider('com.acme.tool.core.ToolProvider'),
      // Two shared segments (com.acme) name the vendor, not the product.
      startup('androidx.work.WorkManagerInitializer', 'com.example.app.AppInitializer', 'com.acme.Other'),
    ],
  });
  assert.deepEqual(run(facts), []);
});

test('sdk-init-before-consent: an SDK nested in the app package must claim more than the app', () => {
  const inner = sdk('inner', {
    evidence: { classes: 5, classExamples: ['com.example.app.sdk.track.Core'], components: [], nativeLibraries: [], domains: [] },
  });
  const facts = makeFacts({
    sdks: [inner],
    components: [provider('com.example.app.sdk.track.TrackProvider'), provider('com.example.app.AppProvider')],
  });
  assert.deepEqual(
    run(facts).map((f) => f.data!.providers),
    [['com.example.app.sdk.track.TrackProvider']],
  );
});
