import type { Bilingual, FindingFix, FixInput, ManifestEdit, ManifestElementRef } from './types.js';

/** An attribute's local name as aapt2 accepts it in the android namespace. */
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ELEMENTS = new Set([
  'application',
  'activity',
  'activity-alias',
  'service',
  'receiver',
  'provider',
  'uses-permission',
  'uses-permission-sdk-23',
]);
/** Longest value a fix may write: fixes set flags and numbers, never prose. */
const MAX_VALUE = 256;
const MAX_EDITS = 16;

/** How an element reads in a message: `<application>`, `<receiver android:name="com.x.Y">`. */
export function elementLabel(target: ManifestElementRef): string {
  return 'name' in target ? `<${target.element} android:name="${target.name}">` : `<${target.element}>`;
}

function editWords(edit: ManifestEdit): Bilingual {
  const where = elementLabel(edit.target);
  const attribute = `android:${edit.attribute}`;
  if (edit.value === null) return { zh: `从 ${where} 中删除 ${attribute}`, en: `remove ${attribute} from ${where}` };
  return { zh: `将 ${where} 的 ${attribute} 设为 "${edit.value}"`, en: `set ${attribute}="${edit.value}" on ${where}` };
}

/**
 * Checks a rule's fix (a rule that returns a malformed one is reported as the rule's error, as an
 * unknown message id is) and words it: the edits, then the rule's note.
 */
export function resolveFix(input: FixInput, ruleId: string, fixable: boolean): FindingFix {
  if (!fixable) throw new Error(`rule ${ruleId} returned a fix without declaring meta.fixable`);
  if (!Array.isArray(input.edits) || input.edits.length === 0 || input.edits.length > MAX_EDITS)
    throw new Error(`rule ${ruleId} returned a fix with ${input.edits?.length ?? 0} edits (1 to ${MAX_EDITS})`);
  for (const edit of input.edits) {
    if (!ELEMENTS.has(edit.target.element)) throw new Error(`fix edit on unknown element <${edit.target.element}>`);
    if ('name' in edit.target && !edit.target.name) throw new Error(`fix edit on <${edit.target.element}> without a name`);
    if (!ATTRIBUTE.test(edit.attribute)) throw new Error(`fix edit of a malformed attribute name "${edit.attribute}"`);
    if (edit.value !== null && (edit.value.length > MAX_VALUE || [...edit.value].some((c) => c.charCodeAt(0) < 0x20)))
      throw new Error(`fix edit of android:${edit.attribute} with an unusable value`);
  }
  const words = input.edits.map(editWords);
  const zh = `${words.map((w) => w.zh).join('；')}。`;
  const en = words.map((w) => w.en).join('; ');
  const sentence = `${en[0]!.toUpperCase()}${en.slice(1)}.`;
  return {
    description: {
      zh: input.note ? `${zh}${input.note.zh}` : zh,
      en: input.note ? `${sentence} ${input.note.en}` : sentence,
    },
    edits: input.edits.map((e) => ({ target: { ...e.target }, attribute: e.attribute, value: e.value })),
  };
}
