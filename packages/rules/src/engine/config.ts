import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allRules } from '../rules/index.js';
import { ConfigError } from './config-error.js';
import { validateRuleOptions } from './options.js';
import { SEVERITIES, type Rule, type Severity } from './types.js';

export { ConfigError };

/**
 * `apprights.config.json`: per-rule settings and suppressions. Suppressions need a reason because a
 * store or regulator reading the report must see why a finding was accepted, not only that it was.
 */
export interface RulesConfig {
  /** The CAC 2021 app type of the app, when the command line does not give one. */
  appType?: string;
  /** Default for `--fail-on`. */
  failOn?: Severity | 'none';
  rules: Record<string, RuleSetting>;
  suppressions: Suppression[];
  /** The file the configuration came from, or null when built in code. */
  source: string | null;
}

export interface RuleSetting {
  enabled: boolean;
  severity?: Severity;
  options?: Record<string, unknown>;
}

export interface Suppression {
  /** A rule id, or `*` for every rule. */
  rule: string;
  /** Glob (`*` any run of characters) over the evidence's artifact paths, class, component and permission names. */
  path?: string;
  /** A detected SDK id: suppresses findings whose evidence belongs to that SDK. */
  sdk?: string;
  /** A finding's fingerprint, for one finding exactly. */
  fingerprint?: string;
  reason: string;
}

export const CONFIG_FILE_NAMES = ['apprights.config.json', '.apprights.json'];

export function emptyConfig(): RulesConfig {
  return { rules: {}, suppressions: [], source: null };
}

/** The first config file found in `dir` (default: the working directory), or undefined. */
export function findConfigFile(dir = process.cwd()): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function loadConfigFile(path: string, rules: readonly Rule[] = allRules): RulesConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, 'file', `cannot read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, 'file', `not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, file, rules);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function severity(value: unknown, file: string | null, where: string): Severity {
  if (typeof value !== 'string' || !(SEVERITIES as readonly string[]).includes(value))
    throw new ConfigError(file, where, `must be one of ${SEVERITIES.join(', ')}`);
  return value as Severity;
}

/**
 * Checks a parsed config. Unknown rule ids are accepted here and reported by `validateConfig`
 * against the registry, so a config written for a newer AppRights still loads; the options of a
 * known rule are checked against its specs here, so a bad one stops the run before any scan.
 */
export function parseConfig(raw: unknown, file: string | null = null, rules: readonly Rule[] = allRules): RulesConfig {
  if (!isObject(raw)) throw new ConfigError(file, 'root', 'must be a JSON object');
  const known = new Set(['$schema', 'appType', 'failOn', 'rules', 'suppressions']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw new ConfigError(file, key, 'unknown setting');
  const config: RulesConfig = { rules: {}, suppressions: [], source: file };
  if (raw.appType !== undefined) {
    if (typeof raw.appType !== 'string' || raw.appType === '') throw new ConfigError(file, 'appType', 'must be an app type id');
    config.appType = raw.appType;
  }
  if (raw.failOn !== undefined) config.failOn = raw.failOn === 'none' ? 'none' : severity(raw.failOn, file, 'failOn');
  if (raw.rules !== undefined) {
    if (!isObject(raw.rules)) throw new ConfigError(file, 'rules', 'must be an object of rule id to setting');
    for (const [id, value] of Object.entries(raw.rules)) {
      const where = `rules.${id}`;
      if (value === 'off' || value === false) config.rules[id] = { enabled: false };
      else if (value === 'on' || value === true) config.rules[id] = { enabled: true };
      else if (typeof value === 'string') config.rules[id] = { enabled: true, severity: severity(value, file, where) };
      else if (isObject(value)) {
        for (const key of Object.keys(value))
          if (!['enabled', 'severity', 'options'].includes(key)) throw new ConfigError(file, `${where}.${key}`, 'unknown setting');
        const setting: RuleSetting = { enabled: value.enabled === undefined ? true : value.enabled === true };
        if (value.enabled !== undefined && typeof value.enabled !== 'boolean')
          throw new ConfigError(file, `${where}.enabled`, 'must be true or false');
        if (value.severity !== undefined) setting.severity = severity(value.severity, file, `${where}.severity`);
        if (value.options !== undefined) {
          if (!isObject(value.options)) throw new ConfigError(file, `${where}.options`, 'must be an object');
          const rule = rules.find((r) => r.meta.id === id);
          if (rule) validateRuleOptions(rule, value.options, file);
          setting.options = value.options;
        }
        config.rules[id] = setting;
      } else throw new ConfigError(file, where, 'must be "off", "on", a severity or an object');
    }
  }
  if (raw.suppressions !== undefined) {
    if (!Array.isArray(raw.suppressions)) throw new ConfigError(file, 'suppressions', 'must be an array');
    raw.suppressions.forEach((item, i) => {
      const where = `suppressions[${i}]`;
      if (!isObject(item)) throw new ConfigError(file, where, 'must be an object');
      for (const key of Object.keys(item))
        if (!['rule', 'path', 'sdk', 'fingerprint', 'reason'].includes(key))
          throw new ConfigError(file, `${where}.${key}`, 'unknown setting');
      if (typeof item.rule !== 'string' || item.rule === '') throw new ConfigError(file, `${where}.rule`, 'must name a rule id or "*"');
      if (typeof item.reason !== 'string' || item.reason.trim() === '')
        throw new ConfigError(file, `${where}.reason`, 'a suppression needs a reason (why the finding is accepted)');
      const suppression: Suppression = { rule: item.rule, reason: item.reason.trim() };
      for (const key of ['path', 'sdk', 'fingerprint'] as const) {
        const value = item[key];
        if (value === undefined) continue;
        if (typeof value !== 'string' || value === '') throw new ConfigError(file, `${where}.${key}`, 'must be a non-empty string');
        suppression[key] = value;
      }
      config.suppressions.push(suppression);
    });
  }
  return config;
}

/** Problems a config has against the rules that exist: unknown rule ids (likely typos). */
export function validateConfig(config: RulesConfig, ruleIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const id of Object.keys(config.rules)) if (!ruleIds.has(id)) problems.push(`rules.${id}: no rule has this id`);
  config.suppressions.forEach((s, i) => {
    if (s.rule !== '*' && !ruleIds.has(s.rule)) problems.push(`suppressions[${i}].rule: no rule has the id ${s.rule}`);
  });
  return problems;
}
