/**
 * The command line itself: help, version, and exit code 2 for every mistake in the arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoStack, describeRun, repoRoot, runCliAsync } from './helpers.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

test('--help, -h and --version exit 0 and print to stdout', async () => {
  const [help, short, scanHelp, ver, shortVer] = await Promise.all([
    runCliAsync(['--help']),
    runCliAsync(['-h']),
    runCliAsync(['scan', '--help']),
    runCliAsync(['--version']),
    runCliAsync(['-V']),
  ]);
  for (const r of [help, short, scanHelp, ver, shortVer]) {
    assert.equal(r.status, 0, describeRun(r));
    assert.equal(r.stderr, '');
  }
  assert.match(help.stdout, /^Usage: apprights /m);
  assert.match(help.stdout, /^ {2}scan \[options\] <file>/m);
  assert.match(help.stdout, /^ {2}verify \[options\] <files\.\.\.>/m);
  assert.equal(short.stdout, help.stdout);
  for (const option of ['--format', '--output', '--lang', '--no-progress', '--keep-going']) {
    assert.ok(scanHelp.stdout.includes(option), `scan --help mentions ${option}`);
  }
  assert.equal(ver.stdout, `${version}\n`);
  assert.equal(shortVer.stdout, ver.stdout);
});

test('mistakes on the command line exit 2 with a message on stderr', async () => {
  const cases: [string[], RegExp][] = [
    [[], /Usage: apprights/],
    [['scan'], /missing required argument 'file'/],
    [['verify'], /missing required argument 'files'/],
    [['scan', '--bogus', 'x.apk'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['scan', 'x.apk', '--format', 'pdf'], /argument 'pdf' is invalid/],
    [['scan', 'x.apk', '--lang', 'fr'], /argument 'fr' is invalid/],
    [['verify', 'x.apk', '--format', 'md'], /argument 'md' is invalid/],
    [['scan', 'a.apk', 'b.apk'], /too many arguments/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCliAsync(args)));
  runs.forEach((r, i) => {
    const [args, message] = cases[i]!;
    const what = `apprights ${args.join(' ')}`;
    assert.equal(r.status, 2, `${what}: ${describeRun(r)}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stdout, '', `${what}: stdout stays clean for pipes`);
    assertNoStack(r.stderr);
  });
});

test('--min-sdk takes a positive whole number', async () => {
  const runs = await Promise.all(['x', '2.5'].map((v) => runCliAsync(['verify', '--min-sdk', v, 'x.apk'])));
  for (const r of runs) {
    assert.equal(r.status, 2, describeRun(r));
    assert.match(r.stderr, /--min-sdk/, 'the message says what is wrong');
    assertNoStack(r.stderr);
  }
});
