import { dynamicCodeLoading } from '../../src/rules/dynamic-code-loading.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

new RuleTester().run(dynamicCodeLoading, {
  valid: [
    {
      name: 'ordinary libraries and other APIs are not dynamic code',
      evidence: evidenceOf(
        makeFacts({
          sdks: [sdk('okhttp', { category: 'open-source-library', tracker: false })],
          sensitiveApis: [
            apiUse('system.loadLibrary', 'Ljava/lang/System;->loadLibrary', [{ class: 'com.example.app.Native', own: true }]),
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'a hot-update SDK is high, a DexClassLoader caller medium with code evidence',
      evidence: evidenceOf(
        makeFacts({
          sdks: [sdk('tinker', { category: 'hot-update', tracker: false, version: '1.9.14' })],
          sensitiveApis: [
            apiUse('dexClassLoader.init', 'Ldalvik/system/DexClassLoader;-><init>', [
              { class: 'com.tencent.tinker.loader.TinkerDexLoader', sdk: 'tinker' },
            ]),
          ],
        }),
      ),
      findings: [
        { messageId: 'sdk', data: { name: { zh: 'tinker', en: 'tinker' }, version: ' 1.9.14' }, key: 'sdk:tinker', severity: 'high' },
        {
          messageId: 'api',
          data: {
            loader: { zh: '从文件加载 DEX/JAR（DexClassLoader）', en: 'loads DEX/JAR files (DexClassLoader)' },
            use: { zh: 'tinker', en: 'tinker' },
            callerCount: 1,
            s: '',
          },
          key: 'api:dexClassLoader.init',
          severity: 'medium',
          evidence: [
            {
              kind: 'code',
              artifact: 'classes.dex',
              class: 'com.tencent.tinker.loader.TinkerDexLoader',
              method: 'run()V',
              api: 'dexClassLoader.init',
              sdk: 'tinker',
            },
          ],
        },
      ],
    },
    {
      name: 'DEX or JAR files shipped in assets',
      evidence: evidenceOf(
        makeFacts({
          archive: {
            entries: 10,
            issues: [],
            nested: [
              {
                path: 'assets/plugin.jar',
                kind: 'jar',
                size: 2048,
                depth: 1,
                entries: 3,
                dexFiles: 1,
                classes: 5,
                methods: 9,
                skipped: null,
                error: null,
              },
            ],
          },
        }),
      ),
      findings: [
        {
          messageId: 'nestedCode',
          data: { path: 'assets/plugin.jar', kind: 'jar' },
          evidence: [{ kind: 'resource', artifact: 'assets/plugin.jar', detail: 'jar, 2048 bytes' }],
        },
      ],
    },
  ],
});
