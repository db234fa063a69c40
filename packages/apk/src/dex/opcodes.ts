/**
 * Dalvik opcode facts: mnemonic, instruction format and what kind of constant-pool index an
 * instruction carries. Only the table lives here; the walkers that use it are in code.ts.
 */

/** The kind of index an instruction's operand refers to. */
export type DexIndexKind = 'none' | 'string' | 'type' | 'field' | 'method' | 'call-site' | 'method-handle' | 'proto';

export interface DexOpcodeInfo {
  readonly opcode: number;
  readonly name: string;
  /** Instruction format id as in the Dalvik bytecode docs (`35c`, `21c`, ...); `unused` for holes. */
  readonly format: string;
  /** Width in 16-bit code units (payload pseudo-instructions have a variable width; see payloadWidth). */
  readonly width: number;
  readonly index: DexIndexKind;
}

const ARITH = ['add', 'sub', 'mul', 'div', 'rem', 'and', 'or', 'xor', 'shl', 'shr', 'ushr'];
const FLOAT_ARITH = ['add', 'sub', 'mul', 'div', 'rem'];
const SUFFIXES = ['', '-wide', '-object', '-boolean', '-byte', '-char', '-short'];

function buildTable(): DexOpcodeInfo[] {
  const rows: [number, string, string, DexIndexKind?][] = [];
  const add = (op: number, name: string, format: string, index?: DexIndexKind) => rows.push([op, name, format, index]);
  add(0x00, 'nop', '10x');
  add(0x01, 'move', '12x');
  add(0x02, 'move/from16', '22x');
  add(0x03, 'move/16', '32x');
  add(0x04, 'move-wide', '12x');
  add(0x05, 'move-wide/from16', '22x');
  add(0x06, 'move-wide/16', '32x');
  add(0x07, 'move-object', '12x');
  add(0x08, 'move-object/from16', '22x');
  add(0x09, 'move-object/16', '32x');
  add(0x0a, 'move-result', '11x');
  add(0x0b, 'move-result-wide', '11x');
  add(0x0c, 'move-result-object', '11x');
  add(0x0d, 'move-exception', '11x');
  add(0x0e, 'return-void', '10x');
  add(0x0f, 'return', '11x');
  add(0x10, 'return-wide', '11x');
  add(0x11, 'return-object', '11x');
  add(0x12, 'const/4', '11n');
  add(0x13, 'const/16', '21s');
  add(0x14, 'const', '31i');
  add(0x15, 'const/high16', '21h');
  add(0x16, 'const-wide/16', '21s');
  add(0x17, 'const-wide/32', '31i');
  add(0x18, 'const-wide', '51l');
  add(0x19, 'const-wide/high16', '21h');
  add(0x1a, 'const-string', '21c', 'string');
  add(0x1b, 'const-string/jumbo', '31c', 'string');
  add(0x1c, 'const-class', '21c', 'type');
  add(0x1d, 'monitor-enter', '11x');
  add(0x1e, 'monitor-exit', '11x');
  add(0x1f, 'check-cast', '21c', 'type');
  add(0x20, 'instance-of', '22c', 'type');
  add(0x21, 'array-length', '12x');
  add(0x22, 'new-instance', '21c', 'type');
  add(0x23, 'new-array', '22c', 'type');
  add(0x24, 'filled-new-array', '35c', 'type');
  add(0x25, 'filled-new-array/range', '3rc', 'type');
  add(0x26, 'fill-array-data', '31t');
  add(0x27, 'throw', '11x');
  add(0x28, 'goto', '10t');
  add(0x29, 'goto/16', '20t');
  add(0x2a, 'goto/32', '30t');
  add(0x2b, 'packed-switch', '31t');
  add(0x2c, 'sparse-switch', '31t');
  ['cmpl-float', 'cmpg-float', 'cmpl-double', 'cmpg-double', 'cmp-long'].forEach((n, i) => add(0x2d + i, n, '23x'));
  ['eq', 'ne', 'lt', 'ge', 'gt', 'le'].forEach((n, i) => {
    add(0x32 + i, `if-${n}`, '22t');
    add(0x38 + i, `if-${n}z`, '21t');
  });
  SUFFIXES.forEach((s, i) => {
    add(0x44 + i, `aget${s}`, '23x');
    add(0x4b + i, `aput${s}`, '23x');
    add(0x52 + i, `iget${s}`, '22c', 'field');
    add(0x59 + i, `iput${s}`, '22c', 'field');
    add(0x60 + i, `sget${s}`, '21c', 'field');
    add(0x67 + i, `sput${s}`, '21c', 'field');
  });
  ['virtual', 'super', 'direct', 'static', 'interface'].forEach((n, i) => {
    add(0x6e + i, `invoke-${n}`, '35c', 'method');
    add(0x74 + i, `invoke-${n}/range`, '3rc', 'method');
  });
  [
    'neg-int',
    'not-int',
    'neg-long',
    'not-long',
    'neg-float',
    'neg-double',
    'int-to-long',
    'int-to-float',
    'int-to-double',
    'long-to-int',
    'long-to-float',
    'long-to-double',
    'float-to-int',
    'float-to-long',
    'float-to-double',
    'double-to-int',
    'double-to-long',
    'double-to-float',
    'int-to-byte',
    'int-to-char',
    'int-to-short',
  ].forEach((n, i) => add(0x7b + i, n, '12x'));
  const binops = [
    ...ARITH.map((n) => `${n}-int`),
    ...ARITH.map((n) => `${n}-long`),
    ...FLOAT_ARITH.map((n) => `${n}-float`),
    ...FLOAT_ARITH.map((n) => `${n}-double`),
  ];
  binops.forEach((n, i) => {
    add(0x90 + i, n, '23x');
    add(0xb0 + i, `${n}/2addr`, '12x');
  });
  ['add-int', 'rsub-int', 'mul-int', 'div-int', 'rem-int', 'and-int', 'or-int', 'xor-int'].forEach((n, i) =>
    add(0xd0 + i, n === 'rsub-int' ? n : `${n}/lit16`, '22s'),
  );
  ['add', 'rsub', 'mul', 'div', 'rem', 'and', 'or', 'xor', 'shl', 'shr', 'ushr'].forEach((n, i) => add(0xd8 + i, `${n}-int/lit8`, '22b'));
  add(0xfa, 'invoke-polymorphic', '45cc', 'method');
  add(0xfb, 'invoke-polymorphic/range', '4rcc', 'method');
  add(0xfc, 'invoke-custom', '35c', 'call-site');
  add(0xfd, 'invoke-custom/range', '3rc', 'call-site');
  add(0xfe, 'const-method-handle', '21c', 'method-handle');
  add(0xff, 'const-method-type', '21c', 'proto');

  const table: DexOpcodeInfo[] = [];
  for (let op = 0; op < 256; op++) {
    table.push({ opcode: op, name: `unused-${op.toString(16).padStart(2, '0')}`, format: 'unused', width: 1, index: 'none' });
  }
  for (const [op, name, format, index] of rows) {
    table[op] = { opcode: op, name, format, width: Number(format[0]), index: index ?? 'none' };
  }
  return table;
}

/** All 256 opcodes; holes in the instruction set have format `unused` and width 1. */
export const DEX_OPCODES: readonly DexOpcodeInfo[] = buildTable();

/**
 * Width of each opcode in code units, for the hot loop. 0 marks the two cases that need a closer
 * look: `nop` (which may start a payload) and unused opcodes.
 */
export const OPCODE_WIDTH: Uint8Array = (() => {
  const widths = new Uint8Array(256);
  for (const info of DEX_OPCODES) widths[info.opcode] = info.format === 'unused' || info.opcode === 0 ? 0 : info.width;
  return widths;
})();

export const PACKED_SWITCH_PAYLOAD = 0x0100;
export const SPARSE_SWITCH_PAYLOAD = 0x0200;
export const FILL_ARRAY_DATA_PAYLOAD = 0x0300;

/**
 * Width in code units of the payload pseudo-instruction at `pc`, 1 for a plain nop, or -1 when the
 * payload's own header does not fit before `end`. Sizes are computed in doubles so a lying 32-bit
 * element count cannot wrap around.
 */
export function payloadWidth(units: Uint16Array, pc: number, end: number): number {
  const ident = units[pc]!;
  if (ident === PACKED_SWITCH_PAYLOAD) {
    if (pc + 2 > end) return -1;
    return 4 + units[pc + 1]! * 2;
  }
  if (ident === SPARSE_SWITCH_PAYLOAD) {
    if (pc + 2 > end) return -1;
    return 2 + units[pc + 1]! * 4;
  }
  if (ident === FILL_ARRAY_DATA_PAYLOAD) {
    if (pc + 4 > end) return -1;
    const elementWidth = units[pc + 1]!;
    const size = units[pc + 2]! + units[pc + 3]! * 0x10000;
    return 4 + Math.ceil((size * elementWidth) / 2);
  }
  return 1;
}

/** True for the invoke family that names a method_id (not invoke-custom, which names a call site). */
export function isInvokeOpcode(opcode: number): boolean {
  return (opcode >= 0x6e && opcode <= 0x72) || (opcode >= 0x74 && opcode <= 0x78) || opcode === 0xfa || opcode === 0xfb;
}

export function isInvokeCustomOpcode(opcode: number): boolean {
  return opcode === 0xfc || opcode === 0xfd;
}

/** sget-* (0x60-0x66). */
export function isStaticFieldRead(opcode: number): boolean {
  return opcode >= 0x60 && opcode <= 0x66;
}
/** sput-* (0x67-0x6d). */
export function isStaticFieldWrite(opcode: number): boolean {
  return opcode >= 0x67 && opcode <= 0x6d;
}
/** iget-* (0x52-0x58). */
export function isInstanceFieldRead(opcode: number): boolean {
  return opcode >= 0x52 && opcode <= 0x58;
}
/** iput-* (0x59-0x5f). */
export function isInstanceFieldWrite(opcode: number): boolean {
  return opcode >= 0x59 && opcode <= 0x5f;
}
export function isFieldOpcode(opcode: number): boolean {
  return opcode >= 0x52 && opcode <= 0x6d;
}
export function isStringOpcode(opcode: number): boolean {
  return opcode === 0x1a || opcode === 0x1b;
}
