import type { KnowledgeSnapshot } from '@apprights/knowledge';
import type { Evidence, EvidenceKind } from '../evidence/evidence.js';
import type { ComponentType, PackageKind } from '../evidence/package-facts.js';

export type Severity = 'high' | 'medium' | 'low' | 'info';

/** Most severe first; `info` findings never fail a measure or a `--fail-on` gate. */
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * Where a finding's fact was seen. `artifact` is a path inside the package (`AndroidManifest.xml`,
 * `classes2.dex`, `res/mipmap-xxxhdpi/ic_launcher.png`, `classes.jar!/com/x/Y.class`) when there is one,
 * so SARIF and the HTML report can point at it.
 */
export type EvidenceRef =
  | {
      kind: 'manifest';
      artifact: 'AndroidManifest.xml';
      /** Element path: `application`, `receiver`, `uses-permission`, `application/meta-data`. */
      element: string;
      /** The component or permission name, when the element has one. */
      name?: string;
      /** The attribute or child that matters: `android:exported`, `intent-filter/action=BOOT_COMPLETED`. */
      detail?: string;
      sdk?: string | null;
    }
  | {
      kind: 'code';
      artifact: string | null;
      class: string;
      method?: string;
      /** The sensitive-API catalogue id the code calls. */
      api?: string;
      sdk?: string | null;
      /** How far the call reaches (scan report 1.6): present, reachable from an entry point, or seen in a trace. */
      reach?: 'present' | 'reachable' | 'active';
    }
  | { kind: 'sdk'; sdk: string; name: string; version?: string | null }
  | { kind: 'permission'; artifact: 'AndroidManifest.xml'; permission: string }
  | { kind: 'signature'; artifact: string | null; scheme?: string; certificate?: string; detail: string }
  | { kind: 'resource'; artifact: string; detail: string }
  | { kind: 'store'; field: string; value: string }
  | {
      kind: 'policy';
      /** The policy file or URL. */
      source?: string;
      /** Character offsets of the quoted passage in the policy text. */
      start?: number;
      end?: number;
      /** The heading the passage sits under. */
      section?: string;
      /** The passage (a paragraph, shortened when long); absent when the finding is that something is missing. */
      text?: string;
    }
  | { kind: 'trace'; event: number; time?: number; detail?: string }
  | { kind: 'ui'; snapshot: string; node?: string; detail?: string };

/**
 * A value for a message template's `{name}` placeholder: a text or number said alike in both
 * languages, or `{ zh, en }` when the words differ (a PI category's name, a joined list).
 */
export type MessageValue = string | number | boolean | null | Bilingual;

/**
 * What a rule reports; the engine adds the rule id, measures, fingerprint and suppression, and
 * renders the message from the rule's `meta.messages[messageId]` with `messageData`.
 */
export interface FindingInput<MessageId extends string = string> {
  messageId: MessageId;
  /** The template's placeholder values; kept in the report so a consumer can re-render the text. */
  messageData?: Record<string, MessageValue>;
  evidence: EvidenceRef[];
  /** Default: the rule's severity (or the configured one). */
  severity?: Severity;
  /**
   * What makes this finding the same across versions and runs (a component name, an SDK id): the
   * fingerprint hashes it, so diffs and suppressions survive reordering and unrelated changes.
   */
  key: string;
  /** Structured facts for machines (counts, names), kept in the JSON report. */
  data?: Record<string, unknown>;
  /**
   * The mechanical change to the app's source manifest that resolves the finding, as data (the
   * rule must declare `meta.fixable`). The engine words it in both languages; an applier with the
   * source manifest turns it into text edits (the APK's binary manifest is never edited).
   */
  fix?: FixInput;
  /**
   * The rule's measures this finding concerns, when it is about only some of them (a rule checking
   * several elements of the policy: a missing complaint channel fails measure 11, a missing minors
   * section does not). Default: all the rule's measures. Ids the rule does not serve are ignored.
   */
  measures?: string[];
}

export interface Finding {
  ruleId: string;
  measures: string[];
  severity: Severity;
  /** Rendered from the rule's template, so a report reads alike wherever it is opened. */
  message: Bilingual;
  /** The rule's message template (`meta.messages`) and its placeholder values. */
  messageId: string;
  messageData?: Record<string, MessageValue>;
  evidence: EvidenceRef[];
  /** Stable across runs: sha-256 of rule id and key, 16 hex digits. */
  fingerprint: string;
  data?: Record<string, unknown>;
  /**
   * The mechanical change that resolves the finding (findings of `meta.fixable` rules that have
   * one): in words, as manifest edits, and, when a source manifest was given, as a patch of it.
   */
  fix?: FindingFix;
  /** Present when a configured suppression matched; the finding stays in the report. */
  suppressed?: { reason: string; by: string };
  /**
   * For a static finding about an SDK or a class, checked together with a runtime trace: whether the
   * trace saw that code run (`active`: the trace lines of the events attributed to it) or not
   * (`not-observed`: present in the package, not seen in this trace). Set by `linkRuntime`.
   */
  runtime?: RuntimeLink;
  /** For a runtime finding about an SDK: the fingerprints of the static findings about the same SDK. */
  related?: string[];
}

/**
 * An element of the app's source `AndroidManifest.xml` that a fix changes. Names are as the
 * package's manifest has them (class names expanded with the package); an applier matches them
 * against the source's own spelling (`.MainActivity`, `MainActivity`).
 */
export type ManifestElementRef =
  | { element: 'application' }
  | { element: ComponentType; name: string }
  | { element: 'uses-permission' | 'uses-permission-sdk-23'; name: string };

/**
 * One change to one attribute in the android namespace (`http://schemas.android.com/apk/res/android`):
 * set it to `value` (added when absent) or, with `value: null`, remove it.
 */
export interface ManifestEdit {
  target: ManifestElementRef;
  /** The attribute's local name: `allowBackup`, `exported`, `maxSdkVersion`. */
  attribute: string;
  value: string | null;
}

/** What a rule states about a finding's fix. */
export interface FixInput {
  edits: ManifestEdit[];
  /** What the developer must know besides the change itself (a build setting, a caveat); both languages. */
  note?: Bilingual;
}

/** A finding's fix in the report. */
export interface FindingFix {
  /** The change in words (made from the edits), then the rule's note. */
  description: Bilingual;
  edits: ManifestEdit[];
  /** Present when the source manifest was given (`--manifest-source`): the edits located in it. */
  patch?: ManifestPatch;
}

/**
 * A fix located in the source manifest. `applied`: the replacements make the change; `unchanged`:
 * the source already says what the fix asks (the package's value came from the build, a library or
 * a placeholder); `not-located`: an element or value the fix needs is not in the source as plain
 * text (a component merged from a library, a `${placeholder}` or `@bool/` value): `reason` says what.
 */
export interface ManifestPatch {
  status: 'applied' | 'unchanged' | 'not-located';
  replacements: TextReplacement[];
  /** The change as a unified diff of the source manifest (empty unless applied). */
  diff: string;
  reason?: Bilingual;
}

/**
 * One replacement in the source manifest's text: `deleted` characters at `offset` give way to
 * `inserted`. Offsets and columns count UTF-16 code units (what SARIF calls characters, and what a
 * JavaScript string indexes); `byteOffset`/`byteLength` count the file's UTF-8 bytes. Lines and
 * columns start at 1; the end is exclusive.
 */
export interface TextReplacement {
  offset: number;
  length: number;
  byteOffset: number;
  byteLength: number;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** The text replaced (empty for an insertion). */
  deleted: string;
  inserted: string;
}

export interface RuntimeLink {
  status: 'active' | 'not-observed';
  /** Trace line numbers of the events attributed to the finding's SDK or class (at most 20). */
  events: number[];
}

export interface RuleMeta {
  /** kebab-case, stable: suppressions, SARIF and diffs use it. */
  id: string;
  /** Catalogue ids (`miit26-06`) of the measures, scenarios or requirements the rule helps check. */
  measures: string[];
  /** The evidence kinds the rule needs; it is skipped (not passed) when one is missing. */
  evidence: EvidenceKind[];
  /**
   * The package kinds the rule can judge (default all). A manifest rule has nothing to look at in a
   * plain JAR, and an SDK binary has no launcher or signature: there it is `not-applicable`, not passed.
   */
  appliesTo?: PackageKind[];
  severity: Severity;
  /**
   * `inventory` rules list facts for people to act on (the SDKs to disclose) rather than judge them:
   * their findings are `info`, and running one does not make a measure pass. Default `check`.
   */
  kind?: 'check' | 'inventory';
  title: Bilingual;
  description: Bilingual;
  fix: Bilingual;
  /**
   * `manifest`: some findings carry a mechanical fix (`FindingInput.fix`), as edits of the source
   * manifest. Like ESLint's `meta.fixable`: a rule without it must not return fixes, and the
   * meta-test asks a fixable rule's tests to check one.
   */
  fixable?: 'manifest';
  /**
   * The options `apprights.config.json` may set, each with its type, bounds and default; a
   * configured value outside them is a configuration error naming the rule and the option.
   */
  options?: Readonly<Record<string, OptionSpec>>;
  /** Message templates by id: `{name}` placeholders take the finding's `messageData`. */
  messages: Readonly<Record<string, Bilingual>>;
}

/** A default read from the knowledge snapshot (a catalogue parameter), or a plain value. */
export type OptionDefault<T> = T | ((knowledge: KnowledgeSnapshot) => T);

/** One rule option, in the JSON Schema vocabulary (a small subset: what rule options need). */
export type OptionSpec =
  | {
      type: 'number' | 'integer';
      minimum?: number;
      exclusiveMinimum?: number;
      maximum?: number;
      /** `null` allowed (meaning: work it out from the evidence). */
      nullable?: boolean;
      default: OptionDefault<number | null>;
      description?: string;
    }
  | { type: 'string'; enum?: readonly string[]; default: OptionDefault<string>; description?: string }
  | { type: 'boolean'; default: OptionDefault<boolean>; description?: string }
  | {
      type: 'array';
      items: { type: 'string'; enum?: readonly string[] };
      /** Each item at most once. */
      uniqueItems?: boolean;
      default: OptionDefault<readonly string[]>;
      description?: string;
    }
  | {
      type: 'object';
      /** An object of names to numbers (per-category limits). */
      additionalProperties: { type: 'number' | 'integer'; minimum?: number; exclusiveMinimum?: number };
      default: OptionDefault<Readonly<Record<string, number>>>;
      description?: string;
    };

export interface RuleContext {
  evidence: Evidence;
  /** The rule's options: its defaults merged with the configured ones, validated against `meta.options`. */
  options: Record<string, unknown>;
  /** The catalogues the rule judges by: the only way a rule reads the knowledge base. */
  knowledge: KnowledgeSnapshot;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): FindingInput[];
}

/**
 * `passed`: every evidence kind that decides the measure was supplied and examined by rules that ran,
 * and they found nothing. `partially-assessed`: some of its rules ran and found nothing, but deciding
 * evidence was missing, is left to a person, or a rule serving it did not run. `not-assessed`: no rule
 * serving it ran. `organisational`: only organisational records decide it; no tool evidence can.
 * `platform-checked`: a store's or device maker's duty, checked on their systems. Neither of the last
 * two is passed or failed by an app scan; `findings` then counts the signals the serving rules found.
 * 1.x reports before 1.5.0 had `needs-evidence` where these have `not-assessed`.
 */
export type CoverageStatus = 'passed' | 'failed' | 'partially-assessed' | 'not-assessed' | 'organisational' | 'platform-checked';

export interface CoverageEntry {
  /** Measure id from the catalogue (`miit26-01`). */
  measure: string;
  status: CoverageStatus;
  /** Rules serving the measure (run or not); `RunResult.rules` has each one's outcome. */
  rules: string[];
  /** Unsuppressed findings above `info` of those rules (signals only, for platform and organisational measures). */
  findings: number;
  /** Evidence kinds that would check the measure further: `missing` and `manual` together. */
  needs: EvidenceKind[];
  /** Deciding evidence kinds that were not supplied: what to hand over (never `org`). */
  missing: EvidenceKind[];
  /**
   * Deciding evidence a person has to review: organisational records, and evidence that was supplied
   * but that no rule serving the measure examined.
   */
  manual: EvidenceKind[];
  /** The command-line options that would supply `missing` (`--trace`, `--policy`, ...), in that order. */
  supplyWith: string[];
  /** Serving rules that did not run: skipped for missing evidence, disabled, failed, not applicable. */
  notRun: string[];
}

/** How each rule fared in a run. */
export interface RuleOutcome {
  id: string;
  status: 'ran' | 'skipped' | 'not-applicable' | 'disabled' | 'error';
  /** For `skipped`: the evidence kinds that were missing; for `error`: the message. */
  missing?: EvidenceKind[];
  error?: string;
  findings: number;
}
