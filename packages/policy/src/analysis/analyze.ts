import { findSdkNames } from '@apprights/knowledge';
import { PolicyInputError, type PolicyDocument } from '../document/types.js';
import { findContacts, findEffectiveDate, findLists, findOperator, findResponseTime } from './facts.js';
import { lexicon as lexiconOf } from './lexicon.js';
import { findDataMentions, mentionedCategories } from './mentions.js';
import { findPurposesAndPermissions } from './purposes.js';
import { findRecipients, type SdkNameFinder } from './recipients.js';
import { documentTitle, readStructure } from './structure.js';
import { findSdkTable } from './tables.js';
import { POLICY_ANALYSIS_VERSION, type PolicyAnalysis, type PolicyLanguage } from './types.js';

export interface AnalyzeOptions {
  /** Date.now() milliseconds by which the analysis must end: checked between its stages (PolicyInputError after it). */
  deadline?: number;
  /** File path or URL, recorded in the analysis. */
  source?: string;
  /** Default: Chinese when a tenth of the letters are Chinese characters. */
  language?: PolicyLanguage;
  /** Finds catalogue SDKs by name in a text; default: the SDK catalogue of @apprights/knowledge. */
  sdkNames?: SdkNameFinder;
}

/** Catalogue SDK names that name one SDK; a brand or vendor several SDKs share names none of them. */
const catalogueSdkNames: SdkNameFinder = (text) => findSdkNames(text).filter((m) => m.shared === 1);

export function detectLanguage(text: string): PolicyLanguage {
  const sample = text.slice(0, 20_000);
  const han = sample.match(/[\u4e00-\u9fff]/gu)?.length ?? 0;
  const latin = sample.match(/[A-Za-z]/gu)?.length ?? 0;
  return han > 0 && han * 10 >= han + latin ? 'zh' : 'en';
}

/** Reads what a policy says: sections, personal-information mentions, recipients, contacts, lists. */
export function analyzePolicy(document: PolicyDocument, options: AnalyzeOptions = {}): PolicyAnalysis {
  const language = options.language ?? detectLanguage(document.text);
  const lexicon = lexiconOf(language);
  const deadline = options.deadline;
  const inTime = () => {
    if (deadline !== undefined && Date.now() > deadline)
      throw new PolicyInputError('analysing the policy took longer than the time limit / 隐私政策分析超出时间上限');
  };
  const structure = readStructure(document, lexicon);
  inTime();
  const { dataMentions, contextMentions } = findDataMentions(document, structure, lexicon);
  inTime();
  const { purposes, permissions } = findPurposesAndPermissions(document, structure, lexicon, dataMentions);
  inTime();
  const sdkNames = options.sdkNames ?? catalogueSdkNames;
  const sdkTable = findSdkTable(document, lexicon, sdkNames, structure);
  inTime();
  const operator = findOperator(document, structure, lexicon);
  // The operator does not receive its own data.
  const recipients = findRecipients(document, structure, lexicon, sdkNames).filter((r) => r.name !== operator?.name);
  return {
    version: POLICY_ANALYSIS_VERSION,
    source: options.source ?? '',
    format: document.format,
    language,
    length: document.text.length,
    text: document.text,
    title: document.title ?? documentTitle(document),
    operator,
    contacts: findContacts(document, structure, lexicon),
    responseTime: findResponseTime(document, structure, lexicon),
    effectiveDate: findEffectiveDate(document, lexicon),
    sections: structure.sections,
    dataMentions,
    contextMentions,
    mentionedCategories: mentionedCategories(document.text, lexicon, dataMentions),
    purposes,
    permissions,
    recipients,
    sdkTable,
    lists: findLists(document, lexicon, sdkTable),
  };
}
