import type { CodeReference, CodeReferenceKind } from './bytecode.js';
import type { ClassFile } from './parse.js';

/** One instruction that uses a member, class or string, and the method it sits in. */
export interface CodeUse {
  /** The calling class as a descriptor. */
  caller: string;
  /** The calling method's signature (`Lcom/x/Y;->run()V`). */
  method: string;
  kind: CodeReferenceKind;
  pc: number;
  /** What matched: the reference target, or for invokedynamic the matching method handle. */
  target: string;
}

/**
 * True when `signature` is `target` itself, or `target` names a member without its descriptor
 * (`Landroid/telephony/TelephonyManager;->getImei` matches every overload but not `getImeiX`).
 */
export function signatureMatches(signature: string, target: string): boolean {
  if (!signature.startsWith(target)) return false;
  if (signature.length === target.length) return true;
  const next = signature[target.length];
  return next === '(' || next === ':';
}

/**
 * Every instruction in `classes` whose target (or, for invokedynamic, bootstrap method-handle
 * argument) satisfies `match`: a signature as for signatureMatches, or a predicate. Answers "which
 * class calls TelephonyManager.getImei" for class files the way DEX code is searched.
 */
export function findCodeUses(
  classes: Iterable<ClassFile>,
  match: string | ((target: string, reference: CodeReference) => boolean),
): CodeUse[] {
  const test = typeof match === 'string' ? (target: string) => signatureMatches(target, match) : match;
  const out: CodeUse[] = [];
  for (const cls of classes) {
    for (const method of cls.methods) {
      for (const reference of method.code?.references ?? []) {
        const hits = reference.kind === 'invokedynamic' ? [reference.target, ...(reference.handles ?? [])] : [reference.target];
        for (const target of hits) {
          if (test(target, reference)) {
            out.push({ caller: cls.name, method: method.signature, kind: reference.kind, pc: reference.pc, target });
          }
        }
      }
    }
  }
  return out;
}
