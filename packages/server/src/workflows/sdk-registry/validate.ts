import { readSdkFiles, validateSdkCatalog, type SdkFile, type SdkProblem } from '@apprights/knowledge';
import type { FieldError } from '../../http/problems.js';

// What a vendor sends is a detection-catalogue entry (docs/sdk-catalogue.md), checked by the
// catalogue's own validator (`validateSdkCatalog`) against the catalogue shipped in
// @apprights/knowledge and the registry's other proposals, so "one prefix, one owner" holds for
// what is merged later. Before that, limits the catalogue's validator does not set (it reads
// reviewed files, not the public's input): sizes, counts, and regular expressions that cannot
// backtrack exponentially, since detection runs `versionHints[].pattern` over strings of every
// scanned package.

export const LIMITS = {
  idLength: 64,
  prefixes: 50,
  prefixLength: 200,
  segmentLength: 64,
  components: 100,
  componentLength: 255,
  nativeLibraries: 50,
  nativeLibraryLength: 100,
  domains: 50,
  versionHints: 10,
  patternLength: 200,
  /** Largest bound of a counted repetition {n,m}. */
  repetition: 1000,
};

/**
 * Why a version-hint pattern is refused, or null. Refused: longer than LIMITS.patternLength, not a
 * regular expression, backreferences, counted repetitions above LIMITS.repetition, and a
 * repeated group that itself holds a repetition or an alternation (star height above one:
 * `(a+)+`, `(a|a)*`, the shapes whose backtracking is exponential). What is left backtracks at
 * worst polynomially in the length of the string, and the strings a scan tests are class
 * constants (short).
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > LIMITS.patternLength) return `longer than ${LIMITS.patternLength} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  interface Group {
    repeats: boolean;
    alternates: boolean;
  }
  const stack: Group[] = [{ repeats: false, alternates: false }];
  /** What the next quantifier applies to: a group (with what it holds) or a single atom. */
  let last: Group | 'atom' | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    let quantifier: { max: number } | null = null;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
      last = 'atom';
      continue;
    }
    if (ch === '[') {
      // A character class is one atom; skip to its closing bracket.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      i = j;
      last = 'atom';
      continue;
    }
    if (ch === '(') {
      stack.push({ repeats: false, alternates: false });
      if (pattern[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>: skip the group's marker.
        const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i));
        if (m) i += m[0].length - 1;
      }
      last = null;
      continue;
    }
    if (ch === ')') {
      const group = stack.pop()!;
      if (stack.length === 0) return 'unbalanced parenthesis';
      const outer = stack[stack.length - 1]!;
      outer.repeats ||= group.repeats;
      outer.alternates ||= false;
      last = group;
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1]!.alternates = true;
      last = null;
      continue;
    }
    if (ch === '*' || ch === '+') quantifier = { max: Infinity };
    else if (ch === '?') quantifier = { max: 1 };
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > LIMITS.repetition || (Number.isFinite(max) && max > LIMITS.repetition))
          return `a counted repetition above ${LIMITS.repetition} is not allowed`;
        quantifier = { max };
        i += m[0].length - 1;
      }
    }
    if (quantifier) {
      // A lazy or possessive marker after a quantifier is part of it.
      if (pattern[i + 1] === '?') i++;
      if (quantifier.max > 1 && last && last !== 'atom' && (last.repeats || last.alternates))
        return 'a repeated group may not hold another repetition or an alternation (exponential backtracking): write a flat pattern such as ([0-9.]+)';
      if (quantifier.max > 1) stack[stack.length - 1]!.repeats = true;
      last = null;
      continue;
    }
    last = 'atom';
  }
  if (stack.length !== 1) return 'unbalanced parenthesis';
  return null;
}

/** Limits of the registry on one entry (pointers under `base`, e.g. "/entry"). */
export function entryLimitErrors(entry: Record<string, unknown>, base: string): FieldError[] {
  const errors: FieldError[] = [];
  const list = (key: string, max: number, itemMax: number, check?: (item: string, pointer: string) => void) => {
    const value = entry[key];
    if (value === undefined) return;
    if (!Array.isArray(value)) return errors.push({ pointer: `${base}/${key}`, message: 'must be an array of strings' });
    if (value.length > max) errors.push({ pointer: `${base}/${key}`, message: `at most ${max} items` });
    value.slice(0, max).forEach((item, i) => {
      const pointer = `${base}/${key}/${i}`;
      if (typeof item !== 'string') return errors.push({ pointer, message: 'must be a string' });
      if (item.length > itemMax) return errors.push({ pointer, message: `longer than ${itemMax} characters` });
      check?.(item, pointer);
    });
  };
  if (typeof entry.id === 'string' && entry.id.length > LIMITS.idLength)
    errors.push({ pointer: `${base}/id`, message: `longer than ${LIMITS.idLength} characters` });
  list('packages', LIMITS.prefixes, LIMITS.prefixLength, (p, pointer) => {
    if (p.split('.').some((s) => s.length > LIMITS.segmentLength))
      errors.push({ pointer, message: `a package segment is longer than ${LIMITS.segmentLength} characters` });
  });
  list('components', LIMITS.components, LIMITS.componentLength);
  list('nativeLibraries', LIMITS.nativeLibraries, LIMITS.nativeLibraryLength, (g, pointer) => {
    if ((g.match(/\*/g) ?? []).length > 3) errors.push({ pointer, message: 'at most 3 "*" in a library pattern' });
  });
  list('domains', LIMITS.domains, 253);
  const hints = entry.versionHints;
  if (Array.isArray(hints)) {
    if (hints.length > LIMITS.versionHints)
      errors.push({ pointer: `${base}/versionHints`, message: `at most ${LIMITS.versionHints} hints` });
    hints.slice(0, LIMITS.versionHints).forEach((h, i) => {
      const pattern = (h as { pattern?: unknown } | null)?.pattern;
      if (typeof pattern !== 'string') return;
      const why = regexProblem(pattern);
      if (why) errors.push({ pointer: `${base}/versionHints/${i}/pattern`, message: why });
    });
  }
  return errors;
}

let shipped: SdkFile[] | undefined;
/** The catalogue shipped with @apprights/knowledge (read once). */
export function catalogueFiles(): SdkFile[] {
  shipped ??= readSdkFiles();
  return shipped;
}

/** "packages[1]" → "/packages/1". */
function fieldPointer(field: string | undefined): string {
  if (!field) return '';
  return (
    '/' +
    field
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .join('/')
  );
}

export interface EntryCheck {
  errors: FieldError[];
  warnings: { pointer: string; check?: string; message: string }[];
}

const key = (p: SdkProblem) => `${p.file}\u0000${p.field ?? ''}\u0000${p.message}`;

/**
 * Checks `entry` as catalogue file `<id>.json` among the shipped catalogue (whose entry of the same
 * id it replaces: a correction) and `others` (other proposals' entries, which replace the shipped
 * entry of their id). Errors are the entry's own and those it causes in other files (a collision
 * is reported on the file whose prefix lies under the other's), minus what was wrong before.
 */
export function checkEntry(entry: Record<string, unknown>, others: readonly Record<string, unknown>[], base = '/entry'): EntryCheck {
  const limits = entryLimitErrors(entry, base);
  if (limits.length) return { errors: limits, warnings: [] };
  const id = typeof entry.id === 'string' ? entry.id : '';
  const file = `${id || 'unnamed'}.json`;
  const byFile = new Map<string, SdkFile>(catalogueFiles().map((f) => [f.file, f]));
  for (const o of others) if (typeof o.id === 'string' && o.id !== id) byFile.set(`${o.id}.json`, { file: `${o.id}.json`, data: o });
  byFile.delete(file);
  const before = validateSdkCatalog([...byFile.values()]).filter((p) => p.severity !== 'warning');
  const known = new Set(before.map(key));
  const after = validateSdkCatalog([...byFile.values(), { file, data: entry }]);
  const errors: FieldError[] = [];
  const warnings: EntryCheck['warnings'] = [];
  for (const p of after) {
    if (p.severity === 'warning') {
      if (p.file === file)
        warnings.push({ pointer: `${base}${fieldPointer(p.field)}`, ...(p.check ? { check: p.check } : {}), message: p.message });
      continue;
    }
    if (p.file === file) errors.push({ pointer: `${base}${fieldPointer(p.field)}`, message: p.message });
    else if (!known.has(key(p)))
      errors.push({ pointer: `${base}/packages`, message: `collides with the catalogue: ${p.file}: ${p.message}` });
  }
  return { errors: errors.slice(0, 50), warnings: warnings.slice(0, 50) };
}
