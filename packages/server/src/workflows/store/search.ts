// What the disclosure list's search box ("name or package") looks in: listings.search_text, the
// app's name from its six elements and its package name, lowercased, one per line. Kept beside the
// listing (written with it, migration 0060), so a search reads a few dozen bytes per listing from an
// index instead of each listing's whole elements JSON, and matches the same way on SQLite and
// PostgreSQL (whose LIKE is case-sensitive): both sides are lowercased here.

/** The search text of a listing; `elements` is its JSON text (unreadable JSON: the package alone). */
export function listingSearchText(packageName: string, elements: string): string {
  let name = '';
  try {
    const parsed = JSON.parse(elements) as { name?: unknown };
    if (typeof parsed?.name === 'string') name = parsed.name;
  } catch {
    // not JSON: the package name is still searchable
  }
  return `${name}\n${packageName}`.toLowerCase();
}

/** LIKE pattern for a reader's search text: lowercased, its % _ and \ literal (say ESCAPE '\'). */
export function searchPattern(text: string): string {
  return `%${text
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
