/**
 * The drafts AppRights writes from a scan: the privacy policy's three lists (third-party SDKs,
 * personal information collected, permissions), the gap report against an existing policy, and the
 * store listing's elements. Plain, locale-free JSON (both languages where words differ), documented
 * by `schemas/policy-draft.schema.json` and `schemas/listing-draft.schema.json`; @apprights/report
 * renders them. Every fact carries its sources; what a person must write is null, never invented.
 */
import type { KnowledgeVersions } from '@apprights/knowledge';
import type { Bilingual, EvidenceRef, PolicyRef } from '@apprights/rules';

export const POLICY_DRAFT_VERSION = '1.0.0';
export const LISTING_DRAFT_VERSION = '1.0.0';

/**
 * Where a fact comes from: what the scan saw (a DEX class, a manifest element, an SDK detection, the
 * signing certificate, a policy passage, as in findings) or a catalogue entry of @apprights/knowledge.
 */
export type DraftSource =
  | EvidenceRef
  | {
      kind: 'catalogue';
      /** The knowledge file: `sdks/jpush.json`, `permissions.json`, `app-types.json`, `pi-categories.json`. */
      file: string;
      /** The entry in it (an SDK id, a permission name, an app type id). */
      entry: string;
      /** The field the fact is read from. */
      field?: string;
      /** The catalogue lists the field as not backed by a source it read (`unsourced`). */
      unsourced?: boolean;
    };

/** "SDK's own statement" (the vendor's documents, per the catalogue) or "seen in this app's code". */
export type PiBasis = 'sdk-statement' | 'app-code';

export interface DraftApp {
  file: string;
  sha256: string;
  kind: string;
  package: string | null;
  label: string | null;
  versionName: string | null;
  versionCode: number | null;
}

export interface DraftPi {
  /** pi-categories.json id. */
  id: string;
  label: Bilingual;
  /** Sensitive personal information as PIPL art. 28 lists it (pi-categories.json). */
  sensitive: boolean;
  basis: PiBasis[];
  /** Sensitive-API catalogue ids seen called (for `app-code`), sorted. */
  apis: string[];
  sources: DraftSource[];
}

/** A PI category the vendor lists that this app's permissions do not allow (every catalogued API for it needs a permission the app does not request). */
export interface DraftPiNotPossible {
  id: string;
  label: Bilingual;
  /** The permissions those APIs need (any one of them would do). */
  needs: string[];
}

export interface DraftSdkPermission {
  permission: string;
  /** The sensitive APIs the SDK's code calls that need it. */
  apis: string[];
}

export interface DraftSdk {
  id: string;
  name: Bilingual;
  /** The developer as the catalogue names it. */
  vendor: Bilingual;
  /** False when the catalogue lists the vendor as unverified (not read from the vendor's own rules): say so, do not present it as the legal name. */
  vendorVerified: boolean;
  category: string;
  /** The catalogue category in plain words. */
  purpose: Bilingual;
  tracker: boolean;
  confidence: 'high' | 'medium' | 'low';
  version: string | null;
  versionSource: { kind: string; where: string } | null;
  bundledBy: string[];
  /** The vendor's privacy policy for the SDK; null when the catalogue has none ("not in catalogue"). */
  privacyPolicy: string | null;
  /** What it collects in this app: the vendor's list within what the app allows, and what its code was seen reaching. */
  personalInformation: DraftPi[];
  notPossibleHere: DraftPiNotPossible[];
  /** Permissions its code's calls need: those the app requests (APK), or all of them (a library, whose host grants them). */
  permissions: DraftSdkPermission[];
  sources: DraftSource[];
}

/** An SDK left out of the policy's list, with why. */
export interface DraftLibrary {
  id: string;
  name: Bilingual;
  version: string | null;
  /** `open-source-library`: a plain library; `no-pi`: neither the catalogue nor the code says it reaches PI. */
  reason: 'open-source-library' | 'no-pi';
}

/** One row of the list of personal information collected (个人信息收集清单): a PI category the app's own code or permissions reach. */
export interface DraftCollected {
  pi: string;
  label: Bilingual;
  sensitive: boolean;
  /** What is read, per the API catalogue ("IMEI or MEID"). */
  items: Bilingual[];
  apis: string[];
  /** The app's classes that call the APIs (up to 5): where the business function is in the code. */
  where: string[];
  /** Callers outside the app's package that no SDK claims. */
  unidentifiedCallers: number;
  /** Requested permissions that reach this PI. */
  permissions: string[];
  /** `app-code`: called by the app's code; `manifest`: only a requested permission reaches it. */
  basis: 'app-code' | 'manifest';
  /** The business function and purpose: the developer writes them (always null in a draft). */
  function: null;
  purpose: null;
  /** Among the app type's necessary PI (CAC 2021); null without an app type. */
  necessary: boolean | null;
  /** Not necessary for the app type: collect it with a separate consent when the extended function is used; null without an app type. */
  separateConsent: boolean | null;
  sources: DraftSource[];
}

export interface DraftPermission {
  permission: string;
  kind: 'dangerous' | 'special';
  protectionLevel: string;
  /** The platform's own name for it (permission catalogue); null when the catalogue has none. */
  label: { en: string | null; zh: string | null };
  pi: string | null;
  piLabel: Bilingual | null;
  /**
   * Who calls the catalogued APIs that need it; `catalogued` false when the sensitive-API catalogue
   * has no API needing it (then no caller can be seen, which says nothing about use).
   */
  usedBy: { own: number; sdks: { id: string; name: Bilingual }[]; unidentified: number; apis: string[]; catalogued: boolean };
  /** The T/TAF 076 purpose the manifest states (`<meta-data>` named after the permission), else null: the slot to fill. */
  purpose: string | null;
  maxSdkVersion: number | null;
  sources: DraftSource[];
}

export type GapKind =
  | 'sdk-missing'
  | 'sdk-brand-only'
  | 'sdk-not-in-app'
  | 'permission-unexplained'
  | 'permission-no-purpose'
  | 'permission-not-requested'
  | 'pi-unmentioned'
  | 'pi-denied';

/** A difference between the policy and the app. */
export interface DraftGap {
  kind: GapKind;
  /** `policy-lacks`: the app has it, the policy does not say it; `app-lacks`: the policy lists what the app no longer has. */
  direction: 'policy-lacks' | 'app-lacks';
  /** The SDK id, permission name or PI category id. */
  key: string;
  /** The rule that reports the same difference as a finding (null when none does). */
  rule: string | null;
  subject: Bilingual;
  detail: Bilingual;
  /** The policy passage (or the policy as a whole when something is missing). */
  policy: PolicyRef;
  /** The app's side: SDK detection, manifest element, code. */
  app: DraftSource[];
}

export interface DraftGaps {
  policy: { source: string; title: string | null; analysisVersion: string };
  rows: DraftGap[];
  /**
   * Comparison rules that do not judge this kind of package (they judge apps, not SDK libraries):
   * their differences are left out, as the rules leave them out of a scan.
   */
  rulesNotApplicable: string[];
}

export interface PolicyDraft {
  schemaVersion: string;
  kind: 'policy-draft';
  tool: { name: 'apprights'; version: string };
  knowledge: { id: string; versions: KnowledgeVersions };
  app: DraftApp;
  appType: { id: string; zh: string; en: string; necessaryPI: string[] } | null;
  sdks: { trackers: DraftSdk[]; others: DraftSdk[]; notListed: DraftLibrary[] };
  collected: DraftCollected[];
  permissions: DraftPermission[];
  /** With a policy: what it lacks and what it lists that the app no longer has; null without one. */
  gaps: DraftGaps | null;
}

/** One store-listing element: filled from the app (with its sources), or left for a person. */
export interface ListingElement<T> {
  element: 'app-name' | 'version' | 'developer' | 'privacy-policy' | 'permissions' | 'description';
  title: Bilingual;
  /** null when the app does not determine it or the scan could not find it. */
  value: T | null;
  /** `app`: read from the package; `given`: from the command line; `person`: someone must write it. */
  filledBy: 'app' | 'given' | 'person';
  /** Why the value is null, or a caveat on it. */
  note: Bilingual | null;
  sources: DraftSource[];
}

export interface ListingDraft {
  schemaVersion: string;
  kind: 'listing-draft';
  tool: { name: 'apprights'; version: string };
  app: DraftApp;
  elements: [
    ListingElement<string>,
    ListingElement<{ name: string; code: number | null }>,
    ListingElement<string>,
    ListingElement<string>,
    ListingElement<{ permission: string; label: { en: string | null; zh: string | null }; purpose: string | null }[]>,
    ListingElement<string>,
  ];
}
