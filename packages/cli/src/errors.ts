/** A wrong flag value or configuration: exit code 2, the message says what to change. */
export class UsageError extends Error {}

/** adb, a device, the app or frida is missing: exit code 5, the message says what to install or connect. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}
