import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { repeatedRejections, REPEAT_THRESHOLD } from '../store/rejections.js';

// Developer credit (开发者信用): a documented, versioned formula. The output shows every input, its
// weight and its contribution, so a developer can see why, and appeal. Version `credit/1`:
//
//   score = clamp(0, 100, 100 − Σ min(cap_i, weight_i × input_i))
//
//   input                                   weight   cap
//   high findings (latest report per app)   5        40
//   medium findings                         2        20
//   low findings                            0.5      5
//   fingerprints rejected ≥ 3 times         10       30   (from the store's submissions, when present)
//   late share of decided bulletin items    20       20   (1 − rectification timeliness; 0 when none decided)
//   bulletin items in the last 365 days     5        25
//
//   level: ≥ 90 good, ≥ 70 attention, else risk. An upheld appeal on a bulletin item removes it
//   from the inputs.
//
// The repeated-rejection input comes from the store gatekeeping workflow, which owns submissions
// and their rejections (store/rejections.ts).

export const CREDIT_FORMULA_VERSION = 'credit/1';

export interface CreditWeight {
  weight: number;
  cap: number;
}

export const CREDIT_WEIGHTS = {
  highFindings: { weight: 5, cap: 40 },
  mediumFindings: { weight: 2, cap: 20 },
  lowFindings: { weight: 0.5, cap: 5 },
  repeatedRejections: { weight: 10, cap: 30 },
  lateRectificationShare: { weight: 20, cap: 20 },
  recentBulletinItems: { weight: 5, cap: 25 },
} as const satisfies Record<string, CreditWeight>;

export type CreditInput = keyof typeof CREDIT_WEIGHTS;

export interface CreditResult {
  developerOrgId: string;
  formula: string;
  score: number;
  level: 'good' | 'attention' | 'risk';
  inputs: { name: CreditInput; value: number; weight: number; cap: number; deduction: number; available: boolean; source: string }[];
  prompt: { en: string; zh: string } | null;
  computedAt: number;
}

const YEAR_MS = 365 * 86_400_000;

export async function developerCredit(db: Kysely<Database>, developerOrgId: string, now: number): Promise<CreditResult> {
  const apps = (await db.selectFrom('apps').select('id').where('org_id', '=', developerOrgId).execute()).map((a) => a.id);
  const severity: Record<string, number> = {};
  for (let i = 0; i < apps.length; i += 500) {
    const slice = apps.slice(i, i + 500);
    // The latest report per app: newest scan report by version, or newest report with its findings.
    const scan = await db
      .selectFrom('reports')
      .innerJoin('versions', 'versions.id', 'reports.version_id')
      .select(['versions.app_id as app_id', (eb) => eb.fn.max('reports.id').as('report_id')])
      .where('versions.app_id', 'in', slice)
      .groupBy('versions.app_id')
      .execute();
    const viaFindings = await db
      .selectFrom('findings')
      .select(['app_id', (eb) => eb.fn.max('report_id').as('report_id')])
      .where('app_id', 'in', slice)
      .groupBy('app_id')
      .execute();
    const latest = new Map<string, string>();
    for (const r of [...scan, ...viaFindings]) {
      if (!r.app_id || !r.report_id) continue;
      const id = String(r.report_id);
      if ((latest.get(r.app_id) ?? '') < id) latest.set(r.app_id, id);
    }
    const pairs = [...latest.entries()];
    for (let j = 0; j < pairs.length; j += 200) {
      const chunk = pairs.slice(j, j + 200);
      const rows = await db
        .selectFrom('findings')
        .select(['app_id', 'report_id', 'severity'])
        .where(
          'report_id',
          'in',
          chunk.map(([, r]) => r),
        )
        .execute();
      const wanted = new Set(chunk.map(([a, r]) => `${a}\u0000${r}`));
      for (const f of rows) if (wanted.has(`${f.app_id}\u0000${f.report_id}`)) severity[f.severity] = (severity[f.severity] ?? 0) + 1;
    }
  }
  const upheld = new Set(
    (
      await db
        .selectFrom('reg_credit_appeals')
        .select('subject')
        .where('developer_org_id', '=', developerOrgId)
        .where('state', '=', 'upheld')
        .execute()
    ).map((a) => a.subject),
  );
  const items = (
    await db
      .selectFrom('reg_bulletin_items')
      .innerJoin('reg_bulletins', 'reg_bulletins.id', 'reg_bulletin_items.bulletin_id')
      .select(['reg_bulletin_items.id', 'reg_bulletin_items.state', 'reg_bulletin_items.on_time', 'reg_bulletins.published_at'])
      .where('reg_bulletin_items.developer_org_id', '=', developerOrgId)
      .where('reg_bulletins.state', '=', 'published')
      .execute()
  ).filter((i) => !upheld.has(i.id));
  const decided = items.filter((i) => i.state === 'closed' || i.state === 'escalated');
  const lateShare = decided.length ? decided.filter((i) => i.on_time !== 1).length / decided.length : 0;
  const recent = items.filter((i) => i.published_at !== null && now - Number(i.published_at) <= YEAR_MS).length;
  const rejections = await repeatedRejections(db, developerOrgId);
  const values: Record<CreditInput, { value: number; available: boolean; source: string }> = {
    highFindings: { value: severity.high ?? 0, available: true, source: 'findings of each app’s latest report' },
    mediumFindings: { value: severity.medium ?? 0, available: true, source: 'findings of each app’s latest report' },
    lowFindings: { value: severity.low ?? 0, available: true, source: 'findings of each app’s latest report' },
    repeatedRejections: {
      value: rejections,
      available: true,
      source: `finding fingerprints or listing differences its store submissions were rejected for ≥ ${REPEAT_THRESHOLD} times`,
    },
    lateRectificationShare: {
      value: Math.round(lateShare * 10_000) / 10_000,
      available: true,
      source: `bulletin items decided at their deadline (${decided.length})`,
    },
    recentBulletinItems: { value: recent, available: true, source: 'published bulletin items in the last 365 days' },
  };
  let score = 100;
  const inputs = (Object.keys(CREDIT_WEIGHTS) as CreditInput[]).map((name) => {
    const { weight, cap } = CREDIT_WEIGHTS[name];
    const v = values[name];
    const deduction = Math.round(Math.min(cap, weight * v.value) * 100) / 100;
    score -= deduction;
    return { name, value: v.value, weight, cap, deduction, available: v.available, source: v.source };
  });
  score = Math.max(0, Math.min(100, Math.round(score * 100) / 100));
  const level = score >= 90 ? 'good' : score >= 70 ? 'attention' : 'risk';
  return {
    developerOrgId,
    formula: CREDIT_FORMULA_VERSION,
    score,
    level,
    inputs,
    prompt: riskPrompt(level, values),
    computedAt: now,
  };
}

/** The risk prompt an app page shows for the developer (null when the credit is good). */
export function riskPrompt(
  level: CreditResult['level'],
  values: Record<CreditInput, { value: number }>,
): { en: string; zh: string } | null {
  if (level === 'good') return null;
  const reasons: { en: string; zh: string }[] = [];
  if (values.highFindings.value)
    reasons.push({ en: `${values.highFindings.value} high-severity issues`, zh: `${values.highFindings.value} 项高风险问题` });
  if (values.recentBulletinItems.value)
    reasons.push({
      en: `named in ${values.recentBulletinItems.value} bulletin item(s) this year`,
      zh: `近一年被通报 ${values.recentBulletinItems.value} 次`,
    });
  if (values.lateRectificationShare.value) reasons.push({ en: 'rectification not completed by a deadline', zh: '存在逾期未整改' });
  if (values.repeatedRejections.value) reasons.push({ en: 'the same issue rejected repeatedly', zh: '同一问题多次被驳回' });
  const head =
    level === 'risk'
      ? {
          en: 'Risk: this developer’s apps have serious personal-information compliance problems',
          zh: '风险提示：该开发者的应用存在较严重的个人信息保护合规问题',
        }
      : {
          en: 'Attention: this developer’s apps have open personal-information compliance issues',
          zh: '提示：该开发者的应用存在尚未解决的个人信息保护合规问题',
        };
  return {
    en: reasons.length ? `${head.en} (${reasons.map((r) => r.en).join('; ')}).` : `${head.en}.`,
    zh: reasons.length ? `${head.zh}（${reasons.map((r) => r.zh).join('；')}）。` : `${head.zh}。`,
  };
}
