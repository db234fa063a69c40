export * from './document/types.js';
export { readPolicy, detectFormat, type ReadOptions } from './document/read.js';
