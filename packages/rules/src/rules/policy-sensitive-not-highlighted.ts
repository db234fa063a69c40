import type { DataMention } from '@apprights/policy';
import { defineRule } from '../engine/define.js';
import { affirmed, listOf, piLabel, policyPassage, snippet } from '../evidence/policy.js';

/** Mentions quoted as evidence, one per category first. */
const SHOWN = 5;

export const policySensitiveNotHighlighted = defineRule({
  meta: {
    id: 'policy-sensitive-not-highlighted',
    measures: ['miit26-09'],
    evidence: ['policy'],
    severity: 'medium',
    title: { zh: '敏感个人信息未突出显示', en: 'Sensitive personal information is not highlighted' },
    description: {
      zh: '26 号文第 9 条要求对敏感个人信息的处理目的、方式和范围作突出说明。本规则找出隐私政策中提到敏感个人信息（位置、生物识别、健康、金融账户、未成年人信息等）却未以加粗、下划线或颜色突出显示的地方。纯文本政策无法看出排版，此时结果降为低风险，提示到发布页面核对。',
      en: 'Measure 9 of the 2023 notice asks for the purpose, means and scope of processing sensitive personal information to be highlighted. This rule finds where the policy mentions sensitive information (location, biometrics, health, financial accounts, minors’ information …) without bold, underline or colour. A plain-text policy shows no formatting; there the finding is low and asks for a check of the published page.',
    },
    fix: {
      zh: '在隐私政策中以加粗、下划线或醒目颜色标出每一处敏感个人信息及其处理目的，并在发布页面上确认样式生效。',
      en: 'Mark every mention of sensitive personal information and its purpose in bold, underline or a distinct colour, and check that the published page shows it.',
    },
    messages: {
      plainText: {
        zh: '隐私政策为纯文本，看不出是否突出显示。其中 {count} 处提到敏感个人信息（{categories}），如 {quotes}：请在发布的页面上确认已加粗、下划线或以颜色突出说明。',
        en: 'The privacy policy is plain text, so highlighting cannot be seen. It mentions sensitive personal information {count} {times} ({categories}), e.g. {quotes}: check on the published page that these are in bold, underlined or coloured.',
      },
      notHighlighted: {
        zh: '{count} 处敏感个人信息未突出显示（{categories}），如 {quotes}；26 号文要求对敏感个人信息的处理作突出说明。',
        en: '{count} {mentions} of sensitive personal information {are} not highlighted ({categories}), e.g. {quotes}; the 2023 notice asks for sensitive information to be highlighted.',
      },
    },
  },
  check({ evidence, knowledge }) {
    const policy = evidence.policy;
    // "We do not collect your biometrics" needs no highlighting: nothing sensitive is processed.
    const sensitive = affirmed(policy).filter((m) => m.sensitive);
    const plain = sensitive.filter((m) => !m.highlighted);
    if (plain.length === 0) return [];
    const categories = [...new Set(plain.map((m) => m.category))];
    // Plain text carries no emphasis: nothing highlighted anywhere means the format hid it, not the author.
    const noEmphasisSeen = policy.format === 'text' && !policy.dataMentions.some((m) => m.highlighted);
    const firsts: DataMention[] = [];
    for (const category of categories) firsts.push(plain.find((m) => m.category === category)!);
    for (const m of plain) if (firsts.length < SHOWN && !firsts.includes(m)) firsts.push(m);
    const shown = firsts.slice(0, SHOWN).sort((a, b) => a.start - b.start);
    const labels = (lang: 'zh' | 'en') =>
      listOf(
        categories.map((c) => piLabel(knowledge, c)[lang]),
        lang,
        8,
      );
    const quotes = (lang: 'zh' | 'en') =>
      shown
        .slice(0, 3)
        .map((m) => (lang === 'zh' ? `“${snippet(policy, m.start, m.end)}”` : `"${snippet(policy, m.start, m.end)}"`))
        .join(lang === 'zh' ? '、' : ', ');
    const one = plain.length === 1;
    const common = {
      count: plain.length,
      categories: { zh: labels('zh'), en: labels('en') },
      quotes: { zh: quotes('zh'), en: quotes('en') },
    };
    const message = noEmphasisSeen
      ? { messageId: 'plainText', messageData: { ...common, times: one ? 'time' : 'times' } }
      : { messageId: 'notHighlighted', messageData: { ...common, mentions: one ? 'mention' : 'mentions', are: one ? 'is' : 'are' } };
    return [
      {
        key: 'sensitive-not-highlighted',
        severity: noEmphasisSeen ? 'low' : 'medium',
        ...message,
        evidence: shown.map((m) => policyPassage(policy, m.start, m.end, m.section)),
        data: {
          categories,
          notHighlighted: plain.length,
          sensitiveMentions: sensitive.length,
          plainText: noEmphasisSeen,
          mentions: shown.map((m) => ({ category: m.category, start: m.start, end: m.end, text: m.text })),
        },
      },
    ];
  },
});
