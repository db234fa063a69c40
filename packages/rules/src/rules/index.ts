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
import { policyApiPiUnmentioned } from './policy-api-pi-unmentioned.js';
import { policyAppTypeNecessaryPi } from './policy-app-type-necessary-pi.js';
import { policyCollectedPiList } from './policy-collected-pi-list.js';
import { policyPermissionUnexplained } from './policy-permission-unexplained.js';
import { policyRequiredElements } from './policy-required-elements.js';
import { policyResponseTime } from './policy-response-time.js';
import { policySdkNotFound } from './policy-sdk-not-found.js';
import { policySdkUndisclosed } from './policy-sdk-undisclosed.js';
import { policySensitiveNotHighlighted } from './policy-sensitive-not-highlighted.js';
import { policyThirdPartyList } from './policy-third-party-list.js';
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
  policyApiPiUnmentioned,
  policyAppTypeNecessaryPi,
  policyCollectedPiList,
  policyPermissionUnexplained,
  policyRequiredElements,
  policyResponseTime,
  policySdkNotFound,
  policySdkUndisclosed,
  policySensitiveNotHighlighted,
  policyThirdPartyList,
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
