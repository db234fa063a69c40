import type { Evidence, PackageFacts, PolicyFacts, TraceFacts, UiFacts } from '@apprights/rules';

/**
 * The facts section's version (schemas/scan-facts.schema.json). Facts are what the readers found,
 * before any rule judged them; a store or regulator keeps them so the rules can judge the app again
 * when the catalogue changes, without the package. A new field is a minor version; a field whose
 * meaning changes is a major one, and `rerunRules` refuses facts of another major version.
 */
export const FACTS_VERSION = '1.0.0';

export interface ScanFacts {
  schemaVersion: string;
  /** What was read from the APK, JAR or AAR: manifest, code index summary, SDKs, sensitive API call sites. */
  package: PackageFacts;
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
