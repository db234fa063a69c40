// The platform's public API; filled by the platform-core work.
export { buildApp, type Api, type AppOptions } from './http/app.js';
export { ACCESS, ACTORS, type Actor, type RouteAccess, type Scope } from './http/access.js';
export { PROBLEMS, type ProblemCode } from './http/problems.js';
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
