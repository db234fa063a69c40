import { createRequire } from 'node:module';

/**
 * The X.509/CMS schemas (@peculiar/asn1-*) are loaded on first use, synchronously through require:
 * they take longer to load than the rest of this library, and a process that never looks at a
 * certificate (the scan's main thread, which verifies signatures in a worker) should not pay for it.
 * The CMS schemas are needed only for v1 (JAR) signatures.
 */
type Schema = typeof import('@peculiar/asn1-schema');
type X509 = typeof import('@peculiar/asn1-x509');
type Cms = typeof import('@peculiar/asn1-cms');

const load = createRequire(import.meta.url);
let x509Loaded: { schema: Schema; x509: X509 } | undefined;
let cmsLoaded: Cms | undefined;

export function asn1(): { schema: Schema; x509: X509 } {
  x509Loaded ??= { schema: load('@peculiar/asn1-schema') as Schema, x509: load('@peculiar/asn1-x509') as X509 };
  return x509Loaded;
}

export function asn1Cms(): { schema: Schema; cms: Cms } {
  cmsLoaded ??= load('@peculiar/asn1-cms') as Cms;
  return { schema: asn1().schema, cms: cmsLoaded };
}
