#!/usr/bin/env node
// Part of `npm run build`, after tsc: writes dist/knowledge-data.json, the package's data files in
// one file with their versions and the knowledge snapshot id (see PrebuiltData in
// src/catalog/data-file.ts). A cold CLI scan reads it instead of ~660 small files and skips the hash.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const { prebuildKnowledgeData, PREBUILT_FILE } = await import(new URL('../dist/index.js', import.meta.url).href);
const data = prebuildKnowledgeData(join(root, 'data'));
const out = join(root, 'dist', PREBUILT_FILE);
writeFileSync(out, JSON.stringify(data));
console.log(`prebuild-data: ${out} (${Object.keys(data.files).length} files, snapshot ${data.id})`);
