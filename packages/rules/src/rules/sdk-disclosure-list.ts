import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { sdkNeedsDisclosure, sdkObservedPI } from '../evidence/queries.js';

export const sdkDisclosureList = defineRule({
  meta: {
    id: 'sdk-disclosure-list',
    measures: ['miit26-15'],
    evidence: ['apk'],
    severity: 'info',
    kind: 'inventory',
    title: { zh: '需在隐私政策中逐一公示的 SDK', en: 'SDKs to disclose in the privacy policy' },
    description: {
      zh: '应用集成的每个收集个人信息的第三方 SDK，都须在隐私政策中逐一列明 SDK 名称、开发者、收集的个人信息、使用目的和 SDK 隐私政策链接，并与全国 SDK 管理服务平台的登记一致。本规则给出从安装包中识别到的清单，供与隐私政策核对。',
      en: "Every third-party SDK that collects personal information must be listed one by one in the app's privacy policy: SDK name, developer, personal information collected, purpose and the SDK's privacy-policy link, consistent with the national SDK registry. This rule lists the SDKs found in the package for checking against the policy.",
    },
    fix: {
      zh: '把清单中的每个 SDK 写入隐私政策的第三方 SDK 列表；移除不再使用的 SDK。',
      en: "Add every SDK of the list to the privacy policy's third-party SDK list; remove SDKs you no longer use.",
    },
    messages: {
      disclose: {
        zh: '{name}（{vendor}）：用途 {purpose}；个人信息 {piText}{privacyPolicy}。',
        en: '{name} ({vendor}): purpose {purpose}; personal information {piText}{privacyPolicy}.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const findings: FindingInput[] = [];
    for (const sdk of facts.sdks) {
      // Plain libraries send nothing to a vendor; any other SDK seen reaching PI needs disclosing, whatever its label.
      if (!sdkNeedsDisclosure(facts, sdk)) continue;
      const { pi: observed, apis } = sdkObservedPI(facts, sdk.id);
      const purpose = knowledge.sdkCategoryPurpose(sdk.category);
      const pi = [...new Set([...sdk.personalInformation, ...observed])].sort();
      const piText = (lang: 'zh' | 'en') => pi.map((id) => knowledge.piCategory(id)?.[lang] ?? id).join(lang === 'zh' ? '、' : ', ');
      findings.push({
        key: sdk.id,
        messageId: 'disclose',
        messageData: {
          name: sdk.name,
          vendor: sdk.vendor,
          purpose,
          piText: { zh: piText('zh') || '未知', en: piText('en') || 'unknown' },
          privacyPolicy: {
            zh: sdk.privacyPolicy ? `；隐私政策 ${sdk.privacyPolicy}` : '',
            en: sdk.privacyPolicy ? `; privacy policy ${sdk.privacyPolicy}` : '',
          },
        },
        evidence: [{ kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version }],
        data: {
          sdk: sdk.id,
          name: sdk.name,
          vendor: sdk.vendor,
          category: sdk.category,
          purpose,
          personalInformation: pi,
          declaredPersonalInformation: sdk.personalInformation,
          observedPersonalInformation: observed,
          apis,
          privacyPolicy: sdk.privacyPolicy,
          version: sdk.version,
          confidence: sdk.confidence,
        },
      });
    }
    return findings;
  },
});
