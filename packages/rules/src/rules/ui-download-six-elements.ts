import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import {
  DOWNLOAD_ELEMENTS,
  describeElement,
  downloadButton,
  downloadElements,
  ELEMENT_NAMES,
  isDownloadPrompt,
} from '../evidence/ui-download.js';
import { describeNode, uiRef } from '../evidence/ui.js';

export const uiDownloadSixElements = defineRule({
  meta: {
    id: 'ui-download-six-elements',
    measures: ['miit26-01', 'industry-download-six-elements'],
    evidence: ['ui'],
    severity: 'medium',
    title: { zh: '下载提示缺少“应用下载六要素”', en: 'Download prompt lacks some of the six download elements' },
    description: {
      zh: '26 号文第 1 条要求推荐下载 APP 时，在下载前如实展示开发者、功能简介、隐私政策、权限列表等信息；广告 SDK 和应用商店的通行做法是展示“应用下载六要素”：应用名称、版本号、开发者、隐私政策、权限列表和功能介绍。本规则在下载/安装提示的快照中（记录器标注为 download-prompt，或带「下载」「安装」按钮并展示至少两项要素的窗口）逐项查找这六项，缺少任一项即报告。',
      en: 'Measure 1 of the 2023 notice requires anything that recommends an app download to show the developer, a description of the functions, the privacy policy and the permission list first; ad SDKs and stores show the six download elements: app name, version, developer, privacy policy, permission list and function description. This rule looks for each in download or install prompts (role download-prompt, or a window with a 下载/安装 button showing at least two of the elements) and reports the ones missing.',
    },
    fix: {
      zh: '在下载确认弹窗或下载页上展示应用名称、版本号、开发者名称，并提供可点击查看的隐私政策、权限列表（及用途）和功能介绍；使用广告 SDK 时开启其下载合规弹窗（六要素）配置。',
      en: 'Show the app name, version and developer on the download confirmation or page, with links to the privacy policy, the permission list (with purposes) and the function description; with an ad SDK, turn on its compliant download dialog (six elements).',
    },
    messages: {
      missingElements: {
        zh: '下载提示（快照 {id}{button}）缺少下载六要素中的：{missing}{shown}。',
        en: 'The download prompt in snapshot {id}{button} lacks {count} of the six download elements: {missing}{shown}.',
      },
    },
  },
  check({ evidence }) {
    const findings: FindingInput[] = [];
    for (const snapshot of evidence.ui?.snapshots ?? []) {
      if (!isDownloadPrompt(snapshot.root, snapshot.role)) continue;
      const { found, missing } = downloadElements(snapshot.root);
      if (missing.length === 0) continue;
      const names = (lang: 'zh' | 'en', list: readonly string[]) =>
        list.map((e) => ELEMENT_NAMES[e as keyof typeof ELEMENT_NAMES][lang]).join(lang === 'zh' ? '、' : ', ');
      const shown = DOWNLOAD_ELEMENTS.filter((e) => found.has(e));
      const shownText = (lang: 'zh' | 'en') =>
        shown
          .map((e) => `${ELEMENT_NAMES[e][lang]}${lang === 'zh' ? '' : ' '}${describeElement(found.get(e)!)}`)
          .join(lang === 'zh' ? '、' : ', ');
      const button = downloadButton(snapshot.root);
      findings.push({
        key: snapshot.id,
        // Measure 16 (review before listing) is the store's duty; an app's own prompt fails measure 1.
        messageId: 'missingElements',
        messageData: {
          id: snapshot.id,
          missing: { zh: names('zh', missing), en: names('en', missing) },
          button: { zh: button ? `，按钮${describeNode(button.node)}` : '', en: button ? ` (button ${describeNode(button.node)})` : '' },
          count: missing.length,
          shown: {
            zh: shown.length > 0 ? `（已展示：${shownText('zh')}）` : '',
            en: shown.length > 0 ? ` (shown: ${shownText('en')})` : '',
          },
        },
        evidence: [
          uiRef(snapshot.id, button?.node, `download prompt without ${missing.join(', ')}`),
          ...shown.map((e) => uiRef(snapshot.id, found.get(e)!.node, `${e}: ${describeElement(found.get(e)!)}`)),
        ],
        data: { snapshot: snapshot.id, missing, shown, detectedBy: snapshot.role === 'download-prompt' ? 'role' : 'content' },
      });
    }
    return findings;
  },
});
