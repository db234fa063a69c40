import type { PermissionAnswer } from '@apprights/runtime';
import { DEFAULT_RECORDER_LIMITS, capText, linesOf, type RecorderLimits } from './limits.js';

/** One permission's grant state as `dumpsys package` prints it. */
export interface PermissionGrant {
  permission: string;
  granted: boolean;
  /** `USER_SET`, `USER_FIXED`, `POLICY_FIXED`, `ONE_TIME`, `REVIEW_REQUIRED`, … */
  flags: string[];
  /** The Android user of a runtime grant (`User 0:`); absent for install permissions. */
  user?: number;
}

export interface PackagePermissions {
  package?: string;
  /** The app's uid (`userId=10123`). */
  uid?: number;
  versionCode?: number;
  versionName?: string;
  targetSdk?: number;
  /** `requested permissions:` as listed. */
  requested: string[];
  /** Normal and signature permissions (`install permissions:`). */
  install: PermissionGrant[];
  /** Dangerous permissions (`runtime permissions:` under `User N:`). */
  runtime: PermissionGrant[];
}

export interface ParseDumpsysPackageOptions {
  /** Which package block to read (default: the first `Package [...]` under `Packages:`). */
  package?: string;
  limits?: Partial<RecorderLimits>;
}

const PACKAGE_BLOCK = /^ {2}Package \[([\w.]+)\] \(/;
const GRANT = /^\s*([\w.]+): granted=(true|false)(?:, flags=\[\s*([^\]]*?)\s*\])?/;
const PERMISSION_NAME = /^\s*([A-Za-z][\w.]*\.[\w.]+)(?::\s*restricted=\w+)?\s*$/;

/**
 * Reads the permission part of `adb shell dumpsys package PKG` (Android 6–15): requested
 * permissions, install permissions and per-user runtime permission grants with their flags, plus
 * the uid and version. Only the app's block under `Packages:` is read (not `Hidden system packages:`,
 * not other sections). Never throws; what it does not know is skipped.
 */
export function parseDumpsysPackagePermissions(text: unknown, options: ParseDumpsysPackageOptions = {}): PackagePermissions {
  const lim = { ...DEFAULT_RECORDER_LIMITS, ...options.limits };
  const out: PackagePermissions = { requested: [], install: [], runtime: [] };
  if (typeof text !== 'string') return out;
  const lines = linesOf(capText(text, lim.maxTextBytes), lim.maxLines);
  let section: 'none' | 'packages' | 'other' = 'none';
  let inBlock = false;
  let done = false;
  let list: 'requested' | 'install' | 'runtime' | 'other' = 'other';
  let listIndent = 0;
  let user: number | undefined;
  for (const line of lines) {
    if (done) break;
    if (line.length > lim.maxLineChars) continue;
    if (/^\S/.test(line)) {
      // a top-level section: `Packages:`, `Hidden system packages:`, `Queries:`, `Dexopt state:`, …
      if (inBlock) done = true;
      section = /^Packages:/.test(line) ? 'packages' : 'other';
      continue;
    }
    const block = PACKAGE_BLOCK.exec(line);
    if (block) {
      if (inBlock) {
        done = true;
        continue;
      }
      if (section === 'packages' && (options.package === undefined || block[1] === options.package)) {
        inBlock = true;
        out.package = block[1]!;
      }
      continue;
    }
    if (!inBlock) continue;
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (list !== 'other' && indent <= listIndent) list = 'other';
    const userLine = /^User (\d+):/.exec(trimmed);
    if (userLine) {
      user = Number(userLine[1]);
      continue;
    }
    if (/^requested permissions:$/.test(trimmed)) {
      list = 'requested';
      listIndent = indent;
      continue;
    }
    if (/^install permissions:$/.test(trimmed)) {
      list = 'install';
      listIndent = indent;
      continue;
    }
    if (/^runtime permissions:$/.test(trimmed)) {
      list = 'runtime';
      listIndent = indent;
      continue;
    }
    if (list === 'requested') {
      const name = PERMISSION_NAME.exec(line);
      if (name && out.requested.length < 10_000) out.requested.push(name[1]!);
      continue;
    }
    if (list === 'install' || list === 'runtime') {
      const grant = GRANT.exec(line);
      if (!grant) continue;
      const record: PermissionGrant = {
        permission: grant[1]!,
        granted: grant[2] === 'true',
        flags: (grant[3] ?? '')
          .split(/[|\s]+/)
          .map((f) => f.trim())
          .filter(Boolean),
      };
      if (list === 'runtime' && user !== undefined) record.user = user;
      if (out[list].length < 10_000) out[list].push(record);
      continue;
    }
    const uid = /^userId=(\d+)/.exec(trimmed);
    if (uid && out.uid === undefined) out.uid = Number(uid[1]);
    const version = /^versionCode=(\d+)(?:.*?\btargetSdk=(\d+))?/.exec(trimmed);
    if (version && out.versionCode === undefined) {
      out.versionCode = Number(version[1]);
      if (version[2] !== undefined) out.targetSdk = Number(version[2]);
    }
    const name = /^versionName=(.{1,200})$/.exec(trimmed);
    if (name && out.versionName === undefined) out.versionName = name[1]!;
  }
  return out;
}

/**
 * The answer a runtime grant state says the user gave: `granted`; `denied-forever` when the
 * system will not ask again (`USER_FIXED`); `denied` when the user said no (`USER_SET`); else
 * `dismissed` (the dialog went away without an answer).
 */
export function answerOfGrant(grant: PermissionGrant | undefined): PermissionAnswer {
  if (!grant) return 'dismissed';
  if (grant.granted) return 'granted';
  if (grant.flags.includes('USER_FIXED')) return 'denied-forever';
  if (grant.flags.includes('USER_SET')) return 'denied';
  return 'dismissed';
}
