import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiDownloadWithoutConfirmation } from '../../src/rules/ui-download-without-confirmation.js';
import type { Evidence } from '../../src/index.js';
import { readTraceFile, runEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const RULE = 'ui-download-without-confirmation';
const run = (evidence: Evidence, options: Record<string, unknown> = {}) => checkRule(uiDownloadWithoutConfirmation, evidence, options);

test('ui-download-without-confirmation: a download after 立即下载 on the prompt, and a confirmed install, pass', () => {
  assert.deepEqual(run(runEvidence(RULE, 'confirmed.jsonl')), []);
  // Without the dumps the prompt's role and the tap are enough.
  assert.deepEqual(run({ trace: readTraceFile(RULE, 'confirmed.jsonl') }), []);
  // A longer path from the confirmation than the window is not a confirmation.
  assert.equal(run(runEvidence(RULE, 'confirmed.jsonl'), { confirmWithinMs: 100 }).length, 1);
});

test('ui-download-without-confirmation: unconfirmed, cancelled and unprompted downloads and installs are reported', () => {
  const findings = run(runEvidence(RULE, 'unconfirmed.jsonl'));
  assert.deepEqual(
    findings.map((f) => f.key),
    [
      'download-start:https://cdn.example-dsp.com/apk/shopping-7.1.apk',
      'download-start:https://cdn.example-games.com/apk/expedition-3.2.1.apk',
      'install-request:shopping-7.1.apk',
    ],
  );
  const [silent, cancelled, install] = findings;
  assert.match(
    silent!.message.en,
    /download of https:\/\/cdn\.example-dsp\.com\/apk\/shopping-7\.1\.apk \(line 4, 3500 ms\) is recorded as unconfirmed, trigger app/,
  );
  assert.match(silent!.message.zh, /被记录为未经确认/);
  assert.match(
    cancelled!.message.en,
    /came 200 ms after the user tapped the cancelling control 「取消」 \(btn_cancel\) on the download prompt prompt-1/,
  );
  assert.match(
    install!.message.en,
    /install request for shopping-7\.1\.apk \(line 8, 40000 ms\) was not preceded within 10 s by a tap confirming a download prompt \(trigger app\)/,
  );
  assert.deepEqual(install!.evidence, [{ kind: 'trace', event: 8, time: 40000, detail: 'install-request shopping-7.1.apk' }]);
});
