export { parseElf, isElf, abiForMachine, abiMatchesFolder, EM, type ElfInfo, type ElfType, type ParseElfOptions } from './parse.js';
export {
  listNativeLibraries,
  KNOWN_ABIS,
  type NativeLibrary,
  type NativeAbiGroup,
  type NativeLibraryListing,
  type ListNativeLibrariesOptions,
} from './native-libs.js';
