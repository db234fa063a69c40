/**
 * Reachability through the engine: the `reachability` option carries present/reachable into
 * sensitiveApis, callers, findings' code evidence and permissionUse; a trace makes what it saw
 * `active`; stored facts re-run to the same findings; reports validate against the schemas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntime, rerunRules, scanPackage, schemasDir, type ScanFacts } from '@apprights/engine';
import { reachabilityFixture } from '@apprights/testkit';

const traceLines = [
  { kind: 'trace', t: 0, version: '1.0.0', package: 'com.example.app', recorder: 'manual' },
  {
    kind: 'api',
    t: 100,
    api: 'telephony.getDeviceId',
    class: 'android.telephony.TelephonyManager',
    method: 'getDeviceId',
    stack: [
      'android.telephony.TelephonyManager.getDeviceId(TelephonyManager.java:1)',
      'com.example.app.DeviceUtil.imei(DeviceUtil.java:3)',
      'com.example.app.MainActivity.onCreate(MainActivity.java:9)',
    ],
  },
];

test('engine: reachability in sensitive APIs, findings and permissionUse; a trace makes calls active; facts re-run alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-reach-'));
  try {
    const apk = join(dir, 'reach.apk');
    writeFileSync(apk, reachabilityFixture());
    const plain = await scanPackage(apk);
    assert.ok(
      plain.sensitiveApis.every((u) => !('reach' in u)),
      'off by default',
    );

    const report = await scanPackage(apk, { reachability: true });
    const byApi = new Map(report.sensitiveApis.map((u) => [u.api, u]));
    assert.equal(byApi.get('telephony.getDeviceId')?.reach, 'reachable');
    assert.equal(byApi.get('telephony.getImei')?.reach, 'present');
    assert.equal(report.permissionUse.reach?.['android.permission.READ_PHONE_STATE'], 'reachable');
    const codeRefs = report.findings.flatMap((f) => f.evidence).filter((e) => e.kind === 'code' && e.api === 'telephony.getImei');
    assert.ok(codeRefs.length > 0 && codeRefs.every((e) => e.kind === 'code' && e.reach === 'present'), JSON.stringify(codeRefs));

    const tracePath = join(dir, 'trace.jsonl');
    writeFileSync(tracePath, traceLines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const runtime = await readRuntime(tracePath);
    const traced = await scanPackage(apk, { reachability: true, trace: runtime.trace });
    const deviceId = traced.sensitiveApis.find((u) => u.api === 'telephony.getDeviceId');
    assert.equal(deviceId?.reach, 'active');
    assert.deepEqual(
      deviceId?.callers.map((c) => [c.class, c.reach]),
      [['com.example.app.DeviceUtil', 'active']],
    );
    assert.equal(traced.permissionUse.reach?.['android.permission.READ_PHONE_STATE'], 'active');

    const again = rerunRules(JSON.parse(JSON.stringify(traced.facts)) as ScanFacts);
    assert.deepEqual(again.findings, traced.findings);

    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const name of ['policy-report', 'scan-facts', 'scan-report'])
      ajv.addSchema(JSON.parse(readFileSync(join(schemasDir, `${name}.schema.json`), 'utf8')) as object, name);
    const valid = ajv.getSchema('scan-report')!;
    assert.ok(valid(JSON.parse(JSON.stringify(traced))), JSON.stringify(valid.errors?.slice(0, 3)));
    const validFacts = ajv.getSchema('scan-facts')!;
    assert.ok(validFacts(JSON.parse(JSON.stringify(traced.facts))), JSON.stringify(validFacts.errors?.slice(0, 3)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
