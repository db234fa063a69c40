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
  linkTableRows(document, structure, dataMentions, purposes, permissions);
  return { purposes, permissions };
}

/**
 * A table row states one thing across its cells ("| 相机权限 | 拍摄头像 | 用于设置头像 |", the
 * permission and SDK tables of most policies): a purpose in one cell is the purpose of the
 * permissions and data the other cells of that row name. Sentences never cross cells, so this is
 * linked here, by the row the document gives each cell.
 */
function linkTableRows(
  document: PolicyDocument,
  structure: Structure,
  dataMentions: DataMention[],
  purposes: Purpose[],
  permissions: PermissionMention[],
): void {
  const rowOf = (section: number): number | undefined => {
    const block = document.blocks[section];
    return block?.kind === 'table-cell' ? block.row : undefined;
  };
  if (structure.sections.length !== document.blocks.length) return;
  const rowPurposes = new Map<number, Purpose[]>();
  for (const p of purposes) {
    const row = rowOf(p.section);
    if (row !== undefined) rowPurposes.set(row, [...(rowPurposes.get(row) ?? []), p]);
  }
  if (rowPurposes.size === 0) return;
  const rowPermissions = new Map<number, string[]>();
  for (let i = 0; i < permissions.length; i++) {
    const mention = permissions[i]!;
    const row = rowOf(mention.section);
    const inRow = row === undefined ? undefined : rowPurposes.get(row);
    if (!inRow) continue;
    rowPermissions.set(row!, [...(rowPermissions.get(row!) ?? []), ...mention.permissions]);
    if (mention.purpose === null) {
      const first = inRow[0]!;
      permissions[i] = { ...mention, purpose: { start: first.start, end: first.end, text: first.text } };
    }
  }
  const rowData = new Map<number, number[]>();
  dataMentions.forEach((m, i) => {
    const row = rowOf(m.section);
    if (row !== undefined && rowPurposes.has(row)) rowData.set(row, [...(rowData.get(row) ?? []), i]);
  });
  for (const [row, list] of rowPurposes)
    for (const p of list) {
      p.permissions = [...new Set([...p.permissions, ...(rowPermissions.get(row) ?? [])])];
      p.data = [...new Set([...p.data, ...(rowData.get(row) ?? [])])].sort((a, b) => a - b);
    }
}
