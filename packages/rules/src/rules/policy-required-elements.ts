import type { SectionKind } from '@apprights/policy';
import { defineRule } from '../engine/define.js';
import type { Bilingual, FindingInput, Severity } from '../engine/types.js';
import type { PolicyFacts } from '../evidence/evidence.js';
import { policyWhole } from '../evidence/policy.js';

/** Something a privacy policy must contain, and how the analysis shows it is there. */
interface Element {
  id: string;
  label: Bilingual;
  why: Bilingual;
  severity: Severity;
  /** The rule's measures this element belongs to. */
  measures: string[];
  present(policy: PolicyFacts): boolean;
}

const hasSection = (policy: PolicyFacts, ...kinds: SectionKind[]) => policy.sections.some((s) => s.kinds.some((k) => kinds.includes(k)));

/** In the order a reader meets them in most policies. */
const ELEMENTS: readonly Element[] = [
  {
    id: 'operator',
    label: { zh: '运营者名称', en: "the operator's name" },
    why: {
      zh: '个人信息保护法第十七条要求告知个人信息处理者的名称和联系方式。',
      en: 'PIPL art. 17 requires the name and contact details of the personal-information handler.',
    },
    severity: 'medium',
    measures: ['miit26-09'],
    present: (p) => p.operator !== null,
  },
  {
    id: 'effective-date',
    label: { zh: '生效或更新日期', en: 'an effective or last-updated date' },
    why: {
      zh: '没有日期，用户无从知道读到的是哪一版规则、何时变更（认定方法 2.2）。',
      en: 'Without a date users cannot tell which version they read or when the rules changed (2019 认定方法 2.2).',
    },
    severity: 'medium',
    measures: ['miit26-09', 'cac2019-2.2'],
    present: (p) => p.effectiveDate !== null,
  },
  {
    id: 'collection-use',
    label: {
      zh: '收集和使用个人信息的规则（目的、方式、范围）',
      en: 'rules for collecting and using personal information (purposes, means, scope)',
    },
    why: {
      zh: '隐私政策中没有收集使用规则，属于认定方法 1.1 所列“未公开收集使用规则”。',
      en: 'A policy without collection and use rules is the first scenario of the 2019 认定方法 (1.1: rules not made public).',
    },
    severity: 'high',
    measures: ['miit26-09', 'cac2019-1.1'],
    present: (p) => hasSection(p, 'collection-use', 'user-provided'),
  },
  {
    id: 'third-party',
    label: {
      zh: '委托处理、共享、转让和公开披露（含第三方 SDK）',
      en: 'entrusted processing, sharing, transfer and disclosure (third-party SDKs included)',
    },
    why: {
      zh: '认定方法 2.1 要求逐一列明包括委托的第三方和嵌入的第三方代码、插件在内的收集目的、方式和范围。',
      en: 'The 2019 认定方法 (2.1) asks for the purposes, means and scope of collection item by item, third parties and embedded SDKs included.',
    },
    severity: 'medium',
    measures: ['miit26-09', 'cac2019-2.1'],
    present: (p) => hasSection(p, 'third-party') || p.sdkTable.length > 0 || p.lists.thirdPartySharing !== null,
  },
  {
    id: 'retention',
    label: { zh: '存储地点和保存期限', en: 'where data is stored and for how long' },
    why: {
      zh: '个人信息保护法第十七条要求告知保存期限。',
      en: 'PIPL art. 17 requires the retention period.',
    },
    severity: 'medium',
    measures: ['miit26-09'],
    present: (p) => hasSection(p, 'retention'),
  },
  {
    id: 'security',
    label: { zh: '安全保护措施', en: 'how personal information is protected' },
    why: {
      zh: '用户需要知道个人信息如何受到保护、发生安全事件时如何告知。',
      en: 'Users need to know how their information is protected and how they will be told of an incident.',
    },
    severity: 'medium',
    measures: ['miit26-09'],
    present: (p) => hasSection(p, 'security'),
  },
  {
    id: 'user-rights',
    label: {
      zh: '用户权利（查阅、更正、删除、撤回同意、注销账号）及行使方式',
      en: "users' rights (access, correction, deletion, withdrawal, account closure) and how to use them",
    },
    why: {
      zh: '个人信息保护法第十七条要求告知行使权利的方式和程序；认定方法第 6 类针对无法更正、删除、注销。',
      en: 'PIPL art. 17 requires how users exercise their rights; category 6 of the 2019 认定方法 covers missing correction, deletion and closure.',
    },
    severity: 'medium',
    measures: ['miit26-09'],
    present: (p) => hasSection(p, 'user-rights', 'consent-withdrawal'),
  },
  {
    id: 'policy-change',
    label: { zh: '隐私政策变更时如何告知', en: 'how changes to the policy are announced' },
    why: {
      zh: '收集使用规则变化时未以适当方式告知用户，属于认定方法 2.2 所列情形。',
      en: 'Changing the rules without proper notice is scenario 2.2 of the 2019 认定方法.',
    },
    severity: 'medium',
    measures: ['miit26-09', 'cac2019-2.2'],
    present: (p) => hasSection(p, 'policy-change'),
  },
  {
    id: 'contact-channel',
    label: {
      zh: '联系与投诉渠道（电话、邮箱、地址或在线表单）',
      en: 'a contact and complaint channel (phone, e-mail, address or online form)',
    },
    why: {
      zh: '26 号文要求畅通客服与投诉渠道；未公布投诉举报方式属于认定方法 6.5 所列情形。',
      en: 'The 2023 notice asks for open customer-service and complaint channels; publishing none is scenario 6.5 of the 2019 认定方法.',
    },
    severity: 'medium',
    measures: ['miit26-11', 'cac2019-6.5'],
    present: (p) => p.contacts.length > 0,
  },
  {
    id: 'minors',
    label: { zh: '未成年人个人信息保护', en: "protection of minors' personal information" },
    why: {
      zh: '不满十四周岁未成年人的个人信息属于敏感个人信息（个人信息保护法第二十八条、第三十一条），处理需取得监护人同意。',
      en: 'Information of children under 14 is sensitive (PIPL arts. 28 and 31) and needs a guardian’s consent.',
    },
    severity: 'low',
    measures: ['miit26-09'],
    present: (p) => hasSection(p, 'minors'),
  },
];

const ELEMENT_IDS: readonly string[] = ELEMENTS.map((e) => e.id);

export const policyRequiredElements = defineRule({
  meta: {
    id: 'policy-required-elements',
    measures: ['miit26-09', 'miit26-11', 'cac2019-1.1', 'cac2019-2.1', 'cac2019-2.2', 'cac2019-6.5'],
    evidence: ['policy'],
    severity: 'medium',
    title: { zh: '隐私政策缺少必备内容', en: 'The privacy policy lacks required parts' },
    description: {
      zh: '26 号文第 9 条要求以简明易懂的方式告知个人信息处理规则。个人信息保护法第十七条和认定方法列出了隐私政策必须包含的内容：运营者名称和联系方式、收集使用规则、第三方共享、保存期限、安全措施、用户权利、政策变更方式、生效日期、投诉渠道，以及未成年人保护。本规则按政策分析识别出的章节和要素，逐项报告缺少的内容。',
      en: "Measure 9 of the 2023 notice asks for the processing rules to be explained plainly. PIPL art. 17 and the 2019 认定方法 list what a privacy policy must contain: the operator's name and contact details, collection and use rules, third-party sharing, retention, security, users' rights, how changes are announced, an effective date, a complaint channel, and protection of minors. This rule reports each part the policy analysis did not find.",
    },
    fix: {
      zh: '在隐私政策中补充缺少的章节：写明运营者全称、联系电话或邮箱、生效/更新日期，以及收集使用、共享、存储、安全、用户权利、政策变更和未成年人保护的规则。',
      en: "Add the missing parts: the operator's full name, a phone number or e-mail address, the effective or updated date, and the rules on collection and use, sharing, storage, security, users' rights, policy changes and minors.",
    },
    options: {
      elements: { type: 'array', items: { type: 'string', enum: ELEMENT_IDS }, uniqueItems: true, default: ELEMENT_IDS },
    },
    messages: {
      empty: {
        zh: '隐私政策为空，或未能读出正文：无法确认其中有任何收集使用规则。',
        en: 'The privacy policy is empty or its text could not be read: it shows no collection and use rules at all.',
      },
      missingElement: {
        zh: '隐私政策中未找到{label}。{why}',
        en: 'The privacy policy does not give {label}. {why}',
      },
    },
  },
  check({ evidence, options }) {
    const policy = evidence.policy;
    if (policy.text.trim() === '') {
      return [
        {
          key: 'empty',
          severity: 'high',
          measures: ['miit26-09', 'cac2019-1.1'],
          messageId: 'empty',
          evidence: [policyWhole(policy)],
        },
      ];
    }
    const wanted = new Set(options.elements);
    const findings: FindingInput[] = [];
    for (const element of ELEMENTS) {
      if (!wanted.has(element.id) || element.present(policy)) continue;
      findings.push({
        key: element.id,
        severity: element.severity,
        measures: element.measures,
        messageId: 'missingElement',
        messageData: { label: element.label, why: element.why },
        evidence: [policyWhole(policy)],
        data: { element: element.id },
      });
    }
    return findings;
  },
});
