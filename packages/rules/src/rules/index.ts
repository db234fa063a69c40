import type { Rule } from '../engine/types.js';
import { associatedStart } from './associated-start.js';
import { debuggable } from './debuggable.js';
import { dynamicCodeLoading } from './dynamic-code-loading.js';
import { nonResettableIdentifiers } from './non-resettable-identifiers.js';
import { permissionsUnrelatedToAppType } from './permissions-unrelated-to-app-type.js';
import { sdkDisclosureList } from './sdk-disclosure-list.js';
import { selfStartReceivers } from './self-start-receivers.js';
import { shakeAdSdk } from './shake-ad-sdk.js';

/** Every rule, sorted by id. One rule per file; its docs are docs/rules/<id>.md. */
export const allRules: readonly Rule[] = [
  associatedStart,
  debuggable,
  dynamicCodeLoading,
  nonResettableIdentifiers,
  permissionsUnrelatedToAppType,
  sdkDisclosureList,
  selfStartReceivers,
  shakeAdSdk,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
