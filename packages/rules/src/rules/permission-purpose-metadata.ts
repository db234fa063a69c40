import { defineRule } from '../engine/define.js';
import type { EvidenceRef } from '../engine/types.js';
import { isDangerousLevel } from '../evidence/queries.js';

/**
 * T/TAF 076-2020 lets an app tell the system why it needs each dangerous permission, so permission
 * dialogs and installers can show the purpose next to the request: measure 10 asks for exactly that.
 */
export const permissionPurposeMetadata = defineRule({
  meta: {
    id: 'permission-purpose-metadata',
    measures: ['miit26-10'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'low',
    title: { zh: '危险权限缺少用途说明元数据', en: 'Dangerous permissions lack purpose metadata' },
    description: {
      zh: '按 T/TAF 076-2020《移动终端权限申请目的说明实施指南》，应用可在 <application> 下为每个申请的危险权限声明一条 <meta-data>（name 为权限名，resource 或 value 为用途说明），供系统在授权弹窗和安装界面中向用户展示申请目的。26 号文要求申请权限时同步告知目的。',
      en: 'Under T/TAF 076-2020 (guide to stating permission purposes on mobile terminals), an app declares one <meta-data> under <application> per dangerous permission it requests, named after the permission, whose resource or value is the purpose text; the system shows it in permission dialogs and installers. The 2023 notice asks that the purpose be given together with the request.',
    },
    fix: {
      zh: '为每个危险权限在 <application> 下添加 <meta-data android:name="权限名" android:resource="@string/用途说明" />，说明与实际使用场景一致。',
      en: 'Add <meta-data android:name="PERMISSION" android:resource="@string/purpose" /> under <application> for each dangerous permission, with a purpose that matches how the app really uses it.',
    },
    messages: {
      missing: {
        zh: '{missing} 个危险权限没有 T/TAF 076 用途说明元数据：{shown}{more}。',
        en: '{missing} dangerous permission{s} lack T/TAF 076 purpose metadata: {shown}{more}.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    // Libraries do not get permission dialogs of their own; the host app declares the purposes.
    if (facts.file.kind !== 'apk') return [];
    // A blank purpose tells the user nothing, so it counts as missing; null is a value that could not be read.
    const declared = new Set(facts.app.metaData.filter((m) => m.value === null || m.value.trim() !== '').map((m) => m.name));
    const dangerous = [...new Set(facts.permissions.filter((p) => isDangerousLevel(p.protectionLevel)).map((p) => p.name))];
    const missing = dangerous.filter((name) => !declared.has(name)).sort();
    if (missing.length === 0) return [];
    const evidenceRefs: EvidenceRef[] = missing.map((name) => ({ kind: 'permission', artifact: 'AndroidManifest.xml', permission: name }));
    const shown = missing.slice(0, 5);
    const more = missing.length - shown.length;
    return [
      {
        key: 'missing',
        messageId: 'missing',
        messageData: {
          missing: missing.length,
          s: missing.length === 1 ? '' : 's',
          shown: { zh: shown.join('、'), en: shown.join(', ') },
          more: { zh: more > 0 ? ' 等' : '', en: more > 0 ? ` and ${more} more` : '' },
        },
        evidence: evidenceRefs,
        data: { missing, dangerous: dangerous.length },
      },
    ];
  },
});
