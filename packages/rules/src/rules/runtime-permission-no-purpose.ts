import type { PermissionRequestEvent } from '@apprights/runtime';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  attributeStack,
  isPermissionRequest,
  joinList,
  sdkLabel,
  seconds,
  shortPermission,
  traceRef,
  type Located,
} from '../evidence/trace.js';

export const runtimePermissionNoPurpose = defineRule({
  meta: {
    id: 'runtime-permission-no-purpose',
    measures: ['miit26-10', 'cac2019-2.3'],
    evidence: ['trace'],
    severity: 'medium',
    title: { zh: '申请权限时未同步说明用途', en: 'Permission requested without stating its purpose' },
    description: {
      zh: '26 号文第 10 条要求调用相册、通讯录、位置等权限时同步告知用户申请该权限的目的；认定方法 2.3 将申请打开可收集个人信息的权限时未同步告知目的认定为违规。本规则检查运行时记录中的每次权限申请：记录明确未展示用途（purposeShown 为 false）时报告（中风险）；既未记录是否展示、也没有用途文字时报告“未知”（低风险），需人工核对截图。',
      en: 'Measure 10 of the 2023 notice asks for the purpose to be given whenever the album, contacts, location and the like are requested, and scenario 2.3 of the 2019 认定方法 counts a permission request without a simultaneous purpose as a violation. This rule checks each request in the trace: when the recorder says no purpose was shown (`purposeShown: false`) it is reported (medium); when it neither says whether one was shown nor recorded a purpose text it is reported as unknown (low), for a person to check the screenshots.',
    },
    fix: {
      zh: '在弹出系统权限对话框之前或同时，用应用自己的弹窗或页面顶部提示说明为什么需要该权限、用于哪个功能，例如“需要相机权限用于扫码”。',
      en: 'Before or with the system permission dialog, explain in the app’s own dialog or a banner why the permission is needed and for which feature, e.g. “camera access is used to scan QR codes”.',
    },
    messages: {
      noPurpose: {
        zh: '第 {t} 秒申请 {permissions} 权限{by}时未展示用途说明{times}。',
        en: 'At {t} s the app asked for {permissions}{by} without showing what it is for{times}.',
      },
      purposeUnknown: {
        zh: '第 {t} 秒申请 {permissions} 权限{by}，记录中没有是否展示用途的信息，也没有用途文字，需人工核对{times}。',
        en: 'At {t} s the app asked for {permissions}{by}; the trace says neither whether a purpose was shown nor what it said, so check by hand{times}.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const groups = new Map<string, { known: boolean; requests: Located<PermissionRequestEvent>[] }>();
    for (const event of evidence.trace.events) {
      if (!isPermissionRequest(event) || event.permissions.length === 0) continue;
      const known = event.purposeShown === false;
      if (!known && (event.purposeShown === true || (event.purposeText ?? '').trim())) continue;
      const key = `${known ? 'no-purpose' : 'purpose-unknown'}:${[...event.permissions].sort().join(',')}`;
      const group = groups.get(key) ?? { known, requests: [] };
      group.requests.push(event);
      groups.set(key, group);
    }
    const findings: FindingInput[] = [];
    for (const [key, { known, requests }] of groups) {
      const first = requests[0]!;
      const permissions = first.permissions.map(shortPermission);
      const { sdk } = attributeStack(knowledge, first.stack, evidence.trace);
      const by = {
        zh: sdk ? `（由 SDK ${sdkLabel(knowledge, sdk, 'zh')} 发起）` : '',
        en: sdk ? ` (by SDK ${sdkLabel(knowledge, sdk, 'en')})` : '',
      };
      const times = {
        zh: requests.length > 1 ? `，共 ${requests.length} 次` : '',
        en: requests.length > 1 ? `, ${requests.length} times` : '',
      };
      findings.push({
        key,
        severity: known ? undefined : 'low',
        messageId: known ? 'noPurpose' : 'purposeUnknown',
        messageData: { t: seconds(first.t), permissions: { zh: joinList(permissions, 'zh'), en: joinList(permissions, 'en') }, by, times },
        evidence: requests
          .slice(0, 3)
          .map((r) =>
            traceRef(r, `request ${r.permissions.map(shortPermission).join(', ')}: ${known ? 'no purpose shown' : 'purpose unknown'}`),
          ),
        data: { permissions: first.permissions, purposeShown: known ? false : null, requests: requests.length, sdk, firstMs: first.t },
      });
    }
    return findings;
  },
});
