import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The report and facts JSON Schemas, beside the types they describe (this package's `schemas/`).
 * Found next to this module (src/ or dist/), else through the package name: the CLI's bundle holds
 * this code in another folder.
 */
function findSchemas(): string {
  const local = fileURLToPath(new URL('../schemas/', import.meta.url));
  if (existsSync(join(local, 'scan-report.schema.json'))) return local;
  return fileURLToPath(new URL('./schemas/', import.meta.resolve('@apprights/engine/package.json')));
}

export const schemasDir = findSchemas();
