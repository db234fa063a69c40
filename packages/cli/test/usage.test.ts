/**
 * The command line itself: help, version, and exit code 2 for every mistake in the arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoStack, describeRun, repoRoot, runCli, runCliAsync } from './helpers.js';

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

test('rules and measures: list, show and the 26 measures, in text and JSON', () => {
  const list = runCli(['rules', 'list', '--format', 'json']);
  assert.equal(list.status, 0, describeRun(list));
  const rules = JSON.parse(list.stdout) as { id: string; measures: string[]; title: { zh: string; en: string } }[];
  assert.ok(rules.length >= 14);
  assert.ok(rules.every((r) => r.measures.length > 0 && r.title.zh && r.title.en));
  const show = runCli(['rules', 'show', 'self-start-receivers', '--lang', 'zh']);
  assert.equal(show.status, 0);
  assert.match(show.stdout, /^self-start-receivers — /);
  assert.match(show.stdout, /整改/);
  const unknown = runCli(['rules', 'show', 'no-such-rule']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no rule with this id: no-such-rule/);
  const measures = runCli(['measures', '--format', 'json']);
  assert.equal(measures.status, 0);
  const parsed = JSON.parse(measures.stdout) as {
    version: number;
    measures: { id: string; rules: string[]; assessment: string; title: { zh: string } }[];
  };
  assert.equal(parsed.measures.length, 26);
  assert.equal(parsed.version, 2);
  assert.equal(parsed.measures[16]!.title.zh, '强化在架APP巡查');
  assert.equal(parsed.measures[16]!.assessment, 'platform');
  const text = runCli(['measures']);
  assert.match(
    text.stdout,
    /^Measure catalogue version 2\. \d+\/26 measures have an automated rule; 6 are platform-checked and 5 organisational/m,
  );
  assert.match(text.stdout, /^17 +Patrolling listed apps +platform-checked +C +store\+org\+apk +dynamic-code-loading$/m);
  const zh = runCli(['measures', '--lang', 'zh']);
  assert.match(zh.stdout, /^21 +加强服务协同 +管理类 /m);
});

test('a usage error: "apprights:" first, then the usage line of the command, never the whole help', async () => {
  const [scan, show, zh] = await Promise.all([
    runCliAsync(['scan', 'x.apk', '--format', 'pdf']),
    runCliAsync(['rules', 'show']),
    runCliAsync(['scan', '--lang', 'zh']),
  ]);
  for (const r of [scan, show, zh]) {
    assert.equal(r.status, 2, describeRun(r));
    assert.match(r.stderr, /^apprights: /);
    assert.doesNotMatch(r.stderr, /Options:|--keep-going|Exit codes/, 'not the whole help');
  }
  assert.match(scan.stderr, /^apprights: error: option '-f, --format <format>' argument 'pdf' is invalid/);
  assert.match(scan.stderr, /^Usage: apprights scan \[options\] <file>$/m);
  assert.match(show.stderr, /^Usage: apprights rules show \[options\] <id>$/m);
  assert.match(zh.stderr, /^apprights: 错误: missing required argument 'file'\n用法: apprights scan \[options\] <file>\n/);
});

test('every command that reports has the exit-code and example footer in its help, verify too', async () => {
  const helps = await Promise.all(
    ['scan', 'policy', 'trace', 'record', 'explore', 'diff', 'verify'].map((c) => runCliAsync([c, '--help'])),
  );
  for (const r of helps) {
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.stdout, /^Exit codes \/ 退出码: 0 /m);
    assert.match(r.stdout, /^Example \/ 示例: apprights /m);
  }
});
