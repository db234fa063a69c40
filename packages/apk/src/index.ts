export { ApkFormatError, type ApkErrorCode } from './errors.js';
export { ByteReader, toHex, bytesEqual } from './io/bytes.js';
export { BufferSource, FileSource, type RandomAccessSource } from './io/source.js';
export * from './zip/index.js';
export * from './resources/res-value.js';
export * from './axml/index.js';
export * from './manifest/index.js';
