/**
 * What detection needs from the sensitive-API and permission catalogues, from the package's data
 * or from another folder laid out alike (tests use small fixture catalogues).
 */
import { platformPermissions } from '../catalog/permissions.js';
import { sensitiveApis, type SensitiveApi } from '../catalog/sensitive-apis.js';

export type SensitiveApiSpec = SensitiveApi;

export function readSensitiveApiSpecs(dataDir?: string): readonly SensitiveApiSpec[] {
  return sensitiveApis(dataDir);
}

const dangerousCache = new Map<string | undefined, Set<string>>();

/** Runtime ("dangerous") permissions: the ones the user is asked for. */
export function readDangerousPermissions(dataDir?: string): Set<string> {
  let out = dangerousCache.get(dataDir);
  if (!out) {
    out = new Set([...platformPermissions(dataDir).values()].filter((p) => p.protectionLevels.includes('dangerous')).map((p) => p.name));
    dangerousCache.set(dataDir, out);
  }
  return out;
}
