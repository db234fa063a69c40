import { renderDiffText } from '../diff-render.js';
import { renderPolicyText } from '../policy-render.js';
import { renderText } from '../render.js';
import { renderTraceText } from '../trace-render.js';
import type { Formatter } from './types.js';

/** Plain text for a terminal: the summary first, then findings and coverage. */
export const text: Formatter = { scan: renderText, policy: renderPolicyText, trace: renderTraceText, diff: renderDiffText };
