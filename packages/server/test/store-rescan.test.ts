import assert from 'node:assert/strict';
import { READERS_VERSION } from '@apprights/engine';
import { loadKnowledge, type SdkEntry } from '@apprights/knowledge';
import { bothDatabases } from './support/databases.js';
import { APKS, storeApk, testPlatform, waitForState } from './support/jobs.js';
import { listedApp } from './support/listed.js';
import { addOrgOfKind, completeQueuedJob } from './support/regulator.js';
import { newId } from '../src/ids.js';
import { startWorkers } from '../src/jobs/index.js';
import { writePrefixSet } from '../src/jobs/prefixes.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { catalogueChange, catalogueSignatures, rescanListings } from '../src/workflows/store/rescan.js';

// Re-scans after an SDK-catalogue or readers change (src/workflows/store/rescan.ts): a scan keeps
// the version's package-prefix set, and a changed SDK signature re-scans only the listed versions
// whose code holds one of its prefixes (plus those the sets cannot answer for).

bothDatabases('store re-scan: a scan keeps the version’s package-prefix set (engine → job → table)', async (t, under) => {
  const p = await testPlatform(under);
  t.after(() => p.close());
  const db = p.store.db;
  const dev = await addOrgOfKind(db, 'developer', 'prefix-dev');
  const blob = await storeApk(p, APKS.apiDemos);
  const job = await p.queue.submit({ kind: 'scan', orgId: dev, payload: { blob } });
  const workers = await startWorkers(p, { concurrency: 1 });
  try {
    await waitForState(p.store, job.id, ['succeeded'], 120_000);
  } finally {
    await workers.stop({ graceMs: 1000 });
  }
  const version = await db.selectFrom('versions').select('id').where('blob_sha256', '=', blob).executeTakeFirstOrThrow();
  const set = await db.selectFrom('version_prefix_sets').selectAll().where('version_id', '=', version.id).executeTakeFirstOrThrow();
  assert.equal(set.readers, READERS_VERSION);
  assert.equal(set.depth, 4, 'ApiDemos is far under the cap');
  assert.equal(set.omitted, 0);
  const prefixes = (await db.selectFrom('version_package_prefixes').select('prefix').where('version_id', '=', version.id).execute()).map(
    (r) => r.prefix,
  );
  assert.equal(prefixes.length, set.prefixes);
  for (const expected of ['android', 'android.support', 'android.support.v4', 'androidx']) assert.ok(prefixes.includes(expected), expected);
  assert.ok(
    prefixes.every((x) => x.split('.').length <= 4),
    'at most 4 segments',
  );
  // "Which versions contain P" is a lookup of the (prefix, version_id) key.
  const holders = await db.selectFrom('version_package_prefixes').select('version_id').where('prefix', '=', 'android.support.v4').execute();
  assert.deepEqual(
    holders.map((h) => h.version_id),
    [version.id],
  );
});

bothDatabases(
  'store re-scan: an SDK-data change re-scans only the listed apps embedding a changed prefix; a readers change re-scans all',
  async (t, under) => {
    const p = await testPlatform(under);
    t.after(() => p.close());
    const db = p.store.db;
    const store = await addOrgOfKind(db, 'store', 'rescan-store');
    const dev = await addOrgOfKind(db, 'developer', 'rescan-dev');
    const app = async (name: string, sdks: { id: string; version: string | null }[] = []) =>
      listedApp(db, { storeId: store, developerOrgId: dev, packageName: `com.example.${name}`, sdks });
    const withJpush = await app('jpush'); // its code holds cn.jpush.android
    const withUmeng = await app('umeng');
    const plain = await app('plain');
    const noSet = await app('noset'); // scanned before sets were kept
    const capped = await app('capped'); // a set the cap cut to 2 levels
    const nativeOnly = await app('nativeonly', [{ id: 'jpush', version: '4.8.1' }]); // JPush found by its native library
    // The JPush app is listed in a second store too: its version is read once for both listings.
    const store2 = await addOrgOfKind(db, 'store', 'rescan-store-2');
    const jpushListing = await db.selectFrom('listings').selectAll().where('id', '=', withJpush.listingId).executeTakeFirstOrThrow();
    const secondListing = newId();
    await db
      .insertInto('listings')
      .values({ ...jpushListing, id: secondListing, store_id: store2 })
      .execute();
    const sets: [string, string[], number][] = [
      [withJpush.versionId, ['cn', 'cn.jpush', 'cn.jpush.android', 'cn.jpush.android.api', 'com', 'com.example', 'com.example.jpush'], 4],
      [withUmeng.versionId, ['com', 'com.example', 'com.example.umeng', 'com.umeng', 'com.umeng.analytics'], 4],
      [plain.versionId, ['com', 'com.example', 'com.example.plain'], 4],
      [capped.versionId, ['cn', 'cn.jpush', 'com', 'com.example'], 2],
      [nativeOnly.versionId, ['com', 'com.example', 'com.example.nativeonly'], 4],
    ];
    await db.transaction().execute(async (trx) => {
      for (const [versionId, prefixes, depth] of sets)
        await writePrefixSet(
          trx,
          versionId,
          'r',
          { readers: READERS_VERSION, depth, cap: 5000, omitted: depth < 4 ? 9000 : 0, prefixes },
          1,
        );
    });
    // The listed packages are stored, so re-scans can read them.
    const blob = await storeApk(p, APKS.apiDemos);
    await db.updateTable('versions').set({ blob_sha256: blob }).where('org_id', '=', dev).execute();
    await dispatchEvents(p); // the SDK registry indexes the reports' SDKs (nativeOnly: jpush)

    const catalogue = loadKnowledge().sdks.entries;
    const first = await rescanListings(p, { sdks: catalogue });
    assert.equal(first.change, 'baseline');
    assert.equal(first.queued, 0, 'the first run records the baseline only');
    assert.equal((await rescanListings(p, { sdks: catalogue })).change, 'none');

    // JPush's signature changes (a new module's package): only the apps that may embed it are re-scanned.
    const jpush = catalogue.find((e) => e.id === 'jpush')!;
    const changed: SdkEntry[] = catalogue.map((e) =>
      e.id === 'jpush' ? { ...e, packages: [...e.packages, 'cn.jpush.android.newmodule'] } : e,
    );
    assert.deepEqual(catalogueChange(catalogueSignatures(catalogue), catalogueSignatures(changed)).sdks, ['jpush']);
    // A change outside the detection fields (the vendor's wording) is no signature change.
    const reworded = catalogue.map((e) => (e.id === 'jpush' ? { ...e, name: { ...jpush.name, en: `${jpush.name.en} (renamed)` } } : e));
    assert.deepEqual(catalogueChange(catalogueSignatures(catalogue), catalogueSignatures(reworded)).sdks, []);

    const second = await rescanListings(p, { sdks: changed });
    assert.equal(second.change, 'sdk-data');
    const rescans = await db.selectFrom('store_rescans').selectAll().orderBy('id').execute();
    const byListing = new Map(rescans.map((r) => [r.listing_id, r]));
    assert.deepEqual(
      [...byListing.keys()].sort(),
      [withJpush.listingId, secondListing, noSet.listingId, capped.listingId, nativeOnly.listingId].sort(),
      'the JPush app (both listings), the one without a set, the capped one and the one whose scan named JPush; not the others',
    );
    assert.equal(second.queued, 5);
    assert.equal(second.submitted, 4, 'one job per version');
    assert.equal(byListing.get(withJpush.listingId)!.job_id, byListing.get(secondListing)!.job_id);
    assert.ok(!byListing.has(withUmeng.listingId) && !byListing.has(plain.listingId));
    assert.deepEqual(JSON.parse(byListing.get(withJpush.listingId)!.prefixes!), ['cn.jpush.android']);
    assert.equal(byListing.get(noSet.listingId)!.prefixes, null);
    for (const r of rescans) {
      assert.equal(r.reason, 'sdk-data');
      assert.equal(r.state, 'running');
      const job = await db.selectFrom('jobs').selectAll().where('id', '=', r.job_id!).executeTakeFirstOrThrow();
      assert.equal(job.kind, 'scan');
      assert.equal(job.priority, -10);
      assert.equal(job.org_id, dev);
      assert.equal((JSON.parse(job.payload) as { blob: string }).blob, blob);
    }
    // The same catalogue again: nothing more.
    const again = await rescanListings(p, { sdks: changed });
    assert.deepEqual([again.change, again.queued, again.submitted], ['none', 0, 0]);

    // The JPush app's re-scan ends with a finding its listing check did not have: the check takes
    // the new report and the developer is told, with a deadline.
    const rescan = byListing.get(withJpush.listingId)!;
    const reportId = await completeQueuedJob(db, rescan.job_id!, [{ fingerprint: 'fp-jpush-new', severity: 'high' }]);
    await dispatchEvents(p);
    const done = await db.selectFrom('store_rescans').selectAll().where('job_id', '=', rescan.job_id).execute();
    assert.deepEqual(
      done.map((d) => [d.state, d.result_report_id, d.new_findings]),
      [
        ['done', reportId, 1],
        ['done', reportId, 1],
      ],
    );
    const check = await db
      .selectFrom('store_listing_checks')
      .selectAll()
      .where('listing_id', '=', withJpush.listingId)
      .executeTakeFirstOrThrow();
    assert.equal(check.report_id, reportId);
    const notes = await db.selectFrom('notifications').selectAll().where('org_id', '=', dev).where('topic', '=', 'finding.new').execute();
    assert.deepEqual(notes.map((n) => n.subject).sort(), [withJpush.listingId, secondListing].sort(), 'each listing’s developer notice');

    // The readers change: every listed version is re-scanned.
    const readers = await rescanListings(p, { sdks: changed, readers: READERS_VERSION + 1 });
    assert.equal(readers.change, 'readers');
    assert.equal(readers.queued, 7);
    const byReaders = await db.selectFrom('store_rescans').select('listing_id').where('reason', '=', 'readers').execute();
    assert.equal(new Set(byReaders.map((r) => r.listing_id)).size, 7);
  },
);
