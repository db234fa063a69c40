import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The report and facts JSON Schemas, beside the types they describe (this package's `schemas/`).
 * Found next to this module (src/ or dist/), else through the package name: the CLI's bundle holds
 * this code in another folder.
 */
function findSchemas(): string {
  const local = fileURLToPath(new URL('../schemas/', import.meta.url));
  if (existsSync(join(local, 'scan-report.schema.json'))) return local;
  return join(dirname(createRequire(import.meta.url).resolve('@apprights/engine/package.json')), 'schemas/');
}

export const schemasDir = findSchemas();
