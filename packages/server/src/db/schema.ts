import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/** The two databases the store runs on (db/open.ts opens either). */
export type Dialect = 'sqlite' | 'postgres';

// One schema for SQLite and PostgreSQL, so every query is written once (Kysely types it).
// Conventions that keep the two dialects identical:
// - ids are ULID-shaped text (src/ids.ts): time-ordered, so cursors and the audit log sort by id;
// - times are milliseconds since the epoch in a 64-bit integer (PG `bigint`, parsed to number);
// - JSON is text written and read by the application (no dialect-specific JSON operators);
// - booleans are 0/1 integers.

/** Milliseconds since the Unix epoch. */
export type Millis = number;

export const ROLES = [
  'platform-admin',
  'store-admin',
  'store-reviewer',
  'developer',
  'sdk-vendor',
  'regulator',
  'access-provider',
] as const;
/** A member's role in an organisation ("anonymous" is the absence of a principal, never stored). */
export type Role = (typeof ROLES)[number];

export const ORG_KINDS = ['platform', 'store', 'developer', 'sdk-vendor', 'regulator', 'access-provider'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const JOB_KINDS = ['scan', 'rerun-rules', 'fetch-policy', 'diff'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * queued → running → succeeded | queued again (a crash or lost worker with attempts left, after the
 * backoff) | dead (no attempts left, or an input error that no retry can fix) | failed (over the wall
 * clock or the memory cap: final, the same input breaches again) ; queued | running → cancelled.
 * The reason stays in error_code / error_message; each attempt's outcome is in job_attempts.
 */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface OrganisationsTable {
  id: string;
  slug: string;
  name: string;
  kind: OrgKind;
  created_at: Millis;
}

export interface UsersTable {
  id: string;
  /** Lower-cased login name or e-mail. */
  login: string;
  display_name: string;
  /** Argon2id PHC string; null for an account that signs in with tokens only. */
  password_hash: string | null;
  disabled: ColumnType<number, number | undefined, number>;
  created_at: Millis;
}

export interface MembershipsTable {
  user_id: string;
  org_id: string;
  role: Role;
  created_at: Millis;
}

export interface SessionsTable {
  /** sha256 (hex) of the cookie value: a leaked database holds no usable session. */
  id: string;
  user_id: string;
  org_id: string;
  role: Role;
  csrf_secret: string;
  created_at: Millis;
  expires_at: Millis;
  last_seen_at: Millis;
}

export interface ApiTokensTable {
  id: string;
  /** The visible prefix ("ar_" + 8 characters) shown in lists, so a user can tell tokens apart. */
  prefix: string;
  /** sha256 (hex) of the whole token. */
  token_hash: string;
  user_id: string;
  org_id: string;
  role: Role;
  name: string;
  created_at: Millis;
  expires_at: Millis | null;
  revoked_at: Millis | null;
  last_used_at: Millis | null;
}

export interface LoginFailuresTable {
  id: string;
  /** sha256 of lower-cased login + "\0" + client address: the limit is per account and address. */
  key: string;
  at: Millis;
}

export interface AuditLogTable {
  id: string;
  at: Millis;
  actor_user_id: string | null;
  actor_org_id: string | null;
  /** e.g. auth.login, auth.login-failed, token.create, token.revoke, user.create, org.create */
  action: string;
  subject: string | null;
  /** JSON object with the details (never a secret). */
  detail: string;
  ip: string | null;
}

export interface BlobsTable {
  /** Lower-case hex sha256 of the content: the blob's address. */
  sha256: string;
  size: number;
  media_type: string;
  created_at: Millis;
}

export interface UploadsTable {
  id: string;
  org_id: string;
  user_id: string | null;
  blob_sha256: string;
  created_at: Millis;
}

export interface AppsTable {
  id: string;
  org_id: string;
  package_name: string;
  created_at: Millis;
}

export interface VersionsTable {
  id: string;
  app_id: string;
  org_id: string;
  version_code: string | null;
  version_name: string | null;
  /** sha256 of the first signer's certificate, or null for an unsigned package. */
  signer_sha256: string | null;
  blob_sha256: string;
  created_at: Millis;
}

export interface JobsTable {
  id: string;
  kind: JobKind;
  org_id: string;
  created_by: string | null;
  state: JobState;
  /** Higher runs first. */
  priority: number;
  /** JSON: the job's input (blob sha256, URL, report ids, options). */
  payload: string;
  run_after: Millis;
  attempts: number;
  max_attempts: number;
  /** The worker holding the job and until when (a lease: past it, another worker may take the job). */
  locked_by: string | null;
  lease_until: Millis | null;
  /** JSON {stage, done, total} from the engine's onProgress. */
  progress: string | null;
  error_code: string | null;
  error_message: string | null;
  cancel_requested: ColumnType<number, number | undefined, number>;
  created_at: Millis;
  updated_at: Millis;
  finished_at: Millis | null;
}

export interface JobAttemptsTable {
  id: string;
  job_id: string;
  attempt: number;
  worker: string;
  started_at: Millis;
  ended_at: Millis | null;
  /** succeeded | failed | timeout | memory | crashed | cancelled | lost */
  outcome: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface ReportsTable {
  id: string;
  /** Unique: a job has at most one result, whatever the queue redelivers (effect once). */
  job_id: string;
  org_id: string;
  /** scan | policy | trace | diff | rerun */
  kind: string;
  version_id: string | null;
  knowledge_id: string | null;
  /** The report JSON without its facts. */
  body: string;
  /** The facts section JSON (scan reports), so rules can re-run without the package. */
  facts: string | null;
  /** JSON: counts by severity and coverage status, for lists. */
  summary: string;
  created_at: Millis;
}

export interface FindingsTable {
  id: string;
  report_id: string;
  org_id: string;
  app_id: string | null;
  fingerprint: string;
  rule_id: string;
  severity: string;
  measures: string;
  created_at: Millis;
}

export interface KnowledgeSnapshotsTable {
  id: string;
  created_at: Millis;
  /** JSON: catalogue versions and counts. */
  summary: string;
}

/** When an organisation last had a job claimed, and how many it has had (migration 0002; the claim's turn itself is in sql.ts). */
export interface JobOrgTurnsTable {
  org_id: string;
  last_claim_at: Millis;
  claims: ColumnType<number, number | undefined, number>;
}

export interface OutboxTable {
  id: string;
  topic: string;
  /** JSON */
  payload: string;
  created_at: Millis;
  delivered_at: Millis | null;
}

/** One year's working-day arrangement imported by an administrator (migration 0003). */
export interface CalendarYearsTable {
  year: number;
  /** JSON: the validated CalendarYear (src/calendar/calendar.ts). */
  arrangement: string;
  /** The first source's URL, for a listing without parsing the JSON. */
  source_url: string;
  imported_at: Millis;
}

export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  blobs: BlobsTable;
  uploads: UploadsTable;
  apps: AppsTable;
  versions: VersionsTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  reports: ReportsTable;
  findings: FindingsTable;
  knowledge_snapshots: KnowledgeSnapshotsTable;
  outbox: OutboxTable;
  job_org_turns: JobOrgTurnsTable;
  calendar_years: CalendarYearsTable;
  scheduler_lease: SchedulerLeaseTable;
  scheduler_runs: SchedulerRunsTable;
  event_deliveries: EventDeliveriesTable;
  event_cursors: EventCursorsTable;
  listings: ListingsTable;
  notifications: NotificationsTable;
  store_developers: StoreDevelopersTable;
  store_gate_policies: StoreGatePoliciesTable;
  store_submissions: StoreSubmissionsTable;
  store_listing_checks: StoreListingChecksTable;
  // Stop-access feed (migration 0030), terminal makers (0031), notification delivery (0032).
  stop_access_orders: StopAccessOrdersTable;
  stop_access_feed: StopAccessFeedTable;
  stop_access_counters: StopAccessCountersTable;
  stop_access_acks: StopAccessAcksTable;
  signing_keys: SigningKeysTable;
  terminal_labels: TerminalLabelsTable;
  terminal_usage_imports: TerminalUsageImportsTable;
  terminal_usage_records: TerminalUsageRecordsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sdk_registry_sdks: SdkRegistrySdksTable;
  sdk_registry_versions: SdkRegistryVersionsTable;
  sdk_proposals: SdkProposalsTable;
  sdk_proposal_reviews: SdkProposalReviewsTable;
  sdk_version_index: SdkVersionIndexTable;
  complaints: ComplaintsTable;
  renewal_imports: RenewalImportsTable;
  renewal_charges: RenewalChargesTable;
  renewal_reminders: RenewalRemindersTable;
  store_patrols: StorePatrolsTable;
  // Regulator workflow (migration 0020-regulator).
  reg_campaigns: RegCampaignsTable;
  reg_campaign_items: RegCampaignItemsTable;
  reg_findings: RegFindingsTable;
  reg_campaign_counts: RegCampaignCountsTable;
  reg_bulletins: RegBulletinsTable;
  reg_bulletin_items: RegBulletinItemsTable;
  reg_removal_orders: RegRemovalOrdersTable;
  reg_delisting_tasks: RegDelistingTasksTable;
  reg_ranking_snapshots: RegRankingSnapshotsTable;
  reg_credit_appeals: RegCreditAppealsTable;
  // Store re-fetch of download URLs (migration 0011-store-download-url).
  store_refetches: StoreRefetchesTable;
  // Package-prefix sets of scanned versions and the re-scans they target (migration 0050).
  version_prefix_sets: VersionPrefixSetsTable;
  version_package_prefixes: VersionPackagePrefixesTable;
  store_rescans: StoreRescansTable;
  store_rescan_state: StoreRescanStateTable;
}

/** The six elements a store shows for a listed app (the notice's measure on app distribution). */
export interface ListingElements {
  name: string;
  version: string;
  developer: string;
  privacyPolicyUrl: string;
  /** Each permission the app asks for, with the purpose the developer gives. */
  permissions: { name: string; purpose: string }[];
  description: string;
}

/** An app as a store lists it (migration 0006; written by the store workflow, read by the others). */
export interface ListingsTable {
  id: string;
  /** The store (an organisation of kind "store"). */
  store_id: string;
  developer_org_id: string;
  package_name: string;
  app_id: string;
  /** The version on the shelf (null before the first is approved). */
  version_id: string | null;
  /** pending (never listed yet) | listed | delisted */
  state: 'pending' | 'listed' | 'delisted';
  /** JSON ListingElements */
  elements: string;
  /** One of the CAC 2021 app types (knowledge's app-type ids), when given. */
  app_type: string | null;
  listed_at: Millis | null;
  delisted_at: Millis | null;
  updated_at: Millis;
  /** Where the store serves the binary (migration 0011): the store's re-fetch compares it with the listed version. */
  download_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** What the disclosure list's search reads: name and package, lowercased (migration 0060; src/workflows/store/search.ts). */
  search_text: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A message to an organisation's inbox (migration 0006); webhooks carry the same. */
export interface NotificationsTable {
  id: string;
  org_id: string;
  /** What it is about: "finding.new", "bulletin.issued", "complaint.received", … */
  topic: string;
  /** The object's id (a listing, bulletin, complaint …). */
  subject: string | null;
  title_en: string;
  title_zh: string;
  /** JSON */
  detail: string;
  /** A deadline the recipient must meet, if any. */
  due_at: Millis | null;
  created_at: Millis;
  read_at: Millis | null;
}

/** One workflow handler's delivery of one outbox event (migration 0005). */
export interface EventDeliveriesTable {
  /** "<workflow>:<topic>" */
  handler: string;
  event_id: string;
  /** done | failed (retried) | dead (given up after MAX_ATTEMPTS) */
  state: 'done' | 'failed' | 'dead';
  attempts: number;
  last_error: string | null;
  updated_at: Millis;
}

export interface EventCursorsTable {
  name: string;
  /** created_at of the newest event every handler has settled. */
  created_at: Millis;
}

export interface SchedulerLeaseTable {
  name: string;
  holder: string;
  lease_until: Millis;
}

export interface SchedulerRunsTable {
  task: string;
  last_run_at: Millis;
  last_error: string | null;
}

export type Job = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
export type Report = Selectable<ReportsTable>;
export type User = Selectable<UsersTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type ApiToken = Selectable<ApiTokensTable>;

/** A developer organisation's identity as stores see it (migration 0010, store workflow). */
export interface StoreDevelopersTable {
  org_id: string;
  enterprise_name: string;
  /** 统一社会信用代码, 18 characters, check digits verified (src/workflows/store/credit-code.ts). */
  credit_code: string;
  /** APP 备案号, when given. */
  filing_number: string | null;
  /** JSON [{name, phone?, email?}] */
  contacts: string;
  /** JSON [{kind, blob}] */
  documents: string;
  /** unverified → verified | rejected (a store admin decides; a changed profile is unverified again) */
  state: 'unverified' | 'verified' | 'rejected';
  decided_by: string | null;
  decided_store_id: string | null;
  decision_comment: string | null;
  created_at: Millis;
  updated_at: Millis;
}

/** One version of a store's gate policy (JSON, validated; src/workflows/store/gate.ts). */
export interface StoreGatePoliciesTable {
  id: string;
  store_id: string;
  version: number;
  policy: string;
  created_by: string | null;
  created_at: Millis;
}

/**
 * A package and its listing submitted to a store: detecting → listed | rejected | review →
 * listed | rejected; detecting → detection-failed when a job cannot finish.
 */
export interface StoreSubmissionsTable {
  id: string;
  store_id: string;
  developer_org_id: string;
  blob_sha256: string;
  /** JSON ListingElements */
  elements: string;
  app_type: string;
  /** The store's gate version current at submission (0: the built-in default). */
  gate_version: number;
  resubmission_of: string | null;
  state: 'detecting' | 'review' | 'listed' | 'rejected' | 'detection-failed';
  scan_job_id: string | null;
  policy_job_id: string | null;
  scan_report_id: string | null;
  policy_report_id: string | null;
  /** The fetch-policy job's error when it did not succeed (the gate then sees policy-unavailable). */
  policy_error: string | null;
  version_id: string | null;
  /** JSON diff items (listing vs APK, update vs listed version) */
  diff: string | null;
  /** pass | reject | manual-review (the gate's), before any reviewer */
  outcome: string | null;
  /** JSON: the findings and diff items behind the outcome, with evidence */
  reasons: string | null;
  claimed_by: string | null;
  decided_by: string | null;
  decision_comment: string | null;
  listing_id: string | null;
  created_at: Millis;
  updated_at: Millis;
  /** Where the store downloads the binary from (migration 0011); copied to the listing. */
  download_url: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The last check of a listed app, as the public disclosure shows it (migration 0010). */
export interface StoreListingChecksTable {
  listing_id: string;
  version_id: string;
  report_id: string;
  knowledge_id: string | null;
  /** JSON [{id, name:{zh,en}, vendor:{zh,en}, category}] */
  sdks: string;
  /** JSON {status: count} over the report's coverage of the notice's measures */
  coverage: string;
  checked_at: Millis;
}

/** A stop-access order (停止接入): what access providers must stop serving (migration 0030). */
export interface StopAccessOrdersTable {
  id: string;
  /** The regulator that issued it (null when the removal-order event named none). */
  regulator_org_id: string | null;
  /** api | removal-order */
  source: string;
  /** The removal order it comes from (unique: the event is applied once). */
  removal_order_id: string | null;
  /** JSON string arrays, validated and normalised. */
  package_names: string;
  signer_sha256s: string;
  sdk_prefixes: string;
  domains: string;
  ips: string;
  legal_basis: string;
  valid_from: Millis;
  valid_until: Millis | null;
  created_by: string | null;
  created_at: Millis;
}

/** The append-only feed: one entry per order, numbered without gaps in commit order. */
export interface StopAccessFeedTable {
  seq: number;
  order_id: string;
  /** The entry exactly as served (JSON). */
  entry: string;
  created_at: Millis;
}

/** Sequence counters (one row per feed): the row lock orders concurrent appenders. */
export interface StopAccessCountersTable {
  name: string;
  value: number;
}

export interface StopAccessAcksTable {
  provider_org_id: string;
  seq: number;
  acked_at: Millis;
  acked_by: string | null;
  /** 1 when acknowledged after the window. */
  late: number;
}

/** Ed25519 key pairs for signed answers (feed pages, verdicts); created once. */
export interface SigningKeysTable {
  /** "stop-access" */
  name: string;
  key_id: string;
  public_pem: string;
  private_pem: string;
  created_at: Millis;
}

/** Listed apps' folded labels and signers, for look-alike warnings (migration 0031). */
export interface TerminalLabelsTable {
  listing_id: string;
  package_name: string;
  folded_label: string;
  label: string;
  signer_sha256: string | null;
  store_id: string;
  updated_at: Millis;
}

export interface TerminalUsageImportsTable {
  id: string;
  org_id: string;
  created_by: string | null;
  lines: number;
  imported: number;
  rejected: number;
  /** JSON: per-line errors (capped) and the comparison with the disclosures. */
  result: string;
  created_at: Millis;
}

export interface TerminalUsageRecordsTable {
  import_id: string;
  line: number;
  package_name: string;
  permission: string;
  at: Millis;
  background: number;
  duration_ms: number | null;
}

/** An organisation's webhook (migration 0032). */
export interface WebhooksTable {
  id: string;
  org_id: string;
  url: string;
  /** HMAC-SHA256 key; shown once at creation. */
  secret: string;
  /** JSON array of notification topics, or null for all. */
  topics: string | null;
  created_by: string | null;
  created_at: Millis;
  disabled_at: Millis | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  notification_id: string;
  /** pending | delivered | dead */
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_at: Millis;
  last_status: number | null;
  last_error: string | null;
  created_at: Millis;
  delivered_at: Millis | null;
}

/** An SDK a vendor publishes (migration 0040): `entry` is a detection-catalogue entry (JSON). */
export interface SdkRegistrySdksTable {
  id: string;
  vendor_org_id: string;
  /** The catalogue id (kebab-case, packages/knowledge/data/sdks/<id>.json). */
  catalog_id: string;
  entry: string;
  compliance_guide_url: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface SdkRegistryVersionsTable {
  id: string;
  sdk_id: string;
  version: string;
  /** JSON [{category, purpose, items?}] */
  personal_information: string;
  /** JSON [{function, option, personalInformation: [category]}] */
  config_options: string;
  flagged_at: Millis | null;
  flag_reason: string | null;
  created_at: Millis;
}

/** A proposal to add or correct a detection-catalogue entry: open → approved | rejected. */
export interface SdkProposalsTable {
  id: string;
  sdk_id: string;
  vendor_org_id: string;
  author_user_id: string;
  catalog_id: string;
  entry: string;
  state: 'open' | 'approved' | 'rejected';
  /** JSON: the review warnings of the catalogue's validator (errors refuse the proposal). */
  warnings: string;
  created_at: Millis;
  decided_at: Millis | null;
}

export interface SdkProposalReviewsTable {
  proposal_id: string;
  reviewer_user_id: string;
  reviewer_org_id: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  created_at: Millis;
}

/** The SDKs (catalogue id, version or '') in a version's latest report (filled on job.succeeded). */
export interface SdkVersionIndexTable {
  version_id: string;
  sdk_id: string;
  sdk_version: string;
  report_id: string;
  app_id: string | null;
  org_id: string;
  created_at: Millis;
}

/** A complaint about a listed app (migration 0041): received → accepted → answered → closed | escalated. */
export interface ComplaintsTable {
  id: string;
  listing_id: string;
  operator_org_id: string;
  package_name: string;
  state: 'received' | 'accepted' | 'answered' | 'closed' | 'escalated';
  category: string;
  text: string;
  contact: string | null;
  /** Dates in Asia/Shanghai (YYYY-MM-DD). */
  received_on: string;
  accept_due: string;
  answer_due: string;
  /** 1 when a due date was counted through a year the calendar lacks. */
  provisional: number;
  accepted_at: Millis | null;
  answered_at: Millis | null;
  /** The answer's date in Asia/Shanghai (compared with answer_due for the KPI). */
  answered_on: string | null;
  answer: string | null;
  closed_at: Millis | null;
  escalated_at: Millis | null;
  escalation_reason: string | null;
  /** JSON array of the reminders sent ("accept", "answer"). */
  reminded: string;
  created_at: Millis;
  updated_at: Millis;
}

/** One import of renewal charges or reminder logs (migration 0042). */
export interface RenewalImportsTable {
  id: string;
  org_id: string;
  user_id: string | null;
  kind: 'charges' | 'reminders';
  format: 'csv' | 'jsonl';
  /** running (rows are committed in batches as they are read) | done | failed (the upload broke off; rows so far are kept) */
  state: 'running' | 'done' | 'failed';
  encoding: string;
  bom: number;
  lines: number;
  imported: number;
  rejected: number;
  /** JSON [{line, reason}] (the first ones; `rejected` counts all). */
  errors: string;
  created_at: Millis;
}

export interface RenewalChargesTable {
  import_id: string;
  line: number;
  org_id: string;
  package_name: string;
  subscription: string;
  /** Days since 1970-01-01 of the charge date (Asia/Shanghai). */
  charge_day: number;
  amount: string | null;
  product: string | null;
}

export interface RenewalRemindersTable {
  import_id: string;
  line: number;
  org_id: string;
  package_name: string;
  subscription: string;
  sent_day: number;
  channel: string;
  conspicuous: number;
}
/** One patrol of a listed version under a rule catalogue (migration 0010): running → done | failed. */
export interface StorePatrolsTable {
  id: string;
  listing_id: string;
  version_id: string;
  /** The knowledge snapshot id the patrol brings the listing to. */
  knowledge_to: string;
  job_id: string;
  state: 'running' | 'done' | 'failed';
  result_report_id: string | null;
  new_findings: number | null;
  created_at: Millis;
  updated_at: Millis;
}

// Regulator workflow (migration 0020-regulator; src/workflows/regulator).

export interface RegCampaignsTable {
  id: string;
  /** The regulator's organisation. */
  org_id: string;
  name: string;
  /** JSON: the filters, seed and sample size the apps were selected with, and the candidate count. */
  selection: string;
  created_by: string | null;
  created_at: Millis;
}

export interface RegCampaignItemsTable {
  id: string;
  campaign_id: string;
  app_id: string;
  /** The app's organisation (the developer): detection jobs run in it, so results attach to its app. */
  app_org_id: string;
  package_name: string;
  listing_id: string;
  /** rerun (rules on the latest stored facts) | scan (the listed version's package) | none */
  mode: string;
  job_id: string | null;
  report_id: string | null;
  /** queued | succeeded | failed | skipped */
  state: string;
  reason: string | null;
  created_at: Millis;
}

/** A campaign's findings by triage state (migration 0061), kept by the writes of reg_findings. */
export interface RegCampaignCountsTable {
  campaign_id: string;
  state: string;
  n: number;
}

export interface RegFindingsTable {
  id: string;
  campaign_id: string;
  item_id: string;
  finding_id: string;
  report_id: string;
  app_id: string;
  app_org_id: string;
  fingerprint: string;
  rule_id: string;
  severity: string;
  measures: string;
  /** new | confirmed | dismissed */
  state: string;
  note: string | null;
  decided_by: string | null;
  decided_at: Millis | null;
  created_at: Millis;
}

export interface RegBulletinsTable {
  id: string;
  org_id: string;
  /** draft | published */
  state: string;
  title: string;
  title_zh: string;
  measure: string;
  legal_basis: string;
  /** JSON string[] */
  sdk_prefixes: string;
  /** JSON string[] */
  domains: string;
  /** JSON string[] */
  ips: string;
  /** date | working-days */
  deadline_kind: string;
  /** The date (YYYY-MM-DD) or the number of working days, as given. */
  deadline_value: string;
  /** Asia/Shanghai date, fixed at publication. */
  due_date: string | null;
  provisional: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: Millis;
  published_at: Millis | null;
  updated_at: Millis;
}

export interface RegBulletinItemsTable {
  id: string;
  bulletin_id: string;
  app_id: string;
  developer_org_id: string;
  package_name: string;
  signer_sha256: string | null;
  /** JSON string[]: the confirmed findings' fingerprints the re-test looks for. */
  fingerprints: string;
  /** JSON: per finding its rule, severity, measures, report. */
  evidence: string;
  /** draft | open | retesting | closed | escalated */
  state: string;
  retest_job_id: string | null;
  retest_report_id: string | null;
  retest_attempts: ColumnType<number, number | undefined, number>;
  /** When the current/last re-test was submitted: on or before the due date, a re-test the developer asked for. */
  retest_requested_at: Millis | null;
  due_date: string | null;
  closed_at: Millis | null;
  /** 1 when rectified by the deadline's re-test, 0 when escalated, null while open. */
  on_time: number | null;
  updated_at: Millis;
}

export interface RegRemovalOrdersTable {
  id: string;
  item_id: string;
  bulletin_id: string;
  package_name: string;
  signer_sha256: string | null;
  sdk_prefixes: string;
  domains: string;
  ips: string;
  legal_basis: string;
  valid_until: string;
  issued_at: Millis;
}

export interface RegDelistingTasksTable {
  id: string;
  order_id: string;
  listing_id: string;
  store_id: string;
  /** open | done */
  state: string;
  created_at: Millis;
  done_by: string | null;
  done_at: Millis | null;
}

export interface RegRankingSnapshotsTable {
  id: string;
  computed_at: Millis;
  duration_ms: number;
  /** JSON: the rankings (src/workflows/regulator/rankings.ts RankingSnapshot). */
  body: string;
}

export interface RegCreditAppealsTable {
  id: string;
  developer_org_id: string;
  /** What is appealed: "credit" or a bulletin item / finding id. */
  subject: string;
  text: string;
  /** filed | upheld | rejected */
  state: string;
  decision_note: string | null;
  decided_by: string | null;
  decided_at: Millis | null;
  created_by: string | null;
  created_at: Millis;
}

/** One re-fetch of a listing's download URL (migration 0011-store-download-url). */
export interface StoreRefetchesTable {
  id: string;
  listing_id: string;
  version_id: string;
  url: string;
  /** same (the listed bytes) | hot-update (other bytes under the same version) | failed (retried at the next run) */
  outcome: 'same' | 'hot-update' | 'failed';
  /** The listed version's blob. */
  listed_sha256: string;
  fetched_sha256: string | null;
  size: number | null;
  /** Why the fetch failed: a code and the message. */
  error: string | null;
  /** The scan of the fetched blob (hot-update). */
  job_id: string | null;
  checked_at: Millis;
}

/** A scanned version's package-prefix set: its header (migration 0050). */
export interface VersionPrefixSetsTable {
  version_id: string;
  /** The engine's READERS_VERSION that read the package. */
  readers: number;
  /** Every prefix of 1..depth segments in the code is listed (4 unless the cap cut deeper levels). */
  depth: number;
  cap: number;
  /** Deeper prefixes left out by the cap. */
  omitted: number;
  /** How many prefixes are listed. */
  prefixes: number;
  report_id: string | null;
  created_at: number;
}

/** One package prefix (dotted, 1–4 segments) present in a version's code. */
export interface VersionPackagePrefixesTable {
  prefix: string;
  version_id: string;
}

/** A re-scan of a listed version after an SDK-catalogue or readers change. */
export interface StoreRescansTable {
  id: string;
  listing_id: string;
  version_id: string;
  reason: 'sdk-data' | 'readers';
  /** The catalogue id or `readers/N` the re-scan brings the version to. */
  target: string;
  /** JSON: the changed prefixes the version holds (up to 20), or null (readers change, unknown set). */
  prefixes: string | null;
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  job_id: string | null;
  result_report_id: string | null;
  new_findings: number | null;
  note: string | null;
  created_at: number;
  updated_at: number;
}

/** What the store last reconciled its versions with: the readers' version and the SDK signatures. */
export interface StoreRescanStateTable {
  name: string;
  readers: number;
  /** A hash over `signatures`. */
  catalogue: string;
  /** JSON: { sdkId: { hash, keys } }, keys = the entry's prefixes as searched (prefixKey). */
  signatures: string;
  updated_at: number;
}
