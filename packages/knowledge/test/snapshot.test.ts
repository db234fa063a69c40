import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createKnowledgeSnapshot,
  knowledgeDataDir,
  knowledgeRoot,
  loadKnowledge,
  loadKnowledgeAsync,
  readKnowledgeData,
} from '../src/index.js';

test('snapshot: one id for the package data, however it is built', async () => {
  const loaded = loadKnowledge();
  assert.match(loaded.id, /^sha256:[0-9a-f]{16}$/);
  assert.equal(loadKnowledge(), loaded, 'cached per process');
  assert.equal(await loadKnowledgeAsync(), loaded);
  const supplied = createKnowledgeSnapshot(readKnowledgeData(knowledgeDataDir()));
  assert.notEqual(supplied, loaded);
  assert.equal(supplied.id, loaded.id);
  assert.deepEqual(supplied.versions, loaded.versions);
  assert.equal(loaded.versions.sdkEntries, loaded.sdks.size);
  assert.equal(loaded.measures.measures.length, 26);
  assert.ok(loaded.appType('map-navigation'));
  assert.equal(loaded.appType(1), loaded.appTypes[0]);
  assert.equal(loaded.isDangerousPermission('android.permission.CAMERA'), true);
  assert.equal(loaded.isDangerousPermission('android.permission.INTERNET'), false);
  assert.equal(loaded.piCategory('location')?.id, 'location');
  assert.ok(loaded.findSdkNames('我们使用了极光推送 SDK').some((m) => m.sdk === 'jpush'));
});

test('snapshot: the compiled package reads the prebuilt data (one file) and gets the same catalogues and id as from the files', async () => {
  const built = (await import(join(knowledgeRoot(), 'dist', 'index.js'))) as typeof import('../src/index.js');
  assert.ok(existsSync(join(knowledgeRoot(), 'dist', built.PREBUILT_FILE)), 'npm run build writes it');
  const fromSources = loadKnowledge(); // tests run the sources, which read the files
  const prebuilt = await built.loadKnowledgeAsync();
  // The id is the build's, not hashed again: equal ids and contents also mean the build is fresh
  // (a data edit without a build fails here).
  assert.equal(prebuilt.id, fromSources.id);
  assert.deepEqual(prebuilt.versions, fromSources.versions);
  assert.deepEqual(prebuilt.sdks.entries, fromSources.sdks.entries);
  assert.deepEqual(prebuilt.measures.measures, fromSources.measures.measures);
  assert.deepEqual([...prebuilt.permissions.values()], [...fromSources.permissions.values()]);
  assert.deepEqual(prebuilt.sensitiveApis, fromSources.sensitiveApis);
  assert.deepEqual(prebuilt.appTypes, fromSources.appTypes);
  assert.deepEqual(prebuilt.piCategories, fromSources.piCategories);
});

test('snapshot: a newer catalogue from a registry gets its own id, and the old snapshot is untouched', () => {
  const data = readKnowledgeData(knowledgeDataDir());
  const base = createKnowledgeSnapshot(data);
  const extra = {
    id: 'example-registry-sdk',
    name: { zh: '示例 SDK', en: 'Example SDK' },
    vendor: { zh: '示例公司', en: 'Example Ltd.' },
    category: 'analytics',
    region: 'cn',
    tracker: true,
    packages: ['com.example.registry'],
    personalInformation: [],
    sources: { packages: 'test' },
  };
  const newer = createKnowledgeSnapshot({ ...data, sdks: [...data.sdks, extra] });
  assert.notEqual(newer.id, base.id);
  assert.equal(newer.versions.sdkEntries, base.versions.sdkEntries + 1);
  assert.ok(newer.sdks.get('example-registry-sdk'));
  assert.equal(base.sdks.get('example-registry-sdk'), undefined);
});

test('snapshot: bad supplied data is refused with the file and entry named', () => {
  const data = readKnowledgeData(knowledgeDataDir());
  const types = structuredClone(data.appTypes) as { types: { necessaryPI: { pi: string }[] }[] };
  types.types.find((t) => t.necessaryPI.length > 0)!.necessaryPI[0]!.pi = 'no-such-category';
  assert.throws(
    () => createKnowledgeSnapshot({ ...data, appTypes: types }),
    /data\/app-types\.json: .*unknown PI category "no-such-category"/,
  );
  assert.throws(
    () => createKnowledgeSnapshot({ ...data, measures: { ...(data.measures as object), version: 0 } }),
    /measures\.json: version/,
  );
});
