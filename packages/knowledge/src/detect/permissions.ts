/**
 * Requested permissions against the sensitive APIs the code calls. Only permissions the API
 * catalogue covers are judged: a permission used through an intent, a system service the catalogue
 * does not list, or the platform itself (e.g. CAMERA via the camera app) would otherwise always
 * look unused.
 */
import type { PackageAnalysis } from '@apprights/apk';
import { readDangerousPermissions, type SensitiveApiSpec } from './api-data.js';
import type { SensitiveApiUse } from './sensitive-apis.js';
import type { Reach } from './reachability.js';

export interface PermissionUse {
  /** Dangerous permissions requested whose catalogue APIs are called nowhere in the package. */
  declaredUnused: string[];
  /** Permissions needed by called APIs but not requested (none of the alternatives, for any-of lists). */
  usedUndeclared: string[];
  /**
   * For each of `usedUndeclared`, when reachability was computed: `reachable` when some API needing
   * it is called on a path from an entry point, `present` when its calls are in the code but no
   * such path was found (dead code or a library's unused feature), `active` when a trace saw it.
   */
  reach?: Record<string, Reach>;
}

export interface CheckPermissionOptions {
  /** Whether a permission is dangerous (runtime); default: `data/permissions.json`, else every covered one. */
  isDangerous?: (permission: string) => boolean;
  /** The whole API catalogue, to know which permissions it covers; default: the APIs in `apis`. */
  catalogue?: readonly SensitiveApiSpec[];
  /** Say how far the calls needing each undeclared permission reach (`reach`); the APIs carry it. */
  reach?: boolean;
  /** Requested permissions; default: the manifest's `uses-permission` (and `-sdk-23`). */
  requested?: readonly string[];
}

function permissionList(p: string | string[] | null): string[] {
  return p === null ? [] : Array.isArray(p) ? p : [p];
}

/** Requested permissions from the APK manifest, or the `uses-permission` lines of an AAR's text manifest. */
export function requestedPermissions(analysis: PackageAnalysis): string[] | undefined {
  if (analysis.manifest) return analysis.manifest.usesPermissions.map((p) => p.name);
  const text = analysis.jar?.manifest?.text;
  if (text === undefined) return undefined;
  return [...text.matchAll(/<uses-permission(?:-sdk-23)?\b[^>]*?\bandroid:name\s*=\s*"([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * Both lists are empty for a plain JAR: it has no manifest, so nothing is requested and the
 * permissions its code needs are the embedding app's business.
 */
export function checkPermissionUse(
  analysis: PackageAnalysis,
  apis: readonly SensitiveApiUse[],
  options: CheckPermissionOptions = {},
): PermissionUse {
  const requested = options.requested ?? requestedPermissions(analysis);
  if (!requested) return { declaredUnused: [], usedUndeclared: [] };
  const have = new Set(requested);

  const used = new Set<string>();
  const missing = new Set<string>();
  for (const api of apis) {
    if (api.callerCount === 0) continue;
    const alternatives = permissionList(api.permission);
    for (const p of alternatives) used.add(p);
    if (alternatives.length > 0 && !alternatives.some((p) => have.has(p))) missing.add(alternatives[0]!);
  }

  const covered = new Set((options.catalogue ?? apis).flatMap((a) => permissionList(a.permission)));
  let isDangerous = options.isDangerous;
  if (!isDangerous) {
    const dangerous = readDangerousPermissions();
    isDangerous = dangerous ? (p) => dangerous.has(p) : () => true;
  }
  const declaredUnused = [...have].filter((p) => covered.has(p) && !used.has(p) && isDangerous(p)).sort();
  const usedUndeclared = [...missing].sort();
  const judged = apis.filter((a) => a.callerCount > 0);
  if (usedUndeclared.length === 0 || !options.reach) return { declaredUnused, usedUndeclared };
  const reach: Record<string, Reach> = {};
  for (const p of usedUndeclared) {
    const needing = judged.filter((a) => permissionList(a.permission)[0] === p && !permissionList(a.permission).some((q) => have.has(q)));
    if (needing.some((a) => a.reach === 'active')) reach[p] = 'active';
    else if (needing.some((a) => a.reach === 'reachable')) reach[p] = 'reachable';
    // `present` only when every API needing it was searched to the end.
    else if (needing.every((a) => a.reach === 'present')) reach[p] = 'present';
  }
  return { declaredUnused, usedUndeclared, reach };
}
