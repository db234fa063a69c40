import { createHash } from 'node:crypto';
import type { ZipArchive } from '../zip/archive.js';
import type { ContentDigestKind } from './algorithms.js';
import { SIGNING_LIMITS } from './limits.js';

/**
 * The v2/v3 content digest: the APK minus its signing block is cut into three sections (entries,
 * central directory, end of central directory with its CD offset replaced by the signing block's
 * offset); each section into 1 MiB chunks. Each chunk is hashed as 0xa5 ‖ u32 length ‖ data, and the
 * result is the hash of 0x5a ‖ u32 chunk count ‖ chunk hashes. We stream the file one chunk at a time
 * through `archive.source.readTemporary` (one reused buffer) and feed every requested algorithm from the same read, so each
 * content digest is computed once per APK however many signers and schemes ask for it.
 */
export function computeContentDigests(
  archive: ZipArchive,
  signingBlockOffset: number,
  kinds: ReadonlySet<ContentDigestKind>,
): Map<ContentDigestKind, Uint8Array> {
  const algorithms = [...kinds].filter((k): k is 'CHUNKED_SHA256' | 'CHUNKED_SHA512' => k !== 'VERITY_CHUNKED_SHA256');
  const out = new Map<ContentDigestKind, Uint8Array>();
  if (algorithms.length === 0) return out;
  const { centralDirectoryOffset, eocdOffset } = archive.layout;
  const source = archive.source;
  const chunk = SIGNING_LIMITS.chunkSize;

  const eocd = new Uint8Array(source.read(eocdOffset, source.size - eocdOffset));
  new DataView(eocd.buffer, eocd.byteOffset, eocd.byteLength).setUint32(16, signingBlockOffset, true);
  // The central directory section runs to the EOCD (anything in between is covered too).
  const sections: { offset: number; length: number; bytes?: Uint8Array }[] = [
    { offset: 0, length: signingBlockOffset },
    { offset: centralDirectoryOffset, length: eocdOffset - centralDirectoryOffset },
    { offset: 0, length: eocd.byteLength, bytes: eocd },
  ];
  const chunkCount = sections.reduce((sum, s) => sum + Math.ceil(s.length / chunk), 0);
  const hashName = (k: ContentDigestKind) => (k === 'CHUNKED_SHA512' ? 'sha512' : 'sha256');
  const top = algorithms.map((k) => {
    const h = createHash(hashName(k));
    const head = Buffer.alloc(5);
    head[0] = 0x5a;
    head.writeUInt32LE(chunkCount, 1);
    h.update(head);
    return h;
  });
  const prefix = Buffer.alloc(5);
  prefix[0] = 0xa5;
  for (const section of sections) {
    for (let done = 0; done < section.length;) {
      const length = Math.min(chunk, section.length - done);
      const data = section.bytes ? section.bytes.subarray(done, done + length) : source.readTemporary(section.offset + done, length);
      prefix.writeUInt32LE(length, 1);
      for (let i = 0; i < algorithms.length; i++) {
        top[i]!.update(createHash(hashName(algorithms[i]!)).update(prefix).update(data).digest());
      }
      done += length;
    }
  }
  algorithms.forEach((k, i) => out.set(k, new Uint8Array(top[i]!.digest())));
  return out;
}
