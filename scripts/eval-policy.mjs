#!/usr/bin/env node
// Measures the policy analyser against annotated policies (CA4P format: NNNN.txt + NNNN.json with
// {classId, start, end} labels). Prints, per section kind, document-level precision/recall/F1 (does
// the policy contain a paragraph of this kind?) and span-level recall/precision (overlap match) for
// personal-data mentions (e_21) and recipients (e_26). Uses the built library (npm run build first).
//   npm run eval:policy [-- --dir DIR] [--json] [--errors KIND|data|recipients]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: join(root, '..', 'shared', 'corpora', 'policies-zh', 'dev') },
    json: { type: 'boolean', default: false },
    errors: { type: 'string' },
  },
});
const dir = resolve(args.dir);
if (!existsSync(dir)) {
  console.log(`eval:policy skipped: no annotated policies at ${dir} (../shared/corpora is absent on this machine)`);
  process.exit(0);
}
const { readPolicy, analyzePolicy } = await import(join(root, 'packages/policy/dist/index.js'));

/** CA4P paragraph labels and the section kinds they correspond to. */
const KIND_OF_LABEL = {
  e_1: 'collection-use',
  e_2: 'third-party',
  e_3: 'user-provided',
  e_4: 'user-rights',
  e_5: 'retention',
  e_6: 'security',
  e_7: 'policy-change',
  e_8: 'definitions',
  e_9: 'consent-withdrawal',
  e_10: 'privacy-settings',
  e_11: 'minors',
  e_12: 'cross-border',
  e_13: 'notification',
  e_14: 'contact',
  e_15: 'cookies',
};
const DATA_LABEL = 'e_21';
const RECIPIENT_LABEL = 'e_26';

const overlaps = (a, b) => a.start < b.end && b.start < a.end;
/** How many of `spans` overlap at least one of `others` (both sorted by start). */
function matched(spans, others) {
  let count = 0;
  let j = 0;
  for (const span of spans) {
    while (j < others.length && others[j].end <= span.start) j++;
    let k = j;
    while (k < others.length && others[k].start < span.end && !overlaps(span, others[k])) k++;
    if (k < others.length && overlaps(span, others[k])) count++;
  }
  return count;
}
const byStart = (a, b) => a.start - b.start || a.end - b.end;
const ratio = (a, b) => (b === 0 ? 1 : a / b);
const f1 = (p, r) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt') && existsSync(join(dir, f.replace(/\.txt$/, '.json'))))
  .sort();
const kinds = Object.values(KIND_OF_LABEL);
const docCounts = Object.fromEntries(kinds.map((k) => [k, { tp: 0, fp: 0, fn: 0, gold: 0 }]));
const spans = {
  data: { gold: 0, goldMatched: 0, predicted: 0, predictedMatched: 0, predictedInAnnotated: 0, predictedInAnnotatedMatched: 0 },
  recipients: { gold: 0, goldMatched: 0, predicted: 0, predictedMatched: 0, predictedInAnnotated: 0, predictedInAnnotatedMatched: 0 },
};
const errors = [];
let analysisMs = 0;
let characters = 0;

for (const file of files) {
  const text = readFileSync(join(dir, file), 'utf8');
  const labels = JSON.parse(readFileSync(join(dir, file.replace(/\.txt$/, '.json')), 'utf8'));
  const document = readPolicy(text, { name: file });
  const started = performance.now();
  const analysis = analyzePolicy(document, { source: file });
  analysisMs += performance.now() - started;
  characters += text.length;

  const spanLabels = labels.filter((l) => Number(l.classId.slice(2)) >= 21);
  const annotatedParagraphs = labels.filter(
    (l) => Number(l.classId.slice(2)) < 21 && spanLabels.some((s) => s.start >= l.start && s.end <= l.end),
  );
  const goldKinds = new Set(labels.map((l) => KIND_OF_LABEL[l.classId]).filter(Boolean));
  const predictedKinds = new Set(analysis.sections.flatMap((s) => s.kinds));
  for (const kind of kinds) {
    const gold = goldKinds.has(kind);
    const predicted = predictedKinds.has(kind);
    const c = docCounts[kind];
    if (gold) c.gold++;
    if (gold && predicted) c.tp++;
    else if (predicted) c.fp++;
    else if (gold) c.fn++;
    if (args.errors === kind && gold !== predicted) errors.push(`${file}: ${gold ? 'missed' : 'spurious'} ${kind}`);
  }
  for (const [name, label, predictedSpans] of [
    ['data', DATA_LABEL, analysis.dataMentions],
    ['recipients', RECIPIENT_LABEL, analysis.recipients],
  ]) {
    const gold = labels.filter((l) => l.classId === label).sort(byStart);
    const predicted = [...predictedSpans].sort(byStart);
    const s = spans[name];
    s.gold += gold.length;
    s.goldMatched += matched(gold, predicted);
    s.predicted += predicted.length;
    s.predictedMatched += matched(predicted, gold);
    // The annotators span-labelled some paragraphs and left others (about a quarter of the collection
    // and sharing paragraphs) without any span: precision is also given over the paragraphs they did label.
    const inAnnotated = predicted.filter((p) => annotatedParagraphs.some((a) => a.start <= p.start && p.end <= a.end));
    s.predictedInAnnotated += inAnnotated.length;
    s.predictedInAnnotatedMatched += matched(inAnnotated, gold);
    if (args.errors === name) {
      for (const g of gold) if (!predicted.some((p) => overlaps(p, g))) errors.push(`${file}: missed ${JSON.stringify(g.text)}`);
      for (const p of predicted) if (!gold.some((g) => overlaps(p, g))) errors.push(`${file}: spurious ${JSON.stringify(p.text)}`);
    }
  }
}

const perKind = kinds.map((kind) => {
  const c = docCounts[kind];
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return { kind, policies: c.gold, precision, recall, f1: f1(precision, recall), target: c.gold >= 50 ? 0.85 : null };
});
const spanResult = (s) => ({
  gold: s.gold,
  predicted: s.predicted,
  recall: ratio(s.goldMatched, s.gold),
  precision: ratio(s.predictedMatched, s.predicted),
  precisionInSpanAnnotatedParagraphs: ratio(s.predictedInAnnotatedMatched, s.predictedInAnnotated),
});
const result = {
  corpus: dir,
  policies: files.length,
  sections: perKind,
  dataMentions: { ...spanResult(spans.data), targets: { recall: 0.85, precision: 0.8 } },
  recipients: spanResult(spans.recipients),
  analysisMsPer10kChars: (analysisMs / characters) * 10_000,
};

if (args.json) console.log(JSON.stringify(result, null, 2));
else {
  const pct = (x) => x.toFixed(3);
  const mark = (ok) => (ok ? 'ok' : 'BELOW TARGET');
  console.log(`${files.length} annotated policies in ${dir}\n`);
  console.log('section kind         policies  precision  recall   F1     target');
  for (const r of perKind)
    console.log(
      `${r.kind.padEnd(20)} ${String(r.policies).padStart(8)}  ${pct(r.precision).padStart(9)}  ${pct(r.recall).padStart(6)}  ${pct(r.f1).padStart(5)}  ${r.target === null ? '(< 50 policies)' : mark(r.f1 >= r.target)}`,
    );
  const d = result.dataMentions;
  console.log(
    `\ndata mentions (数据)   gold ${d.gold}, predicted ${d.predicted}: recall ${pct(d.recall)} (${mark(d.recall >= 0.85)}), precision ${pct(d.precision)} (${mark(d.precision >= 0.8)}); precision in span-annotated paragraphs ${pct(d.precisionInSpanAnnotatedParagraphs)}`,
  );
  const r = result.recipients;
  console.log(
    `recipients (受试者)    gold ${r.gold}, predicted ${r.predicted}: recall ${pct(r.recall)}, precision ${pct(r.precision)}; in span-annotated paragraphs ${pct(r.precisionInSpanAnnotatedParagraphs)}`,
  );
  console.log(
    `analysis time         ${result.analysisMsPer10kChars.toFixed(1)} ms per 10,000 characters (in-process, after the first policy loads the segmenter)`,
  );
  if (errors.length) console.log(`\n${errors.join('\n')}`);
}
