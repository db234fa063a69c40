/**
 * A configuration that cannot be used, naming the file and the setting. In a file of its own because
 * config.ts and options.ts (which config.ts imports) both raise it.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string | null,
    readonly where: string,
    message: string,
  ) {
    super(`${file ?? 'configuration'}: ${where}: ${message}`);
    this.name = 'ConfigError';
  }
}
