import { loadKnowledge } from '@apprights/knowledge';
/**
 * Fuzz targets beyond the binary parsers (issue 12 §3): mutations inside an APK's entries, re-packed
 * with valid CRCs so they pass the ZIP reader and reach the parsers behind it; AARs; policy HTML with
 * structure-aware edits (tags opened and never closed, deep nesting, entities, tables); and runtime
 * traces with line-level edits (extreme times, retyped and missing fields), whose trace report must
 * also validate against its JSON schema (the policy report too).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { loadMeasureCatalog } from '@apprights/knowledge';
import { PolicyInputError, analyzePolicy, readPolicy } from '@apprights/policy';
import { assemblePolicyReport, assembleTraceReport } from '@apprights/rules';
import { TraceInputError, buildTimeline, readTrace } from '@apprights/runtime';
import { ZipArchive, analyzeArchive } from '../../src/index.js';
import { fixChecksum } from '@apprights/testkit';
import { corporaDir, repoRoot } from '@apprights/testkit';
import { buildZip, type ZipWriterEntry } from '@apprights/testkit';
import { mutate, type Mutation, type Rng } from './mutate.js';
import type { FuzzTarget, Seed } from './targets.js';

// --- entries of an APK, re-packed with valid CRCs -------------------------------------------------------

const entriesBySeed = new Map<string, ZipWriterEntry[]>();

function entriesOf(seed: Seed): ZipWriterEntry[] {
  let entries = entriesBySeed.get(seed.name);
  if (!entries) {
    const zip = ZipArchive.fromBytes(seed.bytes);
    entries = zip.entries.map((e) => ({ name: e.name, data: Uint8Array.from(zip.read(e)), method: e.method }));
    entriesBySeed.set(seed.name, entries);
  }
  return entries;
}

/** Entries a parser reads; the rest (images aside from the icon, assets) are only listed. */
const PARSED = /^(AndroidManifest\.xml|resources\.arsc|classes\d*\.dex|lib\/.+\.so|assets\/.+\.(aar|jar|apk|dex)|res\/.+\.(xml|png))$/;

export function mutateEntry(seed: Seed, rng: Rng, mutations: Mutation[]): Uint8Array {
  const entries = entriesOf(seed);
  const candidates = entries.map((e, i) => [e, i] as const).filter(([e]) => PARSED.test(e.name));
  const [entry, index] = rng.pick(candidates);
  const data = entry.data as Uint8Array;
  const changed = mutate(data, rng, [[0, Math.min(data.length, 4096)]]);
  if (/\.dex$/.test(entry.name) && changed.bytes.length >= 0x70 && rng.below(2) === 0) fixChecksum(changed.bytes);
  for (const m of changed.mutations) mutations.push({ ...m, kind: `${entry.name}:${m.kind}` });
  const copy = entries.slice();
  copy[index] = { ...entry, data: changed.bytes };
  // buildZip computes each CRC from the data: the ZIP reader's checks pass, the parser sees the lie.
  return buildZip(copy);
}

export function runArchive(bytes: Uint8Array): void {
  analyzeArchive(ZipArchive.fromBytes(bytes), 'fuzz.apk', { strict: false }).close();
}

// --- policy HTML ---------------------------------------------------------------------------------------

const POLICY_TAGS = [
  '<b>',
  '</b>',
  '<p>',
  '</p>',
  '<div>',
  '</div>',
  '<span style="font-weight:bold">',
  '<u>',
  '<h2>',
  '</h2>',
  '<li>',
  '<ul>',
  '<table>',
  '<tr>',
  '<td>',
  '</td>',
  '</table>',
  '<br>',
  '<a href="https://example.com/sdk">',
  '</a>',
  '<script>',
  '</script>',
  '<style>',
  '<!--',
  '-->',
  '&amp;',
  '&#x0;',
  '&#1114112;',
  '&nbsp;',
  '<div',
  '<font color="#ff0000">',
  '<svg><p>',
  '<![CDATA[',
  '\uFEFF',
  '\u0000',
];

/** Ours, written for the test: the shape of a Chinese policy (headings, a list, an SDK table, emphasis). */
const OWN_POLICY = `<!doctype html><html><head><title>隐私政策</title></head><body>
<h1>示例应用隐私政策</h1><p>更新日期：2024年5月1日。生效日期：2024年5月8日。</p>
<h2>一、我们如何收集和使用您的个人信息</h2>
<p>为实现<b>定位服务</b>，我们会申请<u>位置权限</u>，收集您的精确位置信息。您可以拒绝，拒绝不影响其他功能。</p>
<ul><li>设备信息：IMEI、Android ID、MAC 地址，用于安全风控。</li><li>手机号码：用于注册登录。</li></ul>
<h2>二、第三方 SDK</h2>
<table><tr><th>SDK 名称</th><th>收集信息</th><th>目的</th><th>链接</th></tr>
<tr><td>极光推送 SDK</td><td>设备标识符、网络信息</td><td>消息推送</td><td><a href="https://www.jiguang.cn/license/privacy">隐私政策</a></td></tr>
<tr><td>友盟统计 SDK</td><td>设备信息</td><td>统计分析</td><td></td></tr></table>
<h2>三、您的权利</h2><p>您可以通过“设置-账号注销”注销账号，我们将在15个工作日内处理。</p>
<p>联系我们：privacy@example.com</p></body></html>`;

export function policySeeds(): Seed[] {
  const seeds: Seed[] = [{ name: 'own policy page', bytes: Buffer.from(OWN_POLICY) }];
  if (corporaDir) {
    // The development split only (CA4P-483 dev); its text wrapped in the markup real pages use.
    const dir = join(corporaDir, 'policies-zh/dev');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .slice(0, 8)) {
      const text = readFileSync(join(dir, file), 'utf8').slice(0, 12_000);
      const html = text
        .split(/\n+/)
        .map((line, i) =>
          /^[一二三四五六七八九十]+、|^\d+[.、]/.test(line) ? `<h3>${line}</h3>` : i % 7 === 3 ? `<p><b>${line}</b></p>` : `<p>${line}</p>`,
        )
        .join('\n');
      seeds.push({ name: `policies-zh/dev/${file} as HTML`, bytes: Buffer.from(`<html><body>${html}</body></html>`) });
    }
  }
  return seeds;
}

export function mutatePolicy(seed: Seed, rng: Rng, mutations: Mutation[]): Uint8Array {
  let text = Buffer.from(seed.bytes).toString('utf8');
  const edits = 1 + rng.below(8);
  for (let e = 0; e < edits; e++) {
    const at = rng.below(text.length + 1);
    switch (rng.below(5)) {
      case 0: {
        // Deep nesting: one tag opened many times and never closed.
        const tag = rng.pick(POLICY_TAGS);
        const times = 1 + rng.below(rng.below(8) === 0 ? 20_000 : 50);
        text = text.slice(0, at) + tag.repeat(times) + text.slice(at);
        mutations.push({ kind: 'repeat-tag', offset: at, value: times, length: tag.length });
        break;
      }
      case 1: {
        const length = rng.below(200);
        text = text.slice(0, at) + text.slice(at + length);
        mutations.push({ kind: 'delete', offset: at, length });
        break;
      }
      case 2: {
        const length = rng.below(400);
        const to = rng.below(text.length + 1);
        text = text.slice(0, to) + text.slice(at, at + length) + text.slice(to);
        mutations.push({ kind: 'duplicate', offset: at, length, to });
        break;
      }
      default: {
        const tag = rng.pick(POLICY_TAGS);
        text = text.slice(0, at) + tag + text.slice(at);
        mutations.push({ kind: 'insert-tag', offset: at, length: tag.length });
      }
    }
  }
  return Buffer.from(text);
}

let ajv: Ajv2020 | undefined;
/** The report schemas of @apprights/engine: one validator, since the reports share parts. */
function reportSchema(name: 'policy-report' | 'trace-report'): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const schema of ['scan-report', 'scan-facts', 'policy-report', 'trace-report'])
      ajv.addSchema(JSON.parse(readFileSync(join(repoRoot, `packages/engine/schemas/${schema}.schema.json`), 'utf8')) as object, schema);
  }
  return ajv.getSchema(name) as ValidateFunction;
}

/** A report that does not validate against its own schema is a bug like an exception. */
function assertValid(name: 'policy-report' | 'trace-report', report: unknown): void {
  const validate = reportSchema(name);
  if (!validate(JSON.parse(JSON.stringify(report))))
    throw new Error(`${name} against its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
}

const measures = loadMeasureCatalog().measures;

export function runPolicy(bytes: Uint8Array): void {
  const document = readPolicy(Buffer.from(bytes).toString('utf8'), { format: 'html' });
  const analysis = analyzePolicy(document, { source: 'fuzz.html' });
  assertValid(
    'policy-report',
    assemblePolicyReport(analysis, { toolVersion: '0.0.0-fuzz', knowledge: loadKnowledge(), measures, generatedAt: new Date(0) }),
  );
}

// --- traces --------------------------------------------------------------------------------------------

export function traceSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const dirs = [join(repoRoot, 'packages/runtime/test/traces')];
  const rulesTraces = join(repoRoot, 'packages/rules/test/traces');
  for (const d of readdirSync(rulesTraces).sort()) dirs.push(join(rulesTraces, d));
  for (const dir of dirs) {
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort())
      seeds.push({ name: `${dir.slice(repoRoot.length + 1)}/${f}`, bytes: readFileSync(join(dir, f)) });
  }
  return seeds;
}

const EXTREMES: unknown[] = [1e308, -1e308, 1e13, -1e13, 1e13 + 1, -0, 0.5, 2 ** 53, -1, 1e-300, 2 ** 31, null, '', 'x', [], {}, true];

export function mutateTrace(seed: Seed, rng: Rng, mutations: Mutation[]): Uint8Array {
  const lines = Buffer.from(seed.bytes).toString('utf8').split('\n');
  const edits = 1 + rng.below(6);
  for (let e = 0; e < edits; e++) {
    const i = rng.below(lines.length);
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(lines[i]!) as Record<string, unknown>;
    } catch {
      continue;
    }
    const keys = Object.keys(event);
    const key = keys.length > 0 ? rng.pick(keys) : 't';
    const kind = rng.below(7);
    switch (kind) {
      case 0:
        event.t = rng.pick(EXTREMES);
        break;
      case 1:
        event[key] = rng.pick(EXTREMES);
        break;
      case 2:
        delete event[key];
        break;
      case 3:
        // The same event many times: lengthy traces, ties in time.
        lines.splice(i, 0, ...Array<string>(1 + rng.below(rng.below(10) === 0 ? 5000 : 20)).fill(lines[i]!));
        break;
      case 4:
        lines[i] = lines[i]!.slice(0, rng.below(lines[i]!.length));
        break;
      default:
        event.kind = rng.pick([
          'api',
          'consent',
          'permission-request',
          'ui',
          'lifecycle',
          'user',
          'navigation',
          'network',
          'sensor',
          'zzz',
        ]);
    }
    if (kind !== 3 && kind !== 4) lines[i] = JSON.stringify(event);
    mutations.push({ kind: `trace-${['time', 'value', 'delete', 'repeat', 'cut', 'value', 'kind'][kind]}`, offset: i, value: 0 });
  }
  return Buffer.from(lines.join('\n'));
}

export function runTrace(bytes: Uint8Array): void {
  const trace = readTrace(Buffer.from(bytes).toString('utf8'), { source: 'fuzz.jsonl' });
  buildTimeline(trace);
  assertValid(
    'trace-report',
    assembleTraceReport(trace, undefined, { toolVersion: '0.0.0-fuzz', knowledge: loadKnowledge(), measures, generatedAt: new Date(0) }),
  );
}

export const moreTargets: Record<string, FuzzTarget> = {
  policy: {
    iterations: 40,
    seeds: policySeeds,
    generate: mutatePolicy,
    expected: (error) => error instanceof PolicyInputError,
    run: runPolicy,
  },
  trace: {
    iterations: 150,
    seeds: traceSeeds,
    generate: mutateTrace,
    expected: (error) => error instanceof TraceInputError,
    run: runTrace,
  },
};
