/**
 * `apprights policy draft` and `apprights listing draft`: the engine drafts, the report package
 * renders; this file only maps the command line onto them and writes the result.
 */
import { draftListing, draftPolicy } from '@apprights/engine';
import { renderListingDraft, renderPolicyDraft, type DraftFormat, type Lang } from '@apprights/report';
import { ExitCode } from '../exit-codes.js';
import { emit } from '../output.js';
import { Progress } from '../progress.js';
import type { Stats } from '../stats.js';
import { engineChecks, type CheckOptions } from './checks.js';

export interface DraftCommandOptions extends Omit<CheckOptions, 'failOn'> {
  format: DraftFormat;
  output?: string;
  lang: Lang;
  progress: boolean;
  keepGoing?: boolean;
  version: string;
  stats: Stats;
}

export interface PolicyDraftCommandOptions extends DraftCommandOptions {
  /** `--policy FILE|URL`: draft the gap report against this policy. */
  policy?: string;
  timeout?: number;
  maxSize?: number;
}

export interface ListingDraftCommandOptions extends DraftCommandOptions {
  /** `--privacy-policy URL`: the policy's web address for the listing. */
  privacyPolicy?: string;
}

async function withProgress<T>(options: DraftCommandOptions, work: (progress: Progress) => Promise<T>): Promise<T> {
  const progress = new Progress(options.lang, options.progress && process.stderr.isTTY === true);
  try {
    return await work(progress);
  } finally {
    progress.clear();
  }
}

function common(options: DraftCommandOptions) {
  return {
    ...engineChecks(options, options.lang, options.version),
    ...(options.keepGoing !== undefined ? { keepGoing: options.keepGoing } : {}),
  };
}

export async function runPolicyDraft(input: string, options: PolicyDraftCommandOptions): Promise<number> {
  const draft = await withProgress(options, (progress) =>
    draftPolicy(input, {
      ...common(options),
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.timeout !== undefined ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
      ...(options.maxSize !== undefined ? { maxBytes: options.maxSize } : {}),
      onProgress: progress.onStage,
      measure: (stage, work) => options.stats.time(stage, work),
    }),
  );
  emit(renderPolicyDraft(draft, options.format, options.lang), options.output, options.lang);
  return ExitCode.ok;
}

export async function runListingDraft(input: string, options: ListingDraftCommandOptions): Promise<number> {
  const draft = await withProgress(options, (progress) =>
    draftListing(input, {
      ...common(options),
      ...(options.privacyPolicy !== undefined ? { privacyPolicyUrl: options.privacyPolicy } : {}),
      onProgress: progress.onStage,
      measure: (stage, work) => options.stats.time(stage, work),
    }),
  );
  emit(renderListingDraft(draft, options.format, options.lang), options.output, options.lang);
  return ExitCode.ok;
}
