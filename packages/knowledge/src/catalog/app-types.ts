import { Shape, lazy, readDataFile } from './data-file.js';
import { requirePICategory } from './pi.js';

/** One item of necessary PI for an app type's basic function. */
export interface NecessaryPI {
  zh: string;
  en: string;
  /** The pi-categories id the item belongs to. */
  pi: string;
}

/** One of the 39 app types of the CAC 2021 necessary-PI rules. */
export interface AppType {
  /** 1..39, the order of 第五条. */
  number: number;
  id: string;
  zh: string;
  en: string;
  basicFunctions: { zh: string; en: string };
  necessaryPI: readonly NecessaryPI[];
  /** The basic function must work without any personal information. */
  noPINeeded: boolean;
}

const FILE = 'app-types.json';

export interface AppTypeTable {
  list: readonly AppType[];
  byId: ReadonlyMap<string, AppType>;
  byNumber: ReadonlyMap<number, AppType>;
  source: string;
}

/** Validates the parsed `app-types.json`; `isPi` checks PI category ids (default: the package's categories). */
export function parseAppTypes(raw: unknown, isPi?: (id: string) => boolean): AppTypeTable {
  const shape = new Shape(FILE);
  const root = shape.object(raw, 'root');
  const source = shape.string(root.source, 'source');
  const byId = new Map<string, AppType>();
  const byNumber = new Map<number, AppType>();
  shape.array(root.types, 'types').forEach((raw, i) => {
    const o = shape.object(raw, `types[${i}]`);
    const id = shape.string(o.id, `types[${i}].id`);
    const where = `type ${id}`;
    if (byId.has(id)) shape.fail(where, 'duplicate id');
    const number = shape.positiveInteger(o.number, `${where}.number`);
    if (byNumber.has(number)) shape.fail(`${where}.number`, `duplicate number ${number}`);
    const necessaryPI = shape.array(o.necessaryPI, `${where}.necessaryPI`).map((item, j) => {
      const p = shape.object(item, `${where}.necessaryPI[${j}]`);
      const pi = shape.string(p.pi, `${where}.necessaryPI[${j}].pi`);
      requirePICategory(pi, FILE, `${where}.necessaryPI[${j}]`, isPi);
      return { zh: shape.string(p.zh, `${where}.necessaryPI[${j}].zh`), en: shape.string(p.en, `${where}.necessaryPI[${j}].en`), pi };
    });
    const noPINeeded = shape.boolean(o.noPINeeded, `${where}.noPINeeded`);
    // The flag and the list say the same thing; a disagreement means one of them was edited alone.
    if (noPINeeded !== (necessaryPI.length === 0)) shape.fail(where, 'noPINeeded must be true exactly when necessaryPI is empty');
    const type: AppType = {
      number,
      id,
      zh: shape.string(o.zh, `${where}.zh`),
      en: shape.string(o.en, `${where}.en`),
      basicFunctions: shape.bilingual(o.basicFunctions, `${where}.basicFunctions`),
      necessaryPI: Object.freeze(necessaryPI),
      noPINeeded,
    };
    byId.set(id, type);
    byNumber.set(number, type);
  });
  const list = Object.freeze([...byId.values()].sort((a, b) => a.number - b.number));
  return { list, byId, byNumber, source };
}

const load = lazy(() => parseAppTypes(readDataFile(FILE)));

/** The app types in the regulation's order. */
export function appTypes(): readonly AppType[] {
  return load().list;
}

/** Looks an app type up by stable id or by its number in 第五条. */
export function appType(idOrNumber: string | number): AppType | undefined {
  const data = load();
  return typeof idOrNumber === 'number' ? data.byNumber.get(idOrNumber) : data.byId.get(idOrNumber);
}

/** Where the app-type table comes from. */
export function appTypesSource(): string {
  return load().source;
}
