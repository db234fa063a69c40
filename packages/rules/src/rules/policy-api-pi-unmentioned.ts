import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput, Severity } from '../engine/types.js';
import { codeRef, describeCallers, sdkName } from '../evidence/queries.js';
import { listOf, piLabel, policyPassage, policyWhole } from '../evidence/policy.js';
import { comparePolicy } from '../evidence/policy-comparison.js';

/** Code references quoted per finding. */
const MAX_REFS = 10;

export const policyApiPiUnmentioned = defineRule({
  meta: {
    id: 'policy-api-pi-unmentioned',
    measures: ['miit26-08', 'cac2019-2.1'],
    evidence: ['apk', 'policy'],
    appliesTo: ['apk'],
    severity: 'medium',
    title: { zh: '代码读取的个人信息未在隐私政策中提及', en: 'Personal information the code reads is not in the privacy policy' },
    description: {
      zh: '26 号文第 8 条要求处理个人信息有明确、合理的目的，认定方法 2.1 要求逐一列明收集个人信息的目的、方式和范围（含第三方 SDK）。本规则按个人信息类别汇总应用自身代码和 SDK 调用的敏感接口（读取位置、通讯录、设备标识符、已安装应用列表、剪切板等），报告隐私政策没有提到的类别。代码中存在调用不等于运行时一定调用，但政策需覆盖应用可能收集的信息。',
      en: 'Measure 8 of the 2023 notice asks for personal information to be processed only for a clear, reasonable purpose, and scenario 2.1 of the 2019 认定方法 for the purposes, means and scope of collection to be listed item by item, SDKs included. This rule groups the sensitive APIs the app’s own code and its SDKs call (location, contacts, device identifiers, the installed-app list, the clipboard …) by personal-information category and reports each category the policy never mentions. A call in the code is not proof that it runs, but the policy has to cover what the app can collect.',
    },
    fix: {
      zh: '在隐私政策中写明这些个人信息的收集目的、方式和范围（由 SDK 收集的，在 SDK 清单中写明）；不需要的调用从代码中删除，或通过 SDK 配置关闭。',
      en: 'State in the policy why, how and how much of this information is collected (in the SDK list for what SDKs collect); remove calls the app does not need, or switch them off in the SDK’s configuration.',
    },
    messages: {
      unmentioned: {
        zh: '代码调用了涉及{label}的接口（{apis}），调用方：{who}；{denial}。',
        en: 'The code calls APIs that reach {label} ({apis}), called by {who}; {denial}.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const policy = evidence.policy;
    const libraries = new Set(facts.sdks.filter((s) => s.category === 'open-source-library').map((s) => s.id));
    const findings: FindingInput[] = [];
    for (const check of comparePolicy(facts, policy, knowledge).pi) {
      if (check.status !== 'denied' && check.status !== 'unmentioned') continue;
      const { pi, uses, own, sdks, unknown } = check;
      const denial = check.status === 'denied' ? check.mention : undefined;
      const label = piLabel(knowledge, pi);
      const nonLibrary = sdks.filter((id) => !libraries.has(id));
      let severity: Severity = knowledge.piCategory(pi)?.sensitive ? 'high' : 'medium';
      if (own === 0 && nonLibrary.length === 0) severity = 'low';
      const apis = (lang: 'zh' | 'en') =>
        listOf([...new Set(uses.map((u) => knowledge.sensitiveApi(u.api)?.what[lang] ?? u.api))], lang, 6);
      const who = (lang: 'zh' | 'en') => {
        const parts: string[] = [];
        if (own > 0) parts.push(lang === 'zh' ? '应用自身代码' : "the app's own code");
        for (const id of sdks) parts.push(sdkName(facts, id, lang) ?? id);
        if (unknown > 0)
          parts.push(lang === 'zh' ? `${unknown} 处未识别来源的代码` : `${unknown} unidentified caller${unknown === 1 ? '' : 's'}`);
        return parts.join(lang === 'zh' ? '、' : ', ') || describeCallers(facts, uses[0]!, lang);
      };
      const refs: EvidenceRef[] = [];
      for (let round = 0; refs.length < MAX_REFS && round < 3; round++) {
        for (const use of uses) {
          const caller = use.callers[round];
          if (caller && refs.length < MAX_REFS) refs.push(codeRef(use, caller));
        }
      }
      refs.push(denial ? policyPassage(policy, denial.start, denial.end, denial.section) : policyWhole(policy));
      findings.push({
        key: pi,
        severity: denial && severity !== 'low' ? 'high' : severity,
        messageId: 'unmentioned',
        messageData: {
          label,
          apis: { zh: apis('zh'), en: apis('en') },
          who: { zh: who('zh'), en: who('en') },
          denial: {
            zh: denial ? `隐私政策却声明不收集（“${denial.text}”）` : `隐私政策没有提到${label.zh}`,
            en: denial
              ? `yet the privacy policy says it is not collected ("${denial.text}")`
              : `the privacy policy never mentions ${label.en}`,
          },
        },
        evidence: refs,
        data: { pi, apis: [...new Set(uses.map((u) => u.api))].sort(), own, sdks, unknown, deniedInPolicy: denial !== undefined },
      });
    }
    return findings;
  },
});
