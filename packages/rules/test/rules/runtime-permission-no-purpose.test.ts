import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePermissionNoPurpose } from '../../src/rules/runtime-permission-no-purpose.js';
import { exampleTrace, runOn } from '../support/trace.js';

const ID = 'runtime-permission-no-purpose';

test('runtime-permission-no-purpose: contacts without a purpose (medium), the album with nothing recorded (low)', () => {
  const found = runOn(runtimePermissionNoPurpose, exampleTrace(ID, 'violating'));
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['no-purpose:android.permission.READ_CONTACTS', undefined],
      ['purpose-unknown:android.permission.READ_MEDIA_IMAGES', 'low'],
    ],
  );
  assert.match(found[0]!.message.zh, /第 4\.2 秒申请 READ_CONTACTS 权限时未展示用途说明/);
  assert.match(found[1]!.message.en, /At 9\.1 s the app asked for READ_MEDIA_IMAGES; the trace says neither whether a purpose was shown/);
  assert.deepEqual(found[0]!.evidence, [{ kind: 'trace', event: 4, time: 4200, detail: 'request READ_CONTACTS: no purpose shown' }]);
});

test('runtime-permission-no-purpose: a shown purpose, or a recorded purpose text, is enough', () => {
  assert.deepEqual(runOn(runtimePermissionNoPurpose, exampleTrace(ID, 'clean')), []);
});
