import { writeFileSync } from 'node:fs';
import { t, type Lang } from './i18n.js';

/** Writes a command's output to `-o FILE` or stdout. */
export function emit(text: string, output: string | undefined, lang: Lang): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (output) {
    writeFileSync(output, body);
    if (process.stderr.isTTY) process.stderr.write(`${t(lang, 'writtenTo')} ${output}\n`);
  } else {
    process.stdout.write(body);
  }
}
