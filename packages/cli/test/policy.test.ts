/**
 * `apprights policy FILE|URL` and `scan --policy`: the JSON report against its schema, offsets that
 * index the text they claim to, every format, URLs from a local server (and their failures), and the
 * policy stored in the scan report. The analyser is still growing, so the assertions are about the
 * report's shape and consistency, not about what it extracts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { SECTION_KINDS, type PolicyAnalysis } from '@apprights/policy';
import { assemblePolicyReport, defineRule, type PolicyReport, type ScanReport } from '@apprights/rules';
import { loadKnowledge, loadMeasureCatalog } from '@apprights/knowledge';
import { renderPolicyReport, renderScanReport } from '@apprights/report';
import { realApks } from '@apprights/testkit';
import {
  assertNoStack,
  describeRun,
  repoRoot,
  runCliAsync,
  sarifValidator,
  schemaErrors,
  tempDir,
  writeTemp,
  type CliResult,
} from './helpers.js';

const ZH_MD = `# 示例地图隐私政策

更新日期：2024年3月1日

## 一、我们如何收集和使用您的个人信息

为了向您提供导航服务，我们需要收集您的**精确位置信息**。我们还会收集设备信息（Android ID），用于安全风控。
我们会申请相机权限，用于扫描二维码。

## 二、第三方 SDK

| SDK 名称 | 公司 | 目的 | 收集的信息 |
|---|---|---|---|
| 极光推送 | 深圳市和讯华谷信息技术有限公司 | 消息推送 | 设备标识符 |

## 三、联系我们

如您对本政策有任何疑问，请发送邮件至 privacy@example.cn，我们将在15个工作日内答复。
`;

const EN_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Example Maps Privacy Policy</title></head>
<body>
<h1>Example Maps Privacy Policy</h1>
<p>Effective date: March 1, 2024</p>
<h2>1. Information we collect</h2>
<p>To show directions we collect your <strong>precise location</strong>. We also collect device identifiers (Android ID) for fraud prevention.</p>
<h2>2. Your rights</h2>
<p>You may access, correct or delete your personal information, or withdraw your consent at any time.</p>
<h2>3. Contact us</h2>
<p>Write to <a href="mailto:privacy@example.com">privacy@example.com</a>. We will respond within 15 working days.</p>
</body></html>
`;

const dir = tempDir();
const zhFile = writeTemp(dir, '隐私政策.md', ZH_MD);
const enFile = writeTemp(dir, 'privacy.html', EN_HTML);
const bin = ['--no-config', '--no-progress'];

const ANALYSIS_FIELDS = JSON.parse(readFileSync(join(repoRoot, 'packages/engine/schemas/policy-report.schema.json'), 'utf8')) as {
  properties: Record<string, unknown>;
  $defs: { policyAnalysis: { required: string[]; properties: Record<string, unknown> }; sectionKind: { enum: string[] } };
};

function parseReport(r: CliResult): PolicyReport {
  assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(r.stdout) as PolicyReport;
  assert.equal(schemaErrors('policy-report', report), undefined);
  return report;
}

/** Every offset in the analysis indexes its own `text`, and every quoted passage is that slice. */
function assertConsistent(a: PolicyAnalysis): void {
  assert.equal(a.length, a.text.length);
  const where = (what: string, span: { start: number; end: number }) => `${what} ${span.start}..${span.end}`;
  const inside = (what: string, span: { start: number; end: number }) =>
    assert.ok(0 <= span.start && span.start <= span.end && span.end <= a.length, `${where(what, span)} within 0..${a.length}`);
  const quoted = (what: string, span: { start: number; end: number; text: string } | null) => {
    if (!span) return;
    inside(what, span);
    assert.equal(a.text.slice(span.start, span.end), span.text, where(what, span));
  };
  let previousEnd = 0;
  for (const [i, s] of a.sections.entries()) {
    inside(`sections[${i}]`, s);
    assert.ok(s.start >= previousEnd, `sections[${i}] follows the one before without overlap`);
    previousEnd = s.end;
  }
  const section = (what: string, index: number) => assert.ok(index >= -1 && index < a.sections.length, `${what}.section ${index}`);
  a.dataMentions.forEach((m, i) => (quoted(`dataMentions[${i}]`, m), section(`dataMentions[${i}]`, m.section)));
  a.purposes.forEach((p, i) => {
    quoted(`purposes[${i}]`, p);
    section(`purposes[${i}]`, p.section);
    for (const d of p.data) assert.ok(d >= 0 && d < a.dataMentions.length, `purposes[${i}].data ${d}`);
  });
  a.permissions.forEach(
    (p, i) => (quoted(`permissions[${i}]`, p), quoted(`permissions[${i}].purpose`, p.purpose), section(`permissions[${i}]`, p.section)),
  );
  a.recipients.forEach((r, i) => (quoted(`recipients[${i}]`, r), section(`recipients[${i}]`, r.section)));
  a.contacts.forEach((c, i) => quoted(`contacts[${i}]`, c));
  a.sdkTable.forEach((r, i) => inside(`sdkTable[${i}]`, r));
  quoted('operator', a.operator);
  quoted('responseTime', a.responseTime);
  quoted('effectiveDate', a.effectiveDate);
  quoted('lists.collectedPersonalInformation', a.lists.collectedPersonalInformation);
  quoted('lists.thirdPartySharing', a.lists.thirdPartySharing);
}

function assertReportFields(report: PolicyReport, source: string): void {
  assert.equal(report.reportVersion, '1.1.0');
  assert.equal(report.context.measuresVersion, 2, 'the measure catalogue version');
  assert.equal(report.tool.name, 'apprights');
  assert.ok(Math.abs(Date.parse(report.generatedAt) - Date.now()) < 10 * 60_000, 'generatedAt is now');
  assert.equal(report.source, source);
  // The schema names every analysis field, and the report carries exactly those at the top level:
  // a field the analyser adds without describing it fails here.
  for (const key of ANALYSIS_FIELDS.$defs.policyAnalysis.required) assert.ok(key in report, `top-level ${key}`);
  for (const key of Object.keys(report))
    assert.ok(
      key in ANALYSIS_FIELDS.properties || key in ANALYSIS_FIELDS.$defs.policyAnalysis.properties,
      `${key} is described in the schema`,
    );
  assert.equal(report.coverage.length, 26);
  assert.ok(report.context.evidence.includes('policy'));
  for (const rule of report.rules.filter((r) => r.status === 'skipped')) assert.ok((rule.missing ?? []).length > 0, rule.id);
  const s = report.summary;
  assert.deepEqual(
    [s.sections, s.dataMentions, s.purposes, s.permissions, s.recipients, s.sdkTableRows, s.contacts],
    [
      report.sections.length,
      report.dataMentions.length,
      report.purposes.length,
      report.permissions.length,
      report.recipients.length,
      report.sdkTable.length,
      report.contacts.length,
    ],
  );
  assert.deepEqual([...s.sectionKinds.found, ...s.sectionKinds.missing].sort(), [...SECTION_KINDS].sort());
  assertConsistent(report);
}

test('policy --format json: a Chinese Markdown and an English HTML policy, valid against the schema, offsets consistent', async () => {
  const [zh, en] = await Promise.all([
    runCliAsync(['policy', zhFile, '--format', 'json', ...bin]),
    runCliAsync(['policy', enFile, '--format', 'json', ...bin]),
  ]);
  const zhReport = parseReport(zh);
  assertReportFields(zhReport, zhFile);
  assert.deepEqual([zhReport.format, zhReport.language, zhReport.title], ['markdown', 'zh', '示例地图隐私政策']);
  const enReport = parseReport(en);
  assertReportFields(enReport, enFile);
  assert.deepEqual([enReport.format, enReport.language, enReport.title], ['html', 'en', 'Example Maps Privacy Policy']);
  assert.ok(enReport.text.includes('We will respond within 15 working days.'));
  assert.equal(zh.stderr, '');
});

test('the schema and the analyser agree: every analysis field and section kind is described', () => {
  assert.deepEqual(ANALYSIS_FIELDS.$defs.sectionKind.enum, [...SECTION_KINDS]);
});

test('policy: text (en, zh), Markdown, HTML and SARIF all render; -o writes the file', async () => {
  const out = join(dir, 'policy.html');
  const [text, zh, md, html, sarif] = await Promise.all([
    runCliAsync(['policy', zhFile, ...bin]),
    runCliAsync(['policy', enFile, '--lang', 'zh', ...bin]),
    runCliAsync(['policy', zhFile, '--format', 'md', ...bin]),
    runCliAsync(['policy', enFile, '--format', 'html', '-o', out, ...bin]),
    runCliAsync(['policy', zhFile, '--format', 'sarif', ...bin]),
  ]);
  for (const r of [text, zh, md, html, sarif]) {
    assert.equal(r.status, 0, describeRun(r));
    // Only -o says anything on stderr: what it wrote, with the size.
    assert.equal(r.stderr, r === html ? `apprights: report written to ${out} (${formatKiB(out)})\n` : '');
  }
  assert.match(text.stdout, /^Privacy policy: 示例地图隐私政策\n/);
  for (const label of ['Operator', 'Contacts', 'Response time', 'Topics covered', 'Topics not found', 'Sensitive personal information'])
    assert.match(text.stdout, new RegExp(`^ {2}${label} +\\S`, 'm'), label);
  assert.match(text.stdout, /^Measures of the 2023 notice \(26\)$/m);
  assert.match(text.stdout, /^Findings \(\d+/m);
  assert.match(zh.stdout, /^隐私政策: Example Maps Privacy Policy\n/);
  assert.match(zh.stdout, /^ {2}答复时限/m);
  assert.match(zh.stdout, /^26 号文措施 \(26\)$/m);

  assert.match(md.stdout, /^# Privacy policy: 示例地图隐私政策\n/);
  assert.match(md.stdout, /^## Coverage of the 26 measures$/m);
  assert.match(md.stdout, /^## Findings by measure$/m);
  assert.doesNotMatch(md.stdout, /Third-party SDKs to disclose/, 'no package, so no SDK list of its own');
  // The outline tree with each heading's kinds and where its scope ends (issue 16).
  assert.match(md.stdout, /^## Outline \(\d+\)$/m);
  assert.match(md.stdout, /\| · 一、我们如何收集和使用您的个人信息 \| collection and use[^|]*\|/);
  assert.doesNotMatch(text.stdout, /^Outline/m, 'the terminal leaves the tree to Markdown and HTML');

  assert.equal(html.stdout, '');
  const page = readFileSync(out, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.match(page, /<section id="policy-outline"[^]*<ul class="outline"><li><bdi>[^<]*Example Maps Privacy Policy/);
  for (const id of [
    'policy',
    'summary',
    'findings',
    'policy-outline',
    'policy-data',
    'policy-permissions',
    'policy-sdks',
    'policy-recipients',
    'coverage',
  ])
    assert.match(page, new RegExp(`<section id="${id}"`), id);
  assert.doesNotMatch(page, /<(script|link|img)[^>]+(src|href)="https?:/, 'nothing fetched from anywhere');

  const log = JSON.parse(sarif.stdout) as { runs: { artifacts: { location: { uri: string }; mimeType: string }[] }[] };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.deepEqual(log.runs[0]!.artifacts[0], {
    location: { uri: pathToFileURL(zhFile).href },
    mimeType: 'text/markdown',
    roles: ['analysisTarget'],
  });
});

test('policy: markup in the policy is text in the HTML report, never markup', async () => {
  const hostile = writeTemp(
    dir,
    'hostile.html',
    '<html><head><title>&lt;img src=x onerror=alert(1)&gt;</title></head><body><h1>隐私政策</h1><p>联系邮箱 a@b.cn &lt;script&gt;alert(2)&lt;/script&gt;</p></body></html>',
  );
  const r = await runCliAsync(['policy', hostile, '--format', 'html', ...bin]);
  assert.equal(r.status, 0, describeRun(r));
  assert.doesNotMatch(r.stdout, /<img src=x/);
  assert.doesNotMatch(r.stdout, /<script>alert/);
  assert.match(r.stdout, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/privacy.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(EN_HTML);
    else if (req.url === '/zh') res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(ZH_MD);
    else if (req.url === '/policy.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7');
    else if (req.url === '/hang') return;
    else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('policy URL: fetched from a local server, the report names the URL', async () => {
  const [html, md] = await Promise.all([
    runCliAsync(['policy', `${base}/privacy.html`, '--format', 'json', ...bin]),
    runCliAsync(['policy', `${base}/zh`, '--format', 'json', '--timeout', '60', ...bin]),
  ]);
  const htmlReport = parseReport(html);
  assertReportFields(htmlReport, `${base}/privacy.html`);
  assert.equal(htmlReport.format, 'html');
  const mdReport = parseReport(md);
  assertReportFields(mdReport, `${base}/zh`);
  assert.equal(mdReport.format, 'markdown', 'by the content type');
});

test('policy URL failures: 404, timeout, too large, PDF and other schemes are input errors (exit 3) that say why', async () => {
  const cases: [string[], RegExp][] = [
    [[`${base}/missing.html`], /^apprights: error: http:\/\/127\.0\.0\.1:\d+\/missing\.html: HTTP 404 Not Found\n$/],
    [[`${base}/hang`, '--timeout', '0.3'], /\/hang: timed out after 300 ms\n$/],
    [[`${base}/privacy.html`, '--max-size', '100'], /\/privacy\.html: too large: (more than )?\d+ bytes, limit 100 bytes\n$/],
    [[`${base}/policy.pdf`], /unsupported content type application\/pdf/],
    [['ftp://example.com/p.html'], /ftp: URLs are not read/],
    [[join(dir, 'missing.md')], /cannot open .*missing\.md: no such file\n$/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCliAsync(['policy', ...args, ...bin])));
  runs.forEach((r, i) => {
    const [args, message] = cases[i]!;
    assert.equal(r.status, 3, `${args.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
    assertNoStack(r.stderr);
  });
  const zh = await runCliAsync(['policy', `${base}/missing.html`, '--lang', 'zh', ...bin]);
  assert.match(zh.stderr, /^apprights: 错误: .*HTTP 404/);
});

test('policy usage: bad --timeout, --max-size or --fail-on, a missing argument, a bad app type: exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['policy', zhFile, '--timeout', 'soon'], /--timeout takes a positive number/],
    [['policy', zhFile, '--timeout', '0'], /--timeout takes a positive number/],
    [['policy', zhFile, '--max-size', '1.5'], /--max-size takes a positive whole number/],
    [['policy', zhFile, '--fail-on', 'sometimes'], /argument 'sometimes' is invalid/],
    [['policy'], /missing required argument/],
    [['policy', zhFile, '--app-type', 'no-such-type'], /unknown app type no-such-type/],
    [['scan', 'x.apk', '--policy-timeout', '-1'], /--policy-timeout takes a positive number/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCliAsync([...args, '--no-config'])));
  runs.forEach((r, i) => {
    const [args, message] = cases[i]!;
    assert.equal(r.status, 2, `${args.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, message, args.join(' '));
    assertNoStack(r.stderr);
  });
});

test('policy --app-type: the listing is evidence too; --fail-on gates on the findings', async () => {
  const r = await runCliAsync(['policy', zhFile, '--format', 'json', '--app-type', 'map-navigation', '--fail-on', 'low', ...bin]);
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  const report = JSON.parse(r.stdout) as PolicyReport;
  assert.equal(schemaErrors('policy-report', report), undefined);
  assert.deepEqual(report.context.evidence.sort(), ['policy', 'store']);
  assert.equal(report.context.store?.appType, 'map-navigation');
  const gating = report.findings.some((f) => !f.suppressed && f.severity !== 'info');
  assert.equal(r.status, gating ? 1 : 0);
});

/** A rule that quotes the policy, so SARIF has a policy passage to point at whatever the real rules find. */
const quotingRule = defineRule({
  meta: {
    id: 'test-policy-quote',
    measures: ['miit26-09'],
    evidence: ['policy'],
    severity: 'medium',
    title: { en: 'quote', zh: '引用' },
    description: { en: 'quote', zh: '引用' },
    fix: { en: 'none', zh: '无' },
    messages: { quote: { en: 'a passage', zh: '一段' }, missing: { en: 'nothing to quote', zh: '无引用' } },
  },
  check({ evidence }) {
    const text = evidence.policy.text;
    const start = text.indexOf('15');
    return [
      {
        key: 'quote',
        messageId: 'quote',
        evidence: [{ kind: 'policy', start, end: start + 2, text: text.slice(start, start + 2), section: '联系我们' }],
      },
      { key: 'missing', messageId: 'missing', evidence: [{ kind: 'policy' }] },
    ];
  },
});

test('sarif: policy findings point into the policy by character range; a finding without a passage points at the policy', async () => {
  const r = await runCliAsync(['policy', zhFile, '--format', 'json', ...bin]);
  const analysis = parseReport(r);
  const report = assemblePolicyReport(analysis, {
    toolVersion: '0.0.0',
    measures: loadMeasureCatalog().measures,
    knowledge: loadKnowledge(),
    rules: [quotingRule],
  });
  const log = JSON.parse(renderPolicyReport(report, 'sarif', 'en')) as {
    runs: {
      results: {
        locations: { physicalLocation?: { artifactLocation: { uri: string; index?: number }; region?: Record<string, unknown> } }[];
      }[];
    }[];
  };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  const uri = pathToFileURL(zhFile).href;
  const [quoted, whole] = log.runs[0]!.results;
  const start = analysis.text.indexOf('15');
  assert.deepEqual(quoted!.locations[0]!.physicalLocation, {
    artifactLocation: { uri },
    region: { charOffset: start, charLength: 2, snippet: { text: '15' } },
  });
  assert.deepEqual(whole!.locations[0]!.physicalLocation, { artifactLocation: { uri } });

  // In a scan report the same evidence points at the policy too, next to the package.
  if (!existsSync(realApks.apiDemos)) return;
  const scan = await runCliAsync(['scan', realApks.apiDemos, '--policy', zhFile, '--format', 'json', ...bin]);
  assert.equal(scan.status, 0, describeRun(scan));
  const scanReport = JSON.parse(scan.stdout) as ScanReport;
  scanReport.findings = report.findings;
  const scanLog = JSON.parse(renderScanReport(scanReport, 'sarif', 'en')) as {
    runs: {
      artifacts: { location: { uri: string } }[];
      results: { locations: { physicalLocation?: { artifactLocation: { uri: string } } }[] }[];
    }[];
  };
  assert.ok(validate(scanLog), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.equal(scanLog.runs[0]!.artifacts[1]!.location.uri, uri);
  assert.equal(scanLog.runs[0]!.results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri, uri);
});

const skipApiDemos = existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed';

test('scan --policy: a 1.5.0 report with the policy, valid against the schema; every format shows it', { skip: skipApiDemos }, async () => {
  const [json, text, md, html, sarif] = await Promise.all(
    ['json', 'text', 'md', 'html', 'sarif'].map((format) =>
      runCliAsync(['scan', realApks.apiDemos, '--policy', zhFile, '--format', format, ...bin]),
    ),
  );
  for (const r of [json, text, md, html, sarif]) assert.equal(r.status, 0, describeRun(r!));
  const report = JSON.parse(json!.stdout) as ScanReport;
  assert.equal(schemaErrors('scan-report', report), undefined);
  assert.equal(report.schemaVersion, '1.7.0');
  assert.ok(report.policy, 'the analysis is stored');
  assert.equal(report.policy.source, zhFile);
  assertConsistent(report.policy);
  assert.ok(report.context.evidence.includes('policy') && report.context.evidence.includes('apk'));
  assert.ok(!report.rules.some((r) => r.status === 'skipped' && r.missing?.includes('policy')), 'no rule waits for a policy');
  assert.match(text!.stdout, /^Privacy policy: 示例地图隐私政策$/m);
  assert.match(md!.stdout, /^## Privacy policy: 示例地图隐私政策$/m);
  assert.match(html!.stdout, /<section id="policy"/);
  const log = JSON.parse(sarif!.stdout) as { runs: { artifacts: { location: { uri: string }; roles: string[] }[] }[] };
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.deepEqual(log.runs[0]!.artifacts[1]!.location, { uri: pathToFileURL(zhFile).href }, 'the policy is an artifact of the run');

  const without = await runCliAsync(['scan', realApks.apiDemos, '--format', 'json', ...bin]);
  const plain = JSON.parse(without.stdout) as ScanReport;
  assert.equal(plain.policy, undefined);
  assert.equal(schemaErrors('scan-report', plain), undefined);
  assert.ok(!plain.context.evidence.includes('policy'));
});

test('scan --policy: an unreadable policy stops the scan before it starts, exit 3', async () => {
  const r = await runCliAsync(['scan', 'not-read.apk', '--policy', `${base}/missing`, ...bin]);
  assert.equal(r.status, 3, describeRun(r));
  assert.match(r.stderr, /\/missing: HTTP 404 Not Found\n$/);
  assertNoStack(r.stderr);
});

test('diff: a 1.5.0 report with a policy, and the same report as 1.2.0 without one, against the APK', { skip: skipApiDemos }, async () => {
  const scanned = await runCliAsync(['scan', realApks.apiDemos, '--policy', zhFile, '--format', 'json', ...bin]);
  assert.equal(scanned.status, 0, describeRun(scanned));
  const withPolicy = writeTemp(dir, 'with-policy.json', scanned.stdout);
  const { policy: _policy, ...rest } = JSON.parse(scanned.stdout) as ScanReport;
  const older = writeTemp(dir, 'older.json', JSON.stringify({ ...rest, schemaVersion: '1.2.0' }));
  const runs = await Promise.all([
    runCliAsync(['diff', withPolicy, realApks.apiDemos, '--format', 'json', ...bin]),
    runCliAsync(['diff', older, withPolicy, '--format', 'json', ...bin]),
  ]);
  for (const r of runs) {
    assert.equal(r.status, 0, describeRun(r));
    const diff = JSON.parse(r.stdout) as { changes: { kind: string }[] };
    assert.equal(schemaErrors('diff-report', diff), undefined);
    // Policy rules ran on one side only: their findings are not changes in the app.
    assert.deepEqual(
      diff.changes.filter((c) => c.kind.startsWith('finding-')),
      [],
    );
  }
  const damaged = writeTemp(dir, 'damaged-policy.json', JSON.stringify({ ...JSON.parse(scanned.stdout), policy: { text: 5 } }));
  const bad = await runCliAsync(['diff', damaged, realApks.apiDemos, ...bin]);
  assert.equal(bad.status, 3, describeRun(bad));
  assert.match(bad.stderr, /not a valid AppRights scan report 1\.7\.0: \/policy/);
});

/** The size `-o` reports for a file of a few KiB or more. */
function formatKiB(file: string): string {
  const kib = readFileSync(file).length / 1024;
  return `${kib.toFixed(kib < 10 ? 1 : 0)} KiB`;
}
