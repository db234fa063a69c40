/**
 * Shared helpers for the CLI tests: they run the built `bin/apprights.js` as a child process (what
 * users run, including argument parsing, exit codes and stream use), never through a shell.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { repoRoot } from '@apprights/testkit';

export { repoRoot };
export const binPath = join(repoRoot, 'packages/cli/bin/apprights.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The environment children see: locale variables are cleared so a developer's zh_CN shell does not
 * change the English assertions, and debug/stats switches are off.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['LANG', 'LC_ALL', 'LC_MESSAGES', 'APPRIGHTS_LANG', 'APPRIGHTS_DEBUG', 'APPRIGHTS_STATS']) delete env[key];
  return { ...env, ...extra };
}

export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: childEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Same as runCli without blocking, so slow scans and oracle tools can run side by side. */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(process.execPath, [binPath, ...args], { cwd: options.cwd ?? repoRoot, env: childEnv(options.env) });
}

/** Runs an oracle tool (never through a shell) and collects its output. */
export function runToolAsync(name: string, args: string[]): Promise<CliResult> {
  return collect(name, args, { cwd: repoRoot, env: process.env });
}

function collect(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** A short description of a run for assertion messages. */
export function describeRun(r: CliResult): string {
  return `exit ${r.status}\n--- stderr ---\n${r.stderr.slice(0, 2000)}\n--- stdout ---\n${r.stdout.slice(0, 2000)}`;
}

/** Bad input must be explained, not dumped: no `    at fn (file:line)` frames. */
export function assertNoStack(text: string): void {
  if (/^\s+at .+[:(]/m.test(text)) throw new Error(`output holds a stack trace:\n${text}`);
}

/** A temporary folder removed after the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const SCHEMAS = [
  'scan-report',
  'scan-facts',
  'policy-report',
  'trace-report',
  'verify-report',
  'diff-report',
  'policy-draft',
  'listing-draft',
] as const;
export type SchemaName = (typeof SCHEMAS)[number];

let ajv: Ajv2020 | undefined;

/**
 * Validates against one of packages/engine/schemas/*.json (draft 2020-12); returns the errors as text.
 * All schemas share one validator, because the scan and policy reports refer to each other's parts.
 */
export function schemaErrors(schema: SchemaName, data: unknown): string | undefined {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true });
    for (const name of SCHEMAS)
      ajv.addSchema(JSON.parse(readFileSync(join(repoRoot, `packages/engine/schemas/${name}.schema.json`), 'utf8')) as object, name);
  }
  const validate = ajv.getSchema(schema) as ValidateFunction;
  if (validate(data)) return undefined;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

/** The SARIF 2.1.0 schema ships in this pinned devDependency; it is not copied into the repository. */
export const SARIF_SCHEMA_PACKAGE = '@microsoft/jest-sarif';
const SCHEMA_FILE = `${SARIF_SCHEMA_PACKAGE}/lib/schemas/sarif-2.1.0-rtm.5.json`;

/** RFC 3986 characters only; percent signs must start an escape. */
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/**
 * The schema is draft-04, which Ajv 8 does not load as such. Its only draft-04-only keyword is the
 * root `id`; renamed to `$id`, the draft-07 validator reads it the same way. A later schema copy
 * that leaned on other draft-04 semantics (boolean exclusiveMinimum) is refused rather than
 * silently read differently.
 */
export function sarifValidator(): ValidateFunction {
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(SCHEMA_FILE);
  } catch {
    assert.fail(`${SCHEMA_FILE} not found: the SARIF schema comes from the ${SARIF_SCHEMA_PACKAGE} devDependency (npm ci installs it)`);
  }
  const text = readFileSync(path, 'utf8');
  assert.doesNotMatch(text, /"exclusive(?:Minimum|Maximum)"\s*:\s*(?:true|false)/, 'draft-04 boolean exclusive bounds need another loader');
  const schema = JSON.parse(text) as Record<string, unknown>;
  assert.match(String(schema.$schema), /draft-04/);
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // The published rtm.5 pattern for `language` is not a valid Unicode-mode regular expression
  // (a stray `]`); draft-04 patterns are plain ECMA 262 ones, which is what this option gives.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URI_CHARS.test(s));
  ajv.addFormat('uri-reference', (s: string) => URI_CHARS.test(s));
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i);
  return ajv.compile(schema);
}

/** A minimal view of the scan report, for typed access in assertions. */
export interface ScanJson {
  file: { path: string; name: string; kind: string; sha256: string };
  app: {
    package: string | null;
    versionName: string | null;
    versionCode: number | null;
    label: string | null;
    labels: Record<string, string>;
    minSdk: number | null;
    targetSdk: number | null;
    launcherActivity: string | null;
  };
  permissions: { name: string; maxSdkVersion: number | null; sdk23: boolean; protectionLevel: string | null }[];
  dex: { files: number; classes: number; methods: number; perFile: { name: string; classes: number; methods: number }[] };
  jvm: { classFiles: number; aarPackage: string | null; jars: string[] } | null;
  nativeLibraries: { abi: string; path: string; soname: string | null; machine: string | null; problem: string | null }[];
  signatures: {
    verified: boolean;
    schemes: { v1: boolean; v2: boolean; v3: boolean; v31: boolean };
    certificates: { sha256: string; subject: string }[];
  } | null;
  archive: {
    entries: number;
    issues: { kind: string; entry: string | null; message: string }[];
    nested: {
      path: string;
      kind: string;
      size: number;
      depth: number;
      dexFiles: number | null;
      classes: number | null;
      skipped: string | null;
      error: string | null;
    }[];
  };
  problems: { code: string; message: string; entry: string | null }[];
}

export interface VerifyJson {
  file: string;
  verified: boolean;
  schemes: Record<'v1' | 'v2' | 'v3' | 'v31', { present: boolean; verified: boolean; errors: string[] }> | null;
  minSdk: number | null;
  errors: string[];
}
