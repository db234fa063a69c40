import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { FRAMEWORK_ATTRIBUTES } from '../../src/axml/index.js';
import { runTool, skipWithoutTool } from '@apprights/testkit';

const frameworkRes = '/usr/share/android-framework-res/framework-res.apk';
const skip =
  skipWithoutTool('aapt') ||
  (existsSync(frameworkRes) ? false : `skipped: ${frameworkRes} is absent (apt-get install android-framework-res)`);

test('every framework attribute id in our table matches framework-res.apk', { skip }, () => {
  const dump = runTool('aapt', ['dump', 'resources', frameworkRes]).stdout;
  const actual = new Map<number, string>();
  for (const match of dump.matchAll(/spec resource (0x0101[0-9a-f]{4}) android:attr\/(\w+):/g)) {
    actual.set(Number.parseInt(match[1]!, 16), match[2]!);
  }
  assert.ok(actual.size > 1000);
  for (const [id, name] of FRAMEWORK_ATTRIBUTES) {
    assert.equal(actual.get(id), name, `0x${id.toString(16)}`);
  }
});
