import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzePolicy, readPolicy, type DataMention, type PolicyAnalysis, type SectionKind } from '../src/index.js';

// English policies written for these tests (packages/policy/test/fixtures/en), read with the
// English lexicon (packages/knowledge/data/policy/lexicon.en.json):
//   gdpr-fitness.md   GDPR-style Markdown policy: headings, SDK table, bold health and location data
//   pipl-video.html   PIPL-style policy of a Chinese app in English: <strong>/<u>, links to the PI and SDK lists
//   ccpa-game.html    US/CCPA-style notice: categories table, negated collection, "Last Updated"
//   minimal-notes.txt plain-text policy with only collection, sharing and a contact address
const GDPR = 'gdpr-fitness.md';
const PIPL = 'pipl-video.html';
const CCPA = 'ccpa-game.html';
const MINIMAL = 'minimal-notes.txt';
const ALL = [GDPR, PIPL, CCPA, MINIMAL];

const FIXTURES = new URL('./fixtures/en/', import.meta.url);
const analyses = new Map<string, PolicyAnalysis>();

function analysis(name: string): PolicyAnalysis {
  let result = analyses.get(name);
  if (!result) {
    const text = readFileSync(new URL(name, FIXTURES), 'utf8');
    const document = readPolicy(text, { name });
    result = analyzePolicy(document, { source: `packages/policy/test/fixtures/en/${name}` });
    analyses.set(name, result);
  }
  return result;
}

const kindsFound = (a: PolicyAnalysis) => new Set(a.sections.flatMap((s) => s.kinds));

/** The kinds of the section whose text is `heading` (the heading block itself). */
function kindsOfHeading(a: PolicyAnalysis, heading: string): SectionKind[] {
  const section = a.sections.find((s) => a.text.slice(s.start, s.end).trim() === heading);
  assert.ok(section, `no section reads "${heading}"`);
  return section.kinds;
}

/** `negated` is being added to DataMention; until then no mention counts as negated. */
const isNegated = (m: DataMention) => (m as DataMention & { negated?: boolean }).negated === true;

const describe = (a: PolicyAnalysis) => a.dataMentions.map((m) => `${m.text}→${m.category}${isNegated(m) ? ' (negated)' : ''}`).join(', ');

/** The first mention reading exactly `text` that is not negated, at or after `after` when given. */
function mention(a: PolicyAnalysis, text: string, after?: string): DataMention {
  const from = after === undefined ? 0 : a.text.indexOf(after);
  assert.ok(from >= 0, `"${after}" is not in the text`);
  const found = a.dataMentions.find((m) => m.text === text && m.start >= from && !isNegated(m));
  assert.ok(found, `no mention "${text}"${after ? ` after "${after}"` : ''} in ${a.source}; mentions: ${describe(a)}`);
  return found;
}

interface Expected {
  category: string;
  sensitive?: boolean;
  highlighted?: boolean;
  required?: boolean;
  after?: string;
}

function expectMentions(a: PolicyAnalysis, expected: Record<string, Expected>): void {
  for (const [text, e] of Object.entries(expected)) {
    const m = mention(a, text, e.after);
    assert.equal(m.category, e.category, `category of "${text}"`);
    if (e.sensitive !== undefined) assert.equal(m.sensitive, e.sensitive, `sensitive of "${text}"`);
    if (e.highlighted !== undefined) assert.equal(m.highlighted, e.highlighted, `highlighted of "${text}"`);
    if (e.required !== undefined) assert.equal(m.required, e.required, `required of "${text}"`);
  }
}

/** Mentions inside the first sentence of the text that starts with `sentence`, not negated. */
function positiveMentionsIn(a: PolicyAnalysis, sentence: string): DataMention[] {
  const start = a.text.indexOf(sentence);
  assert.ok(start >= 0, `"${sentence}" is not in the text`);
  const end = start + sentence.length;
  return a.dataMentions.filter((m) => m.start >= start && m.end <= end && !isNegated(m));
}

test('en: every fixture is read as English with offsets into the text read', () => {
  for (const name of ALL) {
    const a = analysis(name);
    assert.equal(a.language, 'en', name);
    assert.equal(a.length, a.text.length, name);
    assert.ok(a.sections.length > 0, `${name}: no sections`);
    let previousEnd = 0;
    for (const s of a.sections) {
      assert.ok(0 <= s.start && s.start < s.end && s.end <= a.text.length, `${name}: section ${s.start}-${s.end} out of the text`);
      assert.ok(s.start >= previousEnd, `${name}: sections overlap at ${s.start}`);
      previousEnd = s.end;
    }
    assert.ok(a.dataMentions.length > 0, `${name}: no data mentions`);
    for (const m of a.dataMentions) {
      assert.equal(m.text, a.text.slice(m.start, m.end), `${name}: mention text at ${m.start}`);
      assert.ok(m.start < m.end, `${name}: empty mention at ${m.start}`);
      const section = a.sections[m.section];
      assert.ok(section, `${name}: mention "${m.text}" has no section`);
      assert.ok(section.start <= m.start && m.end <= section.end, `${name}: mention "${m.text}" outside its section`);
    }
  }
});

test('en: section kinds of the GDPR-style Markdown policy', () => {
  const a = analysis(GDPR);
  const expected: [string, SectionKind][] = [
    ['2. Personal data we collect', 'collection-use'],
    ['2.1 Data you provide to us', 'user-provided'],
    ['2.2 Data collected automatically', 'collection-use'],
    ['3. How we use your data and our legal bases', 'collection-use'],
    ['4. Sharing your data with third parties', 'third-party'],
    ['4.1 SDKs used in the App', 'third-party'],
    ['5. International transfers', 'cross-border'],
    ['6. How long we keep your data', 'retention'],
    ['7. How we protect your data', 'security'],
    ['8. Your rights', 'user-rights'],
    ['9. Cookies and similar technologies', 'cookies'],
    ['10. Children', 'minors'],
    ['11. Changes to this policy', 'policy-change'],
    ['12. Contact us', 'contact'],
  ];
  for (const [heading, kind] of expected) assert.ok(kindsOfHeading(a, heading).includes(kind), `"${heading}" should be ${kind}`);
  // A subsection's own title decides its kind (its parent's is only a prior): 2.1 is about what the
  // user provides, and it sits under 2 in the outline.
  const sub = a.sections.find((s) => a.text.slice(s.start, s.end).includes('2.1 Data you provide to us'))!;
  assert.equal(sub.role, 'heading');
  assert.ok(a.text.slice(a.sections[sub.parent!]!.start, a.sections[sub.parent!]!.end).includes('2. Personal data we collect'));
  assert.ok(!kindsOfHeading(a, '2.1 Data you provide to us').includes('third-party'));
  // The paragraph on withdrawing consent, under a collection heading.
  assert.ok(kindsFound(a).has('consent-withdrawal'));
  // The title and the date line are about nothing in particular.
  assert.deepEqual(kindsOfHeading(a, 'StrideLog Privacy Policy'), []);
});

test('en: section kinds of the PIPL-style HTML policy', () => {
  const a = analysis(PIPL);
  const expected: [string, SectionKind][] = [
    ['1. How We Collect and Use Your Personal Information', 'collection-use'],
    ['(1) Registration and login', 'user-provided'],
    ['2. How We Use Cookies and Similar Technologies', 'cookies'],
    ['3. How We Share, Transfer and Publicly Disclose Your Personal Information', 'third-party'],
    ['4. How We Store and Protect Your Personal Information', 'retention'],
    ['4. How We Store and Protect Your Personal Information', 'security'],
    ['5. Your Rights', 'user-rights'],
    ['6. How We Handle the Personal Information of Minors', 'minors'],
    ['7. How This Policy Is Updated', 'policy-change'],
    ['8. How to Contact Us', 'contact'],
  ];
  for (const [heading, kind] of expected) assert.ok(kindsOfHeading(a, heading).includes(kind), `"${heading}" should be ${kind}`);
  // Cross-border storage is a paragraph of the storage section, found by its wording.
  const storage = a.sections.find((s) => a.text.slice(s.start, s.end).startsWith('Personal information collected within the People'));
  assert.ok(storage, 'no paragraph on where data is stored');
  assert.ok(storage.kinds.includes('cross-border'), 'the storage-location paragraph should be cross-border');
  assert.equal(storage.heading, '4. How We Store and Protect Your Personal Information');
  for (const kind of ['user-provided', 'consent-withdrawal'] as const) assert.ok(kindsFound(a).has(kind), kind);
  // "we will inform you by push notifications" is said in passing in the incident paragraph of the
  // security chapter: that paragraph is security, not a notification section of its own.
  const incident = a.sections.find((s) => a.text.slice(s.start, s.end).includes('information security incident'));
  assert.ok(incident?.kinds.includes('security') && !incident.kinds.includes('notification'), JSON.stringify(incident?.kinds));
});

test('en: section kinds of the CCPA-style HTML notice', () => {
  const a = analysis(CCPA);
  const expected: [string, SectionKind][] = [
    ['Information We Collect', 'collection-use'],
    ['How We Use Information', 'collection-use'],
    ['How We Disclose Information', 'third-party'],
    ['Your California Privacy Rights', 'user-rights'],
    ["Children's Privacy", 'minors'],
    ['Data Retention', 'retention'],
    ['Security', 'security'],
    ['International Users', 'cross-border'],
    ['Cookies and Tracking Technologies', 'cookies'],
    ['Changes to This Privacy Notice', 'policy-change'],
    ['Contact Us', 'contact'],
  ];
  for (const [heading, kind] of expected) assert.ok(kindsOfHeading(a, heading).includes(kind), `"${heading}" should be ${kind}`);
  // "Pixel" in the app's name is not a tracking pixel: the title is about nothing in particular.
  assert.deepEqual(kindsOfHeading(a, 'Pixel Harbor Privacy Notice'), []);
});

test('en: the minimal plain-text policy has the sections it has and none of those it lacks', () => {
  const a = analysis(MINIMAL);
  assert.equal(a.format, 'text');
  const found = kindsFound(a);
  for (const kind of ['collection-use', 'third-party', 'contact'] as const) assert.ok(found.has(kind), `should find ${kind}`);
  assert.ok(kindsOfHeading(a, '1. Information We Collect').includes('collection-use'));
  assert.ok(kindsOfHeading(a, '3. Sharing').includes('third-party'));
  const missing: SectionKind[] = ['user-rights', 'retention', 'security', 'policy-change', 'minors', 'cross-border', 'cookies'];
  for (const kind of missing)
    assert.ok(
      !found.has(kind),
      `should not find ${kind}: ${a.sections.filter((s) => s.kinds.includes(kind)).map((s) => a.text.slice(s.start, s.end))}`,
    );
});

test('en: data mentions of the GDPR-style policy, with bold sensitive data highlighted', () => {
  const a = analysis(GDPR);
  expectMentions(a, {
    name: { category: 'basic-identity', sensitive: false, highlighted: false },
    'email address': { category: 'contact-info', sensitive: false, highlighted: false },
    'date of birth': { category: 'basic-identity', highlighted: false },
    password: { category: 'accounts', highlighted: false },
    'profile photo': { category: 'basic-identity' },
    'heart rate': { category: 'health', sensitive: true, highlighted: true },
    'sleep data': { category: 'health', sensitive: true, highlighted: true },
    'step count': { category: 'health', sensitive: true, highlighted: true },
    'device identifiers': { category: 'device-identifiers', sensitive: false, highlighted: false },
    'IP address': { category: 'network-identifiers', highlighted: false },
    'device model': { category: 'device-info' },
    'operating system version': { category: 'device-info' },
    'crash reports': { category: 'browsing-usage' },
    'precise location': { category: 'location', sensitive: true, highlighted: true },
    GPS: { category: 'location', sensitive: true, highlighted: false },
    'advertising ID': { category: 'device-identifiers', sensitive: false, highlighted: false },
    'health data': { category: 'health', sensitive: true, highlighted: true },
  });
  // Data the analytics SDK receives, in the sharing section.
  const instance = mention(a, 'app instance ID', 'Our analytics partner');
  assert.equal(instance.category, 'device-identifiers');
  assert.ok(a.sections[instance.section]!.kinds.includes('third-party'));
  // "We do not collect your contact list, SMS messages or call logs."
  assert.deepEqual(positiveMentionsIn(a, 'We do not collect your contact list, SMS messages or call logs.'), []);
  // "We do not knowingly collect personal data from children under 16"
  assert.ok(!a.dataMentions.some((m) => m.category === 'minors' && !isNegated(m)), describe(a));
});

test('en: data mentions of the PIPL-style policy, with <strong>/<u> highlighted', () => {
  const a = analysis(PIPL);
  expectMentions(a, {
    'mobile phone number': { category: 'phone-number', highlighted: true, required: true },
    'SMS verification code': { category: 'accounts', highlighted: false },
    nickname: { category: 'basic-identity', highlighted: false },
    avatar: { category: 'basic-identity', highlighted: false },
    'real name': { category: 'basic-identity', sensitive: false, highlighted: false },
    'ID card number': { category: 'identity-documents', sensitive: true, highlighted: true },
    'face images': { category: 'biometrics', sensitive: true, highlighted: true },
    'viewing history': { category: 'browsing-usage', highlighted: false },
    'search history': { category: 'browsing-usage', highlighted: false },
    OAID: { category: 'device-identifiers', sensitive: false },
    'precise location': { category: 'location', sensitive: true, highlighted: true, required: false },
    'photos and videos': { category: 'photos-media', highlighted: true },
    'contact list': { category: 'contacts', sensitive: true, highlighted: true },
    'Android ID': { category: 'device-identifiers', highlighted: false },
    'list of installed apps': { category: 'installed-apps', highlighted: false },
    'crash logs': { category: 'browsing-usage', after: 'Tencent Bugly' },
    "children's personal information": { category: 'minors', sensitive: true, highlighted: true },
  });
  // The mobile phone number is bold where it is first named, plain where it is named again.
  const phones = a.dataMentions.filter((m) => m.text === 'mobile phone number');
  assert.ok(phones.length >= 2);
  assert.deepEqual(
    phones.map((m) => m.highlighted),
    [true, ...phones.slice(1).map(() => false)],
  );
  // Data given to advertising partners is mentioned in the sharing section.
  const shared = mention(a, 'OAID', 'We share your device information');
  assert.ok(a.sections[shared.section]!.kinds.includes('third-party'));
});

test('en: data mentions of the CCPA-style notice; negated collection is not collection', () => {
  const a = analysis(CCPA);
  expectMentions(a, {
    'player name': { category: 'basic-identity', highlighted: false },
    'email address': { category: 'contact-info', highlighted: false },
    'IP address': { category: 'network-identifiers', highlighted: false },
    'advertising ID': { category: 'device-identifiers', highlighted: false },
    'display name': { category: 'basic-identity' },
    'friends list': { category: 'contacts', sensitive: false },
    'transaction history': { category: 'transactions', sensitive: true, highlighted: true },
  });
  // "We do not collect precise geolocation."
  assert.deepEqual(positiveMentionsIn(a, 'We do not collect precise geolocation.'), []);
  // "we do not knowingly collect personal information from children under 13"
  assert.ok(!a.dataMentions.some((m) => m.category === 'minors' && !isNegated(m)), describe(a));
  // The identifiers disclosed to advertising networks.
  const disclosed = mention(a, 'advertising ID', 'We disclose your advertising ID');
  assert.ok(a.sections[disclosed.section]!.kinds.includes('third-party'));
});

test('en: data mentions of the minimal plain-text policy (no emphasis at all)', () => {
  const a = analysis(MINIMAL);
  expectMentions(a, {
    'email address': { category: 'contact-info', sensitive: false, highlighted: false },
    'crash reports': { category: 'browsing-usage', highlighted: false },
    'device model': { category: 'device-info', highlighted: false },
  });
  assert.ok(a.dataMentions.every((m) => !m.highlighted && !m.sensitive));
});

// Sentence, modifier and heading cases that English needs beyond the lexicon.

test('en: a negated sentence after a positive one in the same paragraph', () => {
  const pipl = analysis(PIPL);
  assert.deepEqual(positiveMentionsIn(pipl, 'We do not upload your contact list to our servers.'), []);
  const gdpr = analysis(GDPR);
  // "We do not sell your personal data. We share personal data with service providers …": the second is shared.
  const shared = gdpr.dataMentions.find((m) => m.start >= gdpr.text.indexOf('We share personal data') && m.text === 'personal data');
  assert.ok(shared && !isNegated(shared), describe(gdpr));
  // "We do not sell your information. Crash reports are sent to our crash reporting provider." (passive voice)
  const minimal = analysis(MINIMAL);
  const sent = mention(minimal, 'Crash reports', 'Crash reports are sent');
  assert.ok(minimal.sections[sent.section]!.kinds.includes('third-party'));
});

test('en: "location permission" names a permission, not data', () => {
  const a = analysis(PIPL);
  const at = a.text.indexOf('location permission');
  assert.ok(!a.dataMentions.some((m) => m.start === at), describe(a));
  const camera = a.text.indexOf('camera permission');
  assert.ok(!a.dataMentions.some((m) => m.start === camera), describe(a));
});

test('en: an unnumbered plain-text heading ("Contact")', () => {
  const a = analysis(MINIMAL);
  const email = a.text.indexOf('support@quicknotes.example');
  const section = a.sections.find((s) => s.start <= email && email < s.end);
  assert.equal(section?.heading, 'Contact');
  assert.ok(!section.kinds.includes('third-party'));
});

// Fields being implemented (operator, contacts, response time, dates, recipients, SDK table, lists,
// purposes, permissions): each in its own test so that they can be checked as they land.

test('en: operator', () => {
  const expected: Record<string, string> = {
    [GDPR]: 'Northwind Health Apps Ltd.',
    [PIPL]: 'Shenzhen Lumi Interactive Technology Co., Ltd.',
    [CCPA]: 'Bluefin Games Inc.',
    [MINIMAL]: 'Pebble Apps LLC',
  };
  for (const [name, operator] of Object.entries(expected)) {
    const a = analysis(name);
    assert.equal(a.operator?.name, operator, name);
    assert.equal(a.operator.text, a.text.slice(a.operator.start, a.operator.end), name);
  }
});

test('en: contacts', () => {
  const has = (name: string, kind: string, value: (v: string) => boolean) => {
    const a = analysis(name);
    for (const c of a.contacts) assert.equal(c.text, a.text.slice(c.start, c.end), `${name}: contact text`);
    assert.ok(
      a.contacts.some((c) => c.kind === kind && value(c.value)),
      `${name}: no ${kind} contact; found ${JSON.stringify(a.contacts.map((c) => [c.kind, c.value]))}`,
    );
  };
  has(GDPR, 'email', (v) => v === 'privacy@stridelog.example');
  has(GDPR, 'address', (v) => v.includes('14 Harbour Quay') && v.includes('Ireland'));
  has(PIPL, 'email', (v) => v === 'privacy@lumi.example.cn');
  has(PIPL, 'address', (v) => v.includes('88 Keyuan Road') && v.includes('Shenzhen'));
  has(CCPA, 'email', (v) => v === 'privacy@bluefin.example');
  has(CCPA, 'phone', (v) => v.replace(/\D/gu, '').endsWith('8005550199'));
  has(MINIMAL, 'email', (v) => v === 'support@quicknotes.example');
});

test('en: responseTime', () => {
  const expected: Record<string, { days: number; workingDays: boolean } | null> = {
    [GDPR]: { days: 15, workingDays: true },
    [PIPL]: { days: 30, workingDays: false },
    [CCPA]: { days: 45, workingDays: false },
    [MINIMAL]: null,
  };
  for (const [name, e] of Object.entries(expected)) {
    const r = analysis(name).responseTime;
    if (e === null) assert.equal(r, null, name);
    else {
      assert.ok(r, `${name}: no response time`);
      assert.deepEqual({ days: r.days, workingDays: r.workingDays }, e, name);
      assert.equal(r.text, analysis(name).text.slice(r.start, r.end), name);
    }
  }
});

test('en: effectiveDate', () => {
  const expected: Record<string, { date: string; kind: string }> = {
    [GDPR]: { date: '2024-03-01', kind: 'effective' },
    [PIPL]: { date: '2024-01-17', kind: 'effective' },
    [CCPA]: { date: '2023-06-12', kind: 'updated' },
    [MINIMAL]: { date: '2024-01-05', kind: 'updated' },
  };
  for (const [name, e] of Object.entries(expected)) {
    const d = analysis(name).effectiveDate;
    assert.ok(d, `${name}: no date`);
    assert.deepEqual({ date: d.date, kind: d.kind }, e, name);
    assert.equal(d.text, analysis(name).text.slice(d.start, d.end), name);
  }
});

test('en: recipients', () => {
  const names = (name: string, kind: string) => {
    const a = analysis(name);
    for (const r of a.recipients) assert.equal(r.text, a.text.slice(r.start, r.end), `${name}: recipient text`);
    return a.recipients.filter((r) => r.kind === kind).map((r) => r.name);
  };
  const gdprCompanies = names(GDPR, 'company');
  assert.ok(gdprCompanies.includes('Google LLC'), JSON.stringify(gdprCompanies));
  assert.ok(gdprCompanies.includes('AppsFlyer Ltd.'), JSON.stringify(gdprCompanies));
  assert.ok(names(GDPR, 'generic').includes('service providers'));
  assert.ok(names(PIPL, 'generic').includes('advertising partners'));
  const piplCompanies = names(PIPL, 'company');
  assert.ok(piplCompanies.includes('Shenzhen Tencent Computer Systems Co., Ltd.'), JSON.stringify(piplCompanies));
  for (const generic of ['advertising networks', 'service providers', 'law enforcement'])
    assert.ok(names(CCPA, 'generic').includes(generic), `${CCPA}: ${generic}`);
  // The operator is not a recipient of its own data.
  assert.ok(!names(PIPL, 'company').includes('Shenzhen Lumi Interactive Technology Co., Ltd.'));
});

test('en: sdkTable', () => {
  const rows = analysis(GDPR).sdkTable;
  assert.deepEqual(
    rows.map((r) => [r.name, r.company]),
    [
      ['Firebase Analytics', 'Google LLC'],
      ['Firebase Crashlytics', 'Google LLC'],
      ['AppsFlyer', 'AppsFlyer Ltd.'],
    ],
  );
  assert.equal(rows[0]!.purpose, 'App analytics');
  assert.deepEqual(rows[0]!.data, ['App instance ID', 'device model', 'usage data']);
  assert.deepEqual(rows[0]!.categories, ['browsing-usage', 'device-identifiers', 'device-info']);
  assert.deepEqual(rows[2]!.categories, ['device-identifiers', 'network-identifiers']);
  assert.equal(rows[0]!.policyUrl, 'https://policies.google.com/privacy');
  assert.equal(rows[2]!.policyUrl, 'https://www.appsflyer.com/legal/privacy-policy/');
  // The CCPA categories table lists data categories, not SDKs.
  assert.deepEqual(analysis(CCPA).sdkTable, []);
  assert.deepEqual(analysis(MINIMAL).sdkTable, []);
});

test('en: lists', () => {
  const pipl = analysis(PIPL).lists;
  assert.equal(pipl.collectedPersonalInformation?.how, 'link');
  assert.equal(pipl.collectedPersonalInformation.href, 'https://www.lumi.example.cn/legal/pi-list.html');
  assert.equal(pipl.collectedPersonalInformation.text, 'List of Personal Information Collected');
  assert.equal(pipl.thirdPartySharing?.how, 'link');
  assert.equal(pipl.thirdPartySharing.href, 'https://www.lumi.example.cn/legal/sdk-list.html');
  // The GDPR policy has its SDK table inline and no separate list of collected data.
  const gdpr = analysis(GDPR).lists;
  assert.equal(gdpr.thirdPartySharing?.how, 'inline');
  assert.equal(gdpr.collectedPersonalInformation, null);
  assert.deepEqual(analysis(MINIMAL).lists, { collectedPersonalInformation: null, thirdPartySharing: null });
});

test('en: purposes', () => {
  const gdpr = analysis(GDPR);
  for (const p of gdpr.purposes) assert.equal(p.text, gdpr.text.slice(p.start, p.end));
  const calories = gdpr.purposes.find((p) => p.text.includes('calculate calorie estimates'));
  assert.ok(calories, JSON.stringify(gdpr.purposes.map((p) => p.text)));
  assert.ok(calories.data.map((i) => gdpr.dataMentions[i]!.text).includes('height'));
  const pipl = analysis(PIPL);
  const nearby = pipl.purposes.find((p) => p.text.includes('show you videos posted nearby'));
  assert.ok(nearby, JSON.stringify(pipl.purposes.map((p) => p.text)));
  assert.ok(nearby.data.map((i) => pipl.dataMentions[i]!.text).includes('precise location'));
  assert.ok(nearby.permissions.includes('android.permission.ACCESS_FINE_LOCATION'));
  // A heading that says "How to Contact Us" states no purpose.
  assert.ok(!pipl.purposes.some((p) => /^to contact us$/iu.test(p.text)));
  // "you need to provide your mobile phone number" is a requirement, not a purpose.
  assert.ok(!pipl.purposes.some((p) => p.text.startsWith('to provide your mobile phone number')));
});

test('en: permissions', () => {
  const a = analysis(PIPL);
  for (const p of a.permissions) assert.equal(p.text, a.text.slice(p.start, p.end));
  const all = new Set(a.permissions.flatMap((p) => p.permissions));
  for (const permission of [
    'android.permission.ACCESS_FINE_LOCATION',
    'android.permission.CAMERA',
    'android.permission.RECORD_AUDIO',
    'android.permission.READ_EXTERNAL_STORAGE',
  ])
    assert.ok(all.has(permission), `${permission}: ${[...all]}`);
  const location = a.permissions.find((p) => p.text === 'location permission');
  assert.ok(location?.purpose?.text.includes('show you videos posted nearby'));
  assert.deepEqual(analysis(MINIMAL).permissions, []);
});

test('en: a terms-of-service pledge on the truth of what is provided is not user-provided (issue 16)', () => {
  const text = [
    'Privacy Policy',
    '1. Terms',
    'You must provide true, accurate and complete information when you register, including your name and email address.',
    '2. Other',
    'When you register, you need to provide your email address and phone number.',
  ].join('\n');
  const a = analyzePolicy(readPolicy(text, { name: 'inline.txt' }), { source: 'inline.txt' });
  const kindsOf = (start: string) => a.sections.find((s) => a.text.slice(s.start, s.end).startsWith(start))?.kinds ?? [];
  assert.ok(!kindsOf('You must provide true').includes('user-provided'));
  assert.ok(kindsOf('When you register').includes('user-provided'));
});
