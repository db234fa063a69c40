/**
 * The source-manifest editor: the position-keeping XML scanner on hostile input, fixes as minimal
 * replacements (formatting, quotes, prefixes, CRLF and comments kept), the check that a manifest is
 * the scanned app's, and the whole path on the real ApiDemos and Appium Settings APKs with source
 * manifests written for these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTool } from '@apprights/testkit';
import type { Finding, ManifestEdit, PackageFacts } from '@apprights/rules';
// eslint-disable-next-line apprights/no-cross-package-imports -- the tests' one PRNG, of another package's tests, not yet in @apprights/testkit
import { Rng } from '../../apk/test/fuzz/mutate.js';
import { InputError, LimitError } from '../src/errors.js';
import { unifiedDiff } from '../src/manifest-source/diff.js';
import {
  applyReplacements,
  fixedManifest,
  matchManifest,
  parseSourceManifest,
  patchFor,
  readSourceManifest,
  type SourceManifest,
} from '../src/manifest-source/source-manifest.js';
import { ANDROID_NS, attributeOf, scanXml, XmlScanError } from '../src/manifest-source/xml-scan.js';
import { scanPackage } from '../src/scan.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const fixtures = join(here, 'fixtures/manifest-source');
const apiDemosApk = join(repoRoot, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk');
const settingsApk = join(repoRoot, 'node_modules/io.appium.settings/apks/settings_apk-debug.apk');
const apiDemosManifest = join(fixtures, 'api-demos.AndroidManifest.xml');
const settingsManifest = join(fixtures, 'settings-gradle.AndroidManifest.xml');

const application: ManifestEdit['target'] = { element: 'application' };

function source(text: string): SourceManifest {
  return parseSourceManifest(text, 'AndroidManifest.xml');
}

/** The patched text, or the patch when it did not apply. */
function patched(text: string, edits: ManifestEdit[], namespace: string | null = 'com.example.app'): string {
  const manifest = source(text);
  const patch = patchFor(manifest, edits, namespace, 'AndroidManifest.xml');
  assert.equal(patch.status, 'applied', JSON.stringify(patch.reason));
  return applyReplacements(text, patch.replacements);
}

/** An android-namespace attribute of the first element with this local name, read again from the text. */
function reread(text: string, element: string, attribute: string): string | undefined {
  const doc = scanXml(text);
  const found = doc.elements.find((e) => e.local === element);
  return found && attributeOf(found, ANDROID_NS, attribute)?.value;
}

const BASIC = `<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app">
    <application
        android:label="@string/app_name"
        android:allowBackup="true">
        <activity android:name=".Main" android:exported="true"/>
    </application>
</manifest>
`;

test('manifest source: an attribute value is replaced in place, the rest of the text kept byte for byte', () => {
  const out = patched(BASIC, [{ target: application, attribute: 'allowBackup', value: 'false' }]);
  assert.equal(out, BASIC.replace('android:allowBackup="true"', 'android:allowBackup="false"'));
  assert.equal(reread(out, 'application', 'allowBackup'), 'false');
});

test('manifest source: a new attribute follows the tag layout: its own line and indent, or a space, or after the name', () => {
  const multiLine = patched(BASIC, [{ target: application, attribute: 'usesCleartextTraffic', value: 'false' }]);
  assert.ok(multiLine.includes('        android:allowBackup="true"\n        android:usesCleartextTraffic="false">'), multiLine);
  const oneLine = patched(BASIC, [
    { target: { element: 'activity', name: 'com.example.app.Main' }, attribute: 'permission', value: 'x.Y' },
  ]);
  assert.ok(oneLine.includes('<activity android:name=".Main" android:exported="true" android:permission="x.Y"/>'), oneLine);
  const bare = `<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app"><application/></manifest>`;
  assert.equal(
    patched(bare, [{ target: application, attribute: 'allowBackup', value: 'false' }]),
    bare.replace('<application/>', '<application android:allowBackup="false"/>'),
  );
});

test('manifest source: another prefix for the android namespace, single quotes and CRLF are kept', () => {
  const text = [
    `<?xml version='1.0'?>`,
    `<manifest xmlns:a='http://schemas.android.com/apk/res/android' package='com.example.app'>`,
    `  <application a:debuggable='true'`,
    `      a:label='x'>`,
    `  </application>`,
    `</manifest>`,
    ``,
  ].join('\r\n');
  const added = patched(text, [{ target: application, attribute: 'allowBackup', value: 'false' }]);
  assert.ok(added.includes(`      a:label='x'\r\n      a:allowBackup='false'>`), JSON.stringify(added));
  const removed = patched(text, [{ target: application, attribute: 'debuggable', value: null }]);
  assert.ok(removed.includes(`  <application\r\n      a:label='x'>`), JSON.stringify(removed));
  assert.equal(reread(removed, 'application', 'debuggable'), undefined);
  assert.equal(removed.split('\r\n').length, text.split('\r\n').length, 'no line added or lost');
  assert.doesNotMatch(removed.replace(/\r\n/g, ''), /[\r\n]/, 'no bare line ends');
});

test('manifest source: comments, CDATA and lookalike text are never edited; tools:node="remove" elements are not the app', () => {
  const text = `<manifest xmlns:android="http://schemas.android.com/apk/res/android" xmlns:tools="http://schemas.android.com/tools" package="com.example.app">
  <!-- <application android:allowBackup="true"> -->
  <application android:allowBackup="true">
    <activity android:name=".Gone" android:exported="true" tools:node="remove"/>
    <activity android:name="Main" android:exported="true"><![CDATA[ android:exported="true" ]]></activity>
  </application>
</manifest>`;
  const out = patched(text, [{ target: { element: 'activity', name: 'com.example.app.Main' }, attribute: 'exported', value: 'false' }]);
  assert.ok(out.includes('<activity android:name="Main" android:exported="false"><![CDATA[ android:exported="true" ]]>'), out);
  assert.ok(out.includes('<!-- <application android:allowBackup="true"> -->'));
  const gone = patchFor(
    source(text),
    [{ target: { element: 'activity', name: 'com.example.app.Gone' }, attribute: 'exported', value: 'false' }],
    'com.example.app',
    'm',
  );
  assert.equal(gone.status, 'not-located');
  assert.match(gone.reason!.en, /tools:node="merge"/);
});

test('manifest source: a value the build computes is not overwritten, and a value already right is unchanged', () => {
  const text = BASIC.replace('android:allowBackup="true"', 'android:allowBackup="${backup}"');
  const blocked = patchFor(source(text), [{ target: application, attribute: 'allowBackup', value: 'false' }], null, 'm');
  assert.equal(blocked.status, 'not-located');
  assert.match(blocked.reason!.en, /\$\{backup\}/);
  assert.match(blocked.reason!.zh, /构建/);
  const resource = patchFor(
    source(BASIC.replace('"true"', '"@bool/backup"')),
    [{ target: application, attribute: 'allowBackup', value: 'false' }],
    null,
    'm',
  );
  assert.equal(resource.status, 'not-located');
  const already = patchFor(source(BASIC), [{ target: application, attribute: 'debuggable', value: null }], null, 'm');
  assert.equal(already.status, 'unchanged');
  assert.deepEqual(already.replacements, []);
});

test('manifest source: replacements carry UTF-16 and UTF-8 offsets, lines and columns that point at the text', () => {
  const text = `\uFEFF<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app">\n<!-- 应用清单 𠮷 -->\n<application android:label="测试" android:allowBackup="true"/>\n</manifest>\n`;
  const manifest = source(text);
  const patch = patchFor(manifest, [{ target: application, attribute: 'allowBackup', value: 'false' }], null, 'm');
  const [r] = patch.replacements;
  assert.ok(r);
  assert.equal(text.slice(r.offset, r.offset + r.length), 'true');
  const bytes = Buffer.from(text, 'utf8');
  assert.equal(bytes.subarray(r.byteOffset, r.byteOffset + r.byteLength).toString('utf8'), 'true');
  assert.equal(r.startLine, 3);
  const line = text.split('\n')[2]!;
  assert.equal(line.slice(r.startColumn - 1, r.endColumn - 1), 'true');
});

test(
  'manifest source: the unified diff applies with patch(1) and shows only the changed lines',
  { skip: !hasTool('patch') && 'patch is not installed' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'apprights-manifest-'));
    try {
      const text = readFileSync(apiDemosManifest, 'utf8').replace(/\n/g, '\r\n');
      const edits: ManifestEdit[] = [
        { target: { element: 'activity', name: 'io.appium.android.apis.app.SendResult' }, attribute: 'exported', value: 'false' },
        { target: application, attribute: 'usesCleartextTraffic', value: 'false' },
      ];
      const manifest = source(text);
      const patch = patchFor(manifest, edits, 'io.appium.android.apis', 'AndroidManifest.xml');
      const after = applyReplacements(text, patch.replacements);
      assert.equal(patch.diff, unifiedDiff(text, after, 'AndroidManifest.xml', 'AndroidManifest.xml'));
      assert.equal(patch.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)).length, 5, patch.diff);
      writeFileSync(join(dir, 'AndroidManifest.xml'), text);
      writeFileSync(join(dir, 'fix.diff'), patch.diff);
      const run = spawnSync('patch', ['-p1', '--binary', '-i', 'fix.diff'], { cwd: dir, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.equal(readFileSync(join(dir, 'AndroidManifest.xml'), 'utf8'), after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Each hostile input is refused by name, with the line and column, never read as something else. */
const HOSTILE: [string, string | Uint8Array, RegExp][] = [
  ['unclosed root', '<manifest package="a.b">', /never closed/],
  ['mismatched end tag', '<manifest><application></manifest></application>', /closes <application>/],
  ['two roots', '<manifest/><manifest/>', /second root/],
  ['text outside the root', 'x<manifest/>', /outside the root/],
  ['DOCTYPE with entities', '<!DOCTYPE m [<!ENTITY e "x">]><manifest/>', /internal subset/],
  ['undeclared entity', '<manifest package="&e;"/>', /entity &e;/],
  ['bare ampersand', '<manifest package="a&b"/>', /starts no entity/],
  ['undeclared prefix', '<manifest android:x="1"/>', /not declared/],
  ['one attribute through two prefixes', '<manifest xmlns:a="u" xmlns:b="u" a:x="1" b:x="2"/>', /twice/],
  ['duplicate attribute', '<manifest package="a" package="b"/>', /twice/],
  ['"<" in a value', '<manifest package="a<b"/>', /"<" in the value/],
  ['unterminated comment', '<manifest><!-- x </manifest>', /comment is never closed/],
  ['unterminated CDATA', '<manifest><![CDATA[ x </manifest>', /CDATA section is never closed/],
  ['another encoding', '<?xml version="1.0" encoding="GBK"?><manifest/>', /encoding "GBK"/],
  ['UTF-16', new Uint8Array([0xff, 0xfe, 0x3c, 0x00]), /UTF-16/],
  ['invalid UTF-8', new Uint8Array([0x3c, 0x6d, 0xff, 0x3e]), /not valid UTF-8/],
  ['not a manifest', '<resources/>', /root is <resources>/],
  ['a character reference to nothing', '<manifest package="&#0;"/>', /names no XML character/],
];

test('manifest source: hostile inputs are refused with what and where', () => {
  for (const [name, input, message] of HOSTILE) {
    assert.throws(
      () => parseSourceManifest(typeof input === 'string' ? input : input, 'm.xml'),
      (error: Error) => {
        assert.ok(error instanceof InputError || error instanceof LimitError, `${name}: ${error.name} ${error.message}`);
        assert.match(error.message, message, name);
        assert.match((error as InputError).text.zh, /[\u4e00-\u9fff]/, `${name}: a Chinese message`);
        return true;
      },
      name,
    );
  }
});

test('manifest source: limits on size, depth, elements and attributes hold, and nothing is quadratic', () => {
  assert.throws(() => parseSourceManifest('<manifest/>'.padEnd(100, ' '), 'm', { maxChars: 50 }), LimitError);
  assert.throws(() => parseSourceManifest(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, 'm'), /nested deeper than 128/);
  assert.throws(() => parseSourceManifest(`<manifest>${'<x/>'.repeat(50)}</manifest>`, 'm', { maxElements: 20 }), /more than 20 elements/);
  const declarations = Array.from({ length: 300 }, (_, i) => ` xmlns:p${i}="u${i}"`).join('');
  assert.throws(() => parseSourceManifest(`<manifest${declarations}/>`, 'm'), /more than 256 namespace declarations/);
  assert.throws(() => readSourceManifest(fixtures), /is not a regular file/);
  const attrs = Array.from({ length: 600 }, (_, i) => ` a${i}="1"`).join('');
  assert.throws(() => parseSourceManifest(`<manifest${attrs}/>`, 'm'), /more than 512 attributes/);
  // Many text runs and attributes in a large file: one pass, not a search to the end per run.
  const big = `<manifest xmlns:android="${ANDROID_NS}" package="a.b"><application>${'<meta-data android:name="n" android:value="v &amp; w"/>text\n'.repeat(40_000)}</application></manifest>`;
  const started = performance.now();
  const doc = scanXml(big);
  assert.equal(doc.elements.length, 40_002);
  assert.ok(performance.now() - started < 5000, `scanned in ${Math.round(performance.now() - started)} ms`);
  const real = readSourceManifest(apiDemosManifest, { maxBytes: 100 * 1024 });
  assert.equal(real.package, 'io.appium.android.apis');
  assert.throws(() => readSourceManifest(apiDemosManifest, { maxBytes: 100 }), LimitError);
  assert.throws(
    () => readSourceManifest(join(fixtures, 'missing.xml')),
    (e: Error) => e instanceof InputError && /cannot read/.test(e.message),
  );
});

test('manifest source: the fixed manifest takes actionable findings only, one change once, and never merges clashing ones', () => {
  const manifest = source(BASIC);
  const make = (fingerprint: string, edits: ManifestEdit[], patch: Partial<Finding> = {}): Finding =>
    ({
      ruleId: 'r',
      measures: [],
      severity: 'low',
      message: { zh: '', en: '' },
      messageId: 'm',
      evidence: [],
      fingerprint,
      fix: { description: { zh: '', en: '' }, edits, patch: patchFor(manifest, edits, 'com.example.app', 'm') },
      ...patch,
    }) as Finding;
  const off: ManifestEdit[] = [{ target: application, attribute: 'allowBackup', value: 'false' }];
  const other: ManifestEdit[] = [{ target: application, attribute: 'allowBackup', value: 'no' }];
  const cleartext: ManifestEdit[] = [{ target: application, attribute: 'usesCleartextTraffic', value: 'false' }];
  const result = fixedManifest(
    manifest,
    [
      make('a', off),
      make('b', off),
      make('c', other),
      make('d', cleartext, { severity: 'info' }),
      make('e', cleartext, { suppressed: { reason: 'x', by: 'y' } }),
    ],
    'm',
    'm.fixed',
  );
  assert.deepEqual(result.fixed, ['a', 'b']);
  assert.equal(result.text, BASIC.replace('android:allowBackup="true"', 'android:allowBackup="false"'));
  assert.match(result.diff, /^--- a\/m\n\+\+\+ b\/m\.fixed\n@@ -2,7 \+2,7 @@\n/);
  assert.deepEqual(fixedManifest(manifest, [make('d', cleartext, { severity: 'info' })], 'm', 'm'), { text: BASIC, diff: '', fixed: [] });
});

test('manifest source: a fix each for 3000 components of one manifest stays fast: each diff covers its own lines', () => {
  const count = 3000;
  const body = Array.from({ length: count }, (_, i) => `    <activity android:name=".A${i}" android:exported="true" />\n`).join('');
  const text = `<manifest xmlns:android="${ANDROID_NS}" package="com.example.app">\n  <application>\n${body}  </application>\n</manifest>\n`;
  const manifest = source(text);
  const started = performance.now();
  const patches = Array.from({ length: count }, (_, i) =>
    patchFor(
      manifest,
      [{ target: { element: 'activity', name: `com.example.app.A${i}` }, attribute: 'exported', value: 'false' }],
      'com.example.app',
      'm',
    ),
  );
  const took = performance.now() - started;
  assert.ok(took < 5000, `${Math.round(took)} ms`);
  assert.ok(patches.every((p) => p.status === 'applied' && p.diff.split('\n').length <= 12));
  assert.match(patches[1500]!.diff, /^@@ -1500,7 \+1500,7 @@\n.*\n.*\n.*\n-.*\.A1500"/m);
});

test('manifest source: mutated manifests are either refused as XmlScanError or edited into XML that reads back with the new value', () => {
  const seeds = [readFileSync(apiDemosManifest, 'utf8'), readFileSync(settingsManifest, 'utf8'), BASIC];
  const rng = new Rng(Number(process.env.FUZZ_SEED ?? 20261206));
  const pieces = [
    '<',
    '>',
    '/>',
    '"',
    "'",
    '&',
    '&amp;',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    ':',
    'xmlns:android=',
    '\r',
    '\n',
    '\uFEFF',
    '𠮷',
    '=',
  ];
  let edited = 0;
  for (let i = 0; i < 3000; i++) {
    const seed = rng.pick(seeds);
    let text = seed;
    for (let n = 1 + rng.below(3); n > 0; n--) {
      const at = rng.below(text.length + 1);
      const kind = rng.below(3);
      if (kind === 0) text = text.slice(0, at) + rng.pick(pieces) + text.slice(at);
      else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.below(8));
      else text = text.slice(0, at) + text.slice(rng.below(text.length), rng.below(text.length)) + text.slice(at);
    }
    let doc;
    try {
      doc = scanXml(text);
    } catch (error) {
      assert.ok(error instanceof XmlScanError, `iteration ${i}: ${(error as Error).stack}`);
      assert.ok((error as XmlScanError).line >= 1, `iteration ${i}: a line`);
      continue;
    }
    let manifest: SourceManifest;
    try {
      manifest = parseSourceManifest(text, 'm');
    } catch (error) {
      assert.ok(error instanceof InputError, `iteration ${i}: ${(error as Error).stack}`);
      continue;
    }
    assert.ok(doc.elements.length > 0);
    const patch = patchFor(manifest, [{ target: application, attribute: 'allowBackup', value: 'false' }], manifest.package, 'm');
    if (patch.status !== 'applied') continue;
    const out = applyReplacements(text, patch.replacements);
    const again = scanXml(out);
    const apps = again.elements.filter((e) => e.local === 'application' && e.parent === 0 && e.namespace === null);
    assert.ok(apps.length > 0 && apps.every((e) => attributeOf(e, ANDROID_NS, 'allowBackup')?.value === 'false'), `iteration ${i}`);
    edited++;
  }
  assert.ok(edited > 100, `only ${edited} mutated manifests were edited`);
});

function facts(pkg: string, components: string[]): PackageFacts {
  return {
    app: { package: pkg },
    components: components.map((name) => ({ type: 'activity', name })),
  } as unknown as PackageFacts;
}

test('manifest source: the app check takes the package attribute, or every component for a Gradle manifest, and refuses another app', () => {
  const gradle = `<manifest xmlns:android="${ANDROID_NS}"><application><activity android:name=".Main"/><service android:name="lib.Svc"/></application></manifest>`;
  const manifest = source(gradle);
  assert.equal(manifest.package, null);
  assert.deepEqual(matchManifest(manifest, facts('com.example.app', ['com.example.app.Main', 'lib.Svc'])), {
    match: 'components',
    namespace: 'com.example.app',
  });
  // applicationId com.example.app.debug, namespace com.example.app: relative names need --namespace.
  assert.throws(() => matchManifest(manifest, facts('com.example.app.debug', ['com.example.app.Main', 'lib.Svc'])), /--namespace/);
  assert.deepEqual(matchManifest(manifest, facts('com.example.app.debug', ['com.example.app.Main', 'lib.Svc']), 'com.example.app'), {
    match: 'components',
    namespace: 'com.example.app',
  });
  assert.throws(
    () => matchManifest(source(BASIC), facts('com.other', ['com.other.Main'])),
    (e: Error) =>
      e instanceof InputError && e.code === 'manifest-mismatch' && /"com\.example\.app"/.test(e.message) && /不是/.test(e.text.zh),
  );
  const empty = source(`<manifest xmlns:android="${ANDROID_NS}"><application/></manifest>`);
  assert.throws(() => matchManifest(empty, facts('com.example.app', [])), /declares no component/);
});

/** The findings a real scan gives, with the fixture as the source manifest. */
async function scanWith(apk: string, manifestPath: string, namespace?: string) {
  const manifest = readSourceManifest(manifestPath);
  const report = await scanPackage(apk, { manifestSource: manifest, facts: false, ...(namespace ? { namespace } : {}) });
  return { manifest, report };
}

function byTarget(findings: readonly Finding[]): Map<string, Finding> {
  return new Map(findings.filter((f) => f.fix).map((f) => [`${f.ruleId} ${JSON.stringify(f.fix!.edits[0]!.target)}`, f]));
}

test('manifest source: ApiDemos (a debug build) with a hand-written source manifest: fixes located, the fixed text reads back as expected', async () => {
  const { manifest, report } = await scanWith(apiDemosApk, apiDemosManifest);
  assert.equal(report.app.flags.debuggable, true);
  assert.deepEqual(
    { ...report.manifestSource, sha256: undefined },
    {
      path: apiDemosManifest,
      sha256: undefined,
      package: 'io.appium.android.apis',
      namespace: 'io.appium.android.apis',
      match: 'package',
      applied: 6,
      unchanged: 1,
      notLocated: 6,
    },
  );
  const fixes = byTarget(report.findings);
  // The source does not set debuggable: the debug build type did, so the source is already right.
  assert.equal(fixes.get('debuggable {"element":"application"}')?.fix?.patch?.status, 'unchanged');
  const redirect = fixes.get('exported-components {"element":"activity","name":"io.appium.android.apis.app.RedirectMain"}');
  assert.equal(redirect?.fix?.patch?.status, 'not-located');
  assert.match(redirect!.fix!.patch!.reason!.en, /\$\{redirectExported\}/);
  // A component the fixture does not declare stands for one merged from elsewhere.
  const reorder = fixes.get('exported-components {"element":"activity","name":"io.appium.android.apis.app.ReorderThree"}');
  assert.equal(reorder?.fix?.patch?.status, 'not-located');
  const fixed = fixedManifest(manifest, report.findings, 'AndroidManifest.xml', 'AndroidManifest.xml');
  assert.equal(fixed.fixed.length, 6);
  // The storage permission gets its bound; five components stop being exported.
  const storage = fixes.get('legacy-storage-permission {"element":"uses-permission","name":"android.permission.WRITE_EXTERNAL_STORAGE"}');
  assert.equal(storage?.fix?.patch?.status, 'applied');
  assert.equal(storage?.fix?.patch?.replacements[0]?.inserted, ' android:maxSdkVersion="29"');
  const expected = new Set([
    '.app.SendResult',
    '.app.ForwardTarget',
    'io.appium.android.apis.app.ReorderTwo',
    '.app.FragmentLayout$DetailsActivity',
    '.app.AppUpdateReceiver',
  ]);
  const before = scanXml(manifest.text).elements;
  const after = scanXml(fixed.text).elements;
  assert.equal(after.length, before.length);
  for (const [i, element] of after.entries()) {
    const name = attributeOf(element, ANDROID_NS, 'name')?.value;
    const old = before[i]!;
    assert.equal(element.qname, old.qname);
    const exported = attributeOf(element, ANDROID_NS, 'exported')?.value;
    if (name !== undefined && expected.has(name)) assert.equal(exported, 'false', name);
    else if (name === 'android.permission.WRITE_EXTERNAL_STORAGE')
      assert.equal(attributeOf(element, ANDROID_NS, 'maxSdkVersion')?.value, '29');
    else
      assert.deepEqual(
        element.attributes.map((a) => [a.qname, a.value]),
        old.attributes.map((a) => [a.qname, a.value]),
        `element ${i} unchanged`,
      );
  }
  assert.equal(
    fixed.text.length - manifest.text.length,
    5 + ' android:maxSdkVersion="29"'.length,
    'five "true" became "false", one attribute more',
  );
});

test('manifest source: a Gradle manifest without package for Appium Settings matches on its components; the wrong app is refused', async () => {
  const { report } = await scanWith(settingsApk, settingsManifest);
  assert.equal(report.manifestSource?.match, 'components');
  assert.equal(report.manifestSource?.package, null);
  const receivers = report.findings.filter((f) => f.ruleId === 'exported-components' && f.fix?.patch?.status === 'applied');
  assert.ok(receivers.length >= 2, `${receivers.length} applied`);
  for (const f of receivers) assert.match(f.fix!.patch!.diff, /^-.*droid:exported="true"/m);
  await assert.rejects(
    () => scanWith(settingsApk, apiDemosManifest),
    (e: Error) => e instanceof InputError && e.code === 'manifest-mismatch' && e.subject === apiDemosManifest,
  );
  await assert.rejects(
    () => scanWith(apiDemosApk, settingsManifest),
    (e: Error) => e instanceof InputError && e.code === 'manifest-mismatch',
  );
});
