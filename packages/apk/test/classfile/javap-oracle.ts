/**
 * Reads `javap -v -p` output into the shape our parser produces, so tests can compare the two
 * instruction by instruction. javap is the JDK's own reader, which makes it the reference for
 * instruction lengths (a wrong length would shift every later pc) and constant resolution.
 */
import assert from 'node:assert/strict';
import type { ClassFile } from '../../src/classfile/index.js';
import { runTool } from '@apprights/testkit';

export interface JavapInstruction {
  pc: number;
  opcode: string;
  /** Signature / descriptor / call site in our notation; undefined when it is not comparable (non-ASCII strings...). */
  target: string | undefined;
  /** The constant type javap names (Method, Field, String, class, InvokeDynamic...). */
  constantType: string;
}

export interface JavapClass {
  /** Descriptor of the class. */
  name: string;
  /** Methodref + InterfaceMethodref signatures from the constant pool. */
  methodRefs: string[];
  fieldRefs: string[];
  /** One list per method with a Code attribute, in class-file order. */
  codes: JavapInstruction[][];
}

const INSTRUCTION = /^\s+(\d+): ([a-z][a-z_0-9]*)\s+#(\d+)/;
const POOL = /^\s+#(\d+) = (\w+)\s+.*?\/\/ ?(.*)$/;

/** Runs javap on up to a few hundred classes at once and splits its output per class. */
export function javap(classPath: string, classNames: string[]): JavapClass[] {
  const { stdout } = runTool('javap', ['-v', '-p', '-cp', classPath, ...classNames]);
  return stdout
    .split(/^Classfile /m)
    .slice(1)
    .map(parseOne);
}

function parseOne(text: string): JavapClass {
  const pool = new Map<number, { type: string; comment: string }>();
  const codes: JavapInstruction[][] = [];
  let name = '';
  let current: JavapInstruction[] | undefined;
  let inPool = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('Constant pool:')) {
      inPool = true;
      continue;
    }
    if (inPool) {
      const p = POOL.exec(line);
      if (p) {
        pool.set(Number(p[1]), { type: p[2]!, comment: p[3]! });
        continue;
      }
      if (!/^\s+#\d+ = /.test(line)) inPool = false;
    }
    const thisClass = /^\s+this_class: #\d+\s+\/\/ (.*)$/.exec(line);
    if (thisClass) name = descriptor(thisClass[1]!);
    if (/^\s+Code:$/.test(line)) {
      current = [];
      codes.push(current);
      continue;
    }
    const ins = current && INSTRUCTION.exec(line);
    if (ins) {
      const constant = pool.get(Number(ins[3]));
      current!.push({ pc: Number(ins[1]), opcode: ins[2]!, constantType: constant?.type ?? '?', target: target(constant) });
    }
  }
  const refs = (types: string[]) => [...pool.values()].filter((c) => types.includes(c.type)).map((c) => target(c)!);
  return { name, methodRefs: refs(['Methodref', 'InterfaceMethodref']), fieldRefs: refs(['Fieldref']), codes };
}

function descriptor(internal: string): string {
  const unquoted = internal.replace(/^"(.*)"$/, '$1');
  return unquoted.startsWith('[') ? unquoted : `L${unquoted};`;
}

/** Converts javap's `owner.name:desc` comment (owner or name may be quoted) into our signature. */
function memberSignature(comment: string, field: boolean): string {
  let rest = comment;
  let owner: string;
  if (rest.startsWith('"')) {
    const close = rest.indexOf('"', 1);
    owner = rest.slice(1, close);
    rest = rest.slice(close + 2);
  } else {
    const dot = rest.indexOf('.');
    owner = rest.slice(0, dot);
    rest = rest.slice(dot + 1);
  }
  let name: string;
  if (rest.startsWith('"')) {
    const close = rest.indexOf('"', 1);
    name = rest.slice(1, close);
    rest = rest.slice(close + 1);
  } else {
    const colon = rest.indexOf(':');
    name = rest.slice(0, colon);
    rest = rest.slice(colon);
  }
  const desc = rest.slice(1);
  return field ? `${descriptor(owner)}->${name}:${desc}` : `${descriptor(owner)}->${name}${desc}`;
}

function target(constant: { type: string; comment: string } | undefined): string | undefined {
  if (!constant) return undefined;
  switch (constant.type) {
    case 'Methodref':
    case 'InterfaceMethodref':
      return memberSignature(constant.comment, false);
    case 'Fieldref':
      return memberSignature(constant.comment, true);
    case 'Class':
      return descriptor(constant.comment);
    case 'String':
      // javap escapes control and some non-ASCII characters; compare only plain printable ASCII.
      return /^[\x20-\x7e]*$/.test(constant.comment) && !constant.comment.includes('\\') ? constant.comment : undefined;
    case 'InvokeDynamic': {
      const m = /^#\d+:(.*)$/.exec(constant.comment);
      if (!m) return undefined;
      const rest = m[1]!;
      const colon = rest.indexOf(':');
      return rest.slice(0, colon) + rest.slice(colon + 1);
    }
    default:
      return undefined;
  }
}

/** The references javap shows for one method, in our kinds. */
function expectedReferences(instructions: JavapInstruction[]): { pc: number; kind: string; target: string | undefined }[] {
  const out: { pc: number; kind: string; target: string | undefined }[] = [];
  for (const i of instructions) {
    if (/^(invoke(virtual|special|static|interface|dynamic)|(get|put)(static|field)|new)$/.test(i.opcode)) {
      out.push({ pc: i.pc, kind: i.opcode, target: i.target });
    } else if ((i.opcode === 'ldc' || i.opcode === 'ldc_w') && (i.constantType === 'String' || i.constantType === 'Class')) {
      out.push({ pc: i.pc, kind: i.constantType === 'String' ? 'ldc-string' : 'ldc-class', target: i.target });
    }
  }
  return out;
}

/** Asserts our bytecode scan and constant pool agree with javap for every method of `cls`. */
export function assertMatchesJavap(cls: ClassFile, oracle: JavapClass): void {
  assert.equal(cls.name, oracle.name);
  assert.deepEqual(cls.issues, [], `${cls.name}: ${cls.issues.join('; ')}`);
  assert.deepEqual(cls.references.methods.map((m) => m.signature).sort(), [...oracle.methodRefs].sort(), `${cls.name}: method references`);
  assert.deepEqual(cls.references.fields.map((m) => m.signature).sort(), [...oracle.fieldRefs].sort(), `${cls.name}: field references`);
  const withCode = cls.methods.filter((m) => m.code);
  assert.equal(withCode.length, oracle.codes.length, `${cls.name}: methods with code`);
  withCode.forEach((method, index) => {
    const ours = method.code!.references!;
    const theirs = expectedReferences(oracle.codes[index]!);
    assert.deepEqual(
      ours.map((r) => `${r.pc} ${r.kind}`),
      theirs.map((r) => `${r.pc} ${r.kind}`),
      `${method.signature}: instruction offsets and kinds`,
    );
    theirs.forEach((t, k) => {
      // javap trims its lines, so a string constant's trailing spaces are lost on its side.
      const mine = t.kind === 'ldc-string' ? ours[k]!.target.trimEnd() : ours[k]!.target;
      if (t.target !== undefined) assert.equal(mine, t.target, `${method.signature} pc ${t.pc}`);
    });
  });
}
