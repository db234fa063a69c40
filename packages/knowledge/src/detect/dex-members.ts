import type { DexFile } from '@apprights/apk';

/**
 * The method_ids or field_ids one class defines. Both tables are sorted by defining class (ART's
 * verifier refuses files where they are not, so such a file never runs), so a class's members are
 * one contiguous range found by binary search, instead of a pass over every id.
 */
export function classMembers(dex: DexFile, kind: 'method' | 'field', type: number): number[] {
  const count = kind === 'method' ? dex.counts.methods : dex.counts.fields;
  const classOf = (i: number) => (kind === 'method' ? dex.methodClassIndex(i) : dex.fieldClassIndex(i));
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (classOf(mid) < type) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < count && classOf(i) === type; i++) out.push(i);
  return out;
}
