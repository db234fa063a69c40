import type { Suppression } from './config.js';
import type { EvidenceRef, Finding } from './types.js';

/** `*` stands for any run of characters; everything else is literal. Anchored at both ends. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** The names a path glob is matched against: artifact paths, classes, components, permissions. */
function pathsOf(ref: EvidenceRef): string[] {
  const out: string[] = [];
  if ('artifact' in ref && ref.artifact) out.push(ref.artifact);
  if (ref.kind === 'code') out.push(ref.class, ref.class.replaceAll('.', '/'));
  if (ref.kind === 'manifest' && ref.name) out.push(ref.name);
  if (ref.kind === 'permission') out.push(ref.permission);
  return out;
}

function sdksOf(ref: EvidenceRef): string[] {
  if (ref.kind === 'sdk') return [ref.sdk];
  if ((ref.kind === 'code' || ref.kind === 'manifest') && ref.sdk) return [ref.sdk];
  return [];
}

/**
 * A suppression matches when every criterion it gives matches: the rule, and (if given) any of the
 * finding's evidence paths, its SDK, its fingerprint. A finding with evidence from several SDKs
 * is suppressed by an SDK suppression only when all its SDK evidence belongs to that SDK.
 */
export function matchSuppression(finding: Finding, suppression: Suppression, compiled?: RegExp): boolean {
  if (suppression.rule !== '*' && suppression.rule !== finding.ruleId) return false;
  if (suppression.fingerprint !== undefined && suppression.fingerprint !== finding.fingerprint) return false;
  if (suppression.path !== undefined) {
    const pattern = compiled ?? globToRegExp(suppression.path);
    if (!finding.evidence.some((ref) => pathsOf(ref).some((p) => pattern.test(p)))) return false;
  }
  if (suppression.sdk !== undefined) {
    const sdks = finding.evidence.flatMap(sdksOf);
    if (sdks.length === 0 || sdks.some((s) => s !== suppression.sdk)) return false;
  }
  return true;
}

export function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): void {
  const compiled = suppressions.map((s) => (s.path !== undefined ? globToRegExp(s.path) : undefined));
  for (const finding of findings) {
    const index = suppressions.findIndex((s, i) => matchSuppression(finding, s, compiled[i]));
    if (index < 0) continue;
    const s = suppressions[index]!;
    const by = [`rule=${s.rule}`, s.path && `path=${s.path}`, s.sdk && `sdk=${s.sdk}`, s.fingerprint && `fingerprint=${s.fingerprint}`]
      .filter(Boolean)
      .join(' ');
    finding.suppressed = { reason: s.reason, by };
  }
}
