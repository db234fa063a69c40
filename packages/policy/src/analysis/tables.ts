import type { PolicyDocument } from '../document/types.js';
import type { Lexicon } from './lexicon.js';
import type { SdkNameFinder } from './recipients.js';
import type { Structure } from './structure.js';
import type { SdkTableRow } from './types.js';

type Column = 'name' | 'company' | 'purpose' | 'data' | 'link';

/** Column (or key) names of SDK and third-party tables, checked in this order. */
const COLUMN_CUES: [Column, RegExp][] = [
  ['link', /链接|网址|官网|隐私政策|隐私权政策|link|url|privacy policy/iu],
  ['purpose', /目的|用途|场景|功能|使用方式|purpose|use case|used for/iu],
  ['company', /公司|主体|开发者|提供方|运营方|厂商|机构名称|company|provider|vendor|developer|operator/iu],
  ['name', /名称|sdk|第三方|合作方|插件|产品|name|third[- ]party|partner/iu],
  ['data', /信息|字段|类型|数据|权限|data|information|permission/iu],
];

/**
 * Keys of the operator's own contact block (名称：…, 个人信息保护负责人：…, 注册地：…): a person, an address
 * or a contact point, never a column of an SDK table.
 */
const CONTACT_KEY = /负责人|联系人|联系方式|联系电话|电话|邮箱|地址|注册地|住所|邮编|传真|contact|officer|address|phone|e-?mail/iu;

function columnOf(label: string): Column | null {
  const clean = label.replace(/[*_`：:]/gu, '').trim();
  if (clean.length === 0 || clean.length > 40 || CONTACT_KEY.test(clean)) return null;
  for (const [column, cue] of COLUMN_CUES) if (cue.test(clean)) return column;
  return null;
}

interface Cell {
  start: number;
  end: number;
  text: string;
}

function splitData(value: string): string[] {
  return value
    .split(/[、,，;；/\n]|及|和|以及|\band\b/u)
    .map((v) => v.replace(/^[\s*_（(]+|[\s*_）)。.]+$/gu, '').replace(/^(包括|如|例如|including)\s*/iu, ''))
    .filter((v) => v.length > 0 && v.length <= 40);
}

/** Whether `text` contains `term`; in space-separated languages, as whole words ("age" is not in "usage"). */
function containsTerm(text: string, term: string, language: string): boolean {
  const at = text.indexOf(term);
  if (at < 0) return false;
  if (language === 'zh') return true;
  const word = /[\p{L}\p{N}]/u;
  for (let i = at; i >= 0; i = text.indexOf(term, i + 1))
    if (!word.test(text[i - 1] ?? '') && !word.test(text[i + term.length] ?? '')) return true;
  return false;
}

/** The category of each data item: its longest PI term ("IP地址" is a network identifier, not an address). */
function categoriesOf(items: string[], lexicon: Lexicon): string[] {
  const found = new Set<string>();
  for (const item of items) {
    const lower = item.toLowerCase();
    let best: { length: number; category: string } | null = null;
    for (const [key, term] of lexicon.piTerms) {
      if (term.category === 'general' || key.length < 2 || key.length <= (best?.length ?? 0) || !containsTerm(lower, key, lexicon.language))
        continue;
      best = { length: key.length, category: term.category };
    }
    if (best) found.add(best.category);
  }
  return [...found].sort();
}

/** A cell's value without the separators and mark-up a hand-written table keeps around it ("极光推送；"); a Latin full stop stays (Ltd.). */
function clean(value: string | undefined): string {
  return (value ?? '').replace(/^[\s*_]+|[\s*_；;，,。、]+$/gu, '');
}

function rowOf(
  cells: Partial<Record<Column, Cell>>,
  document: PolicyDocument,
  lexicon: Lexicon,
  sdkNames?: SdkNameFinder,
): SdkTableRow | null {
  const name = clean(cells.name?.text);
  if (!name) return null;
  const all = Object.values(cells);
  const start = all.reduce((min, c) => Math.min(min, c.start), Infinity);
  const end = all.reduce((max, c) => Math.max(max, c.end), -Infinity);
  const data = cells.data ? splitData(cells.data.text) : [];
  const linkCell = cells.link;
  let policyUrl: string | null = null;
  if (linkCell) {
    const link = document.links.find((l) => l.start >= linkCell.start && l.start < linkCell.end);
    policyUrl = link?.href ?? /https?:\/\/[^\s)）\]]+/u.exec(linkCell.text)?.[0] ?? null;
  }
  const company = clean(cells.company?.text) || null;
  const sdk = sdkNames?.(name)[0]?.sdk ?? (company ? (sdkNames?.(company)[0]?.sdk ?? null) : null);
  return {
    start,
    end,
    name,
    company,
    purpose: clean(cells.purpose?.text) || null,
    data,
    categories: categoriesOf(data, lexicon),
    policyUrl,
    sdk,
  };
}

/**
 * SDK and third-party tables: real tables (HTML/Markdown rows under a header row whose cells name
 * the columns), and the key–value blocks many Chinese policies use instead ("SDK名称：…", "使用目的：…",
 * "收集个人信息类型：…", "第三方主体：…", "隐私政策链接：…"), one row per name key.
 */
export function findSdkTable(document: PolicyDocument, lexicon: Lexicon, sdkNames?: SdkNameFinder, structure?: Structure): SdkTableRow[] {
  const { text, blocks } = document;
  // A table or key–value block in the contact chapter is the operator's contact card, not a list of
  // third parties: lists are recognised by the section they sit in, not by shape alone.
  const inContact = (index: number) => {
    const section = structure?.sections[index];
    return section !== undefined && section.kinds.includes('contact') && !section.kinds.includes('third-party');
  };
  const rows: SdkTableRow[] = [];

  // Tables: group cells by row; a header row maps column positions.
  let header: (Column | null)[] | null = null;
  let current: { row: number; cells: Cell[] } | null = null;
  const flush = () => {
    if (!current) return;
    const labels = current.cells.map((c) => columnOf(c.text));
    const looksLikeHeader =
      labels.filter((l) => l !== null).length >= 2 && labels.includes('name') && current.cells.every((c) => c.text.length <= 30);
    if (!header && looksLikeHeader) header = labels;
    else if (header) {
      const cells: Partial<Record<Column, Cell>> = {};
      current.cells.forEach((cell, i) => {
        const column = header![i];
        if (column && !cells[column]) cells[column] = cell;
      });
      const row = rowOf(cells, document, lexicon, sdkNames);
      if (row) rows.push(row);
    }
    current = null;
  };
  for (const [index, block] of blocks.entries()) {
    if (block.kind !== 'table-cell' || block.row === undefined || inContact(index)) {
      if (current) flush();
      if (block.kind !== 'table-cell') header = null;
      continue;
    }
    if (current && current.row !== block.row) flush();
    current ??= { row: block.row, cells: [] };
    current.cells.push({ start: block.start, end: block.end, text: text.slice(block.start, block.end) });
  }
  flush();

  // Key–value blocks: "键：值" lines, a new row at each name key.
  const KEY_VALUE = /^[\s*_#\d.、()（）-]*([^：:\n]{2,16})[：:]\s*(.*)$/u;
  let pending: Partial<Record<Column, Cell>> | null = null;
  let lastKeyBlock = -2;
  const finish = () => {
    if (pending) {
      const row = rowOf(pending, document, lexicon, sdkNames);
      if (row && (pending.data || pending.purpose)) rows.push(row);
    }
    pending = null;
  };
  blocks.forEach((block, index) => {
    if (block.kind === 'table-cell') return;
    if (inContact(index)) {
      finish();
      return;
    }
    const line = text.slice(block.start, block.end);
    for (const segment of line.split(/(?<=[；;])\s*/u)) {
      const m = KEY_VALUE.exec(segment);
      const column = m ? columnOf(m[1]!) : null;
      if (!m || !column || m[2]!.trim() === '') continue;
      const valueStart = block.start + line.indexOf(segment) + segment.indexOf(m[2]!);
      const cell = { start: valueStart, end: valueStart + m[2]!.length, text: m[2]! };
      if (column === 'name' || index - lastKeyBlock > 2 || (pending && pending[column])) finish();
      pending ??= {};
      pending[column] ??= cell;
      lastKeyBlock = index;
    }
  });
  finish();
  return rows.sort((a, b) => a.start - b.start);
}
