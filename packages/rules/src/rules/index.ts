import type { Rule } from '../engine/types.js';
import { allowBackup } from './allow-backup.js';
import { associatedStart } from './associated-start.js';
import { cleartextTraffic } from './cleartext-traffic.js';
import { debuggable } from './debuggable.js';
import { dynamicCodeLoading } from './dynamic-code-loading.js';
import { exportedComponents } from './exported-components.js';
import { nonResettableIdentifiers } from './non-resettable-identifiers.js';
import { permissionPurposeMetadata } from './permission-purpose-metadata.js';
import { permissionsUnrelatedToAppType } from './permissions-unrelated-to-app-type.js';
import { sdkDisclosureList } from './sdk-disclosure-list.js';
import { sdkInitBeforeConsent } from './sdk-init-before-consent.js';
import { sdkRequestsPermissions } from './sdk-requests-permissions.js';
import { selfStartReceivers } from './self-start-receivers.js';
import { shakeAdSdk } from './shake-ad-sdk.js';
import { silentInstallCapability } from './silent-install-capability.js';
import { uninstallObstruction } from './uninstall-obstruction.js';
import { weakSignature } from './weak-signature.js';

/** Every rule, sorted by id. One rule per file; its docs are docs/rules/<id>.md. */
export const allRules: readonly Rule[] = [
  allowBackup,
  associatedStart,
  cleartextTraffic,
  debuggable,
  dynamicCodeLoading,
  exportedComponents,
  nonResettableIdentifiers,
  permissionPurposeMetadata,
  permissionsUnrelatedToAppType,
  sdkDisclosureList,
  sdkInitBeforeConsent,
  sdkRequestsPermissions,
  selfStartReceivers,
  shakeAdSdk,
  silentInstallCapability,
  uninstallObstruction,
  weakSignature,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
