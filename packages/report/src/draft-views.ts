/**
 * The privacy-policy draft, its gap report and the store-listing draft as neutral sections (tables,
 * notes), in one language: Markdown and HTML lay them out. What the developer must write stays a
 * visible slot; every fact names its source.
 */
import type {
  DraftCollected,
  DraftGap,
  DraftPermission,
  DraftPi,
  DraftSdk,
  DraftSource,
  ListingDraft,
  PolicyDraft,
} from '@apprights/engine';
import type { Bilingual } from '@apprights/rules';
import type { Lang } from './i18n.js';
import type { Block, Section } from './section.js';

export const DRAFT_LABELS = {
  title: { en: 'Privacy policy draft', zh: '隐私政策草稿' },
  gapTitle: { en: 'Privacy policy gap report', zh: '隐私政策差异报告' },
  listingTitle: { en: 'Store listing draft', zh: '应用商店上架信息草稿' },
  intro: {
    en: 'Drafted by AppRights from the package. Only what the AppRights catalogue or the package states is given as a fact, with its source; purposes and business functions are left for the developer (“[to fill]”).',
    zh: '由 AppRights 根据安装包生成。只有 AppRights 目录或安装包本身写明的内容才作为事实给出，并注明来源；使用目的与业务功能留给开发者填写（“【待填写】”）。',
  },
  basisNote: {
    en: '“SDK’s own statement”: what the SDK’s vendor documents, per the catalogue. “Seen in this app’s code”: the SDK’s classes in this package call an API that reaches the information. A vendor’s item is left out when every API the catalogue knows for it needs a permission this app does not request.',
    zh: '“SDK 自述”：据目录记载的 SDK 提供方公开说明；“本应用代码中发现”：本安装包中该 SDK 的类调用了获取该信息的接口。若目录中获取某项信息的接口都需要本应用未申请的权限，该项不列入。',
  },
  file: { en: 'File', zh: '文件' },
  app: { en: 'App', zh: '应用' },
  appType: { en: 'App type (CAC 2021)', zh: '应用类型（2021 必要个人信息规定）' },
  noAppType: {
    en: 'not given: whether an item needs a separate consent is not judged (--app-type)',
    zh: '未提供：无法判断是否需要单独同意（--app-type）',
  },
  sdkSection: { en: '1. Third-party SDK list', zh: '一、第三方 SDK 目录' },
  trackers: { en: 'SDKs that collect personal information for their vendor', zh: '为其提供方收集个人信息的 SDK' },
  others: { en: 'Other SDKs seen reaching personal information', zh: '代码中发现获取个人信息的其他 SDK' },
  notListed: {
    en: 'Not listed (the catalogue and the code show no personal information processed)',
    zh: '未列入（目录与代码均未显示其处理个人信息）',
  },
  openSource: { en: 'open-source library', zh: '开源库' },
  noPi: { en: 'no personal information', zh: '不处理个人信息' },
  collectedSection: { en: '2. List of personal information collected', zh: '二、个人信息收集清单' },
  collectedNote: {
    en: 'The app’s own code (and code no SDK claims) and its requested permissions; what SDKs collect is in the SDK list.',
    zh: '应用自身代码（及无法归属 SDK 的代码）与所申请权限涉及的个人信息；SDK 收集的信息见第三方 SDK 目录。',
  },
  permissionSection: { en: '3. Permissions requested and their use', zh: '三、权限申请与使用情况说明' },
  gapSection: { en: 'Differences between the policy and the app', zh: '隐私政策与应用的差异' },
  gapNote: {
    en: 'The same comparison the policy rules judge by: each row names the rule that reports it.',
    zh: '与隐私政策规则使用同一比对：每行注明报告同一问题的规则。',
  },
  notApplicable: {
    en: 'Not compared for this kind of package (the rules judge apps, not SDK libraries)',
    zh: '本类安装包不做比对（相关规则只检测应用，不检测 SDK 库）',
  },
  policyLacks: { en: 'The policy lacks', zh: '政策缺少' },
  appLacks: { en: 'The policy lists what the app no longer has', zh: '政策列出但应用已不再需要' },
  none: { en: 'none', zh: '无' },
  toFill: { en: '[to fill]', zh: '【待填写】' },
  notInCatalogue: { en: 'not in catalogue', zh: '目录中没有' },
  unverified: { en: 'not verified in the catalogue', zh: '目录中未核实' },
  statement: { en: 'SDK’s own statement', zh: 'SDK 自述' },
  seen: { en: 'seen in this app’s code', zh: '本应用代码中发现' },
  notPossible: { en: 'listed by the vendor, not possible here (needs', zh: '提供方列出，本应用无法获取（需要' },
  yes: { en: 'yes', zh: '是' },
  no: { en: 'no', zh: '否' },
  unknown: { en: 'unknown', zh: '未知' },
  ownCode: { en: 'the app’s own code', zh: '应用自身代码' },
  unidentified: { en: 'unidentified code', zh: '未识别来源的代码' },
  noCall: { en: 'no call seen in code', zh: '代码中未发现调用' },
  notCatalogued: { en: 'not judged: the API catalogue has no API needing it', zh: '未判断：接口目录中没有需要该权限的接口' },
  dangerous: { en: 'dangerous', zh: '危险权限' },
  special: { en: 'special access', zh: '特殊权限' },
  manifestPurpose: { en: '(manifest meta-data)', zh: '（清单文件元数据）' },
  manifestOnly: { en: 'requested permission only', zh: '仅申请了权限' },
  filledByApp: { en: 'from the package', zh: '取自安装包' },
  filledByGiven: { en: 'given', zh: '由命令行提供' },
  filledByPerson: { en: 'a person must write it', zh: '需人工填写' },
} as const;

const H = {
  sdk: { en: 'SDK', zh: 'SDK 名称' },
  vendor: { en: 'Vendor', zh: '开发者' },
  purpose: { en: 'Purpose', zh: '使用目的' },
  pi: { en: 'Personal information in this app', zh: '本应用中收集的个人信息' },
  permissions: { en: 'Permissions', zh: '权限' },
  policy: { en: 'Privacy policy', zh: '隐私政策链接' },
  version: { en: 'Version found', zh: '检出版本' },
  sources: { en: 'Sources', zh: '来源' },
  function: { en: 'Business function', zh: '业务功能' },
  info: { en: 'Personal information', zh: '个人信息' },
  sensitive: { en: 'Sensitive (PIPL art. 28)', zh: '敏感个人信息（个保法第 28 条）' },
  permission: { en: 'Permission', zh: '权限' },
  consent: { en: 'Needs a separate consent', zh: '需单独同意' },
  // Not "name": a column of that word makes a policy analyser read the table as an SDK list.
  shownAs: { en: 'Shown by Android as', zh: '系统中显示为' },
  kind: { en: 'Type', zh: '类型' },
  usedBy: { en: 'Used by', zh: '使用方' },
  gap: { en: 'Difference', zh: '差异' },
  subject: { en: 'Item', zh: '对象' },
  rule: { en: 'Rule', zh: '规则' },
  policyPassage: { en: 'Policy passage', zh: '政策原文' },
  appEvidence: { en: 'App evidence', zh: '应用证据' },
  element: { en: 'Element', zh: '要素' },
  value: { en: 'Value', zh: '内容' },
  filledBy: { en: 'Filled by', zh: '填写方' },
  note: { en: 'Note', zh: '说明' },
} as const;

/** A table, or "none" in the reader's language when it has no rows. */
function table(lang: Lang, headers: readonly Bilingual[], rows: string[][]): Block {
  if (rows.length === 0) return { kind: 'text', text: `(${pick(lang, DRAFT_LABELS.none)})` };
  return { kind: 'table', headers: headers.map((h) => pick(lang, h)), rows };
}

function pick(lang: Lang, text: Bilingual): string {
  return lang === 'zh' ? text.zh : text.en;
}

function colon(lang: Lang): string {
  return lang === 'zh' ? '：' : ': ';
}

function list(lang: Lang, items: readonly string[]): string {
  return items.join(lang === 'zh' ? '、' : ', ');
}

function short(permission: string): string {
  return permission.replace(/^android\.permission\./, '');
}

/** One source, as a reader finds it again: the catalogue file, the class, the manifest element. */
export function sourceText(lang: Lang, source: DraftSource): string {
  const zh = lang === 'zh';
  switch (source.kind) {
    case 'catalogue':
      return `${zh ? '目录' : 'catalogue'} ${source.file}${source.field ? `#${source.field}` : ''}${source.unsourced ? (zh ? '（无出处）' : ' (unsourced)') : ''}`;
    case 'code':
      // The method's name without its descriptor: enough to find it, short enough for a table cell.
      return `${zh ? '代码' : 'code'} ${source.class}${source.method ? `.${source.method.replace(/\(.*$/s, '')}` : ''}`;
    case 'manifest':
      return `${zh ? '清单' : 'manifest'} <${source.element}>${source.name ? ` ${source.name}` : ''}${source.detail ? ` ${source.detail}` : ''}`;
    case 'permission':
      return `${zh ? '清单' : 'manifest'} <uses-permission> ${source.permission}`;
    case 'sdk':
      return `${zh ? 'SDK 识别' : 'SDK detection'} ${source.sdk}`;
    case 'resource':
      return `${zh ? '文件' : 'file'} ${source.artifact} (${source.detail})`;
    case 'signature':
      return `${zh ? '签名证书' : 'certificate'} ${source.detail}`;
    case 'policy':
      return `${zh ? '政策' : 'policy'}${source.section ? ` §${source.section}` : ''}${source.text ? ` “${source.text}”` : zh ? '（全文）' : ' (whole text)'}`;
    case 'store':
      return `${zh ? '商店信息' : 'store'} ${source.field}=${source.value}`;
    case 'trace':
      return `trace #${source.event}`;
    case 'ui':
      return `ui ${source.snapshot}`;
  }
}

/** The sources of a cell, each once (two calls in one method read alike). */
function sources(lang: Lang, list: readonly DraftSource[]): string {
  return [...new Set(list.map((s) => sourceText(lang, s)))].join('; ');
}

function piCell(lang: Lang, pi: DraftPi): string {
  const L = DRAFT_LABELS;
  const basis = pi.basis.map((b) => pick(lang, b === 'sdk-statement' ? L.statement : L.seen));
  return `${pick(lang, pi.label)} (${list(lang, basis)})`;
}

function sdkTable(lang: Lang, sdks: readonly DraftSdk[]): Block {
  const L = DRAFT_LABELS;
  return table(
    lang,
    [H.sdk, H.vendor, H.purpose, H.pi, H.permissions, H.policy, H.version, H.sources],
    sdks.map((s) => {
      const pi = s.personalInformation.map((p) => piCell(lang, p));
      for (const p of s.notPossibleHere) pi.push(`${pick(lang, p.label)} (${pick(lang, L.notPossible)} ${list(lang, p.needs.map(short))})`);
      return [
        `${pick(lang, s.name)} (${s.id})`,
        `${pick(lang, s.vendor)}${s.vendorVerified ? '' : ` (${pick(lang, L.unverified)})`}`,
        pick(lang, s.purpose),
        pi.length > 0 ? pi.join(lang === 'zh' ? '；' : '; ') : pick(lang, L.none),
        s.permissions.length > 0
          ? list(
              lang,
              s.permissions.map((p) => short(p.permission)),
            )
          : pick(lang, L.none),
        s.privacyPolicy ?? pick(lang, L.notInCatalogue),
        s.version ?? pick(lang, L.unknown),
        sources(lang, s.sources),
      ];
    }),
  );
}

function sdkSection(lang: Lang, draft: PolicyDraft): Section {
  const L = DRAFT_LABELS;
  const blocks: Block[] = [
    { kind: 'text', text: pick(lang, L.basisNote) },
    { kind: 'text', text: `${pick(lang, L.trackers)}${colon(lang).trimEnd()}` },
    sdkTable(lang, draft.sdks.trackers),
    { kind: 'text', text: `${pick(lang, L.others)}${colon(lang).trimEnd()}` },
    sdkTable(lang, draft.sdks.others),
  ];
  if (draft.sdks.notListed.length > 0) {
    blocks.push({ kind: 'text', text: `${pick(lang, L.notListed)}${colon(lang).trimEnd()}` });
    blocks.push({
      kind: 'list',
      items: draft.sdks.notListed.map(
        (s) =>
          `${pick(lang, s.name)} (${s.id}${s.version ? ` ${s.version}` : ''}): ${pick(lang, s.reason === 'open-source-library' ? L.openSource : L.noPi)}`,
      ),
    });
  }
  return { title: pick(lang, L.sdkSection), blocks };
}

function yesNo(lang: Lang, value: boolean | null): string {
  return pick(lang, value === null ? DRAFT_LABELS.unknown : value ? DRAFT_LABELS.yes : DRAFT_LABELS.no);
}

function collectedSection(lang: Lang, rows: readonly DraftCollected[]): Section {
  const L = DRAFT_LABELS;
  const fill = pick(lang, L.toFill);
  return {
    title: pick(lang, L.collectedSection),
    blocks: [
      { kind: 'text', text: pick(lang, L.collectedNote) },
      table(
        lang,
        [H.function, H.info, H.sensitive, H.permission, H.purpose, H.consent, H.sources],
        rows.map((r) => {
          const places = [...r.where];
          if (r.unidentifiedCallers > 0) places.push(`${pick(lang, L.unidentified)} × ${r.unidentifiedCallers}`);
          const where = places.length > 0 ? ` (${list(lang, places)})` : r.basis === 'manifest' ? ` (${pick(lang, L.manifestOnly)})` : '';
          const items =
            r.items.length > 0
              ? `: ${list(
                  lang,
                  r.items.map((i) => pick(lang, i)),
                )}`
              : '';
          return [
            `${fill}${where}`,
            `${pick(lang, r.label)}${items}`,
            yesNo(lang, r.sensitive),
            r.permissions.length > 0 ? list(lang, r.permissions.map(short)) : pick(lang, L.none),
            fill,
            yesNo(lang, r.separateConsent),
            sources(lang, r.sources),
          ];
        }),
      ),
    ],
  };
}

function usedByText(lang: Lang, p: DraftPermission): string {
  const L = DRAFT_LABELS;
  const who: string[] = [];
  if (p.usedBy.own > 0) who.push(pick(lang, L.ownCode));
  for (const s of p.usedBy.sdks) who.push(`${pick(lang, s.name)} (${s.id})`);
  if (p.usedBy.unidentified > 0) who.push(pick(lang, L.unidentified));
  return who.length > 0 ? list(lang, who) : pick(lang, p.usedBy.catalogued ? L.noCall : L.notCatalogued);
}

function permissionSection(lang: Lang, rows: readonly DraftPermission[]): Section {
  const L = DRAFT_LABELS;
  return {
    title: pick(lang, L.permissionSection),
    blocks: [
      table(
        lang,
        [H.permission, H.shownAs, H.kind, H.info, H.usedBy, H.purpose, H.sources],
        // The full name: policy readers (and analysers) take a bare short name for a permission only when they know it.
        rows.map((p) => [
          p.permission,
          (lang === 'zh' ? p.label.zh : p.label.en) ?? pick(lang, L.notInCatalogue),
          pick(lang, p.kind === 'dangerous' ? L.dangerous : L.special),
          p.piLabel ? pick(lang, p.piLabel) : pick(lang, L.none),
          usedByText(lang, p),
          p.purpose !== null ? `${p.purpose} ${pick(lang, L.manifestPurpose)}` : pick(lang, L.toFill),
          sources(lang, p.sources),
        ]),
      ),
    ],
  };
}

function headSection(lang: Lang, draft: PolicyDraft, title: Bilingual, more: [string, string][] = []): Section {
  const L = DRAFT_LABELS;
  const app = draft.app;
  const name = [app.label, app.package, app.versionName].filter((v) => v !== null).join(' · ');
  return {
    title: `${pick(lang, title)}${name ? `${colon(lang)}${name}` : ''}`,
    blocks: [
      { kind: 'text', text: pick(lang, L.intro) },
      {
        kind: 'fields',
        fields: [
          [pick(lang, L.file), `${app.file} (sha256 ${app.sha256.slice(0, 16)}…)`],
          [pick(lang, L.appType), draft.appType ? `${pick(lang, draft.appType)} (${draft.appType.id})` : pick(lang, L.noAppType)],
          ...more,
        ],
      },
    ],
  };
}

function gapRows(lang: Lang, rows: readonly DraftGap[]): Block {
  return table(
    lang,
    [H.subject, H.gap, H.policyPassage, H.appEvidence, H.rule],
    rows.map((g) => [pick(lang, g.subject), pick(lang, g.detail), sourceText(lang, g.policy), sources(lang, g.app), g.rule ?? '—']),
  );
}

/** The draft's sections; with a policy, the gap report takes the place of the blank lists. */
export function policyDraftSections(draft: PolicyDraft, lang: Lang): Section[] {
  const L = DRAFT_LABELS;
  if (draft.gaps) {
    const gaps = draft.gaps;
    const lacks = gaps.rows.filter((g) => g.direction === 'policy-lacks');
    const extra = gaps.rows.filter((g) => g.direction === 'app-lacks');
    const policy = `${gaps.policy.title ? `${gaps.policy.title} · ` : ''}${gaps.policy.source}`;
    return [
      headSection(lang, draft, L.gapTitle, [[pick(lang, H.policy), policy]]),
      {
        title: pick(lang, L.gapSection),
        blocks: [
          { kind: 'text', text: pick(lang, L.gapNote) },
          ...(gaps.rulesNotApplicable.length > 0
            ? [{ kind: 'text' as const, text: `${pick(lang, L.notApplicable)}${colon(lang)}${list(lang, gaps.rulesNotApplicable)}` }]
            : []),
          { kind: 'text', text: `${pick(lang, L.policyLacks)} (${lacks.length})${colon(lang).trimEnd()}` },
          gapRows(lang, lacks),
          { kind: 'text', text: `${pick(lang, L.appLacks)} (${extra.length})${colon(lang).trimEnd()}` },
          gapRows(lang, extra),
        ],
      },
    ];
  }
  return [
    headSection(lang, draft, L.title),
    sdkSection(lang, draft),
    collectedSection(lang, draft.collected),
    permissionSection(lang, draft.permissions),
  ];
}

export function listingDraftSections(draft: ListingDraft, lang: Lang): Section[] {
  const L = DRAFT_LABELS;
  const rows = draft.elements.map((e) => {
    let value: string;
    if (e.value === null) value = pick(lang, L.toFill);
    else if (typeof e.value === 'string') value = e.value;
    else if (Array.isArray(e.value))
      value =
        e.value.length === 0
          ? pick(lang, L.none)
          : e.value
              .map(
                (p) =>
                  `${short(p.permission)}${(lang === 'zh' ? p.label.zh : p.label.en) ? ` (${lang === 'zh' ? p.label.zh : p.label.en})` : ''}: ${p.purpose ?? pick(lang, L.toFill)}`,
              )
              .join('; ');
    else value = `${e.value.name}${e.value.code !== null ? ` (${e.value.code})` : ''}`;
    const by = e.filledBy === 'app' ? L.filledByApp : e.filledBy === 'given' ? L.filledByGiven : L.filledByPerson;
    const shown = sources(lang, e.sources.slice(0, 3));
    return [pick(lang, e.title), value, pick(lang, by), e.note ? pick(lang, e.note) : '', e.sources.length > 3 ? `${shown} …` : shown];
  });
  const app = draft.app;
  return [
    {
      title: `${pick(lang, L.listingTitle)}${app.label ? `${colon(lang)}${app.label}` : ''}`,
      blocks: [
        { kind: 'fields', fields: [[pick(lang, L.file), `${app.file} (sha256 ${app.sha256.slice(0, 16)}…)`]] },
        table(lang, [H.element, H.value, H.filledBy, H.note, H.sources], rows),
      ],
    },
  ];
}
