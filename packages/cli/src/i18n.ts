/**
 * The words people see on the terminal, in English and Simplified Chinese. The language comes from
 * `--lang`, else APPRIGHTS_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG starting with `zh`).
 * Machine output (JSON) is never translated.
 */
export type Lang = 'en' | 'zh';

export function detectLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  const pick = explicit ?? env.APPRIGHTS_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return pick.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const messages = {
  appName: { en: 'App name', zh: '应用名称' },
  package: { en: 'Package', zh: '包名' },
  version: { en: 'Version', zh: '版本' },
  sdk: { en: 'SDK levels', zh: 'SDK 级别' },
  minSdk: { en: 'min', zh: '最低' },
  targetSdk: { en: 'target', zh: '目标' },
  compileSdk: { en: 'compile', zh: '编译' },
  launcher: { en: 'Launcher activity', zh: '启动 Activity' },
  flags: { en: 'Application flags', zh: '应用标志' },
  permissions: { en: 'Permissions', zh: '权限' },
  declaredPermissions: { en: 'Declared permissions', zh: '自定义权限' },
  components: { en: 'Components', zh: '组件' },
  exported: { en: 'exported', zh: '已导出' },
  code: { en: 'Code', zh: '代码' },
  dexFiles: { en: 'DEX files', zh: 'DEX 文件' },
  classes: { en: 'classes', zh: '类' },
  methods: { en: 'methods', zh: '方法' },
  nativeLibs: { en: 'Native libraries', zh: '原生库' },
  signatures: { en: 'Signatures', zh: '签名' },
  verified: { en: 'verified', zh: '已验证' },
  notVerified: { en: 'NOT verified', zh: '未通过验证' },
  absent: { en: 'absent', zh: '无' },
  notChecked: { en: 'not checked', zh: '未校验' },
  colName: { en: 'name', zh: '名称' },
  colProtection: { en: 'protection', zh: '保护级别' },
  colType: { en: 'type', zh: '类型' },
  colExported: { en: 'exported', zh: '导出' },
  colPermission: { en: 'permission', zh: '权限' },
  colActions: { en: 'actions', zh: '动作' },
  colPath: { en: 'path', zh: '路径' },
  colSize: { en: 'size', zh: '大小' },
  colNote: { en: 'note', zh: '说明' },
  yes: { en: 'yes', zh: '是' },
  no: { en: 'no', zh: '否' },
  methodRefs: { en: 'method refs', zh: '方法引用' },
  strings: { en: 'strings', zh: '字符串' },
  codeRefs: { en: 'invokes / static field reads / string loads', zh: '方法调用 / 静态字段读取 / 字符串加载' },
  classFiles: { en: 'class files', zh: 'class 文件' },
  certificate: { en: 'Certificate', zh: '证书' },
  archiveIssues: { en: 'Archive issues', zh: '压缩包异常' },
  nested: { en: 'Nested archives', zh: '内嵌压缩包/代码' },
  problems: { en: 'Problems', zh: '问题' },
  none: { en: 'none', zh: '无' },
  file: { en: 'File', zh: '文件' },
  kind: { en: 'Kind', zh: '类型' },
  sdkComponents: { en: 'SDK manifest', zh: 'SDK 清单' },
  progressOpen: { en: 'opening archive', zh: '打开压缩包' },
  progressManifest: { en: 'reading manifest and resources', zh: '读取清单与资源' },
  progressDex: { en: 'parsing DEX', zh: '解析 DEX' },
  progressClasses: { en: 'reading class files', zh: '读取 class 文件' },
  progressSignatures: { en: 'verifying signatures', zh: '校验签名' },
  progressNested: { en: 'inspecting nested archives', zh: '检查内嵌压缩包' },
  progressRules: { en: 'running checks', zh: '运行检测规则' },
  sdks: { en: 'SDKs', zh: '第三方 SDK' },
  sensitiveApis: { en: 'Sensitive APIs', zh: '敏感 API' },
  colSdk: { en: 'SDK', zh: 'SDK' },
  colCategory: { en: 'category', zh: '类别' },
  colTracker: { en: 'tracker', zh: '收集个人信息' },
  colConfidence: { en: 'confidence', zh: '置信度' },
  colVersion: { en: 'version', zh: '版本' },
  colEvidence: { en: 'evidence', zh: '依据' },
  colApi: { en: 'API', zh: 'API' },
  colPi: { en: 'personal information', zh: '个人信息' },
  colSensitivity: { en: 'sensitivity', zh: '敏感度' },
  colCallers: { en: 'callers', zh: '调用方' },
  own: { en: 'app', zh: '应用自身' },
  unidentified: { en: 'unidentified', zh: '未识别' },
  evidenceClasses: { en: 'classes', zh: '个类' },
  evidenceComponents: { en: 'components', zh: '组件' },
  evidenceDomains: { en: 'hosts', zh: '域名' },
  declaredUnused: { en: 'Requested, no catalogued API calls them', zh: '已申请但未发现相关 API 调用' },
  usedUndeclared: { en: 'Needed by called APIs, not requested', zh: '调用的 API 需要但未申请' },
  sdkNotFound: { en: 'no SDK with this id in the catalogue', zh: '目录中没有该 id 的 SDK' },
  sdkCatalogOk: { en: 'entries, no problems', zh: '个条目，未发现问题' },
  sdkCatalogProblems: { en: 'problems', zh: '个问题' },
  errorPrefix: { en: 'error', zh: '错误' },
  internalError: {
    en: 'internal error in AppRights (please report it with the file that caused it)',
    zh: 'AppRights 内部错误（请附上触发该错误的文件报告此问题）',
  },
  verifyOk: { en: 'Verifies', zh: '验证通过' },
  verifyFail: { en: 'DOES NOT VERIFY', zh: '验证失败' },
  writtenTo: { en: 'report written to', zh: '报告已写入' },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof messages;

export function t(lang: Lang, key: MessageKey): string {
  return messages[key][lang];
}
