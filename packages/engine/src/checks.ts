import { loadKnowledge, loadKnowledgeAsync, type AppType, type KnowledgeSnapshot } from '@apprights/knowledge';
import {
  allRules,
  emptyConfig,
  loadConfigFile,
  validateConfig,
  type RulesConfig,
  type Severity,
  type StoreListing,
} from '@apprights/rules';
import { InputError, asEngineError } from './errors.js';

/** What every check takes besides its evidence: rule settings, the app's store facts and the gate. */
export interface CheckOptions {
  /**
   * Rule settings and suppressions: a configuration already loaded, or the path of an
   * `apprights.config.json` to load (validated: an unknown rule or a bad value is an InputError
   * with code `config`). Default: every rule with its defaults.
   */
  config?: RulesConfig | string;
  /** The app's CAC 2021 type: id, number 1–39 or its Chinese or English name (overrides the listing's). */
  appType?: string;
  /**
   * What the app's store page says, as the store exports it (`appType`, `name`, `developer`, `url`;
   * other fields are ignored). Checked like any outside data: a bad field is an InputError with
   * code `store-listing`. `source` names where it came from (a file name) in the report.
   */
  storeListing?: Record<string, unknown>;
  /** The severity from which findings fail the gate (`report.context.failOn`); default the config's, else none. */
  failOn?: Severity | 'none';
  /** The version of the tool that writes the report (`report.tool.version`). */
  toolVersion?: string;
  /**
   * The catalogues the rules judge by (SDKs, measures, PI categories, permissions, sensitive APIs,
   * app types); its id is recorded in every report. Default: the installed catalogues. A registry
   * that publishes a newer catalogue hands its snapshot here, without restarting the process.
   */
  knowledge?: KnowledgeSnapshot;
}

export interface ResolvedChecks {
  /** The caller's snapshot, or the one an app type was looked up in; else read later (`knowledgeFor`). */
  knowledge: KnowledgeSnapshot | undefined;
  config: RulesConfig;
  store: StoreListing | undefined;
  failOn: Severity | 'none';
}

/** Loads and validates the configuration, app type and listing before any slow reading. */
export function resolveChecks(options: CheckOptions): ResolvedChecks {
  let knowledge = options.knowledge;
  let config = emptyConfig();
  if (typeof options.config === 'string') {
    try {
      config = loadConfigFile(options.config);
    } catch (error) {
      throw asEngineError(error, options.config);
    }
  } else if (options.config) {
    config = options.config;
  }
  const problems = validateConfig(config, new Set(allRules.map((r) => r.meta.id)));
  if (problems.length > 0) {
    const where = config.source ?? 'configuration';
    throw new InputError('config', `${where}: ${problems.join('; ')}`, config.source ?? undefined);
  }
  const listing = options.storeListing !== undefined ? parseStoreListing(options.storeListing) : undefined;
  // The caller's app type wins over the listing, which wins over the config.
  const requested = options.appType ?? listing?.appType ?? config.appType;
  let store: StoreListing | undefined = listing ? { ...listing } : undefined;
  if (requested !== undefined) {
    const types = (knowledge ??= loadKnowledge());
    const type = findAppType(requested, types);
    if (!type) {
      const known = (lang: 'zh' | 'en') => types.appTypes.map((a) => `${a.number} ${a.id} (${lang === 'zh' ? a.zh : a.en})`).join(', ');
      throw new InputError(
        'app-type',
        { en: `unknown app type ${requested}; one of: ${known('en')}`, zh: `未知的应用类型 ${requested}；可选：${known('zh')}` },
        requested,
      );
    }
    const source = options.appType !== undefined ? 'cli' : listing?.appType !== undefined ? listing.source : (config.source ?? 'config');
    store = { ...store, appType: type.id, source: source ?? 'store-listing' };
  }
  return { knowledge, config, store, failOn: options.failOn ?? config.failOn ?? 'none' };
}

/** An app type by id, number (1–39) or its Chinese or English name, as store pages write it. */
export function findAppType(value: string, knowledge: KnowledgeSnapshot = loadKnowledge()): AppType | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return knowledge.appType(Number(trimmed));
  return (
    knowledge.appType(trimmed) ??
    knowledge.appTypes.find((a) => a.zh === trimmed || a.zh === `${trimmed}类` || a.en.toLowerCase() === trimmed.toLowerCase())
  );
}

const LISTING_FIELDS = ['appType', 'name', 'developer', 'url'] as const;

/**
 * A store listing from outside. Only the fields the checks use are kept; others are allowed,
 * because stores export more than we read. Strings only: a listing is data from outside, like an APK.
 */
export function parseStoreListing(raw: unknown): StoreListing {
  const source = typeof (raw as { source?: unknown } | null)?.source === 'string' ? (raw as { source: string }).source : 'store-listing';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(
      'store-listing',
      { en: `${source}: the store listing must be a JSON object`, zh: `${source}：商店信息须为 JSON 对象` },
      source,
    );
  const listing: StoreListing = { source };
  for (const key of LISTING_FIELDS) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '')
      throw new InputError(
        'store-listing',
        { en: `${source}: ${key}: must be a non-empty string`, zh: `${source}：${key}：须为非空字符串` },
        source,
      );
    listing[key] = value.trim();
  }
  return listing;
}

/**
 * The snapshot the checks judge by: the caller's, else the installed catalogues, read without
 * blocking so that a scan reads them while its package is parsed, not before.
 */
export function knowledgeFor(checks: ResolvedChecks): Promise<KnowledgeSnapshot> {
  return checks.knowledge ? Promise.resolve(checks.knowledge) : loadKnowledgeAsync();
}

/** What every report assembly (scan, policy, trace, re-run) takes from the checks and the snapshot. */
export function assembleOptions(checks: ResolvedChecks, knowledge: KnowledgeSnapshot, toolVersion: string | undefined) {
  return {
    toolVersion: toolVersion ?? 'unknown',
    measures: knowledge.measures.measures,
    knowledge,
    config: checks.config,
    failOn: checks.failOn,
    ...(checks.store ? { store: checks.store } : {}),
  };
}
