import { writeFileSync } from 'node:fs';
import { t, type Lang } from './i18n.js';

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
    if (process.stderr.isTTY) process.stderr.write(`${t(lang, 'writtenTo')} ${output}\n`);
  } else {
    process.stdout.write(body);
  }
}

/** The report formats every reporting command writes. */
export type ReportFormat = 'text' | 'json' | 'md' | 'sarif' | 'html';

/** A report in the format asked for: JSON as it is, the others through the command's renderers. */
export function renderReport<R>(
  report: R,
  format: ReportFormat,
  lang: Lang,
  renderers: { text(r: R, lang: Lang): string; md(r: R, lang: Lang): string; sarif(r: R): string; html(r: R, lang: Lang): string },
): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'sarif') return renderers.sarif(report);
  return renderers[format](report, lang);
}
