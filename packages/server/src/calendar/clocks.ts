import { checkDate, type PlainDate } from './dates.js';
import type { CountedDate, WorkingCalendar } from './calendar.js';

// Every time limit of the platform's workflows, as data: its length, its unit, which way it runs
// from its starting event, and the rule it comes from. Workflows ask `deadline(kind, start)` and
// never count days themselves, so a rule that changes is one entry here. Confidence follows the
// knowledge catalogue: C = read in the text or a faithful copy, P = from a secondary summary.

export type ClockUnit = 'working-days' | 'calendar-days';

export interface ClockSource {
  /** The instrument. */
  title: string;
  /** Where in it. */
  locator: string;
  confidence: 'C' | 'P';
  note?: string;
}

export interface ClockDefinition {
  amount: number;
  unit: ClockUnit;
  /** `after`: the deadline is `amount` after the event; `before`: the latest date `amount` before it. */
  direction: 'after' | 'before';
  /** The event the clock starts from (the `start` date given to `deadline`). */
  startsAt: string;
  /** Calendar-day clocks only: a deadline on a day off moves to the next working day (民法典 第二百零三条). */
  rollToWorkingDay?: boolean;
  en: string;
  zh: string;
  source: ClockSource;
}

export const CLOCKS = {
  'complaint-handling': {
    amount: 15,
    unit: 'working-days',
    direction: 'after',
    startsAt: 'the complaint is received (received state)',
    en: 'an app operator handles a personal-information complaint, correction or deletion request',
    zh: 'App 运营者处理个人信息投诉、更正或删除请求',
    source: {
      title: 'App违法违规收集使用个人信息行为认定方法（国信办秘字〔2019〕191号）',
      locator: 'scenarios 6.3 and 6.5 (承诺时限不超过15个工作日); knowledge catalogue parameter complaint.maxWorkingDays',
      confidence: 'P',
      note: 'The 15-working-day figure is corroborated; the scenario wording is from a secondary source (packages/knowledge/data/measures.json).',
    },
  },
  'operator-reply': {
    amount: 15,
    unit: 'calendar-days',
    direction: 'after',
    startsAt: 'the user complains to the telecom operator',
    en: 'the operator answers a user complaint before the user may appeal (申诉)',
    zh: '电信业务经营者答复用户投诉（逾期未答复用户可申诉）',
    source: {
      title: '电信用户申诉处理办法（工业和信息化部令第35号，2016）',
      locator: '第十条（四）：已经向被申诉人投诉且对其处理结果不满意或者其未在15日内答复',
      confidence: 'C',
    },
  },
  'appeal-acceptance': {
    amount: 5,
    unit: 'working-days',
    direction: 'after',
    startsAt: 'the 申诉受理机构 receives the appeal materials',
    en: 'the appeal body decides whether to accept an appeal',
    zh: '申诉受理机构作出受理或不予受理的决定',
    source: {
      title: '电信用户申诉处理办法（工业和信息化部令第35号，2016）',
      locator: '第十四条：自收到申诉材料之日起5个工作日内，作出受理或者不予受理的决定',
      confidence: 'C',
    },
  },
  mediation: {
    amount: 30,
    unit: 'calendar-days',
    direction: 'after',
    startsAt: 'the appeal is accepted',
    en: 'the appeal body concludes mediation of an accepted appeal',
    zh: '申诉受理机构对已受理申诉完成调解',
    source: {
      title: '电信用户申诉处理办法（工业和信息化部令第35号，2016）',
      locator: 'handling/mediation within 30 days (article number not retrieved)',
      confidence: 'P',
      note: 'From summaries (9m8m.com; shared/docs/platform.md §1.7); whether the 30 days run from acceptance or from receipt of complete materials is not settled there.',
    },
  },
  'renewal-reminder': {
    amount: 5,
    unit: 'calendar-days',
    direction: 'before',
    startsAt: 'the automatic renewal or charge',
    en: 'latest date for the reminder before an automatic renewal or charge',
    zh: '自动续费或扣款前提醒用户的最晚日期',
    source: {
      title: '工业和信息化部关于进一步提升移动互联网应用服务能力的通知（工信部信管函〔2023〕26号）',
      locator: 'Part 一 (二) 第7条 服务续期及时提醒: 每次自动续费或扣款前5日; knowledge catalogue parameter renewal.reminderDays',
      confidence: 'C',
    },
  },
} as const satisfies Record<string, ClockDefinition>;

export type ClockKind = keyof typeof CLOCKS;
export const CLOCK_KINDS = Object.keys(CLOCKS) as ClockKind[];

export interface Deadline extends CountedDate {
  kind: string;
  start: PlainDate;
  clock: ClockDefinition;
  /** The deadline lies after the calendar's coveredThrough (reported even when the date is exact). */
  beyondCoverage: boolean;
}

/**
 * The deadline of a clock started on `start` (a date in Asia/Shanghai). Working-day clocks count
 * from the day after `start` (see WorkingCalendar.addWorkingDays); a count through a year the data
 * lacks comes back `provisional: true`, computed by the weekend rule alone and never with guessed
 * holidays. That flag is the admin alert: the caller stores it with the deadline and shows it; this
 * function has no side effects.
 */
export function deadline(calendar: WorkingCalendar, kind: ClockKind | ClockDefinition, start: PlainDate): Deadline {
  const clock: ClockDefinition = typeof kind === 'string' ? CLOCKS[kind] : kind;
  if (!clock) throw new Error(`unknown clock ${String(kind)} / 未知时限 ${String(kind)}`);
  checkDate(start, 'start');
  let counted: CountedDate;
  if (clock.direction === 'before') {
    if (clock.unit !== 'calendar-days') throw new Error('a clock running backwards counts calendar days / 倒计时限须按自然日计算');
    counted = calendar.subtractCalendarDays(start, clock.amount);
  } else if (clock.unit === 'working-days') counted = calendar.addWorkingDays(start, clock.amount);
  else counted = calendar.addCalendarDays(start, clock.amount, { rollToWorkingDay: clock.rollToWorkingDay === true });
  return {
    ...counted,
    kind: typeof kind === 'string' ? kind : 'custom',
    start,
    clock,
    beyondCoverage: counted.date > calendar.coveredThrough,
  };
}
