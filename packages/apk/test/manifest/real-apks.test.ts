import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../src/manifest/index.js';
import { ZipArchive } from '../../src/zip/index.js';
import { join } from 'node:path';
import { corporaDir, realApks, runTool, skipWithoutCorpora, skipWithoutTool } from '@apprights/testkit';
import { parseAaptXmltree } from '../axml/aapt-xmltree.js';

function readManifest(path: string): Uint8Array {
  const zip = ZipArchive.open(path);
  try {
    return zip.read('AndroidManifest.xml');
  } finally {
    zip.close();
  }
}

/** The `key: name='value' ...` fields of one badging line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/(\w+)='([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
}

test('real APK manifests agree with aapt dump badging and xmltree', { skip: skipWithoutTool('aapt') }, (t) => {
  for (const [label, path] of Object.entries(realApks)) {
    const m = parseManifest(readManifest(path));
    const badging = runTool('aapt', ['dump', 'badging', path]).stdout.split('\n');
    const line = (prefix: string): string | undefined => badging.find((l) => l.startsWith(prefix));

    const pkg = fields(line('package:')!);
    assert.equal(m.package, pkg.name, label);
    assert.equal(m.versionCode === undefined ? '' : String(m.versionCode), pkg.versionCode, label);
    assert.equal(m.versionName?.kind === 'string' ? m.versionName.value : '', pkg.versionName, label);
    assert.equal(String(m.compileSdkVersion), pkg.compileSdkVersion, label);
    assert.equal(m.compileSdkVersionCodename, pkg.compileSdkVersionCodename, label);
    assert.equal(String(m.minSdkVersion), line('sdkVersion:')!.slice("sdkVersion:'".length, -1), label);
    assert.equal(String(m.targetSdkVersion), line('targetSdkVersion:')!.slice("targetSdkVersion:'".length, -1), label);

    // badging also lists permissions it infers (each followed by a uses-implied-permission line).
    const listed = badging.filter((l) => /^uses-permission(-sdk-23)?: /.test(l)).map((l) => fields(l).name!);
    const implied = new Set(badging.filter((l) => l.startsWith('uses-implied-permission:')).map((l) => fields(l).name!));
    const ours = m.usesPermissions.map((p) => p.name);
    assert.deepEqual(new Set(ours), new Set(listed.filter((name) => ours.includes(name) || !implied.has(name))), label);

    const launchable = line('launchable-activity:');
    assert.equal(m.launcherActivity, launchable ? fields(launchable).name : undefined, label);

    // Component counts from the element tree aapt prints.
    const tree = parseAaptXmltree(runTool('aapt', ['dump', 'xmltree', path, 'AndroidManifest.xml']).stdout);
    const counts = new Map<string, number>();
    for (const r of tree) if (r.kind === 'E') counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    const components = m.application?.components ?? [];
    for (const type of ['activity', 'activity-alias', 'service', 'receiver', 'provider'] as const) {
      assert.equal(components.filter((c) => c.type === type).length, counts.get(type) ?? 0, `${label} ${type} count`);
    }
    assert.equal(m.usesPermissions.length, (counts.get('uses-permission') ?? 0) + (counts.get('uses-permission-sdk-23') ?? 0), label);
    assert.equal(line('application-debuggable') !== undefined, m.application?.debuggable === true, `${label} debuggable`);
    t.diagnostic(
      `${label}: ${m.package} ${m.versionCode ?? '-'} sdk ${String(m.minSdkVersion)}/${String(m.targetSdkVersion)}, ` +
        `${ours.length} permissions, ${components.length} components, ` +
        `${components.filter((c) => c.exported === true).length} exported, launcher ${m.launcherActivity ?? '-'}`,
    );
  }
});

test('debuggable as a bool resource stays a reference (apksig corpus)', { skip: skipWithoutCorpora }, () => {
  const dir = join(corporaDir!, 'apksig');
  const resource = parseManifest(readManifest(join(dir, 'debuggable-resource.apk')));
  assert.deepEqual(resource.application?.debuggable, { kind: 'reference', id: 0x7f030000 });
  const literal = parseManifest(readManifest(join(dir, 'debuggable-boolean.apk')));
  assert.equal(typeof literal.application?.debuggable, 'boolean');
});
