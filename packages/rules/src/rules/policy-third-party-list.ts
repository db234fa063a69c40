import { defineRule } from '../engine/define.js';
import { policyWhole } from '../evidence/policy.js';

export const policyThirdPartyList = defineRule({
  meta: {
    id: 'policy-third-party-list',
    measures: ['miit26-09', 'miit26-15', 'miit2021-double-list', 'cac2019-2.1'],
    evidence: ['policy'],
    severity: 'medium',
    title: { zh: '没有第三方共享清单或 SDK 清单', en: 'No third-party sharing list or SDK list' },
    description: {
      zh: '“双清单”中的第三方共享清单，以及 26 号文第 15 条要求逐一公开的第三方 SDK 信息（名称、开发者、收集的个人信息、目的、隐私政策链接），都需以清单形式提供。本规则检查隐私政策是否包含或链接了第三方共享清单，或给出了 SDK 列表（表格或逐条列表）。',
      en: 'The third-party sharing list of the "two lists", and the per-SDK information measure 15 of the 2023 notice asks apps to publish (name, developer, personal information collected, purpose, privacy-policy link), both take the form of a list. This rule checks that the policy contains or links to a third-party sharing list, or gives an SDK list (a table or an item-by-item list).',
    },
    fix: {
      zh: '在隐私政策中加入（或链接到）第三方共享清单 / 第三方 SDK 清单，逐个列出 SDK 名称、开发者、收集的个人信息、使用目的和 SDK 隐私政策链接。',
      en: 'Add (or link to) a third-party sharing / SDK list naming, for each SDK, its developer, the personal information it collects, why, and its privacy-policy link.',
    },
    messages: {
      missing: {
        zh: '隐私政策既没有第三方共享清单，也没有 SDK 列表{inProse}。',
        en: 'The privacy policy has neither a third-party sharing list nor an SDK list{inProse}.',
      },
    },
  },
  check({ evidence }) {
    const policy = evidence.policy;
    if (policy.lists.thirdPartySharing || policy.sdkTable.length > 0) return [];
    const inProse = policy.recipients.filter((r) => r.kind !== 'generic').length;
    return [
      {
        key: 'missing',
        messageId: 'missing',
        messageData: {
          inProse: {
            zh: inProse > 0 ? `（正文中零散提到 ${inProse} 个第三方，未成清单）` : '',
            en: inProse > 0 ? ` (its prose names ${inProse} third part${inProse === 1 ? 'y' : 'ies'}, but not as a list)` : '',
          },
        },
        evidence: [policyWhole(policy)],
        data: { recipientsInProse: inProse },
      },
    ];
  },
});
