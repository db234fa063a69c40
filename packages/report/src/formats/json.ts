import type { Formatter } from './types.js';

/** The report itself, indented: the data the schemas in @apprights/engine describe. */
function json(report: unknown): string {
  return JSON.stringify(report, null, 2);
}

/** Drafts end with a newline: they are files to keep and compare. */
function draftJson(draft: unknown): string {
  return `${json(draft)}\n`;
}

export const jsonFormat: Formatter = { scan: json, policy: json, trace: json, diff: json, policyDraft: draftJson, listingDraft: draftJson };
