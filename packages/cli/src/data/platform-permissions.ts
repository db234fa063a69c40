import { readFileSync } from 'node:fs';

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
    JSON.parse(readFileSync(new URL('../../data/platform-permissions.json', import.meta.url), 'utf8')) as {
      permissions: Record<string, PermissionEntry>;
    }
  ).permissions;
  return table;
}

export function protectionLevelOf(permission: string): string | undefined {
  return load()[permission]?.protectionLevel;
}
