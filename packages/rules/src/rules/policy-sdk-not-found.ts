import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { policyPassage } from '../evidence/policy.js';
import { comparePolicy } from '../evidence/policy-comparison.js';

export const policySdkNotFound = defineRule({
  meta: {
    id: 'policy-sdk-not-found',
    measures: ['miit26-15', 'tc260-sdk-disclosure'],
    evidence: ['apk', 'policy'],
    appliesTo: ['apk'],
    severity: 'low',
    title: { zh: '隐私政策列出的 SDK 在安装包中未检出', en: 'SDKs the policy lists are not in the package' },
    description: {
      zh: '26 号文第 15 条要求 APP 管理集成的 SDK 并如实公开。隐私政策列出、但安装包中未检出的 SDK，可能只在服务器端使用、通过动态加载引入、已从应用中移除，或未被识别。本规则把它们列出作为提示（低风险），便于核对清单是否仍然准确。',
      en: 'Measure 15 of the 2023 notice asks apps to manage their SDKs and disclose them truthfully. An SDK the policy lists but the package does not contain may be used server-side, loaded at run time, removed from the app, or simply not recognised. This rule lists them as a warning (low) so the list can be checked for accuracy.',
    },
    fix: {
      zh: '核对这些 SDK：已移除的从隐私政策清单中删去；服务器端使用或动态加载的，在清单中注明使用方式。',
      en: 'Check each SDK: take removed ones out of the policy’s list; for server-side or dynamically loaded ones, say so in the list.',
    },
    messages: {
      notFound: {
        zh: '隐私政策{where}{name}（“{d}”），但安装包中未检出该 SDK：它可能只在服务器端使用、通过动态加载引入、已从应用中移除，或未被识别{sibling}。请确认清单仍然准确。',
        en: 'The policy’s {where} names {name} ("{d}"), but the package does not contain it: it may be used server-side, loaded at run time, removed from the app, or not recognised{sibling}. Check that the list is still accurate.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const policy = evidence.policy;
    const findings: FindingInput[] = [];
    for (const d of comparePolicy(facts, policy, knowledge).listedAbsent) {
      const name = knowledge.sdks.get(d.sdk)?.name ?? { zh: d.name, en: d.name };
      const sibling = d.sameDeveloperInPackage;
      const where = d.where === 'table' ? { zh: '的 SDK 清单列出了', en: 'SDK list' } : { zh: '正文提到了', en: 'text' };
      findings.push({
        key: d.sdk,
        messageId: 'notFound',
        messageData: {
          where,
          name,
          d: d.name,
          sibling: {
            zh: sibling ? `；安装包中有同一开发者的${sibling.name.zh}` : '',
            en: sibling ? `; the package has ${sibling.name.en} of the same developer` : '',
          },
        },
        evidence: [policyPassage(policy, d.start, d.end, d.section), { kind: 'sdk', sdk: d.sdk, name: name.en }],
        data: { sdk: d.sdk, written: d.name, where: d.where, ...(sibling ? { sameDeveloperInPackage: sibling.id } : {}) },
      });
    }
    return findings;
  },
});
