import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { FieldError } from '../../http/problems.js';

// What a stop-access order names, each kind checked against its own grammar and normalised, so an
// access provider matches exactly what the regulator meant: package names (Android's applicationId
// grammar), signing-certificate SHA-256 digests, SDK package prefixes, host names (IDNA, stored in
// their ASCII form) and IP addresses or CIDR ranges.

export interface Targets {
  packageNames: string[];
  signerSha256: string[];
  sdkPrefixes: string[];
  domains: string[];
  ips: string[];
}

export const TARGET_KINDS = ['packageNames', 'signerSha256', 'sdkPrefixes', 'domains', 'ips'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** Per kind, at most this many values in one order. */
export const MAX_TARGETS = 1000;

/** Android's applicationId: two or more segments, each a letter then letters, digits or underscores. */
const PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
/** A Java package prefix as SDK signatures use it ("com.umeng", "cn.jpush.android"). */
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

type Check = (value: string) => { value: string } | { error: string };

function checkPackage(value: string): { value: string } | { error: string } {
  if (value.length > 255) return { error: 'is longer than 255 characters / 超过 255 个字符' };
  if (!PACKAGE.test(value)) return { error: 'is not an Android package name (a.b.c) / 不是 Android 包名' };
  return { value };
}

function checkSigner(value: string): { value: string } | { error: string } {
  // Certificates are often shown as colon-separated hex (keytool, apksigner): accept and normalise.
  const hex = value.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return { error: 'is not a SHA-256 digest (64 hex digits) / 不是 SHA-256 摘要（64 位十六进制）' };
  return { value: hex };
}

function checkPrefix(value: string): { value: string } | { error: string } {
  const dotted = value.replace(/\//g, '.').replace(/\.$/, '');
  if (dotted.length > 255 || !PREFIX.test(dotted))
    return { error: 'is not a Java package prefix (two or more segments) / 不是 Java 包名前缀（至少两段）' };
  return { value: dotted };
}

/** A host name, optionally "*." for its subdomains; Unicode names are stored as their IDNA A-label form. */
export function checkDomain(value: string): { value: string } | { error: string } {
  const wildcard = value.startsWith('*.');
  const name = (wildcard ? value.slice(2) : value).replace(/\.$/, '');
  if (isIP(name.replace(/^\[|\]$/g, ''))) return { error: 'is an IP address: list it under ips / 是 IP 地址，请列入 ips' };
  const ascii = domainToASCII(name);
  if (!ascii || ascii.length > 253) return { error: 'is not a valid host name (IDNA) / 不是有效的主机名（IDNA）' };
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1]!))
    return { error: 'is not a valid host name / 不是有效的主机名' };
  return { value: (wildcard ? '*.' : '') + ascii };
}

/** An IPv4 or IPv6 address, or a CIDR range of either. */
export function checkIp(value: string): { value: string } | { error: string } {
  const [address, prefix, more] = value.split('/');
  const family = more === undefined ? isIP(address ?? '') : 0;
  if (family === 0) return { error: 'is not an IPv4 or IPv6 address (or CIDR range) / 不是 IPv4 或 IPv6 地址（或 CIDR 网段）' };
  if (prefix !== undefined) {
    const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (bits < 0 || bits > (family === 4 ? 32 : 128)) return { error: 'has a CIDR prefix out of range / CIDR 前缀长度超出范围' };
  }
  return { value: value.toLowerCase() };
}

const CHECKS: Record<TargetKind, Check> = {
  packageNames: checkPackage,
  signerSha256: checkSigner,
  sdkPrefixes: checkPrefix,
  domains: checkDomain,
  ips: checkIp,
};

/**
 * Checks and normalises every value (duplicates removed). `input` values that are not strings, or
 * not in the kind's grammar, become errors with their JSON pointer under `base`.
 */
export function checkTargets(input: Partial<Record<TargetKind, unknown>>, base = ''): { targets: Targets; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const targets: Targets = { packageNames: [], signerSha256: [], sdkPrefixes: [], domains: [], ips: [] };
  for (const kind of TARGET_KINDS) {
    const raw = input[kind];
    if (raw === undefined || raw === null) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length > MAX_TARGETS) {
      errors.push({ pointer: `${base}/${kind}`, message: `more than ${MAX_TARGETS} values / 超过 ${MAX_TARGETS} 个值` });
      continue;
    }
    const seen = new Set<string>();
    list.forEach((value, i) => {
      const pointer = Array.isArray(raw) ? `${base}/${kind}/${i}` : `${base}/${kind}`;
      if (typeof value !== 'string' || value.length === 0 || value.length > 300) {
        errors.push({ pointer, message: 'must be a non-empty string of at most 300 characters / 须为不超过 300 个字符的非空字符串' });
        return;
      }
      const checked = CHECKS[kind](value.trim());
      if ('error' in checked) errors.push({ pointer, message: `${JSON.stringify(value.slice(0, 80))} ${checked.error}` });
      else if (!seen.has(checked.value)) {
        seen.add(checked.value);
        targets[kind].push(checked.value);
      }
    });
  }
  return { targets, errors };
}

export function targetCount(targets: Targets): number {
  return TARGET_KINDS.reduce((n, kind) => n + targets[kind].length, 0);
}

/** A time given as epoch milliseconds or an ISO 8601 string; undefined when absent, NaN when unreadable. */
export function readTime(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : Number.NaN;
  if (typeof value === 'string' && value.length <= 40) {
    // ISO 8601 as Date.parse reads it: a bare date (2026-12-31) is UTC midnight; give an offset to mean another zone.
    const ms = Date.parse(value);
    return Number.isFinite(ms) && ms >= 0 ? ms : Number.NaN;
  }
  return Number.NaN;
}
