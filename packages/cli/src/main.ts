import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from './exit-codes.js';
import { detectLang, t, type Lang } from './i18n.js';
import type { Severity } from '@apprights/rules';
import type { ScanFormat } from './commands/scan.js';
import type { DiffFormat } from './commands/diff.js';
import type { PolicyReportFormat } from './commands/policy.js';
import type { DraftFormat } from '@apprights/report';
import type { TraceReportFormat } from './commands/trace.js';
import type { RecordCommandOptions } from './commands/record.js';
import type { ExploreCommandOptions } from './commands/explore.js';
import type { AdminUserFlags } from './commands/platform.js';
import type { ConfigFlags } from '@apprights/server';
import { EnvironmentError, UsageError } from './errors.js';
import { Stats } from './stats.js';
import { OutputError } from './output.js';
import { packageVersion } from './package-root.js';
import {
  ADMIN_HELP,
  CALENDAR_HELP,
  DIFF_HELP,
  EXPLORE_HELP,
  MIGRATE_HELP,
  LISTING_DRAFT_HELP,
  POLICY_DRAFT_HELP,
  POLICY_HELP,
  RECORD_HELP,
  SCAN_HELP,
  SERVE_HELP,
  TRACE_HELP,
  VERIFY_HELP,
  WORKER_HELP,
} from './help.js';

// Each command's code is imported when the command runs (in the bundle, its modules initialise then), so
// `--version`, `--help`, `sdk` and `measures` never initialise the package readers.

/** The SDK catalogue's categories (the knowledge package's SDK_CATEGORIES; a test keeps them equal). */
export const SDK_CATEGORY_CHOICES = [
  'push',
  'analytics',
  'crash',
  'ads',
  'maps-location',
  'payment',
  'social',
  'login',
  'device-id',
  'risk-control',
  'im-rtc',
  'hot-update',
  'cloud-storage',
  'customer-service',
  'media',
  'other',
  'open-source-library',
] as const;

/** `--config FILE` / `--no-config` arrive as one commander option: a path, false, or absent. */
type CheckFlags = { appType?: string; storeListing?: string; config?: string | false; failOn?: Severity | 'none' };

const checkOptions = {
  appType: () =>
    new Option(
      '--app-type <type>',
      "the app's CAC 2021 type (id or number 1-39) for the necessary-PI checks / 应用类型（39 类之一，id 或编号）",
    ),
  storeListing: () =>
    new Option(
      '--store-listing <file>',
      'the store page as JSON ({"appType", "name", "developer", "url"}; appType as id, number or name) / 应用商店页面信息（JSON）',
    ),
  config: () => new Option('-c, --config <file>', 'rule settings and suppressions (default: ./apprights.config.json) / 规则配置文件'),
  noConfig: () => new Option('--no-config', 'ignore ./apprights.config.json / 不读取配置文件'),
  failOn: () =>
    new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe / 存在该级别及以上问题时退出码为 1').choices([
      'high',
      'medium',
      'low',
      'none',
    ]),
};

/** A positive number from the command line, or a usage error naming the option (exit 2). */
function positive(option: string, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new CommanderError(
        ExitCode.usage,
        'commander.invalidArgument',
        `${option} takes a positive ${integer ? 'whole ' : ''}number, not ${value} / ${option} 须为正${integer ? '整' : ''}数`,
      );
    return n;
  };
}

const policyOptions = {
  timeout: (flag: string) =>
    new Option(
      `${flag} <seconds>`,
      'give up on a policy URL after this long (default 20) / 读取隐私政策网址的超时秒数（默认 20）',
    ).argParser(positive(flag, false)),
  maxSize: (flag: string) =>
    new Option(`${flag} <bytes>`, 'largest policy read, file or URL (default 4194304) / 隐私政策大小上限（字节，默认 4 MiB）').argParser(
      positive(flag, true),
    ),
};

const runtimeOptions = {
  trace: () => new Option('--trace <file>', 'check a runtime trace (JSON Lines) with the package / 同时检测运行时行为记录（JSON Lines）'),
  ui: () => new Option('--ui <dir>', 'UI snapshots: uiautomator XML dumps or JSON trees / 界面快照目录（uiautomator XML 或 JSON）'),
};

/** `--fix-manifest` and `--manifest-source` name one file; the other manifest flags need one of them. */
function checkManifestFlags(
  options: { manifestSource?: string; fixManifest?: string; fixManifestOut?: string; namespace?: string },
  lang: Lang,
): void {
  const { manifestSource, fixManifest } = options;
  if (manifestSource !== undefined && fixManifest !== undefined && manifestSource !== fixManifest)
    throw new UsageError(
      lang === 'zh'
        ? '--manifest-source 与 --fix-manifest 须指向同一文件（--fix-manifest 已包含 --manifest-source）'
        : '--manifest-source and --fix-manifest must name the same file (--fix-manifest implies --manifest-source)',
    );
  for (const flag of ['fixManifestOut', 'namespace'] as const) {
    if (options[flag] === undefined) continue;
    const name = flag === 'namespace' ? '--namespace' : '--fix-manifest-out';
    const needs = flag === 'namespace' ? '--manifest-source or --fix-manifest' : '--fix-manifest';
    if (flag === 'namespace' ? manifestSource === undefined && fixManifest === undefined : fixManifest === undefined)
      throw new UsageError(lang === 'zh' ? `${name} 需与 ${needs.replace(' or ', ' 或 ')} 一起使用` : `${name} needs ${needs}`);
  }
  if (options.namespace !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(options.namespace))
    throw new UsageError(
      lang === 'zh'
        ? `--namespace 须为 Java 包名（如 com.example.app），而非 ${options.namespace}`
        : `--namespace takes a Java package name (com.example.app), not ${options.namespace}`,
    );
}

/** The file a command is working on, so error messages can name it. */
const currentFile: { value: string | undefined } = { value: undefined };

function buildProgram(setExit: (code: number) => void, stats: Stats, lang: Lang): Command {
  const program = new Command();
  program
    .name('apprights')
    .description(
      'AppRights: read Android apps and SDKs to check them against the MIIT 2023 notice (工信部信管函〔2023〕26号)\n' +
        'AppRights：读取安卓应用与 SDK，依据工信部 26 号文等规定进行检测',
    )
    .version(packageVersion, '-V, --version', 'print the version / 显示版本')
    .helpOption('-h, --help', 'show help / 显示帮助')
    .addHelpCommand(false)
    .exitOverride();

  const langOption = () => new Option('--lang <lang>', 'language of terminal text / 终端文字语言').choices(['en', 'zh']);
  /** The terminal text of a report: everything or the summary, coloured or not. */
  const textFlags = (command: Command) =>
    command
      .option('--verbose', 'text: list every finding, rule outcome and package fact / 文本：逐条列出全部问题、规则与安装包信息')
      .option('--no-color', 'text: no colours (also NO_COLOR=1; never coloured when not a terminal) / 不使用颜色');

  /** What scan and diff share: how packages are read and checked, and how text is shown. */
  const readingOptions = (command: Command, lang: Option = langOption()) =>
    command
      .option('-o, --output <file>', 'write the result to a file instead of stdout / 将结果写入文件')
      .addOption(lang)
      .option('--no-progress', 'do not draw the progress line / 不显示进度')
      .option('--keep-going', 'report unreadable parts as problems instead of stopping / 遇到无法读取的部分时记录问题并继续')
      .addOption(checkOptions.appType())
      .addOption(checkOptions.storeListing())
      .addOption(checkOptions.config())
      .addOption(checkOptions.noConfig());

  textFlags(
    readingOptions(
      program
        .command('scan')
        .description('read an APK, JAR or AAR and report what is inside / 读取 APK、JAR 或 AAR 并报告其内容')
        .argument('<file>', 'the APK, JAR or AAR file / 要扫描的文件')
        .addOption(
          new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json', 'md', 'sarif', 'html']).default('text'),
        ),
    ),
  )
    .addOption(checkOptions.failOn())
    .option('--policy <file-or-url>', 'check the privacy policy (file or http(s) URL) with the package / 同时检测隐私政策（文件或网址）')
    .addOption(policyOptions.timeout('--policy-timeout'))
    .addOption(runtimeOptions.trace())
    .addOption(runtimeOptions.ui())
    .option(
      '--reachability',
      'say whether each sensitive API call is reachable from an entry point (a call graph; slower) / 分析敏感 API 调用能否从入口到达（构建调用图，较慢）',
    )
    .option(
      '--manifest-source <file>',
      "the app's source AndroidManifest.xml: fixes are located in it (JSON fix.patch, SARIF fixes) / 应用源码中的 AndroidManifest.xml：在其中定位修复",
    )
    .option(
      '--fix-manifest <file>',
      'write a fixed copy of this source manifest (never the APK) and print the diff / 生成修复后的源清单副本（不改动安装包）并输出差异',
    )
    .option(
      '--fix-manifest-out <file>',
      'where the fixed copy goes (default: FILE.fixed; never overwritten) / 修复后副本的路径（默认 FILE.fixed，不覆盖已有文件）',
    )
    .option(
      '--namespace <name>',
      "build.gradle's namespace, for a source manifest without a package attribute / build.gradle 中的 namespace（源清单无 package 属性时）",
    )
    .addHelpText('after', SCAN_HELP)
    .action(
      async (
        file: string,
        options: {
          format: ScanFormat;
          output?: string;
          lang?: string;
          progress: boolean;
          keepGoing?: boolean;
          policy?: string;
          policyTimeout?: number;
          trace?: string;
          ui?: string;
          reachability?: boolean;
          manifestSource?: string;
          fixManifest?: string;
          fixManifestOut?: string;
          namespace?: string;
          verbose?: boolean;
          color?: boolean;
        } & CheckFlags,
      ) => {
        const lang = detectLang(options.lang);
        checkManifestFlags(options, lang);
        if (options.ui !== undefined && options.trace === undefined)
          throw new UsageError(
            lang === 'zh'
              ? '--ui 需与 --trace 一起使用（界面快照属于一次运行记录）'
              : '--ui needs --trace (the snapshots belong to a recorded run)',
          );
        currentFile.value = file;
        setExit(await (await import('./commands/scan.js')).runScan(file, { ...options, lang, version: packageVersion, stats }));
      },
    );

  const policyCommand = program
    .command('policy')
    .description('read a privacy policy (file or URL), analyse it and check it / 读取、分析并检测隐私政策（文件或网址）')
    .argument('<file-or-url>', 'the policy: HTML, Markdown or text file, or an http(s) URL / 隐私政策文件或网址')
    .addOption(
      new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json', 'md', 'sarif', 'html']).default('text'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout / 将结果写入文件')
    .addOption(langOption())
    .option('--no-progress', 'do not draw the progress line / 不显示进度')
    .addOption(policyOptions.timeout('--timeout'))
    .addOption(policyOptions.maxSize('--max-size'))
    .addOption(checkOptions.appType())
    .addOption(checkOptions.storeListing())
    .addOption(checkOptions.config())
    .addOption(checkOptions.noConfig())
    .addOption(checkOptions.failOn())
    .option('--verbose', 'text: list every finding and rule outcome / 文本：逐条列出全部问题与规则')
    .option('--no-color', 'text: no colours (also NO_COLOR=1) / 不使用颜色')
    .addHelpText('after', POLICY_HELP)
    .action(
      async (
        input: string,
        options: {
          format: PolicyReportFormat;
          output?: string;
          lang?: string;
          progress: boolean;
          timeout?: number;
          maxSize?: number;
          verbose?: boolean;
          color?: boolean;
        } & CheckFlags,
      ) => {
        const lang = detectLang(options.lang);
        setExit(await (await import('./commands/policy.js')).runPolicy(input, { ...options, lang, version: packageVersion, stats }));
      },
    );

  /** The flags both drafts take, as commander gives them (the language not yet resolved). */
  type DraftFlags = { format: DraftFormat; output?: string; lang?: string; progress: boolean; keepGoing?: boolean } & CheckFlags;
  /** A draft command's action: the language resolved, the file named for errors, the command's module loaded when it runs. */
  const draftAction =
    <F extends DraftFlags>(
      run: (
        commands: typeof import('./commands/draft.js'),
        input: string,
        options: Omit<F, 'lang'> & { lang: Lang; version: string; stats: Stats },
      ) => Promise<number>,
    ) =>
    async (input: string, options: F) => {
      currentFile.value = input;
      const commands = await import('./commands/draft.js');
      setExit(await run(commands, input, { ...options, lang: detectLang(options.lang), version: packageVersion, stats }));
    };

  /** What both drafts share: output, language, format, how the package is read and the app type. */
  const draftOptions = (command: Command) =>
    readingOptions(
      command
        .argument('<input>', 'an APK, JAR or AAR, or a JSON report of apprights scan / 安装包，或 scan 输出的 JSON 报告')
        .addOption(new Option('-f, --format <format>', 'output format / 输出格式').choices(['md', 'html', 'json']).default('md')),
      new Option('--lang <lang>', 'language of the draft / 草稿语言').choices(['zh-CN', 'zh', 'en']),
    );

  // `policy draft` has options of the same names as `policy` (--format, --lang, --timeout): the
  // policy command's own options are read only before the subcommand's name (commander asks the
  // program for the same, which only the program's -V and -h notice).
  program.enablePositionalOptions();
  policyCommand.enablePositionalOptions();
  draftOptions(
    policyCommand
      .command('draft')
      .description(
        "draft the privacy policy's SDK, personal-information and permission lists from the app, or a gap report against the policy / 根据应用生成隐私政策的 SDK 目录、个人信息收集清单与权限说明，或与现有政策的差异报告",
      ),
  )
    .option('--policy <file-or-url>', 'the existing policy: write a gap report instead of a blank draft / 现有隐私政策：生成差异报告')
    .addOption(policyOptions.timeout('--timeout'))
    .addOption(policyOptions.maxSize('--max-size'))
    .addHelpText('after', POLICY_DRAFT_HELP)
    .action(draftAction<DraftFlags & { policy?: string; timeout?: number; maxSize?: number }>((c, input, o) => c.runPolicyDraft(input, o)));

  draftOptions(
    program
      .command('listing')
      .description('store-listing texts drafted from the app / 根据应用生成应用商店上架信息')
      .command('draft')
      .description(
        'fill the six listing elements the app determines and mark those a person must write / 填写由应用决定的上架六要素，并标出需人工填写的项',
      ),
  )
    .option('--privacy-policy <url>', "the privacy policy's web address for the listing / 隐私政策网址")
    .addHelpText('after', LISTING_DRAFT_HELP)
    .action(draftAction<DraftFlags & { privacyPolicy?: string }>((c, input, o) => c.runListingDraft(input, o)));

  program
    .command('trace')
    .description('check a runtime trace and UI snapshots / 检测运行时行为记录与界面快照')
    .argument('<file>', 'the trace: JSON Lines, one event per line / 运行时行为记录（JSON Lines）')
    .addOption(
      new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json', 'md', 'sarif', 'html']).default('text'),
    )
    .addOption(runtimeOptions.ui())
    .option('-o, --output <file>', 'write the result to a file instead of stdout / 将结果写入文件')
    .addOption(langOption())
    .option('--no-progress', 'do not draw the progress line / 不显示进度')
    .option('--keep-going', 'list unreadable trace lines in the report instead of stopping / 跳过无法读取的行并记入报告')
    .addOption(checkOptions.appType())
    .addOption(checkOptions.storeListing())
    .addOption(checkOptions.config())
    .addOption(checkOptions.noConfig())
    .addOption(checkOptions.failOn())
    .option('--verbose', 'text: list every finding and rule outcome / 文本：逐条列出全部问题与规则')
    .option('--no-color', 'text: no colours (also NO_COLOR=1) / 不使用颜色')
    .addHelpText('after', TRACE_HELP)
    .action(
      async (
        file: string,
        options: {
          format: TraceReportFormat;
          output?: string;
          lang?: string;
          progress: boolean;
          keepGoing?: boolean;
          ui?: string;
          verbose?: boolean;
          color?: boolean;
        } & CheckFlags,
      ) => {
        const lang = detectLang(options.lang);
        setExit(await (await import('./commands/trace.js')).runTrace(file, { ...options, lang, version: packageVersion, stats }));
      },
    );

  program
    .command('record')
    .description(
      'record an app on a phone or emulator into a runtime trace and UI snapshots / 在手机或模拟器上录制应用的运行时行为记录与界面快照',
    )
    .argument('<package>', 'the app to record, e.g. com.example.app (installed, not yet opened) / 要录制的应用包名')
    .option('--adb', 'record with adb: no root, no change to the app / 用 adb 录制（无需 root）')
    .option('--frida', 'record with a Frida agent: API calls with stacks (needs frida) / 用 Frida 录制（带调用栈）')
    .option('--device <serial>', 'the device, as adb devices lists it (default: the only one) / 设备序列号（adb devices）')
    .option('-o, --output <dir>', 'folder for trace.jsonl, ui/ and screenshots/ (default: record-PACKAGE-TIME) / 输出目录')
    .addOption(
      new Option('--duration <seconds>', 'how long to record after the launch (default 120) / 启动后录制时长（秒，默认 120）').argParser(
        positive('--duration', false),
      ),
    )
    .addOption(
      new Option(
        '--interval <seconds>',
        'adb: time between polls of the screen, logcat and AppOps (default 2, at least 0.2) / 轮询间隔（秒）',
      ).argParser(positive('--interval', false)),
    )
    .option('--auto-consent', "adb: tap the agree button of the app's privacy dialog (default) / 自动点击隐私弹窗的“同意”（默认）")
    .option('--no-auto-consent', 'adb: leave the privacy dialog to you / 不自动点击隐私弹窗')
    .addOption(
      new Option(
        '--auto-permission <answer>',
        'adb: answer system permission dialogs (default none: you do) / 自动回答系统权限弹窗',
      ).choices(['none', 'allow', 'deny']),
    )
    .option('--no-screenshots', 'adb: UI dumps only, no screenshots / 不截图')
    .option('--spawn', 'frida: start the app with the agent in it (default) / 由 Frida 启动应用')
    .option('--attach', 'frida: attach to the running app / 附加到正在运行的应用')
    .addOption(langOption())
    .option('--no-progress', 'do not print progress on stderr / 不显示进度')
    .option('--analyse', 'check the trace right away, as apprights trace does / 录制后立即检测')
    .addOption(new Option('--analyze').hideHelp())
    .addHelpText('after', RECORD_HELP)
    .action(
      async (
        pkg: string,
        // The command's own options, as commander gives them (language not yet resolved; "analyze" spelt either way).
        options: Omit<RecordCommandOptions, 'lang' | 'version' | 'stats' | 'given'> & { lang?: string; analyze?: boolean },
        command: Command,
      ) => {
        const lang = detectLang(options.lang);
        const given = new Set(Object.keys(options).filter((key) => command.getOptionValueSource(key) === 'cli'));
        setExit(
          await (
            await import('./commands/record.js')
          ).runRecord(pkg, {
            ...options,
            analyse: options.analyse === true || options.analyze === true,
            lang,
            version: packageVersion,
            stats,
            given,
          }),
        );
      },
    );

  program
    .command('explore')
    .description(
      'drive an app through fixed consent, refusal, permission, background and walk scenarios, one trace each / 自动探索：按固定场景（拒绝、同意、权限、后台、遍历）驱动应用并逐场景录制',
    )
    .argument('<package>', 'the app to explore, e.g. com.example.app (installed) / 要探索的应用包名（已安装）')
    .option('--adb', 'explore with adb: no root, no change to the app / 用 adb 探索（无需 root）')
    .option(
      '--frida',
      'with --adb: attach the Frida recorder after every launch (API calls with stacks → SDKs; needs frida and frida-server) / 每次启动后附加 Frida 记录器（带调用栈，归属到 SDK）',
    )
    .option('--device <serial>', 'the device, as adb devices lists it (default: the only one) / 设备序列号（adb devices）')
    .option('-o, --output <dir>', 'folder for one sub-folder per scenario (default: explore-PACKAGE-TIME) / 输出目录（每个场景一个子目录）')
    .option('--scenarios <list>', 'which scenarios, by letter or name: a,b,c,d,e,f (default all) / 要运行的场景（字母或名称，默认全部）')
    .addOption(
      new Option(
        '--observe <seconds>',
        'how long each scenario watches the app after its dialogs (default 10) / 每个场景处理完弹窗后的观察时长（秒）',
      ).argParser(positive('--observe', false)),
    )
    .addOption(
      new Option('--background <seconds>', 'scenario d: time in the background (default 60) / 场景 d：在后台停留的时长（秒）').argParser(
        positive('--background', false),
      ),
    )
    .addOption(
      new Option(
        '--window-timeout <seconds>',
        'wait for the first window after a launch (default 20) / 启动后等待应用窗口的时长（秒）',
      ).argParser(positive('--window-timeout', false)),
    )
    .addOption(
      new Option('--walk-depth <n>', 'scenario f: screens deep (default 3) / 场景 f：遍历深度').argParser(positive('--walk-depth', true)),
    )
    .addOption(
      new Option('--walk-taps <n>', 'scenario f: taps in all (default 60) / 场景 f：点击总数上限').argParser(positive('--walk-taps', true)),
    )
    .addOption(
      new Option('--walk-time <seconds>', 'scenario f: time limit (default 300) / 场景 f：时间上限（秒）').argParser(
        positive('--walk-time', false),
      ),
    )
    .option('--deny <words>', 'scenario f: more words never to tap, comma-separated / 场景 f：另外禁止点击的词（逗号分隔）')
    .option('--analyse', 'check every scenario and merge the findings into OUTDIR/report.json and report.md / 检测各场景并合并为一份报告')
    .addOption(new Option('--analyze').hideHelp())
    .addOption(checkOptions.config())
    .addOption(checkOptions.noConfig())
    .addOption(checkOptions.failOn())
    .addOption(langOption())
    .option('--no-progress', 'do not print progress on stderr / 不显示进度')
    .addHelpText('after', EXPLORE_HELP)
    .action(
      async (pkg: string, options: Omit<ExploreCommandOptions, 'lang' | 'version'> & { lang?: string; analyze?: boolean } & CheckFlags) => {
        const lang = detectLang(options.lang);
        setExit(
          await (
            await import('./commands/explore.js')
          ).runExplore(pkg, { ...options, analyse: options.analyse === true || options.analyze === true, lang, version: packageVersion }),
        );
      },
    );

  program
    .command('verify')
    .description('verify APK signatures (v1, v2, v3, v3.1) like apksigner / 校验 APK 签名（v1–v3.1），与 apksigner 一致')
    .argument('<files...>', 'APK files / APK 文件')
    .addOption(new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json']).default('text'))
    .option('--min-sdk <level>', 'minSdkVersion to verify for (default: from the manifest) / 指定最低 SDK 版本', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new CommanderError(ExitCode.usage, 'commander.invalidArgument', `--min-sdk takes a positive whole number, not ${v}`);
      return n;
    })
    .option('-o, --output <file>', 'write the result to a file instead of stdout / 将结果写入文件')
    .addOption(langOption())
    .addHelpText('after', VERIFY_HELP)
    .action(async (files: string[], options: { format: 'text' | 'json'; minSdk?: number; output?: string; lang?: string }) => {
      const lang = detectLang(options.lang);
      setExit((await import('./commands/verify.js')).runVerify(files, { ...options, lang }));
    });

  readingOptions(
    program
      .command('diff')
      .description('compare two versions of an app and list what changed / 对比应用的两个版本，列出变化')
      .argument('<old>', 'the earlier version: APK, JAR, AAR or a scan JSON report / 旧版本（安装包或 JSON 报告）')
      .argument('<new>', 'the later version: APK, JAR, AAR or a scan JSON report / 新版本（安装包或 JSON 报告）')
      .addOption(new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json', 'md']).default('text')),
  )
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit 1 on a gating change (default) or on any change at least this severe / 出现需拦截的变化（默认）或该级别及以上变化时退出码为 1',
      )
        .choices(['gating', 'high', 'medium', 'low', 'info', 'none'])
        .default('gating'),
    )
    .addHelpText('after', DIFF_HELP)
    .action(
      async (
        oldFile: string,
        newFile: string,
        options: {
          format: DiffFormat;
          output?: string;
          lang?: string;
          progress: boolean;
          keepGoing?: boolean;
          appType?: string;
          storeListing?: string;
          config?: string | false;
          failOn: Severity | 'gating' | 'none';
        },
      ) => {
        const lang = detectLang(options.lang);
        setExit(await (await import('./commands/diff.js')).runDiff(oldFile, newFile, { ...options, lang, version: packageVersion, stats }));
      },
    );

  const formatOption = () => new Option('-f, --format <format>', 'output format / 输出格式').choices(['text', 'json']).default('text');
  const rules = program
    .command('rules')
    .description('the rules scan runs, with the measures they serve / 扫描所用的检测规则及其对应措施')
    .helpOption('-h, --help', 'show help / 显示帮助')
    .addHelpCommand(false);
  rules
    .command('list')
    .description('list the rules / 列出规则')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (options: { format: 'text' | 'json'; lang?: string }) => {
      setExit((await import('./commands/rules.js')).runRulesList({ format: options.format, lang: detectLang(options.lang) }));
    });
  rules
    .command('show')
    .description('what a rule checks, why, and how to fix it / 规则检查的内容、原因与整改方法')
    .argument('<id>', 'the rule id, as in reports / 规则 id')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (id: string, options: { format: 'text' | 'json'; lang?: string }) => {
      setExit((await import('./commands/rules.js')).runRuleShow(id, { format: options.format, lang: detectLang(options.lang) }));
    });
  program
    .command('measures')
    .description('the 26 measures of the 2023 notice, with their sources and rules / 26 条措施及其出处与规则')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (options: { format: 'text' | 'json'; lang?: string }) => {
      setExit((await import('./commands/rules.js')).runMeasures({ format: options.format, lang: detectLang(options.lang) }));
    });

  const sdk = program
    .command('sdk')
    .description('the third-party SDK catalogue used by scan / 扫描所用的第三方 SDK 目录')
    .helpOption('-h, --help', 'show help / 显示帮助')
    .addHelpCommand(false);
  sdk
    .command('list')
    .description('list the catalogue / 列出目录')
    .addOption(new Option('--category <category>', 'only this category / 仅此类别').choices([...SDK_CATEGORY_CHOICES]))
    .addOption(new Option('--region <region>', 'only Chinese or global SDKs / 仅国内或国际 SDK').choices(['cn', 'global']))
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (options: { category?: string; region?: 'cn' | 'global'; format: 'text' | 'json'; lang?: string }) => {
      setExit((await import('./commands/sdk.js')).runSdkList({ ...options, lang: detectLang(options.lang) }));
    });
  sdk
    .command('show')
    .description('show one catalogue entry with its sources / 显示单个条目及其来源')
    .argument('<id>', 'the SDK id, as in scan reports / SDK id')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (id: string, options: { format: 'text' | 'json'; lang?: string }) => {
      setExit((await import('./commands/sdk.js')).runSdkShow(id, { format: options.format, lang: detectLang(options.lang) }));
    });
  sdk
    .command('validate')
    .description(
      'check the catalogue files: errors exit 1; review warnings (shared links, copied PI lists, old or unseen entries) exit 0 unless --strict / 校验目录文件：有错误时退出码为 1；审核提示（共用链接、雷同的个人信息清单、过期或未见条目）除非 --strict 否则退出码为 0',
    )
    .option(
      '--sources-before <date>',
      'warn about entries whose sources were last checked before YYYY-MM-DD / 提示来源核验日期早于该日期的条目',
    )
    .option(
      '--corpus <paths...>',
      'APK/JAR/AAR files or folders: warn about entries no binary confirms / 提示在这些二进制文件中从未检出的条目',
    )
    .option('--strict', 'review warnings fail too / 审核提示也视为失败')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (options: { format: 'text' | 'json'; lang?: string; sourcesBefore?: string; corpus?: string[]; strict?: boolean }) => {
      setExit(
        (await import('./commands/sdk.js')).runSdkValidate({
          format: options.format,
          lang: detectLang(options.lang),
          ...(options.sourcesBefore !== undefined ? { sourcesBefore: options.sourcesBefore } : {}),
          ...(options.corpus ? { corpus: options.corpus } : {}),
          ...(options.strict ? { strict: true } : {}),
        }),
      );
    });
  // The platform: a service over the engine (packages/server), loaded only by these commands.
  const serverFlags = (command: Command) =>
    command
      .option('--data <dir>', 'data folder: apprights.db and blobs/ (default ./ar-data; APPRIGHTS_DATA) / 数据目录')
      .addOption(langOption());
  const listenFlags = (command: Command) =>
    command
      .option('--host <host>', 'address to listen on (default 127.0.0.1; APPRIGHTS_HOST) / 监听地址')
      .option('--port <port>', 'port (default 8080; APPRIGHTS_PORT) / 端口', positive('--port', true))
      .option('--max-upload <size>', 'upload cap, e.g. 1GiB (default; APPRIGHTS_MAX_UPLOAD) / 上传大小上限')
      .option('--allow-private-fetch', 'fetch-policy jobs may fetch private and loopback addresses / 允许抓取内网地址');
  const workerFlags = (command: Command) =>
    command
      .option('--concurrency <n>', 'worker processes (default 2; APPRIGHTS_WORKERS) / 工作进程数', positive('--concurrency', true))
      .option('--job-timeout <seconds>', 'wall clock per job (default 600) / 单个任务时限（秒）', positive('--job-timeout', true))
      .option(
        '--memory-limit <MiB>',
        'memory cap per worker process (default 1024) / 单个工作进程内存上限（MiB）',
        positive('--memory-limit', true),
      );
  serverFlags(workerFlags(listenFlags(program.command('serve'))))
    .description('run the platform: REST API, jobs and workers (embedded SQLite by default) / 运行平台服务（默认内置 SQLite）')
    .option('--no-workers', 'serve the API only; workers run as `apprights worker` elsewhere / 仅提供 API，不运行工作进程')
    .option(
      '--demo',
      'create one account per actor (store, developer, vendor, regulator, provider) with new passwords and tokens, printed once, then demo data for each (once per data folder) / 为每类角色创建演示账号（新密码和令牌仅输出一次），并为各角色生成演示数据（每个数据目录一次）',
    )
    .addHelpText('after', SERVE_HELP)
    .action(async (options: ConfigFlags & { lang?: string; demo?: boolean }) => {
      setExit(await (await import('./commands/platform.js')).runServe({ ...options, lang: detectLang(options.lang) }));
    });
  serverFlags(workerFlags(program.command('worker')))
    .description('take jobs from a PostgreSQL deployment (APPRIGHTS_DATABASE_URL) / 从 PostgreSQL 部署中领取并执行任务')
    .addHelpText('after', WORKER_HELP)
    .action(async (options: ConfigFlags & { lang?: string }) => {
      setExit(await (await import('./commands/platform.js')).runWorker({ ...options, lang: detectLang(options.lang) }));
    });
  serverFlags(program.command('migrate'))
    .description('create or update the database schema / 创建或升级数据库结构')
    .addHelpText('after', MIGRATE_HELP)
    .action(async (options: ConfigFlags & { lang?: string }) => {
      setExit(await (await import('./commands/platform.js')).runMigrate({ ...options, lang: detectLang(options.lang) }));
    });
  const admin = program.command('admin').description('platform administration without the API / 平台管理（无需 API）');
  serverFlags(admin.command('create-user'))
    .description('create a user (and its organisation when new) / 创建用户（组织不存在时一并创建）')
    .requiredOption('--org <slug>', 'organisation slug / 组织标识')
    .addOption(
      new Option('--org-kind <kind>', 'kind of a new organisation (default from the role) / 新组织类型').choices([
        'platform',
        'store',
        'developer',
        'sdk-vendor',
        'regulator',
        'access-provider',
      ]),
    )
    .addOption(
      new Option('--role <role>', 'role in the organisation / 角色')
        .choices(['platform-admin', 'store-admin', 'store-reviewer', 'developer', 'sdk-vendor', 'regulator', 'access-provider'])
        .makeOptionMandatory(),
    )
    .option('--login <name>', 'login name (default: ROLE@ORG) / 登录名')
    .option('--password-stdin', 'read a console password from standard input / 从标准输入读取密码')
    .option('--print-token', 'create an API token and print it once on standard output / 创建 API 令牌并输出（仅此一次）')
    .option('--token-days <days>', 'token lifetime in days (default 90) / 令牌有效天数', positive('--token-days', true))
    .addHelpText('after', ADMIN_HELP)
    .action(async (options: Omit<AdminUserFlags, 'lang'> & { lang?: string }) => {
      setExit(await (await import('./commands/platform.js')).runAdminCreateUser({ ...options, lang: detectLang(options.lang) }));
    });
  serverFlags(admin.command('revoke-token'))
    .description('revoke an API token by its id or visible prefix / 吊销 API 令牌')
    .argument('<token>', 'token id or prefix (ar_…) / 令牌 ID 或前缀')
    .action(async (token: string, options: ConfigFlags & { lang?: string }) => {
      setExit(await (await import('./commands/platform.js')).runAdminRevokeToken({ ...options, token, lang: detectLang(options.lang) }));
    });
  const calendar = admin.command('calendar').description('the working-day calendar behind every deadline / 所有时限所依据的工作日历');
  serverFlags(calendar.command('import'))
    .description(
      "add or replace one year's State Council holiday arrangement from a JSON file / 从 JSON 文件添加或替换某一年的国务院节假日安排",
    )
    .argument(
      '<file>',
      'JSON: {year, sources: [{title, document, date, url}], holidays: [{name, from, to}], workdays: [{date, for}]} / JSON 文件',
    )
    .addHelpText('after', CALENDAR_HELP)
    .action(async (file: string, options: ConfigFlags & { lang?: string }) => {
      setExit(await (await import('./commands/platform.js')).runAdminCalendarImport({ ...options, file, lang: detectLang(options.lang) }));
    });
  usageErrors(program, lang);
  return program;
}

/** `apprights rules list`: the command's full name, for its usage line. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * A mistake on the command line gets one message in AppRights' own form, the usage line of the
 * command it was made in, and where the rest is: not the whole help, which buries the message.
 */
function usageErrors(command: Command, lang: Lang): void {
  command.configureOutput({
    outputError: (text, write) => {
      const message = text.trim().replace(/^error: /, '');
      const usage = `${commandPath(command)} ${command.usage()}`;
      write(
        `apprights: ${t(lang, 'errorPrefix')}: ${message}\n` +
          `${lang === 'zh' ? '用法' : 'Usage'}: ${usage}\n` +
          (lang === 'zh' ? `查看全部选项：${commandPath(command)} --help\n` : `See ${commandPath(command)} --help for all options.\n`),
      );
    },
  });
  for (const sub of command.commands) usageErrors(sub, lang);
}

/** Runs the CLI and returns its exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const stats = new Stats(process.env.APPRIGHTS_STATS === '1');
  const langArg =
    argv.find((a) => a.startsWith('--lang='))?.slice('--lang='.length) ??
    (argv.includes('--lang') ? argv[argv.indexOf('--lang') + 1] : undefined);
  const lang = detectLang(langArg);
  const program = buildProgram((code) => (exitCode = code), stats, lang);
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (argv.length === 0) {
      program.outputHelp();
      exitCode = ExitCode.usage;
    }
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else if (isEngineError(error)) {
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${engineMessage(error, lang)}\n`);
      exitCode = error.kind === 'input' && USAGE_CODES.has(error.code) ? ExitCode.usage : ExitCode.badInput;
    } else if (isNamed(error, 'ApkFormatError')) {
      // I/O messages already name the path; format errors get the file they concern.
      const where = (error as { code?: string }).code === 'io' || !currentFile.value ? '' : `${currentFile.value}: `;
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${where}${error.message}\n`);
      exitCode = ExitCode.badInput;
    } else if (isNamed(error, 'PolicyInputError') || isNamed(error, 'TraceInputError') || isNamed(error, 'CalendarDataError')) {
      // The message names the file or URL, and the line when one line of a trace is the problem.
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${error.message}\n`);
      exitCode = ExitCode.badInput;
    } else if (error instanceof EnvironmentError) {
      // adb or frida missing, no device, the app not installed: the message says what to do.
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${error.message}\n`);
      exitCode = ExitCode.environment;
    } else if (isNamed(error, 'AdminError')) {
      // The platform's admin commands: a bad value is a usage error; an existing login or an unknown
      // token is the command's "no" (exit 1). The message is bilingual already.
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${error.message}\n`);
      exitCode = (error as { code?: string }).code === 'bad-request' ? ExitCode.usage : ExitCode.failed;
    } else if (error instanceof UsageError || isNamed(error, 'ConfigError')) {
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${error.message}\n`);
      exitCode = ExitCode.usage;
    } else if (error instanceof OutputError) {
      process.stderr.write(`apprights: ${t(lang, 'errorPrefix')}: ${error.message}\n`);
      exitCode = ExitCode.cannotWrite;
    } else {
      process.stderr.write(`apprights: ${t(lang, 'internalError')}: ${(error as Error)?.message ?? String(error)}\n`);
      if (process.env.APPRIGHTS_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
      exitCode = ExitCode.internal;
    }
  }
  stats.print();
  return exitCode;
}

/** Engine input errors that are the command line's or the configuration's fault: exit 2, not 3. */
const USAGE_CODES = new Set(['config', 'app-type', 'store-listing']);

interface EngineErrorLike extends Error {
  kind: 'input' | 'limit' | 'abort';
  code: string;
  text: Record<Lang, string>;
  subject?: string;
}

/**
 * The engine's typed errors, told apart by shape rather than class so that this module imports
 * none of the engine (a command loads it when it runs).
 */
function isEngineError(error: unknown): error is EngineErrorLike {
  return (
    error instanceof Error &&
    ['InputError', 'LimitError', 'AbortError'].includes(error.name) &&
    typeof (error as EngineErrorLike).code === 'string' &&
    typeof (error as EngineErrorLike).text === 'object'
  );
}

function isNamed(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

/** The message in the user's language, naming the file it concerns when the reader's message does not. */
function engineMessage(error: EngineErrorLike, lang: Lang): string {
  const text = error.text[lang];
  const subject = error.subject;
  if (subject === undefined || error.code === 'io' || text.includes(subject)) return text;
  return `${subject}: ${text}`;
}
