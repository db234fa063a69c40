import { DEFAULT_RECORDER_LIMITS, capText, linesOf, type RecorderLimits } from './limits.js';

/**
 * The app's process state when an AppOps access was noted (`[top-s]` in dumpsys): `persistent`
 * (system), `top` (its window in front), `fg` (a foreground process, e.g. bound by the top app),
 * `fgs` (a foreground service: not on screen), `bg`, `cached`.
 */
export type AppOpUidState = 'persistent' | 'top' | 'fg' | 'fgs' | 'bg' | 'cached';

/** One access (or rejected attempt) AppOps remembers: the last one per op, uid state and attribution tag. */
export interface AppOpAccess {
  /** The op as AppOps names it: `COARSE_LOCATION`, `READ_CLIPBOARD`. */
  op: string;
  kind: 'access' | 'reject';
  /** The op's mode for the package: `allow`, `ignore`, `deny`, `default`, `foreground`. */
  mode?: string;
  /** When: `now - ago`, in the scale of the `now` given (epoch ms, or trace ms); notes without a relative time are dropped. */
  time: number;
  /** How long before the dump (ms), when the output says. */
  ago?: number;
  /** The device's own wall-clock text (`2024-01-05 10:11:12.345`, device time zone), when printed. */
  wallClock?: string;
  state?: AppOpUidState;
  /** Flags of the note: `s` self, `tp`/`up` (un)trusted proxy, `tpd`/`upd` proxied. */
  flags?: string;
  /** How long the op lasted (location updates, camera, microphone), ms. */
  durationMs?: number;
  /** The op was still running when dumped. */
  running?: boolean;
  /** The attribution tag (Android 11+, `null` is left out). */
  attributionTag?: string;
  /** The `pi-categories.json` id the op reads, or null for ops that read no personal information. */
  pi: string | null;
}

export interface AppOpsReport {
  /** `appops-get` (`adb shell appops get PKG`), `dumpsys` (`dumpsys appops [--package PKG]`), or `unknown`. */
  format: 'appops-get' | 'dumpsys' | 'unknown';
  /** Every op listed with its mode, accessed or not. */
  modes: { op: string; mode: string }[];
  accesses: AppOpAccess[];
}

export interface ParseAppOpsOptions {
  /** For `dumpsys appops` without `--package`: only this package's ops. */
  package?: string;
  limits?: Partial<RecorderLimits>;
}

/** AppOps op → `pi-categories.json` id (same judgement as `permissions.pi-map.json` for the matching permissions). */
export const APP_OP_PI: Readonly<Record<string, string>> = Object.freeze({
  COARSE_LOCATION: 'location',
  FINE_LOCATION: 'location',
  GPS: 'location',
  MONITOR_LOCATION: 'location',
  MONITOR_HIGH_POWER_LOCATION: 'location',
  ACCESS_MEDIA_LOCATION: 'location',
  WIFI_SCAN: 'location',
  READ_CONTACTS: 'contacts',
  WRITE_CONTACTS: 'contacts',
  GET_ACCOUNTS: 'accounts',
  CAMERA: 'camera',
  PHONE_CALL_CAMERA: 'camera',
  RECORD_AUDIO: 'microphone',
  PHONE_CALL_MICROPHONE: 'microphone',
  RECORD_AUDIO_HOTWORD: 'microphone',
  READ_CLIPBOARD: 'clipboard',
  READ_PHONE_STATE: 'device-identifiers',
  READ_DEVICE_IDENTIFIERS: 'device-identifiers',
  READ_PHONE_NUMBERS: 'phone-number',
  GET_USAGE_STATS: 'browsing-usage',
  READ_EXTERNAL_STORAGE: 'storage',
  WRITE_EXTERNAL_STORAGE: 'storage',
  MANAGE_EXTERNAL_STORAGE: 'storage',
  READ_MEDIA_IMAGES: 'photos-media',
  READ_MEDIA_VIDEO: 'photos-media',
  READ_MEDIA_AUDIO: 'photos-media',
  READ_MEDIA_VISUAL_USER_SELECTED: 'photos-media',
  READ_SMS: 'sms',
  RECEIVE_SMS: 'sms',
  RECEIVE_MMS: 'sms',
  RECEIVE_WAP_PUSH: 'sms',
  READ_ICC_SMS: 'sms',
  READ_CELL_BROADCASTS: 'sms',
  READ_CALL_LOG: 'call-log',
  WRITE_CALL_LOG: 'call-log',
  PROCESS_OUTGOING_CALLS: 'call-log',
  READ_CALENDAR: 'calendar',
  WRITE_CALENDAR: 'calendar',
  BODY_SENSORS: 'health',
  ACTIVITY_RECOGNITION: 'sensors',
  ACTIVITY_RECOGNITION_SOURCE: 'sensors',
  BLUETOOTH_SCAN: 'nearby-devices',
  BLUETOOTH_CONNECT: 'nearby-devices',
  BLUETOOTH_ADVERTISE: 'nearby-devices',
  NEARBY_WIFI_DEVICES: 'nearby-devices',
  UWB_RANGING: 'nearby-devices',
});

export function appOpPi(op: string): string | null {
  return Object.hasOwn(APP_OP_PI, op) ? APP_OP_PI[op]! : null;
}

const UID_STATES: Readonly<Record<string, AppOpUidState>> = {
  pers: 'persistent',
  top: 'top',
  fgsvl: 'fgs',
  fgs: 'fgs',
  fg: 'fg',
  bg: 'bg',
  cch: 'cached',
};

/** The trace's app state for an AppOps uid state: `top`, `fg`, `persistent` → foreground; `fgs`, `bg`, `cached` → background. */
export function appStateOfUidState(state: AppOpUidState | undefined): 'foreground' | 'background' | undefined {
  if (state === undefined) return undefined;
  return state === 'top' || state === 'fg' || state === 'persistent' ? 'foreground' : 'background';
}

const DURATION_PART = /(\d{1,9})(ms|d|h|m|s)/y;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Android's `TimeUtils.formatDuration` text (`+1m23s456ms`, `-5s0ms`, `0`) in ms; undefined if not that. */
export function parseAndroidDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  const sign = t.startsWith('-') ? -1 : 1;
  let pos = t.startsWith('-') || t.startsWith('+') ? 1 : 0;
  if (pos >= t.length) return undefined;
  let total = 0;
  while (pos < t.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = DURATION_PART.lastIndex;
  }
  return sign * total;
}

const OP_NAME = '([A-Z][A-Z0-9_]{1,63})';
/** `COARSE_LOCATION: allow; time=+1m ago; duration=+2s` (appops get). */
const GET_LINE = new RegExp(`^\\s*${OP_NAME}: ([a-z]+)(.*)$`);
/** `COARSE_LOCATION (allow):` or `COARSE_LOCATION (allow / switch COARSE_LOCATION=allow): time=...` (dumpsys). */
const DUMPSYS_OP = new RegExp(`^\\s*${OP_NAME} \\(([a-z]+)[^)]*\\):(.*)$`);
/** `Access: [top-s] 2024-01-05 10:11:12.345 (-1m2s3ms) duration=+2s10ms`. */
const DUMPSYS_NOTE =
  /^\s*(Access|Reject|Running start at): *(?:\[([a-z]+)(?:-([a-z]+))?\])? *(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,3})?)? *(?:\(([-+0-9a-z]+)\))?(.*)$/;
const PACKAGE_HEADER = /^\s*Package ([\w.]+):\s*$/;
const UID_HEADER = /^\s*Uid [\w-]+:\s*$/;
const TAG_HEADER = /^\s*([^\s=[\]]{1,200})=\[\s*$/;

function stateOf(name: string | undefined): AppOpUidState | undefined {
  return name !== undefined && Object.hasOwn(UID_STATES, name) ? UID_STATES[name] : undefined;
}

/** Reads `time=+X ago`, `rejectTime=+X ago`, `duration=+X` and `(running)` from the tail of a line. */
function readTail(op: string, mode: string, tail: string, now: number, out: AppOpAccess[], extra: Partial<AppOpAccess> = {}): void {
  const running = /\(running\)/.test(tail);
  const durationText = /\bduration=([-+0-9a-z]+)/.exec(tail)?.[1];
  const durationMs = durationText !== undefined ? parseAndroidDuration(durationText) : undefined;
  for (const [key, kind] of [
    ['time', 'access'],
    ['rejectTime', 'reject'],
  ] as const) {
    const m = new RegExp(`(?:^|[;\\s])${key}=([-+0-9a-z]+) ago(?: \\(([a-z]+)(?:-([a-z]+))?\\)| \\[([a-z]+)(?:-([a-z]+))?\\])?`).exec(tail);
    if (!m) continue;
    const ago = parseAndroidDuration(m[1]!);
    if (ago === undefined) continue;
    const record: AppOpAccess = { op, kind, mode, time: now - ago, ago, pi: appOpPi(op), ...extra };
    const state = stateOf(m[2] ?? m[4]);
    if (state) record.state = state;
    const flags = m[3] ?? m[5];
    if (flags) record.flags = flags;
    if (kind === 'access' && durationMs !== undefined && durationMs > 0) record.durationMs = durationMs;
    if (kind === 'access' && running) record.running = true;
    out.push(record);
  }
}

/**
 * Reads `adb shell appops get PKG` (Android 6+) or `adb shell dumpsys appops [--package PKG]`
 * (Android 10+ `Access: [top-s] date (-1m2s3ms)` notes; older `time=+… ago` tails) into op modes
 * and access records. `now` is the moment the output was taken, in whatever scale the caller wants
 * the times in (`Date.now()` for epoch ms; ms since the trace started for trace times): each
 * relative "ago" becomes `now - ago`. AppOps keeps only the last access per op, uid state and
 * attribution tag, so this is coarse evidence — not every call. Never throws; unknown lines are skipped.
 */
export function parseAppOps(text: unknown, now: number, options: ParseAppOpsOptions = {}): AppOpsReport {
  const lim = { ...DEFAULT_RECORDER_LIMITS, ...options.limits };
  const report: AppOpsReport = { format: 'unknown', modes: [], accesses: [] };
  if (typeof text !== 'string' || !Number.isFinite(now)) return report;
  const lines = linesOf(capText(text, lim.maxTextBytes), lim.maxLines);
  const isDumpsys = lines.some((l) => PACKAGE_HEADER.test(l) || /^\s*(Access|Reject): /.test(l) || /AppOps Service state/.test(l));
  report.format = isDumpsys ? 'dumpsys' : 'unknown';

  let inWantedPackage = options.package === undefined;
  let current: { op: string; mode: string } | null = null;
  let tag: string | undefined;
  for (const raw of lines) {
    if (raw.length > lim.maxLineChars) continue;
    if (isDumpsys) {
      const pkg = PACKAGE_HEADER.exec(raw);
      if (pkg) {
        inWantedPackage = options.package === undefined || pkg[1] === options.package;
        current = null;
        continue;
      }
      if (UID_HEADER.test(raw)) {
        inWantedPackage = options.package === undefined ? true : false;
        current = null;
        continue;
      }
      if (!inWantedPackage) continue;
      const op = DUMPSYS_OP.exec(raw);
      if (op) {
        current = { op: op[1]!, mode: op[2]! };
        tag = undefined;
        report.modes.push({ ...current });
        if (op[3]!.trim() !== '') readTail(current.op, current.mode, op[3]!, now, report.accesses);
        continue;
      }
      if (!current) continue;
      const tagHeader = TAG_HEADER.exec(raw);
      if (tagHeader) {
        tag = tagHeader[1] === 'null' ? undefined : tagHeader[1];
        continue;
      }
      const note = DUMPSYS_NOTE.exec(raw);
      if (note && note[1] !== 'Running start at') {
        const ago = note[5] !== undefined ? parseAndroidDuration(note[5]) : undefined;
        const record: AppOpAccess = {
          op: current.op,
          kind: note[1] === 'Reject' ? 'reject' : 'access',
          mode: current.mode,
          time: now,
          pi: appOpPi(current.op),
        };
        // dumpsys prints the note time minus now, negative for the past; a note without it has no usable time
        if (ago === undefined) continue;
        record.ago = -ago;
        record.time = now + ago;
        if (note[4] !== undefined) record.wallClock = note[4];
        const state = stateOf(note[2]);
        if (state) record.state = state;
        if (note[3]) record.flags = note[3];
        const duration = /\bduration=([-+0-9a-z]+)/.exec(note[6] ?? '')?.[1];
        const durationMs = duration !== undefined ? parseAndroidDuration(duration) : undefined;
        if (record.kind === 'access' && durationMs !== undefined && durationMs > 0) record.durationMs = durationMs;
        if (/\(running\)|\brunning\b/.test(note[6] ?? '')) record.running = true;
        if (tag !== undefined) record.attributionTag = tag;
        report.accesses.push(record);
      }
      continue;
    }
    if (/^\s*Uid mode:/.test(raw)) continue;
    const get = GET_LINE.exec(raw);
    if (!get) continue;
    report.format = 'appops-get';
    report.modes.push({ op: get[1]!, mode: get[2]! });
    readTail(get[1]!, get[2]!, get[3]!, now, report.accesses);
  }
  return report;
}
