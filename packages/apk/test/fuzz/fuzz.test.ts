/**
 * Fuzz test: thousands of mutated copies of real manifests, resource tables, DEX files, class files,
 * JARs, native libraries, launcher icons (PNG), signed APKs and whole APKs go through our parsers. Each target runs in a
 * worker thread with a memory cap and a watchdog: any exception other than ApkFormatError, a hang,
 * or running out of memory fails the test with the seed, iteration and mutations needed to replay it.
 *
 * This is the one place that fuzzes; the per-parser suites keep deterministic guard tests only.
 * FUZZ_ITERATIONS (per target; default: each target's own count) and FUZZ_SEED change the run,
 * FUZZ_TARGETS=dex,elf runs only those; `npm run fuzz` runs only this file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fuzzTargets, type FuzzResult } from './targets.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261128);
const only = process.env.FUZZ_TARGETS?.split(',').filter(Boolean);
/** No progress for this long means a hang (one input takes milliseconds). */
const hangMs = 15_000;
/** Loading seeds (opening the real APKs and jars) happens before the first input. */
const startupMs = 60_000;

interface Progress {
  iteration: number;
  seedFile: string;
  mutations: string;
}

interface Outcome {
  result?: FuzzResult;
  /** Why the worker did not finish: hang, out of memory, or another crash. */
  failure?: string;
  last?: Progress;
  wallMs: number;
}

function runTarget(target: string, iterations: number): Promise<Outcome> {
  const workerUrl = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(workerUrl)});`;
  const started = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { target, iterations, seed },
      resourceLimits: { maxOldGenerationSizeMb: 768, maxYoungGenerationSizeMb: 64 },
    });
    let last: Progress | undefined;
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'last' | 'wallMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve({ ...outcome, ...(last ? { last } : {}), wallMs: Math.round(performance.now() - started) });
    };
    const onHang = () => finish({ failure: `hang: no progress for ${last ? hangMs : startupMs} ms` });
    let timer = setTimeout(onHang, startupMs);
    worker.on('message', (message: { progress?: Progress; result?: FuzzResult }) => {
      if (message.progress) {
        last = message.progress;
        clearTimeout(timer);
        timer = setTimeout(onHang, hangMs);
      } else if (message.result) {
        finish({ result: message.result });
      }
    });
    worker.on('error', (error: Error & { code?: string }) =>
      finish({
        failure:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `out of memory (heap capped at 768 MB): ${error.message}`
            : `worker crashed: ${error.stack ?? error.message}`,
      }),
    );
    worker.on('exit', (code) => finish({ failure: `worker exited with code ${code} before reporting` }));
  });
}

function describeInput(p: { iteration: number; seedFile: string; mutations: string }): string {
  return `iteration ${p.iteration}, seed file ${p.seedFile}, mutations ${p.mutations}`;
}

for (const [target, spec] of Object.entries(fuzzTargets)) {
  if (only && !only.includes(target)) continue;
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? spec.iterations);
  test(`fuzz ${target}: ${iterations} mutated inputs, only ApkFormatError, no hang, bounded memory`, async () => {
    const outcome = await runTarget(target, iterations);
    const replay = `FUZZ_SEED=${seed} FUZZ_TARGETS=${target} FUZZ_ITERATIONS=${iterations}`;
    const r = outcome.result;
    console.log(
      r
        ? `fuzz ${target}: ${r.iterations} inputs from ${r.seeds} seeds, ${r.accepted} parsed, ${r.rejected} rejected, ` +
            `${r.unexpectedCount} unexpected; ${r.ms} ms fuzzing, ${outcome.wallMs} ms with start-up (${replay})` +
            r.topRejections.map((t) => `\n    ${t}`).join('')
        : `fuzz ${target}: did not finish after ${outcome.wallMs} ms (${replay})`,
    );
    if (outcome.failure) {
      assert.fail(
        `${target}: ${outcome.failure}; last input: ${outcome.last ? describeInput(outcome.last) : 'none (seed loading)'}; ${replay}`,
      );
    }
    const unexpected = r!.unexpected.map((u) => `${describeInput(u)}\n${u.error}`).join('\n\n');
    assert.equal(
      r!.unexpectedCount,
      0,
      `${target}: ${r!.unexpectedCount} exceptions other than ApkFormatError (${replay}):\n\n${unexpected}`,
    );
    assert.equal(r!.accepted + r!.rejected, iterations, 'every input was tried');
  });
}
