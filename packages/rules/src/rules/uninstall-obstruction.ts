import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import type { Component, PackageFacts } from '../evidence/package-facts.js';
import { codeRef, intentActions, isLauncherEntry, manifestRef, sdkName, sdkOfComponent } from '../evidence/queries.js';

/**
 * Characters a launcher draws as nothing. Besides Unicode white space (`\s` covers U+00A0, U+3000 and
 * U+FEFF) these are the zero-width marks and the "filler" letters that blank-name apps use because
 * they pass a plain `trim()`: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the blank braille
 * pattern (U+2800), U+180E and the invisible operators U+2061–U+2064.
 */
const INVISIBLE_ONLY = /^[\s\u200B-\u200F\u2060-\u2064\uFEFF\u3000\u00A0\u3164\uFFA0\u115F\u1160\u2800\u180E]*$/u;

/** Services users install without an icon on purpose: keyboards, live wallpapers, accessibility tools. */
const ICONLESS_SERVICES: { action: string; permission: string; what: { zh: string; en: string } }[] = [
  { action: 'android.view.InputMethod', permission: 'android.permission.BIND_INPUT_METHOD', what: { zh: '输入法', en: 'input method' } },
  {
    action: 'android.service.wallpaper.WallpaperService',
    permission: 'android.permission.BIND_WALLPAPER',
    what: { zh: '动态壁纸', en: 'live wallpaper' },
  },
  {
    action: 'android.accessibilityservice.AccessibilityService',
    permission: 'android.permission.BIND_ACCESSIBILITY_SERVICE',
    what: { zh: '无障碍服务', en: 'accessibility service' },
  },
];

/**
 * Libraries that switch their own receivers on and off (WorkManager's reschedule receivers, for one);
 * their calls alone say nothing about hiding the app's icon.
 */
const COMPONENT_TOGGLING_LIBRARIES = ['androidx.', 'android.support.', 'com.google.android.gms.', 'com.google.firebase.'];

const MAX_CODE_REFS = 5;

/**
 * A launcher draws pixels below alpha 16 as nothing; with 95% of them gone what is left is a speck, and
 * a mean alpha under 13 (5%) is a faint ghost even when the pixels are spread over the whole icon.
 */
const TRANSPARENT_SHARE = 0.95;
const MIN_MEAN_ALPHA = 13;

function isBlankLabel(label: string): boolean {
  return INVISIBLE_ONLY.test(label);
}

const applicationRef = (detail: string): EvidenceRef => ({
  kind: 'manifest',
  artifact: 'AndroidManifest.xml',
  element: 'application',
  detail,
});

/** Locales whose app name shows as nothing, `default` for the name without a locale. */
function blankLabelLocales(app: PackageFacts['app']): string[] {
  const labels = Object.entries(app.labels);
  if (labels.length === 0 && app.label !== null) labels.push(['default', app.label]);
  return labels
    .filter(([, value]) => isBlankLabel(value))
    .map(([locale]) => locale)
    .sort();
}

function noLauncher(facts: PackageFacts, launchers: Component[]): FindingInput[] {
  // All launcher entries disabled is its own, stronger finding below.
  if (facts.app.launcherActivity !== null || launchers.length > 0) return [];
  const background = facts.components.filter((c) => c.type === 'service' || c.type === 'receiver');
  if (background.length === 0) return [];
  const iconless = facts.components.flatMap((c) => {
    if (c.type !== 'service') return [];
    const kind = ICONLESS_SERVICES.find((k) => c.permission === k.permission || intentActions(c).includes(k.action));
    return kind ? [{ component: c, kind }] : [];
  });
  const evidence: EvidenceRef[] = [applicationRef('no activity with MAIN/LAUNCHER intent-filter')];
  if (iconless.length > 0) {
    const what = (lang: 'zh' | 'en') => [...new Set(iconless.map((i) => i.kind.what[lang]))].join(lang === 'zh' ? '、' : ', ');
    for (const i of iconless) evidence.push(manifestRef(i.component, `intent-filter/action=${i.kind.action}`));
    return [
      {
        key: 'no-launcher',
        severity: 'low',
        messageId: 'noLauncher',
        messageData: { what: { zh: what('zh'), en: what('en') } },
        evidence,
        data: { services: background.filter((c) => c.type === 'service').length, iconless: iconless.map((i) => i.component.name) },
      },
    ];
  }
  return [
    {
      key: 'no-launcher',
      severity: 'medium',
      messageId: 'noLauncherBackground',
      messageData: { background: background.length },
      evidence,
      data: { background: background.length },
    },
  ];
}

function launcherDisabled(launchers: Component[]): FindingInput[] {
  // With one entry still enabled this is the alternate-icon pattern (festival icons), not hiding.
  if (launchers.length === 0 || launchers.some((c) => c.enabled !== false)) return [];
  return [
    {
      key: 'launcher-disabled',
      severity: 'high',
      messageId: 'launcherDisabled',
      messageData: { launchers: { zh: launchers.map((c) => c.name).join('、'), en: launchers.map((c) => c.name).join(', ') } },
      evidence: launchers.map((c) => manifestRef(c, 'android:enabled=false')),
      data: { components: launchers.map((c) => c.name) },
    },
  ];
}

function blankLabel(facts: PackageFacts): FindingInput[] {
  const { app } = facts;
  if (app.label === null && Object.keys(app.labels).length === 0) {
    // Without any label Android shows the package name, so this is not a blank icon; but the name may
    // also be a resource that could not be read, and then only a person can tell.
    return [
      {
        key: 'no-label',
        severity: 'low',
        messageId: 'noLabel',
        evidence: [applicationRef('android:label absent or unresolved')],
      },
    ];
  }
  const locales = blankLabelLocales(app);
  if (locales.length === 0) return [];
  return [
    {
      key: 'blank-label',
      severity: 'high',
      messageId: 'blankLabel',
      messageData: { locales: { zh: locales.join('、'), en: locales.join(', ') } },
      evidence: [applicationRef(`android:label blank in ${locales.join(', ')}`)],
      data: {
        locales,
        codePoints: Object.fromEntries(
          locales.map((l) => [
            l,
            [...(app.labels[l] ?? app.label ?? '')].map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`),
          ]),
        ),
      },
    },
  ];
}

function hidesIconAtRuntime(facts: PackageFacts): FindingInput[] {
  const uses = facts.sensitiveApis.filter((u) => u.signature.includes('setComponentEnabledSetting'));
  const callers = uses.flatMap((use) => use.callers.map((caller) => ({ use, caller })));
  if (callers.length === 0) return [];
  const total = uses.reduce((n, u) => n + u.callerCount, 0);
  const librariesOnly = callers.every(({ caller }) => COMPONENT_TOGGLING_LIBRARIES.some((p) => caller.class.startsWith(p)));
  const owners = [...new Set(callers.map(({ caller }) => caller.sdk).filter((s): s is string => s !== null))];
  const by = (lang: 'zh' | 'en') => owners.map((id) => sdkName(facts, id, lang)).join(lang === 'zh' ? '、' : ', ');
  return [
    {
      key: 'set-component-enabled',
      severity: librariesOnly ? 'low' : 'medium',
      messageId: 'setComponentEnabled',
      messageData: {
        total,
        s: total === 1 ? '' : 's',
        owners: { zh: owners.length ? `，含 ${by('zh')}` : '', en: owners.length ? `, including ${by('en')}` : '' },
        librariesOnly: {
          zh: librariesOnly ? '；调用均来自通常只开关自身组件的 AndroidX/Google 库' : '',
          en: librariesOnly ? '; every call is in AndroidX/Google libraries that normally toggle only their own components' : '',
        },
      },
      evidence: callers.slice(0, MAX_CODE_REFS).map(({ use, caller }) => codeRef(use, caller)),
      data: { callers: total, sdks: owners, librariesOnly },
    },
  ];
}

function transparentIcon(facts: PackageFacts): FindingInput[] {
  const image = facts.app.iconImage;
  // Reports stored before 1.2 have no iconImage; WebP and adaptive-icon XML icons are not decoded.
  if (!image || image.format !== 'png' || image.transparentRatio === null || image.meanAlpha === null) return [];
  const { transparentRatio, meanAlpha, width, height } = image;
  if (transparentRatio < TRANSPARENT_SHARE && meanAlpha >= MIN_MEAN_ALPHA) return [];
  // One decimal: "100%" for an icon that still shows one dot would overstate it.
  const percent = `${(Math.floor(transparentRatio * 1000) / 10).toFixed(1)}%`;
  const alpha = meanAlpha.toFixed(1);
  return [
    {
      key: 'transparent-icon',
      severity: 'high',
      messageId: 'transparentIcon',
      messageData: { path: image.path, percent, alpha },
      evidence: [
        {
          kind: 'resource',
          artifact: image.path,
          detail: `transparent ${percent} of ${width ?? '?'}×${height ?? '?'} pixels (alpha < 16), mean alpha ${alpha}`,
        },
      ],
      data: { transparentRatio, meanAlpha, width, height },
    },
  ];
}

function deviceAdmins(facts: PackageFacts): FindingInput[] {
  return facts.components
    .filter(
      (c) =>
        c.type === 'receiver' &&
        (c.permission === 'android.permission.BIND_DEVICE_ADMIN' || intentActions(c).includes('android.app.action.DEVICE_ADMIN_ENABLED')),
    )
    .map((c) => {
      const sdk = sdkOfComponent(facts, c.name);
      const owner = (lang: 'zh' | 'en') => {
        const name = sdkName(facts, sdk?.id, lang);
        if (!name) return '';
        return lang === 'zh' ? `（来自 ${name}）` : ` (from ${name})`;
      };
      const detail =
        c.permission === 'android.permission.BIND_DEVICE_ADMIN'
          ? 'android:permission=android.permission.BIND_DEVICE_ADMIN'
          : 'intent-filter/action=android.app.action.DEVICE_ADMIN_ENABLED';
      return {
        key: `device-admin:${c.name}`,
        severity: 'medium' as const,
        messageId: 'deviceAdmin',
        messageData: { name: c.name, owner: { zh: owner('zh'), en: owner('en') } },
        evidence: [manifestRef(c, detail, sdk?.id ?? null)],
        data: { component: c.name, sdk: sdk?.id ?? null },
      };
    });
}

/**
 * Measure 3 asks that apps be easy to uninstall and bans the usual tricks against it: blank names,
 * hidden icons, running in the background with nothing to tap. These are the ones the APK shows.
 */
export const uninstallObstruction = defineRule({
  meta: {
    id: 'uninstall-obstruction',
    measures: ['miit26-03'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'high',
    title: { zh: '妨碍用户卸载', en: 'Obstructs uninstalling' },
    description: {
      zh: '26 号文第 3 条要求应用便于卸载，不得以空白名称、透明图标、隐藏后台运行等方式妨碍卸载。本规则检查：无桌面入口却有后台组件、名称空白或只含不可见字符、PNG 桌面图标透明或几乎不可见、所有桌面入口被禁用、运行时可隐藏图标的代码，以及设备管理器接收器。',
      en: 'Measure 3 of the 2023 notice requires apps to be easy to uninstall and forbids obstructing it with blank names, transparent icons or hidden background presence. This rule checks for background components without a launcher entry, blank or invisible names, a transparent or nearly invisible PNG launcher icon, all launcher entries disabled, code that can hide the icon at runtime, and device-admin receivers.',
    },
    fix: {
      zh: '提供可见的应用名称和图标及正常的桌面入口；不要在运行时禁用启动 Activity；仅在确有必要时使用设备管理器，并告知用户如何取消激活和卸载。',
      en: 'Give the app a visible name, icon and a normal launcher entry; do not disable the launcher activity at runtime; use device admin only when really needed and tell users how to deactivate it and uninstall.',
    },
    messages: {
      noLauncher: {
        zh: '应用没有桌面启动入口，但声明了{what}，这类应用通常本就没有图标；请确认用户能在系统设置中找到并卸载它。',
        en: 'The app has no launcher entry but declares a {what} service, a kind of app that usually has no icon; check that users can find and uninstall it in system settings.',
      },
      noLauncherBackground: {
        zh: '应用没有桌面启动入口（无 MAIN/LAUNCHER Activity），却有 {background} 个服务或广播接收器可在后台运行；用户在桌面上找不到它，难以发现和卸载。',
        en: 'The app has no launcher entry (no MAIN/LAUNCHER activity) yet has {background} services or receivers that can run in the background; users cannot find it on the home screen to uninstall it.',
      },
      launcherDisabled: {
        zh: '清单中所有桌面启动入口都被禁用（android:enabled="false"）：{launchers}，安装后桌面上不显示图标。',
        en: 'Every launcher entry is disabled in the manifest (android:enabled="false"): {launchers}, so no icon appears after install.',
      },
      noLabel: {
        zh: '未能读取应用名称（清单没有 android:label 或资源无法解析）；请人工确认桌面上显示的名称不是空白。',
        en: 'No app name could be read (no android:label, or its resource could not be resolved); check by hand that the name on the home screen is not blank.',
      },
      blankLabel: {
        zh: '应用名称为空白或只含不可见字符（语言：{locales}），用户难以在桌面和设置中识别并卸载它。',
        en: 'The app name is empty or made only of invisible characters (locales: {locales}), so users can hardly recognise and uninstall it.',
      },
      setComponentEnabled: {
        zh: '代码调用 PackageManager.setComponentEnabledSetting（{total} 处{owners}），可在运行时隐藏桌面图标{librariesOnly}。',
        en: 'The code calls PackageManager.setComponentEnabledSetting ({total} call site{s}{owners}), so it can hide its launcher icon at runtime{librariesOnly}.',
      },
      transparentIcon: {
        zh: '桌面图标 {path} 几乎不可见：{percent} 的像素透明，平均不透明度 {alpha}/255；用户在桌面上难以看到它，也就难以卸载应用。',
        en: 'The launcher icon {path} is nearly invisible: {percent} of its pixels are transparent and its mean alpha is {alpha}/255, so users can hardly see the app on the home screen to uninstall it.',
      },
      deviceAdmin: {
        zh: '接收器 {name}{owner} 是设备管理器；用户激活后，必须先在设置中取消激活才能卸载应用。',
        en: 'Receiver {name}{owner} is a device admin; once the user activates it, the app cannot be uninstalled until it is deactivated in settings.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    // Only an installed app has a name, an icon and a launcher entry; libraries lend theirs to no one.
    if (facts.file.kind !== 'apk') return [];
    const launchers = facts.components.filter((c) => isLauncherEntry(c));
    return [
      ...blankLabel(facts),
      ...transparentIcon(facts),
      ...launcherDisabled(launchers),
      ...noLauncher(facts, launchers),
      ...hidesIconAtRuntime(facts),
      ...deviceAdmins(facts),
    ];
  },
});
