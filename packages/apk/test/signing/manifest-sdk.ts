import { ZipArchive } from '../../src/zip/index.js';

/**
 * Test-only fallback: pulls minSdkVersion, targetSdkVersion and targetSandboxVersion out of a binary
 * AndroidManifest.xml by resource ID, so the oracle test can pass apksigner's defaults without the
 * real manifest parser (another package) or `aapt` (which refuses some of the corpus APKs).
 */
const MIN_SDK = 0x0101020c;
const TARGET_SDK = 0x01010270;
const TARGET_SANDBOX = 0x0101054c;

export interface ManifestSdk {
  minSdk: number;
  targetSdk?: number;
  targetSandboxVersion?: number;
}

export function manifestSdk(archive: ZipArchive): ManifestSdk | undefined {
  const entry = archive.get('AndroidManifest.xml');
  if (!entry) return undefined;
  let xml: Uint8Array;
  try {
    xml = archive.read(entry);
  } catch {
    return undefined;
  }
  const view = new DataView(xml.buffer, xml.byteOffset, xml.byteLength);
  const out: ManifestSdk = { minSdk: 1 };
  let resourceIds: number[] = [];
  let p = 8;
  while (p + 8 <= xml.length) {
    const type = view.getUint16(p, true);
    const headerSize = view.getUint16(p + 2, true);
    const size = view.getUint32(p + 4, true);
    if (size < 8 || p + size > xml.length) break;
    if (type === 0x0180) {
      resourceIds = [];
      for (let q = p + headerSize; q + 4 <= p + size; q += 4) resourceIds.push(view.getUint32(q, true));
    } else if (type === 0x0102 && p + 36 <= xml.length) {
      const attrStart = view.getUint16(p + 24, true);
      const attrSize = view.getUint16(p + 26, true);
      const count = view.getUint16(p + 28, true);
      for (let i = 0; i < count; i++) {
        const a = p + 16 + attrStart + i * attrSize;
        if (a + 20 > p + size) break;
        const id = resourceIds[view.getUint32(a + 4, true)];
        const dataType = view.getUint8(a + 15);
        const data = view.getInt32(a + 16, true);
        if (dataType < 0x10 || dataType > 0x1f) continue;
        if (id === MIN_SDK) out.minSdk = data;
        else if (id === TARGET_SDK) out.targetSdk = data;
        else if (id === TARGET_SANDBOX) out.targetSandboxVersion = data;
      }
    }
    p += size;
  }
  return out;
}
