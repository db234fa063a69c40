import type { EngineStage } from '@apprights/engine';
import { t, type Lang, type MessageKey } from './i18n.js';

/** The engine's stages as the progress line words them (stages not listed keep the previous words). */
const STAGE_MESSAGES: Partial<Record<EngineStage, MessageKey>> = {
  open: 'progressOpen',
  manifest: 'progressManifest',
  resources: 'progressManifest',
  dex: 'progressDex',
  classes: 'progressClasses',
  signatures: 'progressSignatures',
  nested: 'progressNested',
  rules: 'progressRules',
  'policy-fetch': 'progressFetchPolicy',
  'policy-read': 'progressReadPolicy',
  'policy-analyse': 'progressAnalysePolicy',
  trace: 'progressReadTrace',
};

/**
 * A one-line progress indicator on stderr, shown only when stderr is a terminal (never in pipes,
 * files or CI logs, so machine output stays clean).
 */
export class Progress {
  private lastWidth = 0;
  private lastDraw = 0;
  readonly enabled: boolean;

  constructor(
    readonly lang: Lang,
    enabled = process.stderr.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  update(stage: string, done?: number, total?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done !== undefined && total !== undefined && done < total && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    const counter = done !== undefined && total !== undefined ? ` ${done}/${total}` : '';
    const line = `… ${stage}${counter}`;
    process.stderr.write(`\r${line}${' '.repeat(Math.max(0, this.lastWidth - line.length))}`);
    this.lastWidth = line.length;
  }

  /** The engine's `onProgress`: a stage (and, for DEX files, done/total) in the user's words. */
  readonly onStage = (stage: EngineStage, done?: number, total?: number): void => {
    const key = STAGE_MESSAGES[stage];
    if (key) this.update(t(this.lang, key), done, total);
  };

  clear(): void {
    if (!this.enabled || this.lastWidth === 0) return;
    process.stderr.write(`\r${' '.repeat(this.lastWidth)}\r`);
    this.lastWidth = 0;
  }
}
