/**
 * `apprights explore --adb [--frida] [--device SERIAL] PACKAGE -o OUTDIR [--analyse]`: drives the app through
 * the explorer's fixed scenarios (`@apprights/recorder` explore), one trace and UI dumps per scenario
 * under OUTDIR, and with `--analyse` checks every scenario and merges the findings into one report
 * (OUTDIR/report.json and report.md) in which each runtime finding names its scenario and trace
 * lines. Scenarios b (deny) and e (second start) are also checked together, on the device clock, for
 * the re-ask question: a permission denied in b and asked again at the second start. With `--frida`
 * the Frida recorder is attached after every launch and its API calls with stacks join each trace.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTrace, readRuntime, type RuntimeEvidence } from '@apprights/engine';
import { sensitiveApis } from '@apprights/knowledge';
import {
  AdbError,
  DEVICE_SERIAL,
  SCENARIOS,
  SpawnAdbRunner,
  explore,
  fridaInstrument,
  isPackageName,
  type AdbRunner,
  type ExploreInstrument,
  type ExploreLimits,
  type ExploreResult,
  type ScenarioId,
} from '@apprights/recorder';
import type { Lang } from '@apprights/report';
import type { EvidenceRef, Finding, Severity } from '@apprights/rules';
import type { Trace, UiSnapshot } from '@apprights/runtime';
import { EnvironmentError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { OutputError } from '../output.js';
import { engineChecks, type CheckOptions } from './checks.js';
import { adViewPrefixes, loadFridaRecorder, type FridaRecorder } from './record.js';

export interface ExploreCommandOptions extends CheckOptions {
  adb?: boolean;
  frida?: boolean;
  device?: string;
  output?: string;
  /** Letters or names: `a,b,e` or `refuse,deny`. */
  scenarios?: string;
  /** Seconds. */
  observe?: number;
  background?: number;
  windowTimeout?: number;
  walkDepth?: number;
  walkTaps?: number;
  walkTime?: number;
  /** Words the walk never taps, besides the defaults (comma-separated). */
  deny?: string;
  analyse?: boolean;
  progress: boolean;
  lang: Lang;
  version: string;
}

/** What tests give instead of a phone: a runner (the fake device) and its clock. */
export interface ExploreDeps {
  adb?: AdbRunner;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** With `--frida`: the Frida recorder to attach (tests pass one on a fake Frida; default the installed one, checked first). */
  recordFrida?: FridaRecorder;
  /** Fixed report time, for example output that does not change on every run. */
  generatedAt?: Date;
}

const say = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** `a,b` / `refuse,deny` → scenario ids, in the explorer's order. */
export function parseScenarios(text: string | undefined, lang: Lang): ScenarioId[] | undefined {
  if (text === undefined) return undefined;
  const out = new Set<ScenarioId>();
  for (const raw of text.split(',')) {
    const word = raw.trim().toLowerCase();
    if (word === '') continue;
    const found = SCENARIOS.find((s) => s.letter === word || s.id === word || s.dir === word);
    if (!found)
      throw new UsageError(
        say(
          lang,
          `未知场景 ${JSON.stringify(raw.slice(0, 40))}：可选 ${SCENARIOS.map((s) => `${s.letter}(${s.id})`).join('、')}`,
          `unknown scenario ${JSON.stringify(raw.slice(0, 40))}: choose from ${SCENARIOS.map((s) => `${s.letter} (${s.id})`).join(', ')}`,
        ),
      );
    out.add(found.id);
  }
  return SCENARIOS.filter((s) => out.has(s.id)).map((s) => s.id);
}

export async function runExplore(pkg: string, options: ExploreCommandOptions, deps: ExploreDeps = {}): Promise<number> {
  const { lang } = options;
  if (!options.adb)
    throw new UsageError(
      say(
        lang,
        'explore 需要 --adb（adb 驱动应用；--frida 只是在每次启动后附加 Frida 录制器）',
        'explore needs --adb (adb drives the app; --frida only attaches the Frida recorder after each launch)',
      ),
    );
  if (!isPackageName(pkg))
    throw new UsageError(
      say(
        lang,
        `不是 Android 包名：${JSON.stringify(String(pkg).slice(0, 100))}`,
        `not an Android package name: ${JSON.stringify(String(pkg).slice(0, 100))}`,
      ),
    );
  if (options.device !== undefined && !DEVICE_SERIAL.test(options.device))
    throw new UsageError(
      say(
        lang,
        `不是 adb 设备序列号：${JSON.stringify(String(options.device).slice(0, 100))}`,
        `not an adb device serial: ${JSON.stringify(String(options.device).slice(0, 100))}`,
      ),
    );
  const scenarios = parseScenarios(options.scenarios, lang);
  // With --frida, what Frida needs (the agent, the frida module, the device) is checked before
  // anything runs: without it the command fails (exit 5) rather than explore without the stacks.
  const recordFrida = options.frida ? (deps.recordFrida ?? (await loadFridaRecorder(lang, options.device))) : undefined;
  const outDir = options.output ?? `explore-${pkg}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    if (existsSync(outDir) && readdirSync(outDir).length > 0)
      throw new OutputError(outDir, say(lang, '文件夹已存在且不为空', 'the folder exists and is not empty'));
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    if (error instanceof OutputError) throw error;
    throw new OutputError(outDir, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const limits: Partial<ExploreLimits> = {};
  if (options.observe !== undefined) limits.observeMs = options.observe * 1000;
  if (options.background !== undefined) limits.backgroundMs = options.background * 1000;
  if (options.windowTimeout !== undefined) limits.windowTimeoutMs = options.windowTimeout * 1000;
  if (options.walkDepth !== undefined) limits.walkDepth = options.walkDepth;
  if (options.walkTaps !== undefined) limits.walkTaps = options.walkTaps;
  if (options.walkTime !== undefined) limits.walkMs = options.walkTime * 1000;
  const adb = deps.adb ?? new SpawnAdbRunner(options.device !== undefined ? { serial: options.device } : {});
  const instrument: ExploreInstrument | undefined = recordFrida
    ? fridaInstrument({
        outDir,
        catalog: sensitiveApis(),
        record: recordFrida,
        ...(options.device !== undefined ? { device: options.device } : {}),
      })
    : undefined;
  let result: ExploreResult;
  try {
    result = await explore({
      ...(instrument ? { instrument, recorder: 'apprights-explore+frida' } : {}),
      adb,
      package: pkg,
      outDir,
      ...(scenarios ? { scenarios } : {}),
      limits,
      denyWords: (options.deny ?? '')
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
      adViews: adViewPrefixes(),
      ...(options.device !== undefined ? { serial: options.device } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(options.progress ? { onProgress: (m: string) => process.stderr.write(`${m}\n`) } : {}),
    });
  } catch (error) {
    if (error instanceof AdbError) throw new EnvironmentError(error.message);
    throw error;
  }
  const lines = result.scenarios.map(
    (s) => `${s.dir}: ${s.status}${s.reason ? ` (${s.reason}: ${s.message})` : ''}, ${s.events} events, ${s.snapshots} snapshots`,
  );
  process.stderr.write(`${lines.join('\n')}\n`);
  if (result.scenarios.every((s) => s.reason === 'device-disconnected'))
    throw new EnvironmentError(
      say(lang, `无法连接设备：${result.scenarios[0]?.message ?? ''}`, `no device: ${result.scenarios[0]?.message ?? ''}`),
    );
  const fridaFailed = result.scenarios.find((s) => s.reason === 'instrument-failed');
  if (fridaFailed && result.scenarios.every((s) => s.reason === 'instrument-failed' || s.reason === 'device-disconnected'))
    throw new EnvironmentError(
      say(
        lang,
        `Frida 录制器无法附加到应用（${fridaFailed.message ?? ''}）：请确认设备上运行着与 frida 包同版本的 frida-server（以 root 运行）`,
        `the Frida recorder could not attach to the app (${fridaFailed.message ?? ''}): check that a frida-server of the frida package's version runs as root on the device`,
      ),
    );
  if (!options.analyse) return ExitCode.ok;
  const report = await analyseExplore(outDir, result, options, deps.generatedAt);
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`, 'utf8');
  const md = renderExploreReport(report, lang);
  writeFileSync(join(outDir, 'report.md'), md, 'utf8');
  process.stdout.write(md);
  return report.failed ? ExitCode.failed : ExitCode.ok;
}

export interface ExploreFinding {
  /** The scenario folder(s) the finding comes from: `b-deny`, or `b-deny+e-second-start` for the re-ask across both. */
  scenario: string;
  ruleId: string;
  severity: Severity;
  measures: string[];
  message: { zh: string; en: string };
  messageId: string;
  fingerprint: string;
  /** The trace lines the finding rests on, each with its scenario. */
  lines: { scenario: string; line: number }[];
  evidence: (EvidenceRef & { scenario?: string })[];
  data?: Record<string, unknown>;
}

export interface ExploreReport {
  reportVersion: '1.0.0';
  tool: { name: 'apprights'; version: string };
  generatedAt: string;
  package: string;
  scenarios: { dir: string; id: string; status: string; reason?: string; message?: string; events: number; findings: number }[];
  policyFile: string | null;
  findings: ExploreFinding[];
  summary: Record<Severity, number>;
  failed: boolean;
}

const SEVERITY_ORDER: Severity[] = ['high', 'medium', 'low', 'info'];

function tagEvidence(refs: EvidenceRef[], scenarioOf: (line: number) => { scenario: string; line: number }) {
  const lines: { scenario: string; line: number }[] = [];
  const evidence = refs.map((ref) => {
    if (ref.kind !== 'trace') return ref;
    const at = scenarioOf(ref.event);
    lines.push(at);
    return { ...ref, event: at.line, scenario: at.scenario };
  });
  return { lines, evidence };
}

/** Checks each scenario's trace, and b + e together, and merges the findings. */
export async function analyseExplore(
  outDir: string,
  result: ExploreResult,
  options: ExploreCommandOptions,
  generatedAt?: Date,
): Promise<ExploreReport> {
  const checks = engineChecks(options, options.lang, options.version);
  const findings: ExploreFinding[] = [];
  const scenarios: ExploreReport['scenarios'] = [];
  const evidenceOf = new Map<string, RuntimeEvidence>();
  let failed = false;
  for (const s of result.scenarios) {
    const dir = join(outDir, s.dir);
    const evidence = await readRuntime(join(dir, 'trace.jsonl'), { uiDir: dir, keepGoing: true });
    evidenceOf.set(s.scenario, evidence);
    const report = await checkTrace(evidence, checks);
    failed ||= report.summary.findings.high > 0 && checks.failOn !== 'none';
    for (const f of report.findings) findings.push(toExploreFinding(f, s.dir, (line) => ({ scenario: s.dir, line })));
    scenarios.push({
      dir: s.dir,
      id: s.scenario,
      status: s.status,
      ...(s.reason ? { reason: s.reason, message: s.message } : {}),
      events: s.events,
      findings: report.findings.length,
    });
  }
  // The 48-hour question: b and e on one timeline (the device clock), re-asks across the two only.
  const b = result.scenarios.find((s) => s.scenario === 'deny');
  const e = result.scenarios.find((s) => s.scenario === 'second-start');
  const bEvidence = evidenceOf.get('deny');
  const eEvidence = evidenceOf.get('second-start');
  if (b && e && bEvidence && eEvidence && b.deviceEpochMs !== null && e.deviceEpochMs !== null) {
    const merged = mergeTraces(bEvidence, eEvidence, e.deviceEpochMs - b.deviceEpochMs);
    const report = await checkTrace(merged.evidence, { ...checks });
    for (const f of report.findings) {
      if (f.ruleId !== 'runtime-permission-reask') continue;
      const tagged = toExploreFinding(f, `${b.dir}+${e.dir}`, (line) =>
        line <= merged.bLines ? { scenario: b.dir, line } : { scenario: e.dir, line: line - merged.bLines },
      );
      // Only a re-ask that crosses the second start is new; one inside b is b's finding already.
      if (tagged.lines.some((l) => l.scenario === b.dir) && tagged.lines.some((l) => l.scenario === e.dir)) findings.push(tagged);
    }
  }
  findings.sort((x, y) => SEVERITY_ORDER.indexOf(x.severity) - SEVERITY_ORDER.indexOf(y.severity));
  const summary = { high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const f of findings) summary[f.severity]++;
  const failOn = checks.failOn ?? 'none';
  failed = failOn !== 'none' && findings.some((f) => SEVERITY_ORDER.indexOf(f.severity) <= SEVERITY_ORDER.indexOf(failOn));
  return {
    reportVersion: '1.0.0',
    tool: { name: 'apprights', version: options.version },
    generatedAt: (generatedAt ?? new Date()).toISOString(),
    package: (result.scenarios.length > 0 ? evidenceOf.get(result.scenarios[0]!.scenario)?.trace.header?.package : undefined) ?? '',
    scenarios,
    policyFile: result.policyFile ? 'privacy-policy.txt' : null,
    findings,
    summary,
    failed,
  };
}

function toExploreFinding(f: Finding, scenario: string, scenarioOf: (line: number) => { scenario: string; line: number }): ExploreFinding {
  const { lines, evidence } = tagEvidence(f.evidence, scenarioOf);
  return {
    scenario,
    ruleId: f.ruleId,
    severity: f.severity,
    measures: f.measures,
    message: f.message,
    messageId: f.messageId,
    fingerprint: f.fingerprint,
    lines,
    evidence,
    ...(f.data ? { data: f.data } : {}),
  };
}

/** b and e as one trace: e's times moved by the device-clock gap, its lines after b's, its snapshot ids prefixed. */
function mergeTraces(b: RuntimeEvidence, e: RuntimeEvidence, gapMs: number): { evidence: RuntimeEvidence; bLines: number } {
  const bLines = b.trace.events.reduce((max, ev) => Math.max(max, ev.line), 0);
  const rename = (id: string) => `e:${id}`;
  const events: Trace['events'] = [...b.trace.events];
  for (const ev of e.trace.events) {
    if (ev.kind === 'trace') continue;
    const moved = { ...ev, t: ev.t + gapMs, line: ev.line + bLines } as Trace['events'][number];
    if (moved.kind === 'ui') (moved as unknown as { id: string }).id = rename((ev as unknown as { id: string }).id);
    events.push(moved);
  }
  events.sort((x, y) => x.t - y.t);
  const trace: Trace = { source: `${b.trace.source} + ${e.trace.source}`, header: b.trace.header, events, problems: [] };
  const snapshots: UiSnapshot[] = [
    ...(b.ui?.snapshots ?? []),
    ...(e.ui?.snapshots ?? []).map((s) => ({
      ...s,
      id: rename(s.id),
      t: s.t === null ? null : s.t + gapMs,
      ...(s.line !== undefined ? { line: s.line + bLines } : {}),
    })),
  ];
  const ui = b.ui ? { ...b.ui, snapshots } : undefined;
  return { evidence: { trace, ...(ui ? { ui } : {}) } as RuntimeEvidence, bLines };
}

/** The merged report as Markdown, in one language: scenarios, then each finding with its scenario and lines. */
export function renderExploreReport(report: ExploreReport, lang: Lang): string {
  const zh = lang === 'zh';
  const out: string[] = [];
  out.push(`# ${zh ? '自动探索报告' : 'Exploration report'}: ${report.package}`, '');
  out.push(zh ? '| 场景 | 状态 | 事件 | 发现 |' : '| scenario | status | events | findings |', '|---|---|---|---|');
  for (const s of report.scenarios)
    out.push(`| ${s.dir} | ${s.status}${s.reason ? ` (${s.reason}: ${s.message ?? ''})` : ''} | ${s.events} | ${s.findings} |`);
  out.push('');
  if (report.policyFile)
    out.push(zh ? `隐私政策文本：${report.policyFile}（可用于 --policy）` : `Privacy policy text: ${report.policyFile} (for --policy)`, '');
  out.push(
    zh
      ? `发现：高 ${report.summary.high}，中 ${report.summary.medium}，低 ${report.summary.low}，提示 ${report.summary.info}`
      : `Findings: ${report.summary.high} high, ${report.summary.medium} medium, ${report.summary.low} low, ${report.summary.info} info`,
    '',
  );
  for (const f of report.findings) {
    const where = [...new Map(f.lines.map((l) => [`${l.scenario}:${l.line}`, l])).values()]
      .slice(0, 6)
      .map((l) => `${l.scenario} ${zh ? '第' : 'line '}${l.line}${zh ? ' 行' : ''}`)
      .join(', ');
    out.push(`- **${f.severity}** \`${f.ruleId}\` [${f.scenario}] ${f.message[lang]}${where ? ` (${where})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
