/**
 * The Frida recorder as the explorer's instrument: after each launch the explorer makes, the
 * recorder attaches to the app's process (hooks from the sensitive-API catalogue, stacks on every
 * call), and when the app is launched again or the scenario ends its events join the scenario's
 * trace. Each attach keeps its own raw trace in `<scenario>/frida/launch-N/trace.jsonl`, so nothing
 * the agent sent is lost even if the merge is cut short.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TraceEvent } from '@apprights/runtime';
import { shorten } from '../adb/limits.js';
import type { CatalogEntry } from '../frida/encode.js';
import { recordWithFrida, type FridaRecordResult, type RecordWithFridaOptions } from '../frida/record.js';
import type { ExploreInstrument, InstrumentSession } from './explore.js';

export interface FridaInstrumentOptions {
  /** The explorer's output folder (the raw Frida traces go under each scenario's folder). */
  outDir: string;
  /** The sensitive-API catalogue (`sensitiveApis()` of `@apprights/knowledge`). */
  catalog: readonly CatalogEntry[];
  /** Frida device id (for USB phones the adb serial); default the USB device. */
  device?: string;
  /** The recorder (default `recordWithFrida`); the CLI passes one with the agent and `frida` already found. */
  record?: (options: RecordWithFridaOptions) => Promise<FridaRecordResult>;
  /** Attempts while the process is not listed yet (the launch is asynchronous); default 5, 400 ms apart. */
  attachTries?: number;
  retryMs?: number;
  /** Events kept per launch; the rest stay in the raw trace only (default 100 000). */
  maxEvents?: number;
}

/** Longer than any scenario: the recording is stopped by the explorer, not by this timer. */
const UNTIL_STOPPED_MS = 24 * 60 * 60 * 1000;

export function fridaInstrument(options: FridaInstrumentOptions): ExploreInstrument {
  const record = options.record ?? recordWithFrida;
  const tries = Math.max(1, options.attachTries ?? 5);
  const maxEvents = options.maxEvents ?? 100_000;
  return {
    async attach({ package: pkg, scenario, launch }): Promise<InstrumentSession> {
      const outDir = join(options.outDir, scenario.dir, 'frida', `launch-${launch}`);
      for (let attempt = 1; ; attempt++) {
        const stopper = new AbortController();
        let onRecording: () => void = () => undefined;
        const recording = new Promise<void>((resolve) => {
          onRecording = resolve;
        });
        const running = record({
          package: pkg,
          spawn: false,
          durationMs: UNTIL_STOPPED_MS,
          outDir,
          catalog: options.catalog,
          signal: stopper.signal,
          ...(options.device !== undefined ? { device: options.device } : {}),
          // recordWithFrida says "recording …" once the agent is started in the process.
          onProgress: (p) => {
            if (p.message.startsWith('recording ')) onRecording();
          },
        });
        running.catch(() => undefined);
        try {
          // Either attached, or the recorder ended first (a failure, or the app already gone).
          await Promise.race([recording, running.then(() => undefined)]);
        } catch (error) {
          if (attempt < tries && /is not running/.test(String((error as Error).message))) {
            await new Promise((r) => setTimeout(r, options.retryMs ?? 400));
            continue;
          }
          throw error;
        }
        return {
          async stop() {
            stopper.abort();
            const result = await running;
            const warnings = [...result.warnings];
            if (result.detachReason !== null) warnings.push(`session ended: ${result.detachReason}`);
            const events: TraceEvent[] = [];
            const lines = (await readFile(result.traceFile, 'utf8')).split('\n');
            for (const line of lines) {
              if (line.trim() === '') continue;
              let event: TraceEvent;
              try {
                event = JSON.parse(line) as TraceEvent;
              } catch {
                warnings.push(`unreadable line in ${result.traceFile}: ${shorten(line, 80)}`);
                continue;
              }
              // The header is the scenario's own; taps and keys are the explorer's, written by it with
              // the node it hit (the agent's view of the same input would count every tap twice).
              if (event.kind === 'trace' || event.kind === 'user') continue;
              if (events.length >= maxEvents) {
                warnings.push(`more than ${maxEvents} events: the rest are in ${result.traceFile} only`);
                break;
              }
              events.push(event);
            }
            return { events, warnings };
          },
        };
      }
    },
  };
}
