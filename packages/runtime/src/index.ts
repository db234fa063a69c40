export * from './trace/types.js';
export * from './trace/kinds.js';
export * from './trace/read.js';
export * from './trace/timeline.js';
export * from './limits.js';
export * from './ui/read.js';
export * from './ui/query.js';
