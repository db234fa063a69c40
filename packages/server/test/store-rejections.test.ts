import assert from 'node:assert/strict';
import { bothDatabases } from './support/databases.js';
import { addOrg } from './support/jobs.js';
import { newId } from '../src/ids.js';
import { repeatedRejections } from '../src/workflows/store/rejections.js';
import { developerCredit } from '../src/workflows/regulator/credit.js';

bothDatabases(
  'developer credit: a fingerprint (or listing difference) rejected 3 times counts once as a repeated rejection',
  async (_t, under) => {
    const store = await under.open();
    const db = store.db;
    const shop = await addOrg(store);
    const dev = await addOrg(store);
    const other = await addOrg(store);
    await db
      .insertInto('blobs')
      .values({ sha256: 'a'.repeat(64), size: 1, media_type: 'application/zip', created_at: 1 })
      .execute();
    const reject = async (org: string, reasons: unknown) =>
      db
        .insertInto('store_submissions')
        .values({
          id: newId(),
          store_id: shop,
          developer_org_id: org,
          blob_sha256: 'a'.repeat(64),
          elements: '{}',
          app_type: 'utilities',
          gate_version: 0,
          resubmission_of: null,
          state: 'rejected',
          scan_job_id: null,
          policy_job_id: null,
          scan_report_id: null,
          policy_report_id: null,
          policy_error: null,
          version_id: null,
          diff: null,
          outcome: 'reject',
          reasons: JSON.stringify(reasons),
          claimed_by: null,
          decided_by: null,
          decision_comment: null,
          listing_id: null,
          created_at: 1,
          updated_at: 1,
        })
        .execute();
    const finding = (fingerprint: string) => ({
      gateRule: 'r',
      then: 'reject',
      finding: { ruleId: 'x', severity: 'high', measures: [], fingerprint },
    });
    const diff = { gateRule: 'default', then: 'reject', diff: { kind: 'label-mismatch', pointer: '/elements/name' } };
    // F1 three times (twice in one submission counts once for it), F2 twice, the label difference three times.
    await reject(dev, [finding('F1'), finding('F1'), diff]);
    await reject(dev, [finding('F1'), finding('F2'), diff]);
    await reject(dev, [finding('F1'), finding('F2'), diff]);
    await reject(other, [finding('F1')]);
    await reject(dev, 'not a list');
    assert.equal(await repeatedRejections(db, dev), 2);
    assert.equal(await repeatedRejections(db, other), 0);
    const credit = await developerCredit(db, dev, Date.now());
    const input = credit.inputs.find((i) => i.name === 'repeatedRejections')!;
    assert.equal(input.value, 2);
    assert.equal(input.available, true);
    assert.equal(input.deduction, 20);
    await store.close();
  },
);
