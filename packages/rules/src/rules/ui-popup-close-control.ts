import { defineRule } from '../engine/define.js';
import { CLOSE_MESSAGES, CLOSE_OPTIONS, checkCloseControls } from '../evidence/ui-screens.js';
import { snapshotTimeline } from '../evidence/ui.js';

export const uiPopupCloseControl = defineRule({
  meta: {
    id: 'ui-popup-close-control',
    measures: ['miit26-04', 'miit2021-splash-close'],
    evidence: ['ui'],
    severity: 'medium',
    title: { zh: '弹窗缺少清晰有效的关闭按钮', en: 'Pop-up lacks a clear, working close control' },
    description: {
      zh: '26 号文第 4 条要求弹窗配有清晰、有效、容易点中的关闭按钮。本规则在界面快照中识别弹窗（记录器标注为 popup，或覆盖不足 90% 屏幕、带广告/推广图片或文字的对话框式窗口），查找关闭控件（×、关闭、close、iv_close、btn_close、取消等），并检查：是否存在、是否可见、是否可点击、点击区域是否不小于 48×48 dp、是否被挤在屏幕边缘；提供运行轨迹时，还检查点击后 1 秒内弹窗是否消失。',
      en: 'Measure 4 of the 2023 notice requires pop-ups to have a close control that is clear, works and is easy to hit. This rule finds pop-ups in UI snapshots (role popup, or a dialog-like window covering less than 90% of the screen with an advert or promotion image or text), finds the close control (×, 关闭, close, iv_close, btn_close, 取消…) and checks that it exists, is visible and clickable, has a tap area of at least 48×48 dp, and is not squeezed against the screen edge; with a trace, that the pop-up is gone within 1 s of tapping it.',
    },
    fix: {
      zh: '为弹窗提供明显的关闭按钮（×或「关闭」）：点击区域不小于 48×48 dp，与背景有足够对比，点击后立即关闭弹窗且不触发跳转。',
      en: 'Give the pop-up an obvious close button (× or 关闭) with a tap area of at least 48×48 dp and enough contrast, which closes the pop-up at once and opens nothing.',
    },
    options: CLOSE_OPTIONS,
    messages: CLOSE_MESSAGES,
  },
  check({ evidence, options }) {
    return checkCloseControls('popup', evidence, options, snapshotTimeline(evidence));
  },
});
