/**
 * The command line's own words (progress line, errors, the sdk, rules and verify commands), in
 * English and Simplified Chinese. The words of the reports are @apprights/report's; `t` here looks
 * up both, so the CLI has one way to say anything.
 */
import { t as reportWord, type Lang, type MessageKey as ReportKey } from '@apprights/report/i18n';

export { detectLang, type Lang } from '@apprights/report/i18n';

const messages = {
  progressOpen: { en: 'opening archive', zh: '打开压缩包' },
  progressManifest: { en: 'reading manifest and resources', zh: '读取清单与资源' },
  progressDex: { en: 'parsing DEX', zh: '解析 DEX' },
  progressClasses: { en: 'reading class files', zh: '读取 class 文件' },
  progressSignatures: { en: 'verifying signatures', zh: '校验签名' },
  progressNested: { en: 'inspecting nested archives', zh: '检查内嵌压缩包' },
  progressRules: { en: 'running checks', zh: '运行检测规则' },
  progressFetchPolicy: { en: 'fetching the privacy policy', zh: '获取隐私政策' },
  progressReadPolicy: { en: 'reading the privacy policy', zh: '读取隐私政策' },
  progressAnalysePolicy: { en: 'analysing the privacy policy', zh: '分析隐私政策' },
  progressReadTrace: { en: 'reading the runtime trace', zh: '读取运行时行为记录' },
  sdkNotFound: { en: 'no SDK with this id in the catalogue', zh: '目录中没有该 id 的 SDK' },
  ruleNotFound: { en: 'no rule with this id', zh: '没有该 id 的规则' },
  sdkCatalogOk: { en: 'entries, no problems', zh: '个条目，未发现问题' },
  sdkCatalogProblems: { en: 'errors', zh: '个错误' },
  sdkCatalogWarnings: { en: 'review warnings', zh: '个审核提示' },
  sdkCorpusFiles: { en: 'corpus binaries scanned', zh: '已扫描的语料二进制文件' },
  sdkCorpusUnreadable: { en: 'unreadable', zh: '无法读取' },
  sdkBadDate: { en: 'expected a date YYYY-MM-DD', zh: '应为日期 YYYY-MM-DD' },
  warningPrefix: { en: 'warning:', zh: '提示：' },
  internalError: {
    en: 'internal error in AppRights (please report it with the file that caused it)',
    zh: 'AppRights 内部错误（请附上触发该错误的文件报告此问题）',
  },
  verifyOk: { en: 'Verifies', zh: '验证通过' },
  verifyFail: { en: 'DOES NOT VERIFY', zh: '验证失败' },
  writtenTo: { en: 'report written to', zh: '报告已写入' },
} as const satisfies Record<string, Record<Lang, string>>;

export type CliKey = keyof typeof messages;
export type MessageKey = CliKey | ReportKey;

export function t(lang: Lang, key: MessageKey): string {
  return Object.hasOwn(messages, key) ? messages[key as CliKey][lang] : reportWord(lang, key as ReportKey);
}
