import { defineRule } from '../engine/define.js';

/** A debuggable release lets anyone with a cable attach a debugger and read the app's memory and files. */
export const debuggable = defineRule({
  meta: {
    id: 'debuggable',
    measures: ['miit26-14'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'high',
    fixable: 'manifest',
    title: { zh: '应用可被调试', en: 'App is debuggable' },
    description: {
      zh: 'android:debuggable="true" 的发布版本允许任何连接设备的人附加调试器、读取应用内存和私有文件，削弱了个人信息的技术保护。',
      en: 'A release with android:debuggable="true" lets anyone with access to the device attach a debugger and read the app\'s memory and private files, weakening the technical protection of personal information.',
    },
    fix: {
      zh: '发布构建中移除 android:debuggable 或设为 false（Gradle release 构建类型默认即为 false）。',
      en: 'Remove android:debuggable from release builds or set it to false (Gradle release build types default to false).',
    },
    messages: {
      debuggable: {
        zh: '清单将应用声明为可调试（android:debuggable="true"）。',
        en: 'The manifest declares the app debuggable (android:debuggable="true").',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    if (facts.app.flags.debuggable !== true) return [];
    return [
      {
        key: 'application',
        messageId: 'debuggable',
        evidence: [{ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:debuggable=true' }],
        // Gradle sets the flag per build type; one written in the manifest overrides that for every build.
        fix: {
          edits: [{ target: { element: 'application' }, attribute: 'debuggable', value: null }],
          note: {
            zh: '调试构建类型（debug）不写该属性也会生成可调试的安装包：请发布 release 构建。',
            en: 'A debug build type makes the package debuggable without the attribute: publish the release build.',
          },
        },
      },
    ];
  },
});
