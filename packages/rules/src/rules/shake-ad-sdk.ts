import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { defineRule } from '../engine/define.js';
import type { FindingInput } from '../engine/types.js';
import { codeRef } from '../evidence/queries.js';

const SENSOR_APIS = new Set(['sensorManager.registerListener', 'sensorManager.getDefaultSensor']);

export const shakeAdSdk = defineRule({
  meta: {
    id: 'shake-ad-sdk',
    measures: ['miit26-04'],
    evidence: ['apk'],
    severity: 'medium',
    title: { zh: '广告 SDK 具备「摇一摇」能力', en: 'Ad SDK can react to shaking' },
    description: {
      zh: '广告 SDK 的代码注册了加速度计/陀螺仪监听，可能用于「摇一摇」跳转。26 号文禁止高灵敏度摇一摇误触跳转；T/TAF 078.7-2022 给出的参考阈值为加速度不小于 15 m/s²、转动角度不小于 35°、持续不少于 3 秒。静态分析只能发现这种能力，须在运行时注入低于阈值的动作验证不会跳转。',
      en: 'Ad SDK code registers accelerometer or gyroscope listeners, as used for "shake to open" ads. The 2023 notice forbids over-sensitive shake triggers; T/TAF 078.7-2022 suggests at least 15 m/s² acceleration, 35° rotation and 3 s duration. Static analysis only shows the capability: verify at runtime that motion below those thresholds never opens anything.',
    },
    fix: {
      zh: '在广告 SDK 配置中关闭摇一摇或扭一扭交互，或确认其触发阈值不低于 15 m/s²、35°、3 秒，并在广告上明确提示触发动作与结果。',
      en: "Turn shake/twist interactions off in the ad SDK's configuration, or make sure its trigger needs at least 15 m/s², 35° and 3 s, and that the ad states the action and its result.",
    },
    // The catalogue holds the thresholds with their source (T/TAF 078.7-2022); config may override
    // them. The defaults are read from the snapshot the rule runs with.
    options: {
      accelerationMs2: {
        type: 'number',
        exclusiveMinimum: 0,
        default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.acceleration').value,
      },
      rotationDegrees: {
        type: 'number',
        exclusiveMinimum: 0,
        default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.rotation').value,
      },
      durationSeconds: {
        type: 'number',
        exclusiveMinimum: 0,
        default: (k: KnowledgeSnapshot) => k.measures.parameter('shake.duration').value,
      },
    },
    messages: {
      motionSensors: {
        zh: '广告 SDK {name} 的代码监听运动传感器，需在运行时验证摇一摇阈值（≥{accelerationMs2} m/s²、≥{rotationDegrees}°、≥{durationSeconds} 秒）。',
        en: 'Ad SDK {name} listens to motion sensors; verify its shake trigger at runtime (≥{accelerationMs2} m/s², ≥{rotationDegrees}°, ≥{durationSeconds} s).',
      },
    },
  },
  check({ evidence, options }) {
    const facts = evidence.package;
    const adSdks = new Map(facts.sdks.filter((s) => s.category === 'ads').map((s) => [s.id, s]));
    if (adSdks.size === 0) return [];
    const findings: FindingInput[] = [];
    for (const [id, sdk] of adSdks) {
      const refs = facts.sensitiveApis.flatMap((use) =>
        SENSOR_APIS.has(use.api) ? use.callers.filter((c) => c.sdk === id).map((c) => codeRef(use, c)) : [],
      );
      if (refs.length === 0) continue;
      findings.push({
        key: id,
        messageId: 'motionSensors',
        messageData: {
          name: sdk.name,
          accelerationMs2: options.accelerationMs2,
          rotationDegrees: options.rotationDegrees,
          durationSeconds: options.durationSeconds,
        },
        evidence: [{ kind: 'sdk', sdk: id, name: sdk.name.en, version: sdk.version }, ...refs.slice(0, 10)],
        data: { sdk: id, thresholds: options, needs: ['trace', 'ui'] },
      });
    }
    return findings;
  },
});
