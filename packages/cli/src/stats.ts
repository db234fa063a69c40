/**
 * Stage timings and peak memory, printed as one JSON line on stderr when APPRIGHTS_STATS=1.
 * The benchmark script reads it; users never see it.
 */
export class Stats {
  private readonly stages: Record<string, number> = {};
  private readonly started = performance.now();
  constructor(readonly enabled: boolean) {}

  time<T>(stage: string, work: () => T): T {
    if (!this.enabled) return work();
    const start = performance.now();
    try {
      return work();
    } finally {
      this.stages[stage] = Math.round((this.stages[stage] ?? 0) + performance.now() - start);
    }
  }

  print(): void {
    if (!this.enabled) return;
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    this.stages.total = Math.round(performance.now() - this.started);
    process.stderr.write(`${JSON.stringify({ stats: { maxRssMiB, stages: this.stages } })}\n`);
  }
}
