import type { Rule } from '../engine/types.js';
import { allowBackup } from './allow-backup.js';
import { associatedStart } from './associated-start.js';
import { cleartextTraffic } from './cleartext-traffic.js';
import { debuggable } from './debuggable.js';
import { dynamicCodeLoading } from './dynamic-code-loading.js';
import { exportedComponents } from './exported-components.js';
import { legacyStoragePermission } from './legacy-storage-permission.js';
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
import { runtimePermissionAtStart } from './runtime-permission-at-start.js';
import { runtimePermissionBundle } from './runtime-permission-bundle.js';
import { runtimePermissionNoPurpose } from './runtime-permission-no-purpose.js';
import { runtimePermissionReask } from './runtime-permission-reask.js';
import { runtimePermissionRefusalExit } from './runtime-permission-refusal-exit.js';
import { runtimePiAfterRefusal } from './runtime-pi-after-refusal.js';
import { runtimePiBackground } from './runtime-pi-background.js';
import { runtimePiBeforeConsent } from './runtime-pi-before-consent.js';
import { runtimePiFrequency } from './runtime-pi-frequency.js';
import { runtimeSelfStart } from './runtime-self-start.js';
import { sdkDisclosureList } from './sdk-disclosure-list.js';
import { sdkInitBeforeConsent } from './sdk-init-before-consent.js';
import { sdkRequestsPermissions } from './sdk-requests-permissions.js';
import { selfStartReceivers } from './self-start-receivers.js';
import { shakeAdSdk } from './shake-ad-sdk.js';
import { silentInstallCapability } from './silent-install-capability.js';
import { uiDownloadSixElements } from './ui-download-six-elements.js';
import { uiDownloadWithoutConfirmation } from './ui-download-without-confirmation.js';
import { uiFullScreenJump } from './ui-full-screen-jump.js';
import { uiPopupCloseControl } from './ui-popup-close-control.js';
import { uiShakeJump } from './ui-shake-jump.js';
import { uiSplashCloseControl } from './ui-splash-close-control.js';
import { uninstallObstruction } from './uninstall-obstruction.js';
import { unsafeEntryNames } from './unsafe-entry-names.js';
import { weakSignature } from './weak-signature.js';

/** Every rule, sorted by id. One rule per file; its docs are docs/rules/<id>.md. */
export const allRules: readonly Rule[] = [
  allowBackup,
  associatedStart,
  cleartextTraffic,
  debuggable,
  dynamicCodeLoading,
  exportedComponents,
  legacyStoragePermission,
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
  runtimePermissionAtStart,
  runtimePermissionBundle,
  runtimePermissionNoPurpose,
  runtimePermissionReask,
  runtimePermissionRefusalExit,
  runtimePiAfterRefusal,
  runtimePiBackground,
  runtimePiBeforeConsent,
  runtimePiFrequency,
  runtimeSelfStart,
  sdkDisclosureList,
  sdkInitBeforeConsent,
  sdkRequestsPermissions,
  selfStartReceivers,
  shakeAdSdk,
  silentInstallCapability,
  uiDownloadSixElements,
  uiDownloadWithoutConfirmation,
  uiFullScreenJump,
  uiPopupCloseControl,
  uiShakeJump,
  uiSplashCloseControl,
  uninstallObstruction,
  unsafeEntryNames,
  weakSignature,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
