import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiSplashCloseControl } from '../../src/rules/ui-splash-close-control.js';
import type { Evidence } from '../../src/index.js';
import { runEvidence, uiEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const RULE = 'ui-splash-close-control';
const run = (evidence: Evidence, options: Record<string, unknown> = {}) => checkRule(uiSplashCloseControl, evidence, options);

test('ui-splash-close-control: a clear 200×132 px skip control passes; the main page is no splash', () => {
  assert.deepEqual(run(uiEvidence(RULE, ['splash-good.xml', 'main.xml'])), []);
});

test('ui-splash-close-control: a 52×36 px skip in the status-bar band is too small and hidden at the edge, in px and dp', () => {
  const [finding, ...rest] = run(uiEvidence(RULE, ['splash-tiny-skip.xml']));
  assert.equal(rest.length, 0);
  assert.equal(finding!.key, 'splash-tiny-skip');
  assert.equal(finding!.severity, 'medium');
  assert.deepEqual(finding!.data!.reasons, ['too-small', 'edge']);
  assert.match(finding!.message.en, /52×36 px \(about 18\.9×13\.1 dp\), below 48×48 dp \(132×132 px at 2\.75 px\/dp\)/);
  assert.match(finding!.message.en, /top\/right edge band of 66 px \(24 dp\)/);
  assert.match(finding!.message.zh, /跳过.*52×36 px/);
  assert.match(finding!.message.en, /Whether tapping it closes the splash screen was not verified: no trace was given\./);
  assert.deepEqual(finding!.evidence[0], {
    kind: 'ui',
    snapshot: 'splash-tiny-skip',
    node: 'com.example.app:id/tv_skip',
    detail: 'close control 「跳过」 (tv_skip) at [1020,20][1072,56]',
  });
});

test('ui-splash-close-control: size and density are options, in dp or px', () => {
  assert.deepEqual(run(uiEvidence(RULE, ['splash-tiny-skip.xml']), { minSizePx: 30, edgeBandPx: 10 }), []);
  const [finding] = run(uiEvidence(RULE, ['splash-good.xml']), { minSizeDp: 60, densityPxPerDp: 3 });
  assert.match(finding!.message.en, /200×132 px \(about 66\.7×44 dp\), below 60×60 dp \(180×180 px at 3\.00 px\/dp\)/);
});

test('ui-splash-close-control: a splash without a skip control, or with one the advert swallows, is high', () => {
  const [missing] = run(uiEvidence(RULE, ['splash-no-skip.xml'], { role: 'splash' }));
  assert.equal(missing!.severity, 'high');
  assert.deepEqual(missing!.data!.reasons, ['missing']);
  assert.match(missing!.message.zh, /找不到关闭\/跳过控件/);
  // Without the recorder's role, a full-screen window with no skip text is not taken for a splash.
  assert.deepEqual(run(uiEvidence(RULE, ['splash-no-skip.xml'])), []);
  const [swallowed] = run(uiEvidence(RULE, ['splash-skip-not-clickable.xml']));
  assert.equal(swallowed!.severity, 'high');
  assert.deepEqual(swallowed!.data!.reasons, ['not-clickable']);
  assert.match(
    swallowed!.message.en,
    /「5s 跳过」 \(tv_countdown\) is not clickable itself: a tap lands on the clickable area \[0,0\]\[1080,1900\]/,
  );
});

test('ui-splash-close-control: with a trace, a skip that closes the splash within 1 s passes', () => {
  assert.deepEqual(run(runEvidence(RULE, 'skip-works.jsonl')), []);
});

test('ui-splash-close-control: with a trace, a skip after which the splash is still shown is ineffective', () => {
  const findings = run(runEvidence(RULE, 'skip-ignored.jsonl'));
  assert.equal(findings.length, 1, 'the second splash snapshot has no tap: not verified, not failed');
  const [finding] = findings;
  assert.equal(finding!.key, 'splash-1');
  assert.equal(finding!.severity, 'high');
  assert.deepEqual(finding!.data!.reasons, ['ineffective']);
  assert.match(finding!.message.en, /snapshot splash-2 taken 600 ms after tapping the close control still shows the splash screen/);
  assert.ok(finding!.evidence.some((e) => e.kind === 'trace' && e.event === 4 && e.time === 2000));
  assert.ok(finding!.evidence.some((e) => e.kind === 'trace' && e.event === 3 && e.detail === 'ui snapshot splash-1'));
});

test('ui-splash-close-control: a skip that opens the advert instead of closing is ineffective', () => {
  const [finding] = run(runEvidence(RULE, 'skip-opens-ad.jsonl'));
  assert.deepEqual(finding!.data!.reasons, ['ineffective']);
  assert.match(finding!.message.en, /led to jump-browser → https:\/\/ad\.example-dsp\.com\/landing\?id=8812 within 350 ms/);
  assert.match(finding!.message.zh, /350 ms 内发生跳转/);
});
