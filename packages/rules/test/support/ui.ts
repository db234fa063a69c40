/**
 * UI rule tests: reads the example runs beside the tests — a trace in test/traces/<rule>/ and the
 * uiautomator dumps it names in test/ui/<rule>/ — into `Evidence` with the runtime's readers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace, readUiSnapshot, type Trace, type UiEvent, type UiNode, type UiSnapshot } from '@apprights/runtime';
import type { Evidence } from '../../src/index.js';

const testRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function readUiFile(rule: string, file: string): UiNode {
  return readUiSnapshot(readFileSync(join(testRoot, 'ui', rule, file), 'utf8'), { id: file, file });
}

export function readTraceFile(rule: string, file: string): Trace {
  const source = join(testRoot, 'traces', rule, file);
  const trace = readTrace(readFileSync(source, 'utf8'), { source });
  if (trace.problems.length > 0) throw new Error(`${file}: ${trace.problems.map((p) => p.message).join('; ')}`);
  return trace;
}

/** The snapshots of a trace's `ui` events, their dumps read from test/ui/<rule>/. */
export function snapshotsOfTrace(rule: string, trace: Trace): UiSnapshot[] {
  const out: UiSnapshot[] = [];
  for (const e of trace.events) {
    if (e.kind !== 'ui') continue;
    const ui = e as UiEvent & { line: number };
    const root = ui.tree ?? (ui.file ? readUiFile(rule, ui.file) : null);
    if (!root) continue;
    const snapshot: UiSnapshot = { id: ui.id, t: ui.t, line: ui.line, root };
    if (ui.file) snapshot.file = ui.file;
    if (ui.role) snapshot.role = ui.role;
    if (ui.screen) snapshot.screen = ui.screen;
    if (trace.header) snapshot.package = trace.header.package;
    out.push(snapshot);
  }
  return out;
}

/** Evidence of a run: the trace and its snapshots. */
export function runEvidence(rule: string, traceFile: string): Evidence {
  const trace = readTraceFile(rule, traceFile);
  return { trace, ui: { source: trace.source, snapshots: snapshotsOfTrace(rule, trace) } };
}

/** Evidence of dumps without a trace (a `--ui` folder): ids are the file names, times unknown. */
export function uiEvidence(rule: string, files: string[], extra: Partial<UiSnapshot> = {}): Evidence {
  const snapshots = files.map((file): UiSnapshot => ({
    id: file.replace(/\.xml$/, ''),
    t: null,
    file,
    root: readUiFile(rule, file),
    ...extra,
  }));
  return { ui: { source: join(testRoot, 'ui', rule), snapshots } };
}

export function uiFiles(rule: string): string[] {
  return readdirSync(join(testRoot, 'ui', rule)).filter((f) => f.endsWith('.xml'));
}
