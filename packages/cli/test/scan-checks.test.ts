/**
 * The checks as users drive them: coverage of all 26 measures in every report, `--fail-on` exit
 * codes, `--app-type`, and `apprights.config.json` suppressions (which keep the finding, marked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realApks } from '@apprights/testkit';
import { assertNoStack, describeRun, runCli, schemaErrors, tempDir, writeTemp } from './helpers.js';

const settings = realApks.settings;

interface CheckedReport {
  coverage: { measure: string; status: string; rules: string[]; needs: string[] }[];
  findings: { ruleId: string; severity: string; evidence: { kind: string }[]; suppressed?: { reason: string } }[];
  rules: { id: string; status: string; missing?: string[] }[];
  context: { failOn: string; config: string | null; store: { appType: string } | null; measuresVersion: number };
}

function scanJson(args: string[], cwd?: string): { report: CheckedReport; status: number | null } {
  const r = runCli(['scan', settings, '--format', 'json', ...args], cwd ? { cwd } : {});
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  const report = JSON.parse(r.stdout) as CheckedReport;
  assert.equal(schemaErrors('scan-report', report), undefined);
  return { report, status: r.status };
}

test('scan: the report covers all 26 measures in order, and findings point at evidence', () => {
  const { report, status } = scanJson(['--no-config']);
  assert.equal(status, 0, 'no gate without --fail-on');
  assert.deepEqual(
    report.coverage.map((c) => c.measure),
    Array.from({ length: 26 }, (_, i) => `miit26-${String(i + 1).padStart(2, '0')}`),
  );
  for (const c of report.coverage) {
    assert.ok(['passed', 'failed', 'partially-assessed', 'not-assessed', 'organisational', 'platform-checked'].includes(c.status));
    if (c.status === 'not-assessed') assert.ok(c.needs.length > 0, `${c.measure} is not assessed but names nothing to supply`);
  }
  const debuggable = report.findings.find((f) => f.ruleId === 'debuggable');
  assert.ok(debuggable, 'the Appium settings APK is a debug build');
  assert.equal(debuggable.evidence[0]!.kind, 'manifest');
  // Client-side security is measure 14 (technical safeguards); 13 (internal management) only the operator's records show.
  assert.equal(report.coverage.find((c) => c.measure === 'miit26-14')!.status, 'failed');
  assert.equal(report.coverage.find((c) => c.measure === 'miit26-13')!.status, 'organisational');
  // The stores' and devices' measures are not the app's to pass or fail, whatever their signals say.
  for (const n of [16, 17, 18, 22, 23, 24]) assert.equal(report.coverage[n - 1]!.status, 'platform-checked', `measure ${n}`);
  assert.equal(report.context.measuresVersion, 2, 'the report states the catalogue version');
  // No app type given: the app-type rule is skipped and the measures it serves ask for the store listing.
  assert.deepEqual(
    report.rules.find((r) => r.id === 'permissions-unrelated-to-app-type'),
    {
      id: 'permissions-unrelated-to-app-type',
      status: 'skipped',
      missing: ['store'],
      findings: 0,
    },
  );
});

test('scan --fail-on: exit 1 when a finding reaches the threshold, 0 below it', () => {
  assert.equal(runCli(['scan', settings, '--no-config', '--format', 'json', '--fail-on', 'high']).status, 1);
  assert.equal(runCli(['scan', settings, '--no-config', '--format', 'json', '--fail-on', 'none']).status, 0);
  const bad = runCli(['scan', settings, '--fail-on', 'sometimes']);
  assert.equal(bad.status, 2, describeRun(bad));
});

test('scan: a config file suppresses with a reason, keeps the finding, and sets the gate', () => {
  const dir = tempDir();
  writeTemp(
    dir,
    'apprights.config.json',
    JSON.stringify({
      failOn: 'high',
      rules: { 'allow-backup': 'off' },
      suppressions: [{ rule: 'debuggable', path: 'AndroidManifest.xml', reason: 'test build, never published' }],
    }),
  );
  const { report, status } = scanJson([], dir);
  assert.equal(report.context.failOn, 'high');
  assert.ok(report.context.config?.endsWith('apprights.config.json'));
  const debuggable = report.findings.find((f) => f.ruleId === 'debuggable')!;
  assert.deepEqual(debuggable.suppressed, { reason: 'test build, never published', by: 'rule=debuggable path=AndroidManifest.xml' });
  assert.equal(report.rules.find((r) => r.id === 'allow-backup')?.status, 'disabled');
  const unsuppressedHigh = report.findings.filter((f) => f.severity === 'high' && !f.suppressed);
  assert.equal(status, unsuppressedHigh.length > 0 ? 1 : 0);
});

test('scan: configuration mistakes are usage errors that name the file and place', () => {
  const dir = tempDir();
  const file = writeTemp(dir, 'checks.json', JSON.stringify({ suppressions: [{ rule: 'debuggable' }] }));
  const r = runCli(['scan', settings, '--config', file]);
  assert.equal(r.status, 2, describeRun(r));
  assert.match(r.stderr, /checks\.json: suppressions\[0\]\.reason/);
  assertNoStack(r.stderr);
  const typo = runCli(['scan', settings, '--config', writeTemp(dir, 'typo.json', JSON.stringify({ rules: { debugable: 'off' } }))]);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /rules\.debugable: no rule has this id/);
});

test('scan --app-type: runs the necessary-PI rule; an unknown type lists the valid ones', () => {
  const { report } = scanJson(['--no-config', '--app-type', 'map-navigation']);
  assert.equal(report.context.store?.appType, 'map-navigation');
  assert.equal(report.rules.find((r) => r.id === 'permissions-unrelated-to-app-type')?.status, 'ran');
  const byNumber = scanJson(['--no-config', '--app-type', '1']).report;
  assert.equal(byNumber.context.store?.appType, 'map-navigation');
  const r = runCli(['scan', settings, '--no-config', '--app-type', 'spaceship']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown app type spaceship.*map-navigation/);
});

test('scan --store-listing: the listing gives the app type (by Chinese name too); a bad listing is a usage error', () => {
  const dir = tempDir();
  const listing = writeTemp(
    dir,
    'listing.json',
    JSON.stringify({ appType: '地图导航类', name: 'Settings', developer: 'Appium', extra: 1 }),
  );
  const { report } = scanJson(['--no-config', '--store-listing', listing]);
  assert.equal(report.context.store?.appType, 'map-navigation');
  assert.equal(report.rules.find((r) => r.id === 'permissions-unrelated-to-app-type')?.status, 'ran');
  const cliWins = scanJson(['--no-config', '--store-listing', listing, '--app-type', 'browser']).report;
  assert.equal(cliWins.context.store?.appType, 'browser');
  const bad = runCli(['scan', settings, '--no-config', '--store-listing', writeTemp(dir, 'bad.json', '{"appType": 7}')]);
  assert.equal(bad.status, 2, describeRun(bad));
  assert.match(bad.stderr, /bad\.json: appType: must be a non-empty string/);
  assertNoStack(bad.stderr);
});
