/** Android package names as the recorder accepts them: `com.example.app`, at least two segments. */
export const PACKAGE_NAME = /^[A-Za-z]\w*(\.[A-Za-z]\w*)+$/;

export function isPackageName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && PACKAGE_NAME.test(value);
}

/** Throws when `value` is not a package name; the recorder never passes anything else to the device. */
export function assertPackageName(value: unknown): asserts value is string {
  if (!isPackageName(value)) throw new TypeError(`not an Android package name: ${JSON.stringify(String(value).slice(0, 100))}`);
}

/** adb device serials: `emulator-5554`, `R58M123ABC`, `192.168.1.20:5555`, `adb-XYZ._adb-tls-connect._tcp`. */
export const DEVICE_SERIAL = /^[\w.:@[\]-]{1,200}$/;

/**
 * What one argv entry of `adb shell` / `adb exec-out` may contain. adb joins those entries with
 * spaces and the device's `sh` reads the result, so an entry with a space, a quote, `;`, `$`, `*`,
 * `|` or `&` would become shell syntax there. The recorder only sends fixed words, numbers,
 * validated package and component names, and paths, so anything else is a bug and refused.
 */
export const SAFE_DEVICE_ARG = /^[\w@%+=:,./-]+$/;

/** Throws when a `shell`/`exec-out` command has an entry the device shell would read as syntax. */
export function assertSafeDeviceArgs(args: readonly string[]): void {
  if (args.length === 0) throw new TypeError('empty adb command');
  for (const arg of args) {
    if (typeof arg !== 'string') throw new TypeError('adb arguments must be strings');
    if (arg.includes('\0')) throw new TypeError('adb argument with a NUL character');
  }
  if (args[0] !== 'shell' && args[0] !== 'exec-out') return;
  for (const arg of args.slice(1)) {
    if (!SAFE_DEVICE_ARG.test(arg)) throw new TypeError(`refusing to pass ${JSON.stringify(arg.slice(0, 100))} to the device shell`);
  }
}
