import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { bothDatabases, tempDir } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

// An import of 10^6 rows streams: the process's resident memory grows by a bounded amount (a line
// and a batch of rows at a time), not by the file's size. The file is generated on disk and sent as
// a stream; RSS is sampled while the import runs and the peak growth printed.

const ROWS = Number(process.env.APPRIGHTS_RENEWAL_ROWS ?? 1_000_000);
/**
 * Generous against allocator and garbage-collector noise (58–78 MiB on quiet runs, 144 MiB once at
 * load 6 with collection lagging), yet well below what holding the file would take (~60 MB as
 * bytes, several hundred as strings and a million row objects).
 */
const MAX_GROWTH_MB = 200;

async function writeFile(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('package_name,subscription_id,charged_at,amount,currency,product\n');
  for (let i = 0; i < rows; i++) {
    // Every 1000th line is bad (an impossible date): rejected and reported, the rest imported.
    const date = i % 1000 === 999 ? '2025-02-30' : `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    if (!out.write(`com.example.app${i % 1000},sub-${i},${date},25.00,CNY,monthly\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

bothDatabases(
  `renewal import of ${ROWS} rows streams with bounded memory`,
  async (_t, under) => {
    const files = tempDir('apprights-renewals-');
    const h = await harness(under, { maxUploadBytes: 512 * 1024 * 1024 });
    try {
      const path = join(files.dir, 'charges.csv');
      await writeFile(path, ROWS);
      const size = statSync(path).size;
      const operator = await member(h.platform, 'dev-a', 'developer');
      // Warm up (route compiled, statements prepared) before the baseline.
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/renewals/imports?kind=charges',
        headers: { ...bearer(operator), 'content-type': 'text/csv' },
        payload: 'package_name,subscription_id,charged_at\ncom.example.warm,w,2025-01-01\n',
      });
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const started = Date.now();
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/renewals/imports?kind=charges',
        headers: { ...bearer(operator), 'content-type': 'text/csv' },
        payload: createReadStream(path, { highWaterMark: 64 * 1024 }),
      });
      clearInterval(timer);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(res.statusCode, 201, res.body.slice(0, 500));
      const result = res.json() as { imported: number; rejected: number; lines: number; errors: { line: number }[] };
      assert.equal(result.lines, ROWS + 1);
      assert.equal(result.rejected, Math.floor(ROWS / 1000));
      assert.equal(result.imported, ROWS - result.rejected);
      assert.equal(result.errors[0]!.line, 1001);
      const growthMb = (peak - baseline) / 2 ** 20;
      const auditStarted = Date.now();
      const audit = await h.app.inject({ method: 'GET', url: '/api/v1/renewals/audit?examples=0', headers: bearer(operator) });
      assert.equal(audit.statusCode, 200);
      const auditSeconds = (Date.now() - auditStarted) / 1000;
      console.log(
        `[${under.dialect}] ${ROWS} rows, ${(size / 2 ** 20).toFixed(1)} MiB: import ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds)} rows/s), ` +
          `RSS baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak growth ${growthMb.toFixed(1)} MiB; audit over the rows ${auditSeconds.toFixed(1)} s`,
      );
      assert.ok(growthMb < MAX_GROWTH_MB, `RSS grew by ${growthMb.toFixed(1)} MiB (limit ${MAX_GROWTH_MB})`);
    } finally {
      await h.close();
      files.remove();
    }
  },
  { timeout: 900_000 },
);
