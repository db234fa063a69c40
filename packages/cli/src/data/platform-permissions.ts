import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Protection levels of Android platform permissions, from data/platform-permissions.json (generated
 * from the framework's own manifest; see scripts/generate-platform-permissions.ts).
 */
interface PermissionEntry {
  protectionLevel: string;
  group: string | null;
}

let table: Record<string, PermissionEntry> | undefined;

function load(): Record<string, PermissionEntry> {
  // The same relative path works from src/data (tests) and dist/data (the built CLI).
  table ??= (
    JSON.parse(readFileSync(join(packageRoot, 'data/platform-permissions.json'), 'utf8')) as {
      permissions: Record<string, PermissionEntry>;
    }
  ).permissions;
  return table;
}

export function protectionLevelOf(permission: string): string | undefined {
  return load()[permission]?.protectionLevel;
}
