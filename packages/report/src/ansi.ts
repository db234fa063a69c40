/**
 * Terminal colours (SGR escape codes) for the text reports. Whether to colour at all is the
 * command's decision (a TTY, no NO_COLOR, no --no-color); with `enabled` false every function
 * returns its text unchanged, so the same renderer writes plain text to files and pipes.
 */
export interface Paint {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);

const COLOURED: Paint = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  blue: sgr(34, 39),
  magenta: sgr(35, 39),
};

const same = (text: string) => text;
const PLAIN: Paint = { enabled: false, bold: same, dim: same, red: same, yellow: same, green: same, blue: same, magenta: same };

export function paint(enabled: boolean): Paint {
  return enabled ? COLOURED : PLAIN;
}

/** Report text may come from a hostile package: no escape sequence of its own reaches the terminal. */
export function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
