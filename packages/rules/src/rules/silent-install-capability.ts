import { defineRule } from '../engine/define.js';
import type { Bilingual, EvidenceRef } from '../engine/types.js';
import type { SensitiveApiCaller, SensitiveApiUse } from '../evidence/package-facts.js';
import { codeRef, sdkName } from '../evidence/queries.js';

const INSTALL_PERMISSION = 'android.permission.REQUEST_INSTALL_PACKAGES';

/** Catalogue APIs that fetch or install APKs, with the words a reader needs. */
const INSTALL_CODE: Readonly<Record<string, Bilingual>> = {
  'downloadManager.enqueue': { zh: '系统下载管理器下载', en: 'DownloadManager downloads' },
  'packageInstaller.createSession': { zh: 'PackageInstaller 安装会话', en: 'PackageInstaller sessions' },
  'intent.apkMimeType': { zh: '以 APK 类型调起安装界面', en: 'intents typed as APK files' },
};

/** References listed per owner: enough to find the code, without one SDK crowding out the others. */
const REFS_PER_OWNER = 5;

/** `own`, `unknown` or an SDK id: catalogue ids are kebab-case words, never these two. */
function ownerOf(caller: SensitiveApiCaller): string {
  return caller.own ? 'own' : (caller.sdk ?? 'unknown');
}

export const silentInstallCapability = defineRule({
  meta: {
    id: 'silent-install-capability',
    measures: ['miit26-01', 'miit164-t7'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'medium',
    title: { zh: '具备应用内下载并安装其他应用的能力', en: 'Can download and install other apps' },
    description: {
      zh: '应用申请了 REQUEST_INSTALL_PACKAGES（请求安装应用），其自身或 SDK 的代码可以下载 APK 或调起安装。26 号文要求下载安装须在展示应用信息并经用户确认后进行，禁止静默下载和捆绑下载；164 号文把广告页面无明确提示自动下载列为欺骗误导下载。广告 SDK 持有这类代码时风险最高。',
      en: "The app requests REQUEST_INSTALL_PACKAGES and its own or an SDK's code can download APKs or start their installation. The 2023 notice allows downloads and installs only after the app's details are shown and the user confirms, and rules out silent and bundled downloads; the 2020 notice (164号) names ads that download without a clear prompt as misleading. The risk is highest when an ad SDK holds this code.",
    },
    fix: {
      zh: '应用不需要安装其他应用时，删除 REQUEST_INSTALL_PACKAGES（对 SDK 合并进来的声明用 tools:node="remove"），并在广告 SDK 配置中关闭应用下载类广告或改为跳转应用商店；确需应用内下载（如自更新）时，下载前展示应用名称、版本、开发者、隐私政策、权限和功能并提供取消，且仅在用户点击确认后开始。',
      en: 'If the app installs nothing, remove REQUEST_INSTALL_PACKAGES (tools:node="remove" for a declaration an SDK merges in) and switch off download ads in the ad SDK settings or send them to an app store instead; where in-app downloads are needed (self-update), show the app name, version, developer, privacy policy, permissions and function with a cancel option first, and start only after the user confirms.',
    },
    messages: {
      capabilityOnly: {
        zh: '应用申请了 REQUEST_INSTALL_PACKAGES，但未在代码中发现下载或安装 APK 的调用；仅具备该能力，请确认是否需要。',
        en: 'The app requests REQUEST_INSTALL_PACKAGES, but no code that downloads or installs APKs was found; only the capability is there, so check whether the app needs it.',
      },
      installCode: {
        zh: '应用申请了 REQUEST_INSTALL_PACKAGES，且以下代码可下载或安装 APK：{said}。{adSdks}',
        en: 'The app requests REQUEST_INSTALL_PACKAGES and this code can download or install APKs: {said}.{adSdks}',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    // Without the permission, downloaded APKs cannot reach the installer: DownloadManager alone is ordinary.
    if (!facts.permissions.some((p) => p.name === INSTALL_PERMISSION)) return [];
    const permissionRef: EvidenceRef = { kind: 'permission', artifact: 'AndroidManifest.xml', permission: INSTALL_PERMISSION };
    const byOwner = new Map<string, { use: SensitiveApiUse; caller: SensitiveApiCaller }[]>();
    for (const use of facts.sensitiveApis) {
      if (!INSTALL_CODE[use.api]) continue;
      for (const caller of use.callers) {
        const key = ownerOf(caller);
        const list = byOwner.get(key);
        if (list) list.push({ use, caller });
        else byOwner.set(key, [{ use, caller }]);
      }
    }
    if (byOwner.size === 0) {
      return [
        {
          key: INSTALL_PERMISSION,
          severity: 'low',
          messageId: 'capabilityOnly',
          evidence: [permissionRef],
          data: { permission: INSTALL_PERMISSION, owners: [] },
        },
      ];
    }
    const order = (key: string) => (key === 'own' ? 0 : key === 'unknown' ? 2 : 1);
    const keys = [...byOwner.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const owners = keys.map((owner) => {
      const uses = byOwner.get(owner)!;
      return { owner, apis: [...new Set(uses.map((u) => u.use.api))].sort(), uses };
    });
    const adSdks = keys.filter((key) => facts.sdks.find((s) => s.id === key)?.category === 'ads');
    const ownerName = (owner: string, lang: 'zh' | 'en') => {
      if (owner === 'own') return lang === 'zh' ? '应用自身代码' : "the app's own code";
      if (owner === 'unknown') return lang === 'zh' ? '未识别来源的代码' : 'unidentified code';
      return sdkName(facts, owner, lang) ?? owner;
    };
    const said = (lang: 'zh' | 'en') =>
      owners
        .map(({ owner, apis }) => {
          const what = apis.map((api) => INSTALL_CODE[api]![lang]).join(lang === 'zh' ? '、' : ', ');
          return lang === 'zh' ? `${ownerName(owner, lang)}（${what}）` : `${ownerName(owner, lang)} (${what})`;
        })
        .join(lang === 'zh' ? '；' : '; ');
    return [
      {
        key: INSTALL_PERMISSION,
        // Ad-driven downloads are what the notice targets; an app updating itself is ordinary.
        severity: adSdks.length > 0 ? 'high' : 'medium',
        messageId: 'installCode',
        messageData: {
          said: { zh: said('zh'), en: said('en') },
          adSdks: {
            zh: adSdks.length > 0 ? '其中包含广告 SDK，可能在用户未确认时下载推广应用。' : '',
            en: adSdks.length > 0 ? ' Ad SDKs among them can download promoted apps without the user confirming.' : '',
          },
        },
        evidence: [
          permissionRef,
          ...owners.flatMap(({ uses }) => uses.slice(0, REFS_PER_OWNER).map(({ use, caller }) => codeRef(use, caller))),
        ],
        data: {
          permission: INSTALL_PERMISSION,
          owners: owners.map(({ owner, apis, uses }) => ({ owner, apis, callers: uses.length })),
          adSdks,
        },
      },
    ];
  },
});
