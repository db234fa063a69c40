import type { Bilingual, MessageValue } from './types.js';

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function text(value: MessageValue, lang: 'zh' | 'en'): string {
  if (value !== null && typeof value === 'object') return value[lang];
  return String(value);
}

/**
 * Fills a template's `{name}` placeholders. A placeholder without a value throws: a rule that
 * forgot one must fail (reported as the rule's error), not print `{name}` to a user.
 */
export function renderTemplate(template: string, data: Readonly<Record<string, MessageValue>> | undefined, lang: 'zh' | 'en'): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!data || !Object.prototype.hasOwnProperty.call(data, name)) throw new Error(`message placeholder {${name}} has no value`);
    return text(data[name]!, lang);
  });
}

/** A rule's message in both languages. */
export function renderMessage(
  messages: Readonly<Record<string, Bilingual>>,
  messageId: string,
  data: Readonly<Record<string, MessageValue>> | undefined,
): Bilingual {
  const template = Object.prototype.hasOwnProperty.call(messages, messageId) ? messages[messageId] : undefined;
  if (!template) throw new Error(`no message "${messageId}" in the rule's meta.messages`);
  return { zh: renderTemplate(template.zh, data, 'zh'), en: renderTemplate(template.en, data, 'en') };
}

/** The placeholder names of a template (for the meta-test: both languages use the same ones). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).sort();
}
