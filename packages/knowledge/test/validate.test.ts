/**
 * The catalogue rules: the real data must pass them, and each rule must reject what it is for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  personalInformationAt,
  readSdkFiles,
  validateSdkCatalog,
  validateSdkDirectory,
  type SdkEntry,
  type SdkFile,
  type SdkProblem,
} from '../src/index.js';

const fixtureDir = fileURLToPath(new URL('./fixtures/data/sdks', import.meta.url));
const piIds = new Set(['device-identifiers', 'location', 'network-identifiers']);

function sdk(id: string, extra: Record<string, unknown> = {}): SdkFile {
  return {
    file: `${id}.json`,
    data: {
      id,
      name: { zh: id, en: id },
      vendor: { zh: 'v', en: 'v' },
      category: 'push',
      region: 'cn',
      tracker: true,
      packages: [`com.${id.replaceAll('-', '')}.sdk`],
      privacyPolicy: `https://example.com/${id}/privacy`,
      personalInformation: ['device-identifiers'],
      sources: { identity: 'fixture', packages: 'fixture', personalInformation: 'fixture' },
      ...extra,
    },
  };
}

function messages(problems: SdkProblem[]): string {
  return problems.map((p) => `${p.file} ${p.field ?? ''}: ${p.message}`).join('\n');
}

test('the shipped catalogue (data/sdks) passes every rule', () => {
  const { files, problems } = validateSdkDirectory();
  assert.deepEqual(problems, [], `${problems.length} problems in ${files} files:\n${messages(problems)}`);
});

test('the test fixture catalogue passes', () => {
  assert.deepEqual(validateSdkCatalog(readSdkFiles(fixtureDir), { piIds: new Set([...piIds, 'sms', 'contacts']) }), []);
});

test('a well-formed entry has no problems', () => {
  assert.deepEqual(validateSdkCatalog([sdk('alpha'), sdk('beta')], { piIds }), []);
});

test('prefix collisions are rejected unless the inner SDK declares within', () => {
  const outer = sdk('outer', { packages: ['com.vendor'] });
  const inner = sdk('inner', { packages: ['com.vendor.push'] });
  const problems = validateSdkCatalog([outer, inner], { piIds });
  assert.equal(problems.length, 1, messages(problems));
  assert.equal(problems[0]!.file, 'inner.json');
  assert.match(problems[0]!.message, /lies under a prefix of "outer"/);

  const declared = sdk('inner', { packages: ['com.vendor.push'], within: 'outer' });
  assert.deepEqual(validateSdkCatalog([outer, declared], { piIds }), []);

  // Equal prefixes cannot be told apart at all, within or not.
  const twin = sdk('twin', { packages: ['com.vendor'], within: 'outer' });
  assert.match(messages(validateSdkCatalog([outer, twin], { piIds })), /also claimed by "outer"/);

  // Whole segments: com.vendorx is not under com.vendor.
  assert.deepEqual(validateSdkCatalog([outer, sdk('other', { packages: ['com.vendorx'] })], { piIds }), []);
});

test('component collisions are rejected the same way', () => {
  const a = sdk('a-sdk', { components: ['com.shared.PushService'] });
  const b = sdk('b-sdk', { components: ['com.shared.PushService'] });
  assert.match(messages(validateSdkCatalog([a, b], { piIds })), /component "com.shared.PushService" is also claimed/);
  const c = sdk('c-sdk', { components: ['com.shared.*'] });
  assert.match(messages(validateSdkCatalog([a, c], { piIds })), /component "com.shared.PushService" lies under a prefix of "c-sdk"/);
});

test('bad ids are rejected: not kebab-case, or not the file name', () => {
  const upper = { file: 'JPush.json', data: { ...(sdk('x').data as object), id: 'JPush' } };
  assert.match(messages(validateSdkCatalog([upper], { piIds })), /kebab-case/);
  const other = { file: 'jpush.json', data: { ...(sdk('x').data as object), id: 'jpush-sdk' } };
  assert.match(messages(validateSdkCatalog([other], { piIds })), /differs from the file name/);
  assert.match(messages(validateSdkCatalog([sdk('double--hyphen')], { piIds })), /kebab-case/);
});

test('unknown PI categories are rejected', () => {
  const problems = validateSdkCatalog([sdk('a', { personalInformation: ['location', 'telepathy'] })], { piIds });
  assert.equal(problems.length, 1, messages(problems));
  assert.equal(problems[0]!.field, 'personalInformation[1]');
  assert.match(problems[0]!.message, /unknown PI category "telepathy"/);
});

test('package, glob, domain, policy and source rules', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ packages: ['com'] }, /one segment/],
    [{ packages: ['com.1bad'] }, /not a Java package/],
    [{ packages: ['com..x'] }, /not a Java package/],
    [{ nativeLibraries: ['lib?.so'] }, /"\*" only/],
    [{ nativeLibraries: ['lib/arm64/libx.so'] }, /"\*" only/],
    [{ domains: ['https://api.example.com'] }, /not a host name/],
    [{ domains: ['*.example.com'] }, /not a host name/],
    [{ privacyPolicy: undefined }, /needs its privacyPolicy/],
    [{ privacyPolicy: 'example.com/privacy' }, /http\(s\) URL/],
    [{ sources: {} }, /sources must be an object/],
    [{ category: 'spyware' }, /category must be one of/],
    [{ region: 'eu' }, /region/],
    [{ within: 'nobody' }, /within names no SDK/],
    [{ versionHints: [{ class: 'com.x.Y', kind: 'string-pattern', pattern: '(' }] }, /not a regular expression/],
    [{ packages: [], components: [], nativeLibraries: [] }, /at least one package/],
  ];
  for (const [extra, expected] of cases) {
    const problems = validateSdkCatalog([sdk('case', extra)], { piIds });
    assert.match(messages(problems), expected, `for ${JSON.stringify(extra)}`);
  }
  // singleSegmentRoot allows a top-level package (okhttp3, dagger).
  assert.deepEqual(validateSdkCatalog([sdk('case', { packages: ['okhttp3'], singleSegmentRoot: true })], { piIds }), []);
  // A non-tracker library needs no privacy policy.
  assert.deepEqual(validateSdkCatalog([sdk('lib', { tracker: false, privacyPolicy: undefined, personalInformation: [] })], { piIds }), []);
  // A tracker whose rules page is not known says so rather than linking a portal.
  assert.deepEqual(validateSdkCatalog([sdk('unknown-rules', { privacyPolicy: null, unsourced: ['privacyPolicy'] })], { piIds }), []);
});

test('files that are not JSON objects are reported, not thrown', () => {
  const problems = validateSdkCatalog([
    { file: 'broken.json', data: undefined, error: 'Unexpected token' },
    { file: 'list.json', data: [] },
  ]);
  assert.equal(problems.length, 2);
});

/** Review warnings only (errors filtered out), as `check file` strings. */
function warnings(problems: SdkProblem[]): string[] {
  return problems.filter((p) => p.severity === 'warning').map((p) => `${p.check} ${p.file}`);
}

const sdkSources = { identity: 'fixture', packages: 'fixture', personalInformation: 'fixture' };

test('facts without a source are errors unless listed in unsourced', () => {
  const hints = [{ class: 'com.bare.sdk.Config', kind: 'string-pattern', pattern: '^(\\d+\\.\\d+)$' }];
  const bare = sdk('bare', { sources: { identity: 'fixture', packages: 'fixture' }, versionHints: hints });
  const text = messages(validateSdkCatalog([bare], { piIds }));
  assert.match(text, /personalInformation has no source: add sources\.personalInformation/);
  assert.match(text, /versionHints has no source/);
  // Hosts may be sourced by the packages' source (the same integration document).
  assert.deepEqual(validateSdkCatalog([sdk('hosts', { domains: ['api.hosts.example'] })], { piIds }), []);
  const marked = sdk('bare', {
    sources: { identity: 'fixture', packages: 'fixture' },
    versionHints: hints,
    unsourced: ['personalInformation', 'versionHints'],
  });
  assert.deepEqual(validateSdkCatalog([marked], { piIds }), []);
  assert.match(messages(validateSdkCatalog([sdk('x', { unsourced: ['colour'] })], { piIds })), /not a fact field/);
  // bundles and bundledBy are facts too; bundledBy may be sourced on either side.
  const carrier = sdk('carrier', { bundles: ['carried'] });
  const carried = sdk('carried', { bundledBy: ['carrier'] });
  assert.match(messages(validateSdkCatalog([carrier, sdk('carried')], { piIds })), /bundles has no source/);
  assert.match(messages(validateSdkCatalog([sdk('carrier'), carried], { piIds })), /bundledBy has no source/);
  const sourcedCarrier = sdk('carrier', { bundles: ['carried'], sources: { ...sdkSources, bundles: 'fixture' } });
  assert.deepEqual(validateSdkCatalog([sourcedCarrier, sdk('carried')], { piIds }), []);
  assert.match(messages(validateSdkCatalog([carrier], { piIds })), /bundles names no SDK of the catalogue/);
});

test('shared-policy-link: a link shared by two SDKs is a warning until each acknowledges it', () => {
  const link = 'https://example.com/vendor/privacy';
  const a = sdk('alpha', { privacyPolicy: link });
  const b = sdk('beta', { privacyPolicy: link });
  const problems = validateSdkCatalog([a, b], { piIds });
  assert.deepEqual(warnings(problems).sort(), ['shared-policy-link alpha.json', 'shared-policy-link beta.json']);
  assert.ok(problems.every((p) => p.severity === 'warning'));
  assert.match(problems[0]!.message, /is also the link of beta/);
  const flagged = sdk('beta', { privacyPolicy: link, reviewFlags: ['shared-policy-link'] });
  assert.deepEqual(warnings(validateSdkCatalog([a, flagged], { piIds })), ['shared-policy-link alpha.json']);
  assert.match(messages(validateSdkCatalog([sdk('x', { reviewFlags: ['looks-fine'] })], { piIds })), /unknown review flag/);
  // A carried SDK that points at its carrier's rules is declared, not borrowed: neither side is warned.
  const carrier = sdk('carrier', { privacyPolicy: link });
  const channel = sdk('channel', { privacyPolicy: link, bundledBy: ['carrier'], sources: { ...sdkSources, bundledBy: 'fixture' } });
  assert.deepEqual(warnings(validateSdkCatalog([carrier, channel], { piIds })), []);
  assert.deepEqual(warnings(validateSdkCatalog([carrier, channel, sdk('gamma', { privacyPolicy: link })], { piIds })).sort(), [
    'shared-policy-link carrier.json',
    'shared-policy-link channel.json',
    'shared-policy-link gamma.json',
  ]);
});

test('identical-pi-list: the same PI list across vendors with a link-only source is a warning', () => {
  const pi = ['device-identifiers', 'location', 'network-identifiers'];
  const linkOnly = { ...sdkSources, personalInformation: 'https://example.com/privacy' };
  const a = sdk('alpha', { vendor: { zh: '甲公司', en: 'A' }, personalInformation: pi, sources: linkOnly });
  const b = sdk('beta', { vendor: { zh: '乙公司', en: 'B' }, personalInformation: [...pi].reverse(), sources: linkOnly });
  assert.deepEqual(warnings(validateSdkCatalog([a, b], { piIds })).sort(), ['identical-pi-list alpha.json', 'identical-pi-list beta.json']);
  // One vendor's SDKs may share a list; it is the same rules document.
  const sameVendor = sdk('beta', { personalInformation: pi, sources: linkOnly, vendor: { zh: '甲公司', en: 'A' } });
  assert.deepEqual(warnings(validateSdkCatalog([a, sameVendor], { piIds })), []);
  // A source that names the items, a flag, or marking the list unsourced each settle it.
  const itemised = sdk('beta', {
    vendor: { zh: '乙公司', en: 'B' },
    personalInformation: pi,
    sources: { ...sdkSources, personalInformation: 'https://example.com/b (§2: device ID, location, IP address)' },
  });
  assert.deepEqual(warnings(validateSdkCatalog([a, itemised], { piIds })), ['identical-pi-list alpha.json']);
  const unsourced = sdk('beta', {
    vendor: { zh: '乙公司', en: 'B' },
    personalInformation: pi,
    sources: { identity: 'fixture', packages: 'fixture' },
    unsourced: ['personalInformation'],
  });
  assert.deepEqual(warnings(validateSdkCatalog([a, unsourced], { piIds })), ['identical-pi-list alpha.json']);
});

test('sources-date: entries not checked since the date are warnings; never-seen: entries no binary contains', () => {
  const old = sdk('old', { checked: '2023-05-01' });
  const fresh = sdk('fresh', { checked: '2026-01-10' });
  const undated = sdk('undated');
  assert.deepEqual(warnings(validateSdkCatalog([old, fresh, undated], { piIds })), [], 'no date given, no date check');
  const dated = validateSdkCatalog([old, fresh, undated], { piIds, sourcesBefore: '2025-01-01' });
  assert.deepEqual(warnings(dated), ['sources-date old.json', 'sources-date undated.json']);
  assert.match(messages(dated), /last checked 2023-05-01, before 2025-01-01/);
  assert.match(messages(validateSdkCatalog([sdk('x', { checked: '1.5.2024' })], { piIds })), /checked must be the date/);
  assert.throws(() => validateSdkDirectory(fixtureDir, { sourcesBefore: 'soon' }), /YYYY-MM-DD/);

  const seen = validateSdkCatalog([old, fresh], { piIds, seen: new Set(['fresh']) });
  assert.deepEqual(warnings(seen), ['never-seen old.json']);
});

test('personalInformationChanges: ordered, sourced, known ids, consistent with the newest list', () => {
  const change = (version: string, extra: Record<string, unknown> = {}) => ({ version, items: 'ANDROID_ID', source: 'fixture', ...extra });
  // Android ID dropped from 3.8.10 on: the newest list no longer holds it.
  const ok = sdk('carrier', {
    personalInformation: ['network-identifiers'],
    personalInformationChanges: [
      change('3.8.10', { removed: ['device-identifiers'] }),
      change('5.1', { items: 'IP address (wording only)' }),
    ],
  });
  assert.deepEqual(validateSdkCatalog([ok], { piIds }), []);

  const bad = sdk('carrier', {
    personalInformation: ['device-identifiers'],
    personalInformationChanges: [
      change('4.0', { removed: ['device-identifiers'] }),
      change('3.2', { added: ['bogus'], source: '' }),
      change('v5', { items: '' }),
    ],
  });
  const text = messages(validateSdkCatalog([bad], { piIds }));
  assert.match(text, /personalInformationChanges\[1\]\.version: changes must be ordered oldest first/);
  assert.match(text, /personalInformationChanges\[1\]\.source: every PI change needs its own "source"/);
  assert.match(text, /personalInformationChanges\[1\]\.added\[0\]: unknown PI category "bogus"/);
  assert.match(text, /personalInformationChanges\[2\]\.version: version must be dotted numbers/);
  assert.match(text, /personalInformationChanges\[2\]\.items:/);
  assert.match(text, /"device-identifiers" is removed by a change and never added again/);
});

test('personalInformationAt: older versions undo the later changes; no version gives the newest list', () => {
  const entry = {
    personalInformation: ['network-identifiers', 'device-identifiers'],
    personalInformationChanges: [
      { version: '3.8.10', removed: ['location'], items: 'cell location', source: 'fixture' },
      { version: '5.9.12', added: ['device-identifiers'], items: 'OAID', source: 'fixture' },
    ],
  } as unknown as SdkEntry;
  assert.deepEqual(personalInformationAt(entry, '5.9.12'), ['network-identifiers', 'device-identifiers']);
  assert.deepEqual(personalInformationAt(entry, '6.0.0'), ['network-identifiers', 'device-identifiers']);
  assert.deepEqual(personalInformationAt(entry, '5.9.6'), ['network-identifiers']);
  assert.deepEqual(personalInformationAt(entry, 'v3.8.9-release'), ['network-identifiers', 'location']);
  assert.deepEqual(personalInformationAt(entry, null), ['network-identifiers', 'device-identifiers']);
  assert.deepEqual(personalInformationAt(entry, 'unknown'), ['network-identifiers', 'device-identifiers']);
});
