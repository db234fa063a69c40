/**
 * The human-readable report as neutral blocks (key/value lists and tables), so the terminal and
 * Markdown renderers show the same content and differ only in layout. A module of its own: the
 * section builders (scan, checks, policy, trace) and the layouts all depend on it, and it on none.
 */
export type Block =
  | { kind: 'fields'; fields: [string, string][] }
  | { kind: 'table'; headers: string[]; rows: string[][] }
  | { kind: 'list'; items: string[] }
  | { kind: 'text'; text: string };

export interface Section {
  /** For the sections a summary keeps: `problems`, `archiveIssues` (others have none). */
  id?: string;
  title: string;
  blocks: Block[];
}
