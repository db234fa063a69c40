// Server-rendered HTML that escapes by default. Every value interpolated into `html\`…\`` is text:
// & < > " ' are replaced, so a label like `<img src=x onerror=…>` from an APK shows as itself.
// Only a SafeHtml passes through unchanged, and there are exactly two ways to get one: from `html`
// itself (already escaped) and from `trustedHtml`, which exists for the engine's own HTML report
// and nothing else (grep for it in review).

const brand: unique symbol = Symbol('SafeHtml');

export interface SafeHtml {
  readonly [brand]: true;
  readonly value: string;
}

function safe(value: string): SafeHtml {
  return { [brand]: true, value } as SafeHtml;
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML text node or a quoted attribute value. */
const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most values (ids, dates, names) have none of them: no replace, no new string.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafeHtml(value)) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return safe(out);
}

/**
 * HTML produced by AppRights' own report renderer (@apprights/report), which escapes what it takes
 * from the package itself. The one door for markup that `html` did not build.
 */
export function trustedHtml(reportHtml: string): SafeHtml {
  return safe(reportHtml);
}
