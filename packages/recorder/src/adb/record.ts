import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  TRACE_FORMAT_VERSION,
  type ApiEvent,
  type ConsentAction,
  type ConsentEvent,
  type PermissionAnswer,
  type PermissionRequestEvent,
  type TraceEvent,
  type TraceHeader,
  type UiEvent,
  type UserEvent,
} from '@apprights/runtime';
import { appStateOfUidState, parseAppOps, type AppOpAccess } from './appops.js';
import { findConsentDialog, type ConsentDialog } from './consent-dialog.js';
import { answerOfGrant, parseDumpsysPackagePermissions, type PackagePermissions } from './dumpsys-package.js';
import { shorten } from './limits.js';
import { LogcatActivityParser, splitLogcatLine } from './logcat.js';
import { parsePermissionDialog, type DialogButton, type PermissionDialog } from './permission-dialog.js';
import { AdbError, SpawnAdbRunner, type AdbResult, type AdbRunner, type AdbRunOptions } from './run.js';
import { assertPackageName } from './validate.js';
import { extractHierarchy, labelOf, readUiDump, screenOf } from './xml.js';

/** What the recorder reports while it runs. */
export interface RecordProgress {
  tick: number;
  elapsedMs: number;
  /** Events produced so far (written or waiting to be written in time order). */
  events: number;
  message: string;
}

/** Lets the caller (the CLI's keyboard, a test) mark consent and stop the recording while it runs. */
export class RecorderControl {
  /** @internal */ readonly marks: ConsentAction[] = [];
  /** @internal */ stopped = false;

  /** The tester saw the app's consent dialog shown/agreed/refused/withdrawn: a `consent` event with `detectedBy: 'user'`. */
  markConsent(action: ConsentAction): void {
    this.marks.push(action);
  }

  /** Ends the recording after the current poll. */
  stop(): void {
    this.stopped = true;
  }
}

export interface RecordWithAdbOptions {
  adb: AdbRunner;
  /** The app under test; must be a plain package name (`com.example.app`). */
  package: string;
  /** How long to record after the launch, ms. */
  durationMs: number;
  /** Time between polls (UI dump, screenshot, logcat, AppOps), ms; at least 200. */
  intervalMs: number;
  /** Tap the agree button of the app's privacy dialog when it appears (a `consent` event with `detectedBy: 'auto'`). */
  autoConsent: boolean;
  /** Answer system permission dialogs: `none` (the tester answers on the phone; default), `allow` (while in use when offered), `deny`. */
  autoPermission?: 'none' | 'allow' | 'deny';
  /** Folder for `trace.jsonl`, `ui/*.xml` and `screenshots/*.png` (created). */
  outDir: string;
  /** Milliseconds, monotonic (default `performance.now`); trace times are relative to the start. */
  clock?: () => number;
  /** Waits between polls (default `setTimeout`); tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: RecordProgress) => void;
  /** Take screenshots with the UI dumps (default true). */
  screenshots?: boolean;
  /** Force-stop the app and clear logcat before launching (default true): a cold start, and only this run's log. */
  coldStart?: boolean;
  /** Device serial for the trace header (default: the runner's, when it is a `SpawnAdbRunner`). */
  serial?: string;
  control?: RecorderControl;
  signal?: AbortSignal;
  /** Ad SDK view classes (from the SDK catalogue): a screen holding them has role `ad` (trace 1.1). */
  adViews?: readonly { sdk: string; prefixes: readonly string[] }[];
}

export interface RecordResult {
  outDir: string;
  traceFile: string;
  events: number;
  snapshots: number;
  screenshots: number;
  /** Commands that failed and outputs that could not be read: the recording went on without them. */
  warnings: string[];
  durationMs: number;
}

const LOGCAT_TAGS = ['ActivityTaskManager:I', 'ActivityManager:I', 'AndroidRuntime:E', 'WindowManager:I'];
const DEVICE_DUMP_FILE = '/data/local/tmp/apprights-ui.xml';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** AppOps times are computed from "ago" values and the host clock; closer than this is the same access. */
const APPOPS_TOLERANCE_MS = 1000;
/** Logcat and host clocks differ by a command's latency; events this close to the last poll may still come. */
const ORDER_SLACK_MS = 500;
const SPLASH_TEXT = /^(跳过|跳过广告|点击跳过|skip|skip ad)\s*\d{0,2}\s*[sS秒]?$|^\d{1,2}\s*[sS秒]?\s*(跳过|skip)$/i;
const PURPOSE_TEXT =
  /权限说明|权限申请|权限使用说明|用于|以便|为了|需要(获取|使用|访问|申请|开启)|申请(获取|使用|访问)|(获取|使用|访问).{0,12}权限|needs? (access|permission)|permission is (needed|required|used)|to (scan|take|record|find|show|provide)/i;

function text(result: AdbResult): string {
  return result.stdout.toString('utf8');
}

/** `1704420000.123456789` (toybox `date +%s.%N`) → epoch ms; null for anything else. */
function parseDeviceEpoch(output: string): number | null {
  const m = /^\s*(\d{9,11})(?:\.(\d{1,9}))?/.exec(output);
  if (!m) return null;
  return Number(m[1]) * 1000 + (m[2] !== undefined && /^\d+$/.test(m[2]) ? Number(m[2].padEnd(3, '0').slice(0, 3)) : 0);
}

const pad = (n: number) => String(n).padStart(4, '0');

/**
 * Records an app on a phone or emulator over adb, without root, into the runtime trace format:
 * `outDir/trace.jsonl` (a `trace` header, then `ui`, `consent`, `permission-request`, `user`,
 * `lifecycle`, `navigation` and AppOps-derived `api` events, times in ms since the start),
 * `outDir/ui/*.xml` (uiautomator dumps) and `outDir/screenshots/*.png`.
 *
 * The app is force-stopped, logcat cleared, and the app launched; then every `intervalMs` the
 * recorder dumps the UI (finding the app's privacy dialog and the system permission dialog), takes
 * a screenshot, reads the new logcat lines and the app's AppOps. Every device-derived string stays
 * data: commands are argv arrays, the package is validated, and taps are whole numbers.
 */
export async function recordWithAdb(options: RecordWithAdbOptions): Promise<RecordResult> {
  const { adb, outDir } = options;
  const pkg = options.package;
  assertPackageName(pkg);
  if (!Number.isFinite(options.durationMs) || options.durationMs < 0) throw new RangeError('durationMs must be a number ≥ 0');
  if (!Number.isFinite(options.intervalMs) || options.intervalMs < 200) throw new RangeError('intervalMs must be a number ≥ 200');
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const control = options.control;
  const takeScreenshots = options.screenshots !== false;
  const autoPermission = options.autoPermission ?? 'none';

  const traceFile = join(outDir, 'trace.jsonl');
  await mkdir(join(outDir, 'ui'), { recursive: true });
  if (takeScreenshots) await mkdir(join(outDir, 'screenshots'), { recursive: true });

  const start = clock();
  const now = () => Math.max(0, Math.round(clock() - start));
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < 200 && !warnings.includes(message)) warnings.push(message);
  };
  const run = async (args: string[], runOptions?: AdbRunOptions): Promise<AdbResult> => {
    const result = await adb.run(args, runOptions);
    if (result.code !== 0)
      warn(`adb ${args.join(' ')}: exit ${result.code}${result.stderr ? `: ${shorten(result.stderr.trim(), 300)}` : ''}`);
    return result;
  };
  const progress = (tick: number, message: string) =>
    options.onProgress?.({ tick, elapsedMs: now(), events: written + queue.length, message });

  // The trace is written in time order: events wait in `queue` until no earlier event can still come.
  const queue: TraceEvent[] = [];
  let written = 0;
  let lastWrittenT = 0;
  const emit = (event: TraceEvent) => {
    queue.push(event);
  };
  const flush = async (upTo: number) => {
    const ready: TraceEvent[] = [];
    for (let i = 0; i < queue.length;) {
      if (queue[i]!.t <= upTo) ready.push(queue.splice(i, 1)[0]!);
      else i++;
    }
    if (ready.length === 0) return;
    ready.sort((a, b) => a.t - b.t);
    let out = '';
    for (const event of ready) {
      event.t = Math.max(Math.round(event.t), lastWrittenT);
      lastWrittenT = event.t;
      out += `${JSON.stringify(event)}\n`;
    }
    written += ready.length;
    await appendFile(traceFile, out, 'utf8');
  };

  // --- the device and the app -------------------------------------------------------------------
  const getprop = async (name: string) => {
    const result = await adb.run(['shell', 'getprop', name]);
    return result.code === 0 ? text(result).trim() : '';
  };
  const first = await adb.run(['shell', 'getprop', 'ro.build.version.sdk']);
  if (first.code !== 0)
    throw new AdbError(`no device: adb shell getprop failed: ${shorten(first.stderr.trim() || `exit ${first.code}`, 300)}`);
  const sdkInt = Number.parseInt(text(first).trim(), 10);
  const model = await getprop('ro.product.model');
  const emulator = (await getprop('ro.kernel.qemu')) === '1' || (await getprop('ro.boot.qemu')) === '1';
  const packageInfo = async (): Promise<PackagePermissions | null> => {
    const result = await run(['shell', 'dumpsys', 'package', pkg]);
    if (result.code !== 0) return null;
    const info = parseDumpsysPackagePermissions(text(result), { package: pkg });
    return info.package === pkg ? info : null;
  };
  const installed = await packageInfo();
  if (!installed) throw new AdbError(`${pkg} is not installed on the device (dumpsys package has no block for it)`);

  const beforeDate = now();
  const deviceEpoch = parseDeviceEpoch(text(await run(['shell', 'date', '+%s.%N'])));
  // the device read its clock somewhere during the command: take the middle
  const afterDate = now();
  const dateAt = (beforeDate + afterDate) / 2;
  // how far off that mapping can be: half the round trip (under load, seconds on a slow host)
  const clockSlack = (afterDate - beforeDate) / 2;
  if (deviceEpoch === null) warn('device clock unreadable (date +%s.%N): logcat events take the time of the poll that read them');
  const traceTimeOfDevice = (epochMs: number, fallback: number) => (deviceEpoch === null ? fallback : epochMs - deviceEpoch + dateAt);

  const header: TraceHeader = { kind: 'trace', t: 0, version: TRACE_FORMAT_VERSION, package: pkg, recorder: 'apprights-adb' };
  if (installed.versionName !== undefined) header.versionName = installed.versionName;
  if (installed.versionCode !== undefined) header.versionCode = installed.versionCode;
  const device: NonNullable<TraceHeader['device']> = { emulator };
  if (model) device.model = shorten(model, 100);
  if (Number.isSafeInteger(sdkInt) && sdkInt > 0) device.sdkInt = sdkInt;
  const serial = options.serial ?? (adb instanceof SpawnAdbRunner ? adb.serial : undefined);
  if (serial !== undefined) device.serial = serial;
  header.device = device;
  header.startedAt = new Date().toISOString();
  await writeFile(traceFile, `${JSON.stringify(header)}\n`, 'utf8');
  written = 1;

  if (options.coldStart !== false) {
    await run(['shell', 'am', 'force-stop', pkg]);
    await run(['shell', 'logcat', '-c']);
  }

  // --- AppOps: which command works, and what was there before this run -----------------------------
  let appopsCommand = ['shell', 'dumpsys', 'appops', '--package', pkg];
  const readAppOps = async () => {
    const result = await adb.run(appopsCommand);
    const at = now();
    return { result, at, report: parseAppOps(text(result), at, { package: pkg }) };
  };
  let baseline = await readAppOps();
  if (baseline.result.code !== 0 || (baseline.report.format === 'unknown' && !/AppOps Service state/.test(text(baseline.result)))) {
    appopsCommand = ['shell', 'appops', 'get', pkg];
    baseline = await readAppOps();
    if (baseline.result.code !== 0) warn(`AppOps unreadable (${shorten(baseline.result.stderr.trim(), 200)}): no api events`);
  }
  const lastAccess = new Map<string, number>();
  const accessKey = (a: AppOpAccess) => `${a.op}|${a.kind}|${a.state ?? ''}|${a.attributionTag ?? ''}`;
  for (const access of baseline.report.accesses) lastAccess.set(accessKey(access), access.time);

  // --- launch ----------------------------------------------------------------------------------
  const launchT = now();
  emit({ kind: 'user', t: launchT, action: 'launch', node: pkg } satisfies UserEvent);
  const monkey = await adb.run(['shell', 'monkey', '-p', pkg, '-c', 'android.intent.category.LAUNCHER', '1']);
  if (monkey.code !== 0 || /No activities found|monkey aborted/i.test(text(monkey))) {
    const resolved = await run(['shell', 'cmd', 'package', 'resolve-activity', '--brief', '-c', 'android.intent.category.LAUNCHER', pkg]);
    const component = text(resolved)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .reverse()
      .find((l) => /^[A-Za-z][\w.]*\/[\w.]+$/.test(l) && l.startsWith(`${pkg}/`));
    if (!component) throw new AdbError(`cannot launch ${pkg}: no launcher activity (monkey: ${shorten(text(monkey).trim(), 200)})`);
    await run(['shell', 'am', 'start', '-a', 'android.intent.action.MAIN', '-c', 'android.intent.category.LAUNCHER', '-n', component]);
  }

  // --- polling state ---------------------------------------------------------------------------------
  const logcat = new LogcatActivityParser({ package: pkg, ...(installed.uid !== undefined ? { appUid: installed.uid } : {}) });
  let lastLogEpoch: number | undefined;
  let linesAtLastEpoch = new Set<string>();
  let dumpToTty = true;
  let previousXml: string | null = null;
  let previousAppTexts: string[] = [];
  let snapshots = 0;
  let screenshots = 0;
  let consentVisible = false;
  let consentAgreed = false;
  let consentTaps = 0;
  type PendingRequest = { t: number; dialog: PermissionDialog; snapshot: string; before: PackagePermissions | null; purposeText?: string };
  let pending = null as PendingRequest | null;
  /** The recorder's own last tap: the only input it knows of (it does not capture the tester's touches). */
  let lastOwnTap: number | null = null;

  const tap = async (button: DialogButton, node: string) => {
    const [x, y] = button.center;
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || x < 0 || y < 0) return false;
    const result = await run(['shell', 'input', 'tap', String(x), String(y)]);
    const tapT = now();
    emit({ kind: 'user', t: tapT, action: 'tap', x, y, node } satisfies UserEvent);
    lastOwnTap = tapT;
    return result.code === 0;
  };

  const dumpUi = async (): Promise<string | null> => {
    if (dumpToTty) {
      const result = await adb.run(['exec-out', 'uiautomator', 'dump', '/dev/tty'], { timeoutMs: 20_000 });
      const xml = result.code === 0 ? extractHierarchy(text(result)) : null;
      if (xml !== null && xml.includes('</hierarchy>')) return xml;
      dumpToTty = false;
    }
    const dumped = await run(['shell', 'uiautomator', 'dump', DEVICE_DUMP_FILE], { timeoutMs: 20_000 });
    if (dumped.code !== 0 || /ERROR/i.test(text(dumped))) {
      warn(`uiautomator dump failed: ${shorten((text(dumped) + dumped.stderr).trim(), 200)}`);
      return null;
    }
    const read = await run(['exec-out', 'cat', DEVICE_DUMP_FILE]);
    return read.code === 0 ? extractHierarchy(text(read)) : null;
  };

  const resolvePermission = async () => {
    if (!pending) return;
    const { dialog, t, snapshot, before, purposeText } = pending;
    pending = null;
    const after = await packageInfo();
    const runtime = new Map((after?.runtime ?? []).map((g) => [g.permission, g]));
    const requested = new Set([...(after?.requested ?? []), ...runtime.keys()]);
    let permissions = dialog.permissions.filter((p) => requested.has(p));
    if (permissions.length === 0 && before && after) {
      // the group is unknown: the permissions whose state the answer changed
      const old = new Map(before.runtime.map((g) => [g.permission, g]));
      permissions = after.runtime
        .filter((g) => {
          const o = old.get(g.permission);
          return !o || o.granted !== g.granted || o.flags.join('|') !== g.flags.join('|');
        })
        .map((g) => g.permission);
    }
    if (permissions.length === 0) permissions = dialog.permissions.length > 0 ? [...dialog.permissions] : ['unknown'];
    const event: PermissionRequestEvent = { kind: 'permission-request', t, permissions };
    if (after) event.answers = permissions.map((p): PermissionAnswer => answerOfGrant(runtime.get(p)));
    if (purposeText !== undefined) {
      event.purposeShown = true;
      event.purposeText = purposeText;
    }
    (event as PermissionRequestEvent & { snapshot?: string }).snapshot = snapshot;
    emit(event);
  };

  const onSnapshot = async (xml: string, tick: number) => {
    const t = now();
    const id = `ui-${pad(tick)}`;
    const file = `ui/${id}.xml`;
    await writeFile(join(outDir, file), xml, 'utf8');
    snapshots++;
    const event: UiEvent = { kind: 'ui', t, id, file };
    if (takeScreenshots) {
      const shot = await run(['exec-out', 'screencap', '-p']);
      if (shot.code === 0 && shot.stdout.subarray(0, 8).equals(PNG_SIGNATURE)) {
        event.screenshot = `screenshots/${id}.png`;
        await writeFile(join(outDir, event.screenshot), shot.stdout);
        screenshots++;
      } else if (shot.code === 0) warn('screencap -p gave no PNG');
    }
    const dump = readUiDump(xml);
    const screen = screenOf(dump);
    if (screen) event.screen = screen;
    const appTexts = dump.nodes
      .filter((n) => n.packageName === pkg)
      .map(labelOf)
      .filter((l) => l !== '');
    const permission = parsePermissionDialog(xml);
    const consent: ConsentDialog | null = permission ? null : findConsentDialog(xml, { package: pkg });
    const adSdks = (options.adViews ?? [])
      .filter((a) =>
        dump.nodes.some((n) => n.packageName === pkg && a.prefixes.some((p) => n.className.startsWith(p.endsWith('.') ? p : `${p}.`))),
      )
      .map((a) => a.sdk);
    if (adSdks.length > 0) event.adSdks = adSdks;
    if (permission) event.role = 'permission';
    else if (consent) event.role = 'consent';
    else if (adSdks.length > 0) event.role = 'ad';
    else if (
      appTexts.some((l) => SPLASH_TEXT.test(l)) ||
      dump.nodes.some((n) => n.packageName === pkg && /[:/](splash|skip)/i.test(n.resourceId))
    )
      event.role = 'splash';
    emit(event);

    // permission dialogs: one event per dialog, answered from the grant state once it is gone
    const sameDialog = pending && permission && pending.dialog.message === permission.message && pending.dialog.group === permission.group;
    if (pending && !sameDialog) await resolvePermission();
    if (permission && !pending) {
      const purposeText = [...appTexts, ...previousAppTexts].find((l) => l.length >= 6 && l.length <= 300 && PURPOSE_TEXT.test(l));
      pending = { t, dialog: permission, snapshot: id, before: await packageInfo(), ...(purposeText !== undefined ? { purposeText } : {}) };
      if (autoPermission !== 'none') {
        const b = permission.buttons;
        const button = autoPermission === 'allow' ? (b.allowForegroundOnly ?? b.allow ?? b.allowOnce) : (b.deny ?? b.denyForever);
        if (button) await tap(button, button.resourceId ?? button.text);
      }
    }

    // the app's privacy dialog
    if (consent) {
      if (!consentVisible) emit({ kind: 'consent', t, action: 'shown', detectedBy: 'ui', snapshot: id } satisfies ConsentEvent);
      consentVisible = true;
      if (options.autoConsent && consentTaps < 3) {
        consentTaps++;
        if (consent.checkbox && !consent.checkbox.checked)
          await tap(consent.checkbox, consent.checkbox.resourceId ?? consent.checkbox.text);
        const tapped = await tap(consent.agree, consent.agree.resourceId ?? consent.agree.text);
        if (tapped && !consentAgreed) {
          consentAgreed = true;
          emit({ kind: 'consent', t: now(), action: 'agreed', detectedBy: 'auto', snapshot: id } satisfies ConsentEvent);
        }
      }
    } else consentVisible = false;
    previousAppTexts = appTexts;
  };

  const readLogcat = async () => {
    const fetchT = now();
    const args = ['shell', 'logcat', '-d', '-v', 'epoch'];
    if (lastLogEpoch !== undefined) args.push('-T', `${Math.floor(lastLogEpoch / 1000)}.${String(lastLogEpoch % 1000).padStart(3, '0')}`);
    args.push('-s', ...LOGCAT_TAGS);
    const result = await run(args);
    if (result.code !== 0) return fetchT;
    const fresh: string[] = [];
    let newest = lastLogEpoch;
    let atNewest = new Set<string>();
    for (const line of text(result).split(/\r?\n/)) {
      const parsed = splitLogcatLine(line);
      if (!parsed) continue;
      if (lastLogEpoch !== undefined && (parsed.t < lastLogEpoch || (parsed.t === lastLogEpoch && linesAtLastEpoch.has(line)))) continue;
      fresh.push(line);
      if (newest === undefined || parsed.t > newest) {
        newest = parsed.t;
        atNewest = new Set();
      }
      if (parsed.t === newest) atNewest.add(line);
    }
    if (newest !== undefined && newest !== lastLogEpoch) {
      lastLogEpoch = newest;
      linesAtLastEpoch = atNewest;
    } else for (const l of atNewest) linesAtLastEpoch.add(l);
    for (const event of logcat.push(fresh)) {
      let t = Math.round(traceTimeOfDevice(event.t, fetchT));
      // setup (our own force-stop), not the app; a line within the clock mapping's slack of the
      // launch is the launch itself (its process start), seen early only by the mapping's error
      if (t < launchT - clockSlack) continue;
      t = Math.max(t, launchT);
      if (event.kind === 'navigation' && event.action !== 'activity' && event.action !== 'page' && event.trigger === undefined) {
        // Trace 1.1: every jump says what started it, or that the recorder cannot tell.
        if (lastOwnTap !== null && t - lastOwnTap >= 0 && t - lastOwnTap <= 5000) {
          event.trigger = 'user';
          event.triggerEvidence = `the recorder's own tap, ${Math.round(t - lastOwnTap)} ms before`;
        } else {
          event.trigger = 'unknown';
          event.triggerEvidence = "no input capture: the adb recorder does not see the tester's touches";
        }
      }
      emit({ ...event, t });
    }
    return fetchT;
  };

  const readAccesses = async () => {
    const { result, report } = await readAppOps();
    if (result.code !== 0) return;
    for (const access of report.accesses) {
      if (access.pi === null) continue;
      const key = accessKey(access);
      const last = lastAccess.get(key);
      if (last !== undefined && access.time <= last + APPOPS_TOLERANCE_MS) continue;
      lastAccess.set(key, access.time);
      if (access.time < launchT - APPOPS_TOLERANCE_MS) continue; // before this run
      const event: ApiEvent = {
        kind: 'api',
        t: Math.max(launchT, Math.round(access.time)),
        class: 'appops',
        method: access.op,
        pi: access.pi,
      };
      const state = appStateOfUidState(access.state);
      if (state) event.state = state;
      const details = [
        access.state ? `uidState=${access.state}` : '',
        access.durationMs !== undefined ? `duration=${access.durationMs}ms` : '',
        access.running ? 'running' : '',
        access.attributionTag !== undefined ? `tag=${shorten(access.attributionTag, 80)}` : '',
      ].filter(Boolean);
      if (details.length > 0) event.args = details.join('; ');
      if (access.kind === 'reject') event.result = 'rejected';
      emit(event);
    }
  };

  // --- the polls ----------------------------------------------------------------------------------
  let tick = 0;
  const stopped = () => control?.stopped === true || options.signal?.aborted === true;
  while (true) {
    tick++;
    const tickStart = clock();
    for (const action of control?.marks.splice(0) ?? [])
      emit({ kind: 'consent', t: now(), action, detectedBy: 'user' } satisfies ConsentEvent);
    const xml = await dumpUi();
    if (xml !== null && xml !== previousXml) await onSnapshot(xml, tick);
    else if (xml === null) previousAppTexts = [];
    if (xml !== null) previousXml = xml;
    const fetchT = await readLogcat();
    await readAccesses();
    const hold = pending ? pending.t - 1 : Infinity;
    await flush(Math.min(fetchT - ORDER_SLACK_MS, hold));
    progress(tick, xml === null ? 'no UI dump' : `poll ${tick}`);
    if (stopped() || clock() - start - launchT >= options.durationMs) break;
    const wait = options.intervalMs - (clock() - tickStart);
    if (wait > 0) await sleep(wait);
    if (stopped()) break;
  }

  await resolvePermission();
  for (const action of control?.marks.splice(0) ?? [])
    emit({ kind: 'consent', t: now(), action, detectedBy: 'user' } satisfies ConsentEvent);
  await flush(Infinity);
  progress(tick, 'done');
  return { outDir, traceFile, events: written, snapshots, screenshots, warnings, durationMs: now() };
}
