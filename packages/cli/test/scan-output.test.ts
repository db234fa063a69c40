/**
 * What people read: the terminal text (English and Chinese), Markdown, and `-o FILE`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ZipArchive } from '@apprights/apk';
import { join } from 'node:path';
import { buildApk, realApks, runTool, skipWithoutTool } from '@apprights/testkit';
import { describeRun, runCliAsync, schemaErrors, tempDir, writeTemp, type CliResult, type ScanJson } from './helpers.js';

const dir = tempDir();
const demo = writeTemp(
  dir,
  'demo.apk',
  buildApk({
    package: 'com.example.demo',
    versionCode: 7,
    versionName: '7.0-beta',
    minSdk: 24,
    // Below 31, a component with an intent filter and no android:exported is exported.
    targetSdk: 30,
    label: { default: 'Demo', 'zh-CN': '演示应用', en: 'Demo EN' },
    permissions: ['android.permission.CAMERA', { name: 'android.permission.BLUETOOTH', maxSdkVersion: 30 }, 'com.example.demo.PRIVATE'],
    components: [
      {
        type: 'activity',
        name: 'com.example.demo.Main',
        exported: true,
        actions: ['android.intent.action.MAIN'],
        categories: ['android.intent.category.LAUNCHER'],
      },
      { type: 'receiver', name: 'com.example.demo.Boot', actions: ['android.intent.action.BOOT_COMPLETED'] },
    ],
    sign: ['v2', 'v3'],
  }),
);

test('the built APK reads the same in aapt (the builder writes what Android tools expect)', { skip: skipWithoutTool('aapt') }, () => {
  const out = runTool('aapt', ['dump', 'badging', demo]).stdout;
  assert.match(out, /^package: name='com\.example\.demo' versionCode='7' versionName='7\.0-beta'/m);
  assert.match(out, /^sdkVersion:'24'$/m);
  assert.match(out, /^application-label:'Demo'$/m);
  assert.match(out, /^application-label-zh-CN:'演示应用'$/m);
  assert.match(out, /^launchable-activity: name='com\.example\.demo\.Main'/m);
  assert.match(out, /^uses-permission: name='android\.permission\.BLUETOOTH' maxSdkVersion='30'$/m);
});

function ok(r: CliResult): string {
  assert.equal(r.status, 0, describeRun(r));
  assert.equal(r.stderr, '', 'stderr stays empty when it is not a terminal');
  return r.stdout;
}

/** The `  Key  value` line of a text report whose key is `key`. */
function field(text: string, key: string): string {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(key + ' '));
  assert.ok(line, `a "${key}" line in:\n${text}`);
  return line.trimStart().slice(key.length).trim();
}

test(
  'text report of ApiDemos: name, package, version, permissions with protection levels, signatures',
  {
    skip: existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed',
  },
  async () => {
    // --verbose: the package's facts as well as the summary.
    const text = ok(await runCliAsync(['scan', realApks.apiDemos, '--verbose']));
    assert.equal(text.split('\n')[0], 'API Demos', 'the report starts with the app name');
    assert.match(field(text, 'App name'), /^API Demos\b/);
    assert.equal(field(text, 'Package'), 'io.appium.android.apis');
    assert.equal(field(text, 'Version'), '5.0.0 (25)');
    assert.equal(field(text, 'SDK levels'), 'min 17, target 33, compile 33');
    assert.equal(field(text, 'Launcher activity'), 'io.appium.android.apis.ApiDemos');
    assert.match(text, /^Permissions \(14\)$/m);
    assert.match(text, /^ {2}android\.permission\.CAMERA +dangerous\b/m);
    assert.match(text, /^ {2}android\.permission\.INTERNET +normal\b/m);
    // The app's own permission: its level comes from the app's declaration, not the platform table.
    assert.match(text, /^ {2}io\.appium\.android\.apis\.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION +signature\b/m);
    assert.match(text, /^Signatures: verified$/m);
    assert.equal(field(text, 'v1 (JAR)'), 'verified');
    assert.equal(field(text, 'v2'), 'verified');
    assert.equal(field(text, 'v3'), 'absent');
    assert.equal(field(text, 'SHA-256'), '18e8534fed30cbf9959e4073e723e3395a3f92fd6b41756d5fbc788f280c1107');
    assert.match(text, /^Nested archives \(2\)$/m, 'ApiDemos ships assets/HelloActivity.apk');
  },
);

test('English and Chinese text; JSON is never translated', async () => {
  const [en, zh, zhEnv, zhLocale, jsonEn, jsonZh] = await Promise.all([
    runCliAsync(['scan', demo, '--verbose']),
    runCliAsync(['scan', demo, '--verbose', '--lang', 'zh']),
    runCliAsync(['scan', demo, '--verbose'], { env: { APPRIGHTS_LANG: 'zh' } }),
    runCliAsync(['scan', demo, '--verbose'], { env: { LC_ALL: 'zh_CN.UTF-8' } }),
    runCliAsync(['scan', demo, '--format', 'json']),
    runCliAsync(['scan', demo, '--format', 'json', '--lang', 'zh']),
  ]);
  const english = ok(en);
  assert.equal(english.split('\n')[0], 'Demo');
  assert.equal(field(english, 'App name'), 'Demo (zh-CN: 演示应用; zh-TW: Demo; zh-HK: Demo; en: Demo EN)');
  assert.equal(field(english, 'Package'), 'com.example.demo');
  assert.equal(field(english, 'Version'), '7.0-beta (7)');
  assert.match(english, /^ {2}android\.permission\.BLUETOOTH +normal +30\b/m);
  assert.match(english, /^ {2}com\.example\.demo\.PRIVATE +\?$/m, 'an unknown permission shows "?"');
  assert.match(english, /^Components \(2, 2 exported\)$/m);
  assert.match(english, /^ {2}receiver +com\.example\.demo\.Boot +yes \(implied-by-intent-filter\)/m);
  assert.match(english, /^Signatures: verified$/m);
  assert.doesNotMatch(english, /应用名称|权限|签名/, 'no Chinese headings in English output');

  const chinese = ok(zh);
  for (const heading of ['应用名称', '包名', '版本', '权限 (3)', '组件 (2, 2 已导出)', '代码', '签名: 已验证']) {
    assert.ok(chinese.includes(heading), `${heading} in:\n${chinese}`);
  }
  assert.equal(field(chinese, '应用名称'), 'Demo (zh-CN: 演示应用; zh-TW: Demo; zh-HK: Demo; en: Demo EN)');
  assert.equal(ok(zhEnv), chinese, 'APPRIGHTS_LANG=zh');
  assert.equal(ok(zhLocale), chinese, 'LC_ALL=zh_CN.UTF-8');

  const a = JSON.parse(ok(jsonEn)) as ScanJson;
  assert.equal(schemaErrors('scan-report', a), undefined);
  assert.deepEqual(JSON.parse(ok(jsonZh)), a);
  assert.deepEqual(a.app.labels, { default: 'Demo', 'zh-CN': '演示应用', 'zh-TW': 'Demo', 'zh-HK': 'Demo', en: 'Demo EN' });
  assert.equal(a.app.label, 'Demo');
  assert.equal(a.app.launcherActivity, 'com.example.demo.Main');
  assert.deepEqual(
    a.permissions.map((p) => [p.name, p.protectionLevel, p.maxSdkVersion]),
    [
      ['android.permission.CAMERA', 'dangerous|instant', null],
      ['android.permission.BLUETOOTH', 'normal', 30],
      ['com.example.demo.PRIVATE', null, null],
    ],
  );
  assert.deepEqual(a.signatures?.schemes, { v1: false, v2: true, v3: true, v31: false });
});

/** Unescaped `|` in a Markdown table row: the number of cells plus one. */
function pipes(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

test('Markdown: headings, well-formed tables, escaped cells', async () => {
  const md = ok(await runCliAsync(['scan', demo, '--format', 'md']));
  const lines = md.split('\n');
  assert.equal(lines[0], '# Demo');
  for (const h of [
    '## Permissions (3)',
    '## Components (2, 2 exported)',
    '## Code',
    '## Native libraries (0)',
    '## Signatures: verified',
  ]) {
    assert.ok(lines.includes(h), `${h} in:\n${md}`);
  }
  assert.equal(lines.filter((l) => l.startsWith('# ')).length, 1, 'one top-level heading');
  // Every table: a header row, a separator with as many columns, rows with as many cells.
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|(---\|)+$/.test(lines[i]!)) continue;
    tables++;
    const columns = pipes(lines[i]!);
    assert.equal(pipes(lines[i - 1]!), columns, `header of the table at line ${i}`);
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith('|'); j++) {
      assert.equal(pipes(lines[j]!), columns, `row ${j}: ${lines[j]}`);
    }
  }
  assert.ok(tables >= 5, `${tables} tables`);
  assert.ok(lines.includes('| name | protection | maxSdk | sdk23 |'));
  // "dangerous|instant" must not split its cell.
  assert.ok(lines.includes('| android.permission.CAMERA | dangerous\\|instant |  |  |'), md);
  assert.ok(lines.includes('| Package | com.example.demo |'));
});

test('-o FILE writes the report there and nothing to stdout', async () => {
  const textFile = join(dir, 'report.txt');
  const jsonFile = join(dir, 'report.json');
  const mdFile = join(dir, 'report.md');
  const [text, toText, toJson, toMd] = await Promise.all([
    runCliAsync(['scan', demo]),
    runCliAsync(['scan', demo, '-o', textFile]),
    runCliAsync(['scan', demo, '--format=json', `--output=${jsonFile}`]),
    runCliAsync(['scan', '-f', 'md', '--output', mdFile, demo]),
  ]);
  for (const [r, file] of [
    [toText, textFile],
    [toJson, jsonFile],
    [toMd, mdFile],
  ] as const) {
    assert.equal(r.status, 0, describeRun(r));
    assert.equal(r.stdout, '', 'stdout stays empty');
    // What was written where, and how big: on stderr, terminal or not.
    const kib = readFileSync(file).length / 1024;
    const size = /\((\d+(?:\.\d)?) KiB\)\n$/.exec(r.stderr);
    assert.ok(r.stderr.startsWith(`apprights: report written to ${file} (`) && size, r.stderr);
    assert.ok(Math.abs(Number(size[1]) - kib) <= 0.5, `${size[1]} KiB for ${kib}`);
  }
  // The file holds the report without the terminal's closing hint (it is the report the hint points to).
  assert.equal(readFileSync(textFile, 'utf8'), ok(text).replace(/\n\nFull report: .*\n$/, '\n'));
  const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as ScanJson;
  assert.equal(schemaErrors('scan-report', json), undefined);
  assert.equal(json.app.package, 'com.example.demo');
  assert.match(readFileSync(mdFile, 'utf8'), /^# Demo\n/);
});

test('-o into a folder that does not exist is a user error, not an internal one', async () => {
  const r = await runCliAsync(['scan', demo, '-o', join(dir, 'no-such-dir', 'r.txt')]);
  assert.equal(r.status, 4, describeRun(r));
  assert.match(r.stderr, /no-such-dir/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test('ZIP entry names that escape (../, absolute) are a finding the --fail-on gate sees, not only an archive note', async () => {
  const slip = writeTemp(
    dir,
    'slip.apk',
    buildApk({
      package: 'com.example.slip',
      extraEntries: [
        { name: '../../data/data/com.example.slip/evil.so', data: 'x' },
        { name: '/sdcard/evil.txt', data: 'y' },
      ],
    }),
  );
  const [json, gated, text] = await Promise.all([
    runCliAsync(['scan', slip, '--no-config', '--format', 'json']),
    runCliAsync(['scan', slip, '--no-config', '--format', 'json', '--fail-on', 'high']),
    runCliAsync(['scan', slip, '--no-config']),
  ]);
  assert.equal(json.status, 0, describeRun(json));
  const report = JSON.parse(json.stdout) as ScanJson & { findings: { ruleId: string; severity: string; data?: { count: number } }[] };
  assert.equal(schemaErrors('scan-report', report), undefined);
  const finding = report.findings.find((f) => f.ruleId === 'unsafe-entry-names');
  assert.ok(finding, 'a finding for the escaping names');
  assert.equal(finding.severity, 'high');
  assert.equal(finding.data?.count, 2);
  assert.equal(gated.status, 1, 'the gate fails on it');
  assert.match(text.stdout, /^ {2}unsafe-entry-names \(measures 14\)$/m);
});

test(
  'a bare .dex file is scanned as a DEX, not refused as "not a ZIP"',
  { skip: existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed' },
  async () => {
    const archive = ZipArchive.open(realApks.apiDemos);
    const bytes = archive.read('classes.dex');
    archive.close();
    const file = writeTemp(dir, 'classes.dex', bytes);
    const [json, text] = await Promise.all([
      runCliAsync(['scan', file, '--no-config', '--format', 'json']),
      runCliAsync(['scan', file, '--no-config']),
    ]);
    assert.equal(json.status, 0, describeRun(json));
    const report = JSON.parse(json.stdout) as ScanJson & { file: { size: number }; dex: { files: number; classes: number } };
    assert.equal(schemaErrors('scan-report', report), undefined);
    assert.equal(report.file.kind, 'dex');
    assert.equal(report.file.size, bytes.byteLength);
    assert.equal(report.file.sha256, createHash('sha256').update(bytes).digest('hex'), "the file's own hash");
    assert.equal(report.dex.files, 1);
    assert.ok(report.dex.classes > 1000, `${report.dex.classes} classes`);
    assert.equal(text.status, 0, describeRun(text));
    assert.match(text.stdout, /^ {2}Kind +DEX$/m);
    assert.doesNotMatch(text.stderr, /ZIP/);
  },
);

test(
  'ApiDemos: the summary fits one screen before the findings, low findings are counted by rule, the last line says where the rest is',
  { skip: existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed' },
  async () => {
    const [summary, verbose] = await Promise.all([
      runCliAsync(['scan', realApks.apiDemos, '--no-config']),
      runCliAsync(['scan', realApks.apiDemos, '--no-config', '--verbose']),
    ]);
    const lines = ok(summary).trimEnd().split('\n');
    const findingsAt = lines.findIndex((l) => /^Findings \(\d+\)$/.test(l));
    assert.ok(findingsAt > 0 && findingsAt <= 40, `${findingsAt} lines before the findings`);
    assert.match(
      lines.find((l) => l.startsWith('Verdict: ')) ?? '',
      /^Verdict: \d+ findings \(high 2, medium \d+, low \d+, info \d+\) · measures: /,
    );
    // 331 exported activities are one line, with their count; --verbose lists each.
    assert.match(ok(summary), /^ {2}exported-components +331 +Exported components without a permission/m);
    assert.ok(lines.length < 80, `${lines.length} lines in all`);
    assert.match(lines.at(-1)!, /^Full report: add --format html -o report\.html/);
    const all = ok(verbose);
    assert.ok(all.split('\n').filter((l) => /^ {2}exported-components \(measures/.test(l)).length >= 331);
    assert.match(all, /^Components \(355, 336 exported\)$/m, 'the facts too');
  },
);

test('colour: on a terminal (FORCE_COLOR stands in for one), never with NO_COLOR, --no-color, -o or a pipe', async () => {
  const [forced, noColor, flag, piped] = await Promise.all([
    runCliAsync(['scan', demo], { env: { FORCE_COLOR: '1' } }),
    runCliAsync(['scan', demo], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }),
    runCliAsync(['scan', demo, '--no-color'], { env: { FORCE_COLOR: '1' } }),
    runCliAsync(['scan', demo]),
  ]);
  const esc = String.fromCharCode(27);
  assert.ok(ok(forced).includes(`${esc}[`), 'coloured');
  for (const r of [noColor, flag, piped]) assert.ok(!ok(r).includes(esc), describeRun(r));
  // Colour changes nothing but the escapes.
  assert.equal(ok(forced).replace(new RegExp(`${esc}\\[\\d+m`, 'g'), ''), ok(piped));
});
