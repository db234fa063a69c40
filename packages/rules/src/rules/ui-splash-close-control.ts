import { defineRule } from '../engine/define.js';
import { CLOSE_MESSAGES, CLOSE_OPTIONS, checkCloseControls } from '../evidence/ui-screens.js';
import { snapshotTimeline } from '../evidence/ui.js';

export const uiSplashCloseControl = defineRule({
  meta: {
    id: 'ui-splash-close-control',
    measures: ['miit26-04', 'miit2021-splash-close', 'samr2023-ad-art10', 'taf078-window-close'],
    evidence: ['ui'],
    severity: 'medium',
    title: { zh: '开屏页缺少清晰有效的关闭/跳过按钮', en: 'Splash screen lacks a clear, working close or skip control' },
    description: {
      zh: '26 号文第 4 条要求开屏窗口配有清晰、有效、容易点中的关闭按钮（“看得到、关得掉”）。本规则在界面快照中识别开屏页（记录器标注为 splash，或带有「跳过」「skip」倒计时的全屏窗口），查找跳过/关闭控件，并检查：是否存在、是否可见、是否可点击、是否被挤在屏幕边缘、是否禁用或只显示倒计时（《互联网广告管理办法》第十条第（一）项）；现行标准未规定关闭按钮的最小尺寸，因此只在配置了最小尺寸（如适老化版本的 44 dp）时判断大小，否则把测得的尺寸作为提示报告。提供运行轨迹时，还检查点击后 1 秒内开屏页是否消失、点击是否反而跳转（关闭标志虚假）、是否被忽略直到倒计时结束、是否须点击两次，以及关闭后是否在同一页面再次弹出（第十条第（一）至（四）项）。',
      en: 'Measure 4 of the 2023 notice requires splash windows to have a close control that is clear, works and is easy to hit. This rule finds splash screens in UI snapshots (role splash, or a full-screen window with a 跳过/skip countdown), finds the skip or close control and checks that it exists, is visible and clickable, is not squeezed against the screen edge, and is not disabled or a bare countdown (art. 10 (1) of the 2023 internet advertising rules); no standard publishes a minimum close-control size for apps in general, so the size is judged only against a configured minimum (44 dp for elderly-friendly versions) and otherwise reported as info. With a trace, it checks that the splash is gone within 1 s of tapping it, that the tap opens nothing (a false close mark), is not ignored until a countdown ends and needs no second tap, and that the splash does not come back on the same screen after closing (art. 10 (1)-(4)).',
    },
    fix: {
      zh: '为开屏页提供明显的「跳过」或「关闭」按钮：点击区域足够大（可参考 48×48 dp），远离屏幕边缘和状态栏，点击后立即关闭开屏页且不跳转到广告落地页；检查广告 SDK 的开屏配置，不要缩小或隐藏跳过按钮。',
      en: "Give the splash screen an obvious skip or close button with a tap area large enough to hit (48×48 dp is a good reference), away from the screen edge and status bar, that closes the splash at once without opening the advert's landing page; check the ad SDK's splash settings so the skip button is not shrunk or hidden.",
    },
    options: CLOSE_OPTIONS,
    messages: CLOSE_MESSAGES,
  },
  check({ evidence, options }) {
    return checkCloseControls('splash', evidence, options, snapshotTimeline(evidence));
  },
});
