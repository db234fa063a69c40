/**
 * Fuzz test: thousands of mutated copies of real manifests, resource tables, DEX files, class files,
 * native libraries and whole APKs go through our parsers. Each target runs in a worker thread with a
 * memory cap and a watchdog: any exception other than ApkFormatError, a hang, or running out of
 * memory fails the test with the seed and iteration needed to replay it.
 *
 * FUZZ_ITERATIONS (per target, default 600) and FUZZ_SEED change the run; `npm run fuzz` runs only this.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fuzzTargets, type FuzzResult } from './targets.js';

const iterations = Number(process.env.FUZZ_ITERATIONS ?? 600);
const seed = Number(process.env.FUZZ_SEED ?? 20261128);
const hangMs = 15_000;

function runTarget(target: string): Promise<FuzzResult & { hang?: string; crashed?: string }> {
  const workerUrl = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(workerUrl)});`;
  return new Promise((resolve) => {
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { target, iterations, seed },
      resourceLimits: { maxOldGenerationSizeMb: 768, maxYoungGenerationSizeMb: 64 },
    });
    let current = -1;
    let settled = false;
    const finish = (result: FuzzResult & { hang?: string; crashed?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    let timer = setTimeout(onHang, hangMs);
    function onHang() {
      finish({
        target,
        iterations: current,
        rejected: 0,
        accepted: 0,
        unexpected: [],
        hang: `no progress for ${hangMs} ms at iteration ${current}`,
      });
    }
    worker.on('message', (message: { progress?: number; result?: FuzzResult }) => {
      if (message.progress !== undefined) {
        current = message.progress;
        clearTimeout(timer);
        timer = setTimeout(onHang, hangMs);
      } else if (message.result) {
        finish(message.result);
      }
    });
    worker.on('error', (error) =>
      finish({
        target,
        iterations: current,
        rejected: 0,
        accepted: 0,
        unexpected: [],
        crashed: `${error.name}: ${error.message} at iteration ${current}`,
      }),
    );
  });
}

for (const target of Object.keys(fuzzTargets)) {
  test(`fuzz ${target}: ${iterations} mutated inputs, only ApkFormatError, no hang, bounded memory`, async () => {
    const result = await runTarget(target);
    console.log(
      `fuzz ${target}: ${result.iterations} inputs, ${result.accepted} parsed, ${result.rejected} rejected with ApkFormatError, seed ${seed}`,
    );
    assert.equal(result.hang, undefined, `${target} hung: ${result.hang} (seed ${seed})`);
    assert.equal(result.crashed, undefined, `${target} worker died: ${result.crashed} (seed ${seed})`);
    assert.deepEqual(result.unexpected.slice(0, 5), [], `${target}: unexpected exceptions (seed ${seed})`);
    assert.ok(result.accepted + result.rejected >= iterations, 'every input was tried');
  });
}
