export * from './trace/types.js';
