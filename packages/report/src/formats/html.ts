import { renderListingDraftHtml, renderPolicyDraftHtml } from '../draft-render.js';
import { renderHtml } from '../html.js';
import { renderPolicyHtml } from '../policy-render.js';
import { renderTraceHtml } from '../trace-render.js';
import type { Formatter } from './types.js';

/** One self-contained HTML file with both languages and a switch (no network, no script from outside). */
export const html: Formatter = {
  scan: renderHtml,
  policy: renderPolicyHtml,
  trace: renderTraceHtml,
  policyDraft: renderPolicyDraftHtml,
  listingDraft: renderListingDraftHtml,
};
