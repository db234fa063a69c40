/**
 * Prints parse and code-scan timings for the real APKs (after inflate, which is not ours to time).
 * Run: node --import tsx packages/apk/test/dex/bench.ts [rounds] [apiDemos|settings|uiautomator2|uiautomator2Test ...]
 * Each line gives wall time and, in brackets, this process's CPU time (user+system), which is less
 * disturbed by other load on the machine. Not a test: timings on shared machines are too noisy to
 * assert on. With one APK named and rounds=1 the numbers are a cold start (JIT not yet warm).
 */
import { ZipArchive } from '../../src/zip/index.js';
import { buildCodeIndex, dexEntryNames, parseDex, type DexFile } from '../../src/dex/index.js';
import { realApks } from '@apprights/testkit';

const rounds = Number(process.argv[2] ?? 5);
const only = process.argv.slice(3);
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
for (const [label, path] of Object.entries(realApks)) {
  if (only.length > 0 && !only.includes(label)) continue;
  const zip = ZipArchive.open(path);
  const { loaded } = dexEntryNames(zip);
  const blobs = loaded.map((name) => ({ name, bytes: zip.read(name) }));
  zip.close();
  const totalBytes = blobs.reduce((n, b) => n + b.bytes.length, 0);
  const samples: { parse: number; scan: number; query: number; parseCpu: number; scanCpu: number }[] = [];
  let summary = '';
  for (let round = 0; round < rounds; round++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    const dexFiles: DexFile[] = blobs.map((b) => parseDex(b.bytes, { name: b.name }));
    const t1 = performance.now();
    const c1 = cpuMs();
    const index = buildCodeIndex(dexFiles);
    const t2 = performance.now();
    const c2 = cpuMs();
    const callers = index.classesCalling('Ljava/lang/String;->valueOf');
    const t3 = performance.now();
    samples.push({ parse: t1 - t0, scan: t2 - t1, query: t3 - t2, parseCpu: c1 - c0, scanCpu: c2 - c1 });
    const s = index.stats;
    summary = `${dexFiles.length} dex, ${(totalBytes / 1e6).toFixed(1)} MB, ${dexFiles.reduce((n, d) => n + d.counts.classDefs, 0)} classes, ${s.methodsWithCode} methods with code, ${s.instructions} instructions, ${s.references} refs; ${callers.length} classes call String.valueOf`;
  }
  const best = (k: 'parse' | 'scan' | 'query' | 'parseCpu' | 'scanCpu') => Math.min(...samples.map((x) => x[k])).toFixed(1);
  const first = samples[0]!;
  console.log(
    `${label}: ${summary}\n  first run: parse ${first.parse.toFixed(1)} ms [${first.parseCpu.toFixed(1)}] + scan ${first.scan.toFixed(1)} ms [${first.scanCpu.toFixed(1)}] (first query ${first.query.toFixed(1)} ms)` +
      `\n  best of ${rounds}: parse ${best('parse')} ms [${best('parseCpu')}] + scan ${best('scan')} ms [${best('scanCpu')}] (query ${best('query')} ms)`,
  );
}
