import { appType, appTypes } from '@apprights/knowledge';
import {
  allRules,
  emptyConfig,
  findConfigFile,
  loadConfigFile,
  validateConfig,
  type RulesConfig,
  type Severity,
  type StoreListing,
} from '@apprights/rules';
import type { Lang } from '../i18n.js';

/** The command-line side of the checks: which config, app type and gate a run uses. */
export interface CheckOptions {
  /** `--config FILE`; false for `--no-config`; undefined: look for apprights.config.json in the working directory. */
  config?: string | false;
  /** `--app-type ID`: the CAC 2021 app type (id or number 1–39). */
  appType?: string;
  failOn?: Severity | 'none';
}

export interface ResolvedChecks {
  config: RulesConfig;
  store: StoreListing | undefined;
  failOn: Severity | 'none';
}

/** A wrong flag value or configuration: exit code 2, the message says what to change. */
export class UsageError extends Error {}

export function resolveChecks(options: CheckOptions, lang: Lang): ResolvedChecks {
  let config = emptyConfig();
  const file = options.config === false ? undefined : (options.config ?? findConfigFile());
  if (file) {
    config = loadConfigFile(file);
    const problems = validateConfig(config, new Set(allRules.map((r) => r.meta.id)));
    if (problems.length > 0) throw new UsageError(`${file}: ${problems.join('; ')}`);
  }
  const requested = options.appType ?? config.appType;
  let store: StoreListing | undefined;
  if (requested !== undefined) {
    const type = appType(/^\d+$/.test(requested) ? Number(requested) : requested);
    if (!type) {
      const known = appTypes()
        .map((a) => `${a.number} ${a.id} (${lang === 'zh' ? a.zh : a.en})`)
        .join(', ');
      throw new UsageError(
        lang === 'zh' ? `未知的应用类型 ${requested}；可选：${known}` : `unknown app type ${requested}; one of: ${known}`,
      );
    }
    store = { appType: type.id, source: options.appType !== undefined ? 'cli' : (config.source ?? 'config') };
  }
  return { config, store, failOn: options.failOn ?? config.failOn ?? 'none' };
}
