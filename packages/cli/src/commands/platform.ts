// `apprights serve | worker | migrate | admin`: the platform's processes. All the work is in
// @apprights/server (loaded only when one of these commands runs: it holds the database drivers and
// the HTTP stack, which no scan needs); this module turns flags into its settings, prints what a
// person starting a service wants to see, and waits for a signal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigFlags } from '@apprights/server';
import type { Lang } from '@apprights/report/i18n';
import { ExitCode } from '../exit-codes.js';
import { EnvironmentError, UsageError } from '../errors.js';

type Server = typeof import('@apprights/server');

async function server(): Promise<Server> {
  return import('@apprights/server');
}

function say(lang: Lang, en: string, zh: string): void {
  process.stderr.write(`${lang === 'zh' ? zh : en}\n`);
}

/** Resolves on SIGINT/SIGTERM (the first one); a second signal exits at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A database that cannot be reached is the environment's problem (exit 5), named with the address. */
function environmentError(error: unknown): never {
  const e = error as NodeJS.ErrnoException;
  if (e && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '3D000', '28000'].includes(String(e.code)))
    throw new EnvironmentError(`cannot reach the database (${e.code}: ${e.message}) / 无法连接数据库`);
  throw error;
}

export async function runServe(flags: ConfigFlags & { lang: Lang; demo?: boolean }): Promise<number> {
  const { loadConfig, startServer, seedDemo, runDemoStory, findDemoApk } = await server();
  const config = loadConfig(flags);
  const running = await startServer(config).catch(environmentError);
  let story: Promise<void> | undefined;
  if (flags.demo) {
    const demo = await seedDemo(running.platform);
    // Standard output: the accounts (a script reads them); the same, readable by this user only, in the data folder.
    const path = join(running.dataDir, 'demo-accounts.json');
    writeFileSync(path, `${JSON.stringify({ url: running.url, accounts: demo.accounts }, null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(`${JSON.stringify({ url: running.url, accounts: demo.accounts })}\n`);
    say(
      flags.lang,
      `apprights serve --demo: ${demo.accounts.length} demo accounts (logins *@demo; passwords and tokens above and in ${path}); ${demo.summary.en}`,
      `apprights serve --demo：已创建 ${demo.accounts.length} 个演示账号（登录名 *@demo；密码和令牌见上方及 ${path}）；${demo.summary.zh}`,
    );
    // The story needs the listening server and its workers, so it runs beside serving, not before.
    const apk = findDemoApk([process.cwd()]);
    if (!apk)
      say(
        flags.lang,
        'apprights serve --demo: the android-apidemos package is not installed, so the demo has no app, campaign or bulletin',
        'apprights serve --demo：未安装 android-apidemos 包，演示数据中没有应用、专项检测和通报',
      );
    story = runDemoStory({
      url: running.url,
      accounts: demo.accounts,
      ...(apk ? { apk } : {}),
      onStep: (en, zh) => say(flags.lang, `demo: ${en}`, `演示：${zh}`),
    }).then(
      (told) => {
        if (!told.told) say(flags.lang, 'demo: this data folder already holds the demo story', '演示：此数据目录中已有演示数据');
      },
      (error: unknown) =>
        say(
          flags.lang,
          `demo: the story stopped (${error instanceof Error ? error.message : String(error)}); the server keeps serving`,
          `演示：演示数据未能全部生成（${error instanceof Error ? error.message : String(error)}）；服务继续运行`,
        ),
    );
  }
  const mode = config.databaseUrl ? 'PostgreSQL + pg-boss' : `SQLite ${running.dataDir}`;
  say(
    flags.lang,
    `apprights serve: listening on ${running.url} (${mode}; ${config.workers.concurrency} worker${config.workers.concurrency === 1 ? '' : 's'}). Ctrl-C stops.`,
    `apprights serve：正在监听 ${running.url}（${mode}；${config.workers.concurrency} 个工作进程）。按 Ctrl-C 停止。`,
  );
  await untilSignal();
  say(flags.lang, 'apprights serve: stopping (running jobs are handed back)…', 'apprights serve：正在停止（运行中的任务将交回队列）…');
  await running.close();
  await story;
  return ExitCode.ok;
}

export async function runWorker(flags: ConfigFlags & { lang: Lang }): Promise<number> {
  const { loadConfig, startWorkerNode } = await server();
  const config = loadConfig({ ...flags, workers: true });
  if (!config.databaseUrl)
    throw new UsageError(
      'apprights worker joins a PostgreSQL deployment: set APPRIGHTS_DATABASE_URL=postgres://… (the embedded mode runs its workers inside `apprights serve`) / 独立工作进程需设置 APPRIGHTS_DATABASE_URL（内置模式的工作进程在 serve 中运行）',
    );
  const running = await startWorkerNode(config).catch(environmentError);
  say(
    flags.lang,
    `apprights worker: ${config.workers.concurrency} worker process${config.workers.concurrency === 1 ? '' : 'es'} taking jobs. Ctrl-C stops.`,
    `apprights worker：${config.workers.concurrency} 个工作进程正在处理任务。按 Ctrl-C 停止。`,
  );
  await untilSignal();
  await running.close();
  return ExitCode.ok;
}

export async function runMigrate(flags: ConfigFlags & { lang: Lang }): Promise<number> {
  const { loadConfig, migrateDatabase } = await server();
  const config = loadConfig(flags);
  const applied = await migrateDatabase(config).catch(environmentError);
  say(
    flags.lang,
    applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date',
    applied.length ? `已执行迁移：${applied.join('、')}` : '数据库已是最新',
  );
  return ExitCode.ok;
}

export interface AdminUserFlags extends ConfigFlags {
  lang: Lang;
  org: string;
  orgKind?: string;
  role: string;
  login?: string;
  passwordStdin?: boolean;
  printToken?: boolean;
  tokenDays?: number;
}

async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new UsageError(`the password on standard input is longer than ${limit} bytes / 密码过长`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `admin create-user`: makes the organisation if needed, the user, and with --print-token an API token printed once. */
export async function runAdminCreateUser(flags: AdminUserFlags): Promise<number> {
  const { loadConfig, adminCreateUser } = await server();
  const config = loadConfig(flags);
  const password = flags.passwordStdin ? await readStdin(1024) : undefined;
  const result = await adminCreateUser(config, {
    org: flags.org,
    ...(flags.orgKind ? { orgKind: flags.orgKind } : {}),
    role: flags.role,
    ...(flags.login ? { login: flags.login } : {}),
    ...(password !== undefined ? { password } : {}),
    token: flags.printToken === true,
    ...(flags.tokenDays ? { tokenDays: flags.tokenDays } : {}),
  }).catch(environmentError);
  say(
    flags.lang,
    `user ${result.login} (${flags.role}) in organisation ${flags.org}${result.createdOrg ? ' (new)' : ''}`,
    `用户 ${result.login}（${flags.role}），所属组织 ${flags.org}${result.createdOrg ? '（新建）' : ''}`,
  );
  // The token goes to stdout alone (for $(…)); it is shown this once and stored only as a hash.
  if (result.token) process.stdout.write(`${result.token}\n`);
  return ExitCode.ok;
}

/** `admin revoke-token PREFIX_OR_ID`. */
export async function runAdminRevokeToken(flags: ConfigFlags & { lang: Lang; token: string }): Promise<number> {
  const { loadConfig, adminRevokeToken } = await server();
  const config = loadConfig(flags);
  const revoked = await adminRevokeToken(config, flags.token).catch(environmentError);
  say(
    flags.lang,
    revoked ? `revoked ${flags.token}` : `no such token: ${flags.token}`,
    revoked ? `已吊销 ${flags.token}` : `未找到令牌：${flags.token}`,
  );
  return revoked ? ExitCode.ok : ExitCode.failed;
}

/** `admin calendar import FILE`: adds or replaces one year of the working-day calendar. */
export async function runAdminCalendarImport(flags: ConfigFlags & { lang: Lang; file: string }): Promise<number> {
  const { loadConfig, adminImportCalendar } = await server();
  const config = loadConfig(flags);
  const result = await adminImportCalendar(config, flags.file).catch(environmentError);
  say(
    flags.lang,
    `calendar: ${result.year} ${result.replaced ? 'replaced' : 'added'}${result.shipped ? ' (overrides the shipped data)' : ''}; working days known through ${result.coveredThrough}`,
    `工作日历：${result.year} 年已${result.replaced ? '替换' : '添加'}${result.shipped ? '（覆盖随软件发布的数据）' : ''}；工作日数据覆盖至 ${result.coveredThrough}`,
  );
  return ExitCode.ok;
}
