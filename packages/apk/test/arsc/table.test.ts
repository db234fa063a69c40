import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceTable, configQualifiers, configLocale, ENTRY_FLAG_COMPLEX } from '../../src/arsc/index.js';
import { ResType } from '../../src/resources/res-value.js';
import { FRAMEWORK_OK, SAMPLE_IDS, encodeChunk, sampleAppTable, writeResourceTable, type WriterType } from '@apprights/testkit';

const variants: Array<{ name: string; options: Parameters<typeof sampleAppTable>[0] }> = [
  { name: 'dense UTF-8', options: {} },
  { name: 'dense UTF-16', options: { utf16: true } },
  { name: 'offset16', options: { encoding: 'offset16' } },
  { name: 'sparse', options: { encoding: 'sparse' } },
  { name: 'compact', options: { compact: true } },
  { name: 'sparse + compact + UTF-16', options: { encoding: 'sparse', compact: true, utf16: true } },
];

for (const { name, options } of variants) {
  test(`sample app table (${name}): names, locales, files, booleans`, () => {
    const table = parseResourceTable(sampleAppTable(options));
    assert.deepEqual(table.issues, []);
    assert.equal(table.packages.length, 1);
    assert.equal(table.nameOf(SAMPLE_IDS.appName), 'com.example.app:string/app_name');
    assert.equal(table.nameOf(SAMPLE_IDS.launcher), 'com.example.app:mipmap/ic_launcher');
    assert.equal(table.nameOf(0x7f01ffff), undefined);
    assert.equal(table.idOf('string/app_name'), SAMPLE_IDS.appName);
    assert.equal(table.idOf('@com.example.app:bool/is_tablet'), SAMPLE_IDS.isTablet);
    assert.equal(table.idOf('string/nope'), undefined);
    assert.equal(table.get(SAMPLE_IDS.appName).length, 7);
    assert.deepEqual(
      table.get(SAMPLE_IDS.appName).map((e) => e.qualifiers),
      ['', 'zh-rCN', 'zh-rTW', 'b+zh+Hant', 'en', 'en-rGB', 'fr'],
    );

    const labels = table.localizedStrings(SAMPLE_IDS.appName);
    assert.equal(labels.default, 'Example');
    assert.equal(labels['zh-CN'], '示例应用');
    assert.equal(labels['zh-TW'], '範例應用（台灣）');
    assert.equal(labels['zh-HK'], '範例應用', 'zh-HK takes the script-only Traditional strings before zh-TW');
    assert.equal(labels.en, 'Example (en)');
    assert.equal(labels['en-GB'], 'Example (en-GB)');
    assert.equal(labels.fr, 'Exemple');
    assert.equal(labels['zh-Hant'], '範例應用');
    assert.deepEqual(table.locales(), ['en', 'en-GB', 'fr', 'zh-CN', 'zh-Hant', 'zh-TW']);

    // A reference chain resolves to the target's localized value.
    assert.equal(table.resolveString(SAMPLE_IDS.appNameAlias, 'zh-CN'), '示例应用');
    assert.deepEqual(table.resolve(SAMPLE_IDS.appNameAlias)?.chain, [SAMPLE_IDS.appNameAlias, SAMPLE_IDS.appName]);

    // Framework references stay visible but unresolved.
    const ok = table.resolve(SAMPLE_IDS.okFromFramework);
    assert.equal(ok?.unresolved?.reason, 'framework');
    assert.equal(ok?.unresolved?.id, FRAMEWORK_OK);
    assert.match(ok?.unresolved?.marker ?? '', /^@android:0x0104000a \(framework/);
    assert.equal(table.resolveString(SAMPLE_IDS.okFromFramework), undefined);
    assert.equal(table.formatValue({ type: ResType.REFERENCE, data: FRAMEWORK_OK }), '@android:0x0104000a');
    assert.equal(table.formatValue({ type: ResType.REFERENCE, data: SAMPLE_IDS.appName }), '@com.example.app:string/app_name');

    // Loops end with a marker instead of hanging.
    const loop = table.resolve(SAMPLE_IDS.loopA);
    assert.equal(loop?.unresolved?.reason, 'loop');
    assert.deepEqual(loop?.chain, [SAMPLE_IDS.loopA, SAMPLE_IDS.loopB, SAMPLE_IDS.loopA]);

    // Icons: the drawable alias lists the mipmap's files; densities pick like the platform.
    const files = table.files(SAMPLE_IDS.icon);
    assert.deepEqual(
      files.map((f) => f.path),
      [
        'res/mipmap-mdpi-v4/ic_launcher.png',
        'res/mipmap-hdpi-v4/ic_launcher.png',
        'res/mipmap-xhdpi-v4/ic_launcher.png',
        'res/mipmap-xxhdpi-v4/ic_launcher.png',
        'res/mipmap-xxxhdpi-v4/ic_launcher.png',
        'res/mipmap-anydpi-v26/ic_launcher.xml',
      ],
    );
    assert.equal(files[3]!.qualifiers, 'xxhdpi-v4');
    assert.equal(table.resolveFile(SAMPLE_IDS.icon, { density: 480 }), 'res/mipmap-anydpi-v26/ic_launcher.xml');
    assert.equal(table.resolveFile(SAMPLE_IDS.icon, { density: 480, sdkVersion: 25 }), 'res/mipmap-xxhdpi-v4/ic_launcher.png');
    assert.equal(table.resolveFile(SAMPLE_IDS.icon, { density: 400, sdkVersion: 25 }), 'res/mipmap-xxhdpi-v4/ic_launcher.png');
    assert.equal(table.resolveFile(SAMPLE_IDS.icon, { density: 120, sdkVersion: 25 }), 'res/mipmap-mdpi-v4/ic_launcher.png');
    assert.equal(table.resolveFile(SAMPLE_IDS.icon, { sdkVersion: 3 }), undefined, 'no -v4 config applies to API 3');

    assert.equal(table.resolveBoolean(SAMPLE_IDS.isTablet), false);
    assert.equal(table.resolveBoolean(SAMPLE_IDS.isTablet, { smallestScreenWidthDp: 800 }), true);
    assert.equal(table.resolveBoolean(SAMPLE_IDS.debugBuild), true);
    assert.equal(table.resolve(0x7f7f0000), undefined);
    assert.equal(table.resolve(0x12340000), undefined);

    assert.equal([...table.entries()].length, 7 + 4 + 1 + 6 + 3);
    assert.equal([...table.resourceIds()].length, 5 + 1 + 1 + 2);
    assert.equal(table.specFlags(SAMPLE_IDS.appName), 0);
  });
}

test('config qualifiers and locales print like aapt', () => {
  const types: WriterType[] = [
    {
      name: 'string',
      entries: [
        {
          name: 's',
          values: [
            { config: { mcc: 310, mnc: 800, language: 'zh', region: 'TW' }, value: { string: 'a' } },
            { config: { language: 'sr', script: 'Latn' }, value: { string: 'b' } },
            { config: { language: 'fil', region: 'PH' }, value: { string: 'c' } },
            { config: { language: 'es', region: '419' }, value: { string: 'd' } },
            { config: { smallestScreenWidthDp: 600, orientation: 2 }, value: { string: 'e' } },
            { config: { uiMode: 0x26, density: 0xfffe, sdkVersion: 26 }, value: { string: 'f' } },
            { config: { screenLayout: 0x80 | 0x04 }, value: { string: 'g' } },
          ],
        },
      ],
    },
  ];
  const table = parseResourceTable(writeResourceTable({ packages: [{ id: 0x7f, name: 'p', types }] }));
  const entries = table.get(0x7f010000);
  assert.deepEqual(
    entries.map((e) => e.qualifiers),
    ['mcc310-mnc800-zh-rTW', 'b+sr+Latn', 'fil-rPH', 'es-r419', 'sw600dp-land', 'watch-night-anydpi-v26', 'ldrtl-xlarge'],
  );
  assert.deepEqual(
    entries.map((e) => configLocale(e.config)),
    ['zh-TW', 'sr-Latn', 'fil-PH', 'es-419', '', '', ''],
  );
  assert.equal(configQualifiers(entries[0]!.config), 'mcc310-mnc800-zh-rTW');
  assert.equal(table.resolveString(0x7f010000, 'tl-PH'), 'c', 'tl and fil are one language');
  assert.equal(table.resolveString(0x7f010000, 'es-MX'), 'd');
  assert.equal(table.resolveString(0x7f010000, 'sr-Latn-RS'), 'b');
  assert.equal(table.resolveString(0x7f010000, 'sr-RS'), undefined, 'Cyrillic Serbian must not get Latin strings');
  assert.equal(table.resolveString(0x7f010000, { locale: 'zh-TW', mcc: 310, mnc: 800 }), 'a');
  assert.equal(table.resolveString(0x7f010000, 'zh-TW'), undefined, 'an mcc config needs that SIM');
  assert.equal(table.resolveString(0x7f010000, { orientation: 'land', smallestScreenWidthDp: 600 }), 'e');
  assert.equal(table.resolveString(0x7f010000, { uiModeType: 6, night: true, sdkVersion: 30 }), 'f');
});

test('config sizes smaller and larger than 64 bytes', () => {
  const types: WriterType[] = [
    {
      name: 'string',
      entries: [
        {
          name: 's',
          values: [
            { config: { language: 'de', size: 28 }, value: { string: 'old' } },
            { config: { language: 'fr', extraBytes: 12 }, value: { string: 'future' } },
            { config: { density: 240, size: 36 }, value: { string: 'sized' } },
          ],
        },
      ],
    },
  ];
  const table = parseResourceTable(writeResourceTable({ packages: [{ id: 0x7f, name: 'p', types }] }));
  const [de, fr, hdpi] = table.get(0x7f010000);
  assert.equal(de!.config.size, 28);
  assert.equal(de!.qualifiers, 'de');
  assert.equal(fr!.config.size, 76);
  assert.equal(fr!.config.unknownBytes, 12);
  assert.equal(hdpi!.qualifiers, 'hdpi');
  assert.equal(table.resolveString(0x7f010000, 'de-DE'), 'old');
  assert.equal(table.resolveString(0x7f010000, 'fr'), 'future');
});

test('bags, long strings, non-BMP characters, typed values', () => {
  for (const utf16 of [false, true]) {
    // UTF-8 pools encode lengths up to 0x7fff, UTF-16 pools up to 0x7fffffff.
    const long = 'x'.repeat(utf16 ? 40000 : 20000) + '末';
    const types: WriterType[] = [
      {
        name: 'style',
        entries: [
          {
            name: 'Theme',
            values: [
              {
                value: {
                  bag: {
                    parent: 0x01030005,
                    items: [
                      { name: 0x01010098, value: { raw: { type: ResType.INT_COLOR_ARGB8, data: 0xff00ff00 } } },
                      { name: 0x0101009a, value: { string: 'styled' } },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
      {
        name: 'string',
        entries: [
          { name: 'long', values: [{ value: { string: long } }] },
          { name: 'emoji', values: [{ value: { string: '应用 😀 ✓' } }] },
        ],
      },
      {
        name: 'dimen',
        entries: [{ name: 'pad', values: [{ value: { raw: { type: ResType.DIMENSION, data: (16 << 8) | 0x01 } } }] }],
      },
    ];
    {
      const table = parseResourceTable(writeResourceTable({ utf16, packages: [{ id: 0x7f, name: 'p', types }] }));
      const [theme] = table.get(0x7f010000);
      assert.equal(theme!.flags & ENTRY_FLAG_COMPLEX, ENTRY_FLAG_COMPLEX);
      assert.equal(theme!.bag?.parent, 0x01030005);
      assert.equal(theme!.bag?.items.length, 2);
      assert.equal(table.formatValue(theme!.bag!.items[0]!.value), '#ff00ff00');
      assert.equal(table.formatValue(theme!.bag!.items[1]!.value), 'styled');
      assert.equal(table.resolve(0x7f010000)?.bag?.items.length, 2);
      const got = table.resolveString(0x7f020000);
      assert.equal(got?.length, long.length);
      assert.ok(got === long, 'long string decodes intact');
      assert.equal(table.resolveString(0x7f020001), '应用 😀 ✓');
      assert.equal(table.formatValue(table.get(0x7f030000)[0]!.value!), '16dp');
      assert.equal(table.strings.utf8, !utf16);
    }
  }
});

test('multiple packages, shared libraries and dynamic references', () => {
  const bytes = writeResourceTable({
    packages: [
      {
        id: 0x7f,
        name: 'com.example.app',
        libraries: [{ id: 0x02, name: 'com.example.lib' }],
        types: [
          {
            name: 'string',
            entries: [
              { name: 'from_lib', values: [{ value: { ref: 0x02010000, dynamic: true } }] },
              { name: 'unknown_lib', values: [{ value: { ref: 0x05010000, dynamic: true } }] },
            ],
          },
        ],
      },
      {
        // A shared library is compiled with package id 0; its own references use 0x00.
        id: 0x00,
        name: 'com.example.lib',
        types: [
          {
            name: 'string',
            entries: [
              { name: 'lib_name', values: [{ value: { string: 'Library' } }] },
              { name: 'self_ref', values: [{ value: { ref: 0x00010000, dynamic: true } }] },
            ],
          },
        ],
      },
    ],
  });
  const table = parseResourceTable(bytes);
  assert.deepEqual(
    table.packages.map((p) => [p.id, p.name]),
    [
      [0x7f, 'com.example.app'],
      [0x00, 'com.example.lib'],
    ],
  );
  assert.equal(table.packages[0]!.libraries.get(2), 'com.example.lib');
  assert.equal(table.resolveString(0x7f010000), 'Library', 'dynamic reference maps through the library table');
  assert.equal(table.resolve(0x7f010001)?.unresolved?.reason, 'missing');
  assert.equal(table.resolveString(0x00010001), 'Library', 'package 0x00 references mean "this package"');
  assert.equal(table.nameOf(0x00010000), 'com.example.lib:string/lib_name');
});

test('unknown, overlayable and staged-alias chunks are skipped or recorded', () => {
  const unknown = encodeChunk(0x0777, new Uint8Array(4), new Uint8Array(12));
  const overlayable = encodeChunk(0x0204, new Uint8Array(256 * 2 * 2), encodeChunk(0x0205, new Uint8Array(8), new Uint8Array(8)));
  const bytes = writeResourceTable({
    extraChunks: [unknown],
    packages: [
      {
        id: 0x7f,
        name: 'p',
        stagedAliases: [[0x01010100, 0x01010200]],
        extraChunks: [overlayable, unknown],
        types: [{ name: 'string', entries: [{ name: 's', values: [{ value: { string: 'v' } }] }] }],
      },
    ],
  });
  const table = parseResourceTable(bytes);
  assert.equal(table.resolveString(0x7f010000), 'v');
  assert.equal(table.packages[0]!.stagedAliases.get(0x01010100), 0x01010200);
  assert.equal(table.issues.length, 2);
  assert.match(table.issues.join('\n'), /unknown chunk 0x0777/);
});

test('typeIdOffset shifts type names', () => {
  const bytes = writeResourceTable({
    packages: [
      { id: 0x7f, name: 'p', typeIdOffset: 4, types: [{ name: 'string', entries: [{ name: 's', values: [{ value: { string: 'v' } }] }] }] },
    ],
  });
  const table = parseResourceTable(bytes);
  assert.equal(table.nameOf(0x7f050000), 'p:string/s');
  assert.equal(table.idOf('string/s'), 0x7f050000);
});

test('an empty table (a package-less resources.arsc) parses', () => {
  const table = parseResourceTable(writeResourceTable({ packages: [] }));
  assert.equal(table.packages.length, 0);
  assert.equal(table.resolve(0x7f010000), undefined);
  assert.deepEqual(table.locales(), []);
});
