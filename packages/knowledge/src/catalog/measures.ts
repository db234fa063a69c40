import { Shape, perDataDir, readDataFile } from './data-file.js';

/** Evidence that can check a rule: APK, privacy policy, runtime trace, UI, store page, organisational records. */
export type EvidenceKind = 'apk' | 'policy' | 'trace' | 'ui' | 'store' | 'org';
/** regulation.md's tags: confirmed, confirmed for the draft only, partly confirmed, from memory. */
export type Confidence = 'C' | 'Cd' | 'P' | 'M';
/** Part 一 speaks about what users experience; Part 二 assigns duties to the five kinds of actor. */
export type MeasurePart = 'user' | 'actors';
export type MeasureActor = 'app-operator' | 'distribution-platform' | 'sdk' | 'terminal' | 'network-access' | 'web-page';
export type ScenarioKind = 'scenario' | 'task' | 'requirement';
/**
 * Where a measure can be checked: `app` on the app itself (package, policy, runtime trace, UI);
 * `platform` only on a distribution platform's or a device's own systems (a store's review, a phone's
 * settings), so an app scan can neither pass nor fail it; `organisation` only from an organisation's
 * own records, documents and processes (an operator's management, an SDK provider's guides).
 */
export type MeasureAssessment = 'app' | 'platform' | 'organisation';

export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['apk', 'policy', 'trace', 'ui', 'store', 'org'];
export const CONFIDENCES: readonly Confidence[] = ['C', 'Cd', 'P', 'M'];
export const MEASURE_PARTS: readonly MeasurePart[] = ['user', 'actors'];
export const MEASURE_ASSESSMENTS: readonly MeasureAssessment[] = ['app', 'platform', 'organisation'];
export const MEASURE_ACTORS: readonly MeasureActor[] = [
  'app-operator',
  'distribution-platform',
  'sdk',
  'terminal',
  'network-access',
  'web-page',
];

export interface Bilingual {
  zh: string;
  en: string;
}

/** A document the catalogue cites. */
export interface MeasureSource {
  id: string;
  title: Bilingual;
  url: string | null;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: only as precise as the research could confirm. */
  date: string | null;
  note?: string;
}

/** A sub-heading of Part 一, or one of the five actors of Part 二. */
export interface MeasureGroup {
  id: string;
  part: MeasurePart;
  zh: string;
  en: string;
}

/** A heading under which a document lists its scenarios or tasks (认定方法 category, 164号 aspect). */
export interface ScenarioCategory {
  document: string;
  number: number;
  zh: string;
  en: string;
}

/** One of the 26 measures of 工信部信管函〔2023〕26号. */
export interface Measure {
  /** `miit26-01` … `miit26-26`. */
  id: string;
  number: number;
  part: MeasurePart;
  group: string;
  actors: readonly MeasureActor[];
  title: Bilingual;
  summary: Bilingual;
  evidence: readonly EvidenceKind[];
  /** Where it can be checked; rules serving a `platform` or `organisation` measure only give signals. */
  assessment: MeasureAssessment;
  source: { document: string; locator: string; confidence: Confidence };
  /** Ids of the scenarios, tasks and requirements that tie the measure to checkable detail. */
  related: readonly string[];
  /** Ids of the automated rules that check it (their existence is the rules package's concern). */
  rules: readonly string[];
  note?: string;
}

/** A scenario of the 2019 认定方法, a task of 164号, or another checkable requirement. */
export interface MeasureScenario {
  kind: ScenarioKind;
  id: string;
  document: string;
  locator: string;
  /** The category (scenario) or aspect (task) number; null for requirements. */
  category: number | null;
  title: Bilingual;
  summary: Bilingual;
  evidence: readonly EvidenceKind[];
  confidence: Confidence;
  /** The measures it helps check. */
  measures: readonly string[];
  rules: readonly string[];
  note?: string;
}

/** A threshold the checks use, kept in data so a changed reading of the rules needs no code change. */
export interface MeasureParameter {
  id: string;
  value: number;
  unit: string;
  zh: string;
  en: string;
  /** The source document id. */
  source: string;
  locator: string;
  confidence: Confidence;
  /** Set when the value comes from review practice rather than a binding text. */
  practice?: 'industry';
  /** Catalogue entries (measures, scenarios, tasks, requirements) the value belongs to. */
  related: readonly string[];
  note?: string;
}

export interface MeasureCatalog {
  /** Bumped whenever a measure's number, title, content or rules change; reports state it (`measuresVersion`). */
  version: number;
  description: string;
  sources: readonly MeasureSource[];
  groups: readonly MeasureGroup[];
  categories: readonly ScenarioCategory[];
  /** In number order. */
  measures: readonly Measure[];
  scenarios: readonly MeasureScenario[];
  tasks: readonly MeasureScenario[];
  requirements: readonly MeasureScenario[];
  parameters: readonly MeasureParameter[];
  /** Every measure, scenario, task and requirement by id. */
  byId: ReadonlyMap<string, Measure | MeasureScenario>;
  source(id: string): MeasureSource | undefined;
  /** Throws for an unknown id: code names parameters literally, so a miss is a typo to fix, not a case to handle. */
  parameter(id: string): MeasureParameter;
}

const FILE = 'measures.json';
const MEASURE_COUNT = 26;
const ID = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/;
const PARAMETER_ID = /^[a-z][a-zA-Z0-9]*(?:\.[a-z][a-zA-Z0-9]*)+$/;
const DATE = /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$/;

function measureId(number: number): string {
  return `miit26-${String(number).padStart(2, '0')}`;
}

function optionalString(shape: Shape, value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : shape.string(value, where);
}

/** A non-empty list of distinct allowed values; a repeat is an editing slip, not a weighting. */
function members<T extends string>(shape: Shape, value: unknown, allowed: readonly T[], where: string): readonly T[] {
  const list = shape.array(value, where).map((item, i) => shape.oneOf(item, allowed, `${where}[${i}]`));
  if (list.length === 0) shape.fail(where, 'expected at least one entry');
  if (new Set(list).size !== list.length) shape.fail(where, 'duplicate entries');
  return Object.freeze(list);
}

/** Distinct ids; whether they resolve is checked once everything is read. */
function ids(shape: Shape, value: unknown, where: string): readonly string[] {
  const list = shape.array(value, where).map((item, i) => {
    const id = shape.string(item, `${where}[${i}]`);
    if (!ID.test(id)) shape.fail(`${where}[${i}]`, `malformed id "${id}"`);
    return id;
  });
  if (new Set(list).size !== list.length) shape.fail(where, 'duplicate entries');
  return Object.freeze(list);
}

function bilingual(shape: Shape, value: unknown, where: string): Bilingual {
  return Object.freeze(shape.bilingual(value, where));
}

/** Validates the parsed `measures.json` (from the package's file or supplied by a registry) and freezes it. */
export function parseMeasureCatalog(raw: unknown): MeasureCatalog {
  // Annotated so that TypeScript narrows after `shape.fail(...)`, which never returns.
  const shape: Shape = new Shape(FILE);
  const root = shape.object(raw, 'root');
  const version = shape.positiveInteger(root.version, 'version');
  const description = shape.string(root.description, 'description');

  const sources = new Map<string, MeasureSource>();
  shape.array(root.sources, 'sources').forEach((raw, i) => {
    const o = shape.object(raw, `sources[${i}]`);
    const id = shape.string(o.id, `sources[${i}].id`);
    const where = `source ${id}`;
    if (!ID.test(id)) shape.fail(where, 'id must be kebab-case');
    if (sources.has(id)) shape.fail(where, 'duplicate id');
    const url = shape.stringOrNull(o.url, `${where}.url`);
    if (url !== null && !/^https?:\/\/\S+$/.test(url)) shape.fail(`${where}.url`, 'expected an http(s) URL');
    const date = shape.stringOrNull(o.date, `${where}.date`);
    if (date !== null && !DATE.test(date)) shape.fail(`${where}.date`, 'expected YYYY, YYYY-MM or YYYY-MM-DD');
    const source: MeasureSource = { id, title: bilingual(shape, o.title, `${where}.title`), url, date };
    const note = optionalString(shape, o.note, `${where}.note`);
    if (note !== undefined) source.note = note;
    sources.set(id, Object.freeze(source));
  });
  const requireSource = (id: string, where: string): void => {
    if (!sources.has(id)) shape.fail(where, `unknown source document "${id}" (see sources)`);
  };

  const groups = new Map<string, MeasureGroup>();
  shape.array(root.groups, 'groups').forEach((raw, i) => {
    const o = shape.object(raw, `groups[${i}]`);
    const id = shape.string(o.id, `groups[${i}].id`);
    const where = `group ${id}`;
    if (groups.has(id)) shape.fail(where, 'duplicate id');
    groups.set(
      id,
      Object.freeze({
        id,
        part: shape.oneOf(o.part, MEASURE_PARTS, `${where}.part`),
        zh: shape.string(o.zh, `${where}.zh`),
        en: shape.string(o.en, `${where}.en`),
      }),
    );
  });

  const categories: ScenarioCategory[] = [];
  const categoryKeys = new Set<string>();
  shape.array(root.categories, 'categories').forEach((raw, i) => {
    const where = `categories[${i}]`;
    const o = shape.object(raw, where);
    const document = shape.string(o.document, `${where}.document`);
    requireSource(document, `${where}.document`);
    const number = shape.positiveInteger(o.number, `${where}.number`);
    const key = `${document}#${number}`;
    if (categoryKeys.has(key)) shape.fail(where, `duplicate category ${number} of ${document}`);
    categoryKeys.add(key);
    categories.push(Object.freeze({ document, number, zh: shape.string(o.zh, `${where}.zh`), en: shape.string(o.en, `${where}.en`) }));
  });

  // One id space for measures, scenarios, tasks and requirements: `related` and rule metadata mix them.
  const byId = new Map<string, Measure | MeasureScenario>();
  const scenarioById = new Map<string, MeasureScenario>();
  const claim = (id: string, where: string): void => {
    if (!ID.test(id)) shape.fail(where, 'id must be lower-case words joined by - or .');
    if (byId.has(id)) shape.fail(where, 'duplicate id');
  };

  const byNumber = new Map<number, Measure>();
  const measureById = new Map<string, Measure>();
  shape.array(root.measures, 'measures').forEach((raw, i) => {
    const o = shape.object(raw, `measures[${i}]`);
    const id = shape.string(o.id, `measures[${i}].id`);
    const where = `measure ${id}`;
    claim(id, where);
    const number = shape.positiveInteger(o.number, `${where}.number`);
    if (number > MEASURE_COUNT) shape.fail(`${where}.number`, `expected 1..${MEASURE_COUNT}`);
    if (byNumber.has(number)) shape.fail(`${where}.number`, `duplicate number ${number}`);
    // The id spells the number so that reports stay readable; they must not drift apart.
    if (id !== measureId(number)) shape.fail(where, `id must be ${measureId(number)} for number ${number}`);
    const part = shape.oneOf(o.part, MEASURE_PARTS, `${where}.part`);
    const groupId = shape.string(o.group, `${where}.group`);
    const group = groups.get(groupId);
    if (!group) shape.fail(`${where}.group`, `unknown group "${groupId}" (see groups)`);
    if (group.part !== part) shape.fail(where, `part "${part}" differs from group ${groupId}'s part "${group.part}"`);
    const s = shape.object(o.source, `${where}.source`);
    const document = shape.string(s.document, `${where}.source.document`);
    requireSource(document, `${where}.source.document`);
    const evidence = members(shape, o.evidence, EVIDENCE_KINDS, `${where}.evidence`);
    const assessment = shape.oneOf(o.assessment, MEASURE_ASSESSMENTS, `${where}.assessment`);
    // Otherwise the coverage matrix would ask an app scan for evidence that can never decide it.
    if (assessment === 'app' && evidence.every((kind) => kind === 'org'))
      shape.fail(`${where}.assessment`, '"app" needs an evidence kind other than org');
    const measure: Measure = {
      id,
      number,
      part,
      group: groupId,
      actors: members(shape, o.actors, MEASURE_ACTORS, `${where}.actors`),
      title: bilingual(shape, o.title, `${where}.title`),
      summary: bilingual(shape, o.summary, `${where}.summary`),
      evidence,
      assessment,
      source: Object.freeze({
        document,
        locator: shape.string(s.locator, `${where}.source.locator`),
        confidence: shape.oneOf(s.confidence, CONFIDENCES, `${where}.source.confidence`),
      }),
      related: ids(shape, o.related, `${where}.related`),
      rules: ids(shape, o.rules, `${where}.rules`),
    };
    const note = optionalString(shape, o.note, `${where}.note`);
    if (note !== undefined) measure.note = note;
    byId.set(id, Object.freeze(measure));
    byNumber.set(number, measure);
    measureById.set(id, measure);
  });
  if (byNumber.size !== MEASURE_COUNT) {
    const missing = Array.from({ length: MEASURE_COUNT }, (_, i) => i + 1).filter((n) => !byNumber.has(n));
    shape.fail('measures', `expected exactly ${MEASURE_COUNT} measures numbered 1..${MEASURE_COUNT}; missing ${missing.join(', ')}`);
  }

  const readScenarios = (key: 'scenarios' | 'tasks' | 'requirements', kind: ScenarioKind): readonly MeasureScenario[] => {
    const list = shape.array(root[key], key).map((raw, i) => {
      const o = shape.object(raw, `${key}[${i}]`);
      const id = shape.string(o.id, `${key}[${i}].id`);
      const where = `${kind} ${id}`;
      claim(id, where);
      const document = shape.string(o.document, `${where}.document`);
      requireSource(document, `${where}.document`);
      let category: number | null = null;
      if (kind === 'requirement') {
        if (o.category !== undefined && o.category !== null) shape.fail(`${where}.category`, 'requirements have no category');
      } else {
        category = shape.positiveInteger(o.category, `${where}.category`);
        if (!categoryKeys.has(`${document}#${category}`))
          shape.fail(`${where}.category`, `no category ${category} for ${document} (see categories)`);
      }
      const entry: MeasureScenario = {
        kind,
        id,
        document,
        locator: shape.string(o.locator, `${where}.locator`),
        category,
        title: bilingual(shape, o.title, `${where}.title`),
        summary: bilingual(shape, o.summary, `${where}.summary`),
        evidence: members(shape, o.evidence, EVIDENCE_KINDS, `${where}.evidence`),
        confidence: shape.oneOf(o.confidence, CONFIDENCES, `${where}.confidence`),
        measures: ids(shape, o.measures, `${where}.measures`),
        rules: ids(shape, o.rules, `${where}.rules`),
      };
      if (entry.measures.length === 0) shape.fail(`${where}.measures`, 'expected at least one measure');
      const note = optionalString(shape, o.note, `${where}.note`);
      if (note !== undefined) entry.note = note;
      byId.set(id, Object.freeze(entry));
      scenarioById.set(id, entry);
      return entry;
    });
    return Object.freeze(list);
  };
  const scenarios = readScenarios('scenarios', 'scenario');
  const tasks = readScenarios('tasks', 'task');
  const requirements = readScenarios('requirements', 'requirement');

  const measures = Object.freeze([...byNumber.values()].sort((a, b) => a.number - b.number));
  for (const entry of [...scenarios, ...tasks, ...requirements]) {
    entry.measures.forEach((target, j) => {
      const measure = measureById.get(target);
      if (!measure) shape.fail(`${entry.kind} ${entry.id}.measures[${j}]`, `no measure "${target}"`);
      // Both directions are written by hand; one edited alone would make the coverage views disagree.
      if (!measure.related.includes(entry.id)) shape.fail(`measure ${target}.related`, `missing "${entry.id}", which lists this measure`);
    });
  }
  for (const measure of measures) {
    measure.related.forEach((target, j) => {
      const entry = scenarioById.get(target);
      if (!entry) shape.fail(`measure ${measure.id}.related[${j}]`, `no scenario, task or requirement "${target}"`);
      if (!entry.measures.includes(measure.id))
        shape.fail(`${entry.kind} ${target}.measures`, `missing "${measure.id}", which lists it as related`);
    });
  }

  const parameters = new Map<string, MeasureParameter>();
  shape.array(root.parameters, 'parameters').forEach((raw, i) => {
    const o = shape.object(raw, `parameters[${i}]`);
    const id = shape.string(o.id, `parameters[${i}].id`);
    const where = `parameter ${id}`;
    if (!PARAMETER_ID.test(id)) shape.fail(where, 'id must be dotted camelCase words, e.g. shake.acceleration');
    if (parameters.has(id)) shape.fail(where, 'duplicate id');
    const value = o.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) shape.fail(`${where}.value`, 'expected a number');
    const source = shape.string(o.source, `${where}.source`);
    requireSource(source, `${where}.source`);
    const related = ids(shape, o.related, `${where}.related`);
    related.forEach((target, j) => {
      if (!byId.has(target)) shape.fail(`${where}.related[${j}]`, `no catalogue entry "${target}"`);
    });
    const parameter: MeasureParameter = {
      id,
      value,
      unit: shape.string(o.unit, `${where}.unit`),
      zh: shape.string(o.zh, `${where}.zh`),
      en: shape.string(o.en, `${where}.en`),
      source,
      locator: shape.string(o.locator, `${where}.locator`),
      confidence: shape.oneOf(o.confidence, CONFIDENCES, `${where}.confidence`),
      related,
    };
    if (o.practice !== undefined) parameter.practice = shape.oneOf(o.practice, ['industry'] as const, `${where}.practice`);
    const note = optionalString(shape, o.note, `${where}.note`);
    if (note !== undefined) parameter.note = note;
    parameters.set(id, Object.freeze(parameter));
  });

  return Object.freeze({
    version,
    description,
    sources: Object.freeze([...sources.values()]),
    groups: Object.freeze([...groups.values()]),
    categories: Object.freeze(categories),
    measures,
    scenarios,
    tasks,
    requirements,
    parameters: Object.freeze([...parameters.values()]),
    byId,
    source: (id: string) => sources.get(id),
    parameter: (id: string) => {
      const found = parameters.get(id);
      if (!found) throw new Error(`data/${FILE}: no parameter "${id}"`);
      return found;
    },
  });
}

const load = perDataDir((dataDir) => parseMeasureCatalog(readDataFile(FILE, dataDir)));

/**
 * The measure catalogue (from the package's data, or another folder laid out alike), validated and
 * frozen; read once per folder.
 */
export function loadMeasureCatalog(dataDir?: string): MeasureCatalog {
  return load(dataDir);
}

/** `miit26-01` … `miit26-26`, in number order. */
export function measureIds(dataDir?: string): readonly string[] {
  return loadMeasureCatalog(dataDir).measures.map((m) => m.id);
}
