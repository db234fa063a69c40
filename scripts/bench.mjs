#!/usr/bin/env node
// npm run bench: whole-process time of `apprights scan --format json` on the 18 MB, 16-dex benchmark
// APK, divided by the time `unzip -p APK 'classes*.dex' > /dev/null` needs on the same machine in the
// same run (the inflate floor). Also peak memory, and androguard's AnalyzeAPK time when installed.
// Ratios, not absolute times, are what we compare across machines.
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const apk = process.argv[2] ?? join(root, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const cli = join(root, 'packages/cli/bin/apprights.js');

if (!existsSync(apk)) {
  console.error(`benchmark APK not found: ${apk} (run npm ci first)`);
  process.exit(2);
}

function timeOnce(command, args, env = {}) {
  const devnull = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(devnull);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { seconds, stderr: result.stderr };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(label, command, args, env) {
  timeOnce(command, args, env); // warm the page cache and the JIT caches of the OS
  const samples = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = timeOnce(command, args, env);
    samples.push(last.seconds);
  }
  const m = median(samples);
  console.log(
    `${label.padEnd(44)} median ${m.toFixed(3)} s  (min ${Math.min(...samples).toFixed(3)}, max ${Math.max(...samples).toFixed(3)}, n=${runs})`,
  );
  return { median: m, last };
}

console.log(`APK: ${apk}`);
const unzip = measure("unzip -p APK 'classes*.dex' > /dev/null", 'unzip', ['-p', apk, 'classes*.dex']);
const scan = measure('apprights scan --format json', process.execPath, [cli, 'scan', apk, '--format', 'json'], {
  APPRIGHTS_STATS: '1',
});
const stats = JSON.parse(
  scan.last.stderr
    .trim()
    .split('\n')
    .findLast((line) => line.startsWith('{"stats"')) ?? '{"stats":{}}',
).stats;
const verify = measure('apprights verify', process.execPath, [cli, 'verify', apk]);

let dexlist;
if (spawnSync('sh', ['-c', 'command -v dexlist'], { stdio: 'ignore' }).status === 0) {
  dexlist = measure('dexlist APK (native, for reference)', 'dexlist', [apk]);
}
let androguard;
// Debian's androguard is installed for the system Python, which may not be the first python3 on PATH.
const python = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import androguard.misc'], { stdio: 'ignore' }).status === 0,
);
if (python && process.env.BENCH_ANDROGUARD !== '0') {
  const t = timeOnce(python, ['-c', 'import sys\nfrom androguard.misc import AnalyzeAPK\nAnalyzeAPK(sys.argv[1])', apk]);
  androguard = t.seconds;
  console.log(`${'androguard AnalyzeAPK (1 run)'.padEnd(44)} ${androguard.toFixed(3)} s`);
}

console.log('');
console.log(`ratio scan / unzip:        ${(scan.median / unzip.median).toFixed(2)}  (target <= 3)`);
console.log(`ratio verify / unzip:      ${(verify.median / unzip.median).toFixed(2)}`);
if (dexlist) console.log(`ratio dexlist / unzip:     ${(dexlist.median / unzip.median).toFixed(2)}`);
if (androguard !== undefined) console.log(`ratio androguard / unzip:  ${(androguard / unzip.median).toFixed(1)}`);
if (stats.maxRssMiB !== undefined) console.log(`peak memory of scan:       ${stats.maxRssMiB.toFixed(0)} MiB  (target < 300)`);
if (stats.stages) console.log(`scan stages (ms):          ${JSON.stringify(stats.stages)}`);

// Policy analysis, in process: milliseconds per 10,000 characters over real policies (the CA4P dev
// set when ../shared is present, else the test fixtures), after one warm-up pass that loads the
// segmenter. The baseline is jieba segmenting the same texts alone, the floor of any jieba-based analysis.
{
  const { readdirSync, readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const policyLib = await import(join(root, 'packages/policy/dist/index.js'));
  const corpus = join(root, '..', 'shared', 'corpora', 'policies-zh', 'dev');
  const fixtures = join(root, 'packages', 'policy', 'test', 'fixtures');
  const files = existsSync(corpus)
    ? readdirSync(corpus)
        .filter((f) => f.endsWith('.txt'))
        .map((f) => join(corpus, f))
    : readdirSync(fixtures, { recursive: true })
        .filter((f) => /\.(txt|md|html)$/.test(f))
        .map((f) => join(fixtures, f));
  const texts = files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
  const characters = texts.reduce((n, t) => n + t.text.length, 0);
  const require = createRequire(join(root, 'packages/policy/package.json'));
  const { Jieba } = require('@node-rs/jieba');
  const { dict } = require('@node-rs/jieba/dict.js');
  const jieba = Jieba.withDict(dict);
  const pass = () => {
    const started = performance.now();
    for (const { name, text } of texts) policyLib.analyzePolicy(policyLib.readPolicy(text, { name }), { source: name });
    return performance.now() - started;
  };
  const segment = () => {
    const started = performance.now();
    for (const { text } of texts) jieba.tag(text, true);
    return performance.now() - started;
  };
  pass();
  segment();
  const analysis = median(Array.from({ length: 3 }, pass));
  const floor = median(Array.from({ length: 3 }, segment));
  const per10k = (ms) => (ms / characters) * 10_000;
  console.log('');
  console.log(`policies: ${texts.length} (${characters} characters) from ${existsSync(corpus) ? corpus : fixtures}`);
  console.log(`policy analysis:           ${per10k(analysis).toFixed(1)} ms per 10,000 characters  (target < 50)`);
  console.log(`jieba tagging alone:       ${per10k(floor).toFixed(1)} ms per 10,000 characters`);
  console.log(`ratio analysis / jieba:    ${(analysis / floor).toFixed(2)}`);
}
