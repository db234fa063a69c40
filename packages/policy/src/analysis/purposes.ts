import type { PolicyDocument } from '../document/types.js';
import type { Lexicon } from './lexicon.js';
import type { Structure } from './structure.js';
import type { DataMention, PermissionMention, Purpose, TextSpan } from './types.js';

const CLAUSE_END = /[，,。；;！!？?\n]/u;
const ANDROID_PERMISSION = /\b(?:android\.permission\.|android\.Manifest\.permission\.)?([A-Z][A-Z_]{3,})\b/gu;

function clauseFrom(text: string, start: number, limit: number): number {
  const rest = text.slice(start, limit);
  const m = CLAUSE_END.exec(rest.slice(1));
  return m ? start + 1 + m.index : limit;
}

/**
 * Purposes (为了…, 用于…, to …) and the permissions a sentence names with its purpose. A purpose
 * runs from its trigger to the end of the clause; it is linked to the data mentions and permissions
 * of its sentence.
 */
export function findPurposesAndPermissions(
  document: PolicyDocument,
  structure: Structure,
  lexicon: Lexicon,
  dataMentions: DataMention[],
): { purposes: Purpose[]; permissions: PermissionMention[] } {
  const { text } = document;
  const purposes: Purpose[] = [];
  const permissions: PermissionMention[] = [];
  const triggers = new RegExp(lexicon.derived.purposeTriggers);
  const knownPermissions = new Set(lexicon.permissionTerms.flatMap((p) => p.permissions));
  let mentionIndex = 0;
  for (const sentence of structure.sentences) {
    const body = text.slice(sentence.start, sentence.end);
    while (mentionIndex < dataMentions.length && dataMentions[mentionIndex]!.end <= sentence.start) mentionIndex++;
    const inSentence: number[] = [];
    for (let i = mentionIndex; i < dataMentions.length && dataMentions[i]!.start < sentence.end; i++) inSentence.push(i);

    const sentencePermissions: PermissionMention[] = [];
    if (lexicon.permissionCue.test(body)) {
      for (const m of body.matchAll(lexicon.derived.permissionCue)) {
        // The permission's everyday name stands just before 权限 ("相机权限", "访问通讯录权限").
        const windowStart = Math.max(0, m.index - 16);
        const window = body.slice(windowStart, m.index);
        let matched: { term: string; permissions: string[]; at: number } | null = null;
        for (const p of lexicon.permissionTerms) {
          const at = window.lastIndexOf(p.term);
          if (at >= 0 && (!matched || at + p.term.length > matched.at + matched.term.length)) matched = { ...p, at };
        }
        if (!matched) continue;
        const start = sentence.start + windowStart + matched.at;
        const end = sentence.start + m.index + m[0].length;
        sentencePermissions.push({
          start,
          end,
          text: text.slice(start, end),
          permissions: matched.permissions,
          purpose: null,
          section: sentence.section,
        });
      }
    }
    for (const m of body.matchAll(ANDROID_PERMISSION)) {
      const name = `android.permission.${m[1]}`;
      if (!knownPermissions.has(name) && !/^android\./u.test(m[0])) continue;
      const start = sentence.start + m.index;
      sentencePermissions.push({
        start,
        end: start + m[0].length,
        text: m[0],
        permissions: [name],
        purpose: null,
        section: sentence.section,
      });
    }

    const sentencePurposes: Purpose[] = [];
    triggers.lastIndex = 0;
    for (let m = triggers.exec(body); m; m = triggers.exec(body)) {
      const start = sentence.start + m.index;
      const end = clauseFrom(text, start + m[0].length, sentence.end);
      if (end - start < m[0].length + 2) continue;
      sentencePurposes.push({
        start,
        end,
        text: text.slice(start, end),
        data: inSentence,
        permissions: [...new Set(sentencePermissions.flatMap((p) => p.permissions))],
        section: sentence.section,
      });
      triggers.lastIndex = end - sentence.start;
    }
    const firstPurpose: TextSpan | null = sentencePurposes[0]
      ? { start: sentencePurposes[0].start, end: sentencePurposes[0].end, text: sentencePurposes[0].text }
      : null;
    for (const p of sentencePermissions) permissions.push({ ...p, purpose: firstPurpose });
    for (const p of sentencePurposes) purposes.push(p);
  }
  return { purposes, permissions };
}
