import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uiDownloadSixElements } from '../../src/rules/ui-download-six-elements.js';
import type { Evidence } from '../../src/index.js';
import { runEvidence, uiEvidence } from '../support/ui.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const RULE = 'ui-download-six-elements';
const run = (evidence: Evidence) => checkRule(uiDownloadSixElements, evidence);

test('ui-download-six-elements: a prompt with all six elements passes; a feed with a 下载 button is no prompt', () => {
  assert.deepEqual(run(uiEvidence(RULE, ['prompt-complete.xml', 'main.xml'])), []);
});

test('ui-download-six-elements: a prompt with only name and version lists the four missing elements', () => {
  const [finding, ...rest] = run(uiEvidence(RULE, ['prompt-incomplete.xml']));
  assert.equal(rest.length, 0);
  assert.deepEqual(finding!.data!.missing, ['developer', 'privacy-policy', 'permissions', 'description']);
  assert.deepEqual(finding!.data!.shown, ['app-name', 'version']);
  assert.match(
    finding!.message.zh,
    /缺少下载六要素中的：开发者、隐私政策、权限列表、功能介绍（已展示：应用名称「星际远征」 \(tv_app_name\)、版本号「版本 V3\.2\.1」/,
  );
  assert.match(
    finding!.message.en,
    /button 「立即下载」 \(btn_download\)\) lacks 4 of the six download elements: developer, privacy policy, permission list, function description/,
  );
  assert.equal(finding!.evidence[0]!.kind, 'ui');
});

test('ui-download-six-elements: in a trace, prompts are judged by role or by content', () => {
  const findings = run(runEvidence(RULE, 'prompts.jsonl'));
  assert.deepEqual(
    findings.map((f) => [f.key, f.data!.detectedBy]),
    [['prompt-1', 'role']],
  );
});
