/**
 * `explore`: drives an app through fixed scenarios without a person, each recorded as its own
 * trace (OUTDIR/<scenario>/trace.jsonl) with its UI dumps (OUTDIR/<scenario>/ui/):
 *
 *   a refuse        first start (data cleared), read the privacy dialog, refuse it
 *   b deny          first start, agree, deny every permission request
 *   e second-start  right after b, without clearing: a second cold start (the 48-hour re-ask
 *                   question is answered from b + e on the device clock, not by waiting)
 *   c grant         first start, agree, grant every permission request
 *   d background    after c: send the app to the background for a set time
 *   f walk          after c: a bounded breadth-first walk of the app's screens
 *
 * Every command goes through an `AdbRunner` (argument arrays, never a shell on the host; the device
 * shell gets only validated words: see `assertSafeDeviceArgs`). Nothing read from the device (labels,
 * package names, text) is ever passed back to a command; taps go to numeric coordinates only. Each
 * event is appended to its trace as it happens, so a scenario cut short (the device disconnects, the
 * app crashes or never shows a window, a dialog cannot be read) keeps what it recorded and ends with
 * a `scenario` event naming the reason; the next scenario still runs.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  TRACE_FORMAT_VERSION,
  type ApiEvent,
  type ConsentEvent,
  type LifecycleEvent,
  type NavigationEvent,
  type PermissionRequestEvent,
  type TraceEvent,
  type TraceHeader,
  type UiEvent,
  type UserEvent,
} from '@apprights/runtime';
import { appStateOfUidState, parseAppOps } from '../adb/appops.js';
import { parseDumpsysPackagePermissions } from '../adb/dumpsys-package.js';
import { shorten } from '../adb/limits.js';
import { BROWSER_PACKAGES, INSTALLER_PACKAGES, LogcatActivityParser, STORE_PACKAGES } from '../adb/logcat.js';
import { AdbError, type AdbResult, type AdbRunner } from '../adb/run.js';
import { assertPackageName } from '../adb/validate.js';
import { extractHierarchy } from '../adb/xml.js';
import {
  controlsOf,
  denyPattern,
  isPermissionPackage,
  policyLinkNode,
  readScreen,
  resumedActivity,
  screenText,
  type AdViewPrefixes,
  type Control,
  type ScreenReading,
} from './screen.js';

export type ScenarioId = 'refuse' | 'deny' | 'second-start' | 'grant' | 'background' | 'walk';

export interface ScenarioInfo {
  id: ScenarioId;
  letter: string;
  /** The scenario's folder under the output folder. */
  dir: string;
  title: { zh: string; en: string };
}

/** The scenarios in the order they run (e needs b's state, d and f c's). */
export const SCENARIOS: readonly ScenarioInfo[] = [
  { id: 'refuse', letter: 'a', dir: 'a-refuse', title: { zh: '首次启动，拒绝隐私政策', en: 'first start, refuse the privacy policy' } },
  {
    id: 'deny',
    letter: 'b',
    dir: 'b-deny',
    title: { zh: '首次启动，同意后拒绝全部权限', en: 'first start, agree, deny every permission' },
  },
  {
    id: 'second-start',
    letter: 'e',
    dir: 'e-second-start',
    title: { zh: '拒绝权限后第二次冷启动', en: 'second cold start after the denials' },
  },
  {
    id: 'grant',
    letter: 'c',
    dir: 'c-grant',
    title: { zh: '首次启动，同意并授予全部权限', en: 'first start, agree, grant every permission' },
  },
  { id: 'background', letter: 'd', dir: 'd-background', title: { zh: '切到后台一段时间', en: 'in the background for a set time' } },
  { id: 'walk', letter: 'f', dir: 'f-walk', title: { zh: '有限的广度优先界面遍历', en: 'bounded breadth-first walk of the screens' } },
];

export interface ExploreLimits {
  /** How long to wait for the app's first window after a launch (slow screens, splash adverts). */
  windowTimeoutMs: number;
  /** Time between UI dumps while waiting. */
  pollMs: number;
  /** How long each scenario watches the app once its dialogs are answered. */
  observeMs: number;
  /** Scenario d: how long the app stays in the background. */
  backgroundMs: number;
  /** Dialogs answered per launch at most (a dialog that keeps coming back ends the scenario). */
  maxDialogs: number;
  /** The same dialog shown again after being answered this many times ends the scenario. */
  maxDialogRepeats: number;
  /** Scenario f: screens deep, taps in all, and time. */
  walkDepth: number;
  walkTaps: number;
  walkMs: number;
  /** Bytes of privacy-policy text saved. */
  maxPolicyBytes: number;
}

export const DEFAULT_EXPLORE_LIMITS: Readonly<ExploreLimits> = Object.freeze({
  windowTimeoutMs: 20_000,
  pollMs: 1000,
  observeMs: 10_000,
  backgroundMs: 60_000,
  maxDialogs: 12,
  maxDialogRepeats: 3,
  walkDepth: 3,
  walkTaps: 60,
  walkMs: 300_000,
  maxPolicyBytes: 2 * 1024 * 1024,
});

export interface ExploreOptions {
  adb: AdbRunner;
  package: string;
  outDir: string;
  /** Which scenarios to run (default all, in the order of `SCENARIOS`). */
  scenarios?: readonly ScenarioId[];
  limits?: Partial<ExploreLimits>;
  /** Words never tapped by the walk, besides the defaults (payment, delete, send, call, settings…). */
  denyWords?: readonly string[];
  /** Ad SDK view classes (from the SDK catalogue) that make a screen's role `ad`. */
  adViews?: readonly AdViewPrefixes[];
  /** Device serial for the trace headers. */
  serial?: string;
  /** Recorder name in the headers (`apprights-explore`, or with Frida attached `apprights-explore+frida`). */
  recorder?: string;
  /**
   * A recorder attached to the app's process after each launch (the Frida recorder: API calls with
   * stacks, so the rules can attribute them to SDKs). Its events join the scenario's trace when the
   * app is launched again or the scenario ends; an attach that fails ends the scenario with reason
   * `instrument-failed` (never a silent recording without it).
   */
  instrument?: ExploreInstrument;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

/** Attaches a second recorder to each launch of the app (see `fridaInstrument`). */
export interface ExploreInstrument {
  /** Starts recording the process the explorer has just launched; rejects when it cannot. */
  attach(target: { package: string; scenario: ScenarioInfo; launch: number }): Promise<InstrumentSession>;
}

export interface InstrumentSession {
  /** Stops recording: the events, `t` in ms since `attach` was called, and what went wrong on the way. */
  stop(): Promise<{ events: TraceEvent[]; warnings: string[] }>;
}

export type ScenarioStatus = 'completed' | 'aborted';

export type EndReason =
  | 'device-disconnected'
  | 'app-crashed'
  | 'no-window'
  | 'consent-not-found'
  | 'unreadable-dialog'
  | 'dialog-reappears'
  | 'app-exited'
  | 'aborted'
  | 'instrument-failed'
  | 'error';

export interface ScenarioResult {
  scenario: ScenarioId;
  dir: string;
  traceFile: string;
  status: ScenarioStatus;
  reason?: EndReason;
  message?: string;
  events: number;
  snapshots: number;
  /** Device clock (epoch ms) at the scenario's t = 0, when the device told it. */
  deviceEpochMs: number | null;
}

export interface ExploreResult {
  outDir: string;
  scenarios: ScenarioResult[];
  /** The privacy-policy text saved from the consent dialog's link, for `--policy`. */
  policyFile: string | null;
  warnings: string[];
}

/** Thrown inside a scenario to end it with a reason. */
class ScenarioEnd extends Error {
  constructor(
    readonly reason: EndReason,
    message: string,
  ) {
    super(message);
  }
}

const DISCONNECTED =
  /device (?:'[^']*' )?not found|device offline|no devices\/emulators found|device unauthorized|closed|protocol fault|connection reset/i;
const LOGCAT_TAGS = ['ActivityTaskManager:I', 'ActivityManager:I', 'AndroidRuntime:E', 'WindowManager:I'];
/** A jump this soon after the explorer's own action is the user's (the explorer is the only input). */
const TRIGGER_WINDOW_MS = 5000;

const text = (r: AdbResult) => r.stdout.toString('utf8');
const pad = (n: number) => String(n).padStart(4, '0');

/** Runs the scenarios; never throws for a device or app fault (each scenario records its own end). */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const pkg = options.package;
  assertPackageName(pkg);
  const adb = options.adb;
  const limits: ExploreLimits = { ...DEFAULT_EXPLORE_LIMITS, ...options.limits };
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deny = denyPattern(options.denyWords);
  const adViews = options.adViews ?? [];
  const warnings: string[] = [];
  const wanted = new Set(options.scenarios ?? SCENARIOS.map((s) => s.id));
  await mkdir(options.outDir, { recursive: true });
  let policyFile: string | null = null;
  let disconnected: string | null = null;

  /** One adb command; a lost device ends the scenario (and the later ones fail fast the same way). */
  const run = async (args: string[], timeoutMs?: number): Promise<AdbResult> => {
    if (disconnected) throw new ScenarioEnd('device-disconnected', disconnected);
    let result: AdbResult;
    try {
      result = await adb.run(args, timeoutMs !== undefined ? { timeoutMs } : undefined);
    } catch (error) {
      if (error instanceof AdbError) {
        disconnected = error.message;
        throw new ScenarioEnd('device-disconnected', error.message);
      }
      throw error;
    }
    if (result.code !== 0 && DISCONNECTED.test(result.stderr)) {
      disconnected = `adb ${args.slice(0, 3).join(' ')}: ${shorten(result.stderr.trim(), 200)}`;
      throw new ScenarioEnd('device-disconnected', disconnected);
    }
    return result;
  };

  // The permissions the app requests, once (the dialog names a group; the trace lists the app's own).
  let requested: Set<string> | null = null;
  /** The scenario whose agreement the app's kept data still holds (b for e, c for d and f), if any. */
  let consentKeptFrom: string | null = null;
  const clears: ReadonlySet<ScenarioId> = new Set(['refuse', 'deny', 'grant']);

  const results: ScenarioResult[] = [];
  for (const info of SCENARIOS) {
    if (!wanted.has(info.id)) continue;
    if (options.signal?.aborted) break;
    options.onProgress?.(`${info.letter} ${info.id}: ${info.title.en}`);
    const dir = join(options.outDir, info.dir);
    await mkdir(join(dir, 'ui'), { recursive: true });
    const traceFile = join(dir, 'trace.jsonl');
    const start = clock();
    const now = () => Math.round(clock() - start);
    let events = 0;
    let snapshots = 0;
    let lastAction: { t: number; line: number } | null = null;
    /** The attached recorder of the current launch, and the scenario time it was attached at. */
    let attached: { session: InstrumentSession; t0: number } | null = null;
    let launches = 0;
    const emit = async (event: TraceEvent) => {
      events++;
      await appendFile(traceFile, `${JSON.stringify(event)}\n`, 'utf8');
      return events;
    };
    const result: ScenarioResult = {
      scenario: info.id,
      dir: info.dir,
      traceFile,
      status: 'completed',
      events: 0,
      snapshots: 0,
      deviceEpochMs: null,
    };
    await writeFile(traceFile, '', 'utf8');
    /** Stops the attached recorder and appends its events, moved onto the scenario's time. */
    const detach = async () => {
      if (attached === null) return;
      const { session, t0 } = attached;
      attached = null;
      const got = await session.stop();
      for (const w of got.warnings.slice(0, 50)) warnings.push(`${info.dir}: frida: ${w}`);
      for (const event of got.events) await emit({ ...event, t: Math.max(0, Math.round(event.t + t0)) } as TraceEvent);
    };
    try {
      // --- header: device, app version, device clock -------------------------------------------
      const sdk = await run(['shell', 'getprop', 'ro.build.version.sdk']);
      if (sdk.code !== 0)
        throw new ScenarioEnd('device-disconnected', `no device: ${shorten(sdk.stderr.trim() || `exit ${sdk.code}`, 200)}`);
      const model = text(await run(['shell', 'getprop', 'ro.product.model'])).trim();
      const qemu = text(await run(['shell', 'getprop', 'ro.kernel.qemu'])).trim() === '1';
      const dumpsys = await run(['shell', 'dumpsys', 'package', pkg]);
      const info0 = parseDumpsysPackagePermissions(text(dumpsys), { package: pkg });
      if (info0.package !== pkg) throw new ScenarioEnd('error', `${pkg} is not installed on the device`);
      requested ??= new Set([...info0.requested, ...info0.runtime.map((g) => g.permission)]);
      const epochText = text(await run(['shell', 'date', '+%s.%N'])).trim();
      const epoch = /^\d{9,11}(\.\d+)?$/.test(epochText) ? Math.round(Number(epochText) * 1000) : null;
      result.deviceEpochMs = epoch === null ? null : epoch - now();
      const header: TraceHeader & { scenario: string; deviceEpochMs?: number } = {
        kind: 'trace',
        t: 0,
        version: TRACE_FORMAT_VERSION,
        package: pkg,
        recorder: options.recorder ?? 'apprights-explore',
        scenario: `${info.letter}-${info.id}`,
        ...(info0.versionName !== undefined ? { versionName: info0.versionName } : {}),
        ...(info0.versionCode !== undefined ? { versionCode: info0.versionCode } : {}),
        device: {
          emulator: qemu,
          ...(model ? { model: shorten(model, 100) } : {}),
          ...(Number.parseInt(text(sdk), 10) > 0 ? { sdkInt: Number.parseInt(text(sdk), 10) } : {}),
          ...(options.serial !== undefined ? { serial: options.serial } : {}),
        },
        ...(result.deviceEpochMs !== null
          ? { startedAt: new Date(result.deviceEpochMs).toISOString(), deviceEpochMs: result.deviceEpochMs }
          : {}),
      };
      await emit(header);
      await emit({ kind: 'scenario', t: 0, action: 'start', id: info.id, letter: info.letter, title: info.title } as TraceEvent);
      if (clears.has(info.id)) consentKeptFrom = null;
      else if (consentKeptFrom !== null)
        // The app's data is kept from an earlier scenario in which the explorer agreed: the agreement
        // still holds at this launch, and the trace says so rather than look like "no consent yet".
        await emit({ kind: 'consent', t: 0, action: 'agreed', detectedBy: 'auto', from: consentKeptFrom } as TraceEvent);

      // --- helpers bound to this scenario ---------------------------------------------------------
      const baseline = parseAppOps(text(await run(['shell', 'dumpsys', 'appops', '--package', pkg])), clock(), { package: pkg });
      const seenAccess = new Set(baseline.accesses.map((a) => `${a.op}|${a.kind}|${a.state ?? ''}|${Math.round(a.time / 1000)}`));
      const readAccesses = async () => {
        const r = await run(['shell', 'dumpsys', 'appops', '--package', pkg]);
        if (r.code !== 0) return;
        for (const a of parseAppOps(text(r), clock(), { package: pkg }).accesses) {
          const key = `${a.op}|${a.kind}|${a.state ?? ''}|${Math.round(a.time / 1000)}`;
          if (a.pi === null || seenAccess.has(key)) continue;
          seenAccess.add(key);
          const event: ApiEvent = { kind: 'api', t: Math.max(0, Math.round(a.time - start)), class: 'appops', method: a.op, pi: a.pi };
          const state = appStateOfUidState(a.state);
          if (state) event.state = state;
          if (a.kind === 'reject') event.result = 'rejected';
          await emit(event);
        }
      };
      let lastActivity: string | null = null;
      const checkActivity = async () => {
        const found = resumedActivity(text(await run(['shell', 'dumpsys', 'activity', 'activities'])));
        if (!found) return null;
        const key = `${found.package}/${found.activity}`;
        if (key === lastActivity) return found;
        lastActivity = key;
        const t = now();
        if (found.package === pkg)
          await emit({ kind: 'navigation', t, action: 'activity', target: found.activity } satisfies NavigationEvent);
        else if (
          (INSTALLER_PACKAGES.has(found.package) && /install/i.test(found.activity)) ||
          (!isPermissionPackage(found.package) && found.package !== 'android' && !/launcher|systemui/i.test(found.package))
        ) {
          const action: NavigationEvent['action'] = BROWSER_PACKAGES.has(found.package)
            ? 'jump-browser'
            : STORE_PACKAGES.has(found.package)
              ? 'jump-store'
              : INSTALLER_PACKAGES.has(found.package)
                ? 'install-request'
                : 'jump-app';
          // An installer in front is a package install the app asked for (an APK intent).
          const byUs = lastAction !== null && t - lastAction.t <= TRIGGER_WINDOW_MS;
          await emit({
            kind: 'navigation',
            t,
            action,
            target: found.package,
            trigger: byUs ? 'user' : 'app',
            // The explorer is the only input on the device while it runs: no action of its own means the app.
            triggerEvidence: byUs
              ? `explorer tap line ${lastAction!.line}, ${t - lastAction!.t} ms before`
              : `no explorer input in the ${TRIGGER_WINDOW_MS} ms before (the explorer is the only input while it runs)`,
            intent: { component: 'activity', package: found.package },
          } satisfies NavigationEvent);
        }
        return found;
      };
      // An unchanged screen while the explorer only watches is not a new snapshot (the adb recorder
      // does the same); after one of its own actions the screen is always recorded, changed or not,
      // since the rules judge what an action did by the snapshot after it.
      let lastXml: string | null = null;
      let lastReading: ScreenReading | null = null;
      let acted = false;
      const dump = async (): Promise<ScreenReading | null> => {
        const r = await run(['exec-out', 'uiautomator', 'dump', '/dev/tty'], 20_000);
        const xml = r.code === 0 ? extractHierarchy(text(r)) : null;
        if (xml === null || !xml.includes('</hierarchy>')) return null;
        if (!acted && xml === lastXml && lastReading !== null) return lastReading;
        acted = false;
        lastXml = xml;
        const reading = readScreen(xml, pkg, adViews);
        lastReading = reading;
        snapshots++;
        const id = `ui-${pad(snapshots)}`;
        await writeFile(join(dir, 'ui', `${id}.xml`), xml, 'utf8');
        const event: UiEvent = { kind: 'ui', t: now(), id, file: `ui/${id}.xml` };
        if (reading.screen) event.screen = reading.screen;
        if (reading.role) event.role = reading.role;
        if (reading.adSdks.length > 0) event.adSdks = reading.adSdks;
        if (lastActivity) event.activity = lastActivity.replace(/^[^/]*\//, '');
        await emit(event);
        (reading as ScreenReading & { id: string }).id = id;
        return reading;
      };
      const tap = async (
        x: number,
        y: number,
        node: { id?: string; text?: string; cls?: string; pkg?: string; bounds?: [number, number, number, number] },
      ) => {
        if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || x < 0 || y < 0) return;
        await run(['shell', 'input', 'tap', String(x), String(y)]);
        const event: UserEvent = { kind: 'user', t: now(), action: 'tap', x, y, source: 'explorer' };
        if (node.id) event.node = node.id;
        if (node.text) event.nodeText = shorten(node.text, 200);
        if (node.cls) event.nodeClass = node.cls;
        if (node.bounds) event.nodeBounds = node.bounds;
        if (node.pkg) event.package = node.pkg;
        const line = await emit(event);
        lastAction = { t: event.t, line };
        acted = true;
      };
      /** A tap on one of the app's controls, recorded with the node it hit. */
      const tapControl = (control: Control) =>
        tap(control.center[0], control.center[1], {
          id: control.resourceId,
          text: control.label,
          cls: control.className,
          pkg,
          bounds: control.bounds,
        });
      const key = async (name: 'KEYCODE_BACK' | 'KEYCODE_HOME') => {
        await run(['shell', 'input', 'keyevent', name]);
        const t = now();
        const line = await emit({
          kind: 'user',
          t,
          action: name === 'KEYCODE_BACK' ? 'back' : 'home',
          key: name,
          source: 'explorer',
        } satisfies UserEvent);
        lastAction = { t, line };
        acted = true;
      };
      const running = async () => text(await run(['shell', 'pidof', pkg])).trim() !== '';
      const launch = async (clear: boolean) => {
        await detach();
        await run(['shell', 'am', 'force-stop', pkg]);
        if (clear) await run(['shell', 'pm', 'clear', pkg]);
        await run(['shell', 'logcat', '-c']);
        const t = now();
        const line = await emit({ kind: 'user', t, action: 'launch', node: pkg, source: 'explorer' } satisfies UserEvent);
        lastAction = { t, line };
        acted = true;
        const monkey = await run(['shell', 'monkey', '-p', pkg, '-c', 'android.intent.category.LAUNCHER', '1']);
        if (monkey.code !== 0 || /No activities found|monkey aborted/i.test(text(monkey)))
          throw new ScenarioEnd('no-window', `cannot launch ${pkg}: ${shorten(text(monkey).trim() || monkey.stderr.trim(), 200)}`);
        await emit({ kind: 'lifecycle', t: now(), action: 'process-start', cause: 'launcher' } satisfies LifecycleEvent);
        if (options.instrument) {
          // Attached right after the start (not spawned by Frida: the explorer's launch is the one the
          // scenario describes); what the app does before the attach completes is seen by adb only.
          const t0 = now();
          try {
            attached = { session: await options.instrument.attach({ package: pkg, scenario: info, launch: ++launches }), t0 };
          } catch (error) {
            throw new ScenarioEnd('instrument-failed', `Frida: ${shorten((error as Error).message, 300)}`);
          }
        }
      };

      /**
       * Answers the dialogs that come after a launch until the app's own screen is in front and
       * stays: the privacy dialog (agree or refuse), system permission dialogs (grant or deny),
       * crash dialogs (the scenario ends). Waits through splash screens and empty dumps.
       */
      const settle = async (consentAnswer: 'agree' | 'refuse', permissionAnswer: 'grant' | 'deny'): Promise<ScreenReading | null> => {
        const deadline = clock() + limits.windowTimeoutMs;
        let answered = 0;
        const repeats = new Map<string, number>();
        let consentSeen = false;
        let previous: string | null = null;
        let unreadable = 0;
        let refused = false;
        while (true) {
          if (options.signal?.aborted) throw new ScenarioEnd('aborted', 'stopped');
          await checkActivity();
          const reading = await dump();
          if (reading && reading.kind === 'crash') {
            await emit({ kind: 'lifecycle', t: now(), action: 'crash' } satisfies LifecycleEvent);
            if (reading.crashClose)
              await tap(reading.crashClose[0], reading.crashClose[1], { text: 'close app', ...reading.crashCloseNode });
            throw new ScenarioEnd('app-crashed', `${pkg} crashed (the system's "has stopped" dialog)`);
          }
          if (reading && (reading.kind === 'permission' || reading.kind === 'consent')) {
            const sig =
              reading.kind === 'permission' ? `p:${reading.permission!.message ?? reading.permission!.group}` : `c:${reading.signature}`;
            const n = (repeats.get(sig) ?? 0) + 1;
            repeats.set(sig, n);
            if (n > limits.maxDialogRepeats)
              throw new ScenarioEnd('dialog-reappears', `the same ${reading.kind} dialog came back ${n - 1} times after being answered`);
            if (++answered > limits.maxDialogs)
              throw new ScenarioEnd('dialog-reappears', `more than ${limits.maxDialogs} dialogs after one launch`);
          }
          if (reading?.kind === 'permission') {
            const dialog = reading.permission!;
            const b = dialog.buttons;
            const button =
              permissionAnswer === 'grant' ? (b.allowForegroundOnly ?? b.allow ?? b.allowOnce ?? b.allowAlways) : (b.deny ?? b.denyForever);
            const asked = dialog.permissions.filter((p) => requested!.has(p));
            const permissions = asked.length > 0 ? asked : dialog.permissions.length > 0 ? [...dialog.permissions] : ['unknown'];
            const event: PermissionRequestEvent & { snapshot?: string } = {
              kind: 'permission-request',
              t: now(),
              permissions,
              snapshot: (reading as ScreenReading & { id: string }).id,
            };
            if (button) event.answers = permissions.map(() => (permissionAnswer === 'grant' ? 'granted' : 'denied'));
            await emit(event);
            if (button)
              await tap(button.center[0], button.center[1], {
                id: button.resourceId,
                text: button.text,
                pkg: dialog.package,
                bounds: button.bounds,
              });
            else warnings.push(`${info.dir}: a permission dialog without a ${permissionAnswer} button`);
            await sleep(limits.pollMs);
            continue;
          }
          if (reading?.kind === 'consent') {
            const dialog = reading.consent!;
            const id = (reading as ScreenReading & { id: string }).id;
            if (!consentSeen)
              await emit({ kind: 'consent', t: now(), action: 'shown', detectedBy: 'ui', snapshot: id } satisfies ConsentEvent);
            consentSeen = true;
            if (policyFile === null) policyFile = await followPolicy(reading, id);
            const button = consentAnswer === 'agree' ? dialog.agree : dialog.refuse;
            if (!button) throw new ScenarioEnd('unreadable-dialog', 'the privacy dialog has no refuse button the explorer can read');
            if (consentAnswer === 'agree' && dialog.checkbox && !dialog.checkbox.checked)
              await tap(dialog.checkbox.center[0], dialog.checkbox.center[1], {
                id: dialog.checkbox.resourceId,
                text: dialog.checkbox.text,
                pkg,
                bounds: dialog.checkbox.bounds,
              });
            await tap(button.center[0], button.center[1], { id: button.resourceId, text: button.text, pkg, bounds: button.bounds });
            await emit({
              kind: 'consent',
              t: now(),
              action: consentAnswer === 'agree' ? 'agreed' : 'refused',
              detectedBy: 'auto',
              snapshot: id,
            } satisfies ConsentEvent);
            refused = consentAnswer === 'refuse';
            consentKeptFrom = consentAnswer === 'agree' ? info.dir : null;
            await sleep(limits.pollMs);
            continue;
          }
          if (reading?.kind === 'unreadable-dialog') {
            // A dialog the explorer cannot read: record it, try the back key once, then give up.
            if (++unreadable > 1) throw new ScenarioEnd('unreadable-dialog', 'a dialog the explorer cannot read stays in front');
            warnings.push(`${info.dir}: a dialog the explorer cannot read (${(reading as ScreenReading & { id: string }).id})`);
            await key('KEYCODE_BACK');
            await sleep(limits.pollMs);
            continue;
          }
          if (reading && (reading.kind === 'other-app' || reading.kind === 'empty') && !(await running())) {
            // The app quit (after a refusal, or on its own): said at once, with the time it was seen gone.
            await emit({ kind: 'lifecycle', t: now(), action: 'exit' } satisfies LifecycleEvent);
            if (refused) return null;
            throw new ScenarioEnd('app-exited', `${pkg} quit`);
          }
          if (refused && (!reading || reading.kind === 'other-app' || reading.kind === 'empty')) {
            // The app left after the refusal (or closed its window): nothing more to answer.
            await emit({ kind: 'lifecycle', t: now(), action: 'background' } satisfies LifecycleEvent);
            return null;
          }
          if (reading?.kind === 'app' && !reading.splash) {
            // The app's own screen, the same on two dumps in a row: settled.
            if (previous === reading.signature) return reading;
            previous = reading.signature;
          } else previous = null;
          if (clock() >= deadline) {
            if (!(await running())) {
              await emit({ kind: 'lifecycle', t: now(), action: 'exit' } satisfies LifecycleEvent);
              throw new ScenarioEnd('app-exited', `${pkg} is not running (no window within ${limits.windowTimeoutMs} ms)`);
            }
            if (reading?.kind === 'app') return reading;
            if (refused) return null;
            throw new ScenarioEnd('no-window', `${pkg} showed no window of its own within ${limits.windowTimeoutMs} ms`);
          }
          await sleep(limits.pollMs);
        }
      };

      /** Follows the privacy dialog's policy link once and saves the text for `--policy`. */
      const followPolicy = async (reading: ScreenReading, id: string): Promise<string | null> => {
        const link = policyLinkNode(reading, pkg);
        if (!link) return null;
        await tap(link.center[0], link.center[1], {
          text: link.text || 'privacy policy link',
          id: link.id,
          pkg: link.pkg,
          bounds: link.bounds,
        });
        await sleep(limits.pollMs);
        const page = await dump();
        let saved: string | null = null;
        if (page && page.kind !== 'consent' && page.kind !== 'crash') {
          const body = screenText(page, pkg, limits.maxPolicyBytes);
          if (body.trim().length > 0) {
            saved = join(options.outDir, 'privacy-policy.txt');
            await writeFile(saved, body, 'utf8');
          }
          await key('KEYCODE_BACK');
          await sleep(limits.pollMs);
        } else warnings.push(`${info.dir}: the policy link of ${id} opened nothing the explorer could read`);
        return saved;
      };

      /** Watches the app without touching it: dumps, activities, AppOps. */
      const observe = async (ms: number, consentAnswer: 'agree' | 'refuse', permissionAnswer: 'grant' | 'deny') => {
        const until = clock() + ms;
        while (clock() < until) {
          if (options.signal?.aborted) throw new ScenarioEnd('aborted', 'stopped');
          await checkActivity();
          const reading = await dump();
          if (reading?.kind === 'crash') {
            await emit({ kind: 'lifecycle', t: now(), action: 'crash' } satisfies LifecycleEvent);
            throw new ScenarioEnd('app-crashed', `${pkg} crashed while watched`);
          }
          // A dialog that comes later (a permission asked after the home screen): answered the same way.
          if (reading && (reading.kind === 'permission' || reading.kind === 'consent')) await settle(consentAnswer, permissionAnswer);
          await readAccesses();
          await sleep(limits.pollMs);
        }
      };

      /** The logcat lines of this run: activities, jumps, starts (with the explorer's triggers). */
      const readLogcat = async () => {
        const r = await run(['shell', 'logcat', '-d', '-v', 'epoch', '-s', ...LOGCAT_TAGS]);
        if (r.code !== 0 || result.deviceEpochMs === null) return;
        const parser = new LogcatActivityParser({ package: pkg });
        for (const event of parser.push(text(r).split(/\r?\n/))) {
          if (event.kind === 'navigation' && (event.action === 'activity' || event.action === 'page')) continue; // dumpsys saw those
          const t = Math.round(event.t - result.deviceEpochMs);
          if (t < 0) continue;
          const out: TraceEvent = { ...event, t };
          await emit(out);
        }
      };

      // --- the scenario itself -------------------------------------------------------------------
      switch (info.id) {
        case 'refuse': {
          await launch(true);
          await settle('refuse', 'deny');
          await observe(limits.observeMs, 'refuse', 'deny');
          break;
        }
        case 'deny':
        case 'grant': {
          await launch(true);
          const answer = info.id === 'deny' ? 'deny' : 'grant';
          await settle('agree', answer);
          await observe(limits.observeMs, 'agree', answer);
          break;
        }
        case 'second-start': {
          await launch(false);
          await settle('agree', 'deny');
          await observe(limits.observeMs, 'agree', 'deny');
          break;
        }
        case 'background': {
          await launch(false);
          await settle('agree', 'grant');
          await key('KEYCODE_HOME');
          await emit({ kind: 'lifecycle', t: now(), action: 'background' } satisfies LifecycleEvent);
          const until = clock() + limits.backgroundMs;
          while (clock() < until) {
            if (options.signal?.aborted) throw new ScenarioEnd('aborted', 'stopped');
            await readAccesses();
            await checkActivity();
            await sleep(Math.max(limits.pollMs, Math.min(10_000, limits.backgroundMs / 6)));
          }
          await readAccesses();
          break;
        }
        case 'walk': {
          await launch(false);
          const home = await settle('agree', 'grant');
          if (!home) throw new ScenarioEnd('no-window', `${pkg} showed no screen to walk`);
          await walk(home);
          break;
        }
      }
      await readAccesses();
      await readLogcat();

      /** Breadth-first over screens: each control once, within depth, taps and time; back to return, else relaunch and replay. */
      async function walk(home: ScreenReading): Promise<void> {
        const deadline = clock() + limits.walkMs;
        const tapped = new Set<string>();
        let taps = 0;
        const queue: { path: Control[]; signature: string }[] = [{ path: [], signature: home.signature }];
        const visited = new Set<string>([home.signature]);
        const replay = async (path: Control[]) => {
          await launch(false);
          let screen = await settle('agree', 'grant');
          if (!screen) return null;
          for (const step of path) {
            const control = controlsOf(screen, pkg, deny).find((c) => c.key === step.key);
            if (!control) return null;
            await tapControl(control);
            await sleep(limits.pollMs);
            const next = await dump();
            if (!next || next.kind !== 'app') return null;
            screen = next;
          }
          return screen;
        };
        while (queue.length > 0) {
          const { path, signature } = queue.shift()!;
          let screen: ScreenReading | null = path.length === 0 ? home : await replay(path);
          if (!screen || screen.signature !== signature) continue;
          for (const control of controlsOf(screen, pkg, deny)) {
            if (taps >= limits.walkTaps || clock() >= deadline || options.signal?.aborted) return;
            const id = `${signature.length}:${control.key}`;
            if (tapped.has(id)) continue;
            tapped.add(id);
            taps++;
            await tapControl(control);
            await sleep(limits.pollMs);
            const activity = await checkActivity();
            let next = await dump();
            if (next?.kind === 'crash') {
              await emit({ kind: 'lifecycle', t: now(), action: 'crash' } satisfies LifecycleEvent);
              throw new ScenarioEnd('app-crashed', `${pkg} crashed after a tap on ${shorten(control.label || control.resourceId, 60)}`);
            }
            if (next?.kind === 'consent' || next?.kind === 'permission') next = await settle('agree', 'grant');
            const left = activity !== null && activity.package !== pkg;
            if (
              next &&
              next.kind === 'app' &&
              next.signature !== signature &&
              !visited.has(next.signature) &&
              path.length + 1 < limits.walkDepth
            ) {
              visited.add(next.signature);
              queue.push({ path: [...path, control], signature: next.signature });
            }
            if (left || (next && next.signature !== signature)) {
              await key('KEYCODE_BACK');
              await sleep(limits.pollMs);
              await checkActivity();
              const back = await dump();
              if (!back || back.signature !== signature) {
                screen = await replay(path);
                if (!screen || screen.signature !== signature) break;
              }
            }
          }
          await readAccesses();
        }
      }
    } catch (error) {
      result.status = 'aborted';
      if (error instanceof ScenarioEnd) {
        result.reason = error.reason;
        result.message = error.message;
      } else {
        result.reason = 'error';
        result.message = (error as Error).message;
      }
    }
    try {
      await detach();
    } catch (error) {
      warnings.push(`${info.dir}: frida: stopping the recorder: ${shorten((error as Error).message, 300)}`);
    }
    const tEnd = Math.round(clock() - start);
    try {
      await appendFile(
        traceFile,
        `${JSON.stringify({ kind: 'scenario', t: tEnd, action: 'end', id: info.id, status: result.status, ...(result.reason ? { reason: result.reason, message: result.message } : {}) })}\n`,
        'utf8',
      );
      events++;
    } catch (error) {
      warnings.push(`${info.dir}: cannot write the end of the trace: ${(error as Error).message}`);
    }
    result.events = events;
    result.snapshots = snapshots;
    results.push(result);
    options.onProgress?.(`${info.letter} ${info.id}: ${result.status}${result.reason ? ` (${result.reason}: ${result.message})` : ''}`);
  }
  await writeFile(
    join(options.outDir, 'explore.json'),
    `${JSON.stringify({ package: pkg, scenarios: results.map(({ traceFile: _t, ...r }) => r), policyFile: policyFile ? 'privacy-policy.txt' : null, warnings }, null, 2)}\n`,
    'utf8',
  );
  return { outDir: options.outDir, scenarios: results, policyFile, warnings };
}
