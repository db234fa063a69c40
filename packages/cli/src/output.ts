import { writeFileSync } from 'node:fs';
import { t, type Lang } from '@apprights/report';

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
