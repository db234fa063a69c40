// The platform's calendar: dates in Asia/Shanghai, working days from the State Council's notices,
// every workflow's time limit as data, and the injectable clock scheduled work reads time from.
export * from './dates.js';
export * from './calendar.js';
export * from './clocks.js';
export * from './clock.js';
export * from './store.js';
