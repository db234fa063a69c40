import { defineRule } from '../engine/define.js';
import type { FindingInput, Severity } from '../engine/types.js';
import { codeRef, describeCallers, isDynamicCodeApi } from '../evidence/queries.js';

/** Catalogue APIs that load code the package did not ship in its classes*.dex, and how much they can do. */
const LOADERS: Record<string, { severity: Severity; zh: string; en: string }> = {
  'dexClassLoader.init': { severity: 'medium', zh: '从文件加载 DEX/JAR（DexClassLoader）', en: 'loads DEX/JAR files (DexClassLoader)' },
  'inMemoryDexClassLoader.init': {
    severity: 'medium',
    zh: '从内存加载 DEX（InMemoryDexClassLoader）',
    en: 'loads DEX from memory (InMemoryDexClassLoader)',
  },
  // Frameworks (Play services modules, WebView) build PathClassLoaders over installed APKs: worth listing, not judging.
  'pathClassLoader.init': {
    severity: 'info',
    zh: '按路径创建类加载器（PathClassLoader）',
    en: 'creates class loaders over paths (PathClassLoader)',
  },
  'system.load': {
    severity: 'low',
    zh: '按绝对路径加载本地库（System.load）',
    en: 'loads native libraries from absolute paths (System.load)',
  },
};

/** A loader the catalogue may add later (another class loader, DexFile): judged like DexClassLoader. */
const OTHER_LOADER = { severity: 'medium' as const, zh: '在运行时加载代码', en: 'loads code at run time' };

const CODE_FILE = /\.(dex|jar|apk|zip|so)$/i;

export const dynamicCodeLoading = defineRule({
  meta: {
    id: 'dynamic-code-loading',
    measures: ['miit26-17'],
    evidence: ['apk'],
    severity: 'medium',
    title: { zh: '热更新与动态加载代码', en: 'Hot update and dynamic code loading' },
    description: {
      zh: '应用或 SDK 可在安装后加载不在安装包中的代码（DexClassLoader、热更新/插件框架、随包携带的 DEX/JAR/APK）。26 号文禁止通过热更新改变应用功能、权限或个人信息收集行为，应用商店的审核与在架巡查也无法看到这些代码。',
      en: 'The app or an SDK can load code that is not in the installed package (DexClassLoader, hot-update or plugin frameworks, DEX/JAR/APK files shipped as assets). The 2023 notice forbids changing functions, permissions or personal-information collection through hot updates, and store review cannot see such code.',
    },
    fix: {
      zh: '移除热更新/插件框架，或仅用于修复缺陷且不改变功能、权限与收集行为，并在上架时向应用商店说明；不要从网络或外部存储加载可执行代码。',
      en: 'Remove hot-update and plugin frameworks, or limit them to bug fixes that change no function, permission or collection, and declare them to the store; never load executable code from the network or shared storage.',
    },
    messages: {
      sdk: {
        zh: '集成了热更新/插件框架 {name}{version}，可在安装后替换或新增代码。',
        en: 'Embeds the hot-update/plugin framework {name}{version}, which can replace or add code after installation.',
      },
      api: {
        zh: '代码{loader}，调用方：{use}（共 {callerCount} 处）。',
        en: 'Code {loader}; called by {use} ({callerCount} method{s}).',
      },
      nestedCode: {
        zh: '安装包在 {path} 中携带可执行代码（{kind}），只有运行时加载才会执行。',
        en: 'The package carries executable code at {path} ({kind}) that only runs if loaded at runtime.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const findings: FindingInput[] = [];
    for (const sdk of facts.sdks) {
      if (sdk.category !== 'hot-update') continue;
      findings.push({
        key: `sdk:${sdk.id}`,
        severity: 'high',
        messageId: 'sdk',
        messageData: { name: sdk.name, version: sdk.version ? ` ${sdk.version}` : '' },
        evidence: [{ kind: 'sdk', sdk: sdk.id, name: sdk.name.en, version: sdk.version }],
        data: { sdk: sdk.id, version: sdk.version },
      });
    }
    for (const use of facts.sensitiveApis) {
      if (!isDynamicCodeApi(use.api)) continue;
      const loader = LOADERS[use.api] ?? OTHER_LOADER;
      findings.push({
        key: `api:${use.api}`,
        severity: loader.severity,
        messageId: 'api',
        messageData: {
          loader,
          use: { zh: describeCallers(facts, use, 'zh'), en: describeCallers(facts, use, 'en') },
          callerCount: use.callerCount,
          s: use.callerCount === 1 ? '' : 's',
        },
        evidence: use.callers.slice(0, 10).map((c) => codeRef(use, c)),
        data: { api: use.api, callerCount: use.callerCount },
      });
    }
    for (const nested of facts.archive.nested) {
      // Code Android loads itself (an AAR's classes.jar in a JAR scan) is not dynamic loading.
      if (facts.file.kind !== 'apk' || !CODE_FILE.test(nested.path)) continue;
      if (!(nested.path.startsWith('assets/') || nested.path.startsWith('res/raw/'))) continue;
      findings.push({
        key: `file:${nested.path}`,
        severity: 'medium',
        messageId: 'nestedCode',
        messageData: { path: nested.path, kind: nested.kind },
        evidence: [{ kind: 'resource', artifact: nested.path, detail: `${nested.kind}, ${nested.size} bytes` }],
        data: { path: nested.path, kind: nested.kind },
      });
    }
    return findings;
  },
});
