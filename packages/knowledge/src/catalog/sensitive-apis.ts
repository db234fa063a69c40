import { Shape, perDataDir, readDataFile } from './data-file.js';
import { requirePICategory } from './pi.js';

export type SensitiveApiKind = 'method' | 'field' | 'content-uri' | 'string';
export type Sensitivity = 'high' | 'medium' | 'low';

/** A privacy-sensitive Android method, field, content URI or string constant. */
export interface SensitiveApi {
  id: string;
  kind: SensitiveApiKind;
  /**
   * DEX form for members: `Lpkg/Class;->name` (every overload), `Lpkg/Class;->name(args)ret` (one
   * overload) or `Lpkg/Class;->name:Type` (field); the URI for `content-uri`; the literal for `string`.
   */
  signature: string;
  /** A pi-categories id; null for behaviour that reads no PI by itself (reflection, dynamic code, permission requests). */
  pi: string | null;
  what: { zh: string; en: string };
  sensitivity: Sensitivity;
  /** The runtime permission usually required, or null. */
  permission: string | null;
  /** Identifiers only: whether the user or system can reset it (OAID, Android ID) or not (IMEI, MAC, serial). */
  resettable?: boolean;
  /** API levels where the member exists, when known. */
  sdk?: { min: number | null; max: number | null };
  /** Platform restrictions and matching hints. */
  note?: string;
  source: string;
}

export const SENSITIVE_API_KINDS: readonly SensitiveApiKind[] = ['method', 'field', 'content-uri', 'string'];
export const SENSITIVITIES: readonly Sensitivity[] = ['high', 'medium', 'low'];

const TYPE = String.raw`\[*(?:[ZBSCIJFD]|L[A-Za-z0-9_$/-]+;)`;
const CLASS = String.raw`L[A-Za-z0-9_$/-]+;`;
const METHOD_SIGNATURE = new RegExp(String.raw`^${CLASS}->(?:<init>|<clinit>|[A-Za-z_$][\w$]*)(?:\((?:${TYPE})*\)(?:V|${TYPE}))?$`);
const FIELD_SIGNATURE = new RegExp(String.raw`^${CLASS}->[A-Za-z_$][\w$]*:${TYPE}$`);
const CONTENT_URI = /^content:\/\/[A-Za-z0-9._-]+(?:\/[^\s]*)?$/;

/** Whether `signature` is well-formed for `kind` (DEX member syntax, content URI, or any non-blank literal). */
export function isWellFormedSignature(kind: SensitiveApiKind, signature: string): boolean {
  switch (kind) {
    case 'method':
      return METHOD_SIGNATURE.test(signature);
    case 'field':
      return FIELD_SIGNATURE.test(signature);
    case 'content-uri':
      return CONTENT_URI.test(signature);
    case 'string':
      return signature.trim().length > 0;
  }
}

const FILE = 'sensitive-apis.json';

/** Validates the parsed `sensitive-apis.json`; `isPi` checks PI category ids (default: the package's categories). */
export function parseSensitiveApis(
  raw: unknown,
  isPi?: (id: string) => boolean,
): { list: readonly SensitiveApi[]; byId: ReadonlyMap<string, SensitiveApi> } {
  const shape = new Shape(FILE);
  const root = shape.object(raw, 'root');
  const byId = new Map<string, SensitiveApi>();
  shape.array(root.apis, 'apis').forEach((raw, i) => {
    const o = shape.object(raw, `apis[${i}]`);
    const id = shape.string(o.id, `apis[${i}].id`);
    const where = `api ${id}`;
    if (byId.has(id)) shape.fail(where, 'duplicate id');
    const kind = shape.oneOf(o.kind, SENSITIVE_API_KINDS, `${where}.kind`);
    const signature = shape.string(o.signature, `${where}.signature`);
    if (!isWellFormedSignature(kind, signature)) shape.fail(where, `malformed ${kind} signature "${signature}"`);
    const pi = shape.stringOrNull(o.pi, `${where}.pi`);
    if (pi !== null) requirePICategory(pi, FILE, where, isPi);
    const api: SensitiveApi = {
      id,
      kind,
      signature,
      pi,
      what: shape.bilingual(o.what, `${where}.what`),
      sensitivity: shape.oneOf(o.sensitivity, SENSITIVITIES, `${where}.sensitivity`),
      permission: shape.stringOrNull(o.permission, `${where}.permission`),
      source: shape.string(o.source, `${where}.source`),
    };
    if (o.resettable !== undefined) api.resettable = shape.boolean(o.resettable, `${where}.resettable`);
    if (o.sdk !== undefined && o.sdk !== null) {
      const sdk = shape.object(o.sdk, `${where}.sdk`);
      const min = shape.integerOrNull(sdk.min, `${where}.sdk.min`);
      const max = shape.integerOrNull(sdk.max, `${where}.sdk.max`);
      if (min !== null && max !== null && min > max) shape.fail(`${where}.sdk`, 'min is above max');
      api.sdk = { min, max };
    }
    if (o.note !== undefined) api.note = shape.string(o.note, `${where}.note`);
    byId.set(id, api);
  });
  return { list: Object.freeze([...byId.values()]), byId };
}

const load = perDataDir((dataDir) => parseSensitiveApis(readDataFile(FILE, dataDir)));

/** All sensitive APIs, in file order (from the package's data, or another folder laid out alike). */
export function sensitiveApis(dataDir?: string): readonly SensitiveApi[] {
  return load(dataDir).list;
}

export function sensitiveApi(id: string): SensitiveApi | undefined {
  return load().byId.get(id);
}
