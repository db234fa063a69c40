// The store workflow's pure parts: the credit-code and organisation-code check characters (vectors
// computed by hand in src/workflows/store/credit-code.ts), the APP filing pattern, and the gate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  creditCodeProblem,
  DEFAULT_APP_FILING_PATTERN,
  orgCodeCheckChar,
  usccCheckChar,
  USCC_WEIGHTS,
} from '../src/workflows/store/credit-code.js';
import { applyGate, DEFAULT_GATE, gateProblems, type DiffItem, type GateFinding } from '../src/workflows/store/gate.js';

test('GB 32100-2015 weights are 3^(i-1) mod 31', () => {
  assert.deepEqual(
    [...USCC_WEIGHTS],
    Array.from({ length: 17 }, (_, i) => Number(3n ** BigInt(i) % 31n)),
  );
});

test('organisation code (GB 11714) and credit code (GB 32100) check characters: hand-computed vectors', () => {
  assert.equal(orgCodeCheckChar('12345678'), '8');
  assert.equal(orgCodeCheckChar('MA01HJ2K'), '9');
  assert.equal(usccCheckChar('91110108123456788'), 'E');
  assert.equal(usccCheckChar('91440300MA01HJ2K9'), 'L');
  assert.equal(creditCodeProblem('91110108123456788E'), null);
  assert.equal(creditCodeProblem('91440300MA01HJ2K9L'), null);
  // A published registration (深圳市腾讯计算机系统有限公司), cross-checked by hand: organisation code
  // 70846113: 7·3+0·7+8·9+4·10+6·5+1·8+1·4+3·2 = 181, 181 mod 11 = 5, 11−5 = 6.
  assert.equal(orgCodeCheckChar('70846113'), '6');
  assert.equal(creditCodeProblem('91440300708461136T'), null);
  // Check characters 10 and 11 of GB 11714 are written X and 0.
  for (let n = 0; n < 2000; n++) {
    const body = String(10_000_000 + n * 7919).slice(0, 8);
    const c = orgCodeCheckChar(body)!;
    assert.match(c, /^[0-9X]$/);
  }
});

test('a wrong credit code says which check fails', () => {
  assert.match(creditCodeProblem('91110108123456788F')!.en, /check character \(18th\) should be E/);
  assert.match(creditCodeProblem('91110108123456789E')!.en, /organisation code 123456789 .*GB 11714/);
  assert.match(creditCodeProblem('9111010812345678')!.en, /18 characters/);
  assert.match(creditCodeProblem('91110108I23456788E')!.en, /character 9/);
  // X is outside the credit code alphabet: an organisation code whose check is X cannot sit in one.
});

test('APP 备案号 default pattern', () => {
  const re = new RegExp(DEFAULT_APP_FILING_PATTERN, 'u');
  assert.ok(re.test('京ICP备2023012345号-1A'));
  assert.ok(re.test('粤ICP备12345678号-12A'));
  assert.ok(!re.test('京ICP备2023012345号-1'), 'a website filing (no A) is not an app filing');
  assert.ok(!re.test('ICP备2023012345号-1A'));
  assert.ok(!re.test('京ICP证2023012345号-1A'));
});

const finding = (ruleId: string, severity: string, measures = ['miit26-14']): GateFinding => ({
  ruleId,
  severity,
  measures,
  fingerprint: `${ruleId}-${severity}`,
  evidence: [{ kind: 'manifest' }],
});
const diff = (kind: DiffItem['kind']): DiffItem => ({ kind, pointer: '/elements/name', listing: 'a', apk: 'b', en: '', zh: '' });

test('the gate: strictest outcome wins, reasons are the outcome’s items, default pass', () => {
  assert.equal(applyGate({ rules: [] }, [finding('debuggable', 'high')], []).outcome, 'pass');
  assert.equal(applyGate({ rules: [], otherwise: 'manual-review' }, [], []).outcome, 'manual-review');
  const policy = {
    rules: [
      { id: 'high', when: { severityAtLeast: 'high' as const }, then: 'manual-review' as const },
      { id: 'dbg', when: { ruleIds: ['debuggable'] }, then: 'reject' as const },
      { id: 'm15', when: { measures: ['miit26-15'], severityAtLeast: 'medium' as const }, then: 'reject' as const },
    ],
  };
  const r = applyGate(policy, [finding('debuggable', 'high'), finding('weak-signature', 'high'), finding('x', 'low', ['miit26-15'])], []);
  assert.equal(r.outcome, 'reject');
  assert.deepEqual(
    r.reasons.map((x) => x.finding?.ruleId),
    ['debuggable'],
  );
  assert.ok(r.reasons[0]!.finding!.evidence, 'reasons carry evidence');
  assert.equal(applyGate(policy, [finding('weak-signature', 'high')], []).outcome, 'manual-review');
  assert.equal(applyGate(policy, [finding('x', 'medium', ['miit26-15'])], []).outcome, 'reject');
  assert.equal(applyGate(DEFAULT_GATE, [], [diff('label-mismatch')]).outcome, 'reject');
  assert.equal(applyGate(DEFAULT_GATE, [], [diff('permission-listed-not-requested')]).outcome, 'pass');
  assert.equal(applyGate(DEFAULT_GATE, [], [diff('policy-unavailable')]).outcome, 'manual-review', 'an unread policy is not passed');
});

test('gate policies: what the schema cannot say is named by pointer', () => {
  assert.deepEqual(
    gateProblems({
      rules: [
        { id: 'a', when: {}, then: 'reject' },
        { id: 'a', when: { severityAtLeast: 'high', diffKinds: ['label-mismatch'] }, then: 'reject' },
      ],
    }).map((e) => e.pointer),
    ['/rules/0/when', '/rules/1/when/diffKinds', '/rules/1/id'],
  );
});
