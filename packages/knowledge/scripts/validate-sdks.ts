#!/usr/bin/env -S npx tsx
/**
 * Checks data/sdks/*.json (or the folder given) against the catalogue rules; prints one line per
 * problem and exits 1 when there is any. Usage: npx tsx packages/knowledge/scripts/validate-sdks.ts [dir]
 */
import { validateSdkDirectory } from '../src/catalog/validate-sdks.js';

const dir = process.argv[2];
const { files, problems } = validateSdkDirectory(dir);
for (const p of problems) console.log(`${p.file}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
console.log(problems.length === 0 ? `${files} SDK files, no problems` : `${problems.length} problems in ${files} SDK files`);
process.exit(problems.length === 0 ? 0 : 1);
