import { weakSignature } from '../../src/rules/weak-signature.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import type { CertificateSummary, SchemeSummary, SignatureSummary } from '../../src/index.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const RELEASE = 'a'.repeat(64);

function cert(patch: Partial<CertificateSummary> = {}): CertificateSummary {
  return {
    subject: 'CN=Example Release, O=Example, C=CN',
    issuer: 'CN=Example Release, O=Example, C=CN',
    serialNumber: '1',
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2050-01-01T00:00:00.000Z',
    sha256: RELEASE,
    sha1: 'b'.repeat(40),
    publicKey: { algorithm: 'RSA', bits: 4096, curve: null },
    signatureAlgorithm: 'sha256WithRSAEncryption',
    ...patch,
  };
}

function scheme(present: boolean): SchemeSummary {
  return { present, verified: present, skipped: null, errors: [], warnings: [] };
}

function signatures(patch: Partial<SignatureSummary> = {}, present = { v1: true, v2: true, v3: true }): SignatureSummary {
  return {
    verified: true,
    schemes: { v1: present.v1, v2: present.v2, v3: present.v3, v31: false },
    details: { v1: scheme(present.v1), v2: scheme(present.v2), v3: scheme(present.v3), v31: scheme(false) },
    certificates: [cert()],
    minSdk: 21,
    errors: [],
    warnings: [],
    ...patch,
  };
}

const signed = (s: SignatureSummary | null) => evidenceOf(makeFacts({ signatures: s }));
const withCert = (patch: Partial<CertificateSummary>) => signed(signatures({ certificates: [cert(patch)] }));
const V1_ONLY = { v1: true, v2: false, v3: false };
const signer = { kind: 'signature', artifact: null, certificate: RELEASE, detail: 'signer certificate' } as const;
const certDetail = (detail: string, sha256 = RELEASE) => ({ kind: 'signature', artifact: null, certificate: sha256, detail }) as const;
const DEBUG = 'd'.repeat(64);

new RuleTester().run(weakSignature, {
  valid: [
    { name: 'a sound v1+v2+v3 release signature', evidence: signed(signatures()) },
    { name: 'a JAR without a signature', evidence: signed(null) },
    { name: 'v1-only signing from API 24', evidence: signed(signatures({ minSdk: 24 }, V1_ONLY)) },
    { name: 'a SHA-512 certificate signature', evidence: withCert({ signatureAlgorithm: 'sha512WithRSAEncryption' }) },
    { name: 'a 2048-bit RSA key', evidence: withCert({ publicKey: { algorithm: 'RSA', bits: 2048, curve: null } }) },
    { name: 'an EC key is not judged by size', evidence: withCert({ publicKey: { algorithm: 'EC', bits: 256, curve: 'prime256v1' } }) },
    { name: 'a key of unknown size is not judged', evidence: withCert({ publicKey: { algorithm: 'RSA', bits: null, curve: null } }) },
    { name: 'a look-alike of the debug certificate', evidence: withCert({ subject: 'CN=Android Debugger Tools Ltd, C=CN' }) },
  ],
  invalid: [
    {
      name: 'v1-only signing below API 24 is Janus-prone',
      evidence: signed(signatures({}, V1_ONLY)),
      findings: [
        {
          messageId: 'v1Only',
          data: { minSdk: 21 },
          key: `v1-only:${RELEASE}`,
          severity: 'medium',
          evidence: [{ kind: 'signature', artifact: null, scheme: 'v1', detail: 'only scheme present' }, signer],
        },
      ],
    },
    ...['sha1WithRSAEncryption', 'dsaWithSHA1', 'md5WithRSAEncryption'].map((algorithm) => ({
      name: `a ${algorithm} certificate signature is medium`,
      evidence: withCert({ signatureAlgorithm: algorithm, publicKey: { algorithm: 'EC', bits: 256, curve: 'prime256v1' } }),
      findings: [
        {
          messageId: 'weakDigest',
          data: { subject: 'CN=Example Release, O=Example, C=CN', algorithm },
          key: `weak-digest:${RELEASE}`,
          severity: 'medium' as const,
          evidence: [certDetail(`signatureAlgorithm=${algorithm}`)],
        },
      ],
    })),
    ...['RSA', 'DSA'].map((algorithm) => ({
      name: `a 1024-bit ${algorithm} key is high`,
      evidence: withCert({ publicKey: { algorithm, bits: 1024, curve: null } }),
      findings: [
        {
          messageId: 'shortKey',
          data: { subject: 'CN=Example Release, O=Example, C=CN', keyAlgorithm: algorithm, bits: 1024, minBits: 2048 },
          key: `short-key:${RELEASE}`,
          severity: 'high' as const,
          evidence: [certDetail(`publicKey=${algorithm} 1024 bits`)],
        },
      ],
    })),
    {
      name: 'the Android debug certificate is high',
      evidence: withCert({ subject: 'CN=Android Debug, O=Android, C=US', sha256: DEBUG }),
      findings: [
        {
          messageId: 'debugCertificate',
          data: { subject: 'CN=Android Debug, O=Android, C=US' },
          key: `debug-certificate:${DEBUG}`,
          severity: 'high',
          evidence: [certDetail('subject=CN=Android Debug, O=Android, C=US', DEBUG)],
        },
      ],
    },
    {
      name: 'a signature that fails to verify is high and carries the errors',
      evidence: signed(signatures({ verified: false, errors: ['v2 digest mismatch'] })),
      findings: [
        {
          messageId: 'unverified',
          data: { errors: { zh: '：v2 digest mismatch', en: ': v2 digest mismatch' } },
          key: `unverified:${RELEASE}`,
          severity: 'high',
          facts: { errors: ['v2 digest mismatch'] },
          evidence: [{ kind: 'signature', artifact: null, detail: 'apksigner-style verification failed' }, signer],
        },
      ],
    },
    {
      name: 'an unsigned package fails to verify without a certificate',
      evidence: signed(signatures({ verified: false, certificates: [] }, { v1: false, v2: false, v3: false })),
      findings: [{ messageId: 'unverified', data: { errors: { zh: '', en: '' } }, key: 'unverified:none', severity: 'high' }],
    },
    {
      name: 'problems are reported one by one',
      evidence: signed(
        signatures(
          {
            certificates: [
              cert({
                subject: 'CN=Android Debug, O=Android, C=US',
                signatureAlgorithm: 'sha1WithRSAEncryption',
                publicKey: { algorithm: 'RSA', bits: 1024, curve: null },
              }),
            ],
          },
          V1_ONLY,
        ),
      ),
      findings: [
        {
          messageId: 'shortKey',
          data: { subject: 'CN=Android Debug, O=Android, C=US', keyAlgorithm: 'RSA', bits: 1024, minBits: 2048 },
          key: `short-key:${RELEASE}`,
        },
        { messageId: 'debugCertificate', data: { subject: 'CN=Android Debug, O=Android, C=US' }, key: `debug-certificate:${RELEASE}` },
        { messageId: 'v1Only', data: { minSdk: 21 }, key: `v1-only:${RELEASE}` },
        {
          messageId: 'weakDigest',
          data: { subject: 'CN=Android Debug, O=Android, C=US', algorithm: 'sha1WithRSAEncryption' },
          key: `weak-digest:${RELEASE}`,
        },
      ],
    },
  ],
});
