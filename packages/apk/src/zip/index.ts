export { ZipArchive, isUnsafeName, METHOD_DEFLATED, METHOD_STORED } from './archive.js';
export type { ZipEntry, ZipIssue, ZipIssueKind, ZipLayout, ReadEntryOptions } from './archive.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './limits.js';
