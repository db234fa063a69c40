import { parentPort, workerData } from 'node:worker_threads';
import { ApkFormatError } from '../../src/index.js';
import { fuzzTargets, type FuzzResult } from './targets.js';
import { mutate, Rng, type Mutation } from './mutate.js';

/** Kept in full; the rest are only counted, so a systematic bug does not flood the report. */
const KEEP_UNEXPECTED = 10;

/** An input that takes longer than this, or leaves the process larger than BIG_BYTES, is counted (issue 12 §3). */
const SLOW_MS = 10_000;
const BIG_BYTES = 1024 ** 3;

const { target, iterations, seed } = workerData as { target: string; iterations: number; seed: number };
const spec = fuzzTargets[target]!;
const expected = spec.expected ?? ((error: unknown) => error instanceof ApkFormatError);
const seeds = spec.seeds();
// Each target draws its own stream, so adding a target does not change another's inputs.
let mix = seed >>> 0;
for (const ch of target) mix = Math.imul(mix ^ ch.charCodeAt(0), 0x01000193) >>> 0;
const rng = new Rng(mix);
const reasons = new Map<string, number>();
const started = performance.now();
const result: FuzzResult = {
  target,
  iterations,
  accepted: 0,
  rejected: 0,
  seeds: seeds.length,
  ms: 0,
  unexpected: [],
  unexpectedCount: 0,
  topRejections: [],
  slow: 0,
  big: 0,
  maxMs: 0,
  maxRss: 0,
};

for (let i = 0; i < iterations; i++) {
  const original = seeds[i % seeds.length]!;
  let bytes: Uint8Array;
  let mutations: Mutation[];
  if (spec.generate) {
    mutations = [];
    bytes = spec.generate(original, rng, mutations);
  } else {
    const mutated = mutate(original.bytes, rng, original.hot, spec.kinds);
    mutations = mutated.mutations;
    bytes = spec.fixup ? spec.fixup(mutated.bytes, original, rng, mutations) : mutated.bytes;
  }
  // Sent before the run, so a hang or a crash can name the input that caused it.
  parentPort!.postMessage({ progress: { iteration: i, seedFile: original.name, mutations: JSON.stringify(mutations) } });
  const runStarted = performance.now();
  try {
    spec.run(bytes, original, i);
    result.accepted++;
  } catch (error) {
    if (expected(error)) {
      result.rejected++;
      // Numbers vary per input; without them the messages group into reasons.
      const reason = `${(error as { code?: string }).code ?? (error as Error).name}: ${(error as Error).message.replace(/0x[0-9a-f]+|\d+/gi, 'N').slice(0, 90)}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    } else {
      result.unexpectedCount++;
      if (result.unexpected.length < KEEP_UNEXPECTED) {
        const e = error as Error;
        result.unexpected.push({
          iteration: i,
          seedFile: original.name,
          mutations: JSON.stringify(mutations),
          error: e?.stack ?? String(error),
        });
      }
    }
  }
  // Costs per input, for the benchmark's counts: wall time, and the process's resident memory after it.
  const ms = performance.now() - runStarted;
  if (ms > result.maxMs) result.maxMs = Math.round(ms);
  if (ms > SLOW_MS) result.slow++;
  const rss = process.memoryUsage.rss();
  if (rss > result.maxRss) result.maxRss = rss;
  if (rss > BIG_BYTES) result.big++;
}
result.ms = Math.round(performance.now() - started);
result.topRejections = [...reasons]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 3)
  .map(([reason, count]) => `${count}× ${reason}`);
parentPort!.postMessage({ result });
