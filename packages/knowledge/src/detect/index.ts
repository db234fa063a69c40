import { join } from 'node:path';
import type { PackageAnalysis } from '@apprights/apk';
import { loadSdkCatalog, type SdkCatalog } from '../catalog/sdks.js';
import { readDangerousPermissions, readSensitiveApiSpecs, type SensitiveApiSpec } from './api-data.js';
import { checkPermissionUse, type PermissionUse } from './permissions.js';
import { findSensitiveApis, type SensitiveApiUse } from './sensitive-apis.js';
import { detectSdks, type DetectSdkOptions, type SdkDetection } from './sdks.js';

export * from './sdks.js';
export * from './sdk-versions.js';
export * from './corpus.js';
export * from './sensitive-apis.js';
export * from './permissions.js';
export * from './reachability.js';
export { readSensitiveApiSpecs, readDangerousPermissions, type SensitiveApiSpec } from './api-data.js';

export interface KnowledgeFindings {
  sdks: SdkDetection[];
  sensitiveApis: SensitiveApiUse[];
  permissionUse: PermissionUse;
}

export interface DetectAllOptions extends DetectSdkOptions {
  /** A folder laid out like the package's `data/` (tests); default: the package's own. */
  dataDir?: string;
  /** Default: the package's own catalogue files. */
  sdkCatalog?: SdkCatalog;
  apis?: readonly SensitiveApiSpec[];
  isDangerous?: (permission: string) => boolean;
  maxCallers?: number;
  /**
   * Whether sensitive API callers are searched for a path from an entry point (APKs; default
   * false: the bounded search costs about as much as the rest of detection on a large APK).
   */
  reachability?: boolean;
}

/** SDKs, sensitive API uses and the permission cross-check for one analysis, from the bundled data. */
export function detectAll(analysis: PackageAnalysis, options: DetectAllOptions = {}): KnowledgeFindings {
  const dataDir = options.dataDir;
  const catalog = options.sdkCatalog ?? loadSdkCatalog(dataDir !== undefined ? join(dataDir, 'sdks') : undefined);
  // The small readers of api-data.ts, not the typed catalog/ loaders: they locate the data folder
  // the same way as the SDK catalogue, which also works from the CLI bundle.
  const apis = options.apis ?? readSensitiveApiSpecs(dataDir);
  let isDangerous = options.isDangerous;
  if (!isDangerous) {
    const dangerous = readDangerousPermissions(dataDir);
    if (dangerous) isDangerous = (p) => dangerous.has(p);
  }
  const sdks = detectSdks(analysis, catalog, options);
  const sensitiveApis = findSensitiveApis(analysis, apis, sdks, {
    ...(options.maxCallers !== undefined ? { maxCallers: options.maxCallers } : {}),
    reachability: options.reachability ?? false,
  });
  const permissionUse = checkPermissionUse(analysis, sensitiveApis, {
    catalogue: apis,
    reach: options.reachability ?? false,
    ...(isDangerous ? { isDangerous } : {}),
  });
  return { sdks, sensitiveApis, permissionUse };
}
