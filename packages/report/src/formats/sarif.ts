import { renderPolicySarif, renderSarif, renderTraceSarif } from '../sarif.js';
import type { Formatter } from './types.js';

/** SARIF 2.1.0 for code-scanning tools; messages carry both languages, so the locale is not used. */
export const sarif: Formatter = {
  scan: (report) => renderSarif(report),
  policy: (report) => renderPolicySarif(report),
  trace: (report) => renderTraceSarif(report),
};
