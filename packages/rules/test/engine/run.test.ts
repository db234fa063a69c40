import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCoverage, emptyConfig, gateFails, globMatches, parseConfig, runRules, type Rule } from '../../src/index.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { loadKnowledge } from '@apprights/knowledge';

const knowledge = loadKnowledge();

function rule(id: string, measures: string[], produce: () => ReturnType<Rule['check']>, patch: Partial<Rule['meta']> = {}): Rule {
  return {
    meta: {
      id,
      measures,
      evidence: ['apk'],
      severity: 'medium',
      title: { zh: id, en: id },
      description: { zh: id, en: id },
      fix: { zh: id, en: id },
      messages: { finding: { zh: '{key}', en: '{key}' } },
      ...patch,
    },
    check: produce,
  };
}

const finding = (key: string, sdk?: string) => ({
  key,
  messageId: 'finding',
  messageData: { key },
  evidence: [{ kind: 'code' as const, artifact: 'classes2.dex', class: `com.vendor.${key}`, sdk: sdk ?? null }],
});

test('runRules: findings get rule id, measures, severity and a stable fingerprint; duplicates by key merge', () => {
  const rules = [rule('a', ['m1'], () => [finding('x'), finding('x'), finding('y')])];
  const first = runRules(evidenceOf(makeFacts()), rules, emptyConfig(), knowledge);
  const again = runRules(evidenceOf(makeFacts()), rules, emptyConfig(), knowledge);
  assert.equal(first.findings.length, 2);
  assert.deepEqual(first.findings[0]!.measures, ['m1']);
  assert.equal(first.findings[0]!.severity, 'medium');
  assert.match(first.findings[0]!.fingerprint, /^[0-9a-f]{16}$/);
  assert.deepEqual(
    first.findings.map((f) => f.fingerprint),
    again.findings.map((f) => f.fingerprint),
  );
  assert.deepEqual(first.rules, [{ id: 'a', status: 'ran', findings: 2 }]);
});

test('runRules: disabled, skipped for missing evidence, re-severitied, and a throwing rule does not stop the run', () => {
  const rules = [
    rule('off', ['m1'], () => [finding('x')]),
    rule('needs-store', ['m1'], () => [finding('x')], { evidence: ['apk', 'store'] }),
    rule('louder', ['m1'], () => [finding('x')]),
    rule('broken', ['m1'], () => {
      throw new Error('boom');
    }),
  ];
  const config = parseConfig({ rules: { off: 'off', louder: 'high' } });
  const result = runRules(evidenceOf(makeFacts()), rules, config, knowledge);
  assert.deepEqual(result.rules, [
    { id: 'off', status: 'disabled', findings: 0 },
    { id: 'needs-store', status: 'skipped', missing: ['store'], findings: 0 },
    { id: 'louder', status: 'ran', findings: 1 },
    { id: 'broken', status: 'error', error: 'boom', findings: 0 },
  ]);
  assert.equal(result.findings[0]!.severity, 'high');
});

test('runRules: a rule for other package kinds is not-applicable, and does not make its measure pass', () => {
  const rules = [rule('manifest-only', ['m'], () => [], { appliesTo: ['apk', 'aar'] })];
  const facts = makeFacts();
  facts.file.kind = 'jar';
  const evidence = evidenceOf(facts);
  const result = runRules(evidence, rules, emptyConfig(), knowledge);
  assert.deepEqual(result.rules, [{ id: 'manifest-only', status: 'not-applicable', findings: 0 }]);
  const [entry] = computeCoverage([{ id: 'm', evidence: ['apk', 'ui'], rules: ['manifest-only'] }], rules, result, evidence);
  assert.equal(entry!.status, 'not-assessed');
  assert.deepEqual(entry!.missing, ['ui']);
  assert.deepEqual(entry!.supplyWith, ['--ui']);
  assert.deepEqual(entry!.notRun, ['manifest-only']);
});

test('suppressions: by rule, path glob, SDK and fingerprint; suppressed findings stay, marked with the reason', () => {
  const rules = [rule('a', ['m1'], () => [finding('One', 'jpush'), finding('Two', 'umeng'), finding('Three')])];
  const config = parseConfig({
    suppressions: [
      { rule: 'a', sdk: 'jpush', reason: 'disclosed in policy v3' },
      { rule: '*', path: 'com.vendor.Thr*', reason: 'reviewed' },
    ],
  });
  const result = runRules(evidenceOf(makeFacts()), rules, config, knowledge);
  assert.equal(result.findings.length, 3);
  const by = Object.fromEntries(result.findings.map((f) => [f.evidence[0]!.kind === 'code' ? f.evidence[0]!.class : '', f.suppressed]));
  assert.deepEqual(by['com.vendor.One'], { reason: 'disclosed in policy v3', by: 'rule=a sdk=jpush' });
  assert.equal(by['com.vendor.Two'], undefined);
  assert.deepEqual(by['com.vendor.Three'], { reason: 'reviewed', by: 'rule=* path=com.vendor.Thr*' });
  const fp = result.findings.find((f) => !f.suppressed)!.fingerprint;
  const exact = runRules(
    evidenceOf(makeFacts()),
    rules,
    parseConfig({ suppressions: [{ rule: 'a', fingerprint: fp, reason: 'accepted' }] }),
    knowledge,
  );
  assert.equal(exact.findings.filter((f) => f.suppressed).length, 1);
});

test('coverage: every measure once; passed only when all its deciding evidence was examined', () => {
  const rules = [
    rule('fails', ['m-fail'], () => [finding('x')]),
    rule('clean', ['m-pass', 'm-static-of-trace'], () => []),
    rule('info-only', ['m-pass-info'], () => [{ ...finding('x'), severity: 'info' as const }]),
    rule('inventory', ['m-inventory'], () => [finding('x')], { kind: 'inventory', severity: 'info' }),
    rule('store', ['m-store'], () => [finding('x')], { evidence: ['apk', 'store'] }),
    rule('on-trace', ['m-static-of-trace'], () => [], { evidence: ['trace'] }),
  ];
  const measures = [
    { id: 'm-fail', evidence: ['apk', 'trace'] as const, rules: ['fails'] },
    { id: 'm-pass', evidence: ['apk'] as const, rules: ['clean'] },
    { id: 'm-pass-info', evidence: ['apk'] as const, rules: ['info-only'] },
    { id: 'm-inventory', evidence: ['apk', 'policy'] as const, rules: ['inventory'] },
    { id: 'm-store', evidence: ['apk', 'store'] as const, rules: ['store'] },
    { id: 'm-ui', evidence: ['ui'] as const, rules: [] },
    { id: 'm-org', evidence: ['org'] as const, rules: [] },
    { id: 'm-apk-org', evidence: ['apk', 'org'] as const, rules: ['clean'] },
    // A package rule ran clean, but the measure is about runtime behaviour: not assessed without a trace.
    { id: 'm-static-of-trace', evidence: ['apk', 'trace'] as const, rules: ['clean', 'on-trace'] },
  ];
  const evidence = evidenceOf(makeFacts());
  const result = runRules(evidence, rules, emptyConfig(), knowledge);
  const coverage = computeCoverage(measures, rules, result, evidence);
  assert.deepEqual(
    coverage.map((c) => [c.measure, c.status, c.missing, c.manual, c.supplyWith]),
    [
      ['m-fail', 'failed', ['trace'], [], ['--trace']],
      ['m-pass', 'passed', [], [], []],
      ['m-pass-info', 'passed', [], [], []],
      // The inventory rule lists SDKs without judging them: the package is left to a person.
      ['m-inventory', 'not-assessed', ['policy'], ['apk'], ['--policy']],
      ['m-store', 'not-assessed', ['store'], [], ['--app-type', '--store-listing']],
      ['m-ui', 'not-assessed', ['ui'], [], ['--ui']],
      ['m-org', 'organisational', [], ['org'], []],
      ['m-apk-org', 'partially-assessed', [], ['org'], []],
      ['m-static-of-trace', 'not-assessed', ['trace'], [], ['--trace']],
    ],
  );
  assert.equal(coverage[0]!.findings, 1);
  assert.deepEqual(coverage.at(-1)!.notRun, ['on-trace']);

  // With the trace, the same measure is assessed, and passes: every deciding kind was examined.
  const withTrace = { ...evidence, trace: {} as never };
  const traced = computeCoverage(measures, rules, runRules(withTrace, rules, emptyConfig(), knowledge), withTrace);
  assert.equal(traced.at(-1)!.status, 'passed');
  // Supplied but read by no rule of the measure: left to a person, and only the package was read.
  const withUi = { ...evidence, ui: { source: 'x', snapshots: [] } };
  const ui = computeCoverage(
    [{ id: 'm', evidence: ['apk', 'ui'], rules: ['clean'] }],
    rules,
    runRules(withUi, rules, emptyConfig(), knowledge),
    withUi,
  );
  assert.deepEqual([ui[0]!.status, ui[0]!.missing, ui[0]!.manual], ['not-assessed', [], ['ui']]);
});

test('gateFails: only unsuppressed findings at or above the threshold; info never gates', () => {
  const rules = [rule('a', ['m'], () => [finding('x')])];
  const { findings } = runRules(evidenceOf(makeFacts()), rules, emptyConfig(), knowledge);
  assert.equal(gateFails(findings, 'medium'), true);
  assert.equal(gateFails(findings, 'low'), true);
  assert.equal(gateFails(findings, 'high'), false);
  assert.equal(gateFails(findings, 'none'), false);
  const suppressed = runRules(
    evidenceOf(makeFacts()),
    rules,
    parseConfig({ suppressions: [{ rule: 'a', reason: 'accepted' }] }),
    knowledge,
  );
  assert.equal(gateFails(suppressed.findings, 'low'), false);
});

test('globMatches: * is any run of characters, the rest literal, whole string; long hostile names stay fast', () => {
  assert.equal(globMatches('com.vendor.*', 'com.vendor.push.Core'), true);
  assert.equal(globMatches('com.vendor.*', 'com.vendorx.Core'), false);
  assert.equal(globMatches('*Receiver', 'cn.jpush.PushReceiver'), true);
  assert.equal(globMatches('a.b', 'aXb'), false, 'the dot is literal');
  assert.equal(globMatches('res/*.png', 'res/mipmap/ic.png'), true);
  assert.equal(globMatches('', ''), true);
  assert.equal(globMatches('*', ''), true);
  const long = 'a'.repeat(20000);
  const started = performance.now();
  assert.equal(globMatches('*a*a*a*a*a*a*b', long), false);
  assert.ok(performance.now() - started < 2000, 'no catastrophic backtracking');
});

test('runRules: a finding may concern only some of its rule’s measures, and coverage counts it only there', () => {
  const rules = [rule('several', ['m1', 'm2'], () => [{ ...finding('only-m2'), measures: ['m2', 'not-served'] }, { ...finding('both') }])];
  const result = runRules(evidenceOf(makeFacts()), rules, emptyConfig(), knowledge);
  const byKey = new Map(result.findings.map((f) => [f.message.en, f.measures]));
  assert.deepEqual(byKey.get('only-m2'), ['m2']);
  assert.deepEqual(byKey.get('both'), ['m1', 'm2']);
  const onlyM2 = runRules(
    evidenceOf(makeFacts()),
    [rule('one', ['m1', 'm2'], () => [{ ...finding('x'), measures: ['m2'] }])],
    emptyConfig(),
    knowledge,
  );
  const coverage = computeCoverage(
    [
      { id: 'm1', evidence: ['apk'], rules: ['one'] },
      { id: 'm2', evidence: ['apk'], rules: ['one'] },
    ],
    [rule('one', ['m1', 'm2'], () => [])],
    onlyM2,
    evidenceOf(makeFacts()),
  );
  assert.deepEqual(
    coverage.map((c) => [c.measure, c.status, c.findings]),
    [
      ['m1', 'passed', 0],
      ['m2', 'failed', 1],
    ],
  );
});

test('coverage: a store’s or an organisation’s duty is platform-checked or organisational; findings count as signals', () => {
  const rules = [rule('signal', ['m-platform', 'm-organisation'], () => [finding('x')])];
  const measures = [
    { id: 'm-platform', evidence: ['apk', 'store', 'org'] as const, rules: ['signal'], assessment: 'platform' as const },
    { id: 'm-organisation', evidence: ['apk', 'org'] as const, rules: ['signal'], assessment: 'organisation' as const },
    { id: 'm-platform-clean', evidence: ['store', 'org'] as const, rules: [], assessment: 'platform' as const },
  ];
  const evidence = evidenceOf(makeFacts());
  const coverage = computeCoverage(measures, rules, runRules(evidence, rules, emptyConfig(), knowledge), evidence);
  assert.deepEqual(
    coverage.map((c) => [c.measure, c.status, c.findings, c.needs]),
    [
      ['m-platform', 'platform-checked', 1, []],
      ['m-organisation', 'organisational', 1, []],
      ['m-platform-clean', 'platform-checked', 0, []],
    ],
  );
});

test("runRules: a fix is worded from its edits; one from a rule without meta.fixable, or a malformed one, is the rule's error", () => {
  const fix = { edits: [{ target: { element: 'application' as const }, attribute: 'allowBackup', value: 'false' }] };
  const withFix = () => [{ ...finding('x'), fix }];
  const ok = runRules(evidenceOf(makeFacts()), [rule('fixer', ['m1'], withFix, { fixable: 'manifest' })], emptyConfig(), knowledge);
  assert.deepEqual(ok.findings[0]!.fix, {
    description: { zh: '将 <application> 的 android:allowBackup 设为 "false"。', en: 'Set android:allowBackup="false" on <application>.' },
    edits: fix.edits,
  });
  const undeclared = runRules(evidenceOf(makeFacts()), [rule('sneaky', ['m1'], withFix)], emptyConfig(), knowledge);
  assert.equal(undeclared.rules[0]!.status, 'error');
  assert.match(undeclared.rules[0]!.error!, /without declaring meta\.fixable/);
  const bad = (edit: object) =>
    runRules(
      evidenceOf(makeFacts()),
      [rule('bad', ['m1'], () => [{ ...finding('x'), fix: { edits: [edit] } }] as never, { fixable: 'manifest' })],
      emptyConfig(),
      knowledge,
    ).rules[0]!;
  assert.equal(bad({ target: { element: 'application' }, attribute: 'a b', value: 'x' }).status, 'error');
  assert.equal(bad({ target: { element: 'script' }, attribute: 'x', value: 'x' }).status, 'error');
  assert.equal(bad({ target: { element: 'activity', name: '' }, attribute: 'exported', value: 'false' }).status, 'error');
  assert.equal(bad({ target: { element: 'application' }, attribute: 'label', value: 'a\nb' }).status, 'error');
});
