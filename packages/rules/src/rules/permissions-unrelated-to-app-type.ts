import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { isDangerousLevel } from '../evidence/queries.js';

export const permissionsUnrelatedToAppType = defineRule({
  meta: {
    id: 'permissions-unrelated-to-app-type',
    measures: ['miit26-08', 'miit26-10'],
    evidence: ['apk', 'store'],
    appliesTo: ['apk'],
    severity: 'medium',
    title: { zh: '与应用类型基本功能无关的敏感权限', en: 'Sensitive permissions beyond the app type’s necessary information' },
    description: {
      zh: '《常见类型移动互联网应用程序必要个人信息范围规定》为 39 类应用规定了基本功能所需的必要个人信息。申请用于收集其他个人信息的权限时，该权限只能服务于扩展功能：用户拒绝后基本功能必须照常可用，且应在使用相应功能时再申请。',
      en: 'The CAC 2021 rules on necessary personal information set, for 39 app types, what the basic function may collect. A permission that collects other personal information can only serve extended functions: refusing it must leave the basic function working, and it should be requested when that function is used.',
    },
    fix: {
      zh: '删除不需要的权限；保留的权限在对应扩展功能使用时再申请，拒绝后不影响基本功能，并在隐私政策中说明用途。',
      en: 'Remove permissions you do not need; request the others only when their extended function is used, keep the basic function working after a refusal, and state the purpose in the privacy policy.',
    },
    messages: {
      unrelated: {
        zh: '{requested} 用于获取{label}，不属于「{type}」基本功能的必要个人信息{noPINeeded}：拒绝后基本功能须可用。',
        en: '{requested} gives access to {label}, which is not necessary personal information for the basic function of "{type}" apps{noPINeeded}: refusing it must leave the basic function working.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const facts = evidence.package;
    const typeId = evidence.store?.appType;
    const type = typeId ? knowledge.appType(typeId) : undefined;
    if (!type) return [];
    const necessary = new Set(type.necessaryPI.map((p) => p.pi));
    const findings: FindingInput[] = [];
    for (const requested of facts.permissions) {
      const pi = knowledge.permission(requested.name)?.pi;
      if (!pi || necessary.has(pi)) continue;
      const category = knowledge.piCategory(pi);
      const label = category ? { zh: category.zh, en: category.en } : { zh: pi, en: pi };
      findings.push({
        key: requested.name,
        // Dangerous permissions reach the data directly; the rest are signals worth a look.
        severity: isDangerousLevel(requested.protectionLevel) ? 'medium' : 'low',
        messageId: 'unrelated',
        messageData: {
          requested: requested.name,
          label,
          type: { zh: type.zh, en: type.en },
          noPINeeded: {
            zh: type.noPINeeded ? '（该类型基本功能无需任何个人信息）' : '',
            en: type.noPINeeded ? ' (whose basic function needs none)' : '',
          },
        },
        evidence: [
          { kind: 'permission', artifact: 'AndroidManifest.xml', permission: requested.name },
          { kind: 'store', field: 'appType', value: type.id },
        ],
        data: { permission: requested.name, pi, appType: type.id, necessaryPI: [...necessary].sort() },
      });
    }
    return findings;
  },
});
