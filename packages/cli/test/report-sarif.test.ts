/**
 * `scan --format sarif` on real APKs, checked against the SARIF 2.1.0 JSON schema as Microsoft's
 * SARIF SDK publishes it (shipped in the pinned @microsoft/jest-sarif devDependency, not copied
 * into this repository), and against the JSON report of the same scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allRules, type ScanReport } from '@apprights/rules';
import { renderScanReport } from '@apprights/report';
import { realApks } from '@apprights/testkit';
import {
  describeRun,
  repoRoot,
  runCliAsync,
  SARIF_SCHEMA_PACKAGE as SCHEMA_PACKAGE,
  sarifValidator,
  tempDir,
  writeTemp,
} from './helpers.js';

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string; index?: number } };
  logicalLocations?: { name: string; fullyQualifiedName?: string; kind?: string }[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions: { kind: string; justification: string }[];
  properties: { measures: string[] };
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          defaultConfiguration: { level: string };
          help: { text: string; markdown: string };
          properties: { measures: string[] };
        }[];
      };
    };
    invocations: { executionSuccessful: boolean }[];
    originalUriBaseIds: Record<string, { uri: string }>;
    artifacts: { location: { uri: string }; length: number; hashes: Record<string, string> }[];
    results: SarifResult[];
    taxonomies: { name: string; version: string; taxa: { id: string; properties: { assessment: string } }[] }[];
  }[];
}

interface JsonReport {
  file: { path: string; sha256: string; size: number };
  rules: { id: string; status: string }[];
  findings: {
    ruleId: string;
    fingerprint: string;
    severity: string;
    evidence: { kind: string; artifact?: string | null; element?: string; name?: string; class?: string; method?: string }[];
    suppressed?: { reason: string };
  }[];
}

const LEVELS: Record<string, string> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

const validate = sarifValidator();

function schemaErrorText(): string {
  return (validate.errors ?? [])
    .slice(0, 20)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

const dir = tempDir();
// Suppressions of two kinds, so the log must carry both a rule-wide and a path-matched one.
const config = writeTemp(
  dir,
  'apprights.config.json',
  JSON.stringify({
    suppressions: [
      { rule: 'debuggable', reason: 'test build: release builds are not debuggable' },
      { rule: 'exported-components', path: 'io.appium.settings.receivers.*', reason: 'receivers are driven by adb on test devices only' },
      { rule: 'exported-components', path: 'io.appium.android.apis.app.*', reason: 'API demo activities are meant to be launched' },
    ],
  }),
);

async function scanBoth(apk: string): Promise<{ sarif: SarifLog; json: JsonReport }> {
  const [sarifRun, jsonRun] = await Promise.all([
    runCliAsync(['scan', apk, '--config', config, '--format', 'sarif']),
    runCliAsync(['scan', apk, '--config', config, '--format', 'json']),
  ]);
  assert.equal(sarifRun.status, 0, describeRun(sarifRun));
  assert.equal(jsonRun.status, 0, describeRun(jsonRun));
  return { sarif: JSON.parse(sarifRun.stdout) as SarifLog, json: JSON.parse(jsonRun.stdout) as JsonReport };
}

for (const [name, apk] of [
  ['ApiDemos', realApks.apiDemos],
  ['Appium Settings', realApks.settings],
] as const) {
  test(
    `sarif: ${name} validates against the SARIF 2.1.0 schema and matches the JSON report`,
    { skip: existsSync(apk) ? false : `skipped: ${apk} is not installed` },
    async () => {
      const { sarif, json } = await scanBoth(apk);
      assert.ok(validate(sarif), `SARIF schema errors:\n${schemaErrorText()}`);
      assert.equal(sarif.version, '2.1.0');
      assert.equal(sarif.runs.length, 1);
      const run = sarif.runs[0]!;
      assert.equal(run.tool.driver.name, 'AppRights');
      // A rule that did not run is a notification (a note: nothing failed, evidence was missing).
      assert.equal(run.invocations.length, 1);
      assert.equal(run.invocations[0]!.executionSuccessful, true);
      const notes = (run.invocations[0] as { toolExecutionNotifications?: { level: string; associatedRule?: { id: string } }[] })
        .toolExecutionNotifications;
      assert.deepEqual(
        (notes ?? []).map((n) => [n.associatedRule?.id, n.level]),
        json.rules.filter((o) => o.status !== 'ran').map((o) => [o.id, 'note']),
      );

      // One descriptor per rule, in registry order, so ruleIndex is stable between runs.
      assert.deepEqual(
        run.tool.driver.rules.map((r) => r.id),
        allRules.map((r) => r.meta.id),
      );
      for (const [i, rule] of allRules.entries()) {
        const d = run.tool.driver.rules[i]!;
        assert.equal(d.defaultConfiguration.level, LEVELS[rule.meta.severity]);
        assert.deepEqual(d.properties.measures, rule.meta.measures);
        assert.ok(d.help.text.includes(rule.meta.fix.en) && d.help.text.includes(rule.meta.fix.zh), `${rule.meta.id}: help has both fixes`);
      }
      assert.deepEqual(
        run.taxonomies[0]!.taxa.map((t) => t.id),
        Array.from({ length: 26 }, (_, i) => `miit26-${String(i + 1).padStart(2, '0')}`),
      );
      assert.equal(run.taxonomies[0]!.version, '2', 'the measure catalogue version');
      assert.equal(run.taxonomies[0]!.taxa[16]!.properties.assessment, 'platform');

      // The package: a base id ending in `/` for its entries, and the file itself with its hash.
      const apkUri = pathToFileURL(json.file.path).href;
      assert.equal(run.originalUriBaseIds.APK!.uri, `${apkUri}/`);
      assert.equal(run.artifacts[0]!.location.uri, apkUri);
      assert.equal(run.artifacts[0]!.hashes['sha-256'], json.file.sha256);
      assert.equal(run.artifacts[0]!.length, json.file.size);

      assert.equal(run.results.length, json.findings.length);
      let suppressed = 0;
      run.results.forEach((r, i) => {
        const f = json.findings[i]!;
        const where = `result ${i} (${r.ruleId})`;
        assert.equal(r.ruleId, f.ruleId, where);
        assert.equal(run.tool.driver.rules[r.ruleIndex!]!.id, r.ruleId, `${where}: ruleIndex points at its rule`);
        assert.equal(r.level, LEVELS[f.severity], where);
        assert.equal(r.partialFingerprints['apprightsFingerprint/v1'], f.fingerprint, where);
        assert.ok(r.locations.length > 0 && r.locations.some((l) => l.physicalLocation), `${where}: has a physical location`);
        if (f.suppressed) {
          suppressed++;
          assert.deepEqual(
            r.suppressions.map((s) => [s.kind, s.justification]),
            [['external', f.suppressed.reason]],
            where,
          );
        } else assert.deepEqual(r.suppressions, [], `${where}: not suppressed`);

        for (const e of f.evidence) {
          const logical = r.locations.flatMap((l) => l.logicalLocations ?? []);
          if (e.kind === 'code' && e.method) {
            assert.ok(
              logical.some((l) => l.kind === 'function' && l.fullyQualifiedName === `${e.class}.${e.method}`),
              `${where}: the calling method is a logical location`,
            );
          }
          if (
            e.kind === 'manifest' &&
            e.name &&
            e.element &&
            ['activity', 'activity-alias', 'service', 'receiver', 'provider'].includes(e.element)
          ) {
            assert.ok(
              logical.some((l) => l.name === e.name && l.kind === 'type'),
              `${where}: the component ${e.name} is a logical location`,
            );
          }
          if ((e.kind === 'manifest' || e.kind === 'code') && e.artifact) {
            assert.ok(
              r.locations.some(
                (l) =>
                  l.physicalLocation?.artifactLocation.uriBaseId === 'APK' &&
                  decodeURI(l.physicalLocation.artifactLocation.uri) === e.artifact,
              ),
              `${where}: points at ${e.artifact} inside the APK`,
            );
          }
        }
      });
      assert.ok(suppressed > 0, 'the configuration suppressed something');
      assert.ok(
        run.results.some((r) => r.suppressions.length === 0),
        'and left something unsuppressed',
      );
    },
  );
}

test('sarif: odd entry names become valid URIs, evidence-less findings point at the package, rule failures are notified', async () => {
  const r = await runCliAsync(['scan', realApks.settings, '--no-config', '--format', 'json']);
  assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(r.stdout) as ScanReport;
  const base = report.findings[0]!;
  report.findings = [
    {
      ...base,
      evidence: [{ kind: 'code', artifact: 'assets/plug in#1/类.dex', class: 'a.B', method: 'run()V' }],
      fingerprint: '0000000000000001',
    },
    { ...base, evidence: [{ kind: 'store', field: 'appType', value: 'x' }], fingerprint: '0000000000000002' },
  ];
  report.rules = [...report.rules, { id: allRules[0]!.meta.id, status: 'error', error: 'boom', findings: 0 }];
  const log = JSON.parse(renderScanReport(report, 'sarif', 'en')) as SarifLog & {
    runs: { invocations: { toolExecutionNotifications?: { message: { text: string }; associatedRule?: { id: string } }[] }[] }[];
  };
  assert.ok(validate(log), `SARIF schema errors:\n${schemaErrorText()}`);
  const [coded, storeOnly] = log.runs[0]!.results;
  const artifact = coded!.locations[0]!.physicalLocation!.artifactLocation;
  assert.equal(artifact.uri, 'assets/plug%20in%231/%E7%B1%BB.dex');
  assert.equal(artifact.uriBaseId, 'APK');
  assert.deepEqual(storeOnly!.locations[0]!.physicalLocation!.artifactLocation, { uri: pathToFileURL(report.file.path).href, index: 0 });
  // Every rule that did not run is a notification; the one that failed is an error naming its message.
  const notes = (log.runs[0]!.invocations[0]!.toolExecutionNotifications ?? []) as {
    level?: string;
    message: { text: string };
    associatedRule?: { id: string };
  }[];
  assert.equal(notes.length, report.rules.filter((o) => o.status !== 'ran').length);
  const failed = notes.filter((n) => n.level === 'error');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.message.text, /boom/);
  assert.equal(failed[0]!.associatedRule?.id, allRules[0]!.meta.id);
});

test('sarif: the validator rejects a broken log (the schema check has teeth)', () => {
  const broken = { version: '2.1.0', runs: [{ tool: { driver: { name: 'AppRights' } }, results: [{ message: {}, level: 'fatal' }] }] };
  assert.equal(validate(broken), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x', informationUri: 'not a uri' } } }] }), false);
});

test('sarif: the schema comes from the pinned package, not from this repository', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  assert.match(pkg.devDependencies[SCHEMA_PACKAGE] ?? '', /^\d+\.\d+\.\d+/, `${SCHEMA_PACKAGE} is a pinned devDependency`);
});
