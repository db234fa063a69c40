#!/usr/bin/env node
// npm run bench: how long AppRights takes to read an APK, as ratios to the time `unzip -p APK
// 'classes*.dex' > /dev/null` needs on the same machine in the same run (the inflate floor: no
// reader of the code can do less than inflate it). Ratios, not absolute times, are what we compare
// across machines. A benchmark, not a timed test: nothing here fails a build.
//
// Every figure comes from one paired run: each round runs the floor and then each measured command,
// alternating, so load from other processes falls on both alike; the medians are compared.
//   cold   `apprights scan APK --format json -o /dev/null`, a whole process (code cache warmed once)
//   fixed  what the cold scan pays besides parsing, matching, rules and report (scripts/lib/startup-floor.cjs),
//          and what the cold target then leaves for those
//   warm   one scan (read, detect, rules, JSON) in a long-lived process, as a platform worker runs it
//   50 scans in one process: heap after a full GC at scan 50 against scan 5 (no growth: within 10 %)
//   peak memory of the cold scan (max RSS), also for a ~100 MB APK built here in a temp folder
//   the call graph behind reachability (opt-in): build time and memory on the same APK
//
// Usage: npm run bench [-- APK]. BENCH_RUNS (default 9) rounds; BENCH_BIG=0 skips the 100 MB APK;
// BENCH_POLICY=0 skips the policy figures; BENCH_ANDROGUARD=0 skips androguard.
import { fork, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, fstatSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/apprights.js');
const defaultApk = join(root, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---- in-process scans (a child started with --expose-gc; the parent pairs each with the floor) ----

/** The library's scan, from the engine package when it exists, else from the CLI's compiled code. */
async function loadScan() {
  const enginePath = join(root, 'packages/engine/dist/index.js');
  if (existsSync(enginePath)) {
    const engine = await import(pathToFileURL(enginePath).href);
    if (typeof engine.scanPackage === 'function') return { via: '@apprights/engine scanPackage', scan: (apk) => engine.scanPackage(apk) };
  }
  const { produceReport } = await import(pathToFileURL(join(root, 'packages/cli/dist/commands/scan.js')).href);
  const { Stats } = await import(pathToFileURL(join(root, 'packages/cli/dist/stats.js')).href);
  return {
    via: 'produceReport (packages/cli)',
    scan: (apk) => produceReport(apk, { config: false, lang: 'en', progress: false, version: 'bench', stats: new Stats(false) }),
  };
}

async function child() {
  const { via, scan } = await loadScan();
  process.send({ ready: via });
  process.on('message', async (message) => {
    if (message.stop) process.exit(0);
    const started = performance.now();
    const report = await scan(message.apk);
    // The JSON text is part of what a scan produces (the cold CLI writes it too).
    const bytes = JSON.stringify(report).length;
    const seconds = (performance.now() - started) / 1000;
    let heapMiB;
    if (message.gc) {
      globalThis.gc();
      globalThis.gc();
      heapMiB = process.memoryUsage().heapUsed / 1024 ** 2;
    }
    process.send({ seconds, bytes, heapMiB });
  });
}

function startChild() {
  const proc = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  proc.on('message', (m) => waiters.shift()?.(m));
  const next = () => new Promise((resolve) => waiters.push(resolve));
  return {
    ready: next(),
    run: (apk, gc = false) => {
      const answer = next();
      proc.send({ apk, gc });
      return answer;
    },
    stop: () => proc.send({ stop: true }),
  };
}

// ---- processes ----

function timeOnce(command, args, env = {}) {
  const devnull = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(devnull);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { seconds, stderr: result.stderr };
}

function statsOf(stderr) {
  const line = stderr
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{"stats"'));
  return line ? JSON.parse(line).stats : {};
}

function line(label, samples, floor) {
  const m = median(samples);
  const ratio = floor === undefined ? '' : `  ${(m / floor).toFixed(2)}x floor`;
  return `${label.padEnd(40)} ${m.toFixed(3)} s${ratio}  (min ${Math.min(...samples).toFixed(3)}, max ${Math.max(...samples).toFixed(3)}, n=${samples.length})`;
}

/** What the cold-scan target (3x the floor) leaves for parsing, matching, rules and report after the fixed costs. */
function leftFor(fixed, floor) {
  const left = 3 * floor - median(fixed);
  return `   leaves ${left.toFixed(3)} s of 3x for the rest (${((2 * left) / floor).toFixed(2)}x floor of CPU on two cores)`;
}

/** Spread of the floor's samples, as a word on how quiet the machine was. */
function noise(samples) {
  const m = median(samples);
  return `floor spread: min ${(Math.min(...samples) / m).toFixed(2)}x, max ${(Math.max(...samples) / m).toFixed(2)}x the median`;
}

// ---- a ~100 MB APK: the benchmark APK plus the real APKs' DEX files again as classesN.dex ----

function readZipEntries(path) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 65_557));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error(`${path}: no end of central directory`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOff = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOff);
    const entries = [];
    for (let i = 0, at = 0; i < count; i++) {
      const nameLength = cd.readUInt16LE(at + 28);
      const extra = cd.readUInt16LE(at + 30);
      const comment = cd.readUInt16LE(at + 32);
      const header = cd.readUInt32LE(at + 42);
      const local = Buffer.alloc(30);
      readSync(fd, local, 0, 30, header);
      const dataAt = header + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const compressedSize = cd.readUInt32LE(at + 20);
      const data = Buffer.alloc(compressedSize);
      readSync(fd, data, 0, compressedSize, dataAt);
      entries.push({
        name: cd.toString('utf8', at + 46, at + 46 + nameLength),
        method: cd.readUInt16LE(at + 10),
        crc: cd.readUInt32LE(at + 16),
        compressedSize,
        size: cd.readUInt32LE(at + 24),
        data,
      });
      at += 46 + nameLength + extra + comment;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

function writeZip(path, entries) {
  const fd = openSync(path, 'w');
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.compressedSize, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    local.copy(record, 8, 6, 30);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    for (const part of [local, name, e.data]) offset += writeSync(fd, part);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  writeSync(fd, cd);
  writeSync(fd, end);
  closeSync(fd);
}

/**
 * An unsigned APK of about `target` bytes: every entry of `base` but its v1 signature files, then
 * the DEX files of the real APKs in node_modules (the base's own included), copied as they are
 * (still deflated) under the next free classesN.dex names, round after round until the size is reached.
 */
function buildBigApk(base, dir, target = 100 * 1024 ** 2) {
  const donors = [
    base,
    'node_modules/android-apidemos/apks/ApiDemos-debug.apk',
    'node_modules/io.appium.settings/apks/settings_apk-debug.apk',
    'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk',
  ]
    .map((p) => (p.startsWith('/') ? p : join(root, p)))
    .filter(existsSync);
  const entries = readZipEntries(base).filter((e) => !/^META-INF\/.*\.(SF|RSA|DSA|EC|MF)$/i.test(e.name));
  const dexOf = (e) => /^classes\d*\.dex$/.test(e.name);
  let next = 1;
  while (entries.some((e) => e.name === (next === 1 ? 'classes.dex' : `classes${next}.dex`))) next++;
  const extra = donors.flatMap((d) => readZipEntries(d).filter(dexOf));
  let size = entries.reduce((n, e) => n + e.compressedSize + 80, 0);
  for (let i = 0; size < target && extra.length > 0; i++) {
    const e = extra[i % extra.length];
    entries.push({ ...e, name: `classes${next++}.dex` });
    size += e.compressedSize + 80;
  }
  const out = join(dir, 'big.apk');
  writeZip(out, entries);
  return out;
}

// ---- the run ----

async function main() {
  const apk = process.argv[2] ?? defaultApk;
  const runs = Number(process.env.BENCH_RUNS ?? 9);
  if (!existsSync(apk)) {
    console.error(`benchmark APK not found: ${apk} (run npm ci first)`);
    process.exit(2);
  }
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`APK: ${apk}`);

  // A fresh code-cache folder: the first (unmeasured) round writes the cache, as a user's first run does.
  const work = mkdtempSync(join(tmpdir(), 'apprights-bench-'));
  try {
    const env = { APPRIGHTS_CACHE_DIR: join(work, 'cache') };
    const floorArgs = ['-p', apk, 'classes*.dex'];
    const scanArgs = [cli, 'scan', apk, '--format', 'json', '-o', '/dev/null', '--no-config'];
    // What a cold scan pays before and around reading the code (scripts/lib/startup-floor.cjs).
    const fixedArgs = [join(root, 'scripts/lib/startup-floor.cjs'), apk];
    const commands = {
      floor: () => timeOnce('unzip', floorArgs),
      node: () => timeOnce(process.execPath, ['-e', '0']),
      version: () => timeOnce(process.execPath, [cli, '--version'], env),
      scan: () => timeOnce(process.execPath, scanArgs, { ...env, APPRIGHTS_STATS: '1' }),
      fixed: () => timeOnce(process.execPath, fixedArgs, env),
      verify: () => timeOnce(process.execPath, [cli, 'verify', apk], env),
    };
    // A shell that sets NODE_EXTRA_CA_CERTS makes every Node process read and parse those certificates
    // (and build the root store) before any script runs: measured separately, as a fact about the
    // machine, beside the figures above, which keep the environment as it is.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: undefined } : undefined;
    if (extraCa) {
      commands.nodeNoCa = () => timeOnce(process.execPath, ['-e', '0'], extraCa);
      commands.scanNoCa = () => timeOnce(process.execPath, scanArgs, { ...env, ...extraCa });
      commands.fixedNoCa = () => timeOnce(process.execPath, fixedArgs, { ...env, ...extraCa });
    }
    const worker = startChild();
    const via = (await worker.ready).ready;
    for (const run of Object.values(commands)) run(); // warm the page cache and the code cache
    await worker.run(apk);
    const samples = {
      floor: [],
      node: [],
      version: [],
      scan: [],
      fixed: [],
      verify: [],
      warm: [],
      nodeNoCa: [],
      scanNoCa: [],
      fixedNoCa: [],
    };
    let rss = [];
    for (let i = 0; i < runs; i++) {
      for (const [name, run] of Object.entries(commands)) {
        const r = run();
        samples[name].push(r.seconds);
        if (name === 'scan') rss.push(statsOf(r.stderr).maxRssMiB);
      }
      samples.warm.push((await worker.run(apk)).seconds);
    }
    const floor = median(samples.floor);
    console.log('');
    console.log(`paired run, ${runs} rounds (${noise(samples.floor)})`);
    console.log(line("floor: unzip -p APK 'classes*.dex'", samples.floor));
    console.log(line('node -e 0', samples.node, floor));
    console.log(line('apprights --version', samples.version, floor));
    console.log(line('cold: apprights scan --format json', samples.scan, floor) + '   target <= 3x');
    console.log(line('  fixed costs of a cold scan (below)', samples.fixed, floor) + leftFor(samples.fixed, floor));
    console.log(line(`warm: scan in one process`, samples.warm, floor) + '   target <= 2x');
    console.log(line('apprights verify', samples.verify, floor));
    console.log(`  (warm scans through ${via})`);
    if (extraCa) {
      console.log('NODE_EXTRA_CA_CERTS is set here; without it (same rounds):');
      console.log(line('  node -e 0', samples.nodeNoCa, floor));
      console.log(line('  cold: apprights scan --format json', samples.scanNoCa, floor));
      console.log(line('    fixed costs of a cold scan', samples.fixedNoCa, floor) + leftFor(samples.fixedNoCa, floor));
    }
    console.log(
      "  (fixed costs: Node's start, the second thread, both bundles through the code cache, reading the file,\n" +
        '   inflating every classes*.dex split across both threads, SHA-256; no parsing, matching, rules or report)',
    );
    console.log(`peak memory of the cold scan:            ${median(rss).toFixed(0)} MiB (max RSS)   target < 300 MiB`);

    // 50 scans in one process: retained heap after a full GC.
    const heap = [];
    for (let i = 1; i <= 50; i++) {
      const r = await worker.run(apk, i === 5 || i === 50);
      if (r.heapMiB !== undefined) heap[i] = r.heapMiB;
    }
    worker.stop();
    await callGraphBench(apk, median(samples.scan));
    console.log(
      `50 scans in one process: heap after GC ${heap[5].toFixed(1)} MiB at scan 5, ${heap[50].toFixed(1)} MiB at scan 50 (${((heap[50] / heap[5] - 1) * 100).toFixed(1)} %)   target within 10 %`,
    );

    if (process.env.BENCH_BIG !== '0') {
      const big = buildBigApk(apk, work);
      const bigFloor = [];
      const bigScan = [];
      rss = [];
      const bigRuns = Math.max(3, Math.ceil(runs / 3));
      timeOnce('unzip', ['-p', big, 'classes*.dex']);
      for (let i = 0; i < bigRuns; i++) {
        bigFloor.push(timeOnce('unzip', ['-p', big, 'classes*.dex']).seconds);
        const r = timeOnce(process.execPath, [cli, 'scan', big, '--format', 'json', '-o', '/dev/null', '--no-config'], {
          ...env,
          APPRIGHTS_STATS: '1',
        });
        bigScan.push(r.seconds);
        rss.push(statsOf(r.stderr).maxRssMiB);
      }
      const dexCount = readZipEntries(big).filter((e) => /^classes\d*\.dex$/.test(e.name)).length;
      console.log('');
      console.log(
        `${(fstatSizeOf(big) / 1024 ** 2).toFixed(0)} MB APK (${dexCount} DEX files, built in a temp folder), paired, ${bigRuns} rounds:`,
      );
      console.log(line("floor: unzip -p APK 'classes*.dex'", bigFloor));
      console.log(line('cold: apprights scan --format json', bigScan, median(bigFloor)));
      console.log(`peak memory of the cold scan:            ${median(rss).toFixed(0)} MiB (max RSS)`);
    }

    let androguard;
    // Debian's androguard is installed for the system Python, which may not be the first python3 on PATH.
    const python = ['python3', '/usr/bin/python3'].find(
      (p) => spawnSync(p, ['-c', 'import androguard.misc'], { stdio: 'ignore' }).status === 0,
    );
    if (python && process.env.BENCH_ANDROGUARD !== '0') {
      androguard = timeOnce(python, ['-c', 'import sys\nfrom androguard.misc import AnalyzeAPK\nAnalyzeAPK(sys.argv[1])', apk]).seconds;
      console.log(`androguard AnalyzeAPK (1 run):           ${androguard.toFixed(3)} s  ${(androguard / floor).toFixed(1)}x floor`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (process.env.BENCH_POLICY !== '0') await policyBench();
}

/**
 * The call graph behind reachability (opt-in: the engine's `reachability` option), built on an
 * analysis already read: median time of 5 builds, the share of the cold scan it would add, and
 * the memory it holds (its own tables, and the heap grown while building, without a GC between).
 */
async function callGraphBench(apk, coldScanSeconds) {
  const apkLib = await import(pathToFileURL(join(root, 'packages/apk/dist/index.js')).href);
  const knowledge = await import(pathToFileURL(join(root, 'packages/knowledge/dist/index.js')).href);
  if (typeof knowledge.Reachability !== 'function') return;
  const times = [];
  let stats;
  let heapMiB = 0;
  for (let i = 0; i < 5; i++) {
    const analysis = apkLib.analyzePackage(apk, { verifySignatures: false });
    try {
      const heap = process.memoryUsage().heapUsed;
      const started = performance.now();
      stats = new knowledge.Reachability(analysis).graph().stats;
      times.push(performance.now() - started);
      heapMiB = Math.max(heapMiB, (process.memoryUsage().heapUsed - heap) / 1024 ** 2);
    } finally {
      analysis.close();
    }
  }
  const ms = median(times);
  console.log(
    `call graph (reachability, opt-in):       ${ms.toFixed(1)} ms median of 5 (${((ms / 1000 / coldScanSeconds) * 100).toFixed(1)} % of the cold scan), ` +
      `${stats.reached}/${stats.methods} methods reached, ${stats.edges} references walked; tables ${(stats.tableBytes / 1024 ** 2).toFixed(1)} MiB, heap +${heapMiB.toFixed(1)} MiB`,
  );
}

function fstatSizeOf(path) {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

// Policy analysis, in process: milliseconds per 10,000 characters over real policies (the CA4P dev
// set when ../shared is present, else the test fixtures), after one warm-up pass that loads the
// segmenter. The baseline is jieba segmenting the same texts alone, the floor of any jieba-based analysis.
async function policyBench() {
  const { readdirSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const policyLib = await import(pathToFileURL(join(root, 'packages/policy/dist/index.js')).href);
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

if (process.argv[2] === '--child') await child();
else await main();
