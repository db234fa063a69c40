import type { RecorderLimits } from './limits.js';
import { shorten } from './limits.js';
import { PERMISSION_DIALOG_PACKAGES, type DialogButton } from './permission-dialog.js';
import { areaOf, centerOf, labelOf, readUiDump, screenOf, tapTarget, type DumpNode, type UiDump } from './xml.js';

/** Packages whose windows are never the app's privacy dialog. */
const SYSTEM_PACKAGES: ReadonlySet<string> = new Set([
  'android',
  'com.android.systemui',
  'com.android.launcher3',
  'com.google.android.apps.nexuslauncher',
  'com.miui.home',
  'com.huawei.android.launcher',
  'com.oppo.launcher',
  'com.bbk.launcher2',
  'com.sec.android.app.launcher',
  'com.android.inputmethod.latin',
  'com.google.android.inputmethod.latin',
  'com.sohu.inputmethod.sogou',
  'com.baidu.input',
  'com.iflytek.inputmethod',
  ...PERMISSION_DIALOG_PACKAGES,
]);

/** Names of the documents a first-run privacy dialog points to (zh and en). */
export const POLICY_TEXT =
  /隐私政策|隐私协议|隐私权政策|隐私保护|隐私条款|隐私声明|用户协议|服务协议|用户服务协议|使用协议|个人信息保护|个人信息处理规则|儿童个人信息|privacy policy|privacy notice|privacy statement|terms of (service|use)|user agreement|terms and conditions/i;

/** Agree buttons, matched whole after removing spaces and brackets. */
export const AGREE_TEXT =
  /^(同意|同意并继续|同意并进入|同意并使用|同意并开始使用|同意并授权|我同意|我已阅读并同意|已阅读并同意|阅读并同意|同意协议|同意并登录|接受|接受并继续|我知道了并同意|agree|iagree|agreeandcontinue|accept|acceptall|acceptandcontinue|agree&continue|continue)$/i;

/** Refuse buttons, matched the same way. */
export const REFUSE_TEXT =
  /^(不同意|不同意并退出|不同意并退出应用|暂不同意|暂不使用|拒绝|拒绝并退出|退出|退出应用|仅浏览|仅浏览模式|进入基本功能模式|基本功能模式|再想想|disagree|idisagree|decline|reject|refuse|donotagree|idonotagree|exit|notnow|quit)$/i;

const squeeze = (text: string) => text.replace(/[\s《》「」“”"'！!。.…]+/g, '');

export interface ConsentDialog {
  /** The app package whose window shows the dialog. */
  package: string;
  agree: DialogButton;
  refuse?: DialogButton;
  /** A consent checkbox ("我已阅读并同意…") and whether it is ticked already. */
  checkbox?: DialogButton & { checked: boolean };
  /** The texts naming the policy documents (shortened), as evidence. */
  policyTexts: string[];
}

export interface FindConsentOptions {
  /** The app under test: only its windows are searched (default: any non-system package). */
  package?: string;
  limits?: Partial<RecorderLimits>;
}

function buttonOf(dump: UiDump, node: DumpNode, screenArea: number): DialogButton | null {
  let target = tapTarget(dump, node, 3);
  // A clickable ancestor as large as the dialog would tap its middle, not the button.
  if (target !== node && screenArea > 0 && node.bounds && areaOf(target.bounds) > 0.25 * screenArea) target = node;
  const bounds = target.bounds ?? node.bounds;
  if (!bounds || bounds[2] <= bounds[0] || bounds[3] <= bounds[1]) return null;
  const button: DialogButton = { text: labelOf(node), bounds, center: centerOf(bounds) };
  const id = node.resourceId || target.resourceId;
  if (id) button.resourceId = id;
  return button;
}

const CHECKBOX_LABEL = /已阅读|同意|agree|have read/i;

/**
 * Finds the app's own privacy-policy dialog in a uiautomator dump: a window of the app that names
 * its privacy policy or user agreement (隐私政策, 用户协议, 个人信息保护指引, Privacy Policy, …) and
 * has an agree button (同意, 同意并继续, 我已阅读并同意, Agree, Accept, …); with the refuse button
 * (不同意, 暂不使用, 拒绝, Disagree, …) and a consent checkbox when there are. Null when there is none;
 * never throws.
 */
export function findConsentDialog(uiautomatorXml: unknown, options: FindConsentOptions = {}): ConsentDialog | null {
  const dump = readUiDump(uiautomatorXml, options.limits);
  const isApp = (n: DumpNode) =>
    n.packageName !== '' && (options.package !== undefined ? n.packageName === options.package : !SYSTEM_PACKAGES.has(n.packageName));
  const nodes = dump.nodes.filter(isApp);
  const policyNodes = nodes.filter((n) => POLICY_TEXT.test(n.text) || POLICY_TEXT.test(n.contentDesc));
  if (policyNodes.length === 0) return null;
  const pkg = policyNodes[0]!.packageName;
  const candidates = nodes.filter((n) => n.packageName === pkg && n.enabled);
  const screen = screenOf(dump);
  const screenArea = screen ? screen.width * screen.height : 0;
  const pick = (re: RegExp) => {
    const matches = candidates.filter((n) => {
      const label = labelOf(n);
      return label !== '' && label.length <= 24 && re.test(squeeze(label));
    });
    // the clickable one first, then the larger (a button rather than a word in it)
    matches.sort((a, b) => Number(b.clickable) - Number(a.clickable) || areaOf(b.bounds) - areaOf(a.bounds));
    for (const m of matches) {
      const button = buttonOf(dump, m, screenArea);
      if (button) return button;
    }
    return null;
  };
  const agree = pick(AGREE_TEXT);
  if (!agree) return null;
  const dialog: ConsentDialog = {
    package: pkg,
    agree,
    policyTexts: [...new Set(policyNodes.map((n) => shorten(labelOf(n), 120)))].slice(0, 5),
  };
  const refuse = pick(REFUSE_TEXT);
  if (refuse) dialog.refuse = refuse;
  // a consent checkbox: checkable, and its own label or a sibling's names the policy or the agreement
  const siblingsOf = new Map<number, DumpNode[]>();
  for (const n of candidates) {
    if (n.parent < 0) continue;
    const list = siblingsOf.get(n.parent);
    if (list) list.push(n);
    else siblingsOf.set(n.parent, [n]);
  }
  const box = candidates.find((n) => {
    if (!n.checkable) return false;
    const label = labelOf(n);
    if (POLICY_TEXT.test(label) || CHECKBOX_LABEL.test(label)) return true;
    return (siblingsOf.get(n.parent) ?? [])
      .slice(0, 50)
      .some((m) => m !== n && (POLICY_TEXT.test(labelOf(m)) || /已阅读|have read/i.test(labelOf(m))));
  });
  if (box) {
    const button = buttonOf(dump, box, screenArea);
    if (button) dialog.checkbox = { ...button, checked: box.checked };
  }
  return dialog;
}
