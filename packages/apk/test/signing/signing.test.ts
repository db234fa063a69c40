import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { BufferSource, type RandomAccessSource } from '../../src/io/source.js';
import { ZipArchive } from '../../src/zip/index.js';
import { findSigningBlock, parseJarManifest, verifyApkSignatures, type VerifyOptions } from '../../src/signing/index.js';
import {
  generateTestKey,
  insertSigningBlock,
  loadCorpusKey,
  sampleEntries,
  signApk,
  type SignOptions,
  type TestKey,
  skipWithoutCorpora,
  buildZip,
} from '@apprights/testkit';

const rsa = generateTestKey('rsa', 'AppRights RSA');
const ec = generateTestKey('ec', 'AppRights EC');
const ec2 = generateTestKey('ec', 'AppRights EC 2');
const dsa = generateTestKey('dsa', 'AppRights DSA');
const unsigned = buildZip(sampleEntries());

function verifyBytes(apk: Uint8Array, options: VerifyOptions) {
  return verifyApkSignatures(ZipArchive.fromBytes(apk), options);
}
function signed(options: SignOptions): Uint8Array {
  return signApk(unsigned, options);
}
function flags(r: ReturnType<typeof verifyBytes>): string {
  return (['v1', 'v2', 'v3'] as const).map((k) => `${k}:${r.schemes[k].checked ? (r.schemes[k].verified ? 'ok' : 'fail') : '-'}`).join(' ');
}

describe('JAR signing (v1)', () => {
  for (const [label, key, minSdk] of [
    ['RSA', rsa, 18],
    ['EC', ec, 18],
    ['DSA with SHA-256', dsa, 21],
  ] as [string, TestKey, number][]) {
    test(`${label} signature verifies`, () => {
      const r = verifyBytes(signed({ v1: true, keys: [key] }), { minSdk });
      assert.ok(r.verified, r.errors.join('\n'));
      assert.equal(flags(r), 'v1:ok v2:- v3:-');
      assert.equal(r.certificates[0]?.sha256, createHash('sha256').update(key.certificate).digest('hex'));
    });
  }

  test('a digest algorithm the oldest platform lacks is rejected with the API levels named', () => {
    const r = verifyBytes(signed({ v1: true, keys: [dsa] }), { minSdk: 18 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /not supported on API Level\(s\) 18-20/);
    // SHA-256 with RSA worked on 1-8, then again from 18 (Android 4.3).
    assert.match(verifyBytes(signed({ v1: true, keys: [rsa] }), { minSdk: 1 }).errors.join('\n'), /API Level\(s\) 9-17/);
  });

  test('signed attributes: rejected below API 19, verified from 19', () => {
    const apk = signed({ v1: { signedAttributes: true }, keys: [rsa] });
    assert.match(verifyBytes(apk, { minSdk: 18 }).errors.join('\n'), /Signed Attributes broken/);
    const r = verifyBytes(apk, { minSdk: 19 });
    assert.ok(r.verified, r.errors.join('\n'));
  });

  test('SHA-1 digests and two signers', () => {
    const r = verifyBytes(signed({ v1: { digest: 'SHA1' }, keys: [rsa, ec] }), { minSdk: 18 });
    assert.ok(r.verified, r.errors.join('\n'));
    assert.equal(r.schemes.v1.signers.length, 2);
    assert.equal(r.certificates.length, 2);
  });

  test('a modified entry fails the manifest digest', () => {
    const tampered = Buffer.from(signed({ v1: true, keys: [rsa] }));
    tampered[tampered.indexOf(Buffer.alloc(64, 7)) + 100] = 8;
    const r = verifyBytes(tampered, { minSdk: 18 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /SHA-256 digest of res\/raw\/big\.bin does not match/);
  });

  test('X-Android-APK-Signed naming v2 without a v2 signature is stripping', () => {
    const r = verifyBytes(signed({ v1: { apkSigned: '2' }, keys: [rsa] }), { minSdk: 18 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /Signature stripped\?/);
    // Before Android 7.0 the attribute means nothing.
    assert.ok(verifyBytes(signed({ v1: { apkSigned: '2' }, keys: [rsa] }), { minSdk: 18, maxSdk: 23 }).verified);
  });

  test('corpus key (AOSP rsa-2048) signs and verifies', { skip: skipWithoutCorpora }, () => {
    const key = loadCorpusKey('rsa-2048')!;
    const r = verifyBytes(signed({ v1: true, v2: true, keys: [key] }), { minSdk: 18 });
    assert.ok(r.verified, r.errors.join('\n'));
    assert.equal(r.certificates[0]?.subject, 'CN=rsa-2048');
  });
});

describe('APK Signature Scheme v2 / v3', () => {
  test('v2 alone needs minSdk ≥ 24, as on Android', () => {
    const apk = signed({ v2: true, keys: [ec] });
    assert.ok(verifyBytes(apk, { minSdk: 24 }).verified);
    const old = verifyBytes(apk, { minSdk: 23 });
    assert.equal(old.verified, false);
    assert.match(old.errors.join('\n'), /Missing META-INF\/MANIFEST\.MF/);
  });

  test('which schemes are checked follows minSdk', () => {
    const apk = signed({ v1: true, v2: true, v3: true, keys: [rsa] });
    assert.equal(flags(verifyBytes(apk, { minSdk: 18 })), 'v1:ok v2:ok v3:ok');
    const n = verifyBytes(apk, { minSdk: 24 });
    assert.equal(flags(n), 'v1:- v2:ok v3:ok');
    assert.match(n.schemes.v1.skipped ?? '', /not checked/);
    assert.equal(flags(verifyBytes(apk, { minSdk: 28 })), 'v1:- v2:- v3:ok');
    assert.equal(flags(verifyBytes(apk, { minSdk: 18, maxSdk: 23 })), 'v1:ok v2:- v3:-');
  });

  test('certificate details', () => {
    const r = verifyBytes(signed({ v2: true, keys: [rsa] }), { minSdk: 24 });
    const c = r.certificates[0]!;
    assert.equal(c.subject, 'CN=AppRights RSA');
    assert.equal(c.issuer, 'CN=AppRights RSA');
    assert.deepEqual(c.publicKey, { algorithm: 'RSA', bits: 2048 });
    assert.equal(c.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.equal(c.notBefore, '2020-01-01T00:00:00.000Z');
    assert.match(c.serialNumber, /^[0-9a-f]+$/);
    assert.equal(c.sha1, createHash('sha1').update(rsa.certificate).digest('hex'));
    const e = verifyBytes(signed({ v2: true, keys: [ec] }), { minSdk: 24 }).certificates[0]!;
    assert.deepEqual(e.publicKey, { algorithm: 'EC', curve: 'prime256v1' });
  });

  test('RSA-PSS, SHA-512 and several signatures per signer', () => {
    const apk = signed({ v2: { algorithms: [0x0101, 0x0102, 0x0103, 0x0104] }, keys: [rsa] });
    const r = verifyBytes(apk, { minSdk: 24 });
    assert.ok(r.verified, r.errors.join('\n'));
    // All four are supported from API 24, so the strongest (SHA-512 based) one is checked.
    assert.equal(r.schemes.v2.signers[0]!.algorithms.length, 1);
    assert.match(r.schemes.v2.signers[0]!.algorithms[0]!, /SHA512/);
    assert.ok(verifyBytes(signed({ v2: { algorithms: [0x0202] }, keys: [ec] }), { minSdk: 24 }).verified);
    assert.ok(verifyBytes(signed({ v3: { algorithms: [0x0301] }, keys: [dsa] }), { minSdk: 28 }).verified);
  });

  test('unknown signature algorithms are ignorable next to a supported one', () => {
    const ok = verifyBytes(signed({ v2: { algorithms: [0x9901, 0x0201] }, keys: [ec] }), { minSdk: 24 });
    assert.ok(ok.verified, ok.errors.join('\n'));
    assert.match(ok.warnings.join('\n'), /Unknown signature algorithm: 0x9901/);
    const bad = verifyBytes(signed({ v2: { algorithms: [0x9901] }, keys: [ec] }), { minSdk: 24 });
    assert.equal(bad.verified, false);
    assert.match(bad.errors.join('\n'), /No supported signatures/);
  });

  test('a modified byte anywhere outside the signing block fails the content digest', () => {
    const apk = Buffer.from(signed({ v2: true, v3: true, keys: [ec] }));
    const big = apk.indexOf(Buffer.alloc(64, 7));
    apk[big + 1000] = 8;
    const r = verifyBytes(apk, { minSdk: 24 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /CHUNKED_SHA256 digest mismatch/);
  });

  test('v2 stripping protection catches a removed v3 block', () => {
    const r = verifyBytes(signed({ v2: true, v3: true, keys: [ec], omitPairs: [0xf05368c0] }), { minSdk: 24 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /APK Signature Scheme v3 but no such signature was found/);
  });

  test('v3 proof-of-rotation lineage', () => {
    const apk = signed({ v1: true, v2: true, v3: { lineage: [rsa, ec] }, keys: [rsa] });
    const r = verifyBytes(apk, { minSdk: 18 });
    assert.ok(r.verified, r.errors.join('\n'));
    assert.deepEqual(
      r.lineage?.map((n) => n.certificate.subject),
      ['CN=AppRights RSA', 'CN=AppRights EC'],
    );
    assert.equal(r.certificates[0]?.subject, 'CN=AppRights EC');
    // The older schemes must be signed by the lineage's root.
    const wrongRoot = signApk(unsigned, { v2: true, v3: { lineage: [ec2, ec] }, keys: [rsa] });
    assert.equal(verifyBytes(wrongRoot, { minSdk: 24 }).verified, false);
  });

  test('v3 signer must match v2 when there is no lineage', () => {
    const a = Buffer.from(signed({ v2: true, keys: [rsa] }));
    const b = signed({ v3: true, keys: [ec] });
    const pairs = [
      ...findSigningBlock(ZipArchive.fromBytes(a)).block!.pairs,
      ...findSigningBlock(ZipArchive.fromBytes(b)).block!.pairs,
    ].map((p) => [p.id, p.value] as [number, Uint8Array]);
    const mixed = insertSigningBlock(unsigned, pairs);
    const r = verifyBytes(mixed, { minSdk: 24 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /does not match the v1\/v2 signer/);
  });

  test('v3 signers must cover every platform in range', () => {
    const apk = signed({ v3: { minSdk: 28, maxSdk: 30 }, keys: [ec] });
    assert.equal(verifyBytes(apk, { minSdk: 28 }).verified, false);
    assert.ok(verifyBytes(apk, { minSdk: 28, maxSdk: 30 }).verified);
  });

  test('more than 10 signers is rejected', () => {
    const keys = Array.from({ length: 11 }, () => ec);
    const r = verifyBytes(signed({ v2: true, keys }), { minSdk: 24 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /more than 10 signers/);
  });
});

describe('APK Signing Block layout', () => {
  const apk = signed({
    v2: true,
    keys: [ec],
    extraPairs: [
      [0x42726577, new Uint8Array(100)],
      [0x12345678, new Uint8Array(3)],
    ],
  });
  const block = findSigningBlock(ZipArchive.fromBytes(apk)).block!;

  test('pairs are listed with names; unknown pairs are ignored', () => {
    const r = verifyBytes(apk, { minSdk: 24 });
    assert.ok(r.verified);
    assert.deepEqual(
      r.signingBlock?.pairs.map((p) => p.name),
      ['APK Signature Scheme v2', 'verity padding', 'unknown 0x12345678'],
    );
  });

  test('wrong magic: the block is treated as absent', () => {
    const bad = Buffer.from(apk);
    bad[block.offset + block.size - 1] ^= 1;
    const r = verifyBytes(bad, { minSdk: 24 });
    assert.equal(r.schemes.v2.present, false);
    assert.equal(r.verified, false);
  });

  test('header and footer sizes must agree', () => {
    const bad = Buffer.from(apk);
    bad[block.offset] ^= 1;
    const r = verifyBytes(bad, { minSdk: 24 });
    assert.equal(r.schemes.v2.present, false);
    assert.match(r.warnings.join('\n'), /sizes in header and footer do not match/);
  });

  test('a pair length running past the block stops pair parsing', () => {
    const bad = Buffer.from(apk);
    const last = bad.indexOf(Buffer.from([0x78, 0x56, 0x34, 0x12]), block.offset);
    bad.writeBigUInt64LE(1n << 40n, last - 8);
    const r = verifyBytes(bad, { minSdk: 24 });
    assert.ok(r.verified, r.errors.join('\n'));
    assert.match(r.warnings.join('\n'), /pair #3 size out of range/);
  });
});

describe('platform requirements from the manifest', () => {
  test('missing AndroidManifest.xml', () => {
    const zip = buildZip(sampleEntries().filter((e) => e.name !== 'AndroidManifest.xml'));
    const r = verifyBytes(signApk(zip, { v2: true, keys: [ec] }), { minSdk: 24 });
    assert.equal(r.verified, false);
    assert.match(r.errors.join('\n'), /Missing AndroidManifest\.xml/);
  });
  test('targetSandboxVersion 2 and targetSdk 30 need v2 or newer', () => {
    const apk = signed({ v1: true, keys: [rsa] });
    assert.match(verifyBytes(apk, { minSdk: 18, targetSandboxVersion: 2 }).errors.join('\n'), /target sandbox version 2/);
    assert.match(verifyBytes(apk, { minSdk: 18, targetSdk: 30 }).errors.join('\n'), /Target SDK version 30 requires/);
    assert.ok(verifyBytes(apk, { minSdk: 18, targetSdk: 29 }).verified);
  });
});

describe('streaming and hostile input', () => {
  class SpySource implements RandomAccessSource {
    readonly size: number;
    reads: number[] = [];
    constructor(private readonly inner: BufferSource) {
      this.size = inner.size;
    }
    read(offset: number, length: number): Uint8Array {
      this.reads.push(length);
      return this.inner.read(offset, length);
    }
    readTemporary(offset: number, length: number): Uint8Array {
      return this.read(offset, length);
    }
    close(): void {}
  }

  test('content digests stream in 1 MiB reads, once for v2 and v3 together', () => {
    const big = buildZip([...sampleEntries(), { name: 'res/raw/huge.bin', data: Buffer.alloc(5 * 1024 * 1024, 3), method: 0 }]);
    const apk = signApk(big, { v2: true, v3: true, keys: [ec] });
    const spy = new SpySource(new BufferSource(apk));
    const archive = ZipArchive.fromSource(spy);
    spy.reads = [];
    const r = verifyApkSignatures(archive, { minSdk: 24 });
    assert.ok(r.verified);
    assert.ok(Math.max(...spy.reads) <= 1024 * 1024, `largest read ${Math.max(...spy.reads)}`);
    const total = spy.reads.reduce((a, b) => a + b, 0);
    assert.ok(total < apk.length * 1.1, `read ${total} bytes of ${apk.length}`);
  });
});

test('manifest parser: line endings, continuations and section offsets', () => {
  const text =
    'Manifest-Version: 1.0\r\nCreated-By: x\r\n\r\nName: a/very-long-na\r\n me.txt\r\nSHA-256-Digest: abc\n\nName: b\rSHA1-Digest: d\r\r';
  const m = parseJarManifest(Buffer.from(text), 100);
  assert.equal(m.main?.start, 0);
  assert.equal(m.main?.size, 'Manifest-Version: 1.0\r\nCreated-By: x\r\n\r\n'.length);
  assert.deepEqual(
    m.sections.map((s) => s.name),
    ['a/very-long-name.txt', 'b'],
  );
  assert.equal(m.sections[1]?.attributes[1]?.[1], 'd');
  assert.equal(m.sections[1]!.start + m.sections[1]!.size, text.length);
});
