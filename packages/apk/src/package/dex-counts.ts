import type { DexFile } from '../dex/index.js';

/** Methods defined by a DEX file's classes (direct + virtual, abstract and native included), as dexdump lists them. */
export function countDefinedMethods(dex: DexFile): number {
  let methods = 0;
  for (let i = 0; i < dex.counts.classDefs; i++) {
    const data = dex.classData(i);
    if (data) methods += data.directMethods.length + data.virtualMethods.length;
  }
  return methods;
}
