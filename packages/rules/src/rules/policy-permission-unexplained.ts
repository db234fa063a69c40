import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { piLabel, policyPassage, policyWhole, snippet } from '../evidence/policy.js';
import { comparePolicy } from '../evidence/policy-comparison.js';

/** "相机（android.permission.CAMERA）": the platform label when the permission table has one. */
function permissionLabel(knowledge: KnowledgeSnapshot, name: string): { zh: string; en: string } {
  const label = knowledge.permission(name)?.label;
  const short = name.replace(/^android\.permission\./, '');
  return { zh: label?.['zh-CN'] ? `“${label['zh-CN']}”（${short}）` : short, en: label?.en ? `"${label.en}" (${short})` : short };
}

export const policyPermissionUnexplained = defineRule({
  meta: {
    id: 'policy-permission-unexplained',
    measures: ['miit26-10', 'cac2019-2.1'],
    evidence: ['apk', 'policy'],
    appliesTo: ['apk'],
    severity: 'medium',
    title: { zh: '隐私政策未说明危险权限的用途', en: 'The privacy policy does not explain dangerous permissions' },
    description: {
      zh: '26 号文第 10 条要求调用相册、通讯录、位置等权限时告知目的，第 9 条要求明示处理规则；应用商店也要求隐私政策列出所申请的权限及用途。本规则把清单文件中申请的危险权限与隐私政策比对：政策既没有说明该权限及其用途，也没有说明收集该权限所对应个人信息的目的时，逐个报告。',
      en: 'Measure 10 of the 2023 notice asks for the purpose to be told when the album, contacts, location and similar are used, and measure 9 for the processing rules to be explicit; app stores also expect the policy to list the permissions requested and why. This rule compares the dangerous permissions in the manifest with the policy and reports each one the policy explains neither as a permission with its purpose nor through a purpose for the personal information it reaches.',
    },
    fix: {
      zh: '在隐私政策（或其“权限调用说明”）中逐个列出申请的权限、对应功能和使用目的；不需要的权限从清单文件中删除。',
      en: 'List each permission the app requests in the policy (or its permission annex) with the feature that uses it and why; remove permissions the app does not need.',
    },
    messages: {
      mentionedNoPurpose: {
        zh: '隐私政策提到了权限 {permission}（“{quote}”），但没有说明申请目的{data}。',
        en: 'The privacy policy names the permission {permission} ("{quote}") but gives no purpose for it{data}.',
      },
      unexplained: {
        zh: '应用申请了危险权限 {permission}（可获取{data}），隐私政策既没有说明该权限及其用途，也没有说明收集{data}的目的。',
        en: 'The app requests the dangerous permission {permission} (which reaches {data}); the privacy policy neither explains the permission nor gives a purpose for collecting {data}.',
      },
      unexplainedNoPi: {
        zh: '应用申请了危险权限 {permission}，隐私政策没有说明该权限及其用途。',
        en: 'The app requests the dangerous permission {permission}; the privacy policy does not explain it or its purpose.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const policy = evidence.policy;
    const findings: FindingInput[] = [];
    for (const { permission: name, pi, status, mention } of comparePolicy(facts, policy, knowledge).permissions) {
      if (status === 'explained' || status === 'explained-through-pi') continue;
      const label = permissionLabel(knowledge, name);
      const data = pi ? piLabel(knowledge, pi) : null;
      const permissionRef = { kind: 'permission' as const, artifact: 'AndroidManifest.xml' as const, permission: name };
      if (mention) {
        findings.push({
          key: name,
          severity: 'low',
          messageId: 'mentionedNoPurpose',
          messageData: {
            permission: label,
            quote: snippet(policy, mention.start, mention.end),
            data: data ? { zh: `，也没有说明收集${data.zh}的目的`, en: `, nor for collecting ${data.en}` } : '',
          },
          evidence: [permissionRef, policyPassage(policy, mention.start, mention.end, mention.section)],
          data: { permission: name, pi, mentioned: true },
        });
        continue;
      }
      findings.push({
        key: name,
        // A runtime permission reaching no PI category (notifications) still needs a word, but matters less.
        severity: pi ? 'medium' : 'low',
        ...(data
          ? { messageId: 'unexplained', messageData: { permission: label, data } }
          : { messageId: 'unexplainedNoPi', messageData: { permission: label } }),
        evidence: [permissionRef, policyWhole(policy)],
        data: { permission: name, pi, mentioned: false },
      });
    }
    return findings;
  },
});
