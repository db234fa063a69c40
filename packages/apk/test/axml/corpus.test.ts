import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxml } from '../../src/axml/index.js';
import { ApkFormatError } from '../../src/errors.js';
import { ZipArchive } from '../../src/zip/index.js';
import { corporaDir, realApks, runTool, skipWithoutCorpora, skipWithoutTool } from '@apprights/testkit';
import { aaptXmltreeOfManifest, parseAaptXmltree, recordsOf } from './aapt-xmltree.js';

const skip = skipWithoutCorpora || skipWithoutTool('aapt');
const axmlDir = corporaDir ? join(corporaDir, 'axml') : '';

/** Reads a corpus file's manifest bytes (the one .apk in the corpus holds its manifest as usual). */
function manifestBytes(file: string): Uint8Array {
  const path = join(axmlDir, file);
  if (!file.endsWith('.apk')) return readFileSync(path);
  const zip = ZipArchive.open(path);
  try {
    return zip.read('AndroidManifest.xml');
  } finally {
    zip.close();
  }
}

/**
 * What aapt does with each corpus file where it does not simply succeed, and what we do instead:
 * - WrongFilesize: the XML header declares 0x42424242 bytes. aapt rejects it ("Bad XML block"); every
 *   chunk inside is intact, so we read to the end of the file and warn.
 * - StringNotTerminated: strings #49 on have no terminator. aapt warns and crashes (SIGSEGV) while
 *   printing; Android reads those strings as missing. We decode them by their declared length and warn.
 */
const AAPT_REJECTS = new Set(['AndroidManifestWrongFilesize.xml']);
const AAPT_CRASHES = new Set(['AndroidManifest_StringNotTerminated.xml']);

test('every axml corpus file reads like aapt dump xmltree', { skip }, (t) => {
  const files = readdirSync(axmlDir)
    .filter((f) => f.endsWith('.xml') || f.endsWith('.apk'))
    .sort();
  assert.equal(files.length, 23);
  const summary: string[] = [];
  let matched = 0;
  for (const file of files) {
    const bytes = manifestBytes(file);
    const aapt = aaptXmltreeOfManifest(bytes);
    const ours = parseAxml(bytes, { entry: file });
    if (AAPT_REJECTS.has(file)) {
      assert.notEqual(aapt.status, 0, `${file}: aapt was expected to reject it`);
      assert.ok(
        ours.warnings.some((w) => /declares \d+ bytes but the file has/.test(w.message)),
        `${file}: the size problem should be reported as a warning`,
      );
      summary.push(`${file}: aapt rejects (${aapt.stderr.trim().split('\n').pop()}); we read it with a warning`);
      continue;
    }
    if (AAPT_CRASHES.has(file)) {
      assert.notEqual(aapt.status, 0, `${file}: aapt was expected to crash`);
      const theirs = parseAaptXmltree(aapt.stdout, true);
      const mine = recordsOf(ours).slice(0, theirs.length);
      assert.deepEqual(mine, theirs, `${file}: the part aapt printed before crashing must match`);
      assert.ok(ours.warnings.some((w) => /not null-terminated/.test(w.message)));
      summary.push(
        `${file}: aapt crashes (SIGSEGV) after printing ${theirs.length} complete lines, all matching ours; we decode the unterminated strings with warnings`,
      );
      continue;
    }
    assert.equal(aapt.status, 0, `${file}: aapt failed: ${aapt.stderr}`);
    assert.deepEqual(recordsOf(ours), parseAaptXmltree(aapt.stdout), `${file} differs from aapt`);
    matched++;
  }
  summary.unshift(`${matched} of ${files.length} corpus files match aapt exactly`);
  for (const line of summary) t.diagnostic(line);
  assert.equal(matched, 21);
});

test('corpus quirks are accepted with warnings, not silently', { skip: skipWithoutCorpora }, () => {
  const wrongStart = parseAxml(manifestBytes('AndroidManifest_WrongChunkStart.xml'));
  assert.ok(wrongStart.warnings.some((w) => /document chunk type is 0x0/.test(w.message)));
  // Attribute names blanked by a packer are read by their resource ids, like Android does.
  const blank = parseAxml(manifestBytes('AndroidManifest_NamespaceInAttributeName.xml'));
  const versionName = blank.root.attributes.find((a) => a.resourceId === 0x0101021c);
  assert.equal(versionName?.rawName, '');
  assert.equal(versionName?.name, 'versionName');
  assert.deepEqual(versionName?.value, { kind: 'string', value: '1.0' });
  const utf8 = parseAxml(manifestBytes('AndroidManifestUTF8Strings.xml'));
  assert.equal(utf8.utf8, true);
  const chinese = parseAxml(manifestBytes('AndroidManifest-Chinese.xml'));
  assert.ok(JSON.stringify(chinese).match(/[\u4e00-\u9fff]/), 'Chinese strings decode');
});

test('real APK manifests read like aapt dump xmltree', { skip: skipWithoutTool('aapt') }, () => {
  for (const [label, path] of Object.entries(realApks)) {
    const zip = ZipArchive.open(path);
    let bytes: Uint8Array;
    try {
      bytes = zip.read('AndroidManifest.xml');
    } finally {
      zip.close();
    }
    const aapt = runTool('aapt', ['dump', 'xmltree', path, 'AndroidManifest.xml']);
    assert.deepEqual(recordsOf(parseAxml(bytes)), parseAaptXmltree(aapt.stdout), `${label} differs from aapt`);
  }
});

test('truncating a corpus manifest anywhere gives ApkFormatError or a tree, never a crash', { skip: skipWithoutCorpora }, () => {
  const bytes = manifestBytes('AndroidManifest.xml');
  for (let length = 0; length < bytes.length; length++) {
    try {
      parseAxml(bytes.subarray(0, length));
    } catch (error) {
      assert.ok(error instanceof ApkFormatError, `length ${length}: ${String(error)}`);
      assert.equal(error.code, 'axml-corrupt');
    }
  }
});
