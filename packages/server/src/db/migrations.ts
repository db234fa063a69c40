import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { listingSearchText } from '../workflows/store/search.js';

// Migrations are code in the package (not files found at run time), so the bundled CLI and a fresh
// clone carry the same list. The DDL is written once for both dialects: `bigint` is a 64-bit integer
// on both (SQLite gives it INTEGER affinity), ids and JSON are `text`. A migration is never edited
// once released; a change is a new entry.

export const migrations: Record<string, Migration> = {
  '0001-platform-core': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('memberships')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'org_id'])
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('csrf_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('login_failures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_failures_key_at').on('login_failures').columns(['key', 'at']).execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_org_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .execute();
      await db.schema
        .createTable('blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('user_id', 'text')
        .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('apps_org_package', ['org_id', 'package_name'])
        .execute();
      await db.schema
        .createTable('versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('version_code', 'text')
        .addColumn('version_name', 'text')
        .addColumn('signer_sha256', 'text')
        .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('versions_app_blob', ['app_id', 'blob_sha256'])
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('run_after', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('progress', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      // The claim query: queued jobs due now, by priority then age, per organisation for fairness.
      await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'run_after', 'priority']).execute();
      await db.schema.createIndex('jobs_org_state').on('jobs').columns(['org_id', 'state']).execute();
      await db.schema
        .createTable('job_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('worker', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('outcome', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addUniqueConstraint('job_attempts_job_attempt', ['job_id', 'attempt'])
        .execute();
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) => c.notNull().unique().references('jobs.id'))
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text')
        .addColumn('knowledge_id', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('facts', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reports_org').on('reports').columns(['org_id', 'id']).execute();
      await db.schema.createIndex('reports_version').on('reports').column('version_id').execute();
      await db.schema
        .createTable('findings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('measures', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('findings_report_fingerprint', ['report_id', 'fingerprint'])
        .execute();
      await db.schema.createIndex('findings_app_fingerprint').on('findings').columns(['app_id', 'fingerprint']).execute();
      await db.schema
        .createTable('knowledge_snapshots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['delivered_at', 'id']).execute();
    },
  },
  '0002-job-fairness': {
    // The fair claim (src/jobs/sql.ts) picks the organisation first: its due jobs by priority, and
    // when each organisation last had a job claimed (round-robin among organisations with work).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('job_org_turns')
        .addColumn('org_id', 'text', (c) => c.primaryKey())
        .addColumn('last_claim_at', 'bigint', (c) => c.notNull())
        .addColumn('claims', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('jobs_state_org_priority').on('jobs').columns(['state', 'org_id', 'priority', 'run_after']).execute();
      await db.schema.createIndex('jobs_state_lease').on('jobs').columns(['state', 'lease_until']).execute();
    },
  },
  '0003-calendar-years': {
    // Working-day arrangements imported with `apprights admin calendar import`: one row per year,
    // overlaying the data file shipped with the package (src/calendar/store.ts), so a running
    // platform learns next year's holidays without a release.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calendar_years')
        .addColumn('year', 'integer', (c) => c.primaryKey())
        .addColumn('arrangement', 'text', (c) => c.notNull())
        .addColumn('source_url', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0004-scheduler': {
    // The periodic work runs on one node at a time: whoever holds this row's lease (src/scheduler.ts).
    // A lease row rather than pg_advisory_lock, so the same code and tests hold on SQLite too (an
    // embedded server beside a worker process sharing its file).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('scheduler_lease')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('scheduler_runs')
        .addColumn('task', 'text', (c) => c.primaryKey())
        .addColumn('last_run_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .execute();
    },
  },
  '0005-workflow-events': {
    // Outbox events handed to the workflows (src/workflows/events.ts): one row per handler and event,
    // so an effect happens once; the cursor keeps the dispatcher from re-reading the whole outbox.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_deliveries')
        .addColumn('handler', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_deliveries_pk', ['handler', 'event_id'])
        .execute();
      await db.schema
        .createTable('event_cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_created').on('outbox').columns(['created_at', 'id']).execute();
    },
  },
  '0006-workflow-shared': {
    // What several workflows read: the apps a store lists (store gatekeeping writes them; disclosure,
    // patrol, bulletins, removal orders, verdicts and rankings read them) and the notifications to an
    // organisation (every workflow writes them; the notifications workflow delivers them).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('listings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('developer_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('version_id', 'text', (c) => c.references('versions.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('elements', 'text', (c) => c.notNull())
        .addColumn('app_type', 'text')
        .addColumn('listed_at', 'bigint')
        .addColumn('delisted_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('listings_store_package', ['store_id', 'package_name'])
        .execute();
      await db.schema.createIndex('listings_state').on('listings').columns(['state', 'id']).execute();
      await db.schema.createIndex('listings_package').on('listings').columns(['package_name']).execute();
      await db.schema
        .createTable('notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('title_en', 'text', (c) => c.notNull())
        .addColumn('title_zh', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .execute();
      await db.schema.createIndex('notifications_org').on('notifications').columns(['org_id', 'id']).execute();
    },
  },
  '0010-store': {
    // Store gatekeeping (src/workflows/store): developer identities that a store admin verifies, each
    // store's gate policy in versions, and submissions (package + six elements) with their detection
    // jobs, gate outcome and review. Listings themselves are the shared `listings` table (0006).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('store_developers')
        .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id'))
        .addColumn('enterprise_name', 'text', (c) => c.notNull())
        .addColumn('credit_code', 'text', (c) => c.notNull())
        .addColumn('filing_number', 'text')
        .addColumn('contacts', 'text', (c) => c.notNull())
        .addColumn('documents', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_store_id', 'text')
        .addColumn('decision_comment', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('store_gate_policies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('store_gate_policies_version', ['store_id', 'version'])
        .execute();
      await db.schema
        .createTable('store_submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('store_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('developer_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('blob_sha256', 'text', (c) => c.notNull())
        .addColumn('elements', 'text', (c) => c.notNull())
        .addColumn('app_type', 'text', (c) => c.notNull())
        .addColumn('gate_version', 'integer', (c) => c.notNull())
        .addColumn('resubmission_of', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('scan_job_id', 'text')
        .addColumn('policy_job_id', 'text')
        .addColumn('scan_report_id', 'text')
        .addColumn('policy_report_id', 'text')
        .addColumn('policy_error', 'text')
        .addColumn('version_id', 'text')
        .addColumn('diff', 'text')
        .addColumn('outcome', 'text')
        .addColumn('reasons', 'text')
        .addColumn('claimed_by', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decision_comment', 'text')
        .addColumn('listing_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('store_submissions_store').on('store_submissions').columns(['store_id', 'id']).execute();
      await db.schema.createIndex('store_submissions_developer').on('store_submissions').columns(['developer_org_id', 'id']).execute();
      await db.schema.createIndex('store_submissions_scan_job').on('store_submissions').columns(['scan_job_id']).execute();
      await db.schema.createIndex('store_submissions_policy_job').on('store_submissions').columns(['policy_job_id']).execute();
      // What the public disclosure shows for a listed app (from the report that listed it), and each
      // version's SDKs, so "listed apps embedding SDK X" is one indexed query.
      await db.schema
        .createTable('store_listing_checks')
        .addColumn('listing_id', 'text', (c) => c.primaryKey().references('listings.id'))
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('knowledge_id', 'text')
        .addColumn('sdks', 'text', (c) => c.notNull())
        .addColumn('coverage', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        .execute();
      // Patrols: one rerun-rules job per listed version and rule catalogue (knowledge snapshot).
      await db.schema
        .createTable('store_patrols')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('knowledge_to', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('result_report_id', 'text')
        .addColumn('new_findings', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('store_patrols_listing')
        .on('store_patrols')
        .columns(['listing_id', 'version_id', 'knowledge_to'])
        .execute();
      await db.schema.createIndex('store_patrols_job').on('store_patrols').columns(['job_id']).execute();
    },
  },
  '0030-stop-access': {
    // Stop-access orders, their append-only numbered feed, providers' acknowledgements and the
    // Ed25519 key that signs what the feed and the verdicts answer (src/workflows/stop-access).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('stop_access_orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('regulator_org_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('removal_order_id', 'text', (c) => c.unique())
        .addColumn('package_names', 'text', (c) => c.notNull())
        .addColumn('signer_sha256s', 'text', (c) => c.notNull())
        .addColumn('sdk_prefixes', 'text', (c) => c.notNull())
        .addColumn('domains', 'text', (c) => c.notNull())
        .addColumn('ips', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'bigint', (c) => c.notNull())
        .addColumn('valid_until', 'bigint')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('stop_access_feed')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('stop_access_orders.id'))
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('stop_access_counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      // The row exists from the start, so appenders only ever lock it (no insert race).
      await sql`insert into stop_access_counters (name, value) values ('feed', 0)`.execute(db);
      await db.schema
        .createTable('stop_access_acks')
        .addColumn('provider_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('seq', 'bigint', (c) => c.notNull().references('stop_access_feed.seq'))
        .addColumn('acked_at', 'bigint', (c) => c.notNull())
        .addColumn('acked_by', 'text')
        .addColumn('late', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('stop_access_acks_pk', ['provider_org_id', 'seq'])
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('public_pem', 'text', (c) => c.notNull())
        .addColumn('private_pem', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0031-terminal': {
    // Terminal makers: listed labels folded for look-alike checks, and permission-usage imports.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('terminal_labels')
        .addColumn('listing_id', 'text', (c) => c.primaryKey())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('folded_label', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('signer_sha256', 'text')
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('terminal_labels_folded').on('terminal_labels').columns(['folded_label']).execute();
      await db.schema
        .createTable('terminal_usage_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('created_by', 'text')
        .addColumn('lines', 'integer', (c) => c.notNull())
        .addColumn('imported', 'integer', (c) => c.notNull())
        .addColumn('rejected', 'integer', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('terminal_usage_records')
        .addColumn('import_id', 'text', (c) => c.notNull().references('terminal_usage_imports.id').onDelete('cascade'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('permission', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('background', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', 'bigint')
        .addPrimaryKeyConstraint('terminal_usage_records_pk', ['import_id', 'line'])
        .execute();
    },
  },
  '0032-notifications': {
    // Webhooks per organisation and one delivery row per (webhook, notification), retried with backoff.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('topics', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .execute();
      await db.schema.createIndex('webhooks_org').on('webhooks').columns(['org_id', 'id']).execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addUniqueConstraint('webhook_deliveries_once', ['webhook_id', 'notification_id'])
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_at']).execute();
    },
  },
  '0040-sdk-registry': {
    // SDK vendors' published SDKs (src/workflows/sdk-registry): identity in the detection
    // catalogue's own entry format, versions with their PI, proposals to the catalogue with their
    // reviews, and an index of the SDKs each scanned version embeds (filled on job.succeeded).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sdk_registry_sdks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vendor_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('catalog_id', 'text', (c) => c.notNull().unique())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('compliance_guide_url', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sdk_registry_sdks_vendor').on('sdk_registry_sdks').columns(['vendor_org_id', 'id']).execute();
      await db.schema
        .createTable('sdk_registry_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sdk_id', 'text', (c) => c.notNull().references('sdk_registry_sdks.id'))
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('personal_information', 'text', (c) => c.notNull())
        .addColumn('config_options', 'text', (c) => c.notNull())
        .addColumn('flagged_at', 'bigint')
        .addColumn('flag_reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('sdk_registry_versions_sdk_version', ['sdk_id', 'version'])
        .execute();
      await db.schema
        .createTable('sdk_proposals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sdk_id', 'text', (c) => c.notNull().references('sdk_registry_sdks.id'))
        .addColumn('vendor_org_id', 'text', (c) => c.notNull())
        .addColumn('author_user_id', 'text', (c) => c.notNull())
        .addColumn('catalog_id', 'text', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .execute();
      await db.schema.createIndex('sdk_proposals_state').on('sdk_proposals').columns(['state', 'id']).execute();
      await db.schema
        .createTable('sdk_proposal_reviews')
        .addColumn('proposal_id', 'text', (c) => c.notNull().references('sdk_proposals.id'))
        .addColumn('reviewer_user_id', 'text', (c) => c.notNull())
        .addColumn('reviewer_org_id', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sdk_proposal_reviews_pk', ['proposal_id', 'reviewer_user_id'])
        .execute();
      await db.schema
        .createTable('sdk_version_index')
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('sdk_id', 'text', (c) => c.notNull())
        .addColumn('sdk_version', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sdk_version_index_pk', ['version_id', 'sdk_id', 'sdk_version'])
        .execute();
      await db.schema
        .createIndex('sdk_version_index_sdk')
        .on('sdk_version_index')
        .columns(['sdk_id', 'sdk_version', 'version_id'])
        .execute();
    },
  },
  '0041-complaints': {
    // Complaints from the public about a listed app, routed to its operator (src/workflows/complaints).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('complaints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('listing_id', 'text', (c) => c.notNull().references('listings.id'))
        .addColumn('operator_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('contact', 'text')
        .addColumn('received_on', 'text', (c) => c.notNull())
        .addColumn('accept_due', 'text', (c) => c.notNull())
        .addColumn('answer_due', 'text', (c) => c.notNull())
        .addColumn('provisional', 'integer', (c) => c.notNull())
        .addColumn('accepted_at', 'bigint')
        .addColumn('answered_at', 'bigint')
        .addColumn('answered_on', 'text')
        .addColumn('answer', 'text')
        .addColumn('closed_at', 'bigint')
        .addColumn('escalated_at', 'bigint')
        .addColumn('escalation_reason', 'text')
        .addColumn('reminded', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('complaints_operator').on('complaints').columns(['operator_org_id', 'id']).execute();
      await db.schema.createIndex('complaints_state').on('complaints').columns(['state', 'accept_due']).execute();
      await db.schema.createIndex('complaints_received').on('complaints').columns(['received_on', 'operator_org_id']).execute();
    },
  },
  '0042-renewals': {
    // Auto-renewal charges and reminder logs imported by an operator (src/workflows/renewals).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('renewal_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('user_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('bom', 'integer', (c) => c.notNull())
        .addColumn('lines', 'bigint', (c) => c.notNull())
        .addColumn('imported', 'bigint', (c) => c.notNull())
        .addColumn('rejected', 'bigint', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('renewal_imports_org').on('renewal_imports').columns(['org_id', 'id']).execute();
      await db.schema
        .createTable('renewal_charges')
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('line', 'bigint', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('subscription', 'text', (c) => c.notNull())
        .addColumn('charge_day', 'integer', (c) => c.notNull())
        .addColumn('amount', 'text')
        .addColumn('product', 'text')
        .addPrimaryKeyConstraint('renewal_charges_pk', ['import_id', 'line'])
        .execute();
      await db.schema.createIndex('renewal_charges_app').on('renewal_charges').columns(['org_id', 'package_name', 'charge_day']).execute();
      await db.schema
        .createTable('renewal_reminders')
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('line', 'bigint', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('subscription', 'text', (c) => c.notNull())
        .addColumn('sent_day', 'integer', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('conspicuous', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('renewal_reminders_pk', ['import_id', 'line'])
        .execute();
      await db.schema
        .createIndex('renewal_reminders_sub')
        .on('renewal_reminders')
        .columns(['org_id', 'package_name', 'subscription', 'sent_day'])
        .execute();
    },
  },
  '0020-regulator': {
    // The regulator's workflow (src/workflows/regulator): campaigns and their detection jobs, triage
    // of what they found, bulletins (通报) with their items per app, removal orders with the
    // stores' delisting tasks, ranking snapshots and credit appeals. Reads `listings`, never writes
    // it except a store admin's "delisted" through a delisting task.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reg_campaigns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('selection', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('reg_campaign_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('campaign_id', 'text', (c) => c.notNull().references('reg_campaigns.id'))
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('app_org_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('report_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('reg_campaign_items_app', ['campaign_id', 'app_id'])
        .execute();
      await db.schema.createIndex('reg_campaign_items_job').on('reg_campaign_items').column('job_id').execute();
      await db.schema
        .createTable('reg_findings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('campaign_id', 'text', (c) => c.notNull().references('reg_campaigns.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('finding_id', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('app_org_id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('measures', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('reg_findings_finding', ['campaign_id', 'finding_id'])
        .execute();
      await db.schema.createIndex('reg_findings_campaign').on('reg_findings').columns(['campaign_id', 'id']).execute();
      await db.schema
        .createTable('reg_bulletins')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('title_zh', 'text', (c) => c.notNull())
        .addColumn('measure', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('sdk_prefixes', 'text', (c) => c.notNull())
        .addColumn('domains', 'text', (c) => c.notNull())
        .addColumn('ips', 'text', (c) => c.notNull())
        .addColumn('deadline_kind', 'text', (c) => c.notNull())
        .addColumn('deadline_value', 'text', (c) => c.notNull())
        .addColumn('due_date', 'text')
        .addColumn('provisional', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('published_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reg_bulletins_state').on('reg_bulletins').columns(['state', 'id']).execute();
      await db.schema
        .createTable('reg_bulletin_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bulletin_id', 'text', (c) => c.notNull().references('reg_bulletins.id'))
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('developer_org_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('signer_sha256', 'text')
        .addColumn('fingerprints', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('retest_job_id', 'text')
        .addColumn('retest_report_id', 'text')
        .addColumn('retest_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retest_requested_at', 'bigint')
        .addColumn('due_date', 'text')
        .addColumn('closed_at', 'bigint')
        .addColumn('on_time', 'integer')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('reg_bulletin_items_app', ['bulletin_id', 'app_id'])
        .execute();
      await db.schema.createIndex('reg_bulletin_items_state').on('reg_bulletin_items').columns(['state', 'due_date']).execute();
      await db.schema.createIndex('reg_bulletin_items_job').on('reg_bulletin_items').column('retest_job_id').execute();
      await db.schema
        .createTable('reg_removal_orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('item_id', 'text', (c) => c.notNull().unique())
        .addColumn('bulletin_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('signer_sha256', 'text')
        .addColumn('sdk_prefixes', 'text', (c) => c.notNull())
        .addColumn('domains', 'text', (c) => c.notNull())
        .addColumn('ips', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('valid_until', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('reg_delisting_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('reg_removal_orders.id'))
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('done_by', 'text')
        .addColumn('done_at', 'bigint')
        .addUniqueConstraint('reg_delisting_tasks_listing', ['order_id', 'listing_id'])
        .execute();
      await db.schema.createIndex('reg_delisting_tasks_store').on('reg_delisting_tasks').columns(['store_id', 'id']).execute();
      await db.schema
        .createTable('reg_ranking_snapshots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('computed_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('reg_credit_appeals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('developer_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decision_note', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reg_credit_appeals_org').on('reg_credit_appeals').columns(['developer_org_id', 'id']).execute();
      // Core table, read here by report (a re-test's findings, a campaign report's triage list) and
      // by app's newest report (rankings, credit): without these both scan every finding.
      await db.schema.createIndex('findings_report').on('findings').column('report_id').execute();
      await db.schema.createIndex('findings_app_report').on('findings').columns(['app_id', 'report_id']).execute();
    },
  },
  '0011-store-download-url': {
    // The store's re-fetch (src/workflows/store/refetch.ts): a listing may carry the URL its binary is
    // downloaded from; a scheduled task fetches it and compares the bytes with the listed version's,
    // so a binary swapped without a new version (热更新) is found. One row per fetch.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('listings').addColumn('download_url', 'text').execute();
      await db.schema.alterTable('store_submissions').addColumn('download_url', 'text').execute();
      await db.schema
        .createTable('store_refetches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('listed_sha256', 'text', (c) => c.notNull())
        .addColumn('fetched_sha256', 'text')
        .addColumn('size', 'bigint')
        .addColumn('error', 'text')
        .addColumn('job_id', 'text')
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('store_refetches_listing').on('store_refetches').columns(['listing_id', 'checked_at']).execute();
    },
  },
  '0050-version-package-prefixes': {
    // Each scanned version's package-prefix set (the engine's facts.packagePrefixes), so a change of
    // the SDK catalogue re-scans only the versions whose code lies under a changed signature's
    // prefix (src/workflows/store/rescan.ts): "which versions contain prefix P" is one lookup of the
    // (prefix, version_id) primary key. The set's header keeps the readers' version that made it and
    // how deep it is complete (the cap). store_rescans are the re-scans a catalogue or readers change
    // queued; store_rescan_state is the catalogue and readers version the store last reconciled.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('version_prefix_sets')
        .addColumn('version_id', 'text', (c) => c.primaryKey())
        .addColumn('readers', 'integer', (c) => c.notNull())
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addColumn('cap', 'integer', (c) => c.notNull())
        .addColumn('omitted', 'integer', (c) => c.notNull())
        .addColumn('prefixes', 'integer', (c) => c.notNull())
        .addColumn('report_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('version_prefix_sets_readers').on('version_prefix_sets').columns(['readers', 'version_id']).execute();
      await db.schema
        .createTable('version_package_prefixes')
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('version_package_prefixes_pk', ['prefix', 'version_id'])
        .execute();
      await db.schema.createIndex('version_package_prefixes_version').on('version_package_prefixes').columns(['version_id']).execute();
      await db.schema
        .createTable('store_rescans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('prefixes', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('result_report_id', 'text')
        .addColumn('new_findings', 'integer')
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('store_rescans_once', ['listing_id', 'version_id', 'target'])
        .execute();
      await db.schema.createIndex('store_rescans_state').on('store_rescans').columns(['state', 'id']).execute();
      await db.schema.createIndex('store_rescans_job').on('store_rescans').columns(['job_id']).execute();
      await db.schema
        .createTable('store_rescan_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('readers', 'integer', (c) => c.notNull())
        .addColumn('catalogue', 'text', (c) => c.notNull())
        .addColumn('signatures', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0051-claim-turn': {
    // The fair claim (src/jobs/sql.ts) seeks its way through the queue: the top priority, then the
    // organisations with a due job at it in id order from where the claimer's turn stands, then that
    // organisation's oldest job, each a seek on this index instead of a pass over every queued job.
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('jobs_claim_turn').on('jobs').columns(['state', 'priority', 'org_id', 'id']).execute();
    },
  },
  '0052-result-writes': {
    // What each job result costs to write. findings_report (report_id) repeats the leading column
    // of the unique (report_id, fingerprint) index, which answers the same lookups: one index fewer
    // to update for each of a report's findings (a re-run writes ~100). On PostgreSQL, report bodies
    // and facts (20–300 KB of JSON each) are compressed with lz4 instead of pglz when the server has
    // it: about 3× less CPU to write a re-run's body (0.5 ms instead of 1.6 ms, measured), and faster
    // reads of the facts a re-run starts from. Existing values keep their compression until rewritten.
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('findings_report').execute();
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      const { rows } = await sql<{ lz4: boolean }>`
        select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db);
      if (rows[0]?.lz4)
        await sql`alter table reports alter column body set compression lz4, alter column facts set compression lz4`.execute(db);
    },
  },
  '0060-console-reads': {
    // What the public pages read on every build, at the 100,000-app market: the stores a filter form
    // offers (organisations by kind and name, not a scan of every developer organisation); a
    // bulletin's items in the order the page shows them (by bulletin, then package); and the
    // disclosure list's search, which read every listing's whole elements JSON: listings.search_text
    // (name and package, lowercased), in an index beside state and id, so a search walks the index
    // newest first and reads a listing only when it matches; a store's listings newest first (the
    // store filter), without sorting every listing of the store.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('listings').addColumn('search_text', 'text').execute();
      const listings = db as unknown as Kysely<{
        listings: { id: string; package_name: string; elements: string; search_text: string | null };
      }>;
      for (;;) {
        const rows = await listings
          .selectFrom('listings')
          .select(['id', 'package_name', 'elements'])
          .where('search_text', 'is', null)
          .orderBy('id')
          .limit(1000)
          .execute();
        if (rows.length === 0) break;
        for (const row of rows)
          await listings
            .updateTable('listings')
            .set({ search_text: listingSearchText(row.package_name, row.elements) })
            .where('id', '=', row.id)
            .execute();
      }
      await db.schema.createIndex('listings_search').on('listings').columns(['state', 'id', 'search_text']).execute();
      // listings_state (state, id) is this index's prefix: without it the planner cannot take the
      // narrower one and read every listing's row to test its search text.
      await db.schema.dropIndex('listings_state').execute();
      await db.schema.createIndex('listings_store').on('listings').columns(['store_id', 'state', 'id']).execute();
      await db.schema.createIndex('organisations_kind').on('organisations').columns(['kind', 'name']).execute();
      await db.schema
        .createIndex('reg_bulletin_items_bulletin')
        .on('reg_bulletin_items')
        .columns(['bulletin_id', 'package_name'])
        .execute();
    },
  },
  '0061-campaign-finding-counts': {
    // (Numbered after 0060: a database that ran 0060 refuses a migration named before it.)
    // A campaign's findings by triage state, kept as they change (copied in: new; triaged: new →
    // confirmed | dismissed) instead of counted on every read of the campaign: a 10,000-app campaign
    // holds about 1.26 M findings, and counting them took the campaign's page (and the bench's
    // progress poll) from milliseconds to seconds, on the same thread as the event dispatch.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reg_campaign_counts')
        .addColumn('campaign_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reg_campaign_counts_pk', ['campaign_id', 'state'])
        .execute();
      await sql`insert into reg_campaign_counts (campaign_id, state, n)
        select campaign_id, state, count(*) from reg_findings group by campaign_id, state`.execute(db);
    },
  },
  '0062-search-list-reads': {
    // The disclosure list, at the 100,000-app market. Its search for a rare text walked every
    // listing's search text (a word no app has: all 100,000, on each cold build of the page): a
    // trigram index names the few listings that can hold it (src/workflows/store/search.ts asks it,
    // then checks each with the same LIKE). And each page's "last check" column read the reports of its
    // 50 versions: on SQLite each report's row up to created_at, past its body (15 KB of overflow
    // pages, out of the page cache in a 5 GB file: 20 ms for one page): an index that holds what it
    // reads, in which reports_version (version_id) is the prefix, so that one goes.
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('reports_version_checks').on('reports').columns(['version_id', 'kind', 'id', 'created_at']).execute();
      await db.schema.dropIndex('reports_version').execute();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (a database owner may
        // create it), but a server without contrib or a role without CREATE cannot: then no index,
        // and the search walks as before (docs/platform.md). A savepoint, so that a refusal does
        // not abort the migration's transaction.
        await sql`savepoint search_trigrams`.execute(db);
        try {
          await sql`create extension if not exists pg_trgm`.execute(db);
        } catch {
          await sql`rollback to savepoint search_trigrams`.execute(db);
          return;
        }
        await sql`release savepoint search_trigrams`.execute(db);
        await sql`create index listings_search_trgm on listings using gin (search_text gin_trgm_ops)`.execute(db);
        return;
      }
      // SQLite: an FTS5 trigram table without a copy of the text (contentless; rows deletable), keyed
      // by listings_search_keys.n, an INTEGER PRIMARY KEY, because a VACUUM may renumber the listings'
      // own rowids. Case-sensitive: the search text and the reader's text are lowercased already, so
      // the index folds nothing the LIKE would not. Each text is indexed with two newlines after it, so
      // that any two of its characters begin a trigram (how a two-character text is looked up), and the
      // vocabulary (listings_search_terms) lists those trigrams.
      await sql`create table listings_search_keys (n integer primary key, listing_id text not null unique)`.execute(db);
      await sql`create virtual table listings_search_fts using fts5(search_text, content='', contentless_delete=1,
        tokenize='trigram case_sensitive 1')`.execute(db);
      await sql`create virtual table listings_search_terms using fts5vocab(listings_search_fts, 'row')`.execute(db);
      await sql`insert into listings_search_keys (listing_id) select id from listings where search_text is not null`.execute(db);
      await sql`insert into listings_search_fts (rowid, search_text)
        select k.n, l.search_text || char(10, 10) from listings_search_keys k join listings l on l.id = k.listing_id`.execute(db);
      // Kept by triggers, so that every writer of listings (the store workflow, imports, a seed) keeps it.
      const index = sql`insert or ignore into listings_search_keys (listing_id) select new.id where new.search_text is not null;
        insert into listings_search_fts (rowid, search_text)
          select n, new.search_text || char(10, 10) from listings_search_keys where listing_id = new.id and new.search_text is not null;`;
      const unindex = sql`delete from listings_search_fts where rowid = (select n from listings_search_keys where listing_id = old.id);
        delete from listings_search_keys where listing_id = old.id;`;
      await sql`create trigger listings_search_insert after insert on listings begin ${index} end`.execute(db);
      await sql`create trigger listings_search_update after update of id, search_text on listings begin ${unindex} ${index} end`.execute(
        db,
      );
      await sql`create trigger listings_search_delete after delete on listings begin ${unindex} end`.execute(db);
    },
  },
  '0063-triage-room': {
    // PostgreSQL: campaign findings are written once and triaged once (new → confirmed | dismissed,
    // often a whole campaign in one statement: ~1 M rows for 10,000 apps). With full pages every
    // triaged row went to another page and into all three of the table's indexes; with half of each
    // page left free, the new version stays on its page and no index changes (a HOT update: no
    // indexed column changes). 300,000 findings triaged in one statement, 2 shared cores: 7.6–13.8 s
    // at fillfactor 100, 2.1–3.6 s at 50 (60: 4.6 s, 70: 7.5 s); the insert cost the same. The table
    // takes up to twice the pages. Pages written before keep theirs. SQLite has no such setting.
    async up(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await sql`alter table reg_findings set (fillfactor = 50)`.execute(db);
    },
  },
  '0064-listing-filters': {
    // The disclosure list filtered by app type, or by store and type, newest first: without an
    // index that leads with the type, both databases walked every listing backwards by id testing
    // each row's store and type (on PostgreSQL 23,000 rows, 240 ms, for one store's music apps at
    // 100,000 apps; the store's index alone cannot keep id order once the type is fixed). With these
    // the page is read in index order, 51 entries: under 1 ms. The store-only filter keeps
    // listings_store (store_id, state, id).
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('listings_type').on('listings').columns(['app_type', 'state', 'id']).execute();
      await db.schema.createIndex('listings_store_type').on('listings').columns(['store_id', 'app_type', 'state', 'id']).execute();
    },
  },
  '0067-findings-write': {
    // Every job result writes its findings (a rules re-run ~126 rows) into each of the table's
    // indexes. findings_app_fingerprint (app_id, fingerprint) answers no query any more: the reads
    // by app (its newest report, a campaign's rule filter, credit, rankings) lead with app_id and are
    // served as well by findings_app_report (app_id, report_id), and the reads of one report's
    // fingerprints by the unique (report_id, fingerprint). One index fewer to update per finding.
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('findings_app_fingerprint').execute();
    },
  },
};

export class InlineMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}
