import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import type { DetectedSdk } from '../evidence/package-facts.js';
import { codeRef } from '../evidence/queries.js';

/** The catalogue's runtime-permission request APIs: the platform's and the two compat wrappers. */
const REQUEST_APIS = new Set([
  'activity.requestPermissions',
  'androidx.activityCompat.requestPermissions',
  'support.activityCompat.requestPermissions',
]);

const REFS_PER_SDK = 10;

export const sdkRequestsPermissions = defineRule({
  meta: {
    id: 'sdk-requests-permissions',
    measures: ['miit26-10', 'miit26-20'],
    evidence: ['apk'],
    severity: 'low',
    title: { zh: '第三方 SDK 自行申请运行时权限', en: 'Third-party SDKs that request runtime permissions themselves' },
    description: {
      zh: '第三方 SDK 的代码自行调用 requestPermissions 弹出系统权限申请，宿主应用便无法决定何时、为何向用户申请：SDK 可能在启动时或与当前功能无关的时刻申请。26 号文要求在相关业务功能启动时再动态申请权限并同步说明目的，SDK 的权限及申请时机也应可由应用开发者配置。',
      en: 'Code of a third-party SDK calls requestPermissions itself, so the host app no longer decides when and why users are asked: the SDK may ask at start-up or at moments unrelated to what the user is doing. The 2023 notice asks for permissions to be requested when the feature needing them starts, with the purpose given at the same time, and expects SDKs to let the app developer configure their permissions and when they are requested.',
    },
    fix: {
      zh: '在 SDK 配置中关闭其自行申请权限（多数 SDK 的合规说明提供此类开关），由应用在用户使用相关功能时自行申请并说明目的，再把结果交给 SDK；无法关闭时确认其申请时机符合要求，并在隐私政策中说明。',
      en: "Switch off the SDK's own permission requests in its configuration (most SDK compliance guides describe such a setting) and let the app ask when the user reaches the feature, with the purpose, passing the result to the SDK; where it cannot be switched off, check when the SDK asks and describe it in the privacy policy.",
    },
    messages: {
      requests: {
        zh: '{name} 的代码自行申请运行时权限（{callers} 个调用方法），申请时机不由应用控制。',
        en: '{name} requests runtime permissions from its own code ({callers} calling method{s}), at moments the app does not control.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const bySdk = new Map<string, { sdk: DetectedSdk; refs: EvidenceRef[]; apis: Set<string>; callers: number }>();
    for (const use of facts.sensitiveApis) {
      if (!REQUEST_APIS.has(use.api)) continue;
      for (const caller of use.callers) {
        // AndroidX and the support library only wrap the request for whoever calls them.
        const sdk = caller.sdk ? facts.sdks.find((s) => s.id === caller.sdk) : undefined;
        if (!sdk || sdk.category === 'open-source-library') continue;
        let entry = bySdk.get(sdk.id);
        if (!entry) bySdk.set(sdk.id, (entry = { sdk, refs: [], apis: new Set(), callers: 0 }));
        entry.callers++;
        entry.apis.add(use.api);
        if (entry.refs.length < REFS_PER_SDK) entry.refs.push(codeRef(use, caller));
      }
    }
    const findings: FindingInput[] = [];
    for (const { sdk, refs, apis, callers } of [...bySdk.values()].sort((a, b) => a.sdk.id.localeCompare(b.sdk.id))) {
      findings.push({
        key: sdk.id,
        messageId: 'requests',
        messageData: { name: sdk.name, callers, s: callers === 1 ? '' : 's' },
        evidence: [{ kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version }, ...refs],
        data: { sdk: sdk.id, category: sdk.category, apis: [...apis].sort(), callers },
      });
    }
    return findings;
  },
});
