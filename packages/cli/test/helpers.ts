/**
 * Shared helpers for the CLI tests: they run the built `bin/apprights.js` as a child process (what
 * users run, including argument parsing, exit codes and stream use), never through a shell.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { repoRoot } from '../../apk/test/support/fixtures.js';

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

const validators = new Map<string, ValidateFunction>();

/** Validates against one of packages/cli/schemas/*.json (draft 2020-12); returns the errors as text. */
export function schemaErrors(schema: 'scan-report' | 'verify-report', data: unknown): string | undefined {
  let validate = validators.get(schema);
  if (!validate) {
    const json = JSON.parse(readFileSync(join(repoRoot, `packages/cli/schemas/${schema}.schema.json`), 'utf8')) as object;
    validate = new Ajv2020({ allErrors: true, strict: true }).compile(json);
    validators.set(schema, validate);
  }
  if (validate(data)) return undefined;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
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
