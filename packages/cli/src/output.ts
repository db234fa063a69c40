import { writeFileSync } from 'node:fs';
import { t, type Lang } from './i18n.js';
import type { TextOptions } from '@apprights/report';

/** The report could not be written where `-o` asked: exit code 4, never a stack trace. */
export class OutputError extends Error {
  constructor(
    readonly file: string,
    code: string,
  ) {
    super(`cannot write ${file}: ${code}`);
  }
}

/** Writes a command's output to `-o FILE` or stdout. */
export function emit(text: string, output: string | undefined, lang: Lang): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (output) {
    try {
      writeFileSync(output, body);
    } catch (error) {
      throw new OutputError(output, (error as NodeJS.ErrnoException).code ?? String(error));
    }
    // Always, not only on a terminal: a CI log should show what was written where, and how big.
    process.stderr.write(`apprights: ${t(lang, 'writtenTo')} ${output} (${formatSize(Buffer.byteLength(body), lang)})\n`);
  } else {
    process.stdout.write(body);
  }
}

/** A size as people read it: 812 B, 14.2 KiB, 3.1 MiB (bytes too: 字节). */
export function formatSize(bytes: number, lang: Lang): string {
  if (bytes < 1024) return lang === 'zh' ? `${bytes} 字节` : `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Colour on a terminal only: never into a file or a pipe, never with `--no-color` or NO_COLOR set
 * (https://no-color.org: any non-empty value). FORCE_COLOR (not 0) turns it on anyway, for pagers
 * like `less -R` and for tests.
 */
export function colourWanted(
  flag: boolean | undefined,
  output: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): boolean {
  if (flag === false || output !== undefined) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

/** What the terminal text of a report command needs from its options. */
export interface TextFlags {
  output?: string;
  /** `--verbose`: every finding, every rule outcome, the package's facts. */
  verbose?: boolean;
  /** `--no-color` sets it false. */
  color?: boolean;
}

const FULL_REPORT = {
  summary: {
    en: 'Full report: add --format html -o report.html (every finding, fact and measure), or --verbose to print everything here.',
    zh: '完整报告：加 --format html -o report.html（全部问题、事实与措施），或加 --verbose 在此全部列出。',
  },
  verbose: {
    en: 'The same report as a page to share: --format html -o report.html.',
    zh: '可分享的网页版报告：--format html -o report.html。',
  },
};

export function textOptions(flags: TextFlags): TextOptions {
  return {
    verbose: flags.verbose === true,
    colour: colourWanted(flags.color, flags.output),
    // Written to a file, the report is the full record; the hint is for a terminal reader.
    fullReport: flags.output !== undefined ? null : flags.verbose ? FULL_REPORT.verbose : FULL_REPORT.summary,
  };
}
