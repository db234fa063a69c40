import { attributeStack, frameClass, type TraceEvent } from '@apprights/runtime';
import type { Evidence } from '../evidence/evidence.js';
import type { PackageFacts } from '../evidence/package-facts.js';
import type { Finding, Rule } from '../engine/types.js';

/** At most this many trace lines are kept per finding: enough to find the events, not a copy of the trace. */
export const MAX_LINKED_EVENTS = 20;

/** A trace event with the line it was read from. */
type LinedEvent = TraceEvent & { line: number };

/**
 * Which SDKs an event's code belongs to: the catalogue ids named by its stack frames (or its `sdk`
 * field). The default is `@apprights/runtime`'s attributeStack.
 */
export type EventAttribution = (event: LinedEvent) => readonly string[];

export interface LinkRuntimeOptions {
  attribute?: EventAttribution;
}

/** What a static finding names: SDKs, classes and manifest components whose activity a trace can show. */
interface Subject {
  sdks: Set<string>;
  classes: Set<string>;
  components: Set<string>;
}

function stackOf(event: LinedEvent): string[] {
  const stack = (event as { stack?: unknown }).stack;
  return Array.isArray(stack) ? stack.filter((f): f is string => typeof f === 'string') : [];
}

/**
 * The default attribution: the event's `sdk` field, and the SDK `attributeStack` (the runtime rules'
 * own attribution: the innermost SDK frame, framework and open-source library frames passed over)
 * names for its stack.
 */
export function defaultAttribution(facts: PackageFacts | undefined): EventAttribution {
  const appPackage = facts?.app.package ?? undefined;
  return (event) => {
    const ids = new Set<string>();
    const named = (event as { sdk?: unknown }).sdk;
    if (typeof named === 'string' && named) ids.add(named);
    const stack = stackOf(event);
    if (stack.length > 0) {
      const { sdk } = attributeStack(stack, appPackage ? { appPackage } : {});
      if (sdk) ids.add(sdk);
    }
    return [...ids];
  };
}

function subjectOf(finding: Finding): Subject | null {
  const subject: Subject = { sdks: new Set(), classes: new Set(), components: new Set() };
  for (const ref of finding.evidence) {
    if (ref.kind === 'sdk') subject.sdks.add(ref.sdk);
    else if (ref.kind === 'code') {
      subject.classes.add(ref.class);
      if (ref.sdk) subject.sdks.add(ref.sdk);
    } else if (ref.kind === 'manifest' && ref.sdk) {
      subject.sdks.add(ref.sdk);
      if (ref.name) subject.components.add(ref.name);
    }
  }
  return subject.sdks.size + subject.classes.size + subject.components.size > 0 ? subject : null;
}

/** The SDKs a runtime finding is about: `sdk` evidence refs, `data.sdk`, and the SDKs its trace events are attributed to. */
function runtimeSdks(finding: Finding, sdksAt: (line: number) => readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const ref of finding.evidence) {
    if (ref.kind === 'sdk') ids.add(ref.sdk);
    else if (ref.kind === 'trace') for (const id of sdksAt(ref.event)) ids.add(id);
  }
  const data = finding.data as { sdk?: unknown; sdks?: unknown } | undefined;
  if (typeof data?.sdk === 'string') ids.add(data.sdk);
  if (Array.isArray(data?.sdks)) for (const id of data.sdks) if (typeof id === 'string') ids.add(id);
  return ids;
}

/** Events that can show code running: calls, requests and sensor use (with a stack), and component starts. */
const ATTRIBUTABLE = new Set(['api', 'network', 'sensor', 'permission-request']);

/**
 * Links static and runtime findings when the rules ran over both a package and a trace. A static
 * finding that names an SDK or a class gets `runtime`: `active` with the trace lines of the events
 * attributed to that code (a stack frame of the class or the SDK, the event's `sdk`, a lifecycle start
 * of the named component), else `not-observed` — present in the package, not seen in this run.
 * A runtime finding about an SDK gets `related`: the static findings' fingerprints about that SDK.
 * The findings are changed in place; the rules' own results are not.
 */
export function linkRuntime(findings: Finding[], evidence: Evidence, rules: readonly Rule[], options: LinkRuntimeOptions = {}): void {
  const trace = evidence.trace;
  if (!trace || !evidence.package) return;
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const isRuntime = (f: Finding) => {
    const needs = byId.get(f.ruleId)?.meta.evidence ?? [];
    return needs.includes('trace') || needs.includes('ui');
  };
  const attribute = options.attribute ?? defaultAttribution(evidence.package);

  // Each event's SDKs, the classes on its stack, and lifecycle components, computed once.
  const bySdk = new Map<string, number[]>();
  const sdksByLine = new Map<number, readonly string[]>();
  const byClass = new Map<string, number[]>();
  const byComponent = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, line: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [line]);
    else if (list[list.length - 1] !== line) list.push(line);
  };
  for (const event of trace.events) {
    if (event.kind === 'lifecycle') {
      const component = (event as { component?: unknown }).component;
      if (typeof component === 'string' && component) push(byComponent, component, event.line);
      continue;
    }
    if (!ATTRIBUTABLE.has(event.kind)) continue;
    const ids = attribute(event);
    if (ids.length > 0) sdksByLine.set(event.line, ids);
    for (const id of ids) push(bySdk, id, event.line);
    for (const frame of stackOf(event)) {
      const cls = frameClass(frame);
      if (cls) push(byClass, cls, event.line);
    }
  }

  const staticBySdk = new Map<string, string[]>();
  for (const finding of findings) {
    if (isRuntime(finding)) continue;
    const subject = subjectOf(finding);
    if (!subject) continue;
    const lines = new Set<number>();
    for (const id of subject.sdks) {
      for (const line of bySdk.get(id) ?? []) lines.add(line);
      const list = staticBySdk.get(id) ?? [];
      list.push(finding.fingerprint);
      staticBySdk.set(id, list);
    }
    for (const cls of subject.classes) {
      for (const line of byClass.get(cls) ?? []) lines.add(line);
      // Inner classes run as `Outer$1`; the finding names the class the code index saw.
      for (const [seen, seenLines] of byClass) if (seen.startsWith(`${cls}$`)) for (const line of seenLines) lines.add(line);
    }
    for (const component of subject.components) for (const line of byComponent.get(component) ?? []) lines.add(line);
    const sorted = [...lines].sort((a, b) => a - b).slice(0, MAX_LINKED_EVENTS);
    finding.runtime = { status: sorted.length > 0 ? 'active' : 'not-observed', events: sorted };
  }

  for (const finding of findings) {
    if (!isRuntime(finding)) continue;
    const related = new Set<string>();
    for (const id of runtimeSdks(finding, (line) => sdksByLine.get(line) ?? []))
      for (const fp of staticBySdk.get(id) ?? []) related.add(fp);
    if (related.size > 0) finding.related = [...related];
  }
}
