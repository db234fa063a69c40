#!/usr/bin/env node
// `npm run fuzz`: the fuzz targets of packages/apk/test/fuzz as a benchmark, not a test. FUZZ_TOTAL
// inputs (default 100,000) are shared among the targets by weight; each target runs in a worker with
// a watchdog. Prints, per target and in all: inputs, internal errors (exceptions other than the
// target's input errors), inputs over 10 s, inputs after which the process was over 1 GiB resident.
// Exit 1 when any count is not 0. FUZZ_SEED, FUZZ_TARGETS=a,b and FUZZ_JOBS (default 2) change the run.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const total = Number(process.env.FUZZ_TOTAL ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? 20261206);
const jobs = Math.max(1, Number(process.env.FUZZ_JOBS ?? 2));
const only = process.env.FUZZ_TARGETS?.split(',').filter(Boolean);
/** Shares of the total: cheap binary parsers get many inputs, whole-archive and policy analyses fewer. */
const WEIGHTS = {
  zip: 12,
  axml: 10,
  manifest: 10,
  arsc: 6,
  dex: 10,
  classfile: 10,
  jar: 8,
  aar: 5,
  elf: 8,
  signing: 4,
  png: 10,
  apk: 2,
  'apk-entries': 2,
  policy: 1,
  trace: 2,
};
/** No progress for this long ends the target: the input is counted as over 10 s. */
const HANG_MS = 120_000;

const targets = Object.entries(WEIGHTS).filter(([name]) => !only || only.includes(name));
const weightSum = targets.reduce((s, [, w]) => s + w, 0);
const plan = targets.map(([name, w]) => ({ name, iterations: Math.round((total * w) / weightSum) }));

function runTarget({ name, iterations }) {
  const workerUrl = pathToFileURL(`${root}packages/apk/test/fuzz/worker.ts`).href;
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(workerUrl)});`;
  const started = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { target: name, iterations, seed },
      resourceLimits: { maxOldGenerationSizeMb: 2048, maxYoungGenerationSizeMb: 64 },
    });
    let last;
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve({ name, iterations, ...outcome, last, wallMs: Math.round(performance.now() - started) });
    };
    const onHang = () => finish({ failure: `no progress for ${HANG_MS} ms`, hang: true });
    let timer = setTimeout(onHang, HANG_MS);
    worker.on('message', (message) => {
      if (message.progress) {
        last = message.progress;
        clearTimeout(timer);
        timer = setTimeout(onHang, HANG_MS);
      } else if (message.result) finish({ result: message.result });
    });
    worker.on('error', (error) =>
      finish({
        failure:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `out of memory (heap capped at 2 GiB)`
            : `worker crashed: ${error.stack ?? error.message}`,
        oom: error.code === 'ERR_WORKER_OUT_OF_MEMORY',
      }),
    );
    worker.on('exit', (code) => finish({ failure: `worker exited with code ${code} before reporting` }));
  });
}

const queue = [...plan];
const outcomes = [];
const started = performance.now();
console.log(`fuzz: ${total} inputs over ${plan.length} targets, seed ${seed}, ${jobs} at a time`);
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const o = await runTarget(next);
      outcomes.push(o);
      const r = o.result;
      const mb = (b) => Math.round(b / 1024 / 1024);
      console.log(
        r
          ? `  ${o.name}: ${r.iterations} inputs (${r.accepted} parsed, ${r.rejected} rejected), ${r.unexpectedCount} internal errors, ` +
              `${r.slow} over 10 s (slowest ${r.maxMs} ms), ${r.big} over 1 GiB (max RSS ${mb(r.maxRss)} MiB); ${o.wallMs} ms` +
              r.unexpected
                .slice(0, 3)
                .map(
                  (u) => `\n    iteration ${u.iteration} (${u.seedFile}, ${u.mutations}): ${u.error.split('\n').slice(0, 3).join(' | ')}`,
                )
                .join('')
          : `  ${o.name}: FAILED after ${o.wallMs} ms: ${o.failure}; last input ${JSON.stringify(o.last)}`,
      );
    }
  }),
);
const sum = (f) => outcomes.reduce((s, o) => s + f(o), 0);
const inputs = sum((o) => o.result?.iterations ?? o.last?.iteration ?? 0);
const internal = sum((o) => o.result?.unexpectedCount ?? (o.hang || o.oom ? 0 : 1));
const slow = sum((o) => o.result?.slow ?? (o.hang ? 1 : 0));
const big = sum((o) => o.result?.big ?? (o.oom ? 1 : 0));
console.log(
  `fuzz total: ${inputs} inputs, ${internal} internal errors, ${slow} over 10 s, ${big} over 1 GiB; ` +
    `${Math.round((performance.now() - started) / 1000)} s (FUZZ_SEED=${seed} FUZZ_TOTAL=${total})`,
);
process.exit(internal + slow + big === 0 && outcomes.every((o) => o.result) ? 0 : 1);
