import { defineRule } from '../engine/define.js';
import { CLOSE_MESSAGES, CLOSE_OPTIONS, checkCloseControls } from '../evidence/ui-screens.js';
import { snapshotTimeline } from '../evidence/ui.js';

export const uiPopupCloseControl = defineRule({
  meta: {
    id: 'ui-popup-close-control',
    measures: ['miit26-04', 'miit2021-splash-close', 'samr2023-ad-art10', 'taf078-window-close'],
    evidence: ['ui'],
    severity: 'medium',
    title: { zh: '弹窗缺少清晰有效的关闭按钮', en: 'Pop-up lacks a clear, working close control' },
    description: {
      zh: '26 号文第 4 条要求弹窗配有清晰、有效、容易点中的关闭按钮。本规则在界面快照中识别弹窗（记录器标注为 popup，或覆盖不足 90% 屏幕、带广告/推广图片或文字的对话框式窗口），查找关闭控件（×、关闭、close、iv_close、btn_close、取消等），并检查：是否存在、是否可见、是否可点击、是否被挤在屏幕边缘、是否禁用或只显示倒计时（《互联网广告管理办法》第十条第（一）项）；现行标准未规定关闭按钮的最小尺寸，因此只在配置了最小尺寸（如适老化版本的 44 dp）时判断大小，否则把测得的尺寸作为提示报告。提供运行轨迹时，还检查点击后 1 秒内弹窗是否消失、点击是否反而跳转（关闭标志虚假）、是否被忽略直到倒计时结束、是否须点击两次，以及关闭后是否在同一页面再次弹出（第十条第（一）至（四）项）。',
      en: 'Measure 4 of the 2023 notice requires pop-ups to have a close control that is clear, works and is easy to hit. This rule finds pop-ups in UI snapshots (role popup, or a dialog-like window covering less than 90% of the screen with an advert or promotion image or text), finds the close control (×, 关闭, close, iv_close, btn_close, 取消…) and checks that it exists, is visible and clickable, is not squeezed against the screen edge, and is not disabled or a bare countdown (art. 10 (1) of the 2023 internet advertising rules); no standard publishes a minimum close-control size for apps in general, so the size is judged only against a configured minimum (44 dp for elderly-friendly versions) and otherwise reported as info. With a trace, it checks that the pop-up is gone within 1 s of tapping it, that the tap opens nothing (a false close mark), is not ignored until a countdown ends and needs no second tap, and that the pop-up does not come back on the same screen after closing (art. 10 (1)-(4)).',
    },
    fix: {
      zh: '为弹窗提供明显的关闭按钮（×或「关闭」）：点击区域足够大（可参考 48×48 dp），与背景有足够对比，点击后立即关闭弹窗且不触发跳转。',
      en: 'Give the pop-up an obvious close button (× or 关闭) with a tap area large enough to hit (48×48 dp is a good reference) and enough contrast, which closes the pop-up at once and opens nothing.',
    },
    options: CLOSE_OPTIONS,
    messages: CLOSE_MESSAGES,
  },
  check({ evidence, options }) {
    return checkCloseControls('popup', evidence, options, snapshotTimeline(evidence));
  },
});
