import { renderDiffMarkdown } from '../diff-render.js';
import { renderListingDraftMarkdown, renderPolicyDraftMarkdown } from '../draft-render.js';
import { renderPolicyMarkdown } from '../policy-render.js';
import { renderMarkdown } from '../render.js';
import { renderTraceMarkdown } from '../trace-render.js';
import type { Formatter } from './types.js';

/** GitHub-flavoured Markdown, for merge requests and tickets. */
export const markdown: Formatter = {
  scan: renderMarkdown,
  policy: renderPolicyMarkdown,
  trace: renderTraceMarkdown,
  diff: renderDiffMarkdown,
  policyDraft: renderPolicyDraftMarkdown,
  listingDraft: renderListingDraftMarkdown,
};
