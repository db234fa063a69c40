import type { PackageFacts } from '../evidence/package-facts.js';
import type { PolicyFacts } from '../evidence/evidence.js';
import type { CoverageEntry, Finding, RuleOutcome } from '../engine/types.js';
import type { ReportContext } from './context.js';
import type { TraceSummary, UiSummary } from './trace-report.js';

export type { ReportContext } from './context.js';

/**
 * The scan report: a plain JSON document, versioned, documented by the CLI's
 * `schemas/scan-report.schema.json`. Later stages (policy and runtime evidence) add sections; they
 * never change the meaning of an existing field without a major version bump.
 * 1.2.0 added `app.metaData`, `sensitiveApis[].callers[].artifact`, `context`, `rules`, `findings`
 * and `coverage`; 1.3.0 the optional `policy` (the privacy policy checked with the package); 1.4.0
 * the optional `trace` and `ui` (runtime evidence checked with the package) and, on findings, the
 * optional `runtime` (static findings confirmed or not by the trace) and `related`; 1.5.0 the SDKs'
 * `versionSource` and `bundledBy`, `context.measuresVersion`, `context.knowledge`, findings'
 * `messageId`/`messageData` and the coverage statuses `platform-checked`, `not-assessed` and
 * `partially-assessed`; 1.7.0 findings' `fix` (the mechanical change, as manifest edits) and, with a
 * source manifest, the optional `manifestSource` and each fix's `patch`.
 */
export const SCAN_REPORT_VERSION = '1.7.0';

export interface ScanReport extends PackageFacts {
  schemaVersion: string;
  tool: { name: 'apprights'; version: string };
  /** What the checks were run with. */
  context: ReportContext;
  /** How each rule fared: ran, skipped for missing evidence, disabled by configuration, or failed. */
  rules: RuleOutcome[];
  findings: Finding[];
  /** All 26 measures of the notice, in order, each with a status. */
  coverage: CoverageEntry[];
  /**
   * The privacy policy given with `--policy`, as analysed (with the text its offsets index), so a
   * stored report keeps what its policy findings rest on. Absent when no policy was given.
   */
  policy?: PolicyFacts;
  /** The runtime trace given with `--trace`, summarised (the trace file is the record of every event). */
  trace?: TraceSummary;
  /** The UI snapshots checked (from the trace and `--ui`), by id and file. */
  ui?: UiSummary;
  /** The app's source manifest whose text the findings' `fix.patch` edits (`--manifest-source`). */
  manifestSource?: ManifestSourceSummary;
}

export interface ManifestSourceSummary {
  path: string;
  sha256: string;
  /** Its `package` attribute; Gradle projects may leave it to build.gradle's `namespace`. */
  package: string | null;
  /** What relative class names were resolved against: the package attribute, `--namespace`, or the package's name. */
  namespace: string | null;
  /** `package`: the attribute equals the package's name; `components`: every component it declares is in the package. */
  match: 'package' | 'components';
  /** Fixes by patch status. */
  applied: number;
  unchanged: number;
  notLocated: number;
}
