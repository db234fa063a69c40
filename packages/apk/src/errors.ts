/**
 * Every problem found in an input file is reported as an ApkFormatError: a named, stable `code`
 * (for programs), a message that names the problem (for people) and, when known, the file inside the
 * archive it concerns. Parsers must never let a RangeError or TypeError escape for bad input: callers
 * (the CLI, the fuzz test) treat any other exception as a bug in AppRights, not in the APK.
 */
export type ApkErrorCode =
  | 'not-zip'
  | 'zip-corrupt'
  | 'zip-limit'
  /** Central directory records whose local data overlap (a "better zip bomb"); never in a real APK. */
  | 'zip-overlap'
  | 'zip-unsupported'
  | 'zip-encrypted'
  | 'not-apk'
  | 'axml-corrupt'
  | 'arsc-corrupt'
  | 'dex-corrupt'
  | 'class-corrupt'
  | 'elf-corrupt'
  | 'signature-corrupt'
  | 'image-corrupt'
  | 'limit'
  | 'io';

export class ApkFormatError extends Error {
  readonly code: ApkErrorCode;
  /** The path inside the archive the problem concerns (e.g. `classes3.dex`), when there is one. */
  readonly entry: string | undefined;

  constructor(code: ApkErrorCode, message: string, entry?: string) {
    super(entry ? `${message} (${entry})` : message);
    this.name = 'ApkFormatError';
    this.code = code;
    this.entry = entry;
  }

  /** Rebuilds an error sent from another thread (its message already names the entry). */
  static restore(sent: { code: ApkErrorCode; message: string; entry?: string }): ApkFormatError {
    const error = new ApkFormatError(sent.code, sent.message);
    (error as { entry: string | undefined }).entry = sent.entry;
    return error;
  }
}

/** Throws `new ApkFormatError(code, message, entry)` when `condition` is false. */
export function ensure(condition: unknown, code: ApkErrorCode, message: string | (() => string), entry?: string): asserts condition {
  if (!condition) {
    throw new ApkFormatError(code, typeof message === 'function' ? message() : message, entry);
  }
}

/**
 * Runs a parser step and converts stray low-level exceptions (RangeError from a DataView, a failed
 * TextDecoder, ...) into an ApkFormatError with the given code, so hostile input can never surface as
 * an unexplained crash.
 */
export function guarded<T>(code: ApkErrorCode, what: string, step: () => T, entry?: string): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ApkFormatError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApkFormatError(code, `${what}: ${detail}`, entry);
  }
}
