import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import type { Component, DetectedSdk } from '../evidence/package-facts.js';
import { manifestRef, sdkOfClass, sdkOfComponent } from '../evidence/queries.js';

/** Jetpack App Startup: one provider that runs every initializer named in its <meta-data> at process start. */
const STARTUP_PROVIDER = 'androidx.startup.InitializationProvider';
/**
 * Ad SDKs ship FileProvider subclasses to hand downloaded files to other apps; FileProvider.onCreate
 * only reads its path configuration, so these start nothing.
 */
const FILE_PROVIDER = /FileProvider$/;

interface Started {
  sdk: DetectedSdk;
  providers: string[];
  initializers: string[];
  refs: EvidenceRef[];
  /** Whether any of them runs as shipped: a disabled provider is not created until the app enables it. */
  enabled: boolean;
}

function collectsForVendor(sdk: DetectedSdk | undefined): sdk is DetectedSdk {
  return sdk !== undefined && sdk.tracker && sdk.category !== 'open-source-library';
}

function listed(names: string[], lang: 'zh' | 'en'): string {
  const shown = names.slice(0, 3).join(lang === 'zh' ? '、' : ', ');
  if (names.length <= 3) return shown;
  return lang === 'zh' ? `${shown} 等 ${names.length} 个` : `${shown} and ${names.length - 3} more`;
}

export const sdkInitBeforeConsent = defineRule({
  meta: {
    id: 'sdk-init-before-consent',
    measures: ['miit26-20', 'cac2019-3.1'],
    evidence: ['apk'],
    appliesTo: ['apk', 'aar'],
    severity: 'medium',
    title: { zh: 'SDK 借助 ContentProvider 在用户同意前自行初始化', en: 'SDKs that initialise themselves before consent' },
    description: {
      zh: '系统在应用进程启动时、Application.onCreate 之前就会创建清单中声明的 ContentProvider（包括 androidx.startup 的 InitializationProvider 所列的初始化器）。收集个人信息的第三方 SDK 若借此自动初始化，会在隐私政策弹窗出现之前就开始运行，往往同时读取设备信息。26 号文要求 SDK 在宿主应用取得用户同意前不得初始化或收集个人信息，认定方法也将同意前收集列为违规情形。',
      en: "Android creates every manifest ContentProvider when the app's process starts, before Application.onCreate, and androidx.startup's InitializationProvider runs the initializers listed in its meta-data at that moment. A tracking SDK that initialises itself this way is running before any consent dialog can appear, and often reads device data at once. The 2023 notice requires SDKs not to initialise or collect personal information before the host app has consent, and the 2019 assessment method treats collection before consent as a violation.",
    },
    fix: {
      zh: '按 SDK 的合规说明关闭自动初始化：在清单中用 tools:node="remove" 移除其 provider 或 App Startup 初始化器，改为在用户同意隐私政策后手动调用 SDK 的初始化接口；无法移除的 provider 可默认禁用（android:enabled="false"），同意后再启用。',
      en: 'Turn off automatic initialisation as the SDK\'s compliance guide describes: remove its provider or App Startup initializer from the merged manifest with tools:node="remove" and call the SDK\'s init method yourself once the user has accepted the privacy policy; a provider you cannot remove can ship disabled (android:enabled="false") and be enabled after consent.',
    },
    messages: {
      initBeforeConsent: {
        zh: '{name} 通过清单中的{what}在进程启动时（Application.onCreate 之前）自动初始化，早于任何隐私政策同意{enabled}。',
        en: '{name} initialises itself through the {what} in the manifest when the process starts, before Application.onCreate and so before any consent{enabled}.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const bySdk = new Map<string, Started>();
    const add = (sdk: DetectedSdk, component: Component, ref: EvidenceRef, initializer?: string) => {
      let entry = bySdk.get(sdk.id);
      if (!entry) bySdk.set(sdk.id, (entry = { sdk, providers: [], initializers: [], refs: [], enabled: false }));
      if (initializer) entry.initializers.push(initializer);
      else entry.providers.push(component.name);
      entry.refs.push(ref);
      if (component.enabled !== false) entry.enabled = true;
    };
    for (const component of facts.components) {
      if (component.type !== 'provider') continue;
      if (component.name === STARTUP_PROVIDER) {
        // The provider is AndroidX's own; what it starts is named by its initializers.
        for (const meta of component.metaData) {
          const sdk = sdkOfClass(facts, meta.name);
          if (collectsForVendor(sdk)) add(sdk, component, manifestRef(component, `meta-data=${meta.name}`, sdk.id), meta.name);
        }
        continue;
      }
      if (FILE_PROVIDER.test(component.name)) continue;
      const sdk = sdkOfComponent(facts, component.name);
      if (!collectsForVendor(sdk)) continue;
      const authorities = component.authorities ?? [];
      add(
        sdk,
        component,
        manifestRef(component, authorities.length > 0 ? `android:authorities=${authorities.join(';')}` : 'provider', sdk.id),
      );
    }
    const findings: FindingInput[] = [];
    for (const { sdk, providers, initializers, refs, enabled } of bySdk.values()) {
      const what = (lang: 'zh' | 'en') => {
        const parts: string[] = [];
        if (providers.length > 0)
          parts.push(
            lang === 'zh'
              ? `ContentProvider ${listed(providers, lang)}`
              : `content provider${providers.length === 1 ? '' : 's'} ${listed(providers, lang)}`,
          );
        if (initializers.length > 0)
          parts.push(
            lang === 'zh'
              ? `App Startup 初始化器 ${listed(initializers, lang)}`
              : `App Startup initializer${initializers.length === 1 ? '' : 's'} ${listed(initializers, lang)}`,
          );
        return parts.join(lang === 'zh' ? '和' : ' and ');
      };
      findings.push({
        key: sdk.id,
        // Shipped disabled, nothing runs until the app enables it, normally after consent.
        severity: enabled ? undefined : 'low',
        messageId: 'initBeforeConsent',
        messageData: {
          name: sdk.name,
          what: { zh: what('zh'), en: what('en') },
          enabled: { zh: enabled ? '' : '（清单中默认禁用）', en: enabled ? '' : ' (disabled in the manifest)' },
        },
        evidence: [{ kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version }, ...refs],
        data: { sdk: sdk.id, category: sdk.category, providers, initializers, enabled },
      });
    }
    return findings;
  },
});
