/**
 * The DEX reader's plain types that the code scan needs too. They live apart from dex-file.ts so
 * that code-scan.ts, which dex-file.ts imports to scan and cache, need not import it back.
 */
export type DexIssueKind =
  | 'checksum-mismatch'
  | 'signature-mismatch'
  | 'trailing-data'
  | 'container'
  | 'map-mismatch'
  | 'map-unknown-item'
  | 'map-order'
  | 'bad-string'
  | 'shared-class-data'
  | 'bad-code'
  | 'unknown-opcode'
  | 'truncated-instruction'
  | 'bad-reference';

/** Something wrong or odd that does not stop us reading the file, kept as evidence. */
export interface DexIssue {
  kind: DexIssueKind;
  message: string;
}

export interface DexCounts {
  strings: number;
  types: number;
  protos: number;
  fields: number;
  methods: number;
  classDefs: number;
  callSites: number;
  methodHandles: number;
}
