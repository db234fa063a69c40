/**
 * `apprights trace FILE [--ui DIR]` and `scan --trace FILE --ui DIR`: the trace report against its
 * schema with the summary counted from the trace written here, every format, bad traces (exit 3,
 * naming the line), the 1.5.0 scan report with the trace, and static findings linked to what the
 * trace saw run. The runtime and UI rules are still growing: assertions about their findings are made
 * only for rule ids `rules list` knows, and about the report's structure otherwise.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScanReport, TraceReport } from '@apprights/rules';
import { realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, runCliAsync, sarifValidator, schemaErrors, tempDir, writeTemp, type CliResult } from './helpers.js';

const UMENG_STACK = [
  'android.telephony.TelephonyManager.getDeviceId(TelephonyManager.java:1)',
  'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
  'com.example.app.App.onCreate(App.java:10)',
];

/** Line numbers matter: the assertions below name them. */
const EVENTS: object[] = [
  /* 1 */ {
    kind: 'trace',
    t: 0,
    version: '1.0.0',
    package: 'com.example.app',
    versionName: '1.0',
    versionCode: 1,
    recorder: 'test',
    device: { model: 'Pixel', sdkInt: 33 },
  },
  /* 2 */ { kind: 'lifecycle', t: 10, action: 'process-start', cause: 'launcher' },
  /* 3 */ {
    kind: 'api',
    t: 120,
    api: 'telephony.getDeviceId',
    class: 'android.telephony.TelephonyManager',
    method: 'getDeviceId',
    pi: 'device-id',
    stack: UMENG_STACK,
  },
  /* 4 */ { kind: 'network', t: 300, host: 'alog.umeng.com', sdk: 'umeng-analytics' },
  /* 5 */ {
    kind: 'permission-request',
    t: 400,
    permissions: ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.READ_PHONE_STATE'],
    answers: ['denied', 'granted'],
    purposeShown: false,
  },
  /* 6 */ { kind: 'ui', t: 500, id: 'splash-1', file: 'splash-1.xml', role: 'splash' },
  /* 7 */ { kind: 'consent', t: 2000, action: 'shown', detectedBy: 'ui' },
  /* 8 */ { kind: 'consent', t: 5200, action: 'agreed', detectedBy: 'user' },
  /* 9 */ {
    kind: 'api',
    t: 6000,
    api: 'telephony.getDeviceId',
    class: 'android.telephony.TelephonyManager',
    method: 'getDeviceId',
    stack: UMENG_STACK,
  },
];

/** A splash screen whose skip button is 30 × 20 px on a 1080 × 2340 screen. */
const SPLASH_XML = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2340]"><node index="0" text="跳过" resource-id="com.example.app:id/tv_skip" class="android.widget.TextView" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[1040,60][1070,80]" /></node></hierarchy>
`;

const MAIN_JSON = JSON.stringify({
  class: 'android.widget.FrameLayout',
  packageName: 'com.example.app',
  bounds: [0, 0, 1080, 2340],
  children: [],
});

const dir = tempDir();
const uiDir = join(dir, 'ui');
mkdirSync(uiDir);
writeTemp(uiDir, 'splash-1.xml', SPLASH_XML);
writeTemp(uiDir, 'main.json', MAIN_JSON);
const traceFile = writeTemp(dir, 'run.jsonl', EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
const bin = ['--no-config', '--no-progress'];

/** Rule ids of this build: findings are asserted only for rules that exist. */
let ruleIds = new Set<string>();
before(async () => {
  const r = await runCliAsync(['rules', 'list', '--format', 'json']);
  assert.equal(r.status, 0, describeRun(r));
  ruleIds = new Set((JSON.parse(r.stdout) as { id: string }[]).map((rule) => rule.id));
});

function parseTrace(r: CliResult): TraceReport {
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  const report = JSON.parse(r.stdout) as TraceReport;
  assert.equal(schemaErrors('trace-report', report), undefined);
  return report;
}

test('trace --format json: valid against the schema, the summary counted from the trace', async () => {
  const report = parseTrace(await runCliAsync(['trace', traceFile, '--ui', uiDir, '--format', 'json', ...bin]));
  assert.equal(report.reportVersion, '1.1.0');
  assert.equal(report.context.measuresVersion, 2, 'the measure catalogue version');
  assert.ok(Math.abs(Date.parse(report.generatedAt) - Date.now()) < 10 * 60_000);
  const s = report.trace;
  assert.equal(s.source, traceFile);
  assert.deepEqual([s.format, s.package, s.versionName, s.versionCode, s.recorder], ['1.0.0', 'com.example.app', '1.0', 1, 'test']);
  assert.equal(s.device?.model, 'Pixel');
  assert.equal(s.durationMs, 6000);
  assert.equal(s.events, EVENTS.length - 1, 'the header is not an event of the app');
  assert.deepEqual(s.eventsByKind, { lifecycle: 1, api: 2, network: 1, 'permission-request': 1, ui: 1, consent: 2 });
  assert.deepEqual(s.consent, { shown: [2000], agreed: [5200], refused: [], withdrawn: [] });
  assert.deepEqual(s.permissionRequests, [
    {
      line: 5,
      time: 400,
      permissions: ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.READ_PHONE_STATE'],
      answers: ['denied', 'granted'],
      purposeShown: false,
      beforeConsent: true,
    },
  ]);
  assert.equal(s.apiCallsBeforeConsent, 1);
  assert.equal(s.snapshots, 2);
  assert.deepEqual(s.problems, []);
  assert.ok(report.ui);
  assert.equal(report.ui.source, uiDir);
  assert.deepEqual(
    report.ui.snapshots.map((x) => [x.id, x.file, x.time, x.line, x.role]),
    [
      ['splash-1', 'splash-1.xml', 500, 6, 'splash'],
      ['main.json', 'main.json', null, null, null],
    ],
  );
  assert.deepEqual(report.context.evidence.sort(), ['trace', 'ui']);
  assert.equal(report.coverage.length, 26);
  for (const rule of report.rules) if (rule.status === 'skipped') assert.ok((rule.missing ?? []).length > 0, rule.id);
  assert.ok(
    report.rules.filter((r) => r.status === 'skipped').every((r) => !r.missing!.includes('trace') && !r.missing!.includes('ui')),
    'no rule waits for a trace or UI snapshots',
  );
  const severities = report.findings.filter((f) => !f.suppressed).map((f) => f.severity);
  for (const level of ['high', 'medium', 'low', 'info'] as const)
    assert.equal(report.summary.findings[level], severities.filter((x) => x === level).length);
  // Every trace reference names a line of this trace.
  for (const f of report.findings)
    for (const ref of f.evidence)
      if (ref.kind === 'trace') assert.ok(ref.event >= 1 && ref.event <= EVENTS.length, `${f.ruleId} line ${ref.event}`);

  if (ruleIds.has('runtime-pi-before-consent')) {
    const before = report.findings.filter((f) => f.ruleId === 'runtime-pi-before-consent');
    assert.ok(before.length > 0, 'the umeng call before consent is found');
    assert.ok(
      before.some((f) => f.evidence.some((ref) => ref.kind === 'trace' && ref.event === 3)),
      'and points at line 3',
    );
    assert.ok(!before.some((f) => f.evidence.some((ref) => ref.kind === 'trace' && ref.event === 9)), 'the call after consent is not');
  }
  if (ruleIds.has('ui-splash-close-control')) {
    const splash = report.findings.filter((f) => f.ruleId === 'ui-splash-close-control');
    assert.ok(
      splash.some((f) => f.evidence.some((ref) => ref.kind === 'ui' && ref.snapshot === 'splash-1')),
      'the 30 × 20 px skip button is found in snapshot splash-1',
    );
  }
});

test('trace: text (en, zh), Markdown, HTML and SARIF all render; SARIF points at trace lines', async () => {
  const out = join(dir, 'trace.html');
  const args = [traceFile, '--ui', uiDir, ...bin];
  const [text, zh, md, html, sarif] = await Promise.all([
    runCliAsync(['trace', ...args]),
    runCliAsync(['trace', ...args, '--lang', 'zh']),
    runCliAsync(['trace', ...args, '--format', 'md']),
    runCliAsync(['trace', ...args, '--format', 'html', '-o', out]),
    runCliAsync(['trace', ...args, '--format', 'sarif']),
  ]);
  for (const r of [text, zh, md, html, sarif]) {
    assert.ok(r.status === 0 || r.status === 1, describeRun(r));
    // Only -o says anything on stderr: what it wrote, with the size.
    assert.equal(r.stderr, r === html ? `apprights: report written to ${out} (${formatKiB(out)})\n` : '');
  }
  assert.match(text.stdout, /^Runtime trace: com\.example\.app\n/);
  assert.match(text.stdout, /^ {2}Consent +shown @ 2 s; agreed @ 5\.2 s$/m);
  assert.match(text.stdout, /^ {2}Events +8 \(/m);
  assert.match(text.stdout, /^Permission requests \(1\)/m);
  assert.match(text.stdout, /^UI snapshots \(2\)/m);
  assert.match(text.stdout, /^Measures of the 2023 notice \(26\)$/m);
  assert.match(zh.stdout, /^运行时行为记录: com\.example\.app\n/);
  assert.match(zh.stdout, /^ {2}隐私政策同意 +弹出 @ 2 s; 同意 @ 5\.2 s$/m);
  assert.match(md.stdout, /^# Runtime trace: com\.example\.app$/m);
  assert.match(md.stdout, /^## Findings by measure$/m);
  assert.doesNotMatch(md.stdout, /Third-party SDKs to disclose/, 'no package, so no SDK list');

  assert.equal(html.stdout, '');
  const page = readFileSync(out, 'utf8');
  assert.match(page, /^<!doctype html>/);
  for (const id of ['trace', 'summary', 'findings', 'coverage']) assert.match(page, new RegExp(`<section id="${id}"`), id);
  assert.match(page, /<tr data-snapshot="splash-1">/);
  assert.match(page, /<tr data-line="5">/);

  const log = JSON.parse(sarif.stdout) as {
    runs: {
      artifacts: { location: { uri: string }; mimeType: string }[];
      results: { locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine?: number } } }[] }[];
    }[];
  };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  const run = log.runs[0]!;
  assert.deepEqual(run.artifacts[0]!.location, { uri: pathToFileURL(traceFile).href });
  const traceLines = run.results.flatMap((r) =>
    r.locations
      .filter((l) => l.physicalLocation?.artifactLocation.uri === pathToFileURL(traceFile).href)
      .map((l) => l.physicalLocation!.region?.startLine),
  );
  for (const line of traceLines) assert.ok(line !== undefined && line >= 1 && line <= EVENTS.length, `startLine ${line}`);
  if (ruleIds.has('runtime-pi-before-consent')) assert.ok(traceLines.includes(3), 'a result at trace line 3');
  if (ruleIds.has('ui-splash-close-control')) {
    const splashUri = pathToFileURL(join(uiDir, 'splash-1.xml')).href;
    assert.ok(
      run.results.some((r) => r.locations.some((l) => l.physicalLocation?.artifactLocation.uri === splashUri)),
      'the tiny skip button is located in its snapshot file',
    );
  }
});

test('trace: evidence refs of kind trace and ui read as places, in every format', async () => {
  const r = await runCliAsync(['trace', traceFile, '--ui', uiDir, '--format', 'md', ...bin]);
  const report = parseTrace(await runCliAsync(['trace', traceFile, '--ui', uiDir, '--format', 'json', ...bin]));
  if (report.findings.some((f) => f.evidence.some((e) => e.kind === 'trace'))) assert.match(r.stdout, /trace line \d+ @ \d+(\.\d+)? s/);
  if (report.findings.some((f) => f.evidence.some((e) => e.kind === 'ui'))) assert.match(r.stdout, /UI snapshot [\w.-]+/);
});

test('trace: a broken line stops the run (exit 3) naming the line; --keep-going lists it and goes on', async () => {
  const lines = EVENTS.map((e) => JSON.stringify(e));
  lines.splice(3, 0, '{"kind": "api", "t": 130, "class": ');
  const broken = writeTemp(dir, 'broken.jsonl', lines.join('\n'));
  const empty = writeTemp(dir, 'empty.jsonl', '\n\n');
  const [en, zh, keep, missing, none, noUi] = await Promise.all([
    runCliAsync(['trace', broken, ...bin]),
    runCliAsync(['trace', broken, '--lang', 'zh', ...bin]),
    runCliAsync(['trace', broken, '--keep-going', '--format', 'json', ...bin]),
    runCliAsync(['trace', join(dir, 'missing.jsonl'), ...bin]),
    runCliAsync(['trace', empty, ...bin]),
    runCliAsync(['trace', traceFile, '--ui', join(dir, 'no-such-folder'), ...bin]),
  ]);
  for (const r of [en, zh, missing, none, noUi]) {
    assert.equal(r.status, 3, describeRun(r));
    assert.equal(r.stdout, '');
    assertNoStack(r.stderr);
  }
  assert.match(en.stderr, /^apprights: error: .*broken\.jsonl: line 4\b.*--keep-going/);
  assert.match(zh.stderr, /^apprights: 错误: .*broken\.jsonl：.*4.*--keep-going/);
  assert.match(missing.stderr, /missing\.jsonl/);
  assert.match(none.stderr, /empty\.jsonl: not a runtime trace/);
  assert.match(noUi.stderr, /no-such-folder/);
  const report = parseTrace(keep);
  // The broken line, and the snapshot the trace names that is not beside it (listed, as --keep-going promises).
  assert.equal(report.trace.problems.length, 2, JSON.stringify(report.trace.problems));
  assert.equal(report.trace.problems[0]!.line, 4);
  assert.match(JSON.stringify(report.trace.problems[1]), /splash-1/);
  assert.equal(report.trace.events, EVENTS.length - 1);
});

test('scan --ui without --trace is a usage error (exit 2)', async () => {
  const r = await runCliAsync(['scan', 'x.apk', '--ui', uiDir, ...bin]);
  assert.equal(r.status, 2, describeRun(r));
  assert.match(r.stderr, /--ui needs --trace/);
});

const skipApiDemos = existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed';

/** ApiDemos's own code and AndroidX, as a trace would show them running. */
const APIDEMOS_EVENTS: object[] = [
  /* 1 */ { kind: 'trace', t: 0, version: '1.0.0', package: 'io.appium.android.apis', recorder: 'test' },
  /* 2 */ { kind: 'lifecycle', t: 5, action: 'process-start', cause: 'launcher' },
  /* 3 */ {
    kind: 'api',
    t: 200,
    api: 'telephony.getImei',
    class: 'android.telephony.TelephonyManager',
    method: 'getImei',
    stack: [
      'android.telephony.TelephonyManager.getImei(TelephonyManager.java:1)',
      'androidx.core.telephony.TelephonyManagerCompat$Api26Impl.getImei(TelephonyManagerCompat.java:1)',
      'io.appium.android.apis.ApiDemos.onCreate(ApiDemos.java:1)',
    ],
  },
  /* 4 */ { kind: 'ui', t: 300, id: 'splash-1', role: 'splash' },
  /* 5 */ { kind: 'consent', t: 1000, action: 'agreed', detectedBy: 'user' },
];

test('scan APK --trace --ui: a 1.5.0 report that validates; static findings linked to the trace', { skip: skipApiDemos }, async () => {
  const trace = writeTemp(dir, 'apidemos.jsonl', APIDEMOS_EVENTS.map((e) => JSON.stringify(e)).join('\n'));
  const args = ['scan', realApks.apiDemos, '--trace', trace, '--ui', uiDir, ...bin];
  const [json, text, md, html, sarif] = await Promise.all(
    ['json', 'text', 'md', 'html', 'sarif'].map((format) => runCliAsync([...args, '--format', format])),
  );
  for (const r of [json, text, md, html, sarif]) assert.ok(r!.status === 0 || r!.status === 1, describeRun(r!));
  const report = JSON.parse(json!.stdout) as ScanReport;
  assert.equal(schemaErrors('scan-report', report), undefined);
  assert.equal(report.schemaVersion, '1.7.0');
  assert.ok(report.trace && report.ui);
  assert.equal(report.trace.source, trace);
  assert.equal(report.trace.events, 4);
  assert.deepEqual(report.ui.snapshots.map((s) => s.id).sort(), ['main.json', 'splash-1']);
  assert.deepEqual(report.context.evidence.sort(), ['apk', 'trace', 'ui']);

  // The IMEI read through AndroidX ran (line 3); other static findings about code did not.
  const linked = report.findings.filter((f) => f.runtime);
  assert.ok(linked.length > 0, 'static findings about code are linked');
  const imei = report.findings.find((f) =>
    f.evidence.some((e) => e.kind === 'code' && e.class === 'androidx.core.telephony.TelephonyManagerCompat$Api26Impl'),
  );
  if (imei) assert.deepEqual(imei.runtime, { status: 'active', events: [3] });
  assert.ok(
    linked.some((f) => f.runtime!.status === 'not-observed'),
    'code present but not seen running',
  );
  for (const f of report.findings.filter((x) => !x.runtime))
    assert.ok(!f.evidence.some((e) => e.kind === 'code' || e.kind === 'sdk'), `${f.ruleId} names code but is not linked`);

  // The terminal lists the first 100 findings, most severe first; Markdown and HTML list them all.
  assert.match(text!.stdout, /\[(active in trace: lines [\d, ]+|not seen in trace)\]/);
  assert.match(html!.stdout, /data-runtime="not-observed"/);
  if (imei) {
    assert.match(md!.stdout, /_\[active in trace: lines 3\]_/);
    assert.match(html!.stdout, /data-runtime="active"/);
  }
  assert.match(text!.stdout, /^Runtime trace: io\.appium\.android\.apis$/m);
  assert.match(md!.stdout, /^## Runtime trace: io\.appium\.android\.apis$/m);
  assert.match(html!.stdout, /<section id="trace"/);
  const zh = await runCliAsync([...args, '--lang', 'zh', '--format', 'md']);
  if (imei) assert.match(zh.stdout, /运行时已触发：第 3 行/);
  const log = JSON.parse(sarif!.stdout) as { runs: { artifacts: { location: { uri: string }; roles: string[] }[] }[] };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.ok(log.runs[0]!.artifacts.some((a) => a.location.uri === pathToFileURL(trace).href));

  // diff reads the 1.5.0 report, and the same report as 1.3.0 without the runtime parts.
  const stored = writeTemp(dir, 'with-trace.json', json!.stdout);
  const { trace: _t, ui: _u, ...rest } = report;
  const older = writeTemp(
    dir,
    'older.json',
    JSON.stringify({
      ...rest,
      schemaVersion: '1.3.0',
      findings: rest.findings.map(({ runtime: _r, related: _rel, ...f }) => f),
    }),
  );
  const diffs = await Promise.all([
    runCliAsync(['diff', stored, realApks.apiDemos, '--format', 'json', ...bin]),
    runCliAsync(['diff', older, stored, '--format', 'json', ...bin]),
  ]);
  for (const r of diffs) {
    assert.equal(r.status, 0, describeRun(r));
    const diff = JSON.parse(r.stdout) as { changes: { kind: string }[] };
    assert.equal(schemaErrors('diff-report', diff), undefined);
    // Runtime rules ran on one side only: their findings are not changes in the app.
    assert.deepEqual(
      diff.changes.filter((c) => c.kind.startsWith('finding-')),
      [],
    );
  }
});

test('scan --trace: an unreadable trace stops the scan before it starts, exit 3', async () => {
  const r = await runCliAsync(['scan', 'not-read.apk', '--trace', join(dir, 'missing.jsonl'), ...bin]);
  assert.equal(r.status, 3, describeRun(r));
  assert.match(r.stderr, /missing\.jsonl/);
  assertNoStack(r.stderr);
});

/** The size `-o` reports for a file of a few KiB or more. */
function formatKiB(file: string): string {
  const kib = readFileSync(file).length / 1024;
  return `${kib.toFixed(kib < 10 ? 1 : 0)} KiB`;
}
