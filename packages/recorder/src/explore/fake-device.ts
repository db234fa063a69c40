/**
 * A scripted fake device for the explorer's tests: an `AdbRunner` that holds an app as a small
 * state machine of screens. Each screen has the uiautomator dumps it gives (several for a slow
 * screen, `null` for a dump that fails while it animates), the activity in front, and where taps,
 * the back and home keys and time lead. It answers the commands the explorer sends (getprop,
 * dumpsys package/appops/activity, date, am force-stop, pm clear, monkey, input, pidof, logcat,
 * uiautomator) on a virtual clock that `sleep` moves, so a run takes milliseconds.
 *
 * Only for tests and examples: nothing here talks to a device.
 */
import { assertSafeDeviceArgs } from '../adb/validate.js';
import type { AdbResult, AdbRunOptions, AdbRunner } from '../adb/run.js';

/** A node of a fake dump. */
export interface FakeNode {
  pkg?: string;
  cls?: string;
  id?: string;
  text?: string;
  desc?: string;
  bounds: [number, number, number, number];
  clickable?: boolean;
  enabled?: boolean;
  checkable?: boolean;
  checked?: boolean;
  children?: FakeNode[];
}

export interface FakeScreen {
  /** The windows on screen (roots), or several snapshots of them in turn while the screen loads; `null`: the dump fails. */
  dumps: (FakeNode[] | null)[];
  /** `package/activity` in front. */
  activity?: string;
  /** Whether the app's process runs on this screen (default true). */
  running?: boolean;
  /** Where a tap on a node leads, keyed by the node's id (after `:id/`) or its text. */
  taps?: Record<string, string>;
  back?: string;
  home?: string;
  /** After this long on the screen, go on (a splash that ends, a dialog that comes back). */
  after?: { ms: number; to: string };
  /** AppOps accesses made on entering the screen: the op and the uid state (`top`, `bg`…). */
  accesses?: { op: string; state: 'top' | 'fg' | 'fgs' | 'bg' | 'cached' }[];
  /** Entering this screen loses the device: every later command fails as adb does. */
  disconnect?: boolean;
  /** Logcat lines written on entering (device epoch seconds are filled in for `{t}`). */
  logcat?: string[];
}

export interface FakeApp {
  package: string;
  versionName?: string;
  versionCode?: number;
  /** Runtime permissions the app requests. */
  requested: string[];
  /** The first screen after a launch with cleared data, and after a launch without. */
  firstLaunch: string;
  laterLaunch: string;
  screens: Record<string, FakeScreen>;
  /** The screen for everything outside the app (the launcher). */
  home?: string;
}

const HOME_SCREEN = '__home__';

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The uiautomator XML of fake windows. */
export function fakeDumpXml(roots: readonly FakeNode[], pkg = 'com.example.app'): string {
  let out = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">\n";
  const pending: { node: FakeNode; depth: number; close: boolean; index: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) pending.push({ node: roots[i]!, depth: 1, close: false, index: i });
  while (pending.length > 0) {
    const { node, depth, close, index } = pending.pop()!;
    const indent = '  '.repeat(depth);
    if (close) {
      out += `${indent}</node>\n`;
      continue;
    }
    const [l, t, r, b] = node.bounds;
    const attrs =
      `index="${index}" text="${attr(node.text ?? '')}" resource-id="${attr(node.id ?? '')}" class="${attr(node.cls ?? 'android.widget.FrameLayout')}" ` +
      `package="${attr(node.pkg ?? pkg)}" content-desc="${attr(node.desc ?? '')}" checkable="${node.checkable ? 'true' : 'false'}" checked="${node.checked ? 'true' : 'false'}" ` +
      `clickable="${node.clickable ? 'true' : 'false'}" enabled="${node.enabled === false ? 'false' : 'true'}" focusable="false" focused="false" scrollable="false" ` +
      `long-clickable="false" password="false" selected="false" bounds="[${l},${t}][${r},${b}]"`;
    const children = node.children ?? [];
    if (children.length === 0) {
      out += `${indent}<node ${attrs} />\n`;
      continue;
    }
    out += `${indent}<node ${attrs}>\n`;
    pending.push({ node, depth, close: true, index });
    for (let i = children.length - 1; i >= 0; i--)
      pending.push({ node: { pkg: node.pkg, ...children[i]! }, depth: depth + 1, close: false, index: i });
  }
  return `${out}</hierarchy>`;
}

/** The fake device. `clock` and `sleep` go to the explorer so both share the virtual time. */
export class FakeDevice implements AdbRunner {
  readonly calls: string[][] = [];
  /** Milliseconds of virtual time. */
  private time = 0;
  private readonly epochMs = 1_767_000_000_000;
  private screen: string;
  private enteredAt = 0;
  private dumpIndex = 0;
  private cleared = true;
  private lost = false;
  private readonly accesses: { op: string; state: string; at: number }[] = [];
  private readonly log: string[] = [];
  private readonly granted = new Map<string, boolean>();

  constructor(readonly app: FakeApp) {
    this.screen = app.home ?? HOME_SCREEN;
  }

  clock = (): number => this.time;

  sleep = async (ms: number): Promise<void> => {
    this.time += Math.max(0, ms);
    this.advance();
  };

  /** Screens the device showed, in order (for tests). */
  readonly visited: string[] = [];

  private current(): FakeScreen | undefined {
    return this.app.screens[this.screen];
  }

  private go(name: string): void {
    this.screen = name;
    this.enteredAt = this.time;
    this.dumpIndex = 0;
    this.visited.push(name);
    const screen = this.current();
    if (!screen) return;
    if (screen.disconnect) this.lost = true;
    for (const a of screen.accesses ?? []) this.accesses.push({ op: a.op, state: a.state, at: this.time });
    for (const line of screen.logcat ?? []) this.log.push(line.replace('{t}', ((this.epochMs + this.time) / 1000).toFixed(3)));
  }

  private advance(): void {
    for (let guard = 0; guard < 20; guard++) {
      const after = this.current()?.after;
      if (!after || this.time - this.enteredAt < after.ms) return;
      this.go(after.to);
    }
  }

  private dumpXml(): string | null {
    const screen = this.current();
    if (!screen) return fakeDumpXml([{ pkg: 'com.android.launcher3', bounds: [0, 0, 1080, 2340], text: 'Home' }]);
    const roots = screen.dumps[Math.min(this.dumpIndex, screen.dumps.length - 1)];
    this.dumpIndex++;
    return roots ? fakeDumpXml(roots, this.app.package) : null;
  }

  /** The node under a point in the current screen, innermost first, then its ancestors: later windows and children lie on top. */
  private hits(x: number, y: number): FakeNode[] {
    const screen = this.current();
    const roots = screen?.dumps[Math.max(0, Math.min(this.dumpIndex - 1, screen.dumps.length - 1))] ?? [];
    const inside = (node: FakeNode) => {
      const [l, t, r, b] = node.bounds;
      return x >= l && x < r && y >= t && y < b;
    };
    const chain: FakeNode[] = [];
    let level: readonly FakeNode[] = roots;
    for (let depth = 0; depth < 50; depth++) {
      let top: FakeNode | undefined;
      for (let i = level.length - 1; i >= 0 && !top; i--) if (inside(level[i]!)) top = level[i];
      if (!top) break;
      chain.unshift(top);
      level = top.children ?? [];
    }
    return chain;
  }

  private ok(stdout: string): AdbResult {
    return { stdout: Buffer.from(stdout, 'utf8'), stderr: '', code: 0 };
  }

  async run(args: string[], _options?: AdbRunOptions): Promise<AdbResult> {
    assertSafeDeviceArgs(args);
    this.calls.push([...args]);
    if (this.lost) return { stdout: Buffer.alloc(0), stderr: "adb: device 'emulator-5554' not found", code: 1 };
    this.time += 20; // every command takes a little time
    this.advance();
    const [head, ...rest] = args;
    const cmd = rest.join(' ');
    const pkg = this.app.package;
    if (head === 'exec-out' && rest[0] === 'uiautomator') {
      const xml = this.dumpXml();
      return xml === null ? { stdout: Buffer.from('ERROR: could not get idle state.'), stderr: '', code: 1 } : this.ok(xml);
    }
    if (head !== 'shell') return { stdout: Buffer.alloc(0), stderr: `fake: no ${head}`, code: 1 };
    if (cmd === 'getprop ro.build.version.sdk') return this.ok('33\n');
    if (cmd === 'getprop ro.product.model') return this.ok('Fake Phone\n');
    if (cmd.startsWith('getprop')) return this.ok('\n');
    if (cmd === 'date +%s.%N') return this.ok(`${((this.epochMs + this.time) / 1000).toFixed(3)}\n`);
    if (cmd === `dumpsys package ${pkg}`) return this.ok(this.packageDump());
    if (cmd === `dumpsys appops --package ${pkg}`) return this.ok(this.appopsDump());
    if (cmd === 'dumpsys activity activities') {
      const activity = this.current()?.activity ?? 'com.android.launcher3/.Launcher';
      const [p, a] = activity.split('/');
      return this.ok(`  mResumedActivity: ActivityRecord{1a2b3c u0 ${p}/${a} t12}\n`);
    }
    if (cmd === `am force-stop ${pkg}`) {
      this.go(this.app.home ?? HOME_SCREEN);
      return this.ok('');
    }
    if (cmd === `pm clear ${pkg}`) {
      this.cleared = true;
      this.granted.clear();
      return this.ok('Success\n');
    }
    if (cmd === 'logcat -c') {
      this.log.length = 0;
      return this.ok('');
    }
    if (cmd.startsWith('logcat -d')) return this.ok(this.log.join('\n'));
    if (cmd.startsWith(`monkey -p ${pkg}`)) {
      this.go(this.cleared ? this.app.firstLaunch : this.app.laterLaunch);
      this.cleared = false;
      return this.ok('Events injected: 1\n');
    }
    if (cmd === `pidof ${pkg}`) return this.ok(this.current() && this.current()!.running !== false ? '4321\n' : '');
    if (rest[0] === 'input' && rest[1] === 'tap') {
      const x = Number(rest[2]);
      const y = Number(rest[3]);
      const taps = this.current()?.taps ?? {};
      for (const node of this.hits(x, y)) {
        const keys = [node.id?.replace(/^.*:id\//, ''), node.text, node.desc].filter((k): k is string => !!k);
        const to = keys.map((k) => taps[k]).find((v) => v !== undefined);
        if (to !== undefined) {
          this.go(to);
          break;
        }
      }
      return this.ok('');
    }
    if (rest[0] === 'input' && rest[1] === 'keyevent') {
      const screen = this.current();
      if (rest[2] === 'KEYCODE_BACK' && screen?.back) this.go(screen.back);
      else if (rest[2] === 'KEYCODE_HOME') this.go(screen?.home ?? this.app.home ?? HOME_SCREEN);
      return this.ok('');
    }
    return { stdout: Buffer.alloc(0), stderr: `fake: no answer for ${cmd}`, code: 1 };
  }

  private packageDump(): string {
    const lines = [
      'Packages:',
      `  Package [${this.app.package}] (1234abcd):`,
      '    userId=10123',
      `    versionCode=${this.app.versionCode ?? 1} minSdk=24 targetSdk=33`,
      `    versionName=${this.app.versionName ?? '1.0'}`,
      '    requested permissions:',
      ...this.app.requested.map((p) => `      ${p}`),
      '    runtime permissions:',
      ...this.app.requested.map(
        (p) => `      ${p}: granted=${this.granted.get(p) === true ? 'true' : 'false'}, flags=[ USER_SENSITIVE_WHEN_GRANTED ]`,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }

  private appopsDump(): string {
    const lines = ['Current AppOps Service state:', '  Uid u0a123:', '    state=top', `    Package ${this.app.package}:`];
    const byOp = new Map<string, { state: string; at: number }[]>();
    for (const a of this.accesses) byOp.set(a.op, [...(byOp.get(a.op) ?? []), a]);
    for (const [op, list] of byOp) {
      lines.push(`      ${op} (allow):`, '        null=[');
      // AppOps keeps the last access per uid state.
      const last = new Map<string, number>();
      for (const a of list) last.set(a.state, a.at);
      for (const [state, at] of last) {
        const ago = Math.max(0, this.time - at);
        const stamp = new Date(this.epochMs + at).toISOString().replace('T', ' ').replace('Z', '');
        lines.push(`          Access: [${state === 'cached' ? 'cch' : state}-s] ${stamp} (-${Math.floor(ago / 1000)}s${ago % 1000}ms)`);
      }
      lines.push('        ]');
    }
    return `${lines.join('\n')}\n`;
  }
}
