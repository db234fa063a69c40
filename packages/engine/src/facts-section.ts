import type { Evidence, PackageFacts, PolicyFacts, TraceFacts, UiFacts } from '@apprights/rules';
import type { PackagePrefixSet } from './package-prefixes.js';

/**
 * The facts section's version (schemas/scan-facts.schema.json). Facts are what the readers found,
 * before any rule judged them; a store or regulator keeps them so the rules can judge the app again
 * when the catalogue changes, without the package. A new field is a minor version; a field whose
 * meaning changes is a major one, and `rerunRules` refuses facts of another major version.
 */
export const FACTS_VERSION = '1.1.0';

/**
 * The package readers' version: raised when a change to the readers (@apprights/apk) or to how the
 * facts are built from them changes what a scan finds in the same bytes. A store re-scans the
 * versions it keeps when this changes (stored facts came from older readers).
 */
export const READERS_VERSION = 1;

export interface ScanFacts {
  schemaVersion: string;
  /** What was read from the APK, JAR or AAR: manifest, code index summary, SDKs, sensitive API call sites. */
  package: PackageFacts;
  /** The package prefixes of the code (1.1): which SDK signatures could match it (absent in 1.0 facts). */
  packagePrefixes?: PackagePrefixSet;
  /** The privacy policy checked with the package, as analysed (with the text its offsets index). */
  policy?: PolicyFacts;
  /** The runtime trace checked with the package (every event, as read). */
  trace?: TraceFacts;
  /** The UI snapshots checked with the trace. */
  ui?: UiFacts;
}

/** The evidence besides the package (policy, trace, UI) that is present in `from`, and nothing else. */
export function otherEvidence(from: Pick<ScanFacts, 'policy' | 'trace' | 'ui'>): Pick<Evidence, 'policy' | 'trace' | 'ui'> {
  return {
    ...(from.policy ? { policy: from.policy } : {}),
    ...(from.trace ? { trace: from.trace } : {}),
    ...(from.ui ? { ui: from.ui } : {}),
  };
}
