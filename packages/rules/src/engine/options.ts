import type { KnowledgeSnapshot } from '@apprights/knowledge';
import { ConfigError } from './config-error.js';
import type { OptionSpec, Rule } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberProblem(
  spec: { type: 'number' | 'integer'; minimum?: number; exclusiveMinimum?: number; maximum?: number },
  value: unknown,
): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a ${spec.type === 'integer' ? 'whole number' : 'number'}`;
  if (spec.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
  if (spec.minimum !== undefined && value < spec.minimum) return `must be at least ${spec.minimum}`;
  if (spec.exclusiveMinimum !== undefined && value <= spec.exclusiveMinimum) return `must be more than ${spec.exclusiveMinimum}`;
  if (spec.maximum !== undefined && value > spec.maximum) return `must be at most ${spec.maximum}`;
  return null;
}

/** Why `value` does not fit `spec`, or null when it does. */
export function optionProblem(spec: OptionSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'number':
    case 'integer':
      if (value === null && spec.nullable) return null;
      return numberProblem(spec, value);
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (spec.enum && !spec.enum.includes(value)) return `must be one of ${spec.enum.join(', ')}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'array': {
      if (!Array.isArray(value)) return 'must be an array of strings';
      const seen = new Set<string>();
      for (const [i, item] of value.entries()) {
        if (typeof item !== 'string') return `[${i}] must be a string`;
        if (spec.items.enum && !spec.items.enum.includes(item)) return `[${i}] must be one of ${spec.items.enum.join(', ')}`;
        if (spec.uniqueItems && seen.has(item)) return `[${i}] repeats "${item}"`;
        seen.add(item);
      }
      return null;
    }
    case 'object': {
      if (!isObject(value)) return 'must be an object';
      for (const [key, item] of Object.entries(value)) {
        const problem = numberProblem(spec.additionalProperties, item);
        if (problem) return `.${key} ${problem}`;
      }
      return null;
    }
  }
}

/**
 * Checks configured options against the rule's specs: an unknown option or a bad value is a
 * configuration error naming the rule and the option, never a silent fall-back to the default.
 */
export function validateRuleOptions(rule: Rule, configured: Record<string, unknown>, file: string | null = null): void {
  const specs = rule.meta.options ?? {};
  for (const [name, value] of Object.entries(configured)) {
    const where = `rules.${rule.meta.id}.options.${name}`;
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const known = Object.keys(specs);
      throw new ConfigError(
        file,
        where,
        known.length ? `unknown option (the rule has: ${known.join(', ')})` : 'unknown option (the rule has none)',
      );
    }
    const problem = optionProblem(spec, value);
    if (problem) throw new ConfigError(file, where, problem.startsWith('[') || problem.startsWith('.') ? `value${problem}` : problem);
  }
}

/** The rule's default options, catalogue-derived ones read from the snapshot. */
export function ruleDefaults(rule: Rule, knowledge: KnowledgeSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(rule.meta.options ?? {}))
    out[name] = typeof spec.default === 'function' ? spec.default(knowledge) : spec.default;
  return out;
}

/** Defaults merged with the configured options, validated. */
export function resolveOptions(
  rule: Rule,
  configured: Record<string, unknown> | undefined,
  knowledge: KnowledgeSnapshot,
  file: string | null = null,
): Record<string, unknown> {
  if (configured) validateRuleOptions(rule, configured, file);
  return { ...ruleDefaults(rule, knowledge), ...(configured ?? {}) };
}
