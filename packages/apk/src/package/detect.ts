import type { ZipArchive } from '../zip/index.js';

/** `dex`: a bare DEX file (what d8 writes), read as the one DEX of a package with no manifest. */
export type PackageKind = 'apk' | 'jar' | 'aar' | 'dex';

/** Binary XML starts with RES_XML_TYPE (0x0003) and an 8-byte header; text XML starts with `<`. */
export function isBinaryXml(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 8 && bytes[0] === 0x03 && bytes[1] === 0x00 && bytes[2] === 0x08 && bytes[3] === 0x00;
}

/**
 * Decides what an archive is by its content, not its file name: uploads are often renamed.
 * An AAR has `classes.jar` and a text manifest; an APK has a manifest (binary XML) and usually dex;
 * anything else with class files or a JAR manifest is a JAR.
 */
export function detectPackageKind(archive: ZipArchive): PackageKind | undefined {
  if (archive.has('AndroidManifest.xml')) {
    if (archive.has('classes.jar') || archive.has('R.txt')) return 'aar';
    return 'apk';
  }
  if (archive.has('classes.jar')) return 'aar';
  if (archive.has('META-INF/MANIFEST.MF') || archive.entries.some((e) => e.name.endsWith('.class'))) return 'jar';
  if (archive.entries.some((e) => /^classes\d*\.dex$/.test(e.name))) return 'apk';
  return undefined;
}
