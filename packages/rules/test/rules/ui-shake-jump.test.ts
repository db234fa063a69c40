import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiShakeJump } from '../../src/rules/ui-shake-jump.js';
import type { Evidence } from '../../src/index.js';
import { runEvidence, uiEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';
import { ruleDefaults } from '../../src/index.js';
import { loadKnowledge } from '@apprights/knowledge';

const RULE = 'ui-shake-jump';
const run = (evidence: Evidence, options: Record<string, unknown> = {}) => checkRule(uiShakeJump, evidence, options);

test('ui-shake-jump: the thresholds come from the catalogue (T/TAF 078.7-2022)', () => {
  const { accelerationMs2, rotationDegrees, durationSeconds } = ruleDefaults(uiShakeJump, loadKnowledge());
  assert.deepEqual([accelerationMs2, rotationDegrees, durationSeconds], [15, 35, 3]);
});

test('ui-shake-jump: a shake prompt in a snapshot is reported as info; a page without one is not', () => {
  const findings = run(uiEvidence(RULE, ['splash-shake.xml', 'main.xml']));
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.severity, 'info');
  assert.match(findings[0]!.message.zh, /摇一摇提示「摇一摇或点击跳转详情页或第三方应用」 \(tv_shake_tip\)/);
  assert.match(findings[0]!.message.en, /≥15 m\/s², ≥35°, ≥3 s/);
});

test('ui-shake-jump: a sensor-triggered jump after a weak shake names the readings below each threshold', () => {
  const findings = run(runEvidence(RULE, 'shake-weak.jsonl')).filter((f) => f.severity !== 'info');
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.equal(finding!.key, 'jump:jump-app:com.taobao.taobao');
  assert.equal(finding!.severity, undefined, 'the rule severity (high)');
  assert.match(
    finding!.message.en,
    /jump-app → com\.taobao\.taobao \(line 8\) was triggered by the sensors .*peak acceleration 9\.5 m\/s² < 15, rotation 12° < 35°, duration 0\.8 s < 3 s/,
  );
  assert.match(finding!.message.zh, /加速度峰值 9\.5 m\/s² < 15，转动角度 12° < 35°，持续 0\.8 秒 < 3 秒/);
  assert.deepEqual(finding!.data!.readings, { accelerationMs2: 9.5, rotationDegrees: 12, durationMs: 800 });
  assert.ok(
    finding!.evidence.some((e) => e.kind === 'ui' && e.snapshot === 'splash-1'),
    'the prompt shown at the time',
  );
});

test('ui-shake-jump: a jump after a shake meeting all three thresholds passes', () => {
  assert.deepEqual(
    run(runEvidence(RULE, 'shake-strong.jsonl')).filter((f) => f.severity !== 'info'),
    [],
  );
  // Thresholds are options: raise the acceleration and the same shake is too weak.
  const [finding] = run(runEvidence(RULE, 'shake-strong.jsonl'), { accelerationMs2: 20 }).filter((f) => f.severity !== 'info');
  assert.match(finding!.message.en, /peak acceleration 18\.2 m\/s² < 20\.$/);
});

test('ui-shake-jump: an untriggered jump with no tap after a short movement fails on duration; a tapped one does not', () => {
  const findings = run(runEvidence(RULE, 'walking-jump.jsonl')).filter((f) => f.severity !== 'info');
  assert.deepEqual(
    findings.map((f) => f.key),
    ['jump:jump-browser:https://h5.example-dsp.com/promo?id=77'],
  );
  assert.match(findings[0]!.message.en, /with no user tap before it after motion below .*: duration 1\.2 s < 3 s\. Low confidence: /);
  // No trigger written: the same unknown as runtime-self-start's, lower confidence, and what would settle it.
  assert.equal(findings[0]!.severity, 'medium');
  assert.equal(findings[0]!.data!.confidence, 'low');
  assert.match(
    findings[0]!.message.en,
    /Input events \(adb getevent or the Frida click hooks\) and sensor readings before it, or a trigger written by the recorder, would settle it\.$/,
  );
});
