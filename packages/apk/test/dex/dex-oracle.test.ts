/**
 * Oracle tests: our reading of the real APKs' DEX files must agree with Debian's dexdump (header
 * counts, per-instruction references) and dexlist (every method with code, its offset and size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from '../../src/zip/index.js';
import { DEX_OPCODES, dexTypeToJavaName, readDexFiles, type DexFile, type MultiDex } from '../../src/dex/index.js';
import { realApks, runTool, skipWithoutTool } from '@apprights/testkit';

const apks = Object.entries(realApks);

function load(path: string): MultiDex & { bytes: Map<string, Uint8Array> } {
  const zip = ZipArchive.open(path);
  try {
    const multi = readDexFiles(zip, { verifySignature: true });
    const bytes = new Map(multi.loaded.map((name) => [name, zip.read(name)]));
    return { ...multi, bytes };
  } finally {
    zip.close();
  }
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-dex-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEADER_FIELDS = [
  ['string_ids_size', 'strings'],
  ['type_ids_size', 'types'],
  ['proto_ids_size', 'protos'],
  ['field_ids_size', 'fields'],
  ['method_ids_size', 'methods'],
  ['class_defs_size', 'classDefs'],
] as const;

for (const [label, path] of apks) {
  test(`${label}: header counts equal dexdump -f for every DEX`, { skip: skipWithoutTool('dexdump') }, () => {
    const { dexFiles, loaded, ignored } = load(path);
    assert.deepEqual(ignored, []);
    assert.deepEqual(
      loaded,
      loaded.map((_, i) => (i === 0 ? 'classes.dex' : `classes${i + 1}.dex`)),
    );
    const out = runTool('dexdump', ['-f', path]).stdout;
    const blocks = out.split(/^Opened '/m).slice(1);
    assert.equal(blocks.length, dexFiles.length, 'dexdump and we see the same number of DEX files');
    const rows: string[] = [];
    blocks.forEach((block, i) => {
      const dex = dexFiles[i]!;
      const field = (name: string) => {
        const m = new RegExp(`^${name}\\s*: (\\w+)`, 'm').exec(block);
        assert.ok(m, `${name} in dexdump output for ${dex.name}`);
        return m[1]!;
      };
      for (const [dumpName, ours] of HEADER_FIELDS) {
        assert.equal(dex.counts[ours], Number(field(dumpName)), `${dex.name} ${dumpName}`);
      }
      assert.equal(dex.header.checksum, parseInt(field('checksum'), 16), `${dex.name} checksum`);
      assert.equal(dex.checksumValid, true, `${dex.name} checksum verifies`);
      assert.equal(dex.signatureValid, true, `${dex.name} signature verifies`);
      assert.deepEqual(dex.issues, [], `${dex.name} has no issues`);
      rows.push(`${dex.name}: ${HEADER_FIELDS.map(([, k]) => `${k}=${dex.counts[k]}`).join(' ')}`);
    });
    console.log(`${label}\n  ${rows.join('\n  ')}`);
  });

  test(`${label}: methods with code equal dexlist (name, offset, size) for every DEX`, { skip: skipWithoutTool('dexlist') }, () => {
    const { dexFiles, bytes } = load(path);
    withTempDir((dir) => {
      let totalMethods = 0;
      let totalClasses = 0;
      for (const dex of dexFiles) {
        const file = join(dir, dex.name!);
        writeFileSync(file, bytes.get(dex.name!)!);
        const lines = runTool('dexlist', [file])
          .stdout.split('\n')
          .filter((l) => l.startsWith('0x'));
        // dexlist: insns offset, insns size in bytes, class, method, proto, source file, first line.
        const theirs = lines.map((l) => l.split(' ').slice(0, 5).join(' ')).sort();
        const scan = dex.scanCode();
        const ours: string[] = [];
        const classes = new Set<number>();
        for (let s = 0; s < scan.slotCount; s++) {
          const off = scan.codeOffset[s]!;
          const m = dex.methodRef(scan.methodIndex[s]!);
          const cls = dexTypeToJavaName(dex.classDef(scan.classDefIndex[s]!).type);
          const insnsBytes = dex.code(off).insnsSize * 2;
          ours.push(`0x${(off + 16).toString(16).padStart(8, '0')} ${insnsBytes} ${cls} ${m.name} ${m.proto}`);
          classes.add(scan.classDefIndex[s]!);
        }
        ours.sort();
        assert.equal(ours.length, theirs.length, `${dex.name}: number of methods with code`);
        assert.deepEqual(ours, theirs, `${dex.name}: dexlist lines`);
        const theirClasses = new Set(lines.map((l) => l.split(' ')[2]));
        assert.equal(classes.size, theirClasses.size, `${dex.name}: classes with code`);
        totalMethods += ours.length;
        totalClasses += classes.size;
      }
      const classDefs = dexFiles.reduce((n, d) => n + d.counts.classDefs, 0);
      console.log(`${label}: ${totalMethods} methods with code in ${totalClasses} classes (of ${classDefs} class_defs) match dexlist`);
    });
  });
}

/** Opcodes whose references we record, by dexdump's mnemonic. */
const RECORDED = new Set(
  DEX_OPCODES.filter((o) => {
    const op = o.opcode;
    return (
      (op >= 0x6e && op <= 0x78 && op !== 0x73) ||
      (op >= 0xfa && op <= 0xfd) ||
      op === 0x1a ||
      op === 0x1b ||
      op === 0x1c ||
      op === 0x22 ||
      (op >= 0x52 && op <= 0x58) ||
      (op >= 0x60 && op <= 0x66)
    );
  }).map((o) => o.name),
);

/** Per code_item offset, the recorded references as `pc:mnemonic:index` from `dexdump -d`. */
function dexdumpRefs(file: string): Map<number, string[]> {
  const out = runTool('dexdump', ['-d', file]).stdout;
  const byCode = new Map<number, string[]>();
  let current: string[] | undefined;
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    // A const-string whose value holds newlines spans several lines; its comment ends the last one.
    if (/\|[0-9a-f]{4,}: const-string/.test(line)) {
      while (!/\/\/ string@[0-9a-f]+$/.test(line) && i + 1 < lines.length) line += '\n' + lines[++i]!;
    }
    const header = /^[0-9a-f]{6}:\s+\|\[([0-9a-f]+)\] /.exec(line);
    if (header) {
      const off = parseInt(header[1]!, 16);
      current = [];
      byCode.set(off, current);
      continue;
    }
    const insn =
      /^[0-9a-f]{6}: [0-9a-f .]*\|([0-9a-f]{4,}): ([a-z0-9/-]+) [^]*\/\/ (?:method|string|field|type|call_site)@([0-9a-f]+)/.exec(line);
    if (insn && current && RECORDED.has(insn[2]!)) current.push(`${parseInt(insn[1]!, 16)}:${insn[2]}:${parseInt(insn[3]!, 16)}`);
  }
  return byCode;
}

function ourRefs(dex: DexFile): Map<number, string[]> {
  const scan = dex.scanCode();
  const byCode = new Map<number, string[]>();
  for (let s = 0; s < scan.slotCount; s++) {
    const refs: string[] = [];
    for (let r = scan.refStart[s]!; r < scan.refEnd[s]!; r++) {
      refs.push(`${scan.refPc[r]}:${DEX_OPCODES[scan.refOpcode[r]!]!.name}:${scan.refIndex[r]}`);
    }
    byCode.set(scan.codeOffset[s]!, refs);
  }
  return byCode;
}

test(
  'every invoke, field read, string and type reference equals dexdump -d (small DEX files)',
  { skip: skipWithoutTool('dexdump') },
  () => {
    let files = 0;
    let refs = 0;
    let invokes = 0;
    withTempDir((dir) => {
      for (const [label, path] of apks) {
        const { dexFiles, bytes } = load(path);
        for (const dex of dexFiles) {
          // dexdump -d prints ~15x the DEX size, so the large files are left to the dexlist test unless
          // APPRIGHTS_DEX_ORACLE_ALL=1 asks for them (about a minute and 2 GB of dexdump output).
          if (dex.header.fileSize > 400_000 && !process.env.APPRIGHTS_DEX_ORACLE_ALL) continue;
          const file = join(dir, `${label}-${dex.name}`);
          writeFileSync(file, bytes.get(dex.name!)!);
          const theirs = dexdumpRefs(file);
          const ours = ourRefs(dex);
          assert.equal(ours.size, theirs.size, `${label} ${dex.name}: code items`);
          for (const [off, list] of ours) {
            assert.deepEqual(list, theirs.get(off), `${label} ${dex.name}: code_item at 0x${off.toString(16)}`);
            refs += list.length;
            invokes += list.filter((r) => r.includes(':invoke-')).length;
          }
          files++;
        }
      }
    });
    assert.ok(files >= 10);
    console.log(`${files} DEX files: ${refs} references (${invokes} invokes) equal dexdump -d`);
  },
);

test('readDexFiles: uiautomator2 loads 16 DEX files in Android order', () => {
  const zip = ZipArchive.open(realApks.uiautomator2);
  try {
    const { loaded, dexFiles } = readDexFiles(zip);
    assert.equal(loaded.length, 16);
    assert.deepEqual(loaded.slice(0, 3), ['classes.dex', 'classes2.dex', 'classes3.dex']);
    assert.equal(loaded[15], 'classes16.dex');
    assert.deepEqual(
      dexFiles.map((d) => d.name),
      loaded,
    );
  } finally {
    zip.close();
  }
});
