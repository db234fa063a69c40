import { piCategory } from '@apprights/knowledge';
import type { FindingInput, Rule } from '../engine/types.js';
import type { PackageFacts } from '../evidence/package-facts.js';

/** PI categories the SDK's own code was seen reaching (sensitive APIs it calls), sorted. */
function observedPI(facts: PackageFacts, sdk: string): string[] {
  const out = new Set<string>();
  for (const use of facts.sensitiveApis) if (use.pi && use.callers.some((c) => c.sdk === sdk)) out.add(use.pi);
  return [...out].sort();
}

const CATEGORY_PURPOSE: Record<string, { zh: string; en: string }> = {
  push: { zh: '消息推送', en: 'push notifications' },
  analytics: { zh: '统计分析', en: 'analytics' },
  crash: { zh: '崩溃与性能监测', en: 'crash and performance monitoring' },
  ads: { zh: '广告投放与归因', en: 'advertising and attribution' },
  'maps-location': { zh: '地图与定位', en: 'maps and location' },
  payment: { zh: '支付', en: 'payment' },
  social: { zh: '社交分享', en: 'social sharing' },
  login: { zh: '第三方登录/一键登录', en: 'third-party or one-tap login' },
  'device-id': { zh: '设备标识', en: 'device identification' },
  'risk-control': { zh: '风控与反作弊', en: 'risk control and anti-fraud' },
  'im-rtc': { zh: '即时通讯与音视频', en: 'messaging and real-time audio/video' },
  'hot-update': { zh: '热更新/插件', en: 'hot update and plugins' },
  'cloud-storage': { zh: '云存储', en: 'cloud storage' },
  'customer-service': { zh: '在线客服', en: 'customer service' },
  media: { zh: '音视频与图像处理', en: 'media processing' },
  other: { zh: '其他功能', en: 'other functions' },
  'open-source-library': { zh: '开源库', en: 'open-source library' },
};

export const sdkDisclosureList: Rule = {
  meta: {
    id: 'sdk-disclosure-list',
    measures: ['miit26-14', 'miit26-19'],
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
  },
  check({ evidence }) {
    const facts = evidence.package!;
    const findings: FindingInput[] = [];
    for (const sdk of facts.sdks) {
      const observed = observedPI(facts, sdk.id);
      // Plain libraries send nothing to a vendor; any other SDK seen reaching PI needs disclosing, whatever its label.
      if (!sdk.tracker && (observed.length === 0 || sdk.category === 'open-source-library')) continue;
      const purpose = CATEGORY_PURPOSE[sdk.category] ?? { zh: sdk.category, en: sdk.category };
      const pi = [...new Set([...sdk.personalInformation, ...observed])].sort();
      const piText = (lang: 'zh' | 'en') => pi.map((id) => piCategory(id)?.[lang] ?? id).join(lang === 'zh' ? '、' : ', ');
      findings.push({
        key: sdk.id,
        message: {
          zh: `${sdk.name.zh}（${sdk.vendor.zh}）：用途 ${purpose.zh}；个人信息 ${piText('zh') || '未知'}${sdk.privacyPolicy ? `；隐私政策 ${sdk.privacyPolicy}` : ''}。`,
          en: `${sdk.name.en} (${sdk.vendor.en}): purpose ${purpose.en}; personal information ${piText('en') || 'unknown'}${sdk.privacyPolicy ? `; privacy policy ${sdk.privacyPolicy}` : ''}.`,
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
          privacyPolicy: sdk.privacyPolicy,
          version: sdk.version,
          confidence: sdk.confidence,
        },
      });
    }
    return findings;
  },
};
