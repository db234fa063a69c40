import type { PolicyDocument } from '../document/types.js';
import { lexicon as lexiconOf } from './lexicon.js';
import { findDataMentions } from './mentions.js';
import { readStructure } from './structure.js';
import { POLICY_ANALYSIS_VERSION, type PolicyAnalysis, type PolicyLanguage } from './types.js';

export interface AnalyzeOptions {
  /** File path or URL, recorded in the analysis. */
  source?: string;
  /** Default: Chinese when a tenth of the letters are Chinese characters. */
  language?: PolicyLanguage;
}

export function detectLanguage(text: string): PolicyLanguage {
  const sample = text.slice(0, 20_000);
  const han = sample.match(/[\u4e00-\u9fff]/gu)?.length ?? 0;
  const latin = sample.match(/[A-Za-z]/gu)?.length ?? 0;
  return han * 10 >= han + latin && han > 0 ? 'zh' : 'en';
}

/** Reads what a policy says: sections, personal-information mentions, recipients, contacts, lists. */
export function analyzePolicy(document: PolicyDocument, options: AnalyzeOptions = {}): PolicyAnalysis {
  const language = options.language ?? detectLanguage(document.text);
  const lexicon = lexiconOf(language);
  const structure = readStructure(document, lexicon);
  const dataMentions = findDataMentions(document, structure, lexicon);
  return {
    version: POLICY_ANALYSIS_VERSION,
    source: options.source ?? '',
    format: document.format,
    language,
    length: document.text.length,
    text: document.text,
    title: document.title,
    operator: null,
    contacts: [],
    responseTime: null,
    effectiveDate: null,
    sections: structure.sections,
    dataMentions,
    purposes: [],
    permissions: [],
    recipients: [],
    sdkTable: [],
    lists: { collectedPersonalInformation: null, thirdPartySharing: null },
  };
}
