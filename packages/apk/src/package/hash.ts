import { createHash } from 'node:crypto';
import type { RandomAccessSource } from '../io/source.js';

/** SHA-256 of a whole file, streamed through the source's reused buffer. */
export function sha256Of(source: RandomAccessSource): string {
  const hash = createHash('sha256');
  const chunk = 1024 * 1024;
  for (let offset = 0; offset < source.size; offset += chunk) {
    hash.update(source.readTemporary(offset, Math.min(chunk, source.size - offset)));
  }
  return hash.digest('hex');
}
