import type { DataMention } from '@apprights/policy';
import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import { affirmed, listOf, piLabel, policyPassage, policyWhole, snippet } from '../evidence/policy.js';

/** Passages quoted per finding. */
const SHOWN = 3;

export const policyAppTypeNecessaryPi = defineRule({
  meta: {
    id: 'policy-app-type-necessary-pi',
    measures: ['miit26-08', 'cac2021-necessary-pi'],
    evidence: ['policy', 'store'],
    severity: 'medium',
    title: { zh: '隐私政策把非必要个人信息说成基本功能所必需', en: 'The policy presents non-necessary information as required' },
    description: {
      zh: '《常见类型移动互联网应用程序必要个人信息范围规定》为 39 类应用规定了基本功能所需的必要个人信息，26 号文第 8 条要求用户拒绝非必要个人信息时基本功能仍可使用。本规则按应用类型，找出隐私政策称为“必须”“必要”“否则无法使用基本功能”的个人信息中，不属于该类型必要个人信息的类别；并在政策完全没有提到该类型必要个人信息时给出提示。',
      en: 'The CAC 2021 rules on necessary personal information set, for 39 app types, what the basic function may require, and measure 8 of the 2023 notice asks that refusing anything else leaves the basic function working. For the app’s type, this rule finds the information the policy calls required ("必须", "必要", "otherwise the basic function cannot be used") that is not necessary for that type; it also notes when the policy mentions none of the type’s necessary information.',
    },
    fix: {
      zh: '只把该类型的必要个人信息列为基本功能所必需；其他信息改为扩展功能在使用时另行征得同意，并写明拒绝不影响基本功能。',
      en: 'Call only the type’s necessary information required for the basic function; collect anything else for extended functions with separate consent when they are used, and say that refusing it leaves the basic function working.',
    },
    messages: {
      required: {
        zh: '隐私政策称{label}为基本功能所必需（“{quote}”），但应用属于「{type}」，{allowed}。用户拒绝提供{label}时，基本功能应仍可使用。',
        en: 'The privacy policy calls {label} required for the basic function ("{quote}"), but the app is of the type "{type}": {allowed}. Refusing {label} must leave the basic function working.',
      },
      necessaryUnmentioned: {
        zh: '应用属于「{type}」，其基本功能（{basicFunctions}）需要{necessaryList}，但隐私政策没有提到其中任何一项：请确认政策描述了基本功能收集的信息，或应用类型是否选对。',
        en: 'The app is of the type "{type}", whose basic function ({basicFunctions}) needs {necessaryList}, but the policy mentions none of it: check that the policy describes what the basic function collects, or that the app type is right.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const policy = evidence.policy;
    const typeId = evidence.store?.appType;
    const type = typeId ? knowledge.appType(typeId) : undefined;
    if (!type) return [];
    const necessary = new Set(type.necessaryPI.map((p) => p.pi));
    const necessaryList = (lang: 'zh' | 'en') => listOf([...new Set(type.necessaryPI.map((p) => p[lang]))], lang, 8);
    const storeRef: EvidenceRef = { kind: 'store', field: 'appType', value: type.id };
    const mentions = affirmed(policy);
    const required = new Map<string, DataMention[]>();
    for (const m of mentions) {
      if (!m.required || m.category === 'general' || necessary.has(m.category)) continue;
      required.set(m.category, [...(required.get(m.category) ?? []), m]);
    }
    const findings: FindingInput[] = [];
    for (const [category, list] of required) {
      const label = piLabel(knowledge, category);
      const first = list[0]!;
      const allowed = {
        zh: type.noPINeeded ? '该类型的基本功能无需任何个人信息' : `该类型的必要个人信息仅为：${necessaryList('zh')}`,
        en: type.noPINeeded
          ? 'its basic function needs no personal information at all'
          : `its necessary information is only: ${necessaryList('en')}`,
      };
      findings.push({
        key: `required:${category}`,
        messageId: 'required',
        messageData: { label, quote: snippet(policy, first.start, first.end), type: { zh: type.zh, en: type.en }, allowed },
        evidence: [...list.slice(0, SHOWN).map((m) => policyPassage(policy, m.start, m.end, m.section)), storeRef],
        data: { category, appType: type.id, necessaryPI: [...necessary].sort(), mentions: list.length },
      });
    }
    if (!type.noPINeeded && !mentions.some((m) => necessary.has(m.category))) {
      findings.push({
        key: 'necessary-unmentioned',
        severity: 'info',
        messageId: 'necessaryUnmentioned',
        messageData: {
          type: { zh: type.zh, en: type.en },
          basicFunctions: type.basicFunctions,
          necessaryList: { zh: necessaryList('zh'), en: necessaryList('en') },
        },
        evidence: [policyWhole(policy), storeRef],
        data: { appType: type.id, necessaryPI: [...necessary].sort() },
      });
    }
    return findings;
  },
});
