import { defineRule } from '../engine/define.js';
import { policyWhole } from '../evidence/policy.js';

export const policyCollectedPiList = defineRule({
  meta: {
    id: 'policy-collected-pi-list',
    measures: ['miit26-09', 'miit2021-double-list'],
    evidence: ['policy'],
    severity: 'medium',
    title: { zh: '没有已收集个人信息清单', en: 'No list of the personal information collected' },
    description: {
      zh: '26 号文第 9 条要求提供已收集个人信息清单；工信部 2021 年信息通信服务感知提升行动起推行“双清单”（已收集个人信息清单、与第三方共享个人信息清单）。本规则检查隐私政策是否列出或链接了已收集个人信息清单。',
      en: 'Measure 9 of the 2023 notice asks for a list of the personal information collected; MIIT has required the "two lists" (personal information collected, personal information shared with third parties) since its 2021 service-perception campaign. This rule checks that the policy gives or links to the first list.',
    },
    fix: {
      zh: '在隐私政策中加入（或链接到）已收集个人信息清单：逐项列出信息类型、使用目的、使用场景，最好附上收集情况查询入口。',
      en: 'Add (or link to) a list of the personal information collected: each type with its purpose and the feature that collects it, ideally with a way for users to see what was collected about them.',
    },
    messages: {
      missing: {
        zh: '隐私政策既没有列出、也没有链接“已收集个人信息清单”。',
        en: 'The privacy policy neither contains nor links to a list of the personal information collected (已收集个人信息清单).',
      },
    },
  },
  check({ evidence }) {
    const policy = evidence.policy;
    if (policy.lists.collectedPersonalInformation) return [];
    return [
      {
        key: 'missing',
        messageId: 'missing',
        evidence: [policyWhole(policy)],
        data: { dataMentions: policy.dataMentions.length },
      },
    ];
  },
});
