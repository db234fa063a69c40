/**
 * The catalogue rules: the real data must pass them, and each rule must reject what it is for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readSdkFiles, validateSdkCatalog, validateSdkDirectory, type SdkFile, type SdkProblem } from '../src/index.js';

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
});

test('files that are not JSON objects are reported, not thrown', () => {
  const problems = validateSdkCatalog([
    { file: 'broken.json', data: undefined, error: 'Unexpected token' },
    { file: 'list.json', data: [] },
  ]);
  assert.equal(problems.length, 2);
});
