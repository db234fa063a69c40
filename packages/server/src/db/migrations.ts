import type { Kysely, Migration, MigrationProvider } from 'kysely';

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
};

export class InlineMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}
