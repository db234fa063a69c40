/**
 * Coverage that never claims more than was checked: ApiDemos scanned with every combination of
 * evidence (the package alone, with a policy, with a trace, with UI snapshots, with all of them),
 * using the example policy, traces and UI dumps of the other packages' tests. No measure may be
 * `passed` unless every evidence kind that decides it was supplied and every rule serving it ran;
 * every report validates; measure 20 of a static scan is "not assessed" and names --trace; each
 * format says the same (no green badge on an unassessed measure, skipped rules in SARIF).
 */
import { loadKnowledge } from '@apprights/knowledge';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMeasureCatalog, type EvidenceKind } from '@apprights/knowledge';
import { allRules, assembleScanReport, type ScanReport } from '@apprights/rules';
import { readUiSnapshot } from '@apprights/runtime';
import { realApks } from '@apprights/testkit';
import { describeRun, repoRoot, runCliAsync, sarifValidator, schemaErrors, type CliResult } from './helpers.js';

const skip = existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed';

const POLICY = join(repoRoot, 'packages/policy/test/fixtures/zh/full.md');
/** A trace with no UI events: runtime evidence without UI snapshots. */
const TRACE_ONLY = join(repoRoot, 'packages/rules/test/traces/runtime-pi-frequency/clean.jsonl');
/** A trace whose UI events name the dumps in packages/runtime/test/ui. */
const TRACE_WITH_UI = join(repoRoot, 'packages/runtime/test/traces/clean.jsonl');
const UI_DIR = join(repoRoot, 'packages/runtime/test/ui');

const COMBINATIONS: Record<string, string[]> = {
  static: [],
  policy: ['--policy', POLICY],
  trace: ['--trace', TRACE_ONLY],
  ui: ['--trace', TRACE_WITH_UI, '--ui', UI_DIR],
  all: ['--policy', POLICY, '--trace', TRACE_WITH_UI, '--ui', UI_DIR, '--app-type', 'map-navigation'],
};

const BASE = ['scan', realApks.apiDemos, '--no-config', '--no-progress'];

function json(r: CliResult): ScanReport {
  assert.ok(r.status === 0 || r.status === 1, describeRun(r));
  return JSON.parse(r.stdout) as ScanReport;
}

/**
 * Worked out here from the catalogue and the rules' own declarations, not from the engine: the
 * evidence kinds that decide each measure, and the check rules serving it.
 */
function deciding(measureId: string): { kinds: Set<EvidenceKind>; rules: string[] } {
  const measure = loadMeasureCatalog().measures.find((m) => m.id === measureId)!;
  const rules = allRules.filter(
    (r) => (r.meta.measures.includes(measureId) || measure.rules.includes(r.meta.id)) && r.meta.kind !== 'inventory',
  );
  const kinds = new Set<EvidenceKind>(measure.evidence);
  for (const r of rules) for (const k of r.meta.evidence) kinds.add(k);
  return { kinds, rules: rules.map((r) => r.meta.id) };
}

/** The invariant: `passed` only with every deciding kind present and every serving rule run. */
function assertNothingPassedUnchecked(report: ScanReport, label: string): void {
  const available = new Set(report.context.evidence);
  const outcome = new Map(report.rules.map((o) => [o.id, o.status]));
  for (const c of report.coverage) {
    const { kinds, rules } = deciding(c.measure);
    const absent = [...kinds].filter((k) => k === 'org' || !available.has(k));
    if (c.status === 'passed') {
      assert.deepEqual(absent, [], `${label}: ${c.measure} passed without ${absent.join(', ')}`);
      for (const id of rules)
        assert.ok(['ran', 'not-applicable'].includes(outcome.get(id) ?? ''), `${label}: ${c.measure} passed, ${id} did not run`);
    }
    if (c.status === 'not-assessed' || c.status === 'partially-assessed') {
      // Whatever was not checked is named: evidence to supply (with its option), or for a person.
      assert.ok(c.missing.length + c.manual.length + c.notRun.length > 0, `${label}: ${c.measure} ${c.status} names nothing`);
      for (const k of c.missing) assert.ok(!available.has(k), `${label}: ${c.measure} asks for ${k}, which was given`);
      assert.equal(c.supplyWith.length > 0, c.missing.length > 0, `${label}: ${c.measure} options for ${c.missing.join(', ')}`);
    }
  }
}

test('every combination of evidence: no measure passed whose deciding evidence is absent; reports validate', { skip }, async () => {
  const reports = Object.fromEntries(
    await Promise.all(
      Object.entries(COMBINATIONS).map(
        async ([label, args]) => [label, json(await runCliAsync([...BASE, ...args, '--format', 'json']))] as const,
      ),
    ),
  ) as Record<string, ScanReport>;
  assert.deepEqual(reports.static!.context.evidence, ['apk']);
  assert.deepEqual(reports.policy!.context.evidence.sort(), ['apk', 'policy']);
  assert.deepEqual(reports.trace!.context.evidence.sort(), ['apk', 'trace']);
  assert.deepEqual(reports.ui!.context.evidence.sort(), ['apk', 'trace', 'ui']);
  assert.deepEqual(reports.all!.context.evidence.sort(), ['apk', 'policy', 'store', 'trace', 'ui']);
  for (const [label, report] of Object.entries(reports)) {
    assert.equal(schemaErrors('scan-report', report), undefined, label);
    assertNothingPassedUnchecked(report, label);
  }
  // UI snapshots alone (the CLI asks for a trace with --ui; the engine takes them alone too).
  const snapshots = ['splash-skip.xml', 'popup-ad.xml'].map((file, i) => ({
    id: file,
    t: i,
    file,
    root: readUiSnapshot(readFileSync(join(UI_DIR, file), 'utf8'), { id: file, file }),
  }));
  // The static report's package facts, without its checks (which assembleScanReport makes anew).
  const { schemaVersion, tool, context, rules, findings, coverage, ...facts } = reports.static!;
  void [schemaVersion, tool, context, rules, findings, coverage];
  const uiOnly = assembleScanReport(facts, {
    toolVersion: 'test',
    knowledge: loadKnowledge(),
    measures: loadMeasureCatalog().measures,
    evidence: { ui: { source: UI_DIR, snapshots } },
  });
  assert.deepEqual(uiOnly.context.evidence.sort(), ['apk', 'ui']);
  assertNothingPassedUnchecked(uiOnly, 'ui only');

  // Measure 20 (no collection before consent) on the package alone: not assessed, and the trace would.
  const m20 = reports.static!.coverage.find((c) => c.measure === 'miit26-20')!;
  assert.equal(m20.status, 'not-assessed');
  assert.ok(m20.missing.includes('trace') && m20.supplyWith.includes('--trace'), JSON.stringify(m20));
  // With the trace the rules that read it ran: no longer "not assessed".
  assert.notEqual(reports.trace!.coverage.find((c) => c.measure === 'miit26-20')!.status, 'not-assessed');
  // A static scan assesses nothing that behaviour decides: nothing passes on the package alone here.
  assert.deepEqual(
    reports.static!.coverage.filter((c) => c.status === 'passed').map((c) => c.measure),
    [],
  );
  // Each skipped rule names the evidence it lacked.
  for (const o of reports.static!.rules) if (o.status === 'skipped') assert.ok((o.missing ?? []).length > 0, o.id);
});

test('static scan in every format: measure 20 not assessed with --trace; no green badge; skipped rules in SARIF', { skip }, async () => {
  const [text, zh, md, html, sarif] = await Promise.all([
    runCliAsync(BASE),
    runCliAsync([...BASE, '--lang', 'zh']),
    runCliAsync([...BASE, '--format', 'md']),
    runCliAsync([...BASE, '--format', 'html']),
    runCliAsync([...BASE, '--format', 'sarif']),
  ]);
  for (const r of [text, zh, md, html, sarif]) assert.ok(r.status === 0 || r.status === 1, describeRun(r));

  // Text: the not-assessed line lists 20, and the --trace line says it would assess 20.
  const lines = text.stdout.split('\n');
  assert.match(lines.find((l) => /^ {2}not assessed \(\d+\)/.test(l)) ?? '', /\b20\b/);
  assert.match(lines.find((l) => /^ {4}--trace /.test(l)) ?? '', /\b20\b/);
  assert.match(
    text.stdout,
    /^Verdict: \d+ findings \(high \d+, medium \d+, low \d+, info \d+\) · measures: \d+ failed, \d+ not assessed, \d+ partially assessed, (\d+ platform-checked, )?\d+ organisational, 0 passed$/m,
  );
  assert.match(zh.stdout, /^结论：\d+ 个问题（高 \d+，中 \d+，低 \d+，提示 \d+） · 措施：不符合 \d+，未评估 \d+/m);
  assert.match(zh.stdout, /^ {2}未评估 \(\d+\) .*\b20\b/m);

  // Markdown: the row of measure 20 says "not assessed" and names the option.
  const row20 = md.stdout.split('\n').find((l) => l.startsWith('| 20 |'));
  assert.ok(row20 && /not assessed/.test(row20) && /--trace/.test(row20), row20);

  // HTML: every row's badge is its own status; only passed rows are green, and here there are none.
  const rows = [...html.stdout.matchAll(/<tr data-measure="([^"]+)" data-status="([^"]+)">.*?<span class="status status-([a-z-]+)">/g)];
  assert.equal(rows.length, 26);
  for (const [, measure, status, badge] of rows) assert.equal(badge, status, measure);
  assert.ok(rows.some(([, m, s]) => m === 'miit26-20' && s === 'not-assessed'));
  assert.doesNotMatch(html.stdout, /class="status status-passed"/);
  // A permission's protection level is said once: a dangerous one as its badge, with its other flags.
  const camera =
    /<tr class="dangerous"><th scope="row"><code>android\.permission\.CAMERA<\/code><\/th><td>(.*?)<\/td>/.exec(html.stdout)?.[1] ?? '';
  const english = camera.replace(/<span class="t-zh"[^>]*>.*?<\/span>/g, '').replace(/<[^>]+>/g, '');
  assert.equal(english, 'dangerous instant');
  // A finding serving several measures (dynamic code: 15, 18, 21) appears once.
  const fingerprints = [...html.stdout.matchAll(/data-fingerprint="([0-9a-f]{16})"/g)].map((m) => m[1]!);
  assert.equal(new Set(fingerprints).size, fingerprints.length, 'each finding once in the HTML report');

  // SARIF: valid, and each rule that did not run is a notification naming its rule and what it lacked.
  const log = JSON.parse(sarif.stdout) as {
    runs: {
      invocations: { toolExecutionNotifications?: { level: string; message: { text: string }; associatedRule?: { id: string } }[] }[];
    }[];
  };
  assert.ok(sarifValidator()(log));
  const notes = log.runs[0]!.invocations[0]!.toolExecutionNotifications ?? [];
  const report = json(await runCliAsync([...BASE, '--format', 'json']));
  const skipped = report.rules.filter((o) => o.status !== 'ran').map((o) => o.id);
  assert.deepEqual(
    notes.map((n) => n.associatedRule?.id),
    skipped,
  );
  const trace = notes.find((n) => n.associatedRule?.id === 'runtime-pi-before-consent');
  assert.match(trace?.message.text ?? '', /skipped: needs trace \(--trace\)/);
});
