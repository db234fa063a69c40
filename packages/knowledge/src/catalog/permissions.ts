import { Shape, perDataDir, readDataFile } from './data-file.js';
import { requirePICategory } from './pi.js';

/** Platform strings, present only when the source had them. */
export interface LocalizedText {
  en?: string;
  'zh-CN'?: string;
}

/** An Android platform permission. */
export interface PlatformPermission {
  name: string;
  /** As declared, e.g. `dangerous` or `signature|privileged|appop`. */
  protectionLevel: string;
  /** `protectionLevel` split into base level and flags. */
  protectionLevels: readonly string[];
  group: string | null;
  label: LocalizedText;
  description: LocalizedText;
  /** API level that introduced it, when known. */
  addedIn: number | null;
  /** The pi-categories id of the data it guards, or null. */
  pi: string | null;
  /** `framework-res` or the reference the newer entry came from. */
  source: string;
}

const FILE = 'permissions.json';

function localizedText(shape: Shape, value: unknown, where: string): LocalizedText {
  const o = shape.object(value, where);
  const out: LocalizedText = {};
  for (const [key, text] of Object.entries(o)) {
    if (key !== 'en' && key !== 'zh-CN') shape.fail(where, `unexpected language "${key}"`);
    out[key] = shape.string(text, `${where}.${key}`);
  }
  return out;
}

/** Validates the parsed `permissions.json`; `isPi` checks PI category ids (default: the package's categories). */
export function parsePermissions(raw: unknown, isPi?: (id: string) => boolean): ReadonlyMap<string, PlatformPermission> {
  const shape = new Shape(FILE);
  const root = shape.object(raw, 'root');
  const byName = new Map<string, PlatformPermission>();
  for (const [name, raw] of Object.entries(shape.object(root.permissions, 'permissions'))) {
    const where = `permission ${name}`;
    const o = shape.object(raw, where);
    const protectionLevel = shape.string(o.protectionLevel, `${where}.protectionLevel`);
    const pi = shape.stringOrNull(o.pi, `${where}.pi`);
    if (pi !== null) requirePICategory(pi, FILE, where, isPi);
    byName.set(
      name,
      Object.freeze({
        name,
        protectionLevel,
        protectionLevels: Object.freeze(protectionLevel.split('|')),
        group: shape.stringOrNull(o.group, `${where}.group`),
        label: localizedText(shape, o.label, `${where}.label`),
        description: localizedText(shape, o.description, `${where}.description`),
        addedIn: shape.integerOrNull(o.addedIn, `${where}.addedIn`),
        pi,
        source: shape.string(o.source, `${where}.source`),
      }),
    );
  }
  return byName;
}

const load = perDataDir((dataDir) => parsePermissions(readDataFile(FILE, dataDir)));

/** All platform permissions by full name (from the package's data, or another folder laid out alike). */
export function platformPermissions(dataDir?: string): ReadonlyMap<string, PlatformPermission> {
  return load(dataDir);
}

export function platformPermission(name: string): PlatformPermission | undefined {
  return load().get(name);
}

/** Runtime ("dangerous") permissions: the ones the user is asked for. */
export function isDangerousPermission(name: string): boolean {
  return load().get(name)?.protectionLevels.includes('dangerous') ?? false;
}
