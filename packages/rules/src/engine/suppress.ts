import type { Suppression } from './config.js';
import type { EvidenceRef, Finding } from './types.js';

/**
 * Whether `text` matches `glob`, where `*` stands for any run of characters and everything else is
 * literal, anchored at both ends. A two-pointer scan rather than a regular expression: the text comes
 * from the APK (class names of any length), and `.*` chains can backtrack for a very long time.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
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
export function matchSuppression(finding: Finding, suppression: Suppression): boolean {
  if (suppression.rule !== '*' && suppression.rule !== finding.ruleId) return false;
  if (suppression.fingerprint !== undefined && suppression.fingerprint !== finding.fingerprint) return false;
  if (suppression.path !== undefined) {
    const glob = suppression.path;
    if (!finding.evidence.some((ref) => pathsOf(ref).some((p) => globMatches(glob, p)))) return false;
  }
  if (suppression.sdk !== undefined) {
    const sdks = finding.evidence.flatMap(sdksOf);
    if (sdks.length === 0 || sdks.some((s) => s !== suppression.sdk)) return false;
  }
  return true;
}

export function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): void {
  for (const finding of findings) {
    const index = suppressions.findIndex((s) => matchSuppression(finding, s));
    if (index < 0) continue;
    const s = suppressions[index]!;
    const by = [`rule=${s.rule}`, s.path && `path=${s.path}`, s.sdk && `sdk=${s.sdk}`, s.fingerprint && `fingerprint=${s.fingerprint}`]
      .filter(Boolean)
      .join(' ');
    finding.suppressed = { reason: s.reason, by };
  }
}
