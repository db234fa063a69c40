import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { callersBy, codeRef, describeCallers } from '../evidence/queries.js';

/** The catalogue's word on which identifier APIs return a value the user cannot reset. */
function nonResettableApis(knowledge: KnowledgeSnapshot): Map<string, { zh: string; en: string }> {
  const out = new Map<string, { zh: string; en: string }>();
  for (const spec of knowledge.sensitiveApis) {
    if (spec.resettable === false && (spec.pi === 'device-identifiers' || spec.pi === 'network-identifiers')) out.set(spec.id, spec.what);
  }
  return out;
}

export const nonResettableIdentifiers = defineRule({
  meta: {
    id: 'non-resettable-identifiers',
    measures: ['miit26-08'],
    evidence: ['apk'],
    severity: 'medium',
    title: { zh: '读取不可重置的设备标识符', en: 'Reads non-resettable device identifiers' },
    description: {
      zh: 'IMEI、MEID、IMSI、ICCID、序列号、MAC 地址等标识符无法由用户重置，可长期跨应用追踪用户。GB/T 41391-2022 附录F 将其列为不可变更的唯一设备识别码，除非业务必需不应收集，应优先使用 OAID 等可重置标识。',
      en: 'IMEI, MEID, IMSI, ICCID, serial numbers and MAC addresses cannot be reset by the user and allow long-term tracking across apps. GB/T 41391-2022 Annex F lists them as unchangeable device identifiers that should not be collected unless the service needs them; resettable IDs such as OAID are preferred.',
    },
    fix: {
      zh: '删除读取这些标识的代码，改用 OAID/AAID 等可重置标识；对 SDK 的读取，升级到不读取这些标识的版本或通过其配置关闭；确需收集时在隐私政策中说明目的并在同意后才读取。',
      en: 'Remove code reading these identifiers and use resettable ones (OAID, AAID); for SDK reads, upgrade to versions that do not read them or switch them off in the SDK configuration; if truly needed, state the purpose in the privacy policy and read only after consent.',
    },
    messages: {
      identifier: {
        zh: '读取{what}（{signature}），调用方：{use}。',
        en: 'Reads the {what} ({signature}); called by {use}.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const apis = nonResettableApis(knowledge);
    const libraries = new Set(facts.sdks.filter((s) => s.category === 'open-source-library').map((s) => s.id));
    const findings: FindingInput[] = [];
    for (const use of facts.sensitiveApis) {
      const what = apis.get(use.api);
      if (!what) continue;
      const by = callersBy(use);
      // Open-source libraries (AndroidX's TelephonyManagerCompat) only wrap the call for whoever
      // uses them: alone they are a lead for the runtime trace, not a read by anyone.
      const wrappersOnly = by.own === 0 && by.unknown === 0 && by.sdks.every((id) => libraries.has(id));
      findings.push({
        key: use.api,
        // The app's own reads are its operator's direct decision; SDK reads are still the operator's
        // responsibility, but are fixed through the vendor.
        severity: by.own > 0 ? 'high' : wrappersOnly ? 'info' : 'medium',
        messageId: 'identifier',
        messageData: {
          what,
          signature: use.signature,
          use: { zh: describeCallers(facts, use, 'zh'), en: describeCallers(facts, use, 'en') },
        },
        evidence: use.callers.slice(0, 10).map((c) => codeRef(use, c)),
        data: {
          api: use.api,
          callerCount: use.callerCount,
          own: by.own,
          sdks: by.sdks,
          unknown: by.unknown,
          ...(use.reach !== undefined ? { reach: use.reach } : {}),
        },
      });
    }
    return findings;
  },
});
