/**
 * `apprights diff OLD NEW`: two versions read from APKs or scan reports, the changes a store patrol
 * looks for, exit codes for the gate, and the JSON schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { buildApk, type ApkSpec, generateTestKey, sampleDexSpec, realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, repoRoot, runCliAsync, tempDir, writeTemp, type CliResult } from './helpers.js';

interface DiffJson {
  schemaVersion: string;
  old: { file: string; sha256: string; package: string | null; versionCode: number | null };
  new: { file: string; sha256: string; package: string | null; versionCode: number | null };
  changes: {
    kind: string;
    severity: string;
    gating: boolean;
    subject: string;
    message: { zh: string; en: string };
    before?: unknown;
    after?: unknown;
  }[];
  summary: { bySeverity: Record<string, number>; gating: boolean };
}

let validator: ValidateFunction | undefined;

function parse(r: CliResult): DiffJson {
  validator ??= new Ajv2020({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(join(repoRoot, 'packages/engine/schemas/diff-report.schema.json'), 'utf8')) as object,
  );
  const data = JSON.parse(r.stdout) as DiffJson;
  const ok = validator(data);
  assert.ok(ok, (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('\n'));
  return data;
}

function change(diff: DiffJson, kind: string, subject?: string): DiffJson['changes'][number] {
  const found = diff.changes.find((c) => c.kind === kind && (subject === undefined || c.subject === subject));
  assert.ok(
    found,
    `a ${kind} change${subject ? ` for ${subject}` : ''} in ${JSON.stringify(diff.changes.map((c) => [c.kind, c.subject]))}`,
  );
  return found;
}

const dir = tempDir();
const skipReal = [realApks.apiDemos, realApks.settings].every(existsSync)
  ? false
  : 'skipped: the real APKs (npm devDependencies) are not installed';

test('two different real apps: package and signer changed, gating, exit 1; JSON follows the schema', { skip: skipReal }, async () => {
  const [text, json] = await Promise.all([
    runCliAsync(['diff', realApks.apiDemos, realApks.settings]),
    runCliAsync(['diff', realApks.apiDemos, realApks.settings, '--format', 'json']),
  ]);
  assert.equal(text.status, 1, describeRun(text));
  assert.equal(json.status, 1, describeRun(json));
  assert.equal(text.stderr, '');
  assert.match(text.stdout, /^ {2}io\.appium\.android\.apis 5\.0\.0 \(25\) → io\.appium\.settings /m);
  assert.match(text.stdout, /^High \(\d+\)$/m);
  assert.match(text.stdout, /^ {2}\[gating\] The package name changed from io\.appium\.android\.apis to io\.appium\.settings/m);

  const diff = parse(json);
  assert.equal(diff.old.package, 'io.appium.android.apis');
  assert.equal(diff.new.package, 'io.appium.settings');
  const pkg = change(diff, 'package-changed');
  assert.deepEqual([pkg.severity, pkg.gating, pkg.before, pkg.after], ['high', true, 'io.appium.android.apis', 'io.appium.settings']);
  const signer = change(diff, 'signer-changed');
  assert.deepEqual([signer.severity, signer.gating], ['high', true]);
  assert.ok((signer.before as string[])[0]!.startsWith('18e8534fed30cbf9'), 'the ApiDemos debug certificate');
  assert.equal(diff.summary.gating, true);
  assert.equal(diff.changes[0]!.severity, 'high');
  const order = ['high', 'medium', 'low', 'info'];
  const ranks = diff.changes.map((c) => order.indexOf(c.severity));
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
    'most severe first',
  );
  assert.equal(
    Object.values(diff.summary.bySeverity).reduce((a, b) => a + b, 0),
    diff.changes.length,
  );
  // The gate can be relaxed, not the report.
  const none = await runCliAsync(['diff', realApks.apiDemos, realApks.settings, '--fail-on', 'none', '--format', 'json']);
  assert.equal(none.status, 0, describeRun(none));
  assert.equal(parse(none).changes.length, diff.changes.length);
});

test('an APK against itself, and a scan report against the APK it came from: no changes, exit 0', { skip: skipReal }, async () => {
  const self = await runCliAsync(['diff', realApks.apiDemos, realApks.apiDemos]);
  assert.equal(self.status, 0, describeRun(self));
  assert.match(self.stdout, /^No changes between the two versions\.$/m);

  const scan = await runCliAsync(['scan', realApks.settings, '--format', 'json', '-o', join(dir, 'settings.json')]);
  assert.equal(scan.status, 0, describeRun(scan));
  // Recognised by its content too: a report saved without the .json extension.
  writeTemp(dir, 'settings.report', readFileSync(join(dir, 'settings.json')));
  for (const report of [join(dir, 'settings.json'), join(dir, 'settings.report')]) {
    for (const args of [
      [report, realApks.settings],
      [realApks.settings, report],
    ]) {
      const r = await runCliAsync(['diff', ...args, '--format', 'json', '--fail-on', 'info']);
      assert.equal(r.status, 0, describeRun(r));
      const diff = parse(r);
      assert.deepEqual(diff.changes, []);
      assert.equal(diff.old.sha256, diff.new.sha256);
    }
  }
});

// A synthetic app in two versions signed with one key, so everything but the signer can change.
const demo = (patch: Partial<ApkSpec> = {}): Uint8Array =>
  buildApk({
    package: 'com.example.demo',
    versionCode: 1,
    versionName: '1.0',
    minSdk: 24,
    targetSdk: 33,
    permissions: ['android.permission.INTERNET'],
    components: [
      {
        type: 'activity',
        name: 'com.example.demo.Main',
        exported: true,
        actions: ['android.intent.action.MAIN'],
        categories: ['android.intent.category.LAUNCHER'],
      },
    ],
    sign: ['v2'],
    ...patch,
  });
const hotUpdate = {
  type: 'Lcom/example/demo/Patcher;',
  directMethods: [
    {
      name: 'load',
      proto: '(Ljava/lang/String;)V',
      access: 0x9,
      code: {
        insns: [
          { op: 'new-instance' as const, reg: 0, type: 'Ldalvik/system/DexClassLoader;' },
          {
            op: 'invoke-direct' as const,
            method:
              'Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V',
            args: [0, 1, 1, 1, 1],
          },
          { op: 'return-void' as const },
        ],
      },
    },
  ],
};
const v1 = writeTemp(dir, 'demo-1.apk', demo());
const v2Spec: Partial<ApkSpec> = {
  versionCode: 2,
  versionName: '2.0',
  targetSdk: 28,
  permissions: ['android.permission.INTERNET', 'android.permission.READ_CONTACTS'],
  components: [
    {
      type: 'activity',
      name: 'com.example.demo.Main',
      exported: true,
      actions: ['android.intent.action.MAIN'],
      categories: ['android.intent.category.LAUNCHER'],
    },
    { type: 'receiver', name: 'com.example.demo.Boot', exported: true, actions: ['android.intent.action.BOOT_COMPLETED'] },
  ],
  dex: [{ ...sampleDexSpec(), classes: [...sampleDexSpec().classes, hotUpdate] }],
};
const v2 = writeTemp(dir, 'demo-2.apk', demo(v2Spec));

test('an update of one app: each silent change is reported with its severity, and the gate trips', async () => {
  const r = await runCliAsync(['diff', v1, v2, '--format', 'json']);
  assert.equal(r.status, 1, describeRun(r));
  const diff = parse(r);
  assert.deepEqual([diff.old.versionCode, diff.new.versionCode], [1, 2]);
  const expected: [string, string, string, boolean][] = [
    ['target-sdk-lowered', 'targetSdk', 'high', true],
    ['permission-added', 'android.permission.READ_CONTACTS', 'high', true],
    ['dynamic-code-added', 'dexClassLoader.init', 'high', true],
    ['self-start-added', 'com.example.demo.Boot', 'medium', true],
  ];
  for (const [kind, subject, severity, gating] of expected) {
    const c = change(diff, kind, subject);
    assert.deepEqual([c.severity, c.gating], [severity, gating], kind);
  }
  for (const kind of ['package-changed', 'signer-changed', 'version-not-increased', 'component-added']) {
    assert.ok(!diff.changes.some((c) => c.kind === kind), `no ${kind}: ${JSON.stringify(diff.changes.find((c) => c.kind === kind))}`);
  }

  // The reverse direction is a downgrade of the same app: nothing new to gate on, but the version went back.
  const back = await runCliAsync(['diff', v2, v1, '--format', 'json']);
  const reverse = parse(back);
  assert.equal(back.status, 0, describeRun(back));
  assert.equal(change(reverse, 'version-not-increased').severity, 'medium');
  assert.equal(change(reverse, 'permission-removed', 'android.permission.READ_CONTACTS').severity, 'info');
  assert.equal(reverse.summary.gating, false);
  const strict = await runCliAsync(['diff', v2, v1, '--fail-on', 'medium']);
  assert.equal(strict.status, 1, describeRun(strict));
});

test('the same app re-signed with another key: signer-changed, high, gating', async () => {
  const resigned = writeTemp(dir, 'demo-1-resigned.apk', demo({ versionCode: 2, keys: [generateTestKey('rsa', 'Someone else')] }));
  const r = await runCliAsync(['diff', v1, resigned, '--format', 'json']);
  assert.equal(r.status, 1, describeRun(r));
  // Findings are left out: whether a rule keys anything on the certificate is the rules' business.
  const facts = parse(r).changes.filter((c) => !c.kind.startsWith('finding-'));
  assert.deepEqual(
    facts.map((c) => [c.kind, c.severity, c.gating]),
    [['signer-changed', 'high', true]],
  );
  const unsigned = writeTemp(dir, 'demo-1-unsigned.apk', demo({ versionCode: 2, sign: false }));
  const u = await runCliAsync(['diff', v1, unsigned, '--format', 'json']);
  const lost = parse(u);
  assert.deepEqual(
    lost.changes.filter((c) => c.kind === 'signer-changed').map((c) => [c.severity, c.gating]),
    [['medium', false]],
    'a lost signature alone does not gate (the signature rules judge the unsigned APK itself)',
  );
  assert.equal(u.status, lost.summary.gating ? 1 : 0, describeRun(u));
});

test('text in Chinese, Markdown, and -o FILE', async () => {
  const zh = await runCliAsync(['diff', v1, v2, '--lang', 'zh']);
  assert.equal(zh.status, 1, describeRun(zh));
  assert.match(zh.stdout, /^AppRights 版本对比$/m);
  assert.match(zh.stdout, /^高 \(\d+\)$/m);
  assert.match(zh.stdout, /\[需拦截\] 目标 SDK 版本（targetSdkVersion）由 33 降为 28/);
  assert.match(zh.stdout, /^ {6}之前: 33$/m);

  const out = join(dir, 'diff.md');
  const md = await runCliAsync(['diff', v1, v2, '--format', 'md', '-o', out]);
  assert.equal(md.status, 1, describeRun(md));
  assert.equal(md.stdout, '');
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^# AppRights version diff$/m);
  assert.match(text, /^\| Package \| com\.example\.demo \| com\.example\.demo \|$/m);
  assert.match(text, /^## High \(3\)$/m);
  assert.match(text, /^- \*\*gating\*\* `target-sdk-lowered` .* \(33 → 28\)$/m);
});

test('unreadable inputs: exit 3 with a message naming the file, no stack trace', async () => {
  const corrupt = writeTemp(dir, 'corrupt.json', '{"schemaVersion": "1.2.0", "file": ');
  const future = writeTemp(dir, 'future.json', JSON.stringify({ schemaVersion: '2.0.0' }));
  const other = writeTemp(dir, 'other.json', JSON.stringify({ schemaVersion: '1.0.0', changes: [] }));
  const notApk = writeTemp(dir, 'not-an-apk.apk', 'hello');
  const cases: [string[], RegExp][] = [
    [[corrupt, v1], /corrupt\.json: not valid JSON/],
    [[v1, corrupt], /corrupt\.json: not valid JSON/],
    [[future, v1], /future\.json: scan report schema version 2\.0\.0 is not supported/],
    [[other, v1], /other\.json: not an AppRights scan report \(missing file, app, permissions, components\)/],
    [[v1, notApk], /not-an-apk\.apk: /],
    [[v1, join(dir, 'missing.apk')], /cannot read .*missing\.apk: ENOENT/],
  ];
  for (const [args, message] of cases) {
    const r = await runCliAsync(['diff', ...args]);
    assert.equal(r.status, 3, describeRun(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^apprights: error: /);
    assert.match(r.stderr, message);
    assertNoStack(r.stderr);
  }
  const zh = await runCliAsync(['diff', corrupt, v1, '--lang', 'zh']);
  assert.match(zh.stderr, /^apprights: 错误: .*corrupt\.json：不是有效的 JSON/);
});

test('a stored report is checked before it is trusted: a damaged current report names the wrong place, an older one is refused', async () => {
  const scanned = await runCliAsync(['scan', v1, '--format', 'json', '--no-config']);
  assert.equal(scanned.status, 0, describeRun(scanned));
  const good = JSON.parse(scanned.stdout) as Record<string, unknown>;
  const damaged = writeTemp(dir, 'damaged.json', JSON.stringify({ ...good, sdks: [{ id: 5 }] }));
  const r = await runCliAsync(['diff', damaged, v1]);
  assert.equal(r.status, 3, describeRun(r));
  assert.match(r.stderr, /damaged\.json: not a valid AppRights scan report 1\.7\.0: \/sdks\/0 /);
  assertNoStack(r.stderr);
  // A 1.1 report predates the sections the schema now requires; a broken one still ends as bad input.
  const older = writeTemp(dir, 'older.json', JSON.stringify({ ...good, schemaVersion: '1.1.0', sdks: [{ id: 5 }] }));
  const o = await runCliAsync(['diff', v1, older]);
  assert.equal(o.status, 3, describeRun(o));
  assert.match(o.stderr, /a stored report is malformed/);
  assertNoStack(o.stderr);
});

test('usage: a missing argument or an unknown --fail-on level is exit 2', async () => {
  for (const args of [
    ['diff', v1],
    ['diff', v1, v2, '--fail-on', 'severe'],
    ['diff', v1, v2, '--format', 'sarif'],
  ]) {
    const r = await runCliAsync(args);
    assert.equal(r.status, 2, describeRun(r));
  }
  const help = await runCliAsync(['diff', '--help']);
  assert.equal(help.status, 0, describeRun(help));
  assert.match(help.stdout, /--fail-on <level>/);
  assert.match(help.stdout, /schemas\/diff-report\.schema\.json/);
});
