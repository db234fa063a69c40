/**
 * Shared fixture builders for the packages' tests (private: never published). The real APKs and
 * corpora are found here once; packages import these instead of reaching into another package's
 * test folder, which the lint rule forbids.
 */
export * from './fixtures.js';
export * from './zip-writer.js';
export * from './dex-writer.js';
export * from './axml-writer.js';
export * from './arsc-writer.js';
export * from './apk-signer.js';
export * from './apk-builder.js';
export * from './reach-fixture.js';
