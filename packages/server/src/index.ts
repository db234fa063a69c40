// The platform's public API: a handful of curated names (what `apprights serve | worker | migrate |
// admin` and embedders need), not `export *`.
export { defaultConfig, loadConfig, parseSize, ConfigError, type ConfigFlags, type ServerConfig, type WorkerConfig } from './config.js';
export { openStore, migrate, type Store, type OpenOptions } from './db/open.js';
export { LocalBlobStore, BlobTooLargeError, type BlobStore, type StoredBlob } from './blobs/store.js';
export type { Platform } from './platform.js';
export { seedDemo, type DemoAccount, type DemoSeed } from './demo.js';
export { runDemoStory, findDemoApk, DemoStoryError, type DemoStory, type DemoStoryOptions } from './demo-story.js';
export {
  startServer,
  startWorkerNode,
  migrateDatabase,
  adminCreateUser,
  adminRevokeToken,
  adminImportCalendar,
  type RunningServer,
  type RunningWorkers,
  type AdminCreateUserInput,
} from './serve.js';
export { buildApp, type Api, type AppOptions } from './http/app.js';
export { ACTORS, type Actor, type RouteAccess, type Scope } from './http/access.js';
export { ACCESS } from './http/access-table.js';
export { dispatchEvents, type DispatchResult } from './workflows/events.js';
export { listingSearchText } from './workflows/store/search.js';
export { WORKFLOWS } from './workflows/index.js';
export type { WorkflowModule, PlatformEvent, EventHandler } from './workflows/module.js';
export { PROBLEMS, type ProblemCode } from './http/problems.js';
export { createQueue, startWorkers, type CreateQueueOptions, type Workers, type WorkersOptions, type WorkerEvent } from './jobs/index.js';
export type { JobQueue, SubmitJob, JobPayloads, CancelOutcome } from './jobs/types.js';
export {
  AdminError,
  createApiToken,
  createOrganisation,
  createUser,
  ensureOrganisation,
  orgKindForRole,
  findOrganisation,
  hashPassword,
  revokeApiToken,
  writeAudit,
  type AuditActor,
  type OrganisationInput,
  type OrganisationRecord,
  type TokenInput,
  type TokenRecord,
  type UserInput,
  type UserRecord,
} from './admin.js';
export {
  WorkingCalendar,
  CalendarDataError,
  CalendarCoverageError,
  DateCountError,
  buildCalendar,
  shippedCalendarYears,
  parseCalendarYear,
  type CalendarYear,
  type CalendarSource,
  type CountedDate,
  type DayInfo,
  type DayKind,
} from './calendar/calendar.js';
export { CLOCKS, CLOCK_KINDS, deadline, type ClockDefinition, type ClockKind, type Deadline } from './calendar/clocks.js';
export { systemClock, TestClock, today, type Clock } from './calendar/clock.js';
export { isPlainDate, shanghaiDate, type PlainDate } from './calendar/dates.js';
export { importCalendarYear, importedCalendarYears, loadCalendar, type ImportedYear } from './calendar/store.js';
