/**
 * What a privacy-policy analysis says, as views the terminal, Markdown and HTML reports share: the
 * wording is bilingual here once, and each format only lays it out.
 */
import { piCategory } from '@apprights/knowledge';
import { SECTION_KINDS, type DataMention, type ListReference, type PolicyAnalysis } from '@apprights/policy';
import type { Bilingual } from '@apprights/rules';
import type { Lang } from './i18n.js';
import { pick } from './check-views.js';
import type { Block, Section } from './section.js';

export const POLICY_LABELS = {
  policy: { en: 'Privacy policy', zh: '隐私政策' },
  reportTitle: { en: 'AppRights privacy-policy report', zh: 'AppRights 隐私政策检测报告' },
  subtitle: {
    en: 'Checked against MIIT notice 工信部信管函〔2023〕26号 (the 26 measures)',
    zh: '依据《工业和信息化部关于进一步提升移动互联网应用服务能力的通知》（工信部信管函〔2023〕26号）',
  },
  source: { en: 'Source', zh: '来源' },
  title: { en: 'Title', zh: '标题' },
  read: { en: 'Read as', zh: '读取方式' },
  operator: { en: 'Operator', zh: '运营者' },
  contacts: { en: 'Contacts', zh: '联系方式' },
  responseTime: { en: 'Response time', zh: '答复时限' },
  effectiveDate: { en: 'Date', zh: '日期' },
  collectedList: { en: 'List of personal information collected', zh: '已收集个人信息清单' },
  sharingList: { en: 'List of third parties sharing data', zh: '第三方信息共享清单' },
  sections: { en: 'Sections', zh: '章节' },
  kindsFound: { en: 'Topics covered', zh: '已涉及的内容' },
  kindsMissing: { en: 'Topics not found', zh: '未找到的内容' },
  sensitive: { en: 'Sensitive personal information', zh: '敏感个人信息' },
  counts: { en: 'Found', zh: '识别数量' },
  notFound: { en: 'not found', zh: '未找到' },
  none: { en: 'none', zh: '无' },
  dataMentions: { en: 'Personal information mentioned', zh: '提及的个人信息' },
  dataNote: {
    en: 'The notice asks that sensitive personal information be marked out (bold, underline or colour) where the policy names it.',
    zh: '通知要求隐私政策对敏感个人信息以加粗、下划线或颜色等方式显著标识。',
  },
  colCategory: { en: 'category', zh: '类别' },
  colSensitive: { en: 'sensitive', zh: '敏感' },
  colMentions: { en: 'mentions', zh: '提及次数' },
  colHighlighted: { en: 'highlighted', zh: '显著标识' },
  colRequired: { en: 'said to be required', zh: '称为必要' },
  colExample: { en: 'example', zh: '示例' },
  permissions: { en: 'Permissions mentioned', zh: '提及的权限' },
  colPermission: { en: 'permission', zh: '权限' },
  colText: { en: 'as written', zh: '原文' },
  colPurpose: { en: 'purpose', zh: '目的' },
  sdkTable: { en: 'SDK / third-party table', zh: 'SDK／第三方共享清单' },
  colName: { en: 'name', zh: '名称' },
  colCompany: { en: 'company', zh: '公司' },
  colData: { en: 'data', zh: '收集的信息' },
  colSdk: { en: 'catalogue SDK', zh: '目录中的 SDK' },
  colPolicy: { en: 'privacy policy', zh: '隐私政策' },
  recipients: { en: 'Recipients named in the text', zh: '正文提及的接收方' },
  colKind: { en: 'kind', zh: '类型' },
  purposes: { en: 'purposes', zh: '使用目的' },
  outline: { en: 'Outline', zh: '章节结构' },
  outlineNote: {
    en: 'The headings the analyser read, as a tree: each heading’s scope runs to the next heading of the same or a higher level. Kinds: the heading’s own (a child’s title decides its kind) and, after “text:”, those its paragraphs were given.',
    zh: '分析器识别出的标题层级：每个标题的范围止于下一个同级或更高级标题。类别：标题本身的类别（子标题自行决定类别），“正文：”之后为其下段落被判定的类别。',
  },
  colHeading: { en: 'heading', zh: '标题' },
  colKinds: { en: 'kinds', zh: '类别' },
  colTextKinds: { en: 'paragraph kinds', zh: '段落类别' },
  colBlocks: { en: 'paragraphs', zh: '段落数' },
  colRange: { en: 'characters', zh: '字符范围' },
  yes: { en: 'yes', zh: '是' },
  no: { en: 'no', zh: '否' },
  more: { en: 'more, see --format json', zh: '条未列出，见 --format json' },
} as const satisfies Record<string, Bilingual>;

/**
 * The analyser's section kinds in words. A kind added to the analyser later still shows, by its id,
 * until it gets its label here.
 */
const SECTION_KIND_LABELS: Record<string, Bilingual> = {
  'collection-use': { en: 'collection and use', zh: '收集和使用' },
  'user-provided': { en: 'information users provide', zh: '用户主动提供的信息' },
  'third-party': { en: 'sharing and disclosure', zh: '对外共享与披露' },
  'user-rights': { en: 'user rights', zh: '用户权利' },
  retention: { en: 'storage and retention', zh: '存储与保存期限' },
  security: { en: 'security', zh: '安全保护' },
  'policy-change': { en: 'policy changes', zh: '政策更新' },
  definitions: { en: 'definitions', zh: '定义' },
  'consent-withdrawal': { en: 'withdrawing consent', zh: '撤回同意' },
  'privacy-settings': { en: 'privacy settings', zh: '隐私设置' },
  minors: { en: 'minors', zh: '未成年人' },
  'cross-border': { en: 'cross-border transfer', zh: '跨境传输' },
  notification: { en: 'notices to users', zh: '通知' },
  contact: { en: 'contact us', zh: '联系我们' },
  cookies: { en: 'cookies and similar', zh: 'Cookie 及同类技术' },
};

const CONTACT_LABELS: Record<string, Bilingual> = {
  phone: { en: 'phone', zh: '电话' },
  email: { en: 'e-mail', zh: '邮箱' },
  address: { en: 'address', zh: '地址' },
  form: { en: 'form', zh: '在线表单' },
  url: { en: 'web', zh: '网址' },
};

const RECIPIENT_LABELS: Record<string, Bilingual> = {
  sdk: { en: 'SDK', zh: 'SDK' },
  company: { en: 'company', zh: '公司' },
  generic: { en: 'unnamed partner', zh: '泛称的合作方' },
};

const DATE_LABELS: Record<string, Bilingual> = {
  effective: { en: 'effective', zh: '生效' },
  updated: { en: 'updated', zh: '更新' },
  published: { en: 'published', zh: '发布' },
};

const GENERAL_PI: Bilingual = { en: 'personal information (no type)', zh: '个人信息（未指明类型）' };

function label(table: Record<string, Bilingual>, id: string): Bilingual {
  return table[id] ?? { en: id, zh: id };
}

export function sectionKindLabel(kind: string): Bilingual {
  return label(SECTION_KIND_LABELS, kind);
}

export function piLabel(id: string): Bilingual {
  if (id === 'general') return GENERAL_PI;
  const c = piCategory(id);
  return c ? { en: c.en, zh: c.zh } : { en: id, zh: id };
}

/** A passage shortened for a table cell, on one line. */
export function quote(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function join(lang: Lang, items: string[]): string {
  return items.join(lang === 'zh' ? '、' : ', ');
}

/** Both languages of one fact, so HTML can show either and text picks one. */
export interface PolicyFact {
  label: Bilingual;
  value: Bilingual;
}

function same(text: string): Bilingual {
  return { en: text, zh: text };
}

function listText(ref: ListReference | null): Bilingual {
  if (!ref) return POLICY_LABELS.notFound;
  if (ref.how === 'link') return { en: `linked${ref.href ? `: ${ref.href}` : ''}`, zh: `以链接提供${ref.href ? `：${ref.href}` : ''}` };
  return { en: `in the policy: “${quote(ref.text, 40)}”`, zh: `在政策正文中：“${quote(ref.text, 40)}”` };
}

export interface KindCoverage {
  found: string[];
  missing: string[];
}

export function sectionKinds(analysis: PolicyAnalysis): KindCoverage {
  const found = new Set<string>(analysis.sections.flatMap((s) => s.kinds));
  const known: readonly string[] = SECTION_KINDS;
  return {
    found: [...known.filter((k) => found.has(k)), ...[...found].filter((k) => !known.includes(k))],
    missing: known.filter((k) => !found.has(k)),
  };
}

/** The overview: who runs the app, how to reach them, when, what the policy covers and lists. */
export function policyFacts(analysis: PolicyAnalysis): PolicyFact[] {
  const L = POLICY_LABELS;
  const kinds = sectionKinds(analysis);
  const kindList = (ids: string[]): Bilingual =>
    ids.length === 0
      ? L.none
      : { en: ids.map((k) => sectionKindLabel(k).en).join(', '), zh: ids.map((k) => sectionKindLabel(k).zh).join('、') };
  const sensitive = analysis.dataMentions.filter((m) => m.sensitive);
  const highlighted = sensitive.filter((m) => m.highlighted).length;
  const rt = analysis.responseTime;
  const date = analysis.effectiveDate;
  const contacts = analysis.contacts.map((c) => ({ kind: label(CONTACT_LABELS, c.kind), value: c.value || c.text }));
  return [
    { label: L.source, value: same(analysis.source || '-') },
    { label: L.title, value: analysis.title ? same(analysis.title) : L.notFound },
    {
      label: L.read,
      value: {
        en: `${analysis.format}, ${analysis.language === 'zh' ? 'Chinese' : 'English'}, ${analysis.length} characters`,
        zh: `${analysis.format}，${analysis.language === 'zh' ? '中文' : '英文'}，${analysis.length} 字符`,
      },
    },
    { label: L.operator, value: analysis.operator ? same(analysis.operator.name) : L.notFound },
    {
      label: L.contacts,
      value:
        contacts.length === 0
          ? L.notFound
          : {
              en: contacts.map((c) => `${c.kind.en} ${c.value}`).join('; '),
              zh: contacts.map((c) => `${c.kind.zh} ${c.value}`).join('；'),
            },
    },
    {
      label: L.responseTime,
      value: rt
        ? { en: `${rt.days} ${rt.workingDays ? 'working days' : 'days'}`, zh: `${rt.days} ${rt.workingDays ? '个工作日' : '天'}` }
        : L.notFound,
    },
    {
      label: L.effectiveDate,
      value: date
        ? { en: `${date.date} (${label(DATE_LABELS, date.kind).en})`, zh: `${date.date}（${label(DATE_LABELS, date.kind).zh}）` }
        : L.notFound,
    },
    { label: L.collectedList, value: listText(analysis.lists.collectedPersonalInformation) },
    { label: L.sharingList, value: listText(analysis.lists.thirdPartySharing) },
    { label: L.kindsFound, value: kindList(kinds.found) },
    { label: L.kindsMissing, value: kindList(kinds.missing) },
    {
      label: L.sensitive,
      value: {
        en: `${sensitive.length} mention${sensitive.length === 1 ? '' : 's'}, ${highlighted} highlighted`,
        zh: `提及 ${sensitive.length} 处，其中 ${highlighted} 处显著标识`,
      },
    },
    {
      label: L.counts,
      value: {
        en: `${analysis.sections.length} sections, ${analysis.dataMentions.length} data mentions, ${analysis.purposes.length} purposes, ${analysis.permissions.length} permissions, ${analysis.recipients.length} recipients, ${analysis.sdkTable.length} SDK table rows`,
        zh: `章节 ${analysis.sections.length}，个人信息提及 ${analysis.dataMentions.length}，目的 ${analysis.purposes.length}，权限 ${analysis.permissions.length}，接收方 ${analysis.recipients.length}，SDK 清单 ${analysis.sdkTable.length} 行`,
      },
    },
  ];
}

export interface MentionGroup {
  category: string;
  label: Bilingual;
  sensitive: boolean;
  mentions: number;
  highlighted: number;
  required: number;
  example: string;
}

/** Data mentions by category, sensitive ones first: the question is whether each is highlighted. */
export function mentionGroups(mentions: readonly DataMention[]): MentionGroup[] {
  const groups = new Map<string, MentionGroup>();
  for (const m of mentions) {
    let g = groups.get(m.category);
    if (!g) {
      g = { category: m.category, label: piLabel(m.category), sensitive: false, mentions: 0, highlighted: 0, required: 0, example: m.text };
      groups.set(m.category, g);
    }
    g.sensitive ||= m.sensitive;
    g.mentions++;
    if (m.highlighted) g.highlighted++;
    if (m.required) g.required++;
  }
  return [...groups.values()].sort((a, b) => Number(b.sensitive) - Number(a.sensitive) || b.mentions - a.mentions);
}

/** One heading of the outline tree, with the end of its scope and what its paragraphs were given. */
export interface OutlineEntry {
  /** Index into `sections`. */
  section: number;
  depth: number;
  title: string;
  kinds: string[];
  /** Kinds of the text blocks in its scope (not under a child heading), with counts. */
  textKinds: [string, number][];
  /** Text blocks in its scope, children's included. */
  blocks: number;
  start: number;
  /** Where its scope ends: the next heading of the same or a higher level, else the end of the policy. */
  end: number;
}

/** A policy's outline is bounded by its blocks; a report shows at most this many headings. */
const MAX_OUTLINE = 400;

/**
 * The outline tree of the analysis (analyses since 1.1.0 give each section its role, parent and depth):
 * so a reviewer sees at a glance where a chapter's scope ends and which kinds its parts got.
 */
export function policyOutline(analysis: PolicyAnalysis): OutlineEntry[] {
  const sections = analysis.sections;
  const entries: OutlineEntry[] = [];
  const byIndex = new Map<number, OutlineEntry>();
  sections.forEach((s, i) => {
    if (s.role !== 'heading' || entries.length >= MAX_OUTLINE) return;
    const entry: OutlineEntry = {
      section: i,
      depth: s.depth ?? 0,
      title: analysis.text.slice(s.start, s.end).replace(/\s+/gu, ' ').trim(),
      kinds: [...s.kinds],
      textKinds: [],
      blocks: 0,
      start: s.start,
      end: analysis.length,
    };
    entries.push(entry);
    byIndex.set(i, entry);
  });
  // A scope ends where the next heading at its depth or above starts (a stack over the headings in order).
  const open: OutlineEntry[] = [];
  for (const e of entries) {
    while (open.length && open[open.length - 1]!.depth >= e.depth) open.pop()!.end = e.start;
    open.push(e);
  }
  const counts = new Map<OutlineEntry, Map<string, number>>();
  sections.forEach((s) => {
    if (s.role !== 'text' && s.role !== undefined) return;
    const own = byIndex.get(s.parent ?? -1);
    if (own) {
      const c = counts.get(own) ?? new Map<string, number>();
      for (const k of s.kinds) c.set(k, (c.get(k) ?? 0) + 1);
      counts.set(own, c);
    }
    // Every heading up the chain counts the block in its scope.
    let up = s.parent ?? -1;
    for (let guard = 0; up >= 0 && guard < 64; guard++) {
      const e = byIndex.get(up);
      if (e) e.blocks++;
      up = sections[up]?.parent ?? -1;
    }
  });
  for (const [e, c] of counts) e.textKinds = [...c.entries()].sort((a, b) => b[1] - a[1]);
  return entries;
}

function outlineKinds(lang: Lang, kinds: readonly string[]): string {
  return kinds.length
    ? join(
        lang,
        kinds.map((k) => pick(lang, sectionKindLabel(k))),
      )
    : '-';
}

function outlineTextKinds(lang: Lang, kinds: readonly [string, number][]): string {
  return kinds.length
    ? join(
        lang,
        kinds.map(([k, n]) => `${pick(lang, sectionKindLabel(k))} ×${n}`),
      )
    : '-';
}

/** A heading's title indented by its depth, for formats without nesting (terminal, Markdown tables). */
export function outlineTitle(entry: OutlineEntry, max = 50): string {
  return `${'· '.repeat(Math.min(entry.depth, 8))}${quote(entry.title, max)}`;
}

export function outlineRow(entry: OutlineEntry, lang: Lang): string[] {
  return [
    outlineTitle(entry),
    outlineKinds(lang, entry.kinds),
    outlineTextKinds(lang, entry.textKinds),
    String(entry.blocks),
    `${entry.start}–${entry.end}`,
  ];
}

/** A terminal is not the place for a thousand mentions; JSON and HTML have them all. */
const MAX_ROWS = 100;

function rows<T>(items: readonly T[], lang: Lang, row: (item: T) => string[], width: number): string[][] {
  const shown = items.slice(0, MAX_ROWS).map(row);
  if (items.length > MAX_ROWS)
    shown.push([`… +${items.length - MAX_ROWS} ${pick(lang, POLICY_LABELS.more)}`, ...Array<string>(width - 1).fill('')]);
  return shown;
}

/**
 * The policy as neutral blocks for the terminal and Markdown. `short` (in a scan report) gives the
 * overview only; the policy report adds the tables, and the outline tree unless `outline` is false
 * (the terminal leaves it to Markdown and HTML).
 */
export function policySections(analysis: PolicyAnalysis, lang: Lang, options: { short?: boolean; outline?: boolean } = {}): Section[] {
  const L = POLICY_LABELS;
  const p = (b: Bilingual) => pick(lang, b);
  const yes = (v: boolean) => (v ? p(L.yes) : p(L.no));
  const sections: Section[] = [
    {
      title: `${p(L.policy)}${analysis.title ? `: ${analysis.title}` : ''}`,
      blocks: [{ kind: 'fields', fields: policyFacts(analysis).map((f) => [p(f.label), p(f.value)]) }],
    },
  ];
  if (options.short) return sections;

  const outline = options.outline === false ? [] : policyOutline(analysis);
  if (outline.length)
    sections.push({
      title: `${p(L.outline)} (${outline.length})`,
      blocks: [
        { kind: 'list', items: [p(L.outlineNote)] },
        {
          kind: 'table',
          headers: [L.colHeading, L.colKinds, L.colTextKinds, L.colBlocks, L.colRange].map(p),
          rows: rows(outline, lang, (e) => outlineRow(e, lang), 5),
        },
      ],
    });

  const groups = mentionGroups(analysis.dataMentions);
  const dataBlocks: Block[] = [
    { kind: 'list', items: [p(L.dataNote)] },
    {
      kind: 'table',
      headers: [L.colCategory, L.colSensitive, L.colMentions, L.colHighlighted, L.colRequired, L.colExample].map(p),
      rows: rows(
        groups,
        lang,
        (g) => [
          `${p(g.label)} (${g.category})`,
          yes(g.sensitive),
          String(g.mentions),
          `${g.highlighted}/${g.mentions}`,
          String(g.required),
          quote(g.example, 30),
        ],
        6,
      ),
    },
  ];
  sections.push({ title: `${p(L.dataMentions)} (${analysis.dataMentions.length})`, blocks: dataBlocks });

  sections.push({
    title: `${p(L.permissions)} (${analysis.permissions.length})`,
    blocks: [
      {
        kind: 'table',
        headers: [L.colPermission, L.colText, L.colPurpose].map(p),
        rows: rows(
          analysis.permissions,
          lang,
          (m) => [
            m.permissions.map((n) => n.replace(/^android\.permission\./, '')).join(', '),
            quote(m.text, 30),
            m.purpose ? quote(m.purpose.text) : '-',
          ],
          3,
        ),
      },
    ],
  });

  sections.push({
    title: `${p(L.sdkTable)} (${analysis.sdkTable.length})`,
    blocks: [
      {
        kind: 'table',
        headers: [L.colName, L.colCompany, L.colPurpose, L.colData, L.colSdk, L.colPolicy].map(p),
        rows: rows(
          analysis.sdkTable,
          lang,
          (r) => [r.name, r.company ?? '', r.purpose ? quote(r.purpose, 40) : '', join(lang, r.data), r.sdk ?? '', r.policyUrl ?? ''],
          6,
        ),
      },
    ],
  });

  sections.push({
    title: `${p(L.recipients)} (${analysis.recipients.length})`,
    blocks: [
      {
        kind: 'table',
        headers: [L.colName, L.colKind, L.colSdk, L.colText].map(p),
        rows: rows(analysis.recipients, lang, (r) => [r.name, p(label(RECIPIENT_LABELS, r.kind)), r.sdk ?? '', quote(r.text, 40)], 4),
      },
    ],
  });
  return sections;
}

export function recipientKindLabel(kind: string): Bilingual {
  return label(RECIPIENT_LABELS, kind);
}
