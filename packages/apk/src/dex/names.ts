/** Access flag bits shared by classes, fields and methods (some bits mean different things). */
export const DEX_ACC = {
  PUBLIC: 0x1,
  PRIVATE: 0x2,
  PROTECTED: 0x4,
  STATIC: 0x8,
  FINAL: 0x10,
  SYNCHRONIZED: 0x20,
  VOLATILE: 0x40,
  BRIDGE: 0x40,
  TRANSIENT: 0x80,
  VARARGS: 0x80,
  NATIVE: 0x100,
  INTERFACE: 0x200,
  ABSTRACT: 0x400,
  STRICT: 0x800,
  SYNTHETIC: 0x1000,
  ANNOTATION: 0x2000,
  ENUM: 0x4000,
  CONSTRUCTOR: 0x10000,
  DECLARED_SYNCHRONIZED: 0x20000,
} as const;

const COMMON: [number, string][] = [
  [0x1, 'public'],
  [0x2, 'private'],
  [0x4, 'protected'],
  [0x8, 'static'],
  [0x10, 'final'],
];
const BY_KIND: Record<'class' | 'field' | 'method', [number, string][]> = {
  class: [...COMMON, [0x200, 'interface'], [0x400, 'abstract'], [0x1000, 'synthetic'], [0x2000, 'annotation'], [0x4000, 'enum']],
  field: [...COMMON, [0x40, 'volatile'], [0x80, 'transient'], [0x1000, 'synthetic'], [0x4000, 'enum']],
  method: [
    ...COMMON,
    [0x20, 'synchronized'],
    [0x40, 'bridge'],
    [0x80, 'varargs'],
    [0x100, 'native'],
    [0x400, 'abstract'],
    [0x800, 'strictfp'],
    [0x1000, 'synthetic'],
    [0x10000, 'constructor'],
    [0x20000, 'declared-synchronized'],
  ],
};

/** Names of the set access flags, e.g. `['public', 'static']`. */
export function dexAccessFlagNames(flags: number, kind: 'class' | 'field' | 'method'): string[] {
  return BY_KIND[kind].filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/** `Landroid/os/Build;` → `android.os.Build`, `[I` → `int[]`; other strings are returned as they are. */
export function dexTypeToJavaName(descriptor: string): string {
  let dims = 0;
  while (descriptor[dims] === '[') dims++;
  const base = descriptor.slice(dims);
  const primitive: Record<string, string> = {
    V: 'void',
    Z: 'boolean',
    B: 'byte',
    S: 'short',
    C: 'char',
    I: 'int',
    J: 'long',
    F: 'float',
    D: 'double',
  };
  let name: string;
  if (base.startsWith('L') && base.endsWith(';')) name = base.slice(1, -1).replace(/\//g, '.');
  else name = primitive[base] ?? base;
  return name + '[]'.repeat(dims);
}
