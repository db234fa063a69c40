import type { LifecycleEvent, NavigationEvent, StartCause } from '@apprights/runtime';
import { DEFAULT_RECORDER_LIMITS, capText, linesOf, shorten, type RecorderLimits } from './limits.js';

/** One logcat line, split: time (epoch ms), pid, tid, priority, tag, message. */
export interface LogcatLine {
  /** Epoch ms (`-v epoch`), or the device's wall clock read as UTC (`-v threadtime`, whose year is `options.year`). */
  t: number;
  pid: number;
  tid: number;
  priority: string;
  tag: string;
  message: string;
}

const EPOCH_LINE = /^\s*(\d{9,11})\.(\d{3})\d*\s+(?:\S+\s+)?(\d+)\s+(\d+)\s+([VDIWEFA])\s+(.+?)\s*: (.*)$/;
const THREADTIME_LINE =
  /^(?:(\d{4})-)?(\d\d)-(\d\d)\s+(\d\d):(\d\d):(\d\d)\.(\d{3})\d*\s+(?:\S+\s+)?(\d+)\s+(\d+)\s+([VDIWEFA])\s+(.+?)\s*: (.*)$/;

/** Splits a `logcat -v epoch` or `-v threadtime` (optionally `,year`/`,uid`) line; null for anything else. */
export function splitLogcatLine(line: string, year = new Date().getUTCFullYear()): LogcatLine | null {
  let m = EPOCH_LINE.exec(line);
  if (m) {
    return { t: Number(m[1]) * 1000 + Number(m[2]), pid: Number(m[3]), tid: Number(m[4]), priority: m[5]!, tag: m[6]!, message: m[7]! };
  }
  m = THREADTIME_LINE.exec(line);
  if (m) {
    const t = Date.UTC(m[1] ? Number(m[1]) : year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
    if (!Number.isFinite(t)) return null;
    return { t, pid: Number(m[8]), tid: Number(m[9]), priority: m[10]!, tag: m[11]!, message: m[12]! };
  }
  return null;
}

/** Browsers (AOSP, Chrome, and the common Chinese and vendor ones). */
export const BROWSER_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.browser',
  'com.android.chrome',
  'com.chrome.beta',
  'com.google.android.apps.chrome',
  'org.mozilla.firefox',
  'com.sec.android.app.sbrowser',
  'com.UCMobile',
  'com.uc.browser.en',
  'com.tencent.mtt',
  'com.quark.browser',
  'com.qihoo.browser',
  'com.baidu.browser.apps',
  'com.baidu.searchbox',
  'sogou.mobile.explorer',
  'com.huawei.browser',
  'com.hihonor.baidu.browser',
  'com.heytap.browser',
  'com.coloros.browser',
  'com.vivo.browser',
  'com.mi.globalbrowser',
  'com.miui.browser',
  'com.oupeng.browser',
  'com.opera.browser',
  'com.microsoft.emmx',
]);

/** App stores (Google Play, vendor stores, Chinese third-party stores). */
export const STORE_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.vending',
  'com.huawei.appmarket',
  'com.hihonor.appmarket',
  'com.xiaomi.market',
  'com.xiaomi.mipicks',
  'com.heytap.market',
  'com.oppo.market',
  'com.bbk.appstore',
  'com.meizu.mstore',
  'com.sec.android.app.samsungapps',
  'com.tencent.android.qqdownloader',
  'com.qihoo.appstore',
  'com.baidu.appsearch',
  'com.wandoujia.phoenix2',
  'com.pp.assistant',
  'com.lenovo.leos.appstore',
  'zte.com.market',
  'com.smartisanos.appstore',
]);

/** System package installers: an activity of theirs is an install request. */
export const INSTALLER_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.packageinstaller',
  'com.google.android.packageinstaller',
  'com.miui.packageinstaller',
  'com.samsung.android.packageinstaller',
  'com.oplus.appdetail',
  'com.coloros.packageinstaller',
  'com.vivo.packageinstaller',
  'com.huawei.packageinstaller',
]);

/** Class-name prefixes of push SDK components: a process started for one of them was started by a push. */
export const PUSH_COMPONENT_PREFIXES: readonly string[] = [
  'com.igexin.',
  'com.getui.',
  'cn.jpush.',
  'cn.jiguang.',
  'com.xiaomi.mipush.',
  'com.xiaomi.push.',
  'com.huawei.hms.push.',
  'com.huawei.android.push.',
  'com.hihonor.push.',
  'com.vivo.push.',
  'com.heytap.msp.push.',
  'com.heytap.mcssdk.',
  'com.coloros.mcssdk.',
  'com.meizu.cloud.pushsdk.',
  'com.umeng.message.',
  'org.android.agoo.',
  'com.taobao.accs.',
  'com.taobao.agoo.',
  'com.tencent.android.tpush.',
  'com.tencent.tpns.',
  'com.alibaba.sdk.android.push.',
  'com.google.firebase.messaging.',
  'com.google.firebase.iid.',
  'com.baidu.android.pushservice.',
];

export function isPushComponent(className: string): boolean {
  return PUSH_COMPONENT_PREFIXES.some((p) => className.startsWith(p));
}

/** Hosting types of `Start proc … for TYPE {…}` that mean an activity launch. */
const ACTIVITY_HOSTING = new Set(['activity', 'top-activity', 'pre-top-activity', 'next-activity', 'next-top-activity', 'restart']);

const SHELL_UID = 2000;
const SYSTEM_UID = 1000;

/** An intent as logcat prints it: `{act=… cat=[…] dat=… typ=… flg=… pkg=… cmp=…}`. */
export interface LoggedIntent {
  action?: string;
  categories: string[];
  data?: string;
  type?: string;
  package?: string;
  /** `com.example/.Main` as printed. */
  component?: string;
}

export function parseLoggedIntent(inner: string): LoggedIntent {
  const intent: LoggedIntent = { categories: [] };
  const act = /(?:^|\s)act=(\S+)/.exec(inner);
  if (act) intent.action = act[1]!;
  const cat = /(?:^|\s)cat=\[([^\]]*)\]/.exec(inner);
  if (cat)
    intent.categories = cat[1]!
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  const dat = /(?:^|\s)dat=(\S+)/.exec(inner);
  if (dat) intent.data = dat[1]!;
  const typ = /(?:^|\s)typ=(\S+)/.exec(inner);
  if (typ) intent.type = typ[1]!;
  const pkg = /(?:^|\s)pkg=(\S+)/.exec(inner);
  if (pkg) intent.package = pkg[1]!;
  const cmp = /(?:^|\s)cmp=(\S+)/.exec(inner);
  if (cmp) intent.component = cmp[1]!;
  return intent;
}

/** `com.example/.Main` → { package: com.example, className: com.example.Main }. */
export function splitComponent(component: string): { package: string; className: string } | null {
  const m = /^([A-Za-z][\w.]*)\/([\w.$]+)$/.exec(component.trim());
  if (!m) return null;
  const className = m[2]!.startsWith('.') ? m[1]! + m[2]! : m[2]!;
  return { package: m[1]!, className };
}

/** `u0a123` → 10123; `u10a5` → 1010005; `1000` → 1000. */
export function uidOf(text: string): number | undefined {
  const m = /^u(\d+)a(\d+)$/.exec(text);
  if (m) return Number(m[1]) * 100_000 + 10_000 + Number(m[2]);
  const s = /^u(\d+)s(\d+)$/.exec(text);
  if (s) return Number(s[1]) * 100_000 + Number(s[2]);
  return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

export type ActivityEvent = LifecycleEvent | NavigationEvent;

export interface LogcatActivityOptions {
  /** The app under test. */
  package: string;
  /** Its uid, when known (else learned from `Start proc … /u0a123`): tells the app's own intents from others'. */
  appUid?: number;
  /** Year for `-v threadtime` lines, which have none (default: this year, UTC). */
  year?: number;
  limits?: Partial<RecorderLimits>;
}

const START = /^START u\d+ \{(.*)\}(.*)$/;
const DISPLAYED = /^Displayed (\S+?)(?: for user \d+)?: \+(\S+)/;
const START_PROC = /^Start proc (\d+):([\w.:$-]+)\/(\w+) for (.+?)(?: \{([^}]*)\}| ([\w.$]+\/[\w.$]+))?(?: caller=(\S+))?\s*$/;
const KILLING = /^Killing (\d+):([\w.:$-]+)\/\w+(?: \(adj -?\d+\))?: ?(.*)$/;
const HAS_DIED = /^Process ([\w.:$-]+) \(pid (\d+)\) has died/;
const CRASH = /^Process: ([\w.:$-]+), PID: (\d+)/;

/**
 * Reads ActivityManager / ActivityTaskManager / AndroidRuntime logcat lines (Android 7–15, `-v epoch`
 * or `-v threadtime`) into the trace's lifecycle events (process start with its cause, foreground,
 * background, exit, crash) and navigation events (the app's activities; jumps to other apps,
 * browsers, stores and the package installer). Keeps state between batches, so a recorder can feed
 * it the lines of each poll. Never throws; lines it does not know are skipped.
 */
export class LogcatActivityParser {
  readonly package: string;
  appUid: number | undefined;
  /** The package whose activity was last shown, when known. */
  front: string | undefined;
  /** Epoch ms of the last line read. */
  lastT: number | undefined;
  private readonly year: number;
  private readonly limits: RecorderLimits;
  private lastLaunchIntent: { t: number; launcher: boolean; fromUid?: number } | undefined;
  private readonly exited = new Set<number>();
  private lastActivity: string | undefined;

  constructor(options: LogcatActivityOptions) {
    this.package = options.package;
    this.appUid = options.appUid;
    this.year = options.year ?? new Date().getUTCFullYear();
    this.limits = { ...DEFAULT_RECORDER_LIMITS, ...options.limits };
  }

  private isAppProcess(process: string): boolean {
    return process === this.package || process.startsWith(`${this.package}:`);
  }

  /** Reads a batch of lines (an array, or one text); returns the events they give, in line order. */
  push(input: string | readonly string[]): ActivityEvent[] {
    const lines = typeof input === 'string' ? linesOf(capText(input, this.limits.maxTextBytes), this.limits.maxLines) : input;
    const out: ActivityEvent[] = [];
    let count = 0;
    for (const line of lines) {
      if (++count > this.limits.maxLines) break;
      if (typeof line !== 'string' || line.length > this.limits.maxLineChars) continue;
      const parsed = splitLogcatLine(line, this.year);
      if (!parsed) continue;
      this.lastT = parsed.t;
      this.read(parsed, out);
    }
    return out;
  }

  private read(line: LogcatLine, out: ActivityEvent[]): void {
    const { t, message } = line;
    const start = START.exec(message);
    if (start) return this.onStart(t, parseLoggedIntent(start[1]!), /from uid (\d+)/.exec(start[2]!)?.[1], out);

    const displayed = DISPLAYED.exec(message);
    if (displayed) {
      const component = splitComponent(displayed[1]!);
      if (!component) return;
      if (component.package === this.package) {
        this.toFront(t, out);
        if (this.lastActivity !== component.className) {
          this.lastActivity = component.className;
          out.push({ kind: 'navigation', t, action: 'activity', target: component.className });
        }
      } else {
        this.toBack(t, component.package, out);
      }
      return;
    }

    const proc = START_PROC.exec(message);
    if (proc) {
      const [, pidText, process, uidText, hosting, braced, bare, caller] = proc;
      if (!this.isAppProcess(process!)) return;
      const uid = uidOf(uidText!);
      if (this.appUid === undefined && uid !== undefined && process === this.package) this.appUid = uid;
      const pid = Number(pidText);
      this.exited.delete(pid);
      const componentText = braced ?? bare;
      const component = componentText !== undefined ? splitComponent(componentText) : null;
      const event: LifecycleEvent = { kind: 'lifecycle', t, action: 'process-start', pid, process: process! };
      event.cause = this.causeOf(hosting!.trim(), component?.className, caller, t);
      if (component) event.component = component.className;
      if (event.cause === 'other-app' && caller !== undefined && caller !== this.package) event.other = caller;
      out.push(event);
      return;
    }

    const killing = KILLING.exec(message) ?? null;
    if (killing) {
      if (!this.isAppProcess(killing[2]!)) return;
      const pid = Number(killing[1]);
      if (this.exited.has(pid)) return;
      this.exited.add(pid);
      out.push({ kind: 'lifecycle', t, action: 'exit', pid, process: killing[2]! });
      if (killing[2] === this.package && this.front === this.package) this.front = undefined;
      return;
    }
    const died = HAS_DIED.exec(message);
    if (died) {
      if (!this.isAppProcess(died[1]!)) return;
      const pid = Number(died[2]);
      if (this.exited.has(pid)) return;
      this.exited.add(pid);
      out.push({ kind: 'lifecycle', t, action: 'exit', pid, process: died[1]! });
      return;
    }
    const crash = line.tag === 'AndroidRuntime' ? CRASH.exec(message) : null;
    if (crash && this.isAppProcess(crash[1]!)) {
      out.push({ kind: 'lifecycle', t, action: 'crash', pid: Number(crash[2]), process: crash[1]! });
    }
  }

  private causeOf(hosting: string, className: string | undefined, caller: string | undefined, t: number): StartCause {
    const fromOther = caller !== undefined && caller !== this.package && caller !== 'android' && !caller.startsWith(`${this.package}:`);
    if (ACTIVITY_HOSTING.has(hosting)) {
      const launch = this.lastLaunchIntent;
      if (launch && t - launch.t < 30_000) {
        if (launch.launcher || launch.fromUid === SHELL_UID) return 'launcher';
        if (launch.fromUid !== undefined && launch.fromUid >= 10_000 && launch.fromUid !== this.appUid) return 'other-app';
      }
      return fromOther ? 'other-app' : 'unknown';
    }
    if (hosting === 'push-message' || hosting === 'push-message-over-quota') return 'push';
    if (fromOther) return 'other-app';
    if (className !== undefined && isPushComponent(className)) return 'push';
    if (hosting === 'broadcast') return 'broadcast';
    if (hosting === 'service') return 'service';
    if (hosting === 'job') return 'job';
    if (hosting === 'alarm') return 'alarm';
    return 'unknown';
  }

  private toFront(t: number, out: ActivityEvent[]): void {
    if (this.front !== this.package) out.push({ kind: 'lifecycle', t, action: 'foreground', process: this.package });
    this.front = this.package;
  }

  private toBack(t: number, other: string, out: ActivityEvent[]): void {
    if (this.front === this.package) out.push({ kind: 'lifecycle', t, action: 'background', process: this.package, other });
    this.front = other;
  }

  private onStart(t: number, intent: LoggedIntent, fromUidText: string | undefined, out: ActivityEvent[]): void {
    const fromUid = fromUidText !== undefined ? Number(fromUidText) : undefined;
    const component = intent.component !== undefined ? splitComponent(intent.component) : null;
    const targetPackage = component?.package ?? intent.package;
    if (targetPackage === this.package) {
      const launcher = intent.categories.includes('android.intent.category.LAUNCHER');
      this.lastLaunchIntent = { t, launcher, ...(fromUid !== undefined ? { fromUid } : {}) };
      if (component) {
        this.lastActivity = component.className;
        const event: NavigationEvent = { kind: 'navigation', t, action: 'activity', target: component.className };
        if (launcher || fromUid === SHELL_UID) event.trigger = 'user';
        out.push(event);
      }
      return;
    }
    if (intent.categories.includes('android.intent.category.HOME')) {
      this.toBack(t, targetPackage ?? 'home', out);
      return;
    }
    // Someone else's activity: a jump, if this app started it.
    const byApp =
      fromUid !== undefined && this.appUid !== undefined
        ? fromUid === this.appUid
        : this.front === this.package && fromUid !== SHELL_UID && fromUid !== SYSTEM_UID;
    if (!byApp) return;
    const data = intent.data ?? '';
    const scheme = /^([a-z][\w+.-]*):/i.exec(data)?.[1]?.toLowerCase();
    const isApk = intent.type === 'application/vnd.android.package-archive' || /\.apk(?:$|[?#])/i.test(data);
    let action: NavigationEvent['action'];
    let target: string;
    if (
      intent.action === 'android.intent.action.INSTALL_PACKAGE' ||
      (targetPackage !== undefined && INSTALLER_PACKAGES.has(targetPackage)) ||
      (isApk && intent.action === 'android.intent.action.VIEW')
    ) {
      action = 'install-request';
      target = data !== '' ? shorten(data) : (targetPackage ?? 'package-installer');
    } else if (
      (targetPackage !== undefined && STORE_PACKAGES.has(targetPackage)) ||
      scheme === 'market' ||
      scheme === 'mimarket' ||
      scheme === 'appmarket' ||
      scheme === 'oppomarket' ||
      scheme === 'vivomarket'
    ) {
      action = 'jump-store';
      target = targetPackage ?? shorten(data);
    } else if (
      (targetPackage !== undefined && BROWSER_PACKAGES.has(targetPackage)) ||
      ((scheme === 'http' || scheme === 'https') && intent.action === 'android.intent.action.VIEW')
    ) {
      action = 'jump-browser';
      target = data !== '' ? shorten(data) : targetPackage!;
    } else if (targetPackage !== undefined && targetPackage !== 'android') {
      action = 'jump-app';
      target = targetPackage;
    } else if (scheme !== undefined) {
      action = 'deeplink';
      target = shorten(data);
    } else return;
    out.push({ kind: 'navigation', t, action, target });
  }
}

/** One-shot form of `LogcatActivityParser`: the events of these lines. */
export function parseLogcatActivity(lines: string | readonly string[], options: LogcatActivityOptions): ActivityEvent[] {
  if (typeof lines !== 'string' && !Array.isArray(lines)) return [];
  return new LogcatActivityParser(options).push(lines);
}
