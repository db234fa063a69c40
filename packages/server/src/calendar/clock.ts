import { shanghaiDate, shanghaiMidnight, type PlainDate } from './dates.js';

// Time for scheduled work (deadlines, reminders, re-tests) comes from a Clock passed in, never from
// Date.now() inside the workflow: production passes the system clock, tests a TestClock they move
// forward by days, so "15 working days later" is a test that runs in milliseconds.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Today's date in Asia/Shanghai by this clock (the date every deadline is counted from). */
export function today(clock: Clock): PlainDate {
  return shanghaiDate(clock.now());
}

/** A clock that stands still until a test moves it. Time never goes backwards. */
export class TestClock implements Clock {
  private current: number;

  /** Starts at an instant, or at 09:00 Asia/Shanghai of a date. */
  constructor(start: number | PlainDate = Date.UTC(2025, 0, 2, 1)) {
    this.current = typeof start === 'number' ? start : shanghaiMidnight(start) + 9 * 3_600_000;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a test clock only moves forward (got ${ms} ms)`);
    this.current += ms;
    return this.current;
  }

  advanceDays(days: number): number {
    return this.advance(days * 86_400_000);
  }

  /** Jumps to the same time of day (Asia/Shanghai) on `date`, which must not be in the past. */
  jumpTo(date: PlainDate): number {
    const timeOfDay = this.current - shanghaiMidnight(shanghaiDate(this.current));
    return this.advance(shanghaiMidnight(date) + timeOfDay - this.current);
  }
}
