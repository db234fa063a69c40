import type { KnowledgeVersions } from '@apprights/knowledge';
import type { StoreListing } from '../evidence/evidence.js';
import type { Severity } from '../engine/types.js';

/** What every report (scan, policy, trace) says about the run that made it. */
export interface ReportContext {
  /** The listing facts given (`--app-type`, config `appType`). */
  store: StoreListing | null;
  /** The configuration file used, or null. */
  config: string | null;
  failOn: Severity | 'none';
  /** Evidence kinds the run had (`apk`, `store`, ...). */
  evidence: string[];
  /**
   * The measure catalogue's version (`data/measures.json` of @apprights/knowledge): the coverage
   * and the findings' measure ids mean what that version says.
   */
  measuresVersion: number;
  /**
   * The knowledge snapshot the rules judged by: its id (a content hash) and catalogue versions, so a
   * store or regulator can say which catalogue judged the app.
   */
  knowledge: { id: string; versions: KnowledgeVersions };
}
