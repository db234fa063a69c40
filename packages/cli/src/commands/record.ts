/**
 * `apprights record --adb|--frida [--device SERIAL] PACKAGE`: drives a phone or an emulator with a
 * recorder of `@apprights/recorder` and writes a runtime trace (OUTDIR/trace.jsonl) and UI snapshots
 * (OUTDIR/ui/) that `apprights trace` and `scan --trace` read.
 *
 * The adb recorder is bundled with the CLI (it has no dependencies beyond Node). The Frida recorder
 * needs the `frida` package, a native module: it is looked up only when `--frida` is given, and
 * never bundled (see scripts/bundle-cli.mjs).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdbError,
  RecorderControl,
  SpawnAdbRunner,
  isPackageName,
  recordWithAdb,
  type AdbRunner,
  type FridaRecordResult,
  type RecordResult,
  type RecordWithFridaOptions,
  DEVICE_SERIAL,
} from '@apprights/recorder';
import { loadKnowledge, sensitiveApis } from '@apprights/knowledge';
import { ExitCode } from '../exit-codes.js';
import type { Lang } from '@apprights/report';
import { OutputError } from '../output.js';
import type { Stats } from '../stats.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { runTrace } from './trace.js';

export interface RecordCommandOptions {
  adb?: boolean;
  frida?: boolean;
  device?: string;
  output?: string;
  /** Seconds. */
  duration?: number;
  /** Seconds. */
  interval?: number;
  autoConsent?: boolean;
  autoPermission?: 'none' | 'allow' | 'deny';
  screenshots?: boolean;
  spawn?: boolean;
  attach?: boolean;
  progress: boolean;
  analyse?: boolean;
  lang: Lang;
  version: string;
  stats: Stats;
  /** Options the user typed (not defaults), to refuse adb-only options with --frida and the reverse. */
  given: ReadonlySet<string>;
}

/** The ad SDKs' package prefixes from the catalogue: a screen showing their views gets role `ad`. */
export function adViewPrefixes(): { sdk: string; prefixes: readonly string[] }[] {
  return loadKnowledge()
    .sdks.entries.filter((sdk) => sdk.category === 'ads' && sdk.packages.length > 0)
    .map((sdk) => ({ sdk: sdk.id, prefixes: sdk.packages }));
}

const DEFAULT_DURATION_S = 120;
const DEFAULT_INTERVAL_S = 2;
/** The recorder's shortest poll interval. */
const MIN_INTERVAL_S = 0.2;

const ADB_ONLY = [
  ['interval', '--interval'],
  ['autoConsent', '--auto-consent / --no-auto-consent'],
  ['autoPermission', '--auto-permission'],
  ['screenshots', '--no-screenshots'],
] as const;
const FRIDA_ONLY = [
  ['spawn', '--spawn'],
  ['attach', '--attach'],
] as const;

function msg(lang: Lang, en: string, zh: string): string {
  return lang === 'zh' ? zh : en;
}

/** `record-com.example.app-20240105-101200` in the working directory. */
function defaultOutDir(pkg: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `record-${pkg}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Refuses an OUTDIR that already holds a recording: `trace --ui` would mix its old snapshots in. */
function refuseOldRecording(dir: string, lang: Lang): void {
  if (existsSync(join(dir, 'trace.jsonl')) || (existsSync(join(dir, 'ui')) && readdirSync(join(dir, 'ui')).length > 0))
    throw new UsageError(
      msg(
        lang,
        `${dir} already holds a recording (trace.jsonl or ui/): choose another -o folder or remove it`,
        `${dir} 中已有录制结果（trace.jsonl 或 ui/）：请用 -o 指定其他目录或先删除它`,
      ),
    );
}

/** Creates OUTDIR; returns whether it is new (then a recording that fails before writing its trace removes it again). */
function prepareOutDir(dir: string): boolean {
  const existed = existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(dir, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return !existed;
}

/** Checks the command line; returns the mode. Nothing has run yet when this throws. */
function checkArguments(pkg: string, options: RecordCommandOptions): 'adb' | 'frida' {
  const { lang } = options;
  if (options.adb === options.frida || (options.adb !== true && options.frida !== true))
    throw new UsageError(
      msg(
        lang,
        'choose one recorder: --adb (no root) or --frida (Frida agent, API calls with stacks)',
        '请选择一种录制方式：--adb（无需 root）或 --frida（Frida 注入，记录带调用栈的 API 调用）',
      ),
    );
  const mode = options.adb ? 'adb' : 'frida';
  if (!isPackageName(String(pkg)))
    throw new UsageError(
      msg(
        lang,
        `not an Android package name: ${JSON.stringify(pkg.slice(0, 100))} (expected e.g. com.example.app: letters, digits and _, at least two parts)`,
        `不是安卓包名：${JSON.stringify(pkg.slice(0, 100))}（应形如 com.example.app：字母、数字和下划线，至少两段）`,
      ),
    );
  if (options.device !== undefined && !DEVICE_SERIAL.test(options.device))
    throw new UsageError(
      msg(
        lang,
        `not an adb device serial: ${JSON.stringify(options.device.slice(0, 100))} (see adb devices)`,
        `不是 adb 设备序列号：${JSON.stringify(options.device.slice(0, 100))}（见 adb devices）`,
      ),
    );
  const wrong = (mode === 'adb' ? FRIDA_ONLY : ADB_ONLY).filter(([key]) => options.given.has(key)).map(([, flag]) => flag);
  if (wrong.length > 0)
    throw new UsageError(
      msg(
        lang,
        `${wrong.join(', ')}: only with --${mode === 'adb' ? 'frida' : 'adb'}`,
        `${wrong.join('、')} 仅用于 --${mode === 'adb' ? 'frida' : 'adb'}`,
      ),
    );
  if (options.spawn && options.attach)
    throw new UsageError(msg(lang, '--spawn and --attach exclude each other', '--spawn 与 --attach 只能选一个'));
  if (options.interval !== undefined && options.interval < MIN_INTERVAL_S)
    throw new UsageError(msg(lang, `--interval must be at least ${MIN_INTERVAL_S} seconds`, `--interval 至少为 ${MIN_INTERVAL_S} 秒`));
  return mode;
}

interface AdbDevice {
  serial: string;
  state: string;
}

/** `adb devices` output: `SERIAL<TAB>STATE` lines after the header. */
export function parseAdbDevices(output: string): AdbDevice[] {
  const devices: AdbDevice[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m =
      /^(\S+)\s+(device|offline|unauthorized|recovery|sideload|bootloader|authorizing|connecting|host|rescue|no permissions.*)\s*$/.exec(
        line.trim(),
      );
    if (m && DEVICE_SERIAL.test(m[1]!)) devices.push({ serial: m[1]!, state: m[2]! });
  }
  return devices;
}

const INSTALL_ADB = {
  en: 'install Android platform-tools (https://developer.android.com/tools/releases/platform-tools; Debian/Ubuntu: apt-get install adb) and put adb on PATH',
  zh: '请安装 Android platform-tools（https://developer.android.com/tools/releases/platform-tools；Debian/Ubuntu：apt-get install adb）并将 adb 加入 PATH',
};

/** adb is there, the device is connected and authorised, and the app is installed; returns the serial to use. */
async function checkAdbDevice(pkg: string, device: string | undefined, lang: Lang): Promise<string> {
  const plain = new SpawnAdbRunner({ timeoutMs: 20_000 });
  let listed;
  try {
    listed = await plain.run(['devices']);
  } catch (error) {
    if (error instanceof AdbError)
      throw new EnvironmentError(
        msg(lang, `adb not found (${error.message}): ${INSTALL_ADB.en}`, `找不到 adb（${error.message}）：${INSTALL_ADB.zh}`),
      );
    throw error;
  }
  if (listed.code !== 0)
    throw new EnvironmentError(
      msg(
        lang,
        `adb devices failed (exit ${listed.code}): ${listed.stderr.trim().slice(0, 300)}`,
        `adb devices 执行失败（退出码 ${listed.code}）：${listed.stderr.trim().slice(0, 300)}`,
      ),
    );
  const devices = parseAdbDevices(listed.stdout.toString('utf8'));
  const howToConnect = msg(
    lang,
    'connect a phone with USB debugging on and accept its prompt, or start an emulator (see packages/recorder/README.md)',
    '请连接已开启 USB 调试并已授权的手机，或启动模拟器（见 packages/recorder/README.md）',
  );
  const stateHint = (d: AdbDevice) =>
    d.state === 'unauthorized'
      ? msg(lang, 'accept the "Allow USB debugging?" prompt on the phone', '请在手机上允许“USB 调试”授权')
      : d.state === 'offline'
        ? msg(lang, 'reconnect the cable or restart adb (adb kill-server)', '请重新连接数据线或重启 adb（adb kill-server）')
        : msg(lang, 'it is not ready for commands', '设备尚未就绪');
  let chosen: AdbDevice | undefined;
  if (device !== undefined) {
    chosen = devices.find((d) => d.serial === device);
    if (!chosen)
      throw new EnvironmentError(
        msg(
          lang,
          `no device ${device}: adb devices lists ${devices.length > 0 ? devices.map((d) => `${d.serial} (${d.state})`).join(', ') : 'none'}; ${howToConnect}`,
          `找不到设备 ${device}：adb devices 列出 ${devices.length > 0 ? devices.map((d) => `${d.serial}（${d.state}）`).join('、') : '无设备'}；${howToConnect}`,
        ),
      );
  } else {
    if (devices.length === 0)
      throw new EnvironmentError(
        msg(lang, `no device: adb devices lists none; ${howToConnect}`, `没有设备：adb devices 未列出任何设备；${howToConnect}`),
      );
    const ready = devices.filter((d) => d.state === 'device');
    if (ready.length > 1)
      throw new UsageError(
        msg(
          lang,
          `several devices (${ready.map((d) => d.serial).join(', ')}): choose one with --device SERIAL`,
          `有多台设备（${ready.map((d) => d.serial).join('、')}）：请用 --device SERIAL 指定一台`,
        ),
      );
    chosen = ready[0] ?? devices[0]!;
  }
  if (chosen.state !== 'device')
    throw new EnvironmentError(
      msg(
        lang,
        `device ${chosen.serial} is ${chosen.state}: ${stateHint(chosen)}`,
        `设备 ${chosen.serial} 状态为 ${chosen.state}：${stateHint(chosen)}`,
      ),
    );
  const adb = new SpawnAdbRunner({ serial: chosen.serial, timeoutMs: 20_000 });
  const path = await adb.run(['shell', 'pm', 'path', pkg]);
  if (!/^package:/m.test(path.stdout.toString('utf8'))) {
    if (path.code !== 0 && path.stderr.trim() !== '' && !/not found|unknown package/i.test(path.stderr))
      throw new EnvironmentError(
        msg(
          lang,
          `cannot ask ${chosen.serial} for ${pkg}: ${path.stderr.trim().slice(0, 300)}`,
          `无法在 ${chosen.serial} 上查询 ${pkg}：${path.stderr.trim().slice(0, 300)}`,
        ),
      );
    throw new EnvironmentError(
      msg(
        lang,
        `${pkg} is not installed on ${chosen.serial}: install it with adb -s ${chosen.serial} install -r app.apk (and do not open it before recording)`,
        `${chosen.serial} 上未安装 ${pkg}：请先执行 adb -s ${chosen.serial} install -r app.apk 安装（录制前不要打开应用）`,
      ),
    );
  }
  return chosen.serial;
}

/** What both recorders report while they run. */
interface Progress {
  elapsedMs: number;
  events: number;
  message: string;
}

/** Progress on stderr: one redrawn line on a terminal, a line every few seconds elsewhere. */
class RecordProgressLine {
  private width = 0;
  private lastPrinted = -Infinity;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly lang: Lang,
    private readonly enabled: boolean,
    private readonly uiDir: string,
  ) {}

  update(p: Progress, durationMs: number): void {
    if (!this.enabled) return;
    if (!this.tty && p.elapsedMs - this.lastPrinted < 5000 && !p.message.startsWith('done')) return;
    this.lastPrinted = p.elapsedMs;
    let snapshots = 0;
    try {
      snapshots = readdirSync(this.uiDir).filter((f) => f.endsWith('.xml')).length;
    } catch {
      // not created yet
    }
    const elapsed = `${Math.round(p.elapsedMs / 1000)}/${Math.round(durationMs / 1000)} s`;
    const line =
      this.lang === 'zh'
        ? `… 录制中 ${elapsed} · 界面快照 ${snapshots} · 事件 ${p.events} · ${p.message}`
        : `… recording ${elapsed} · ${snapshots} snapshots · ${p.events} events · ${p.message}`;
    if (this.tty) {
      process.stderr.write(`\r${line}${' '.repeat(Math.max(0, this.width - line.length))}`);
      this.width = line.length;
    } else process.stderr.write(`${line}\n`);
  }

  note(text: string): void {
    if (!this.enabled) return;
    this.clear();
    process.stderr.write(`${text}\n`);
  }

  clear(): void {
    if (!this.tty || this.width === 0) return;
    process.stderr.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
}

/**
 * Ctrl-C (and `q` on a terminal) stops the recording after the current poll; the trace is still
 * written. A second Ctrl-C quits at once. On a terminal, s/a/r/w mark the consent dialog by hand.
 */
function watchInterrupts(
  control: RecorderControl | undefined,
  abort: AbortController,
  lang: Lang,
  note: (text: string) => void,
): () => void {
  let interrupts = 0;
  const stop = () => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(msg(lang, '\ninterrupted again: quitting without finishing the trace\n', '\n再次中断：未完成记录即退出\n'));
      process.exit(130);
    }
    note(msg(lang, 'stopping: finishing the trace (Ctrl-C again quits at once)', '正在停止：完成记录写入（再按 Ctrl-C 立即退出）'));
    control?.stop();
    abort.abort();
  };
  process.on('SIGINT', stop);
  const stdin = process.stdin;
  const keyboard = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const marks: Record<string, 'shown' | 'agreed' | 'refused' | 'withdrawn'> = { s: 'shown', a: 'agreed', r: 'refused', w: 'withdrawn' };
  const onKey = (data: Buffer) => {
    for (const ch of data.toString('utf8').toLowerCase()) {
      if (ch === '\u0003' || ch === 'q') stop();
      else if (control && marks[ch]) {
        control.markConsent(marks[ch]);
        note(msg(lang, `marked: consent ${marks[ch]}`, `已标记：同意弹窗 ${marks[ch]}`));
      }
    }
  };
  if (keyboard) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  return () => {
    process.off('SIGINT', stop);
    if (keyboard) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
}

/** A sleep that ends early when the recording is stopped, so Ctrl-C never waits a whole interval. */
function abortableSleep(signal: AbortSignal) {
  return (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
}

export type FridaRecorder = (options: RecordWithFridaOptions) => Promise<FridaRecordResult>;
type FridaModule = NonNullable<Awaited<ReturnType<NonNullable<RecordWithFridaOptions['loadFrida']>>>>;

/**
 * Whether an error from the Frida recorder is about the environment (exit 5): `frida` not installed
 * (its `FridaUnavailableError`), the agent not built, no device or frida-server, the app not running,
 * a Frida operation timing out. Type and range errors are bugs in the caller or the recorder (exit 70).
 */
function isFridaEnvironmentError(error: unknown): error is Error {
  return error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError) && !(error instanceof ReferenceError);
}

/**
 * The Frida recorder comes from the installed `@apprights/recorder` package, not from the copy
 * bundled into the CLI: a name in a variable is left alone by esbuild, so the recorder runs from its
 * own folder (where the agent script it reads next to its code is) and `frida` is resolved only
 * then. A build of the recorder without `recordWithFrida` is reported, not crashed on.
 */
export async function loadFridaRecorder(lang: Lang, device: string | undefined): Promise<FridaRecorder> {
  const specifier = '@apprights/recorder';
  const mod = (await import(specifier)) as Record<string, unknown>;
  if (typeof mod.recordWithFrida !== 'function')
    throw new EnvironmentError(
      msg(
        lang,
        'recording with Frida is not available in this build of AppRights (no recordWithFrida in @apprights/recorder); use --adb',
        '此版本的 AppRights 不支持 Frida 录制（@apprights/recorder 中没有 recordWithFrida）；请使用 --adb',
      ),
    );
  const record = mod.recordWithFrida as FridaRecorder;
  // What the recording needs, checked before it is announced: the built agent, the frida module and
  // the device. Otherwise "recording …" is printed and then the first of them is found missing.
  const agentPath = typeof mod.fridaAgentPath === 'function' ? (mod.fridaAgentPath as () => string | null)() : null;
  if (agentPath === null || !existsSync(agentPath))
    throw new EnvironmentError(
      typeof mod.FRIDA_AGENT_MISSING_MESSAGE === 'string'
        ? mod.FRIDA_AGENT_MISSING_MESSAGE
        : msg(lang, 'the Frida agent script is not built: run npm run build', 'Frida 代理脚本尚未构建：请运行 npm run build'),
    );
  let frida: FridaModule;
  try {
    frida = await (mod.loadFridaModule as () => Promise<FridaModule>)();
  } catch (error) {
    // FridaUnavailableError: its message says how to install frida and frida-server (English and Chinese).
    if (isFridaEnvironmentError(error)) throw new EnvironmentError(error.message);
    throw error;
  }
  try {
    await (device !== undefined ? frida.getDevice(device, { timeout: 10_000 }) : frida.getUsbDevice({ timeout: 10_000 }));
  } catch (error) {
    throw new EnvironmentError(
      msg(
        lang,
        `no Frida device${device !== undefined ? ` ${device}` : ''}: ${(error as Error).message}; connect a rooted phone or an emulator running frida-server`,
        `未找到 Frida 设备${device !== undefined ? ` ${device}` : ''}：${(error as Error).message}；请连接运行 frida-server 的已 root 手机或模拟器`,
      ),
    );
  }
  return (options) => record({ ...options, agentPath, loadFrida: () => Promise.resolve(frida) });
}

export async function runRecord(pkg: string, options: RecordCommandOptions): Promise<number> {
  const { lang } = options;
  const mode = checkArguments(pkg, options);
  const durationMs = Math.round((options.duration ?? DEFAULT_DURATION_S) * 1000);
  const outDir = options.output ?? defaultOutDir(pkg);

  refuseOldRecording(outDir, lang);
  let serial = options.device;
  let recordWithFrida: FridaRecorder | undefined;
  if (mode === 'adb') serial = await checkAdbDevice(pkg, options.device, lang);
  else recordWithFrida = await loadFridaRecorder(lang, options.device);
  const createdOutDir = prepareOutDir(outDir);

  const uiDir = join(outDir, 'ui');
  const line = new RecordProgressLine(lang, options.progress, uiDir);
  // consent marks by hand: the adb recorder writes them; the Frida agent sees API calls, not dialogs
  const control = mode === 'adb' ? new RecorderControl() : undefined;
  const abort = new AbortController();
  const onProgress = (p: Progress) => line.update(p, durationMs);
  line.note(
    msg(
      lang,
      `recording ${pkg}${serial !== undefined ? ` on ${serial}` : ''} with ${mode} for ${durationMs / 1000} s into ${outDir}; Ctrl-C stops and keeps the trace` +
        (process.stdin.isTTY && control ? '\nkeys: s consent shown, a agreed, r refused, w withdrawn, q stop' : ''),
      `正在用 ${mode} 录制 ${pkg}${serial !== undefined ? `（设备 ${serial}）` : ''}，时长 ${durationMs / 1000} 秒，输出到 ${outDir}；Ctrl-C 停止并保留记录` +
        (process.stdin.isTTY && control ? '\n按键：s 弹窗出现，a 已同意，r 已拒绝，w 已撤回，q 停止' : ''),
    ),
  );
  const unwatch = watchInterrupts(control, abort, lang, (text) => line.note(text));
  let result: Partial<RecordResult> & Partial<FridaRecordResult>;
  try {
    if (mode === 'adb') {
      const adb: AdbRunner = new SpawnAdbRunner({ serial: serial! });
      result = await recordWithAdb({
        adb,
        package: pkg,
        adViews: adViewPrefixes(),
        durationMs,
        intervalMs: Math.round((options.interval ?? DEFAULT_INTERVAL_S) * 1000),
        autoConsent: options.autoConsent ?? true,
        autoPermission: options.autoPermission ?? 'none',
        screenshots: options.screenshots !== false,
        outDir,
        control: control!,
        signal: abort.signal,
        sleep: abortableSleep(abort.signal),
        onProgress,
        ...(serial !== undefined ? { serial } : {}),
      });
    } else {
      try {
        result = await recordWithFrida!({
          package: pkg,
          spawn: options.attach !== true,
          durationMs,
          outDir,
          catalog: sensitiveApis(),
          signal: abort.signal,
          onProgress,
          ...(serial !== undefined ? { device: serial } : {}),
        });
      } catch (error) {
        // The recorder's messages say what is missing (frida, the agent, frida-server, the app), in English and Chinese.
        if (isFridaEnvironmentError(error)) throw new EnvironmentError(error.message);
        throw error;
      }
    }
  } catch (error) {
    // nothing recorded: leave no empty folder behind (only ours: it did not exist before this run)
    if (createdOutDir && !existsSync(join(outDir, 'trace.jsonl'))) rmSync(outDir, { recursive: true, force: true });
    if (error instanceof AdbError)
      throw new EnvironmentError(msg(lang, `recording failed: ${error.message}`, `录制失败：${error.message}`));
    throw error;
  } finally {
    line.clear();
    unwatch();
  }

  const traceFile = result.traceFile ?? join(outDir, 'trace.jsonl');
  const warnings = result.warnings ?? [];
  const hasUi = mode === 'adb';
  const summary: string[] = [];
  const stopped = abort.signal.aborted ? msg(lang, ' (stopped early)', '（提前停止）') : '';
  const seconds = ((result.durationMs ?? 0) / 1000).toFixed(1);
  summary.push(
    hasUi
      ? msg(
          lang,
          `recorded ${pkg}${stopped}: ${result.events ?? 0} events, ${result.snapshots ?? 0} UI snapshots, ${result.screenshots ?? 0} screenshots in ${seconds} s`,
          `已录制 ${pkg}${stopped}：${result.events ?? 0} 个事件，${result.snapshots ?? 0} 个界面快照，${result.screenshots ?? 0} 张截图，用时 ${seconds} 秒`,
        )
      : msg(
          lang,
          `recorded ${pkg}${stopped}: ${result.events ?? 0} events in ${seconds} s; ${result.hooked?.length ?? 0} hooks, ${result.missing?.length ?? 0} APIs not hooked${result.detachReason ? `; the session ended: ${result.detachReason}` : ''}`,
          `已录制 ${pkg}${stopped}：${result.events ?? 0} 个事件，用时 ${seconds} 秒；已挂钩 ${result.hooked?.length ?? 0} 个，未挂钩 ${result.missing?.length ?? 0} 个 API${result.detachReason ? `；会话结束：${result.detachReason}` : ''}`,
        ),
    `  ${msg(lang, 'trace', '运行时记录')}: ${traceFile}`,
  );
  if (hasUi) summary.push(`  ${msg(lang, 'UI snapshots', '界面快照')}: ${uiDir}`);
  if (warnings.length > 0) {
    summary.push(
      msg(lang, `  ${warnings.length} warnings (the recording went on without these):`, `  ${warnings.length} 条警告（录制未中断）：`),
    );
    for (const w of warnings.slice(0, 5)) summary.push(`    - ${w}`);
    if (warnings.length > 5) summary.push(msg(lang, `    … and ${warnings.length - 5} more`, `    …… 另有 ${warnings.length - 5} 条`));
  }
  const next = `apprights trace ${traceFile}${hasUi ? ` --ui ${uiDir}` : ''}`;
  if (!options.analyse) {
    summary.push(msg(lang, `next: ${next}`, `下一步：${next}`));
    process.stdout.write(`${summary.join('\n')}\n`);
    return ExitCode.ok;
  }
  // The report goes to stdout; where the files are goes to stderr.
  process.stderr.write(`${summary.join('\n')}\n`);
  return runTrace(traceFile, {
    format: 'text',
    lang,
    progress: options.progress,
    ...(hasUi ? { ui: uiDir } : {}),
    version: options.version,
    stats: options.stats,
  });
}
