/**
 * `apprights rules` and `apprights measures`: what the checks are and what they serve, so a reader
 * of a report can look up a rule id or a measure id, and a reviewer can see which measures no
 * automated rule covers yet.
 */
import { loadKnowledge, loadMeasureCatalog, type Measure, type MeasureAssessment } from '@apprights/knowledge';
import { allRules, ruleById, ruleDefaults, type Rule } from '@apprights/rules';
import { ExitCode } from '../exit-codes.js';
import { t, type Lang } from '../i18n.js';
import { emit } from '../output.js';

export interface CatalogueOptions {
  format: 'text' | 'json';
  lang: Lang;
}

/** Terminal width: CJK characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => rows.reduce((max, r) => Math.max(max, width(r[i] ?? '')), 0));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('  ')).join('\n');
}

/** `options`: the default values (catalogue ones read from the snapshot); `optionSchema`: what config may set. */
function ruleJson(rule: Rule): Record<string, unknown> {
  const defaults = ruleDefaults(rule, loadKnowledge());
  const schema = Object.fromEntries(
    Object.entries(rule.meta.options ?? {}).map(([name, spec]) => [name, { ...spec, default: defaults[name] }]),
  );
  return { ...rule.meta, kind: rule.meta.kind ?? 'check', options: defaults, optionSchema: schema };
}

export function runRulesList(options: CatalogueOptions): number {
  if (options.format === 'json') {
    emit(JSON.stringify(allRules.map(ruleJson), null, 2), undefined, options.lang);
    return ExitCode.ok;
  }
  const rows = [
    ['id', 'severity', 'measures', 'evidence', options.lang === 'zh' ? '标题' : 'title'],
    ...allRules.map((r) => [r.meta.id, r.meta.severity, r.meta.measures.join(','), r.meta.evidence.join('+'), r.meta.title[options.lang]]),
  ];
  emit(`${columns(rows)}\n(${allRules.length})`, undefined, options.lang);
  return ExitCode.ok;
}

export function runRuleShow(id: string, options: CatalogueOptions): number {
  const rule = ruleById(id);
  if (!rule) {
    process.stderr.write(
      `apprights: ${t(options.lang, 'errorPrefix')}: ${t(options.lang, 'ruleNotFound')}: ${id} (apprights rules list)\n`,
    );
    return ExitCode.usage;
  }
  if (options.format === 'json') {
    emit(JSON.stringify(ruleJson(rule), null, 2), undefined, options.lang);
    return ExitCode.ok;
  }
  const { meta } = rule;
  const l = options.lang;
  const lines = [
    `${meta.id} — ${meta.title[l]}`,
    '',
    meta.description[l],
    '',
    `${l === 'zh' ? '整改' : 'Fix'}: ${meta.fix[l]}`,
    '',
    `severity: ${meta.severity}${meta.kind === 'inventory' ? ' (inventory)' : ''}`,
    `measures: ${meta.measures.join(', ')}`,
    `evidence: ${meta.evidence.join(', ')}`,
    `applies to: ${(meta.appliesTo ?? ['apk', 'aar', 'jar']).join(', ')}`,
  ];
  if (meta.fixable)
    lines.push(
      l === 'zh'
        ? 'fixable: manifest（可自动修复：scan --manifest-source / --fix-manifest）'
        : 'fixable: manifest (scan --manifest-source / --fix-manifest apply it)',
    );
  if (meta.options) lines.push(`options: ${JSON.stringify(ruleDefaults(rule, loadKnowledge()))}`);
  emit(lines.join('\n'), undefined, options.lang);
  return ExitCode.ok;
}

function measureJson(m: Measure): Record<string, unknown> {
  return { ...m };
}

/** How the coverage of a scan treats each kind of measure, worded as `assessment` in the catalogue. */
const ASSESSMENT_LABELS: Record<MeasureAssessment, { en: string; zh: string }> = {
  app: { en: 'app', zh: '应用' },
  platform: { en: 'platform-checked', zh: '平台或终端核查' },
  organisation: { en: 'organisational', zh: '管理类' },
};

export function runMeasures(options: CatalogueOptions): number {
  const catalog = loadMeasureCatalog();
  if (options.format === 'json') {
    emit(
      JSON.stringify(
        { version: catalog.version, measures: catalog.measures.map(measureJson), groups: catalog.groups, sources: catalog.sources },
        null,
        2,
      ),
      undefined,
      options.lang,
    );
    return ExitCode.ok;
  }
  const l = options.lang;
  const rows = [
    [
      '#',
      l === 'zh' ? '措施' : 'measure',
      l === 'zh' ? '核查' : 'checked on',
      l === 'zh' ? '可信度' : 'confidence',
      l === 'zh' ? '证据' : 'evidence',
      l === 'zh' ? '规则' : 'rules',
    ],
    ...catalog.measures.map((m) => [
      String(m.number),
      m.title[l],
      ASSESSMENT_LABELS[m.assessment][l],
      m.source.confidence,
      m.evidence.join('+'),
      m.rules.length > 0 ? m.rules.join(', ') : '-',
    ]),
  ];
  const automated = catalog.measures.filter((m) => m.rules.length > 0).length;
  const platform = catalog.measures.filter((m) => m.assessment === 'platform').length;
  const organisational = catalog.measures.filter((m) => m.assessment === 'organisation').length;
  const total = catalog.measures.length;
  const note =
    l === 'zh'
      ? `措施目录第 ${catalog.version} 版。${automated}/${total} 条措施有自动化规则；${platform} 条由平台或终端核查、${organisational} 条为管理类措施，对应用的检测不判定其通过与否（相关规则的结果仅作线索）。` +
        `标题依据工信部对通知的解读；13–26 条的序号按解读的顺序推定。可信度：C 已核实，Cd 据征求意见稿核实，P 部分核实，M 未核实。`
      : `Measure catalogue version ${catalog.version}. ${automated}/${total} measures have an automated rule; ${platform} are platform-checked and ${organisational} organisational: ` +
        `an app scan neither passes nor fails them (their rules give signals). Titles as MIIT's interpretation of the notice states them; ` +
        `13-26 numbered in its order. Confidence: C confirmed, Cd confirmed from the draft, P partly confirmed, M not verified.`;
  emit(`${columns(rows)}\n${note}`, undefined, options.lang);
  return ExitCode.ok;
}
