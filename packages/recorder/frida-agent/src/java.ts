/**
 * The Java bridge as the agent uses it (a structural subset of `frida-java-bridge`), and the
 * helpers every hook needs: describing Java values for redaction, stacks, exception names, a guard
 * against re-entering our own hooks on one thread.
 */
import { parseStackTrace, type ValueDescription } from '../../src/frida/encode.js';

/** A class or instance wrapper: fields (`.value`), methods and `$`-prefixed helpers. */
export interface JavaWrapper {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [name: string]: any;
  $className: string;
}

export interface JavaType {
  className?: string;
  name: string;
}

/** One method, or all its overloads (`Java.use(cls).method`). */
export interface JavaMethod {
  overloads: JavaMethod[];
  overload(...argumentTypes: string[]): JavaMethod;
  argumentTypes: JavaType[];
  returnType: JavaType;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  implementation: ((this: JavaWrapper, ...args: any[]) => any) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  apply(receiver: JavaWrapper, args: any[]): any;
}

export interface JavaBridge {
  available: boolean;
  androidVersion: string;
  perform(fn: () => void): void;
  performNow(fn: () => void): void;
  use(className: string): JavaWrapper;
}

let bridge: JavaBridge | null = null;

export function setJava(java: JavaBridge): void {
  bridge = java;
}

export function java(): JavaBridge {
  if (bridge === null) throw new Error('the Java bridge is not set');
  return bridge;
}

const classes = new Map<string, JavaWrapper>();

/** `Java.use`, cached; throws when the class cannot be loaded. */
export function use(className: string): JavaWrapper {
  let wrapper = classes.get(className);
  if (wrapper === undefined) {
    wrapper = java().use(className);
    classes.set(className, wrapper);
  }
  return wrapper;
}

/** The method wrapper `cls[name]` when it is one (has overloads), else null. */
export function methodOf(cls: JavaWrapper, name: string): JavaMethod | null {
  const m = cls[name] as JavaMethod | undefined;
  return m !== undefined && m !== null && Array.isArray(m.overloads) ? m : null;
}

/** The argument type names of an overload (`int`, `java.lang.String`, `[Ljava.lang.String;`). */
export function argTypesOf(overload: JavaMethod): string[] {
  return overload.argumentTypes.map((t) => t.className ?? t.name);
}

/** Threads currently inside one of our hooks: calls they make are passed straight through. */
const busy = new Set<number>();

/** Runs `fn` marked as inside a hook; a nested hook on the same thread sees `inHook()` true. */
export function guarded<T>(fn: () => T): T {
  const tid = Process.getCurrentThreadId();
  const outer = !busy.has(tid);
  busy.add(tid);
  try {
    return fn();
  } finally {
    if (outer) busy.delete(tid);
  }
}

export function inHook(): boolean {
  return busy.has(Process.getCurrentThreadId());
}

/** The calling Java thread's stack, innermost first (capped at 64 frames), or [] when it cannot be read. */
export function stackHere(): string[] {
  try {
    const Log = use('android.util.Log');
    const Throwable = use('java.lang.Throwable');
    return parseStackTrace(Log.getStackTraceString(Throwable.$new()) as string);
  } catch {
    return [];
  }
}

/** The Java class name of a value wrapper, by `getClass().getName()` (wrappers of a base class report the base). */
export function classNameOf(value: JavaWrapper | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  try {
    return String(value.getClass().getName());
  } catch {
    return typeof value.$className === 'string' ? value.$className : 'java.lang.Object';
  }
}

/** A Java value (as the bridge converted it) described for `redactArg`/`redactResult`; `declared` is its declared type. */
export function describe(value: unknown, declared: string): ValueDescription {
  if (value === null || value === undefined) return { kind: 'null' };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'number') {
    if (declared === 'float' || declared === 'double' || !Number.isInteger(value))
      return { kind: 'float', type: declared === 'float' ? 'float' : 'double' };
    return { kind: 'integer', value, type: declared };
  }
  if (declared.startsWith('[')) {
    const length = (value as { length?: unknown }).length;
    const element = declared.replace(/^\[+/, '').replace(/^L(.*);$/, '$1');
    const primitive: Record<string, string> = {
      Z: 'boolean',
      B: 'byte',
      S: 'short',
      C: 'char',
      I: 'int',
      J: 'long',
      F: 'float',
      D: 'double',
    };
    return { kind: 'array', type: primitive[element] ?? element, length: typeof length === 'number' ? length : null };
  }
  if (typeof value === 'object') {
    const w = value as JavaWrapper;
    const type = typeof w.$className === 'string' && w.$className !== declared ? w.$className : declared;
    return { kind: 'object', type };
  }
  return { kind: 'unknown' };
}

/** A Java string array (or anything array-like) as JS strings. */
export function stringsOf(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  const arr = value as { length?: unknown; [i: number]: unknown };
  if (typeof arr.length !== 'number') return [];
  const out: unknown[] = [];
  for (let i = 0; i < Math.min(arr.length, 256); i++) out.push(arr[i] === null || arr[i] === undefined ? null : String(arr[i]));
  return out;
}

/** A Java number array as JS numbers. */
export function numbersOf(value: unknown, max = 64): number[] {
  if (value === null || value === undefined) return [];
  const arr = value as { length?: unknown; [i: number]: unknown };
  if (typeof arr.length !== 'number') return [];
  const out: number[] = [];
  for (let i = 0; i < Math.min(arr.length, max); i++) out.push(Number(arr[i]));
  return out;
}

/** The class name of a Java exception the bridge threw as a JS error (never its message). */
export function exceptionName(error: unknown): string {
  const text = String(error);
  const m = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:Exception|Error|Throwable))/.exec(text);
  return m ? m[1]! : 'java.lang.Throwable';
}
