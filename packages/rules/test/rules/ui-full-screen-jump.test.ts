import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiFullScreenJump } from '../../src/rules/ui-full-screen-jump.js';
import type { Evidence } from '../../src/index.js';
import { runEvidence, uiEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const RULE = 'ui-full-screen-jump';
const run = (evidence: Evidence, options: Record<string, unknown> = {}) => checkRule(uiFullScreenJump, evidence, options);

test('ui-full-screen-jump: a splash whose only clickable parts are a labelled button and the skip passes', () => {
  assert.deepEqual(run(uiEvidence(RULE, ['splash-button.xml', 'main.xml'])), []);
});

test('ui-full-screen-jump: without a trace, a clickable advert covering 81% of the screen is a possible hot zone (low)', () => {
  const [finding, ...rest] = run(uiEvidence(RULE, ['splash-hotzone.xml']));
  assert.equal(rest.length, 0);
  assert.equal(finding!.severity, 'low');
  assert.equal(finding!.data!.confirmed, false);
  assert.match(
    finding!.message.en,
    /splash_ad_container covers \[0,0\]\[1080,1900\], 81% of the screen: possibly a full-screen tap-to-jump area \(no trace/,
  );
  assert.match(finding!.message.zh, /占屏幕 81%，疑似全屏点击跳转热区/);
  assert.deepEqual(finding!.evidence[0], {
    kind: 'ui',
    snapshot: 'splash-hotzone',
    node: 'com.example.app:id/splash_ad_container',
    detail: 'clickable [0,0][1080,1900], 81% of 1080×2340',
  });
  // The share is an option: at 85% the same advert is not flagged.
  assert.deepEqual(run(uiEvidence(RULE, ['splash-hotzone.xml']), { minScreenShare: 0.85 }), []);
});

test('ui-full-screen-jump: a tap on the advert area followed by a store jump within 2 s is confirmed (high)', () => {
  const [finding] = run(runEvidence(RULE, 'hotzone-jump.jsonl'));
  assert.equal(finding!.severity, 'high');
  assert.equal(finding!.data!.confirmed, true);
  assert.match(
    finding!.message.en,
    /a tap at \(520, 1100\) led to jump-store → market:\/\/details\?id=com\.stargame\.expedition 500 ms later/,
  );
  assert.deepEqual(
    finding!.evidence.filter((e) => e.kind === 'trace').map((e) => (e.kind === 'trace' ? e.event : 0)),
    [4, 5],
  );
});

test('ui-full-screen-jump: a tap on the area that opens nothing clears it; a tap on the skip is not a tap on the area', () => {
  assert.deepEqual(run(runEvidence(RULE, 'hotzone-no-jump.jsonl')), []);
  const [finding] = run(runEvidence(RULE, 'skip-tap.jsonl'));
  assert.equal(finding!.severity, 'low', 'the tap went to the skip control, so the area stays unverified');
  assert.match(finding!.message.en, /the trace has no tap on it/);
});
