import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { defineRule } from '../engine/define.js';
import { policyPassage, policyWhole } from '../evidence/policy.js';

/**
 * Calendar days that surely hold `workingDays` working days: five in every seven. Public holidays
 * can stretch a span further, so a promise in calendar days is judged in the policy's favour.
 */
export function calendarDaysFor(workingDays: number): number {
  return Math.ceil((workingDays * 7) / 5);
}

export const policyResponseTime = defineRule({
  meta: {
    id: 'policy-response-time',
    measures: ['miit26-12', 'cac2019-6.3', 'cac2019-6.5'],
    evidence: ['policy'],
    severity: 'medium',
    title: { zh: '隐私政策未承诺处理时限或时限过长', en: 'No response time promised, or one too long' },
    description: {
      zh: '26 号文要求在承诺时限内处理用户诉求。认定方法 6.3、6.5 以 15 个工作日为人工处理更正、删除、注销账号和投诉的最长时限（度量参数 complaint.maxWorkingDays）。本规则检查隐私政策是否承诺了答复时限，以及承诺是否超过该期限；以自然日表述的时限按每 7 天含 5 个工作日换算（15 个工作日约 21 个自然日），从宽判断。',
      en: 'The 2023 notice asks for user requests to be handled within the promised time. Scenarios 6.3 and 6.5 of the 2019 认定方法 set 15 working days as the longest time for staff to handle correction, deletion, account closure and complaints (catalogue parameter complaint.maxWorkingDays). This rule checks that the policy promises a response time and that the promise is within that limit; calendar days are converted at five working days per seven (15 working days ≈ 21 calendar days), in the policy’s favour.',
    },
    fix: {
      zh: '在隐私政策的“联系我们”或“您的权利”部分写明：收到请求或投诉后将在 15 个工作日内答复处理。',
      en: 'State in the "contact us" or "your rights" part of the policy that requests and complaints are answered within 15 working days.',
    },
    options: {
      // The catalogue's limit for handling requests and complaints (15 working days, 2019 认定方法 6.3/6.5).
      maxWorkingDays: {
        type: 'integer',
        minimum: 1,
        default: (knowledge: KnowledgeSnapshot) => knowledge.measures.parameter('complaint.maxWorkingDays').value,
      },
    },
    messages: {
      missing: {
        zh: '隐私政策未承诺答复用户请求或投诉的时限。认定方法在未承诺时按 {limit} 个工作日考核，应在政策中写明。',
        en: 'The privacy policy promises no time for answering requests or complaints. Without a promise the 2019 认定方法 applies {limit} working days; the policy should say so.',
      },
      tooLong: {
        zh: '隐私政策承诺在 {days} {unit}内答复（“{text}”），超过 {limit} 个工作日{workingDays}的期限。',
        en: 'The privacy policy promises an answer within {days} {unit} ("{text}"), more than the {limit}-working-day limit{workingDays}.',
      },
    },
  },
  check({ evidence, options }) {
    const policy = evidence.policy;
    const limit = options.maxWorkingDays;
    const calendarLimit = calendarDaysFor(limit);
    const promised = policy.responseTime;
    if (!promised) {
      return [
        {
          key: 'missing',
          severity: 'low',
          messageId: 'missing',
          messageData: { limit },
          evidence: [policyWhole(policy)],
          data: { limitWorkingDays: limit },
        },
      ];
    }
    const tooLong = promised.workingDays ? promised.days > limit : promised.days > calendarLimit;
    if (!tooLong) return [];
    const unit = promised.workingDays ? { zh: '个工作日', en: 'working days' } : { zh: '天', en: 'calendar days' };
    return [
      {
        key: 'too-long',
        messageId: 'tooLong',
        messageData: {
          days: promised.days,
          unit,
          text: promised.text,
          limit,
          workingDays: {
            zh: promised.workingDays ? '' : `（约 ${calendarLimit} 天）`,
            en: promised.workingDays ? '' : ` (about ${calendarLimit} calendar days)`,
          },
        },
        evidence: [policyPassage(policy, promised.start, promised.end)],
        data: { days: promised.days, workingDays: promised.workingDays, limitWorkingDays: limit, limitCalendarDays: calendarLimit },
      },
    ];
  },
});
