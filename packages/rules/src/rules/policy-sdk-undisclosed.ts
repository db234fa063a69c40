import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput, Severity } from '../engine/types.js';
import { listOf, piLabel, policyPassage, policyWhole } from '../evidence/policy.js';
import { comparePolicy } from '../evidence/policy-comparison.js';

export const policySdkUndisclosed = defineRule({
  meta: {
    id: 'policy-sdk-undisclosed',
    measures: ['miit26-15', 'cac2019-2.1', 'tc260-sdk-disclosure', 'industry-store-sdk-list'],
    evidence: ['apk', 'policy'],
    appliesTo: ['apk'],
    severity: 'high',
    title: { zh: '隐私政策未披露集成的 SDK', en: 'Embedded SDKs missing from the privacy policy' },
    description: {
      zh: '26 号文第 15 条要求 APP 逐一公开集成的第三方 SDK 的名称、开发者、收集的个人信息、目的和隐私政策链接；认定方法 2.1 把未列明嵌入的第三方代码、插件的收集规则列为违规情形。本规则把安装包中识别出的、会收集个人信息的 SDK 与隐私政策的 SDK 清单、第三方列表和正文逐一比对，报告政策没有提到的 SDK。',
      en: 'Measure 15 of the 2023 notice asks apps to publish, for each embedded third-party SDK, its name, developer, the personal information it collects, why, and its privacy-policy link; scenario 2.1 of the 2019 认定方法 counts leaving embedded code and plug-ins out of the rules as a violation. This rule compares the SDKs found in the package that collect personal information with the policy’s SDK table, recipients and text, and reports each SDK the policy does not name.',
    },
    fix: {
      zh: '把每个 SDK 写入隐私政策的第三方 SDK 清单：SDK 名称、开发者、收集的个人信息、使用目的、SDK 隐私政策链接（可参考 sdk-disclosure-list 给出的清单）；不再使用的 SDK 应从应用中移除。',
      en: 'List each SDK in the policy’s third-party SDK list with its name, developer, the personal information it collects, purpose and privacy-policy link (the sdk-disclosure-list inventory has them); remove SDKs you no longer use.',
    },
    messages: {
      undisclosed: {
        zh: '安装包集成了{name}（{vendor}，用于{purpose}{pi}），隐私政策的 SDK 清单和正文都没有列出它{notes}。',
        en: 'The package embeds {name} ({vendor}; {purpose}{pi}), which neither the policy’s SDK list nor its text names{notes}.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const policy = evidence.policy;
    const catalog = knowledge.sdks;
    const nameOf = (id: string) => facts.sdks.find((s) => s.id === id)?.name ?? catalog.get(id)?.name ?? { zh: id, en: id };
    const findings: FindingInput[] = [];
    for (const check of comparePolicy(facts, policy, knowledge).sdks) {
      if (check.status === 'named') continue;
      const { sdk, personalInformation: pi, mention, sameDeveloperNamed: sibling } = check;
      let severity: Severity = sdk.tracker && pi.length > 0 ? 'high' : 'medium';
      if (mention || sibling || sdk.confidence === 'low') severity = 'low';
      const purpose = knowledge.sdkCategoryPurpose(sdk.category);
      const piText = (lang: 'zh' | 'en') =>
        listOf(
          pi.map((c) => piLabel(knowledge, c)[lang]),
          lang,
          6,
        );
      const notes = { zh: [] as string[], en: [] as string[] };
      if (mention) {
        notes.zh.push(`政策只提到“${mention.text}”，这是 ${mention.shared} 个 SDK 共用的品牌或公司名，没有写明是哪一个`);
        notes.en.push(`the policy only says "${mention.text}", a brand or company name ${mention.shared} SDKs share, not which one`);
      }
      if (sibling) {
        const other = nameOf(sibling);
        notes.zh.push(`政策写明了同一开发者的${other.zh}；若本 SDK 随其一起集成，也应单独列出`);
        notes.en.push(`the policy names ${other.en} of the same developer; if this SDK comes with it, list it too`);
      }
      if (sdk.confidence === 'low') {
        notes.zh.push('安装包中只见到它的服务器域名，请先确认是否确实集成');
        notes.en.push('only its server host names were seen in the package: confirm it is really embedded');
      }
      const refs: EvidenceRef[] = [{ kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version }];
      refs.push(mention ? policyPassage(policy, mention.start, mention.end) : policyWhole(policy));
      findings.push({
        key: sdk.id,
        severity,
        messageId: 'undisclosed',
        messageData: {
          name: sdk.name,
          vendor: sdk.vendor,
          purpose: { zh: purpose.zh, en: purpose.en.toLowerCase() },
          pi: { zh: pi.length > 0 ? `，收集${piText('zh')}` : '', en: pi.length > 0 ? `; collects ${piText('en')}` : '' },
          notes: { zh: notes.zh.length > 0 ? `：${notes.zh.join('；')}` : '', en: notes.en.length > 0 ? `: ${notes.en.join('; ')}` : '' },
        },
        evidence: refs,
        data: {
          sdk: sdk.id,
          name: sdk.name,
          vendor: sdk.vendor,
          category: sdk.category,
          tracker: sdk.tracker,
          confidence: sdk.confidence,
          personalInformation: pi,
          privacyPolicy: sdk.privacyPolicy,
          ...(mention ? { mentioned: { text: mention.text, via: mention.via, shared: mention.shared, start: mention.start } } : {}),
          ...(sibling ? { sameDeveloperNamed: sibling } : {}),
        },
      });
    }
    return findings;
  },
});
