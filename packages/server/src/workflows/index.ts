import type { RouteAccess } from '../http/access.js';
import type { WorkflowModule } from './module.js';
import { storeWorkflow } from './store/index.js';
import { stopAccessWorkflow } from './stop-access/index.js';
import { notificationsWorkflow } from './notifications/index.js';
import { terminalWorkflow } from './terminal/index.js';
import { sdkRegistryWorkflow } from './sdk-registry/index.js';
import { complaintsWorkflow } from './complaints/index.js';
import { renewalsWorkflow } from './renewals/index.js';
import { regulatorWorkflow } from './regulator/index.js';

// The workflows the platform runs, in the order their routes are registered. Add a workflow here
// and its migration in src/db/migrations.ts; nothing else in the core changes.
export const WORKFLOWS: readonly WorkflowModule[] = [
  storeWorkflow,
  stopAccessWorkflow,
  terminalWorkflow,
  notificationsWorkflow,
  sdkRegistryWorkflow,
  complaintsWorkflow,
  renewalsWorkflow,
  regulatorWorkflow,
];

/** Every workflow's access entries; a key defined twice is a programming error caught at start. */
export function workflowAccess(modules: readonly WorkflowModule[] = WORKFLOWS): Record<string, RouteAccess> {
  const merged: Record<string, RouteAccess> = {};
  for (const module of modules)
    for (const [key, access] of Object.entries(module.access)) {
      if (merged[key]) throw new Error(`route ${key} is declared by two workflows`);
      merged[key] = access;
    }
  return merged;
}
