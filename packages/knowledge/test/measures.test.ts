import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appTypes, knowledgeDataDir, loadMeasureCatalog, measureIds, type Measure, type MeasureScenario } from '../src/index.js';

const catalog = loadMeasureCatalog();
const original = JSON.parse(readFileSync(join(knowledgeDataDir(), 'measures.json'), 'utf8')) as Record<string, unknown>;

type Raw = Record<string, unknown> & { id: string };
interface RawCatalog {
  sources: Raw[];
  groups: Raw[];
  measures: (Raw & { related: string[]; rules: string[]; actors: string[]; evidence: string[]; source: Record<string, unknown> })[];
  scenarios: (Raw & { measures: string[] })[];
  tasks: (Raw & { measures: string[] })[];
  requirements: (Raw & { measures: string[] })[];
  parameters: Raw[];
}

let counter = 0;
/** Loads an edited copy of the shipped file from a fresh folder (the loader caches per folder). */
function loadBroken(edit: (data: RawCatalog) => void): void {
  const data = structuredClone(original) as unknown as RawCatalog;
  edit(data);
  const dir = mkdtempSync(join(tmpdir(), `apprights-measures-${counter++}-`));
  try {
    writeFileSync(join(dir, 'measures.json'), JSON.stringify(data));
    loadMeasureCatalog(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(data: RawCatalog, id: string) {
  return data.measures.find((m) => m.id === id)!;
}

test('measures: exactly 26, numbered 1..26, ids miit26-01..26', () => {
  assert.equal(catalog.measures.length, 26);
  assert.deepEqual(
    catalog.measures.map((m) => m.number),
    Array.from({ length: 26 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    measureIds(),
    ['01', '02', '03', '04', '05', '06', '07', '08', '09', ...Array.from({ length: 17 }, (_, i) => `${i + 10}`)].map((n) => `miit26-${n}`),
  );
  assert.ok(Object.isFrozen(catalog.measures) && Object.isFrozen(catalog.measures[0]));
});

test('measures: 12 in Part 一 grouped 3/4/3/2, 14 in Part 二 over five actors', () => {
  const user = catalog.measures.filter((m) => m.part === 'user');
  const actors = catalog.measures.filter((m) => m.part === 'actors');
  assert.equal(user.length, 12);
  assert.equal(actors.length, 14);
  const count = (list: readonly Measure[]) => {
    const out: Record<string, number> = {};
    for (const m of list) out[m.group] = (out[m.group] ?? 0) + 1;
    return out;
  };
  assert.deepEqual(count(user), { 'install-uninstall': 3, 'service-experience': 4, 'personal-information': 3, 'user-demands': 2 });
  assert.deepEqual(count(actors), { 'app-operators': 3, 'distribution-platforms': 3, sdks: 3, terminals: 3, 'network-access': 2 });
  assert.deepEqual(
    catalog.groups.map((g) => g.id),
    [
      'install-uninstall',
      'service-experience',
      'personal-information',
      'user-demands',
      'app-operators',
      'distribution-platforms',
      'sdks',
      'terminals',
      'network-access',
    ],
  );
  // Numbering confirmed for 5-7 (regulation.md §1.2) and by the interpretation's order: 4 windows/shake, 6 self-start, 7 auto-renewal.
  assert.ok(catalog.measures[3]!.rules.includes('shake-ad-sdk'));
  assert.match(catalog.measures[6]!.summary.en, /five days/i);
  assert.ok(catalog.measures[5]!.rules.includes('self-start-receivers'));
});

test('measures: titles as MIIT states them; 13-26 from its interpretation, with actors and where each is checked', () => {
  const interpretation = catalog.source('miit-2023-26-interpretation');
  assert.equal(interpretation?.date, '2023-02-28');
  for (const m of catalog.measures) {
    // 1-12 are the notice's, read through its news summary, draft and interpretation; 13-26 come from the interpretation alone.
    assert.equal(m.source.document, m.number <= 12 ? 'miit-2023-26' : 'miit-2023-26-interpretation', m.id);
    if (m.number <= 12) assert.match(m.source.locator, /interpretation §三/, `${m.id}: names where the interpretation confirms it`);
    if (m.number >= 13) assert.match(m.note ?? '', /interpretation/, `${m.id} must say where it comes from`);
  }
  // The interpretation's own words (§三, §五-§八).
  const titles = catalog.measures.map((m) => m.title.zh);
  assert.deepEqual(titles, [
    '确保知情同意安装',
    '规范网页推荐下载行为',
    '实现便捷卸载',
    '窗口关闭用户可选',
    '服务事项提前告知',
    '启动运行场景合理',
    '服务续期及时提醒',
    '坚持合法正当必要原则',
    '明示个人信息处理规则',
    '合理申请使用权限',
    '设立客服热线',
    '妥善处理用户投诉',
    '完善内部管理机制',
    '增强技术保障能力',
    '加强SDK使用管理',
    '严格APP上架审核',
    '强化在架APP巡查',
    '完善分发管理机制',
    '建立信息公示机制',
    '优化功能配置',
    '加强服务协同',
    '强化运行管理能力',
    '强化记录提醒能力',
    '强化风险预警能力',
    '夯实信息登记责任',
    '夯实处置责任',
  ]);
  const actorsOf = (from: number, to: number) => new Set(catalog.measures.slice(from - 1, to).flatMap((m) => m.actors));
  assert.deepEqual([...actorsOf(13, 15)], ['app-operator']);
  assert.deepEqual([...actorsOf(16, 18)], ['distribution-platform']);
  assert.deepEqual([...actorsOf(19, 21)], ['sdk']);
  assert.deepEqual([...actorsOf(22, 24)], ['terminal']);
  assert.deepEqual([...actorsOf(25, 26)], ['network-access']);
  // The contradictions the rebuild removed: no terminal measure about preinstalled apps or re-flashing.
  for (const m of catalog.measures.filter((x) => x.group === 'terminals'))
    assert.doesNotMatch(`${m.title.en} ${m.summary.en}`, /preinstall|re-flash/i, m.id);
  assert.match(catalog.measures[20]!.summary.en, /compliance-use guide/);
  assert.match(catalog.measures[14]!.summary.en, /responsible/);
  assert.match(catalog.measures[17]!.summary.en, /credit evaluation/);
  // Where each can be checked: the app for Part 一 and 14, 15, 20; a store or a device for 16-18 and 22-24.
  const by = (kind: string) => catalog.measures.filter((m) => m.assessment === kind).map((m) => m.number);
  assert.deepEqual(by('platform'), [16, 17, 18, 22, 23, 24]);
  assert.deepEqual(by('organisation'), [13, 19, 21, 25, 26]);
  assert.deepEqual(by('app'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 20]);
  for (const m of catalog.measures) if (m.assessment !== 'app' && m.number !== 17) assert.deepEqual(m.rules, [], m.id);
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) assert.equal(catalog.measures[n - 1]!.source.confidence, 'C', `measure ${n}`);
  for (const n of [11, 12, 25, 26]) assert.equal(catalog.measures[n - 1]!.source.confidence, 'P', `measure ${n}`);
  assert.equal(catalog.source('miit-2023-26')?.url, 'https://www.gov.cn/zhengce/zhengceku/2023-03/02/content_5744106.htm');
  assert.equal(catalog.version, 2, 'bump the version (reports state it) when measures change');
});

test('measures: rule ids as assigned to the automated rules', () => {
  // The runtime rules (runtime-*) are checked on their own below.
  const rulesOf = (n: number) => catalog.measures[n - 1]!.rules.filter((r) => !r.startsWith('runtime-'));
  assert.deepEqual(rulesOf(13), []);
  assert.deepEqual(rulesOf(14), [
    'debuggable',
    'cleartext-traffic',
    'allow-backup',
    'exported-components',
    'weak-signature',
    'unsafe-entry-names',
  ]);
  assert.deepEqual(rulesOf(3), ['uninstall-obstruction']);
  // Dynamic code is what a store's patrol looks for: a signal for 17, nowhere else.
  assert.deepEqual(
    catalog.measures.filter((m) => m.rules.includes('dynamic-code-loading')).map((m) => m.number),
    [17],
  );
  assert.deepEqual([...rulesOf(15)].sort(), [
    'policy-sdk-not-found',
    'policy-sdk-undisclosed',
    'policy-third-party-list',
    'sdk-disclosure-list',
  ]);
  assert.deepEqual([...rulesOf(10)].sort(), [
    'legacy-storage-permission',
    'permission-purpose-metadata',
    'permissions-unrelated-to-app-type',
    'policy-permission-unexplained',
    'sdk-requests-permissions',
  ]);
  assert.deepEqual(rulesOf(1), ['silent-install-capability', 'ui-download-without-confirmation', 'ui-download-six-elements']);
  assert.deepEqual(rulesOf(2), ['ui-download-without-confirmation']);
  assert.deepEqual(rulesOf(4), [
    'shake-ad-sdk',
    'ui-splash-close-control',
    'ui-popup-close-control',
    'ui-full-screen-jump',
    'ui-shake-jump',
  ]);
  assert.deepEqual([...rulesOf(20)].sort(), ['sdk-init-before-consent', 'sdk-requests-permissions']);
  // The policy rules: measure 9 (plain rules, lists, highlighting), 11 (contact channel), 12 (response time).
  assert.deepEqual([...rulesOf(9)].sort(), [
    'policy-collected-pi-list',
    'policy-required-elements',
    'policy-sensitive-not-highlighted',
    'policy-third-party-list',
  ]);
  assert.deepEqual(rulesOf(11), ['policy-required-elements']);
  assert.deepEqual(rulesOf(12), ['policy-response-time']);
  for (const n of [5, 7, 13, 16, 18, 19, 21, 22, 23, 24, 25, 26]) assert.deepEqual(rulesOf(n), [], `measure ${n}`);
  // The runtime-trace rules: consent and collection (8, 20), permission requests (10), self-start (6).
  const runtimeOf = (n: number) => catalog.measures[n - 1]!.rules.filter((r) => r.startsWith('runtime-'));
  assert.ok(runtimeOf(8).includes('runtime-pi-before-consent') && runtimeOf(8).includes('runtime-pi-frequency'));
  assert.ok(runtimeOf(10).includes('runtime-permission-reask') && runtimeOf(10).includes('runtime-permission-bundle'));
  assert.deepEqual(runtimeOf(20), ['runtime-pi-before-consent']);
  assert.deepEqual(runtimeOf(6), ['runtime-self-start']);
  assert.deepEqual(runtimeOf(21), []);
});

test('scenarios: the 31 of the 2019 认定方法 in categories of 4/4/9/6/3/5', () => {
  assert.equal(catalog.scenarios.length, 31);
  const perCategory = [1, 2, 3, 4, 5, 6].map((c) => catalog.scenarios.filter((s) => s.category === c).length);
  assert.deepEqual(perCategory, [4, 4, 9, 6, 3, 5]);
  for (const s of catalog.scenarios) {
    assert.equal(s.kind, 'scenario');
    assert.equal(s.document, 'cac-2019-rules');
    assert.match(s.id, new RegExp(`^cac2019-${s.category}\\.\\d$`));
  }
  assert.equal(catalog.scenarios[0]!.id, 'cac2019-1.1');
  assert.equal(catalog.scenarios[30]!.id, 'cac2019-6.5');
  assert.deepEqual(catalog.byId.get('cac2019-2.1')?.rules, [
    'sdk-disclosure-list',
    'policy-required-elements',
    'policy-third-party-list',
    'policy-sdk-undisclosed',
    'policy-permission-unexplained',
    'policy-api-pi-unmentioned',
  ]);
});

test('tasks: the 10 of 164号, four aspects', () => {
  assert.deepEqual(
    catalog.tasks.map((t) => t.id),
    Array.from({ length: 10 }, (_, i) => `miit164-t${i + 1}`),
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => catalog.tasks.filter((t) => t.category === a).length),
    [4, 2, 2, 2],
  );
  assert.ok(catalog.tasks.every((t) => t.kind === 'task' && t.document === 'miit-2020-164'));
  assert.deepEqual(catalog.byId.get('miit164-t6')?.rules, ['self-start-receivers', 'associated-start', 'runtime-self-start']);
});

test('requirements: the checkable rules the brief names, tied to their automated rules', () => {
  const expect: [string, string][] = [
    ['cac2021-necessary-pi', 'permissions-unrelated-to-app-type'],
    ['taf076-permission-purpose', 'permission-purpose-metadata'],
    ['gbt41391-non-resettable-ids', 'non-resettable-identifiers'],
    ['tc260-sdk-disclosure', 'sdk-disclosure-list'],
    ['tc260-sdk-hot-update', 'dynamic-code-loading'],
  ];
  for (const [id, rule] of expect) {
    const entry = catalog.byId.get(id) as MeasureScenario | undefined;
    assert.equal(entry?.kind, 'requirement', id);
    assert.equal(entry?.category, null, id);
    assert.ok(entry?.rules.includes(rule), `${id} should list ${rule}`);
  }
  // The necessary-PI requirement is the one data/app-types.json implements, for the same document.
  assert.equal(appTypes().length, 39);
  assert.equal((catalog.byId.get('cac2021-necessary-pi') as MeasureScenario).document, 'cac-2021-39');
  assert.deepEqual((catalog.byId.get('cac2021-necessary-pi') as MeasureScenario).measures, ['miit26-08']);
  // Tied to the measures they serve as MIIT's interpretation states them.
  const measuresOf = (id: string) => (catalog.byId.get(id) as MeasureScenario).measures;
  assert.deepEqual(
    measuresOf('miit2022-preinstall-uninstall'),
    ['miit26-03'],
    'preinstalled apps: measure 3, which cites the preinstall notice',
  );
  assert.deepEqual(measuresOf('tc260-sdk-hot-update'), ['miit26-15', 'miit26-17']);
  assert.deepEqual(measuresOf('tc260-sdk-disclosure'), ['miit26-15']);
  assert.deepEqual(measuresOf('miit164-t6'), ['miit26-06']);
  assert.deepEqual(measuresOf('miit164-t9'), ['miit26-01', 'miit26-16']);
  assert.deepEqual(measuresOf('miit2023-105-filing'), ['miit26-16', 'miit26-25']);
  assert.deepEqual(
    catalog.parameter('preinstall.maxNonRemovablePerFunction').related.filter((r) => r.startsWith('miit26-')),
    ['miit26-03'],
  );
});

test('parameters: shake thresholds from T/TAF 078.7-2022, 48 h as industry practice', () => {
  const p = (id: string) => catalog.parameter(id);
  assert.deepEqual(
    ['shake.acceleration', 'shake.rotation', 'shake.duration'].map((id) => [p(id).value, p(id).unit, p(id).source, p(id).confidence]),
    [
      [15, 'm/s²', 'taf-078', 'C'],
      [35, '°', 'taf-078', 'C'],
      [3, 's', 'taf-078', 'C'],
    ],
  );
  assert.equal(p('permission.reaskAfterRefusal').value, 48);
  assert.equal(p('permission.reaskAfterRefusal').unit, 'h');
  assert.equal(p('permission.reaskAfterRefusal').practice, 'industry');
  assert.equal(p('permission.reaskAfterRefusal').source, 'industry-practice');
  assert.equal(p('renewal.reminderDays').value, 5);
  assert.equal(p('policy.maxTaps').value, 4);
  assert.equal(p('complaint.maxWorkingDays').value, 15);
  assert.equal(p('complaint.timelinessRate').value, 0.95);
  // Only the 48 h value lacks a binding text.
  assert.deepEqual(
    catalog.parameters.filter((x) => x.practice === 'industry').map((x) => x.id),
    ['permission.reaskAfterRefusal'],
  );
  assert.throws(() => p('shake.accel'), /no parameter "shake.accel"/);
});

test('every entry has Chinese and English text, evidence, and resolvable links', () => {
  const hasChinese = /[\u4e00-\u9fff]/;
  const entries = [...catalog.measures, ...catalog.scenarios, ...catalog.tasks, ...catalog.requirements];
  assert.equal(catalog.byId.size, entries.length);
  for (const e of entries) {
    for (const text of [e.title, e.summary]) {
      assert.match(text.zh, hasChinese, `${e.id}: zh`);
      assert.match(text.en, /[A-Za-z]{3}/, `${e.id}: en`);
    }
    assert.ok(e.evidence.length > 0, e.id);
  }
  for (const g of catalog.groups) assert.ok(g.zh && g.en, g.id);
  for (const p of catalog.parameters) assert.ok(hasChinese.test(p.zh) && /[A-Za-z]{3}/.test(p.en), p.id);
  for (const s of catalog.sources) assert.ok(hasChinese.test(s.title.zh) && s.title.en, s.id);
  for (const m of catalog.measures) {
    for (const id of m.related) assert.ok(catalog.byId.get(id), `${m.id} → ${id}`);
  }
  for (const id of [
    'miit-2023-26',
    'miit-2023-26-interpretation',
    'cac-2019-rules',
    'miit-2020-164',
    'cac-2021-39',
    'taf-078',
    'taf-076',
    'gbt-41391',
    'tc260-sdk',
    'industry-practice',
  ]) {
    assert.ok(catalog.source(id), `missing source ${id}`);
  }
});

test('validation: broken copies are rejected with the place named', () => {
  const cases: [string, (d: RawCatalog) => void, RegExp][] = [
    ['25 measures', (d) => void d.measures.pop(), /expected exactly 26 measures numbered 1\.\.26; missing 26/],
    [
      'a 27th measure',
      (d) => d.measures.push({ ...measure(d, 'miit26-26'), id: 'miit26-27', number: 27, related: [] }),
      /measure miit26-27\.number: expected 1\.\.26/,
    ],
    ['duplicate measure id', (d) => void (d.measures[1]!.id = 'miit26-01'), /measure miit26-01: duplicate id/],
    ['id not matching number', (d) => void (measure(d, 'miit26-02').number = 3), /measure miit26-02: id must be miit26-03 for number 3/],
    ['duplicate scenario id', (d) => void (d.scenarios[1]!.id = d.scenarios[0]!.id), /scenario cac2019-1\.1: duplicate id/],
    ['scenario id reusing a measure id', (d) => void (d.requirements[0]!.id = 'miit26-05'), /requirement miit26-05: duplicate id/],
    ['unknown group', (d) => void (measure(d, 'miit26-05').group = 'experience'), /measure miit26-05\.group: unknown group "experience"/],
    ['group of the other part', (d) => void (measure(d, 'miit26-05').group = 'sdks'), /measure miit26-05: part "user" differs/],
    ['unknown actor', (d) => void measure(d, 'miit26-06').actors.push('phone-maker'), /measure miit26-06\.actors\[2\]: expected one of/],
    [
      'unknown evidence kind',
      (d) => void (measure(d, 'miit26-06').evidence = ['apk', 'logcat']),
      /measure miit26-06\.evidence\[1\]: expected one of/,
    ],
    [
      'duplicate evidence kind',
      (d) => void (measure(d, 'miit26-06').evidence = ['apk', 'apk']),
      /measure miit26-06\.evidence: duplicate entries/,
    ],
    ['no evidence', (d) => void (d.scenarios[0]!.evidence = []), /scenario cac2019-1\.1\.evidence: expected at least one entry/],
    [
      'unknown source document',
      (d) => void (measure(d, 'miit26-07').source.document = 'miit-2023-62'),
      /measure miit26-07\.source\.document: unknown source document "miit-2023-62"/,
    ],
    [
      'unknown scenario document',
      (d) => void (d.tasks[0]!.document = 'miit-2020-146'),
      /task miit164-t1\.document: unknown source document/,
    ],
    [
      'unknown confidence',
      (d) => void (measure(d, 'miit26-07').source.confidence = 'high'),
      /measure miit26-07\.source\.confidence: expected one of C, Cd, P, M/,
    ],
    [
      'unknown scenario confidence',
      (d) => void (d.requirements[0]!.confidence = 'X'),
      /requirement cac2021-necessary-pi\.confidence: expected one of/,
    ],
    [
      'related id that does not exist',
      (d) => void measure(d, 'miit26-05').related.push('cac2019-7.1'),
      /measure miit26-05\.related\[0\]: no scenario, task or requirement "cac2019-7\.1"/,
    ],
    [
      'related pointing at a measure',
      (d) => void measure(d, 'miit26-05').related.push('miit26-06'),
      /no scenario, task or requirement "miit26-06"/,
    ],
    [
      'scenario naming a nonexistent measure',
      (d) => void d.scenarios[0]!.measures.push('miit26-27'),
      /scenario cac2019-1\.1\.measures\[1\]: no measure "miit26-27"/,
    ],
    ['scenario naming a scenario as measure', (d) => void d.scenarios[0]!.measures.push('cac2019-1.2'), /no measure "cac2019-1\.2"/],
    [
      'one direction of a link edited alone',
      (d) => void d.tasks[0]!.measures.push('miit26-26'),
      /measure miit26-26\.related: missing "miit164-t1", which lists this measure/,
    ],
    [
      'the other direction edited alone',
      (d) => void measure(d, 'miit26-26').related.push('miit164-t1'),
      /task miit164-t1\.measures: missing "miit26-26", which lists it as related/,
    ],
    ['scenario category that does not exist', (d) => void (d.scenarios[0]!.category = 7), /no category 7 for cac-2019-rules/],
    [
      'parameter linked to nothing',
      (d) => void (d.parameters[0]!.related = ['miit26-99']),
      /parameter shake\.acceleration\.related\[0\]: no catalogue entry "miit26-99"/,
    ],
    ['parameter without a number', (d) => void (d.parameters[0]!.value = '15'), /parameter shake\.acceleration\.value: expected a number/],
    [
      'parameter with unknown source',
      (d) => void (d.parameters[0]!.source = 'taf-087'),
      /parameter shake\.acceleration\.source: unknown source document/,
    ],
    [
      'missing English',
      (d) => void delete (measure(d, 'miit26-08').title as Record<string, unknown>).en,
      /measure miit26-08\.title\.en: expected a non-empty string/,
    ],
    ['bad source date', (d) => void (d.sources[0]!.date = '06/02/2023'), /source miit-2023-26\.date: expected YYYY/],
    [
      'unknown assessment',
      (d) => void (measure(d, 'miit26-13').assessment = 'store'),
      /measure miit26-13\.assessment: expected one of app, platform, organisation/,
    ],
    ['no assessment', (d) => void delete measure(d, 'miit26-13').assessment, /measure miit26-13\.assessment: expected one of/],
    [
      'checked on the app with organisational evidence only',
      (d) => void (measure(d, 'miit26-13').assessment = 'app'),
      /measure miit26-13\.assessment: "app" needs an evidence kind other than org/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    assert.throws(
      () => loadBroken(edit),
      (error: Error) => {
        assert.match(error.message, /^data\/measures\.json: /, name);
        assert.match(error.message, message, name);
        return true;
      },
    );
  }
  // The unedited copy loads, so each failure above comes from its edit alone.
  assert.doesNotThrow(() => loadBroken(() => undefined));
});
