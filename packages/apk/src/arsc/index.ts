/**
 * resources.arsc: our own defensive reader for the compiled resource table (no maintained npm library
 * parses it defensively), and Android-like value resolution for locales and densities.
 */
export {
  parseResourceTable,
  readResourceTable,
  ResourceTable,
  ResourcePackage,
  complexToFloat,
  TYPE_FLAG_SPARSE,
  TYPE_FLAG_OFFSET16,
  ENTRY_FLAG_COMPLEX,
  ENTRY_FLAG_PUBLIC,
  ENTRY_FLAG_WEAK,
  ENTRY_FLAG_COMPACT,
  type ResourceEntry,
  type ResourceBag,
  type ResolvedResource,
  type UnresolvedReference,
  type UnresolvedReason,
  type ResourceFile,
  type LocalizedStrings,
  type ParseResourceTableOptions,
} from './table.js';
export {
  StringPool,
  STRING_POOL_UTF8,
  STRING_POOL_SORTED,
  type StringPoolChunk,
  type StringPoolOptions,
} from '../resources/string-pool.js';
export { ChunkType, chunkName } from './chunks.js';
export { configLocale, configQualifiers, emptyConfig, packCode, Density, type ResTableConfig } from './config.js';
export { parseLocale, type ResolveOptions, type ParsedLocale } from './select.js';
export { DEFAULT_ARSC_LIMITS, type ArscLimits } from './limits.js';
