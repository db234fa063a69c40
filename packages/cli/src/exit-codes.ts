/**
 * Stable exit codes, documented in docs/cli.md. Scripts and CI gates rely on them: never renumber.
 */
export const ExitCode = {
  /** Everything asked for was done; for `verify`, every file verified. */
  ok: 0,
  /** The command ran, and its answer is "no": a signature does not verify. */
  failed: 1,
  /** The command line was wrong (unknown option, missing file argument). */
  usage: 2,
  /** An input file could not be read as what it claims to be (not an APK, corrupt DEX, ...). */
  badInput: 3,
  /** The output (`-o FILE`) could not be written. */
  cannotWrite: 4,
  /**
   * The environment lacks something the command needs: a tool (adb, the frida package), a connected
   * and authorised device, or the app on it (`record`). The message says what to install or connect.
   */
  environment: 5,
  /** A bug in AppRights: please report it with the file that caused it. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
