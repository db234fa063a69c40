import { CORE_ACCESS, type RouteAccess } from './access.js';
import { workflowAccess } from '../workflows/index.js';
import { CONSOLE_ACCESS } from '../console/routes.js';
import { CONSOLE_APP_ACCESS } from '../console/pages.js';
import { CONSOLE_WORKFLOW_ACCESS } from '../console/workflow-screens.js';

// The one table of who may call each route: the core's entries (access.ts) and every workflow's
// (src/workflows/<name>, listed in src/workflows/index.ts). Apart from access.ts so that a workflow
// can take the role groups from access.ts without an import cycle.

export const ACCESS: Readonly<Record<string, RouteAccess>> = mergeAccess(
  mergeAccess(mergeAccess(mergeAccess(CORE_ACCESS, CONSOLE_ACCESS), CONSOLE_APP_ACCESS), CONSOLE_WORKFLOW_ACCESS),
  workflowAccess(),
);

function mergeAccess(
  core: Readonly<Record<string, RouteAccess>>,
  more: Readonly<Record<string, RouteAccess>>,
): Record<string, RouteAccess> {
  for (const key of Object.keys(more)) if (core[key]) throw new Error(`route ${key} is declared by the core and a workflow`);
  return { ...core, ...more };
}
