import { CONSTANT, type ConstantPool } from './constant-pool.js';
import { readI32, readU16 } from './reader.js';

/** What a Code attribute instruction does with the constant it names. */
export type CodeReferenceKind =
  | 'invokevirtual'
  | 'invokespecial'
  | 'invokestatic'
  | 'invokeinterface'
  | 'invokedynamic'
  | 'getstatic'
  | 'putstatic'
  | 'getfield'
  | 'putfield'
  | 'new'
  | 'ldc-string'
  | 'ldc-class';

export interface CodeReference {
  kind: CodeReferenceKind;
  /** Bytecode offset of the instruction inside the method. */
  pc: number;
  /**
   * For invokes and field instructions the member signature (`Lx;->m(I)V`, `Lx;->f:I`); for
   * `new` and `ldc-class` the class descriptor; for `ldc-string` the string itself; for
   * invokedynamic the call site's `name` + descriptor (`run()Ljava/lang/Runnable;`).
   */
  target: string;
  /** invokedynamic only: the bootstrap method (`Ljava/lang/invoke/LambdaMetafactory;->metafactory(...)`). */
  bootstrap?: string;
  /**
   * invokedynamic only: members named by MethodHandle bootstrap arguments. For lambdas and method
   * references this is the implementation, so `tm::getDeviceId` still shows up as a use of
   * `Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;`.
   */
  handles?: string[];
}

export interface BootstrapMethod {
  /** Constant pool index of the bootstrap MethodHandle. */
  methodHandle: number;
  /** Constant pool indexes of the static arguments. */
  arguments: number[];
}

/**
 * Instruction lengths by opcode (0 = variable or invalid, handled in code). Values from JVMS 6.5;
 * getting these right matters more than anything else here, since one wrong length desynchronises
 * every later instruction of the method.
 */
const LENGTHS = new Uint8Array(256);
(() => {
  const set = (from: number, to: number, length: number) => LENGTHS.fill(length, from, to + 1);
  set(0x00, 0x0f, 1); // nop, constants
  set(0x10, 0x10, 2); // bipush
  set(0x11, 0x11, 3); // sipush
  set(0x12, 0x12, 2); // ldc
  set(0x13, 0x14, 3); // ldc_w, ldc2_w
  set(0x15, 0x19, 2); // iload..aload
  set(0x1a, 0x35, 1); // *load_n, *aload
  set(0x36, 0x3a, 2); // istore..astore
  set(0x3b, 0x83, 1); // *store_n, *astore, stack ops, arithmetic
  set(0x84, 0x84, 3); // iinc
  set(0x85, 0x98, 1); // conversions, comparisons
  set(0x99, 0xa8, 3); // if*, goto, jsr
  set(0xa9, 0xa9, 2); // ret
  set(0xac, 0xb1, 1); // returns
  set(0xb2, 0xb8, 3); // field access, invokevirtual/special/static
  set(0xb9, 0xba, 5); // invokeinterface, invokedynamic
  set(0xbb, 0xbb, 3); // new
  set(0xbc, 0xbc, 2); // newarray
  set(0xbd, 0xbd, 3); // anewarray
  set(0xbe, 0xbf, 1); // arraylength, athrow
  set(0xc0, 0xc1, 3); // checkcast, instanceof
  set(0xc2, 0xc3, 1); // monitorenter/exit
  set(0xc5, 0xc5, 4); // multianewarray
  set(0xc6, 0xc7, 3); // ifnull, ifnonnull
  set(0xc8, 0xc9, 5); // goto_w, jsr_w
})();

const MEMBER_KINDS: Readonly<Record<number, CodeReferenceKind>> = {
  0xb2: 'getstatic',
  0xb3: 'putstatic',
  0xb4: 'getfield',
  0xb5: 'putfield',
  0xb6: 'invokevirtual',
  0xb7: 'invokespecial',
  0xb8: 'invokestatic',
  0xb9: 'invokeinterface',
};

/** Opcodes that `wide` may modify: the loads, stores and ret take a u16 index, iinc also a s16. */
const WIDE_TARGETS = new Set([0x15, 0x16, 0x17, 0x18, 0x19, 0x36, 0x37, 0x38, 0x39, 0x3a, 0xa9]);

/**
 * Walks one method's bytecode and collects the instructions that name classes, members or strings.
 * Returns the references found and, when the code is malformed, why scanning stopped: a broken
 * method should not cost us the rest of the class.
 */
export function scanCode(
  code: Uint8Array,
  pool: ConstantPool,
  bootstrapMethods: readonly BootstrapMethod[] | undefined,
): { references: CodeReference[]; error?: string } {
  const references: CodeReference[] = [];
  const end = code.byteLength;
  let pc = 0;
  const stop = (message: string) => ({ references, error: `${message} at pc ${pc}` });
  while (pc < end) {
    const op = code[pc]!;
    let length = LENGTHS[op]!;
    if (op === 0xaa || op === 0xab) {
      // Switch operands start at the next 4-byte boundary counted from the start of the code.
      const base = (pc + 4) & ~3;
      // tableswitch has default, low, high; lookupswitch default and npairs.
      if (base + (op === 0xaa ? 12 : 8) > end) return stop('truncated switch');
      if (op === 0xaa) {
        const low = readI32(code, base + 4);
        const high = readI32(code, base + 8);
        if (high < low) return stop(`tableswitch high ${high} < low ${low}`);
        length = base + 12 + (high - low + 1) * 4 - pc;
      } else {
        const pairs = readI32(code, base + 4);
        if (pairs < 0) return stop(`lookupswitch with ${pairs} pairs`);
        length = base + 8 + pairs * 8 - pc;
      }
    } else if (op === 0xc4) {
      if (pc + 1 >= end) return stop('truncated wide');
      const next = code[pc + 1]!;
      if (next === 0x84) length = 6;
      else if (WIDE_TARGETS.has(next)) length = 4;
      else return stop(`wide applied to opcode 0x${next.toString(16)}`);
    } else if (length === 0) {
      return stop(`invalid opcode 0x${op.toString(16)}`);
    }
    if (pc + length > end) return stop(`instruction 0x${op.toString(16)} runs past the end of the code`);

    const memberKind = MEMBER_KINDS[op];
    if (memberKind) {
      const index = readU16(code, pc + 1);
      const tag = pool.tag(index);
      const ok = memberKind.startsWith('invoke')
        ? tag === CONSTANT.Methodref || tag === CONSTANT.InterfaceMethodref
        : tag === CONSTANT.Fieldref;
      if (!ok) return stop(`${memberKind} names constant #${index} of tag ${tag}`);
      references.push({ kind: memberKind, pc, target: pool.memberRef(index).signature });
    } else if (op === 0xba) {
      const index = readU16(code, pc + 1);
      if (pool.tag(index) !== CONSTANT.InvokeDynamic) return stop(`invokedynamic names constant #${index}`);
      const site = pool.dynamic(index);
      const reference: CodeReference = { kind: 'invokedynamic', pc, target: site.name + site.descriptor };
      const bsm = bootstrapMethods?.[site.bootstrapIndex];
      if (bsm) {
        if (pool.tag(bsm.methodHandle) === CONSTANT.MethodHandle) {
          reference.bootstrap = pool.methodHandle(bsm.methodHandle).reference.signature;
        }
        const handles = bsm.arguments
          .filter((arg) => pool.tag(arg) === CONSTANT.MethodHandle)
          .map((arg) => pool.methodHandle(arg).reference.signature);
        if (handles.length > 0) reference.handles = handles;
      }
      references.push(reference);
    } else if (op === 0x12 || op === 0x13) {
      const index = op === 0x12 ? code[pc + 1]! : readU16(code, pc + 1);
      const tag = pool.tag(index);
      if (tag === CONSTANT.String) references.push({ kind: 'ldc-string', pc, target: pool.string(index) });
      else if (tag === CONSTANT.Class) references.push({ kind: 'ldc-class', pc, target: pool.classDescriptor(index) });
    } else if (op === 0xbb) {
      const index = readU16(code, pc + 1);
      if (pool.tag(index) !== CONSTANT.Class) return stop(`new names constant #${index}`);
      references.push({ kind: 'new', pc, target: pool.classDescriptor(index) });
    }
    pc += length;
  }
  return { references };
}
