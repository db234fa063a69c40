/**
 * Runtime traces for rule tests: the example traces beside the tests (`test/traces/<rule-id>/*.jsonl`),
 * or a trace built from event objects, read as the CLI reads them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace, type Trace } from '@apprights/runtime';
import type { Rule } from '../../src/index.js';
import { checkRule, type CheckedFinding } from '../../src/testing/rule-tester.js';

const traces = join(dirname(fileURLToPath(import.meta.url)), '..', 'traces');

export const HEADER = { kind: 'trace', t: 0, version: '1.0.0', package: 'com.example.app', recorder: 'test' };

/** `test/traces/<ruleId>/<name>.jsonl`, read. */
export function exampleTrace(ruleId: string, name: string): Trace {
  const path = join(traces, ruleId, `${name}.jsonl`);
  return readTrace(readFileSync(path, 'utf8'), { source: path });
}

/** A trace of these events after the header line (so the first event is line 2). */
export function traceOf(events: Record<string, unknown>[]): Trace {
  return readTrace([HEADER, ...events].map((e) => JSON.stringify(e)).join('\n'), { source: 'inline.jsonl' });
}

/** The rule's findings on a trace, with its default options and these overrides. */
export function runOn(rule: Rule, trace: Trace, options: Record<string, unknown> = {}): CheckedFinding[] {
  return checkRule(rule, { trace }, options);
}
