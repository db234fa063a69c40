// CSV for spreadsheets (RFC 4180, CRLF): every cell is quoted, and a text cell that a spreadsheet
// would read as a formula (starting with = + - @, a tab or a carriage return; operator names are
// user input) gets a leading apostrophe, the OWASP-recommended neutralisation of CSV injection.
// Numbers are written as numbers: a negative number is data, not a formula.

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '""';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '""';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}
