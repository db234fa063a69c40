import { defineRule } from '../engine/define.js';
import type { EvidenceRef, FindingInput } from '../engine/types.js';
import type { CertificateSummary } from '../evidence/package-facts.js';
import { isDebugCertificate } from '../evidence/queries.js';

const WEAK_DIGEST = /sha-?1(?!\d)|md5/i;
/** Below this, RSA and DSA keys are within reach of well-funded factoring or discrete-log attacks (NIST SP 800-57). */
const MIN_KEY_BITS = 2048;

function certRef(cert: CertificateSummary, detail: string): EvidenceRef {
  return { kind: 'signature', artifact: null, certificate: cert.sha256, detail };
}

/**
 * A signature that is missing, forgeable or made with a public debug key no longer proves who
 * published the app, so a tampered copy carrying extra data collection passes as the original.
 */
export const weakSignature = defineRule({
  meta: {
    id: 'weak-signature',
    measures: ['miit26-14'],
    evidence: ['apk'],
    appliesTo: ['apk'],
    severity: 'medium',
    title: { zh: '签名薄弱或无效', en: 'Weak or invalid signature' },
    description: {
      zh: 'APK 签名用于证明应用来自开发者且未被修改。签名校验失败、仅有 v1 签名、使用 SHA-1/MD5 或过短的密钥、使用调试证书时，攻击者更容易伪造或篡改应用（例如植入收集个人信息的代码）而不被发现。',
      en: 'The APK signature proves the app comes from its developer unmodified. A signature that fails to verify, v1-only signing, SHA-1/MD5 digests, short keys or a debug certificate make it easier to forge or tamper with the app (for instance to add code that collects personal information) without anyone noticing.',
    },
    fix: {
      zh: '使用 2048 位以上 RSA 或 EC 密钥的发布证书，以 apksigner 同时生成 v2/v3 签名（minSdk < 24 时保留 v1），签名摘要使用 SHA-256；发布前运行 apksigner verify。',
      en: 'Sign with a release certificate holding an RSA key of 2048 bits or more (or an EC key), produce v2/v3 signatures with apksigner (keep v1 while minSdk < 24), use SHA-256 digests, and run apksigner verify before release.',
    },
    messages: {
      unverified: {
        zh: 'APK 签名校验未通过{errors}。',
        en: 'The APK signature does not verify{errors}.',
      },
      v1Only: {
        zh: 'APK 仅有 v1（JAR）签名且支持 Android 7.0 以下（minSdk {minSdk}）；v1 签名不覆盖整个文件，可被篡改而不失效（Janus，CVE-2017-13156）。',
        en: 'The APK has only a v1 (JAR) signature and supports versions before Android 7.0 (minSdk {minSdk}); v1 signatures do not cover the whole file and can be altered without breaking (Janus, CVE-2017-13156).',
      },
      weakDigest: {
        zh: '证书 {subject} 使用已不安全的摘要算法 {algorithm}。',
        en: 'Certificate {subject} uses the broken digest algorithm {algorithm}.',
      },
      shortKey: {
        zh: '证书 {subject} 的 {keyAlgorithm} 密钥只有 {bits} 位（应不少于 {minBits} 位）。',
        en: 'Certificate {subject} has a {bits}-bit {keyAlgorithm} key ({minBits} bits or more are needed).',
      },
      debugCertificate: {
        zh: '应用使用 Android 调试证书签名（{subject}）；调试密钥随开发工具生成，无法证明发布者身份。',
        en: 'The app is signed with an Android debug certificate ({subject}); debug keys come from the build tools and prove nothing about the publisher.',
      },
    },
  },
  check({ evidence }) {
    const facts = evidence.package;
    const signatures = facts.signatures;
    // JARs and AARs carry no APK signature to judge.
    if (signatures === null) return [];
    const findings: FindingInput[] = [];
    const signer = signatures.certificates[0]?.sha256 ?? 'none';
    const signerRef = signatures.certificates[0] ? [certRef(signatures.certificates[0], 'signer certificate')] : [];

    if (!signatures.verified) {
      const errors = signatures.errors.slice(0, 3);
      findings.push({
        key: `unverified:${signer}`,
        severity: 'high',
        messageId: 'unverified',
        messageData: { errors: { zh: errors.length ? `：${errors.join('；')}` : '', en: errors.length ? `: ${errors.join('; ')}` : '' } },
        evidence: [{ kind: 'signature', artifact: null, detail: 'apksigner-style verification failed' }, ...signerRef],
        data: { errors: signatures.errors },
      });
    }

    const { details } = signatures;
    const minSdk = signatures.minSdk;
    if (details.v1.present && !details.v2.present && !details.v3.present && !details.v31.present && minSdk < 24) {
      findings.push({
        key: `v1-only:${signer}`,
        messageId: 'v1Only',
        messageData: { minSdk },
        evidence: [{ kind: 'signature', artifact: null, scheme: 'v1', detail: 'only scheme present' }, ...signerRef],
        data: { minSdk },
      });
    }

    for (const cert of signatures.certificates) {
      const algorithm = cert.signatureAlgorithm;
      if (algorithm !== null && WEAK_DIGEST.test(algorithm)) {
        findings.push({
          key: `weak-digest:${cert.sha256}`,
          messageId: 'weakDigest',
          messageData: { subject: cert.subject, algorithm },
          evidence: [certRef(cert, `signatureAlgorithm=${algorithm}`)],
          data: { signatureAlgorithm: algorithm, certificate: cert.sha256 },
        });
      }
      const { algorithm: keyAlgorithm, bits } = cert.publicKey;
      if ((keyAlgorithm === 'RSA' || keyAlgorithm === 'DSA') && bits !== null && bits < MIN_KEY_BITS) {
        findings.push({
          key: `short-key:${cert.sha256}`,
          severity: 'high',
          messageId: 'shortKey',
          messageData: { subject: cert.subject, keyAlgorithm, bits, minBits: MIN_KEY_BITS },
          evidence: [certRef(cert, `publicKey=${keyAlgorithm} ${bits} bits`)],
          data: { algorithm: keyAlgorithm, bits, certificate: cert.sha256 },
        });
      }
      if (isDebugCertificate(cert.subject)) {
        findings.push({
          key: `debug-certificate:${cert.sha256}`,
          severity: 'high',
          messageId: 'debugCertificate',
          messageData: { subject: cert.subject },
          evidence: [certRef(cert, `subject=${cert.subject}`)],
          data: { subject: cert.subject, certificate: cert.sha256 },
        });
      }
    }
    return findings;
  },
});
