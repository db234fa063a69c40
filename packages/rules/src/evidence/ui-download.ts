/**
 * Download and install prompts: recognising one in a view tree, and which of the six download
 * elements (应用下载六要素: app name, version, developer, privacy policy, permissions, function
 * description) it shows.
 */
import type { Bilingual } from '../engine/types.js';
import { describeNode, type Located, shortId, walk } from './ui.js';

export type DownloadElement = 'app-name' | 'version' | 'developer' | 'privacy-policy' | 'permissions' | 'description';

export const DOWNLOAD_ELEMENTS: readonly DownloadElement[] = [
  'app-name',
  'version',
  'developer',
  'privacy-policy',
  'permissions',
  'description',
];

export const ELEMENT_NAMES: Record<DownloadElement, Bilingual> = {
  'app-name': { zh: '应用名称', en: 'app name' },
  version: { zh: '版本号', en: 'version' },
  developer: { zh: '开发者', en: 'developer' },
  'privacy-policy': { zh: '隐私政策', en: 'privacy policy' },
  permissions: { zh: '权限列表', en: 'permission list' },
  description: { zh: '功能介绍', en: 'function description' },
};

/** Words (in text or description) and resource ids that show each element. */
const PATTERNS: Record<DownloadElement, { text: RegExp; id: RegExp }> = {
  'app-name': { text: /应用名称|应用名|软件名称|游戏名称|app\s*name/i, id: /app_?name|appname|game_?name|^tv_name$|^name$|app_?title/i },
  version: { text: /版本|version|(?:^|\s)v\d+(?:\.\d+)+|\b\d+\.\d+\.\d+\b/i, id: /version/i },
  developer: {
    text: /开发者|开发商|开发公司|developer|publisher|有限公司|股份公司|有限责任公司|co\.,?\s*ltd|\binc\b|\bllc\b/i,
    id: /developer|dev_?name|company|publisher|corp/i,
  },
  'privacy-policy': { text: /隐私|privacy/i, id: /privacy/i },
  permissions: { text: /权限|permission/i, id: /permission/i },
  description: {
    text: /功能介绍|功能简介|功能描述|应用介绍|应用简介|产品介绍|简介|介绍|description|introduction|about\s+the\s+app/i,
    id: /desc|intro|feature|summary/i,
  },
};

const DOWNLOAD_BUTTON =
  /^\s*(?:立即|确认|开始|免费|马上)?(?:下载|安装)(?:应用|游戏|app|并打开)?\s*$|^\s*(?:download|install)(?:\s+now|\s+app)?\s*$/i;

export interface ElementsFound {
  found: Map<DownloadElement, Located>;
  missing: DownloadElement[];
}

export function downloadElements(root: { children?: unknown } & Parameters<typeof walk>[0]): ElementsFound {
  const found = new Map<DownloadElement, Located>();
  for (const located of walk(root)) {
    const { node } = located;
    const texts = [node.text, node.contentDescription].filter((t): t is string => !!t && t.trim() !== '');
    const id = shortId(node.resourceId);
    for (const element of DOWNLOAD_ELEMENTS) {
      if (found.has(element)) continue;
      const p = PATTERNS[element];
      // An id alone counts only for a node that shows something (a blank `tv_developer` shows nothing).
      if (texts.some((t) => p.text.test(t)) || (id !== '' && p.id.test(id) && texts.length > 0)) found.set(element, located);
    }
  }
  return { found, missing: DOWNLOAD_ELEMENTS.filter((e) => !found.has(e)) };
}

/** The prompt's download or install button, when it has one. */
export function downloadButton(root: Parameters<typeof walk>[0]): Located | undefined {
  return walk(root).find(({ node }) => [node.text, node.contentDescription].some((t) => !!t && DOWNLOAD_BUTTON.test(t)));
}

/**
 * A download or install prompt: the recorder says so, or a window with a 下载/安装 button that
 * shows at least two of the six elements (a feed's "下载" button alone is not one).
 */
export function isDownloadPrompt(root: Parameters<typeof walk>[0], role: string | undefined): boolean {
  if (role === 'download-prompt') return true;
  // `ad` (trace 1.1): an ad SDK's own download dialog holds its views.
  if (role !== undefined && role !== 'other' && role !== 'popup' && role !== 'ad') return false;
  if (!downloadButton(root)) return false;
  return downloadElements(root).found.size >= 2;
}

export function describeElement(located: Located): string {
  return describeNode(located.node);
}
