import type { FastifyRequest } from 'fastify';

// Every word the console shows, in both languages. A page picks the language from ?lang=, then the
// ar_lang cookie (set by the switch), then Accept-Language (zh* → zh-CN), else English.

export type ConsoleLang = 'zh-CN' | 'en';

export const MESSAGES = {
  siteName: { en: 'AppRights public service platform', zh: 'AppRights 公共服务平台' },
  skipToContent: { en: 'Skip to content', zh: '跳到正文' },
  navApps: { en: 'Listed apps', zh: '在架应用' },
  navApi: { en: 'API', zh: '接口' },
  navLogin: { en: 'Sign in', zh: '登录' },
  switchLanguage: { en: '中文', zh: 'English' },
  appsTitle: { en: 'Listed apps (public disclosure)', zh: '在架应用全量公示' },
  appsIntro: {
    en: 'Every app listed by a store on this platform, with its six elements, SDKs and the latest check.',
    zh: '本平台各应用商店在架的全部应用，含六要素、SDK 及最近一次检测。',
  },
  search: { en: 'Search', zh: '搜索' },
  searchLabel: { en: 'Name or package', zh: '名称或包名' },
  store: { en: 'Store', zh: '应用商店' },
  anyStore: { en: 'Any store', zh: '全部商店' },
  appType: { en: 'App type', zh: '应用类型' },
  anyType: { en: 'Any type', zh: '全部类型' },
  name: { en: 'Name', zh: '名称' },
  packageName: { en: 'Package', zh: '包名' },
  version: { en: 'Version', zh: '版本' },
  developer: { en: 'Developer', zh: '开发者' },
  lastCheck: { en: 'Last check', zh: '最近检测' },
  notChecked: { en: 'not checked', zh: '未检测' },
  next: { en: 'Next page', zh: '下一页' },
  noApps: { en: 'No listed app matches.', zh: '没有符合条件的在架应用。' },
  privacyPolicy: { en: 'Privacy policy', zh: '隐私政策' },
  permissions: { en: 'Permissions and purposes', zh: '权限及用途' },
  purpose: { en: 'Purpose', zh: '用途' },
  description: { en: 'Functions', zh: '功能介绍' },
  sdks: { en: 'SDKs found in the package', zh: '安装包中检出的 SDK' },
  noSdks: { en: 'No third-party SDK found.', zh: '未检出第三方 SDK。' },
  vendor: { en: 'Vendor', zh: '提供方' },
  coverage: { en: 'Coverage of the 26 measures', zh: '26 条措施检测覆盖' },
  findings: { en: 'Findings by severity', zh: '问题（按严重程度）' },
  notFound: { en: 'Not found', zh: '未找到' },
  notFoundText: { en: 'There is no such page.', zh: '该页面不存在。' },
  csrfTitle: { en: 'The form has expired', zh: '表单已失效' },
  backToPage: { en: 'Back to the page', zh: '返回页面' },
  signOut: { en: 'Sign out', zh: '退出登录' },
  timeZoneNote: { en: 'Times are Beijing time (UTC+8).', zh: '时间为北京时间（UTC+8）。' },
  // The workflows' public pages (console/public-workflows.ts, console/complaints.ts).
  navBulletins: { en: 'Bulletins', zh: '通报' },
  navRankings: { en: 'Rankings', zh: '排名' },
  navStopAccess: { en: 'Stop-access feed key and format', zh: '停止接入通知公钥与格式' },
  fileComplaint: { en: 'File a complaint about this app', zh: '投诉该应用' },
} as const satisfies Record<string, { en: string; zh: string }>;

export type MessageId = keyof typeof MESSAGES;

export function t(lang: ConsoleLang, id: MessageId): string {
  return lang === 'zh-CN' ? MESSAGES[id].zh : MESSAGES[id].en;
}

export function pickLang(request: FastifyRequest): ConsoleLang {
  const query = (request.query as { lang?: unknown } | undefined)?.lang;
  if (query === 'zh-CN' || query === 'en') return query;
  const cookie = request.cookies?.['ar_lang'];
  if (cookie === 'zh-CN' || cookie === 'en') return cookie;
  const accept = request.headers['accept-language'];
  if (typeof accept === 'string') {
    // The first language range that is one of ours decides (q-values in the order browsers send them).
    for (const range of accept.slice(0, 200).split(',')) {
      const tag = range.split(';')[0]!.trim().toLowerCase();
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return 'en';
}

const LAST_DST_END = Date.UTC(1991, 8, 15);

const SHANGHAI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "2026-01-05 10:00" in Beijing time; the UTC instant goes in the element's datetime attribute. */
export function shanghaiTime(ms: number): { text: string; iso: string } {
  // China has kept UTC+8 without daylight saving since 1991-09-15 (the last DST end): from then on
  // the wall time is the UTC instant plus eight hours, with no time-zone lookup (a list page shows
  // fifty of these per build); earlier instants ask the time-zone database.
  if (ms >= LAST_DST_END) {
    const wall = new Date(ms + 8 * 3600_000).toISOString();
    return { text: `${wall.slice(0, 10)} ${wall.slice(11, 16)}`, iso: new Date(ms).toISOString() };
  }
  const parts = Object.fromEntries(SHANGHAI.formatToParts(ms).map((p) => [p.type, p.value]));
  return { text: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`, iso: new Date(ms).toISOString() };
}
