import type { EvidenceKind } from '@apprights/knowledge';
import type { PolicyAnalysis } from '@apprights/policy';
import type { Trace, UiSnapshot } from '@apprights/runtime';
import type { PackageFacts } from './package-facts.js';

/** The evidence kinds of the measure catalogue: `org` (organisational records) is never in `Evidence`. */
export type { EvidenceKind };

/**
 * Everything a check can look at. Each kind is optional: a rule declares the kinds it needs, and
 * when one is missing the rule does not run and the measures it serves say what to supply.
 * Policy, runtime-trace and UI facts are filled by their own readers (privacy policies, traces,
 * UI snapshots); until a reader exists their shape here is only what the rules need.
 */
export interface Evidence {
  /** Facts read from the APK/JAR/AAR (the scan report's fact sections). */
  package?: PackageFacts;
  /** What the app's store listing (or the user, with `--app-type`) says about it. */
  store?: StoreListing;
  /** The privacy policy, read into sections and data mentions. */
  policy?: PolicyFacts;
  /** A runtime trace: API calls, permission requests, consent and UI events in time order. */
  trace?: TraceFacts;
  /** UI snapshots (view hierarchies) taken while the app ran. */
  ui?: UiFacts;
}

export interface StoreListing {
  /** The CAC 2021 app type (`app-types.json` id, e.g. `map-navigation`). */
  appType?: string;
  /** Where the listing came from: `cli` for `--app-type`, the listing file, or the config file. */
  source?: string;
  /** The app name, developer and page address the listing shows (for later store-listing checks). */
  name?: string;
  developer?: string;
  url?: string;
}

/** The privacy policy as `@apprights/policy` analyses it (plain JSON, with the text its offsets index). */
export type PolicyFacts = PolicyAnalysis;

/** A runtime trace as `@apprights/runtime` reads it: events in time order with their line numbers. */
export type TraceFacts = Trace;

/** UI snapshots (uiautomator dumps or JSON trees) by id: from the trace's `ui` events and a `--ui` folder. */
export interface UiFacts {
  source: string;
  snapshots: UiSnapshot[];
}

/**
 * The command-line options that supply each evidence kind, so a report can say how to check what it
 * could not. The package itself is the argument of `apprights scan`, which also takes the others.
 * Organisational records are for a person to review: no option supplies them.
 */
export const EVIDENCE_OPTIONS: Readonly<Record<EvidenceKind, readonly string[]>> = {
  apk: ['apprights scan <apk>'],
  policy: ['--policy'],
  trace: ['--trace'],
  ui: ['--ui'],
  store: ['--app-type', '--store-listing'],
  org: [],
};

/** Which evidence kinds are present. */
export function availableEvidence(evidence: Evidence): Set<EvidenceKind> {
  const kinds = new Set<EvidenceKind>();
  if (evidence.package) kinds.add('apk');
  if (evidence.store) kinds.add('store');
  if (evidence.policy) kinds.add('policy');
  if (evidence.trace) kinds.add('trace');
  if (evidence.ui) kinds.add('ui');
  return kinds;
}
