import type { SdkVersion } from '../manifest/index.js';

/** A numeric SDK level, or undefined for codenames and unresolved references. */
export function sdkNumber(value: SdkVersion | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
