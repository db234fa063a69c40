export { parseManifest, androidAttribute, expandClassName } from './parse.js';
// Every type of the manifest model is public; listing them again here would only drift.
export type * from './types.js';
