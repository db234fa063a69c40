import { Shape, lazy, readDataFile } from './data-file.js';

/** A personal-information category; every other knowledge file refers to these ids. */
export interface PICategory {
  id: string;
  zh: string;
  en: string;
  /** Sensitive PI (敏感个人信息) as PIPL art. 28 lists it. */
  sensitive: boolean;
  description: { zh: string; en: string };
}

const FILE = 'pi-categories.json';
const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Validates the parsed `pi-categories.json` (from the package's file or supplied by a registry). */
export function parsePICategories(raw: unknown): { list: readonly PICategory[]; byId: ReadonlyMap<string, PICategory> } {
  const shape = new Shape(FILE);
  const root = shape.object(raw, 'root');
  const byId = new Map<string, PICategory>();
  shape.array(root.categories, 'categories').forEach((raw, i) => {
    const o = shape.object(raw, `categories[${i}]`);
    const id = shape.string(o.id, `categories[${i}].id`);
    const where = `category ${id}`;
    if (!ID.test(id)) shape.fail(where, 'id must be kebab-case');
    if (byId.has(id)) shape.fail(where, 'duplicate id');
    byId.set(id, {
      id,
      zh: shape.string(o.zh, `${where}.zh`),
      en: shape.string(o.en, `${where}.en`),
      sensitive: shape.boolean(o.sensitive, `${where}.sensitive`),
      description: shape.bilingual(o.description, `${where}.description`),
    });
  });
  return { list: Object.freeze([...byId.values()]), byId };
}

const load = lazy(() => parsePICategories(readDataFile(FILE)));

/** All PI categories, in file order. */
export function piCategories(): readonly PICategory[] {
  return load().list;
}

export function piCategory(id: string): PICategory | undefined {
  return load().byId.get(id);
}

export function isPICategoryId(id: string): boolean {
  return load().byId.has(id);
}

/**
 * Throws unless `id` is a known category; the other loaders use it so that a typo in one file is
 * reported against that file rather than silently dropping the reference.
 */
export function requirePICategory(id: string, file: string, where: string, known: (id: string) => boolean = isPICategoryId): void {
  if (!known(id)) throw new Error(`data/${file}: ${where}: unknown PI category "${id}" (see data/pi-categories.json)`);
}
