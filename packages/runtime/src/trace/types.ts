/**
 * The AppRights runtime trace: JSON Lines, one event per line, in time order. Recorders (the Frida
 * agent, the adb recorder, a tester's own tooling) write it; the analysis and the runtime rules read
 * it. Versioned with the first line's `trace` header event; schema: `schemas/trace.schema.json`.
 * Unknown event kinds are kept (as `UnknownEvent`) and ignored by the rules, never fatal.
 *
 * 1.1.0 (minor: every 1.0 trace reads unchanged) adds the `intent` kind; on navigation events the
 * trigger's evidence, the intent, and for downloads and installs the channel, host, file and caller;
 * on user events key presses, the window package and the node hit; the UI role `ad` and the ad SDKs
 * seen on a screen.
 */
export const TRACE_FORMAT_VERSION = '1.1.0';

/** Whether the app's process is running and whether one of its windows is in front. */
export type AppState = 'foreground' | 'background' | 'not-running';

interface EventBase {
  /** Milliseconds since the trace started (or Unix epoch milliseconds; only differences matter). */
  t: number;
  /** The app's state when the event happened; default: the state the last lifecycle event set. */
  state?: AppState;
  /** Process id and name, when the recorder knows them (an SDK may run in its own `:push` process). */
  pid?: number;
  process?: string;
}

/** First line: what was recorded, how, on what. */
export interface TraceHeader extends EventBase {
  kind: 'trace';
  version: string;
  package: string;
  versionName?: string;
  versionCode?: number;
  recorder: string;
  device?: { model?: string; sdkInt?: number; serial?: string; emulator?: boolean };
  startedAt?: string;
}

/** A call of a sensitive API of the catalogue (`sensitive-apis.json`). */
export interface ApiEvent extends EventBase {
  kind: 'api';
  /** The catalogue id when the recorder knows it (`telephony.getDeviceId`), else class + method. */
  api?: string;
  class: string;
  method: string;
  /** A short, already redacted summary of the arguments and result (never raw personal data). */
  args?: string;
  result?: string;
  /** The `pi-categories.json` id the call reads, when known. */
  pi?: string | null;
  /** Innermost frame first: `com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)`. */
  stack?: string[];
}

export type ConsentAction = 'shown' | 'agreed' | 'refused' | 'withdrawn';

/** The privacy-policy dialog (or an SDK's own consent): shown, agreed to, refused, withdrawn. */
export interface ConsentEvent extends EventBase {
  kind: 'consent';
  action: ConsentAction;
  /** How the recorder knew: `ui` (dialog found in a UI dump), `user` (tester marked it), `hook` (app API), `auto` (recorder tapped it). */
  detectedBy: 'ui' | 'user' | 'hook' | 'auto';
  /** The snapshot that showed the dialog, when there is one. */
  snapshot?: string;
}

export type PermissionAnswer = 'granted' | 'denied' | 'denied-forever' | 'dismissed' | 'already-granted';

/** A runtime permission request and the user's answer. */
export interface PermissionRequestEvent extends EventBase {
  kind: 'permission-request';
  permissions: string[];
  /** Whether the app showed why it asks (its own purpose text before or on the system dialog). */
  purposeShown?: boolean;
  purposeText?: string;
  /** One answer per permission, in the same order; absent while unknown. */
  answers?: PermissionAnswer[];
  stack?: string[];
}

export type StartCause = 'launcher' | 'boot' | 'broadcast' | 'other-app' | 'push' | 'service' | 'alarm' | 'job' | 'unknown';

/** Process start, foreground/background changes, exit. */
export interface LifecycleEvent extends EventBase {
  kind: 'lifecycle';
  action: 'process-start' | 'foreground' | 'background' | 'exit' | 'crash';
  cause?: StartCause;
  /** For `other-app` starts and wake-ups: the package that started or woke this one, or the one this app started. */
  other?: string;
  /** The component started (receiver, service, activity). */
  component?: string;
}

/** A sensor listener registration, or readings (acceleration in m/s², rotation in degrees). */
export interface SensorEvent extends EventBase {
  kind: 'sensor';
  action: 'register' | 'unregister' | 'reading';
  sensor: 'accelerometer' | 'linear-acceleration' | 'gyroscope' | 'rotation-vector' | 'gravity' | 'magnetometer' | 'other';
  /** Peak acceleration magnitude (gravity removed) over the readings this event summarises, m/s². */
  accelerationPeak?: number;
  /** Largest rotation from the starting orientation over these readings, degrees. */
  rotationPeak?: number;
  /** How long the movement lasted, ms. */
  durationMs?: number;
  stack?: string[];
}

export type Trigger = 'user' | 'app' | 'sensor' | 'push' | 'unknown';

/** The component kind an intent addresses. */
export type ComponentKind = 'activity' | 'service' | 'receiver' | 'provider' | 'unknown';

/** An intent as a recorder saw it (1.1). */
export interface IntentInfo {
  /** Explicit (names a package or component) or implicit (an action and data for the system to resolve). */
  explicit?: boolean;
  component?: ComponentKind;
  /** The package it addresses or resolved to. */
  package?: string;
  action?: string;
}

/** How a download or install was started (1.1). */
export type DownloadChannel = 'download-manager' | 'package-installer' | 'apk-intent' | 'http' | 'unknown';

/** What the user saw and where the app went. */
export interface NavigationEvent extends EventBase {
  kind: 'navigation';
  action: 'activity' | 'page' | 'jump-app' | 'jump-browser' | 'jump-store' | 'download-start' | 'install-request' | 'deeplink';
  /** Activity or page name; for jumps the target package or URL; for downloads the file or URL. */
  target: string;
  /**
   * What started it: `user` (an input event on the app within the recorder's window before it),
   * `sensor` (a sensor reading crossing a rule's interest), `app` (neither), `push`, or `unknown`
   * (the recorder could not see input events).
   */
  trigger?: Trigger;
  /** 1.1: what the trigger rests on: `tap line 12, 300 ms before`, `no input event in 2000 ms`, `no input capture`. */
  triggerEvidence?: string;
  /** For downloads and installs: whether a confirmation step came first. */
  confirmed?: boolean;
  /** 1.1: the intent behind a jump or start. */
  intent?: IntentInfo;
  /** 1.1, downloads and installs: the channel, the URL's host and the file name. */
  via?: DownloadChannel;
  host?: string;
  file?: string;
  /** 1.1: who started it: the innermost app frame and its SDK, when a stack was seen. */
  caller?: string;
  sdk?: string;
  stack?: string[];
}

/**
 * 1.1: an intent the app sent (activity start, service start or bind, broadcast), as the Frida
 * recorder hooks them; the adb recorder writes the ones it sees in the activity manager's log.
 */
export interface IntentEvent extends EventBase {
  kind: 'intent';
  explicit: boolean;
  component: ComponentKind;
  /** The package it addresses or resolved to; absent for an implicit broadcast nobody resolved. */
  target?: string;
  targetComponent?: string;
  action?: string;
  /** Scheme and host of the data URI only (`market://details`, `https://example.com`). */
  data?: string;
  caller?: string;
  sdk?: string;
  stack?: string[];
  trigger?: Trigger;
  triggerEvidence?: string;
}

/** A network request (host only), with the SDK when the recorder can tell. */
export interface NetworkEvent extends EventBase {
  kind: 'network';
  host: string;
  sdk?: string;
  bytes?: number;
  stack?: string[];
}

/** A UI snapshot: a uiautomator dump (XML file) or the same tree as JSON, and an optional screenshot. */
export interface UiEvent extends EventBase {
  kind: 'ui';
  /** Snapshot id, referenced by other events and findings. */
  id: string;
  /** Path (relative to the trace file or the `--ui` folder) of a uiautomator XML dump or a JSON tree. */
  file?: string;
  /** The tree inline, when not in a file. */
  tree?: UiNode;
  screenshot?: string;
  screen?: { width: number; height: number };
  /** What the recorder or tester says the screen is, when known (`ad`, 1.1: the tree holds ad SDK views). */
  role?: 'splash' | 'popup' | 'consent' | 'permission' | 'download-prompt' | 'ad' | 'main' | 'other';
  /** 1.1: catalogue ids of the ad SDKs whose views the tree holds. */
  adSdks?: string[];
  /** 1.1: the activity in front when the snapshot was taken. */
  activity?: string;
}

/** A tester's action, injected or recorded. */
export interface UserEvent extends EventBase {
  kind: 'user';
  action: 'tap' | 'swipe' | 'shake' | 'back' | 'home' | 'text' | 'launch' | 'key';
  /** Tap position, or the node tapped (resource id or text). */
  x?: number;
  y?: number;
  node?: string;
  /** 1.1: the node's text or description, class and bounds, and the package of the window it is in. */
  nodeText?: string;
  nodeClass?: string;
  nodeBounds?: [number, number, number, number];
  package?: string;
  /** 1.1: for `key`: the key code name (`KEYCODE_VOLUME_DOWN`). */
  key?: string;
  /** 1.1: who saw or made it: the explorer's own action, `getevent`, a Frida hook, a tester. */
  source?: 'explorer' | 'getevent' | 'frida' | 'tester';
  /** For shakes injected by a tester: the movement's size. */
  accelerationPeak?: number;
  rotationPeak?: number;
  durationMs?: number;
}

/** An event of a kind this version does not know: kept, not analysed. */
export interface UnknownEvent extends EventBase {
  kind: string;
  [key: string]: unknown;
}

export type KnownEvent =
  | TraceHeader
  | ApiEvent
  | ConsentEvent
  | PermissionRequestEvent
  | LifecycleEvent
  | SensorEvent
  | NavigationEvent
  | IntentEvent
  | NetworkEvent
  | UiEvent
  | UserEvent;

export type TraceEvent = KnownEvent | UnknownEvent;

/** A UI node as the analysis sees it (from uiautomator XML or JSON). */
export interface UiNode {
  class?: string;
  text?: string;
  contentDescription?: string;
  resourceId?: string;
  packageName?: string;
  /** [left, top, right, bottom] in screen pixels. */
  bounds?: [number, number, number, number];
  clickable?: boolean;
  visible?: boolean;
  /** From the dump's other flags: a pre-ticked consent checkbox is `checkable` and `checked`. */
  checkable?: boolean;
  checked?: boolean;
  enabled?: boolean;
  selected?: boolean;
  scrollable?: boolean;
  longClickable?: boolean;
  /** An input field's hint text (API 26+ dumps). */
  hint?: string;
  children?: UiNode[];
}

/** A trace as read: its events with their line numbers, and what was wrong with lines that were skipped. */
export interface Trace {
  source: string;
  header: TraceHeader | null;
  events: (TraceEvent & { line: number })[];
  /** Lines that were not events (bad JSON, no kind, no time): reported, not fatal. */
  problems: { line: number; message: string }[];
}

/** One UI snapshot, read: the tree, where it came from, and the event that announced it. */
export interface UiSnapshot {
  id: string;
  /** Time of the `ui` event (ms), or null for a snapshot from a folder without a trace event. */
  t: number | null;
  /** Line of the `ui` event in the trace, when there is one. */
  line?: number;
  file?: string;
  screenshot?: string;
  screen?: { width: number; height: number };
  role?: UiEvent['role'];
  /** The app's package (for telling its windows from the system's), when known. */
  package?: string;
  root: UiNode;
}
