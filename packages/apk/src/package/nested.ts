import { ApkFormatError } from '../errors.js';
import { parseDex } from '../dex/index.js';
import { ZipArchive, type ZipEntry } from '../zip/index.js';
import { detectPackageKind } from './detect.js';
import { countDefinedMethods } from './dex-counts.js';

/**
 * Archives and code hidden inside an app (plugins, hot-update patches, packed payloads in assets/)
 * matter to us: the notice forbids changing an app's behaviour through code that was not reviewed.
 * We list every candidate and, within a depth and size budget, look inside.
 */
export interface NestedArchive {
  /** Path from the outer archive, `!/` between levels: `assets/plugin.apk!/classes.dex`. */
  path: string;
  kind: 'apk' | 'jar' | 'aar' | 'zip' | 'dex';
  size: number;
  depth: number;
  /** How it was recognised: its name, or its first bytes. */
  detectedBy: 'name' | 'magic';
  entries?: number;
  dexFiles?: number;
  classes?: number;
  methods?: number;
  /** Why it was not opened (depth or size budget). */
  skipped?: string;
  /** Why it could not be read. */
  error?: string;
}

export interface NestedBudget {
  /** How many levels below the outer archive to open (1 = look inside assets/x.apk, not deeper). */
  maxDepth: number;
  /** Largest nested file we inflate. */
  maxSize: number;
  /** Sum of nested bytes inflated for one analysis. */
  maxTotal: number;
  /** Most candidates listed. */
  maxCount: number;
  /** Most entries whose first bytes we sniff (for payloads with misleading names). */
  maxSniff: number;
}

export const DEFAULT_NESTED_BUDGET: NestedBudget = {
  maxDepth: 2,
  maxSize: 64 * 1024 * 1024,
  maxTotal: 256 * 1024 * 1024,
  maxCount: 500,
  maxSniff: 5000,
};

const ARCHIVE_NAME = /\.(apk|jar|aar|zip|dex|odex|apex)$/i;
const TOP_LEVEL_DEX = /^classes\d*\.dex$/;

function magicKind(head: Uint8Array): 'zip' | 'dex' | undefined {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  if (head.length >= 4 && head[0] === 0x64 && head[1] === 0x65 && head[2] === 0x78 && head[3] === 0x0a) return 'dex';
  return undefined;
}

/** Entries that may hold code: by name anywhere, by magic under assets/ and res/raw/ and at the root. */
function candidates(
  archive: ZipArchive,
  budget: NestedBudget,
  isOuter: boolean,
): { entry: ZipEntry; kind: 'zip' | 'dex'; by: 'name' | 'magic' }[] {
  const found: { entry: ZipEntry; kind: 'zip' | 'dex'; by: 'name' | 'magic' }[] = [];
  let sniffed = 0;
  for (const entry of archive.entries) {
    if (found.length >= budget.maxCount) break;
    if (entry.isDirectory || entry.uncompressedSize < 4) continue;
    // The outer APK's own classesN.dex are the app's code, not nested payloads.
    if (isOuter && TOP_LEVEL_DEX.test(entry.name)) continue;
    if (entry.name.startsWith('META-INF/') || entry.name.endsWith('.class') || entry.name.endsWith('.so')) continue;
    const byName = ARCHIVE_NAME.test(entry.name);
    const sniffable = byName || entry.name.startsWith('assets/') || entry.name.startsWith('res/raw/') || !entry.name.includes('/');
    if (!sniffable || sniffed >= budget.maxSniff) continue;
    sniffed++;
    const kind = magicKind(archive.peek(entry, 4));
    if (kind) found.push({ entry, kind, by: byName ? 'name' : 'magic' });
    else if (byName) found.push({ entry, kind: /\.(dex|odex)$/i.test(entry.name) ? 'dex' : 'zip', by: 'name' });
  }
  return found;
}

function dexCounts(bytes: Uint8Array, name: string): { classes: number; methods: number } {
  const dex = parseDex(bytes, { name, verifyChecksum: false });
  return { classes: dex.counts.classDefs, methods: countDefinedMethods(dex) };
}

/** Lists and, within the budget, opens archives and DEX files nested in `archive`. */
export function inspectNested(archive: ZipArchive, budget: NestedBudget = DEFAULT_NESTED_BUDGET): NestedArchive[] {
  const out: NestedArchive[] = [];
  let spent = 0;
  const visit = (zip: ZipArchive, prefix: string, depth: number) => {
    for (const { entry, kind, by } of candidates(zip, budget, depth === 1)) {
      if (out.length >= budget.maxCount) return;
      const item: NestedArchive = { path: prefix + entry.name, kind, size: entry.uncompressedSize, depth, detectedBy: by };
      out.push(item);
      if (depth > budget.maxDepth) {
        item.skipped = `deeper than ${budget.maxDepth} levels`;
        continue;
      }
      if (entry.uncompressedSize > budget.maxSize || spent + entry.uncompressedSize > budget.maxTotal) {
        item.skipped = `over the size budget (${budget.maxSize} bytes each, ${budget.maxTotal} in all)`;
        continue;
      }
      spent += entry.uncompressedSize;
      try {
        const bytes = zip.read(entry);
        if (kind === 'dex') {
          Object.assign(item, { dexFiles: 1 }, dexCounts(bytes, item.path));
          continue;
        }
        const inner = ZipArchive.fromBytes(bytes, { ...zip.limits, maxTotalInflated: budget.maxTotal - spent });
        item.kind = detectPackageKind(inner) ?? 'zip';
        item.entries = inner.entries.length;
        const dexEntries = inner.entries.filter((e) => TOP_LEVEL_DEX.test(e.name));
        item.dexFiles = dexEntries.length;
        let classes = 0;
        let methods = 0;
        for (const dexEntry of dexEntries) {
          if (spent + dexEntry.uncompressedSize > budget.maxTotal) break;
          spent += dexEntry.uncompressedSize;
          const counts = dexCounts(inner.read(dexEntry), `${item.path}!/${dexEntry.name}`);
          classes += counts.classes;
          methods += counts.methods;
        }
        if (dexEntries.length > 0) {
          item.classes = classes;
          item.methods = methods;
        }
        visit(inner, `${item.path}!/`, depth + 1);
      } catch (error) {
        if (!(error instanceof ApkFormatError)) throw error;
        item.error = error.message;
      }
    }
  };
  visit(archive, '', 1);
  return out;
}
