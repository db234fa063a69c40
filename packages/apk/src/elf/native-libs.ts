import { ApkFormatError, type ApkErrorCode } from '../errors.js';
import { METHOD_STORED, type ZipArchive } from '../zip/index.js';
import { abiMatchesFolder, isElf, parseElf, type ElfInfo } from './parse.js';

/** ABI folder names Android has defined (some long retired, still found in old SDKs). */
export const KNOWN_ABIS: ReadonlySet<string> = new Set([
  'armeabi',
  'armeabi-v7a',
  'arm64-v8a',
  'x86',
  'x86_64',
  'mips',
  'mips64',
  'riscv64',
]);

export interface NativeLibrary {
  /** The entry name: `lib/arm64-v8a/libfoo.so`. */
  path: string;
  /** `lib` in APKs, `jni` in AARs. */
  root: 'lib' | 'jni';
  /** The ABI folder name as found. */
  abi: string;
  fileName: string;
  /** Inflated size. */
  size: number;
  compressedSize: number;
  /** Stored uncompressed (what `extractNativeLibs="false"` needs). */
  stored: boolean;
  /** The folder is one of KNOWN_ABIS. */
  knownAbi: boolean;
  /** The file does not start with the ELF magic (or could not be read at all). */
  notElf: boolean;
  /** ELF whose machine or class does not fit the ABI folder (e.g. x86 code under `arm64-v8a/`). */
  abiMismatch: boolean;
  /** From the ELF header, e.g. `AArch64`. */
  machine: string | undefined;
  /** The ABI the ELF header says the code is for. */
  machineAbi: string | undefined;
  soname: string | undefined;
  needed: string[];
  /** The full ELF reading, when the file was ELF and readable. */
  elf?: ElfInfo;
  /** Why the file could not be read or parsed. */
  error?: { code: ApkErrorCode; message: string };
}

export interface NativeAbiGroup {
  root: 'lib' | 'jni';
  abi: string;
  libraries: NativeLibrary[];
}

export interface NativeLibraryListing {
  libraries: NativeLibrary[];
  /** The same libraries grouped by `root/abi`, in first-seen order. */
  byAbi: NativeAbiGroup[];
}

export interface ListNativeLibrariesOptions {
  /** Libraries above this inflated size are listed but not read (default 256 MiB). */
  maxLibrarySize?: number;
  /** Read .dynsym imports/exports for each library (default true). */
  symbols?: boolean;
}

const NATIVE_PATH = /^(lib|jni)\/([^/]+)\/([^/]+\.so)$/;

/**
 * Lists `lib/<abi>/*.so` (APK) and `jni/<abi>/*.so` (AAR) entries and reads each one's ELF header
 * and dynamic section. A library that cannot be read is still listed, with `error` set, so the
 * report shows everything the package ships.
 */
export function listNativeLibraries(archive: ZipArchive, options: ListNativeLibrariesOptions = {}): NativeLibraryListing {
  const maxSize = options.maxLibrarySize ?? 256 * 1024 ** 2;
  const libraries: NativeLibrary[] = [];
  const groups = new Map<string, NativeAbiGroup>();
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const match = NATIVE_PATH.exec(entry.name);
    if (!match) continue;
    const root = match[1] as 'lib' | 'jni';
    const abi = match[2]!;
    const library: NativeLibrary = {
      path: entry.name,
      root,
      abi,
      fileName: match[3]!,
      size: entry.uncompressedSize,
      compressedSize: entry.compressedSize,
      stored: entry.method === METHOD_STORED,
      knownAbi: KNOWN_ABIS.has(abi),
      notElf: false,
      abiMismatch: false,
      machine: undefined,
      machineAbi: undefined,
      soname: undefined,
      needed: [],
    };
    try {
      if (entry.uncompressedSize > maxSize) {
        throw new ApkFormatError('limit', `native library is ${entry.uncompressedSize} bytes, over the limit of ${maxSize}`, entry.name);
      }
      const bytes = archive.read(entry, { maxSize });
      if (!isElf(bytes)) {
        library.notElf = true;
      } else {
        const elf = parseElf(bytes, entry.name, { symbols: options.symbols ?? true });
        library.elf = elf;
        library.machine = elf.machineName;
        library.machineAbi = elf.abi;
        library.soname = elf.soname;
        library.needed = elf.needed;
        library.abiMismatch = library.knownAbi && !abiMatchesFolder(elf.abi, abi);
      }
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      library.error = { code: error.code, message: error.message };
      // An unreadable or unparseable file is not evidence of ELF either way; flag it for review.
      if (error.code !== 'elf-corrupt') library.notElf = true;
    }
    libraries.push(library);
    const key = `${root}/${abi}`;
    let group = groups.get(key);
    if (!group) {
      group = { root, abi, libraries: [] };
      groups.set(key, group);
    }
    group.libraries.push(library);
  }
  return { libraries, byAbi: [...groups.values()] };
}
