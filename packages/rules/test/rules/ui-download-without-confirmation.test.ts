import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiDownloadWithoutConfirmation } from '../../src/rules/ui-download-without-confirmation.js';
import type { Evidence } from '../../src/index.js';
import { readTraceFile, runEvidence } from '../support/ui.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';
import { traceOf } from '../support/trace.js';

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
  // No prompt was on screen before either: all six download elements are missing by construction.
  assert.equal(silent!.messageId, 'noPrompt');
  assert.match(
    silent!.message.en,
    /download of https:\/\/cdn\.example-dsp\.com\/apk\/shopping-7\.1\.apk \(line 4, 3500 ms\) had no download prompt at all in the 10 s before it \(trigger app\), and is recorded as unconfirmed: with no prompt, all six download elements \(app name, version, developer, privacy policy, permission list, function description\) are missing by construction/,
  );
  assert.match(silent!.message.zh, /被记录为未经确认.*下载六要素（应用名称、版本号、开发者、隐私政策、权限列表、功能介绍）按定义全部缺失/);
  assert.deepEqual(silent!.data!.missingElements, ['app-name', 'version', 'developer', 'privacy-policy', 'permissions', 'description']);
  assert.ok(silent!.measures!.includes('industry-download-six-elements'));
  assert.match(
    cancelled!.message.en,
    /came 200 ms after the user tapped the cancelling control 「取消」 \(btn_cancel\) on the download prompt prompt-1/,
  );
  assert.ok(!cancelled!.measures!.includes('industry-download-six-elements'), 'a prompt was shown: its elements are the other rule’s');
  assert.equal(install!.messageId, 'noPrompt');
  assert.deepEqual(install!.evidence, [{ kind: 'trace', event: 8, time: 40000, detail: 'install-request shopping-7.1.apk' }]);
});

const ELEMENTS = {
  zh: '应用名称、版本号、开发者、隐私政策、权限列表、功能介绍',
  en: 'app name, version, developer, privacy policy, permission list, function description',
};

new RuleTester().run(uiDownloadWithoutConfirmation, {
  valid: [{ name: 'a download after 立即下载 on the prompt', evidence: runEvidence(RULE, 'confirmed.jsonl') }],
  invalid: [
    {
      // Found on an unseen scenario: a tap on a banner started a download with no prompt; the finding said
      // "without confirmation" and never that the six elements were all missing.
      name: 'a download straight from a tap on a banner, no prompt at all',
      evidence: {
        trace: traceOf([
          { kind: 'lifecycle', t: 100, action: 'process-start', cause: 'launcher' },
          { kind: 'ui', t: 1000, id: 'home', role: 'main' },
          { kind: 'user', t: 4000, action: 'tap', x: 540, y: 600, node: 'com.example.app:id/banner' },
          { kind: 'navigation', t: 4300, action: 'download-start', target: 'https://cdn.example-ads.com/game.apk', trigger: 'user' },
        ]),
      },
      findings: [
        {
          messageId: 'noPrompt',
          key: 'download-start:https://cdn.example-ads.com/game.apk',
          severity: 'high',
          data: {
            what: { zh: '开始下载 https://cdn.example-ads.com/game.apk', en: 'The download of https://cdn.example-ads.com/game.apk' },
            line: 5,
            t: 4300,
            within: 10,
            trigger: { zh: '（触发方式 user）', en: ' (trigger user)' },
            recorded: { zh: '', en: '' },
            elements: ELEMENTS,
          },
        },
      ],
    },
    {
      name: 'a prompt shown but never confirmed: no confirmation, the elements are the prompt rule’s',
      evidence: {
        trace: traceOf([
          { kind: 'ui', t: 1000, id: 'prompt', role: 'download-prompt' },
          { kind: 'navigation', t: 3000, action: 'download-start', target: 'game.apk' },
        ]),
      },
      findings: [{ messageId: 'noConfirmation', key: 'download-start:game.apk' }],
    },
  ],
});
