import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiPopupCloseControl } from '../../src/rules/ui-popup-close-control.js';
import type { Evidence } from '../../src/index.js';
import { runEvidence, uiEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const RULE = 'ui-popup-close-control';
const run = (evidence: Evidence, options: Record<string, unknown> = {}) => checkRule(uiPopupCloseControl, evidence, options);

test('ui-popup-close-control: a promotion dialog with a 132×132 px close passes; the main page is no pop-up', () => {
  assert.deepEqual(run(uiEvidence(RULE, ['popup-good.xml', 'main.xml'])), []);
});

test('ui-popup-close-control: a promotion dialog without any close control is high', () => {
  const [finding, ...rest] = run(uiEvidence(RULE, ['popup-no-close.xml']));
  assert.equal(rest.length, 0);
  assert.equal(finding!.severity, 'high');
  assert.deepEqual(finding!.data!.reasons, ['missing']);
  assert.equal(finding!.data!.windowBounds, '[90,560][990,1780]');
  assert.match(finding!.message.en, /pop-up has no close or skip control/);
});

test('ui-popup-close-control: a 50×50 px × over an in-app promotion: its size as info, or too small against a configured minimum', () => {
  const [info] = run(uiEvidence(RULE, ['popup-tiny-close.xml']));
  assert.equal(info!.severity, 'info');
  assert.equal(info!.messageId, 'closeSize');
  assert.equal(info!.data!.detectedBy, 'content');
  assert.match(info!.message.en, /tap area of 50×50 px \(about 18\.2×18\.2 dp at 2\.75 px\/dp\), below the 48 dp design reference/);
  const [finding] = run(uiEvidence(RULE, ['popup-tiny-close.xml']), { minSizeDp: 44 });
  assert.equal(finding!.severity, 'medium');
  assert.deepEqual(finding!.data!.reasons, ['too-small']);
  assert.match(finding!.message.en, /「×」 \(tv_close\) has a tap area of 50×50 px \(about 18\.2×18\.2 dp\)/);
  assert.match(finding!.message.zh, /小于 44×44 dp（121×121 px/);
});

test('ui-popup-close-control: a pop-up back on the same screen after closing pops up again (art. 10 (4)); on another screen it does not', () => {
  const [finding, ...rest] = run(runEvidence(RULE, 'close-reappears.jsonl'));
  assert.equal(rest.length, 0);
  assert.equal(finding!.key, 'popup-1');
  assert.equal(finding!.severity, 'high');
  assert.deepEqual(finding!.data!.reasons, ['reappears']);
  assert.deepEqual(finding!.data!.adRulesArt10, ['(4)']);
  assert.match(finding!.message.en, /14600 ms after it was closed, snapshot popup-2 shows the same pop-up again on the same screen/);
  assert.deepEqual(run(runEvidence(RULE, 'close-reappears-elsewhere.jsonl')), []);
});

test('ui-popup-close-control: with a trace, a close that works passes and one that leaves the pop-up fails', () => {
  assert.deepEqual(run(runEvidence(RULE, 'close-works.jsonl')), []);
  const findings = run(runEvidence(RULE, 'close-broken.jsonl'));
  assert.deepEqual(
    findings.map((f) => f.key),
    ['popup-1'],
  );
  assert.deepEqual(findings[0]!.data!.reasons, ['ineffective']);
  assert.match(findings[0]!.message.en, /snapshot popup-2 taken 700 ms after tapping the close control still shows the pop-up/);
});
