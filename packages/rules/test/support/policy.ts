/**
 * Policy analyses for rule tests: `makePolicy` fills a valid, empty analysis that each test changes
 * only where its rule looks; `policyFrom` lays paragraphs out as text with sections, and the mention
 * helpers find their words in that text, so every offset indexes it as the analyser's would.
 */
import type {
  DataMention,
  PermissionMention,
  PolicyAnalysis,
  PolicySection,
  Purpose,
  Recipient,
  SdkTableRow,
  SectionKind,
  TextSpan,
} from '@apprights/policy';

/** POLICY_ANALYSIS_VERSION of @apprights/policy (kept literal: the tests load no analyser code). */
const VERSION = '1.0.0';

export function makePolicy(partial: Partial<PolicyAnalysis> = {}): PolicyAnalysis {
  const text = partial.text ?? '';
  return {
    version: VERSION,
    source: 'https://example.com/privacy.html',
    format: 'html',
    language: 'zh',
    text,
    title: null,
    operator: null,
    contacts: [],
    responseTime: null,
    effectiveDate: null,
    sections: [],
    dataMentions: [],
    mentionedCategories: [],
    purposes: [],
    permissions: [],
    recipients: [],
    sdkTable: [],
    lists: { collectedPersonalInformation: null, thirdPartySharing: null },
    ...partial,
    length: text.length,
  };
}

export interface Paragraph {
  text: string;
  kinds?: SectionKind[];
  heading?: string;
}

/** Paragraphs one per line, each a section of its kinds under its heading. */
export function policyFrom(paragraphs: Paragraph[], partial: Partial<PolicyAnalysis> = {}): PolicyAnalysis {
  let text = '';
  const sections: PolicySection[] = [];
  for (const p of paragraphs) {
    const start = text.length;
    text += p.text;
    const section: PolicySection = { kinds: p.kinds ?? [], start, end: text.length };
    if (p.heading) section.heading = p.heading;
    sections.push(section);
    text += '\n';
  }
  return makePolicy({ text, sections, ...partial });
}

/** Where `needle` first stands in the policy's text (after `from`); throws when it does not. */
export function spanOf(policy: PolicyAnalysis, needle: string, from = 0): TextSpan {
  const start = policy.text.indexOf(needle, from);
  if (start < 0) throw new Error(`"${needle}" is not in the policy text`);
  return { start, end: start + needle.length, text: needle };
}

function sectionIndex(policy: PolicyAnalysis, offset: number): number {
  return policy.sections.findIndex((s) => s.start <= offset && offset < s.end);
}

export function dataMention(policy: PolicyAnalysis, needle: string, category: string, patch: Partial<DataMention> = {}): DataMention {
  const span = spanOf(policy, needle);
  return {
    ...span,
    category,
    sensitive: false,
    highlighted: false,
    required: false,
    negated: false,
    section: sectionIndex(policy, span.start),
    ...patch,
  };
}

export function permissionMention(
  policy: PolicyAnalysis,
  needle: string,
  permissions: string[],
  purpose: string | null = null,
): PermissionMention {
  const span = spanOf(policy, needle);
  return { ...span, permissions, purpose: purpose === null ? null : spanOf(policy, purpose), section: sectionIndex(policy, span.start) };
}

export function purpose(policy: PolicyAnalysis, needle: string, data: number[], permissions: string[] = []): Purpose {
  const span = spanOf(policy, needle);
  return { ...span, data, permissions, section: sectionIndex(policy, span.start) };
}

export function recipient(policy: PolicyAnalysis, needle: string, sdk?: string): Recipient {
  const span = spanOf(policy, needle);
  const out: Recipient = { ...span, name: needle, kind: sdk ? 'sdk' : 'company', section: sectionIndex(policy, span.start) };
  if (sdk) out.sdk = sdk;
  return out;
}

export function sdkRow(policy: PolicyAnalysis, name: string, sdk: string | null, patch: Partial<SdkTableRow> = {}): SdkTableRow {
  const span = spanOf(policy, name);
  return { start: span.start, end: span.end, name, company: null, purpose: null, data: [], categories: [], policyUrl: null, sdk, ...patch };
}

/** A policy that has every element the rules ask for: sections, operator, contact, date, response time, lists. */
export function completePolicy(): PolicyAnalysis {
  const policy = policyFrom([
    { text: '示例科技有限公司（以下简称“我们”）隐私政策。更新日期：2024年1月1日。', kinds: [], heading: '引言' },
    { text: '我们收集您的手机号码用于注册登录。', kinds: ['collection-use'], heading: '一、我们如何收集和使用您的个人信息' },
    { text: '我们接入的第三方SDK见《第三方共享清单》。', kinds: ['third-party'], heading: '二、共享、转让与公开披露' },
    { text: '我们在中华人民共和国境内存储您的个人信息，保存期限为实现目的所必需的最短时间。', kinds: ['retention'], heading: '三、存储' },
    { text: '我们采用加密等安全措施保护您的个人信息。', kinds: ['security'], heading: '四、安全' },
    { text: '您可以访问、更正、删除您的个人信息，或注销账号。', kinds: ['user-rights'], heading: '五、您的权利' },
    { text: '我们不满十四周岁的未成年人需在监护人同意下使用。', kinds: ['minors'], heading: '六、未成年人' },
    { text: '本政策更新时，我们会通过弹窗提示您。', kinds: ['policy-change'], heading: '七、政策更新' },
    { text: '联系我们：privacy@example.com，我们将在15个工作日内答复。', kinds: ['contact'], heading: '八、联系我们' },
  ]);
  const date = spanOf(policy, '2024年1月1日');
  const email = spanOf(policy, 'privacy@example.com');
  const days = spanOf(policy, '15个工作日');
  const operator = spanOf(policy, '示例科技有限公司');
  return {
    ...policy,
    operator: { ...operator, name: operator.text },
    contacts: [{ ...email, kind: 'email', value: email.text }],
    responseTime: { ...days, days: 15, workingDays: true },
    effectiveDate: { ...date, date: '2024-01-01', kind: 'updated' },
    lists: {
      collectedPersonalInformation: { ...spanOf(policy, '我们收集您的手机号码'), how: 'inline', href: null },
      thirdPartySharing: { ...spanOf(policy, '《第三方共享清单》'), how: 'link', href: 'https://example.com/sdk-list' },
    },
  };
}
