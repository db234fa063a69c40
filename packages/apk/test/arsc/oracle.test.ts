/**
 * Oracle tests: our reading of real tables against Debian's aapt (`dump resources`, `dump --values
 * resources`, `dump badging`, `dump xmltree`). aapt runs directly, never through a shell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ZipArchive } from '../../src/zip/index.js';
import { parseResourceTable, type ResourceTable } from '../../src/arsc/index.js';
import { ResType } from '../../src/resources/res-value.js';
import { realApks, runTool, skipWithoutTool } from '@apprights/testkit';

const FRAMEWORK = '/usr/share/android-framework-res/framework-res.apk';
const skipAapt = skipWithoutTool('aapt');
const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

interface AaptDump {
  /** `id|config` -> `t=0x03 d=0x00000001` or `<bag>`, plus the string for --values dumps. */
  values: Map<string, { value: string; name: string; text?: string }>;
  specs: Map<string, { name: string; flags: number }>;
  /** `packageId:typeIndex` -> counts. */
  types: Map<string, { configCount: number; entryCount: number }>;
}

function unescapeAapt(s: string): string {
  return s.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function dumpResources(apk: string, withValues = false): AaptDump {
  const out = runTool('aapt', withValues ? ['dump', '--values', 'resources', apk] : ['dump', 'resources', apk]).stdout;
  const dump: AaptDump = { values: new Map(), specs: new Map(), types: new Map() };
  let pkg = '';
  let config = '';
  let last: { text?: string } | undefined;
  for (const line of out.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}Package \d+ id=(0x[0-9a-f]+)/.exec(line))) pkg = m[1]!;
    else if ((m = /^ {4}type (\d+) configCount=(\d+) entryCount=(\d+)/.exec(line))) {
      dump.types.set(`${pkg}:${m[1]}`, { configCount: Number(m[2]), entryCount: Number(m[3]) });
    } else if ((m = /^ {6}spec resource (0x[0-9a-f]{8}) (\S+): flags=(0x[0-9a-f]+)/.exec(line))) {
      dump.specs.set(m[1]!, { name: m[2]!, flags: Number(m[3]) });
    } else if ((m = /^ {6}config (.*):$/.exec(line))) config = m[1]!;
    else if ((m = /^ {8}resource (0x[0-9a-f]{8}) (\S+): (<bag>|t=0x[0-9a-f]{2} d=0x[0-9a-f]{8})/.exec(line))) {
      last = { value: m[3]!, name: m[2]! } as { value: string; name: string; text?: string };
      dump.values.set(`${m[1]}|${config}`, last as { value: string; name: string });
    } else if (last && (m = /^ {10}\(string(?:8|16)\) "(.*)"$/.exec(line))) {
      last.text = unescapeAapt(m[1]!);
      last = undefined;
    } else last = undefined;
  }
  return dump;
}

function open(apk: string): { table: ResourceTable; ms: number } {
  const zip = ZipArchive.open(apk);
  try {
    const bytes = zip.read('resources.arsc');
    const started = performance.now();
    const table = parseResourceTable(bytes);
    return { table, ms: performance.now() - started };
  } finally {
    zip.close();
  }
}

/** Compares every entry, spec and type count of our table with aapt's dump. */
function compareWithDump(table: ResourceTable, dump: AaptDump): void {
  const ours = new Map<string, { value: string; name: string; text?: string }>();
  const pkgById = new Map(table.packages.map((p) => [p.id, p]));
  for (const e of table.entries()) {
    const pkg = pkgById.get(e.id >>> 24)!;
    const typeId = (e.id >>> 16) & 0xff;
    const value = e.bag ? '<bag>' : `t=0x${e.value!.type.toString(16).padStart(2, '0')} d=${hex8(e.value!.data)}`;
    const text = e.value?.type === ResType.STRING ? table.strings.get(e.value.data) : undefined;
    ours.set(`${hex8(e.id)}|${e.qualifiers || '(default)'}`, { value, name: `${pkg.name}:${pkg.typeName(typeId)}/${e.key}`, text });
  }
  assert.equal(ours.size, dump.values.size, 'entry count');
  for (const [key, theirs] of dump.values) {
    const mine = ours.get(key);
    assert.ok(mine, `aapt has ${key} ${theirs.name}, we do not`);
    assert.equal(mine.value, theirs.value, `${key} ${theirs.name}`);
    assert.equal(mine.name, theirs.name, key);
    if (theirs.text !== undefined && !theirs.text.includes('\0')) {
      assert.equal(mine.text, theirs.text, `${key} ${theirs.name} string`);
    }
  }
  for (const [id, spec] of dump.specs) {
    assert.equal(table.nameOf(Number(id)) ?? spec.name, spec.name, `name of ${id}`);
    assert.equal(table.specFlags(Number(id)), spec.flags, `spec flags of ${id}`);
  }
  // aapt leaves out ids that have a spec slot but no entry in any configuration (framework-res has
  // 126 such removed attrs): it has no name to print for them.
  const declared = [...table.resourceIds()].filter((id) => table.nameOf(id) !== undefined);
  assert.equal(declared.length, dump.specs.size, 'resource ids declared by type specs');
  for (const [key, counts] of dump.types) {
    const [pkgHex, typeIndex] = key.split(':');
    const pkg = pkgById.get(Number(pkgHex))!;
    const info = pkg.typeInfo(Number(typeIndex) + 1 + pkg.typeIdOffset);
    assert.deepEqual(info, counts, `type ${typeIndex} of package ${pkgHex}`);
  }
}

/** `application-label*` and `application-icon-*` lines of `aapt dump badging`. */
function badging(apk: string): { labels: Map<string, string>; icons: Map<number, string> } {
  const out = runTool('aapt', ['dump', 'badging', apk]).stdout;
  const labels = new Map<string, string>();
  const icons = new Map<number, string>();
  for (const line of out.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^application-label(?:-([^:]+))?:'(.*)'$/.exec(line))) labels.set(m[1] ?? 'default', m[2]!);
    else if ((m = /^application-icon-(\d+):'(.*)'$/.exec(line))) icons.set(Number(m[1]), m[2]!);
  }
  return { labels, icons };
}

/** The `<application>` element's android:label / android:icon resource ids from `aapt dump xmltree`. */
function applicationRefs(apk: string): { label?: number; icon?: number } {
  const out = runTool('aapt', ['dump', 'xmltree', apk, 'AndroidManifest.xml']).stdout.split('\n');
  const at = out.findIndex((l) => /E: application /.test(l));
  if (at < 0) return {};
  const indent = out[at]!.search(/\S/);
  const refs: { label?: number; icon?: number } = {};
  for (const line of out.slice(at + 1)) {
    if (line.search(/\S/) <= indent || /^\s*E: /.test(line)) break;
    const m = /A: android:(label|icon)\(0x[0-9a-f]+\)=@(0x[0-9a-f]+)/.exec(line);
    if (m) refs[m[1] as 'label' | 'icon'] = Number(m[2]);
  }
  return refs;
}

const apks = Object.entries(realApks);

for (const [name, apk] of apks) {
  test(`${name}: every entry, spec and count matches aapt dump resources`, { skip: skipAapt }, () => {
    const { table } = open(apk);
    compareWithDump(table, dumpResources(apk, true));
  });

  test(`${name}: labels and icons match aapt dump badging`, { skip: skipAapt }, () => {
    const { table } = open(apk);
    const { labels, icons } = badging(apk);
    const refs = applicationRefs(apk);
    if (refs.label !== undefined) {
      const ours = table.localizedStrings(refs.label);
      assert.ok(labels.size > 0);
      for (const [locale, label] of labels) assert.equal(ours[locale], label, `label for ${locale}`);
      assert.ok(ours['zh-CN'] !== undefined && ours.en !== undefined);
    }
    if (refs.icon !== undefined) {
      assert.ok(icons.size > 0);
      for (const [density, path] of icons) assert.equal(table.resolveFile(refs.icon, { density }), path, `icon at ${density} dpi`);
      const files = table.files(refs.icon).map((f) => f.path);
      for (const path of icons.values()) assert.ok(files.includes(path));
    }
  });
}

const skipFramework =
  skipAapt || (existsSync(FRAMEWORK) ? false : `skipped: ${FRAMEWORK} is absent (apt-get install android-framework-res)`);

test('framework-res.apk: parse time, permission labels in Chinese', { skip: skipFramework }, (t) => {
  const { table, ms } = open(FRAMEWORK);
  t.diagnostic(`framework-res resources.arsc indexed in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 2000, `parse took ${ms} ms`);
  assert.equal(table.packages[0]?.id, 0x01);
  assert.equal(table.packages[0]?.name, 'android');
  const dump = dumpResources(FRAMEWORK, true);
  const permissions = [
    'permlab_camera',
    'permlab_recordAudio',
    'permlab_accessFineLocation',
    'permlab_readContacts',
    'permlab_readPhoneState',
    'permlab_sendSms',
  ];
  const started = performance.now();
  for (const perm of permissions) {
    const id = table.idOf(`android:string/${perm}`);
    assert.ok(id !== undefined, perm);
    assert.equal(table.nameOf(id), `android:string/${perm}`);
    const expect = (config: string) => dump.values.get(`${hex8(id)}|${config}`)?.text;
    assert.equal(table.resolveString(id, 'zh-CN'), expect('zh-rCN'), `${perm} zh-CN`);
    assert.equal(table.resolveString(id, 'zh-TW'), expect('zh-rTW'), `${perm} zh-TW`);
    assert.equal(table.resolveString(id, 'zh-HK'), expect('zh-rHK'), `${perm} zh-HK`);
    assert.equal(table.resolveString(id), expect('(default)'), `${perm} default`);
    assert.equal(table.resolveString(id, 'en-US'), expect('(default)'), `${perm} en-US`);
    assert.equal(table.resolveString(id, 'en-GB'), expect('en-rGB'), `${perm} en-GB`);
    assert.match(table.resolveString(id, 'zh-CN') ?? '', /[\u4e00-\u9fff]/);
  }
  // The batched localizedStrings agrees with one-by-one resolution in every locale of the table.
  const camera = table.idOf('android:string/permlab_camera')!;
  const all = table.localizedStrings(camera);
  assert.ok(Object.keys(all).length > 80);
  for (const [locale, label] of Object.entries(all)) {
    assert.equal(label, locale === 'default' ? table.resolveString(camera) : table.resolveString(camera, locale), locale);
  }
  t.diagnostic(`${permissions.length} permission labels resolved in 5 locales in ${(performance.now() - started).toFixed(1)} ms`);
  const timed = performance.now();
  compareWithDump(table, dump);
  t.diagnostic(`all ${dump.values.size} entries compared with aapt in ${(performance.now() - timed).toFixed(0)} ms`);
});
