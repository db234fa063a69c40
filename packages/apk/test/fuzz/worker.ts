import { parentPort, workerData } from 'node:worker_threads';
import { ApkFormatError } from '../../src/index.js';
import { fuzzTargets, type FuzzResult } from './targets.js';
import { mutate, Rng } from './mutate.js';

const { target, iterations, seed } = workerData as { target: string; iterations: number; seed: number };
const spec = fuzzTargets[target]!;
const seeds = spec.seeds();
const rng = new Rng(seed ^ (target.length * 0x01000193));
const result: FuzzResult = { target, iterations, accepted: 0, rejected: 0, unexpected: [] };

for (let i = 0; i < iterations; i++) {
  if (i % 10 === 0) parentPort!.postMessage({ progress: i });
  const original = seeds[i % seeds.length]!;
  const { bytes, mutations } = mutate(original.bytes, rng, spec.hotRegion);
  try {
    spec.run(bytes);
    result.accepted++;
  } catch (error) {
    if (error instanceof ApkFormatError) {
      result.rejected++;
    } else {
      const e = error as Error;
      result.unexpected.push({
        iteration: i,
        seedFile: original.name,
        mutations: JSON.stringify(mutations),
        error: `${e?.name}: ${e?.message}\n${e?.stack?.split('\n').slice(1, 6).join('\n')}`,
      });
    }
  }
}
parentPort!.postMessage({ result });
