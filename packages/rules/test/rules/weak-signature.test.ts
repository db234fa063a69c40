import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weakSignature } from '../../src/rules/weak-signature.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import type { CertificateSummary, PackageFacts, SchemeSummary, SignatureSummary } from '../../src/index.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(weakSignature, evidenceOf(facts));

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

test('weak-signature: a sound v1+v2+v3 release signature, and a JAR without one, give nothing', () => {
  assert.deepEqual(run(makeFacts({ signatures: signatures() })), []);
  assert.deepEqual(run(makeFacts({ signatures: null })), []);
});

test('weak-signature: v1-only signing below API 24 is Janus-prone', () => {
  const found = run(makeFacts({ signatures: signatures({}, { v1: true, v2: false, v3: false }) }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, `v1-only:${RELEASE}`);
  assert.equal(found[0]!.severity, undefined);
  assert.equal(found[0]!.messageId, 'v1Only');
  assert.deepEqual(found[0]!.evidence, [
    { kind: 'signature', artifact: null, scheme: 'v1', detail: 'only scheme present' },
    { kind: 'signature', artifact: null, certificate: RELEASE, detail: 'signer certificate' },
  ]);
  const modern = signatures({ minSdk: 24 }, { v1: true, v2: false, v3: false });
  assert.deepEqual(run(makeFacts({ signatures: modern })), []);
});

test('weak-signature: SHA-1 or MD5 certificate signatures are medium', () => {
  for (const algorithm of ['sha1WithRSAEncryption', 'dsaWithSHA1', 'md5WithRSAEncryption']) {
    const found = run(
      makeFacts({
        signatures: signatures({
          certificates: [cert({ signatureAlgorithm: algorithm, publicKey: { algorithm: 'EC', bits: 256, curve: 'prime256v1' } })],
        }),
      }),
    );
    assert.equal(found.length, 1, algorithm);
    assert.equal(found[0]!.key, `weak-digest:${RELEASE}`);
    assert.deepEqual(found[0]!.evidence, [
      { kind: 'signature', artifact: null, certificate: RELEASE, detail: `signatureAlgorithm=${algorithm}` },
    ]);
  }
  const strong = signatures({ certificates: [cert({ signatureAlgorithm: 'sha512WithRSAEncryption' })] });
  assert.deepEqual(run(makeFacts({ signatures: strong })), []);
});

test('weak-signature: RSA or DSA keys under 2048 bits are high; EC keys and unknown sizes are not judged', () => {
  for (const algorithm of ['RSA', 'DSA']) {
    const found = run(
      makeFacts({ signatures: signatures({ certificates: [cert({ publicKey: { algorithm, bits: 1024, curve: null } })] }) }),
    );
    assert.equal(found.length, 1, algorithm);
    assert.equal(found[0]!.key, `short-key:${RELEASE}`);
    assert.equal(found[0]!.severity, 'high');
    assert.deepEqual(found[0]!.evidence, [
      { kind: 'signature', artifact: null, certificate: RELEASE, detail: `publicKey=${algorithm} 1024 bits` },
    ]);
  }
  for (const publicKey of [
    { algorithm: 'RSA', bits: 2048, curve: null },
    { algorithm: 'EC', bits: 256, curve: 'prime256v1' },
    { algorithm: 'RSA', bits: null, curve: null },
  ]) {
    assert.deepEqual(run(makeFacts({ signatures: signatures({ certificates: [cert({ publicKey })] }) })), []);
  }
});

test('weak-signature: the Android debug certificate is high', () => {
  const debug = cert({ subject: 'CN=Android Debug, O=Android, C=US', sha256: 'd'.repeat(64) });
  const found = run(makeFacts({ signatures: signatures({ certificates: [debug] }) }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, `debug-certificate:${'d'.repeat(64)}`);
  assert.equal(found[0]!.severity, 'high');
  assert.equal(found[0]!.evidence[0]!.kind === 'signature' && found[0]!.evidence[0]!.certificate, 'd'.repeat(64));
  const lookalike = cert({ subject: 'CN=Android Debugger Tools Ltd, C=CN' });
  assert.deepEqual(run(makeFacts({ signatures: signatures({ certificates: [lookalike] }) })), []);
});

test('weak-signature: a signature that fails to verify is high and quotes the errors', () => {
  const found = run(makeFacts({ signatures: signatures({ verified: false, errors: ['v2 digest mismatch'] }) }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, `unverified:${RELEASE}`);
  assert.equal(found[0]!.severity, 'high');
  assert.equal(found[0]!.messageId, 'unverified');
  assert.match((found[0]!.messageData!.errors as { en: string }).en, /v2 digest mismatch/);
  assert.deepEqual(found[0]!.evidence[1], { kind: 'signature', artifact: null, certificate: RELEASE, detail: 'signer certificate' });
  const unsigned = run(makeFacts({ signatures: signatures({ verified: false, certificates: [] }, { v1: false, v2: false, v3: false }) }));
  assert.equal(unsigned.length, 1);
  assert.equal(unsigned[0]!.key, 'unverified:none');
});

test('weak-signature: problems are reported one by one', () => {
  const bad = cert({
    subject: 'CN=Android Debug, O=Android, C=US',
    signatureAlgorithm: 'sha1WithRSAEncryption',
    publicKey: { algorithm: 'RSA', bits: 1024, curve: null },
  });
  const found = run(makeFacts({ signatures: signatures({ certificates: [bad] }, { v1: true, v2: false, v3: false }) }));
  assert.deepEqual(found.map((f) => f.key.split(':')[0]).sort(), ['debug-certificate', 'short-key', 'v1-only', 'weak-digest']);
});
