import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLocale, parseResourceTable } from '../../src/arsc/index.js';
import { writeResourceTable, type WriterConfig } from '@apprights/testkit';

/** A table with one string resource holding `value` per config. */
function table(values: Array<[WriterConfig | undefined, string]>) {
  const bytes = writeResourceTable({
    packages: [
      {
        id: 0x7f,
        name: 'p',
        types: [{ name: 'string', entries: [{ name: 's', values: values.map(([config, string]) => ({ config, value: { string } })) }] }],
      },
    ],
  });
  const t = parseResourceTable(bytes);
  return (locale?: string, extra: object = {}) => t.resolveString(0x7f010000, { locale, ...extra });
}

test('parseLocale accepts BCP 47, Android and POSIX spellings', () => {
  assert.deepEqual(parseLocale('zh-rCN'), { language: 'zh', script: '', region: 'CN', variant: '' });
  assert.deepEqual(parseLocale('zh_TW'), { language: 'zh', script: '', region: 'TW', variant: '' });
  assert.deepEqual(parseLocale('b+zh+Hant+HK'), { language: 'zh', script: 'Hant', region: 'HK', variant: '' });
  assert.deepEqual(parseLocale('ZH-hant-hk'), { language: 'zh', script: 'Hant', region: 'HK', variant: '' });
  assert.deepEqual(parseLocale('es-419'), { language: 'es', script: '', region: '419', variant: '' });
  assert.deepEqual(parseLocale(''), { language: '', script: '', region: '', variant: '' });
});

test('Chinese: Simplified and Traditional never stand in for each other', () => {
  const get = table([
    [undefined, 'default'],
    [{ language: 'zh' }, 'zh'],
    [{ language: 'zh', region: 'TW' }, 'zh-TW'],
  ]);
  assert.equal(get('zh-CN'), 'zh');
  assert.equal(get('zh-SG'), 'zh');
  assert.equal(get('zh-TW'), 'zh-TW');
  assert.equal(get('zh-HK'), 'zh-TW', 'the only Traditional strings');
  assert.equal(get('zh-MO'), 'zh-TW');
  assert.equal(get('zh-Hans'), 'zh');

  const onlySimplified = table([
    [undefined, 'default'],
    [{ language: 'zh', region: 'CN' }, 'zh-CN'],
  ]);
  assert.equal(onlySimplified('zh-TW'), 'default');
  assert.equal(onlySimplified('zh-HK'), 'default');
  assert.equal(onlySimplified('zh-SG'), 'zh-CN');

  const hant = table([
    [undefined, 'default'],
    [{ language: 'zh', region: 'TW' }, 'zh-TW'],
    [{ language: 'zh', script: 'Hant' }, 'Hant'],
    [{ language: 'zh', region: 'HK' }, 'zh-HK'],
  ]);
  assert.equal(hant('zh-TW'), 'zh-TW');
  assert.equal(hant('zh-HK'), 'zh-HK');
  assert.equal(hant('zh-MO'), 'Hant', 'the script-only parent before a sibling region');
  assert.equal(hant('zh-Hant'), 'Hant');
});

test('English: language-less strings are US English', () => {
  const get = table([
    [undefined, 'default'],
    [{ language: 'en', region: 'GB' }, 'en-GB'],
  ]);
  assert.equal(get('en-US'), 'default');
  assert.equal(get('en'), 'default');
  assert.equal(get('en-GB'), 'en-GB');
  assert.equal(get('en-AU'), 'en-GB', 'another international English beats the US default');
  const withEn = table([
    [undefined, 'default'],
    [{ language: 'en' }, 'en'],
    [{ language: 'en', region: 'GB' }, 'en-GB'],
    [{ language: 'en', region: 'XA' }, 'pseudo'],
  ]);
  assert.equal(withEn('en-US'), 'en');
  assert.equal(withEn('en-AU'), 'en', 'the language parent before a sibling region');
  assert.equal(withEn('en-XA'), 'pseudo');
  assert.equal(withEn('fr'), 'default');
  assert.equal(withEn(), 'default');
});

test('old ISO codes, right-to-left layouts, night mode, versions', () => {
  const get = table([
    [undefined, 'default'],
    [{ language: 'iw' }, 'hebrew'],
    [{ language: 'in' }, 'indonesian'],
    [{ screenLayout: 0x80 }, 'rtl'],
    [{ uiMode: 0x20 }, 'night'],
    [{ sdkVersion: 30 }, 'v30'],
  ]);
  assert.equal(get('he-IL'), 'hebrew');
  assert.equal(get('id'), 'indonesian');
  assert.equal(get('ar'), 'rtl');
  assert.equal(get('fr', { night: true }), 'night');
  assert.equal(get('fr'), 'v30');
  assert.equal(get('fr', { sdkVersion: 29 }), 'default');
});
