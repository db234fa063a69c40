import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import {
  describeNode,
  type Lined,
  matchesAny,
  navigations,
  sensorReadings,
  snapshotAt,
  snapshotTimeline,
  traceRef,
  uiRef,
  userEvents,
  walk,
} from '../evidence/ui.js';
import type { NavigationEvent } from '@apprights/runtime';
import { UNKNOWN_TRIGGER_SETTLE } from '../evidence/trace.js';

const SHAKE_PROMPT = /摇一摇|摇动手机|晃动手机|摇晃手机|扭一扭|扭动手机|转动手机|shake/i;
/** Jumps a shake may cause without saying so (`trigger` missing or `app`/`unknown`): out of the app, or to a page. */
const UNTRIGGERED_JUMPS = new Set<NavigationEvent['action']>(['jump-app', 'jump-browser', 'jump-store', 'deeplink', 'page']);
/** User actions that explain a jump (a shake does not: it is what is being judged). */
const EXPLAINING = new Set(['tap', 'swipe', 'text', 'back', 'home', 'launch']);

const fmt = (n: number) => String(Math.round(n * 10) / 10);

export const uiShakeJump = defineRule({
  meta: {
    id: 'ui-shake-jump',
    measures: ['miit26-04', 'taf078-shake-thresholds'],
    evidence: ['ui'],
    severity: 'high',
    title: { zh: '「摇一摇」在阈值以下即触发跳转', en: 'Shake-to-jump fires below the T/TAF 078.7 thresholds' },
    description: {
      zh: '26 号文第 4 条禁止高灵敏度“摇一摇”误触跳转。T/TAF 078.7-2022 要求摇动触发跳转至少同时满足：设备加速度不小于 15 m/s²、转动角度不小于 35°、持续时间不少于 3 秒（或等效组合条件）。本规则在界面快照中找出“摇一摇”提示（提示信息）；提供运行轨迹时，检查由传感器触发（或无用户点击）的跳转之前的传感器读数，任一项低于阈值即报告违规并列出读数。',
      en: 'Measure 4 of the 2023 notice bans over-sensitive shake triggers. T/TAF 078.7-2022 requires a shake that triggers a jump to reach at least 15 m/s² acceleration, 35° rotation and 3 s duration together (or an equivalent combination). This rule lists shake prompts in UI snapshots (info); with a trace, it takes each jump triggered by the sensors (or with no user tap before it) and reports it when the sensor readings before it fall below any of the three thresholds, naming the readings.',
    },
    fix: {
      zh: '将摇一摇触发阈值提高到加速度 ≥15 m/s²、转动角度 ≥35°、持续 ≥3 秒（三者同时满足），并在广告上清楚提示动作及跳转结果；或在广告 SDK 配置中关闭摇一摇/扭一扭交互。',
      en: "Raise the shake trigger to at least 15 m/s², 35° and 3 s, all together, and state the gesture and where it leads on the advert; or turn shake/twist interactions off in the ad SDK's configuration.",
    },
    // The thresholds live in the catalogue with their source; read on first use.
    options: {
      accelerationMs2: { type: 'number', minimum: 0, default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.acceleration').value },
      rotationDegrees: { type: 'number', minimum: 0, default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.rotation').value },
      durationSeconds: { type: 'number', minimum: 0, default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.duration').value },
      sensorWindowMs: { type: 'number', minimum: 0, default: 5000 },
      tapWindowMs: { type: 'number', minimum: 0, default: 2000 },
    },
    messages: {
      prompt: {
        zh: '快照 {id} 显示摇一摇提示{label}：存在摇动触发的跳转，须验证触发阈值（≥{acceleration} m/s²、≥{rotation}°、≥{durationMs} 秒）。',
        en: 'Snapshot {id} shows the shake prompt {label}: a shake-triggered jump exists; verify its trigger (≥{acceleration} m/s², ≥{rotation}°, ≥{durationMs} s).',
      },
      noMotion: {
        zh: '跳转 {action} → {target}（第 {line} 行）{how}，但轨迹中没有之前 {sensorWindow} ms 内的传感器读数，无法判断是否达到摇一摇阈值。',
        en: 'The jump {action} → {target} (line {line}) was {how}, but the trace has no sensor readings in the {sensorWindow} ms before it, so the shake thresholds cannot be judged.',
      },
      weakShake: {
        zh: '跳转 {action} → {target}（第 {line} 行）{how}，之前 {sensorWindow} ms 内的动作未达到 T/TAF 078.7-2022 阈值：{below}。{unsure}',
        en: 'The jump {action} → {target} (line {line}) was {how} after motion below the T/TAF 078.7-2022 thresholds in the preceding {sensorWindow} ms: {below}.{unsure}',
      },
    },
  },
  check({ evidence, options }) {
    const acceleration = options.accelerationMs2;
    const rotation = options.rotationDegrees;
    const durationMs = options.durationSeconds * 1000;
    const sensorWindow = options.sensorWindowMs;
    const tapWindow = options.tapWindowMs;
    const thresholds = { accelerationMs2: acceleration, rotationDegrees: rotation, durationSeconds: durationMs / 1000 };
    const findings: FindingInput[] = [];
    const prompts = new Map<string, string>();
    for (const snapshot of evidence.ui?.snapshots ?? []) {
      // A prompt's words first; a `shake` resource id (an icon, a container) only when no text says it.
      const nodes = walk(snapshot.root);
      const prompt =
        nodes.find((l) => [l.node.text, l.node.contentDescription].some((t) => !!t && SHAKE_PROMPT.test(t))) ??
        nodes.find((l) => matchesAny(l.node, SHAKE_PROMPT));
      if (!prompt) continue;
      const label = describeNode(prompt.node);
      prompts.set(snapshot.id, label);
      findings.push({
        key: `prompt:${snapshot.id}`,
        severity: 'info',
        messageId: 'prompt',
        messageData: {
          id: snapshot.id,
          label,
          acceleration: fmt(acceleration),
          rotation: fmt(rotation),
          durationMs: fmt(durationMs / 1000),
        },
        evidence: [uiRef(snapshot.id, prompt.node, `shake prompt ${label}`)],
        data: { snapshot: snapshot.id, prompt: label, thresholds },
      });
    }
    const trace = evidence.trace;
    if (!trace) return findings;
    const timeline = snapshotTimeline(evidence);
    const users = userEvents(trace);
    const readings = sensorReadings(trace);
    for (const nav of navigations(trace)) {
      const bySensor = nav.trigger === 'sensor';
      if (!bySensor) {
        if (nav.trigger === 'user' || nav.trigger === 'push' || !UNTRIGGERED_JUMPS.has(nav.action)) continue;
        if (users.some((u) => EXPLAINING.has(u.action) && u.t <= nav.t && nav.t - u.t <= tapWindow)) continue;
      }
      const inWindow = (e: { t: number }) => e.t <= nav.t && nav.t - e.t <= sensorWindow;
      const sources: Lined<{ t: number; accelerationPeak?: number; rotationPeak?: number; durationMs?: number }>[] = [
        ...readings.filter(inWindow),
        ...users.filter((u) => u.action === 'shake' && inWindow(u)),
      ];
      if (!bySensor && sources.length === 0) continue;
      const peak = (key: 'accelerationPeak' | 'rotationPeak' | 'durationMs') => {
        const values = sources.map((s) => s[key]).filter((v): v is number => typeof v === 'number');
        return values.length > 0 ? values.reduce((max, v) => Math.max(max, v), -Infinity) : undefined;
      };
      const acc = peak('accelerationPeak');
      const rot = peak('rotationPeak');
      const dur = peak('durationMs');
      const shown = snapshotAt(timeline, nav.t);
      const refs: EvidenceRef[] = [
        traceRef(nav, `${nav.action} ${nav.target}${nav.trigger ? ` (trigger ${nav.trigger})` : ' (no trigger, no tap before it)'}`),
      ];
      for (const s of sources.slice(0, 5)) refs.push(traceRef(s, 'motion before the jump'));
      if (shown && prompts.has(shown.id)) refs.push(uiRef(shown.id, undefined, `shake prompt ${prompts.get(shown.id)!} shown`));
      const how = {
        zh: bySensor ? '由传感器触发' : '之前没有用户点击',
        en: bySensor ? 'triggered by the sensors' : 'with no user tap before it',
      };
      // One rule for unknown triggers (runtime-self-start says the same): with no trigger written,
      // the motion may or may not have caused the jump: lower confidence, and what would settle it.
      const unknownTrigger = !bySensor && nav.trigger !== 'app';
      const unsure = unknownTrigger
        ? { zh: `置信度低：${UNKNOWN_TRIGGER_SETTLE.zh}。`, en: ` Low confidence: ${UNKNOWN_TRIGGER_SETTLE.en}.` }
        : { zh: '', en: '' };
      if (acc === undefined && rot === undefined && dur === undefined) {
        findings.push({
          key: `jump:${nav.action}:${nav.target}`,
          severity: 'low',
          messageId: 'noMotion',
          messageData: { action: nav.action, target: nav.target, line: nav.line, how, sensorWindow },
          evidence: refs,
          data: { jump: { action: nav.action, target: nav.target, trigger: nav.trigger ?? null }, readings: null, thresholds },
        });
        continue;
      }
      const below: { zh: string; en: string }[] = [];
      if (acc !== undefined && acc < acceleration)
        below.push({
          zh: `加速度峰值 ${fmt(acc)} m/s² < ${fmt(acceleration)}`,
          en: `peak acceleration ${fmt(acc)} m/s² < ${fmt(acceleration)}`,
        });
      if (rot !== undefined && rot < rotation)
        below.push({ zh: `转动角度 ${fmt(rot)}° < ${fmt(rotation)}°`, en: `rotation ${fmt(rot)}° < ${fmt(rotation)}°` });
      if (dur !== undefined && dur < durationMs)
        below.push({
          zh: `持续 ${fmt(dur / 1000)} 秒 < ${fmt(durationMs / 1000)} 秒`,
          en: `duration ${fmt(dur / 1000)} s < ${fmt(durationMs / 1000)} s`,
        });
      if (below.length === 0) continue;
      const unknown = [
        acc === undefined ? 'acceleration' : '',
        rot === undefined ? 'rotation' : '',
        dur === undefined ? 'duration' : '',
      ].filter(Boolean);
      findings.push({
        key: `jump:${nav.action}:${nav.target}`,
        ...(unknownTrigger ? { severity: 'medium' as const } : {}),
        messageId: 'weakShake',
        messageData: {
          action: nav.action,
          target: nav.target,
          line: nav.line,
          how,
          sensorWindow,
          below: { zh: below.map((b) => b.zh).join('，'), en: below.map((b) => b.en).join(', ') },
          unsure,
        },
        evidence: refs,
        data: {
          jump: { action: nav.action, target: nav.target, trigger: nav.trigger ?? null },
          readings: { accelerationMs2: acc ?? null, rotationDegrees: rot ?? null, durationMs: dur ?? null },
          unknown,
          thresholds,
          trigger: unknownTrigger ? 'unknown' : (nav.trigger ?? null),
          confidence: unknownTrigger ? 'low' : 'high',
        },
      });
    }
    return findings;
  },
});
