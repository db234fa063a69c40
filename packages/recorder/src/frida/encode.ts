/**
 * The pure half of the Frida recorder: everything the agent (which runs inside the app's process,
 * under Frida's JavaScript runtime) and the host share, written without Frida's globals and without
 * Node's, so that the workspace build compiles it, Node's test runner tests it, and the agent's
 * bundle includes it. Nothing here may import a Node module or touch `Java`, `send` or `rpc`.
 *
 * Privacy rule of the whole recorder: **no raw personal data leaves the app's process.** Arguments
 * and results are reduced to types, lengths and a few allowlisted constant-like strings (permission
 * names, settings keys, location providers); URLs and intents to scheme, host and package.
 */
import type {
  ApiEvent,
  LifecycleEvent,
  NavigationEvent,
  PermissionAnswer,
  PermissionRequestEvent,
  SensorEvent,
  TraceEvent,
} from '@apprights/runtime';

/** The `type` of every message the agent sends with an event; the host ignores other messages it does not know. */
export const AGENT_EVENT_MESSAGE = 'apprights-event';
/** Sent once when the hooks are installed: what was hooked and what was not. */
export const AGENT_READY_MESSAGE = 'apprights-ready';
/** A non-fatal problem inside the agent (a hook that failed, a class that could not be loaded). */
export const AGENT_WARNING_MESSAGE = 'apprights-warning';

/** Frames kept per stack (innermost first). */
export const MAX_STACK_FRAMES = 64;
/** Characters kept per frame. */
export const MAX_FRAME_CHARS = 300;
/** Width of one sensor summary window, ms. */
export const SENSOR_WINDOW_MS = 500;

// ---------------------------------------------------------------------------------------------
// Messages

export interface AgentEventMessage {
  type: typeof AGENT_EVENT_MESSAGE;
  event: TraceEvent;
}

export interface AgentReadyMessage {
  type: typeof AGENT_READY_MESSAGE;
  /** Catalogue ids (or dedicated hook names) whose hooks are installed. */
  hooked: string[];
  /** Ids not hooked (yet), with why: class not loaded, method missing, overload not found. */
  missing: { id: string; reason: string }[];
  /** Android SDK level and process, when the agent could read them. */
  sdkInt?: number;
  process?: string;
  pid?: number;
}

export interface AgentWarningMessage {
  type: typeof AGENT_WARNING_MESSAGE;
  message: string;
}

export type AgentMessage = AgentEventMessage | AgentReadyMessage | AgentWarningMessage;

/** The agent's payload for one event. */
export function eventMessage(event: TraceEvent): AgentEventMessage {
  return { type: AGENT_EVENT_MESSAGE, event };
}

const KIND = /^[a-z][a-z0-9-]{0,40}$/;
const MAX_EVENT_JSON_CHARS = 64 * 1024;

/**
 * What the host accepts as an event from the agent: an object with a short lowercase `kind` and a
 * finite `t`, at most 64 KiB of JSON, stacks cut to 64 frames. Anything else is null. The agent
 * runs inside the app under test, so its messages are data like everything from the device.
 */
export function acceptAgentEvent(raw: unknown): TraceEvent | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !KIND.test(o.kind) || o.kind === 'trace') return null;
  if (typeof o.t !== 'number' || !Number.isFinite(o.t)) return null;
  let json: string;
  try {
    json = JSON.stringify(o);
  } catch {
    return null;
  }
  if (json.length > MAX_EVENT_JSON_CHARS) return null;
  const event = JSON.parse(json) as TraceEvent & { stack?: unknown };
  if (event.stack !== undefined) {
    if (!Array.isArray(event.stack)) delete event.stack;
    else event.stack = event.stack.filter((f): f is string => typeof f === 'string').slice(0, MAX_STACK_FRAMES);
  }
  return event;
}

/** Whether a message payload from the agent is one of ours, and which. */
export function agentMessageOf(payload: unknown): AgentMessage | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const type = (payload as { type?: unknown }).type;
  if (type === AGENT_EVENT_MESSAGE || type === AGENT_READY_MESSAGE || type === AGENT_WARNING_MESSAGE) return payload as AgentMessage;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Stacks

const FRAME_LINE = /^\s*at\s+(.+?)\s*$/;
/** Frames of the hook machinery itself, above the hooked method: not the app's. */
const MACHINERY_FRAME = /^(dalvik\.system\.VMStack\.|java\.lang\.Thread\.getStackTrace\(|android\.util\.Log\.getStackTraceString\()/;

/**
 * Frames of `Log.getStackTraceString(new Throwable())` output (`java.lang.Throwable` then
 * `\tat pkg.Class.method(File.java:12)` lines), innermost first, capped at `max` frames of at most
 * 300 characters. `Caused by:` sections and `... N more` lines end the list (they repeat the outer
 * stack); junk lines are skipped. Never throws.
 */
export function parseStackTrace(text: unknown, max = MAX_STACK_FRAMES): string[] {
  if (typeof text !== 'string') return [];
  const frames: string[] = [];
  const lines = text.slice(0, 256 * 1024).split('\n');
  for (const line of lines) {
    if (frames.length >= max) break;
    const trimmed = line.trim();
    if (frames.length > 0 && (trimmed.startsWith('Caused by:') || trimmed.startsWith('Suppressed:') || /^\.\.\. \d+ more$/.test(trimmed)))
      break;
    const m = FRAME_LINE.exec(line);
    if (!m) continue;
    const frame = m[1]!;
    if (MACHINERY_FRAME.test(frame)) continue;
    frames.push(frame.length > MAX_FRAME_CHARS ? frame.slice(0, MAX_FRAME_CHARS) : frame);
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Redaction

/**
 * A Java value as the agent describes it before redaction: never sent as is. Strings carry their
 * value so that `redactValue` can decide; everything else only its type.
 */
export type ValueDescription =
  | { kind: 'null' }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'integer'; value: number; type?: string }
  | { kind: 'float'; type?: string }
  | { kind: 'array'; type: string; length: number | null }
  | { kind: 'object'; type: string }
  | { kind: 'unknown' };

/** Location providers and shell words that are constants, never personal data. */
const SAFE_WORDS = new Set([
  'gps',
  'network',
  'passive',
  'fused',
  'getprop',
  'pm',
  'list',
  'package',
  'packages',
  'su',
  'sh',
  'cat',
  'ls',
  'id',
  'ps',
  'settings',
  'get',
  'dumpsys',
  'logcat',
  'which',
  'ip',
  'ifconfig',
  'netcfg',
  'uname',
  'secure',
  'system',
  'global',
]);

/**
 * Constant-like strings shown in `args`: dotted or underscored names made of letters only
 * (`android.permission.READ_PHONE_STATE`, `android_id`, `ro.serialno`, `com.google`) and a few
 * known words. No digit, `@`, `:` or space can pass, so no IMEI, phone number, MAC address,
 * coordinate, e-mail address or free text does.
 */
export function isSafeConstant(value: string): boolean {
  if (value.length === 0 || value.length > 80) return false;
  if (SAFE_WORDS.has(value)) return true;
  return /^[A-Za-z_$][A-Za-z_$.]*$/.test(value) && /[._]/.test(value) && !/\.\./.test(value);
}

/** A Java class name for a summary: the simple name for `java.lang.*` and `java.util.*`, else the full name (shortened). */
function typeName(type: string): string {
  const clean = type.replace(/[^\w.$[\];]/g, '').slice(0, 120);
  return clean.replace(/^java\.(lang|util)\./, '');
}

/**
 * One argument as the trace may show it: allowlisted constants verbatim, other strings as
 * `String(len)`, small integers (flags, request codes, sensor types), booleans, and for everything
 * else only the type (`double`, `android.content.Intent`, `String[3]`).
 */
export function redactArg(value: ValueDescription): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(value.value);
    case 'string': {
      if (isSafeConstant(value.value)) return JSON.stringify(value.value);
      const words = value.value.split(' ');
      if (words.length > 1 && words.length <= 8 && words.every((w) => isSafeConstant(w))) return JSON.stringify(value.value);
      if (words.length > 1 && SAFE_WORDS.has(words[0]!)) return `"${words[0]} …"(len=${value.value.length})`;
      return `String(len=${value.value.length})`;
    }
    case 'integer':
      return Number.isSafeInteger(value.value) && Math.abs(value.value) <= 65535 ? String(value.value) : (value.type ?? 'long');
    case 'float':
      return value.type ?? 'double';
    case 'array':
      return `${typeName(value.type)}[${value.length ?? ''}]`;
    case 'object':
      return typeName(value.type);
    case 'unknown':
      return '?';
  }
}

/**
 * A result as the trace may show it: never its value, except booleans and null. A string result is
 * `<redacted String len=15>`; an integer (an IP address, a cell id) `<redacted int>`.
 */
export function redactResult(value: ValueDescription): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(value.value);
    case 'string':
      return `<redacted String len=${value.value.length}>`;
    case 'integer':
      return `<redacted ${value.type ?? 'int'}>`;
    case 'float':
      return `<redacted ${value.type ?? 'double'}>`;
    case 'array':
      return `${typeName(value.type)}[${value.length ?? ''}]`;
    case 'object':
      return typeName(value.type);
    case 'unknown':
      return '?';
  }
}

/** Arguments joined for `ApiEvent.args`, at most 300 characters. */
export function redactArgs(values: readonly ValueDescription[]): string {
  const text = values.map(redactArg).join(', ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/**
 * A URL or URI reduced to what says where it goes without saying who: `https://ads.example.com`,
 * `content://sms/inbox` (path words without digits kept for content URIs), `market://details`,
 * `file:…/name.apk` for package files. Query, fragment, user info and numeric path parts never pass.
 */
export function redactUri(uri: string): string {
  const text = uri.trim().slice(0, 4096);
  const m = /^([A-Za-z][A-Za-z0-9+.-]{0,30}):(\/\/)?([^/?#]*)([^?#]*)/.exec(text);
  if (!m) return '<uri>';
  const scheme = m[1]!.toLowerCase();
  const hasSlashes = m[2] !== undefined;
  const hostRaw = (m[3] ?? '').replace(/^.*@/, '');
  const host = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(hostRaw) && !/^\d{1,3}(\.\d{1,3}){3}/.test(hostRaw) ? hostRaw.toLowerCase() : '';
  const path = m[4] ?? '';
  const apk = /\/([\w.-]{1,100}\.apk)$/i.exec(path);
  const apkName = apk && !/\d{5,}/.test(apk[1]!) ? apk[1]! : apk ? '….apk' : null;
  if (scheme === 'content') {
    const words = path
      .split('/')
      .filter((p) => p !== '')
      .slice(0, 3)
      .map((p) => (/^[A-Za-z_]{1,40}$/.test(p) ? p : '#'));
    return `content://${host}${words.length ? `/${words.join('/')}` : ''}`;
  }
  // A store link's app: `id` / `pkgname` naming a package is no personal information, and it is what
  // the advert promotes (the rules need it); every other query value still never passes.
  const advertised = /[?&](?:id|pkgname|packageName)=([A-Za-z][\w]*(?:\.[A-Za-z][\w]*)+)(?:[&#]|$)/.exec(text)?.[1];
  const app = advertised !== undefined && advertised.length <= 255 ? `?id=${advertised}` : '';
  if ((scheme === 'http' || scheme === 'https') && STORE_WEB_HOSTS.test(host.replace(/:\d+$/, '')) && app)
    return `${scheme}://${host}${path.replace(/[^/A-Za-z._-]/g, '').slice(0, 60)}${app}`;
  if (scheme === 'http' || scheme === 'https') return `${scheme}://${host || '<ip>'}${apkName ? `/…/${apkName}` : ''}`;
  if (scheme === 'file') return apkName ? `file:…/${apkName}` : 'file:';
  if (scheme === 'tel' || scheme === 'sms' || scheme === 'smsto' || scheme === 'mailto' || scheme === 'geo') return `${scheme}:`;
  if (scheme === 'market') return `market://${/^[a-z]{1,20}$/.test(host) ? host : ''}${app}`;
  return hasSlashes ? `${scheme}://${/^[A-Za-z.-]{1,60}$/.test(host) ? host : ''}` : `${scheme}:`;
}

// ---------------------------------------------------------------------------------------------
// Intents

/** What the agent reads from an Intent before classifying it (all optional; raw, not yet redacted). */
export interface IntentSummary {
  action?: string | null;
  /** `Intent.getDataString()`. */
  data?: string | null;
  /** MIME type. */
  type?: string | null;
  /** `Intent.getPackage()`. */
  package?: string | null;
  /** Package of `Intent.getComponent()`. */
  componentPackage?: string | null;
  /** Class of `Intent.getComponent()`. */
  componentClass?: string | null;
}

export interface IntentClassification {
  action: Extract<NavigationEvent['action'], 'jump-app' | 'jump-browser' | 'jump-store' | 'install-request'>;
  /** The target package or redacted URL. */
  target: string;
  /** Trace 1.1: explicit or implicit, and the package it names (never data or extras). */
  intent: { explicit: boolean; component: 'activity' | 'service' | 'receiver'; package?: string; action?: string };
}

/** The intent part of a classification: explicit when it names a package or component. */
export function intentInfo(summary: IntentSummary, component: 'activity' | 'service' | 'receiver' = 'activity') {
  const pkg = packageOf(summary);
  const explicit = (summary.componentClass ?? summary.componentPackage ?? summary.package ?? null) !== null;
  const action = summary.action ?? '';
  return {
    explicit,
    component,
    ...(pkg !== null ? { package: pkg } : {}),
    ...(/^[\w.]{1,200}$/.test(action) ? { action } : {}),
  } as { explicit: boolean; component: typeof component; package?: string; action?: string };
}

/**
 * The trigger of a jump, start or download from the last input the agent saw in the app (a view
 * click or touch): `user` within the window, else `app` — the agent sees every input event the app
 * receives, so no input means the app on its own. Before the input hooks are in place: `unknown`.
 */
export function triggerOf(
  lastInput: { t: number; what: string } | null,
  t: number,
  windowMs: number,
  inputHooked: boolean,
): { trigger: 'user' | 'app' | 'unknown'; triggerEvidence: string } {
  if (!inputHooked) return { trigger: 'unknown', triggerEvidence: 'no input capture (the input hooks are not installed)' };
  if (lastInput !== null && t - lastInput.t >= 0 && t - lastInput.t <= windowMs)
    return { trigger: 'user', triggerEvidence: `${lastInput.what}, ${t - lastInput.t} ms before` };
  return { trigger: 'app', triggerEvidence: `no input event in the app in the ${windowMs} ms before` };
}

/** Host and file name of a download URL (no path, no query): what a download event may say. */
export function downloadTarget(uri: string): { target: string; host?: string; file?: string } {
  const target = redactUri(uri);
  const host = /^[a-z]+:\/\/([^/?#]+)/.exec(target)?.[1];
  const file = /\/([\w.-]{1,100}\.apk)$/i.exec(target)?.[1];
  return { target, ...(host ? { host } : {}), ...(file ? { file } : {}) };
}

export const APK_MIME_TYPE = 'application/vnd.android.package-archive';

/** App stores of phone makers and Chinese and global store apps. */
export const APP_STORE_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.vending',
  'com.xiaomi.market',
  'com.huawei.appmarket',
  'com.hihonor.appmarket',
  'com.oppo.market',
  'com.heytap.market',
  'com.bbk.appstore',
  'com.meizu.mstore',
  'com.tencent.android.qqdownloader',
  'com.qihoo.appstore',
  'com.baidu.appsearch',
  'com.wandoujia.phoenix2',
  'com.sec.android.app.samsungapps',
  'com.lenovo.leos.appstore',
  'zte.com.market',
  'com.smartisanos.appstore',
  'com.pp.assistant',
  'com.coolapk.market',
]);

const STORE_WEB_HOSTS =
  /^(play\.google\.com|market\.android\.com|app\.mi\.com|appgallery\.huawei\.com|appgallery\.cloud\.huawei\.com|a\.app\.qq\.com|sj\.qq\.com|android\.myapp\.com|app\.hicloud\.com|apps\.apple\.com)$/;

const BROWSER_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.browser',
  'com.android.chrome',
  'com.huawei.browser',
  'com.heytap.browser',
  'com.vivo.browser',
  'com.UCMobile',
  'com.tencent.mtt',
  'com.qihoo.browser',
  'com.baidu.searchbox',
  'org.mozilla.firefox',
  'com.sec.android.app.sbrowser',
  'com.mi.globalbrowser',
]);

const PACKAGE = /^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$/;

function packageOf(summary: IntentSummary): string | null {
  const pkg = summary.package ?? summary.componentPackage ?? null;
  return pkg !== null && PACKAGE.test(pkg) && pkg.length <= 255 ? pkg : null;
}

/**
 * What an activity start means for the trace: a jump to another app, the browser or an app store,
 * or a request to install a package file; null for the app's own activities and starts that go
 * nowhere in particular (a chooser the system handles is `jump-app` with the action as target).
 */
export function classifyIntent(summary: IntentSummary, selfPackage: string): IntentClassification | null {
  const found = classifyJump(summary, selfPackage);
  return found === null ? null : { ...found, intent: intentInfo(summary) };
}

function classifyJump(summary: IntentSummary, selfPackage: string): Omit<IntentClassification, 'intent'> | null {
  const action = summary.action ?? '';
  const data = (summary.data ?? '').trim();
  const type = (summary.type ?? '').toLowerCase();
  const pkg = packageOf(summary);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(data)?.[1]?.toLowerCase() ?? '';
  const host = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#:]*)/.exec(data)?.[1]?.toLowerCase() ?? '';
  const dataPath = data.replace(/[?#].*$/, '');
  if (
    type === APK_MIME_TYPE ||
    action === 'android.intent.action.INSTALL_PACKAGE' ||
    (action === 'android.intent.action.VIEW' && /\.apk$/i.test(dataPath) && (scheme === 'file' || scheme === 'content'))
  ) {
    return { action: 'install-request', target: data ? redactUri(data) : (pkg ?? 'package-installer') };
  }
  if (pkg === selfPackage) return null;
  if (scheme === 'market' || (pkg !== null && APP_STORE_PACKAGES.has(pkg)) || STORE_WEB_HOSTS.test(host)) {
    return { action: 'jump-store', target: pkg ?? redactUri(data) };
  }
  if ((scheme === 'http' || scheme === 'https') && (pkg === null || BROWSER_PACKAGES.has(pkg))) {
    return { action: 'jump-browser', target: redactUri(data) };
  }
  if (pkg !== null) return { action: 'jump-app', target: pkg };
  if (
    scheme !== '' &&
    !['http', 'https', 'content', 'file', 'tel', 'sms', 'smsto', 'mailto', 'geo', 'intent', 'package'].includes(scheme)
  ) {
    // A custom scheme (weixin://, alipays://, snssdk…): another app's deep link.
    return { action: 'jump-app', target: redactUri(data) };
  }
  if (summary.componentClass === undefined && summary.componentPackage === undefined && action !== '' && /^[\w.]{1,200}$/.test(action)) {
    if (action === 'android.intent.action.MAIN' || action.startsWith(`${selfPackage}.`)) return null;
    return { action: 'jump-app', target: action };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Catalogue → hook plan

/** The part of a `sensitive-apis.json` entry the plan needs (structurally a `SensitiveApi` of `@apprights/knowledge`). */
export interface CatalogEntry {
  id: string;
  kind: 'method' | 'field' | 'content-uri' | 'string' | string;
  signature: string;
  pi: string | null;
}

/** One method hook: a Java class, a method (`$init` for constructors), and one overload or all. */
export interface ApiHook {
  id: string;
  class: string;
  method: string;
  /** Argument types for `overload(...)` (Frida's names: `int`, `java.lang.String`, `[Ljava.lang.String;`); absent: every overload. */
  argTypes?: string[];
  pi: string | null;
  /** Called so often that the agent records only a few calls per second (counts the rest). */
  hot?: boolean;
}

/** The catalogue as the agent hooks it. */
export interface HookPlan {
  apis: ApiHook[];
  /** Content URIs of the catalogue, matched against `ContentResolver.query` / `openInputStream` URIs. */
  contentUris: { id: string; prefix: string; pi: string | null }[];
  /** Catalogue entries the dedicated hooks cover (permission requests, sensors): they also emit the `api` event. */
  dedicated: { id: string; hook: 'permission' | 'sensor' | 'activity-compat' | 'download' }[];
  /** Entries that cannot be hooked as methods (fields, string constants), with why. */
  skipped: { id: string; reason: string }[];
}

/** What the host passes to `rpc.exports.start(config)`. */
export interface AgentConfig {
  /** The app's package (to tell its own activities from other apps'). */
  package: string;
  /** Host `Date.now()` when the trace started; event times are `Date.now() - startTime` in the app. */
  startTime: number;
  /**
   * Host `Date.now()` when it called `start`: the agent takes the difference between the phone's
   * clock and the host's out, so times are right even when the phone's clock is off.
   */
  hostNow?: number;
  /** Whether the recorder spawned the app (its process start is then a `launcher` start). */
  spawned?: boolean;
  plan: HookPlan;
  /** Calls of one API recorded per second before the rest are only counted (default 20; hot APIs 3). */
  maxCallsPerSecond?: number;
  /** Whether to capture stacks (default true). */
  stacks?: boolean;
}

const PRIMITIVES: Record<string, string> = { Z: 'boolean', B: 'byte', S: 'short', C: 'char', I: 'int', J: 'long', F: 'float', D: 'double' };

/** DEX argument descriptors `(Ljava/lang/String;I[B)` → Frida overload names; null when malformed. */
export function dexArgsToFrida(descriptors: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < descriptors.length) {
    let dims = 0;
    while (descriptors[i] === '[') {
      dims++;
      i++;
    }
    const c = descriptors[i];
    if (c === undefined) return null;
    let base: string;
    let jni: string;
    if (c === 'L') {
      const end = descriptors.indexOf(';', i);
      if (end < 0) return null;
      const name = descriptors.slice(i + 1, end).replace(/\//g, '.');
      base = name;
      jni = `L${name};`;
      i = end + 1;
    } else if (PRIMITIVES[c] !== undefined) {
      base = PRIMITIVES[c]!;
      jni = c;
      i++;
    } else {
      return null;
    }
    out.push(dims > 0 ? `${'['.repeat(dims)}${jni}` : base);
  }
  return out;
}

/** Called so often by ordinary code that every call would flood the trace. */
const HOT_APIS = new Set([
  'class.forName',
  'method.invoke',
  'inetAddress.getHostAddress',
  'networkInfo.isConnected',
  'networkInfo.getType',
  'networkInfo.getTypeName',
  'connectivityManager.getActiveNetworkInfo',
  'file.listFiles',
  'location.getLatitude',
  'location.getLongitude',
  'packageManager.getPackageInfo',
  'packageManager.getApplicationInfo',
  'intent.setPackage',
  'intent.setClassName',
  'componentName.init',
  'systemProperties.get',
  'randomAccessFile.init',
  'system.loadLibrary',
  'sensorManager.getDefaultSensor',
]);

/** Methods the dedicated hooks own (a second `implementation` on the same overload would replace theirs). */
const DEDICATED: Record<string, 'permission' | 'sensor' | 'activity-compat' | 'download'> = {
  'android.app.Activity.requestPermissions': 'permission',
  'android.app.DownloadManager.enqueue': 'download',
  'androidx.core.app.ActivityCompat.requestPermissions': 'activity-compat',
  'android.support.v4.app.ActivityCompat.requestPermissions': 'activity-compat',
  'android.hardware.SensorManager.registerListener': 'sensor',
};

const METHOD_SIGNATURE = /^L([A-Za-z0-9_$/-]+);->(<init>|[A-Za-z_$][\w$]*)(?:\(([^)]*)\)(.*))?$/;

/**
 * The hook plan for a sensitive-API catalogue: one `ApiHook` per method entry (class in Java's
 * binary form, `android.provider.Settings$Secure`; constructors as `$init`; the overload when the
 * signature gives one), content URIs for the content-resolver hook, the entries the permission
 * and sensor hooks cover, and fields and string constants skipped with a reason. Duplicate
 * class+method+overload entries are hooked once (the first id wins).
 */
export function hookPlanFromCatalog(catalog: readonly CatalogEntry[]): HookPlan {
  const plan: HookPlan = { apis: [], contentUris: [], dedicated: [], skipped: [] };
  const seen = new Set<string>();
  for (const entry of catalog) {
    if (entry.kind === 'content-uri') {
      plan.contentUris.push({ id: entry.id, prefix: entry.signature, pi: entry.pi });
      continue;
    }
    if (entry.kind === 'field') {
      plan.skipped.push({
        id: entry.id,
        reason: 'field: a read cannot be hooked; its value is seen where it is used (content URIs, Build)',
      });
      continue;
    }
    if (entry.kind !== 'method') {
      plan.skipped.push({ id: entry.id, reason: `${entry.kind}: a constant, seen in the arguments of the hooked methods` });
      continue;
    }
    const m = METHOD_SIGNATURE.exec(entry.signature);
    if (!m) {
      plan.skipped.push({ id: entry.id, reason: 'malformed method signature' });
      continue;
    }
    const className = m[1]!.replace(/\//g, '.');
    const method = m[2] === '<init>' ? '$init' : m[2]!;
    const dedicated = DEDICATED[`${className}.${method}`];
    if (dedicated !== undefined) {
      plan.dedicated.push({ id: entry.id, hook: dedicated });
      continue;
    }
    let argTypes: string[] | undefined;
    if (m[3] !== undefined) {
      const parsed = dexArgsToFrida(m[3]);
      if (parsed === null) {
        plan.skipped.push({ id: entry.id, reason: 'malformed argument types' });
        continue;
      }
      argTypes = parsed;
    }
    const key = `${className}.${method}(${argTypes?.join(',') ?? '*'})`;
    if (seen.has(key)) {
      plan.skipped.push({ id: entry.id, reason: `same method as an earlier entry (${key})` });
      continue;
    }
    seen.add(key);
    const hook: ApiHook = { id: entry.id, class: className, method, pi: entry.pi };
    if (argTypes !== undefined) hook.argTypes = argTypes;
    if (HOT_APIS.has(entry.id)) hook.hot = true;
    plan.apis.push(hook);
  }
  return plan;
}

/** The catalogue id of a content URI, when one of the plan's prefixes matches it. */
export function matchContentUri(plan: Pick<HookPlan, 'contentUris'>, uri: string): { id: string; pi: string | null } | null {
  for (const c of plan.contentUris) {
    if (uri === c.prefix || uri.startsWith(`${c.prefix}/`) || (c.prefix.endsWith('/') && uri.startsWith(c.prefix)))
      return { id: c.id, pi: c.pi };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Rate limiting

/**
 * At most `perSecond` recorded calls per key and second; the rest are counted and the count goes
 * with the next recorded call (`suppressed`). Keeps `Class.forName` and friends from flooding.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number; dropped: number }>();

  constructor(private readonly perSecond: number) {}

  /** Null: drop this call; a number: record it, with that many calls dropped before it. */
  take(key: string, now: number): number | null {
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { start: now, used: 0, dropped: 0 };
      this.windows.set(key, w);
    }
    if (now - w.start >= 1000) {
      w.start = now;
      w.used = 0;
    }
    if (w.used >= this.perSecond) {
      w.dropped++;
      return null;
    }
    w.used++;
    const dropped = w.dropped;
    w.dropped = 0;
    return dropped;
  }

  /** Keys with calls dropped since their last recorded one. */
  pending(): { key: string; dropped: number }[] {
    return [...this.windows].filter(([, w]) => w.dropped > 0).map(([key, w]) => ({ key, dropped: w.dropped }));
  }
}

// ---------------------------------------------------------------------------------------------
// Events

/** An `api` event for a hooked call (arguments and result already redacted by the caller's descriptions). */
export function apiEvent(
  hook: Pick<ApiHook, 'id' | 'class' | 'method' | 'pi'>,
  t: number,
  details: { args?: readonly ValueDescription[]; result?: ValueDescription; threw?: string; stack?: string[]; suppressed?: number },
): ApiEvent & { suppressed?: number } {
  const event: ApiEvent & { suppressed?: number } = {
    kind: 'api',
    t,
    api: hook.id,
    class: hook.class,
    method: hook.method === '$init' ? '<init>' : hook.method,
    pi: hook.pi,
  };
  if (details.args !== undefined && details.args.length > 0) event.args = redactArgs(details.args);
  if (details.threw !== undefined) event.result = `threw ${typeName(details.threw)}`;
  else if (details.result !== undefined) event.result = redactResult(details.result);
  if (details.stack !== undefined && details.stack.length > 0) event.stack = details.stack.slice(0, MAX_STACK_FRAMES);
  if (details.suppressed !== undefined && details.suppressed > 0) event.suppressed = details.suppressed;
  return event;
}

/** Trace time for an app-side `Date.now()`: ms since the host's start, whole ms, never negative. */
export function traceTime(now: number, startTime: number): number {
  return Math.max(0, Math.round(now - startTime));
}

const PERMISSION_NAME = /^[A-Za-z][\w.]{0,200}$/;

/** Permission names as the trace keeps them: well-formed names only (an app may pass anything). */
export function cleanPermissions(permissions: readonly unknown[]): string[] {
  return permissions.filter((p): p is string => typeof p === 'string' && PERMISSION_NAME.test(p)).slice(0, 64);
}

/**
 * Permission requests waiting for their answers (`onRequestPermissionsResult`), by request code.
 * The event is emitted once, with the request's time and stack and the answers.
 */
export class PermissionTracker {
  private readonly pending = new Map<number, PermissionRequestEvent>();

  /** Records a request; a request with the code of one still pending flushes that one first (returned). */
  request(
    requestCode: number,
    permissions: readonly unknown[],
    t: number,
    stack?: string[],
    alreadyGranted?: readonly boolean[],
  ): PermissionRequestEvent[] {
    const out: PermissionRequestEvent[] = [];
    const previous = this.pending.get(requestCode);
    if (previous !== undefined) out.push(previous);
    const perms = cleanPermissions(permissions);
    if (perms.length === 0) {
      this.pending.delete(requestCode);
      return out;
    }
    const event: PermissionRequestEvent = { kind: 'permission-request', t, permissions: perms };
    if (stack !== undefined && stack.length > 0) event.stack = stack;
    if (alreadyGranted !== undefined && alreadyGranted.length === perms.length && alreadyGranted.every(Boolean)) {
      event.answers = perms.map(() => 'already-granted');
      out.push(event);
      this.pending.delete(requestCode);
      return out;
    }
    this.pending.set(requestCode, event);
    return out;
  }

  /**
   * The answers: `grantResults` 0 granted, anything else denied (`denied-forever` when the app may
   * no longer show a rationale, i.e. "don't ask again"); empty results (the dialog was dismissed or
   * interrupted) are `dismissed`. Null when no request with that code is pending.
   */
  answer(
    requestCode: number,
    permissions: readonly unknown[],
    grantResults: readonly number[],
    showRationale?: readonly boolean[],
  ): PermissionRequestEvent | null {
    const event = this.pending.get(requestCode);
    if (event === undefined) return null;
    this.pending.delete(requestCode);
    const answered = new Map<string, PermissionAnswer>();
    permissions.forEach((p, i) => {
      if (typeof p !== 'string') return;
      const r = grantResults[i];
      if (r === undefined) return;
      answered.set(p, r === 0 ? 'granted' : showRationale !== undefined && showRationale[i] === false ? 'denied-forever' : 'denied');
    });
    event.answers = event.permissions.map((p) => answered.get(p) ?? 'dismissed');
    return event;
  }

  /** Requests older than `maxWaitMs` (or all, for the end of the recording), without answers. */
  expire(now: number, maxWaitMs: number): PermissionRequestEvent[] {
    const out: PermissionRequestEvent[] = [];
    for (const [code, event] of this.pending) {
      if (now - event.t >= maxWaitMs) {
        out.push(event);
        this.pending.delete(code);
      }
    }
    return out;
  }
}

/**
 * Foreground and background from activity resumes and pauses: `foreground` when the first activity
 * resumes, `background` when an activity paused and none resumed within `graceMs` (an in-app
 * transition pauses one activity before the next resumes).
 */
export class ForegroundTracker {
  private resumed = 0;
  private foreground = false;
  private pausedAt: number | null = null;

  constructor(private readonly graceMs = 700) {}

  get state(): 'foreground' | 'background' {
    return this.foreground ? 'foreground' : 'background';
  }

  resume(t: number): LifecycleEvent | null {
    this.resumed++;
    this.pausedAt = null;
    if (this.foreground) return null;
    this.foreground = true;
    return { kind: 'lifecycle', t, action: 'foreground' };
  }

  pause(t: number): void {
    this.resumed = Math.max(0, this.resumed - 1);
    if (this.resumed === 0) this.pausedAt = t;
  }

  /** The `background` event once the grace time has passed without a resume (time of the pause). */
  tick(now: number): LifecycleEvent | null {
    if (!this.foreground || this.pausedAt === null || this.resumed > 0 || now - this.pausedAt < this.graceMs) return null;
    const t = this.pausedAt;
    this.pausedAt = null;
    this.foreground = false;
    return { kind: 'lifecycle', t, action: 'background' };
  }
}

// ---------------------------------------------------------------------------------------------
// Sensors

/** Android `Sensor.TYPE_*` → the trace's sensor names. */
export function sensorName(type: number): SensorEvent['sensor'] {
  switch (type) {
    case 1:
      return 'accelerometer';
    case 10:
      return 'linear-acceleration';
    case 4:
    case 16:
      return 'gyroscope';
    case 11:
    case 15:
    case 20:
      return 'rotation-vector';
    case 9:
      return 'gravity';
    case 2:
    case 14:
      return 'magnetometer';
    default:
      return 'other';
  }
}

export const STANDARD_GRAVITY = 9.80665;

export interface SensorReading {
  /** Trace time, ms. */
  t: number;
  /** `Sensor.getType()`. */
  type: number;
  /** `SensorEvent.values` (m/s², rad/s, or a rotation vector's x, y, z[, w]). */
  values: readonly number[];
}

export interface SensorSummaryOptions {
  windowMs?: number;
  /** Linear acceleration (m/s²) above which the phone counts as moving (default 1.5). */
  movingAcceleration?: number;
  /** Rotation speed (rad/s) above which the phone counts as moving (default 0.5). */
  movingRotationSpeed?: number;
  /** Time constant of the gravity estimate (low-pass filter), ms (default 800). */
  gravityTimeConstantMs?: number;
  /** Windows whose peaks stay below these are not reported (default 0.5 m/s² and 2°). */
  minAcceleration?: number;
  minRotation?: number;
}

interface Movement {
  /** Start of the current movement, or null at rest. */
  since: number | null;
  lastMoving: number | null;
  /** Integrated rotation since the movement began (gyroscope), radians per axis. */
  angle: [number, number, number];
  /** Orientation when the movement began (rotation vector), quaternion. */
  q0: Quaternion | null;
  /** The previous reading's orientation (rotation vector). */
  qPrev: Quaternion | null;
}

type Quaternion = [number, number, number, number];

interface SensorWindow {
  start: number;
  readings: number;
  accelerationPeak: number;
  rotationPeak: number;
  movedUntil: number | null;
  movedSince: number | null;
}

function rad2deg(r: number): number {
  return (r * 180) / Math.PI;
}

/** Angle between two orientations, degrees. */
function angleBetween(a: Quaternion, b: Quaternion): number {
  const dot = Math.min(1, Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]));
  return rad2deg(2 * Math.acos(dot));
}

function quaternion(values: readonly number[]): Quaternion | null {
  const [x, y, z] = values;
  if (x === undefined || y === undefined || z === undefined) return null;
  const w = values[3] ?? Math.sqrt(Math.max(0, 1 - x * x - y * y - z * z));
  const n = Math.hypot(x, y, z, w);
  return n > 0 ? [x / n, y / n, z / n, w / n] : null;
}

/**
 * Summarises sensor readings per window (500 ms): one `sensor` `reading` event per sensor kind and
 * window in which the phone moved, with the peak linear acceleration (m/s², gravity removed: by a
 * low-pass gravity estimate for the accelerometer, as is for `TYPE_LINEAR_ACCELERATION`), the
 * largest rotation from the orientation where the movement began (degrees: the integrated
 * gyroscope, or the angle between rotation-vector quaternions) and how long the movement has lasted
 * so far (ms, across windows). Readings are never sent one by one.
 */
export class SensorSummariser {
  private readonly windowMs: number;
  private readonly movingAcceleration: number;
  private readonly movingRotationSpeed: number;
  private readonly tau: number;
  private readonly minAcceleration: number;
  private readonly minRotation: number;
  private readonly windows = new Map<SensorEvent['sensor'], SensorWindow>();
  private readonly movement = new Map<SensorEvent['sensor'], Movement>();
  private gravity: [number, number, number] | null = null;
  private lastAccelT: number | null = null;
  private lastGyroT: number | null = null;

  constructor(options: SensorSummaryOptions = {}) {
    this.windowMs = options.windowMs ?? SENSOR_WINDOW_MS;
    this.movingAcceleration = options.movingAcceleration ?? 1.5;
    this.movingRotationSpeed = options.movingRotationSpeed ?? 0.5;
    this.tau = options.gravityTimeConstantMs ?? 800;
    this.minAcceleration = options.minAcceleration ?? 0.5;
    this.minRotation = options.minRotation ?? 2;
  }

  /** Adds one reading; returns the summaries of windows this reading closed. */
  add(reading: SensorReading): SensorEvent[] {
    if (!Number.isFinite(reading.t) || !reading.values.every((v) => Number.isFinite(v))) return [];
    const sensor = sensorName(reading.type);
    const out = this.closeBefore(sensor, reading.t);
    let w = this.windows.get(sensor);
    if (w === undefined) {
      const start = reading.t - (reading.t % this.windowMs);
      w = { start, readings: 0, accelerationPeak: 0, rotationPeak: 0, movedUntil: null, movedSince: null };
      this.windows.set(sensor, w);
    }
    let m = this.movement.get(sensor);
    if (m === undefined) {
      m = { since: null, lastMoving: null, angle: [0, 0, 0], q0: null, qPrev: null };
      this.movement.set(sensor, m);
    }
    w.readings++;
    const v = reading.values;
    let moving = false;
    if (sensor === 'accelerometer' || sensor === 'linear-acceleration') {
      let linear: number;
      if (sensor === 'accelerometer') {
        const a: [number, number, number] = [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0];
        if (this.gravity === null) this.gravity = a;
        const linearVec = a.map((x, i) => x - this.gravity![i]!);
        linear = Math.hypot(linearVec[0]!, linearVec[1]!, linearVec[2]!);
        const dt = this.lastAccelT === null ? 0 : Math.max(0, reading.t - this.lastAccelT);
        const alpha = this.tau / (this.tau + dt);
        this.gravity = this.gravity.map((g, i) => alpha * g + (1 - alpha) * a[i]!) as [number, number, number];
        this.lastAccelT = reading.t;
      } else {
        linear = Math.hypot(v[0] ?? 0, v[1] ?? 0, v[2] ?? 0);
      }
      w.accelerationPeak = Math.max(w.accelerationPeak, linear);
      moving = linear >= this.movingAcceleration;
    } else if (sensor === 'gyroscope') {
      const speed = Math.hypot(v[0] ?? 0, v[1] ?? 0, v[2] ?? 0);
      moving = speed >= this.movingRotationSpeed;
      const dt = this.lastGyroT === null ? 0 : Math.max(0, Math.min(200, reading.t - this.lastGyroT)) / 1000;
      this.lastGyroT = reading.t;
      if (moving || m.since !== null) {
        m.angle = m.angle.map((a, i) => a + (v[i] ?? 0) * dt) as [number, number, number];
        w.rotationPeak = Math.max(w.rotationPeak, rad2deg(Math.hypot(m.angle[0], m.angle[1], m.angle[2])));
      }
    } else if (sensor === 'rotation-vector') {
      const q = quaternion(v);
      if (q !== null) {
        const step = m.qPrev === null ? 0 : angleBetween(m.qPrev, q);
        const previous = m.qPrev ?? q;
        m.qPrev = q;
        moving = step >= 0.5;
        if (m.since === null && !moving) m.q0 = q;
        else {
          m.q0 ??= previous;
          w.rotationPeak = Math.max(w.rotationPeak, angleBetween(m.q0, q));
        }
      }
    }
    if (moving) {
      if (m.since === null) m.since = reading.t;
      m.lastMoving = reading.t;
      w.movedSince ??= m.since;
      w.movedUntil = reading.t;
    } else if (m.since !== null && m.lastMoving !== null && reading.t - m.lastMoving > this.windowMs) {
      // At rest for a whole window: the movement is over.
      m.since = null;
      m.lastMoving = null;
      m.angle = [0, 0, 0];
      m.q0 = m.qPrev;
    }
    return out;
  }

  /** Summaries of every window that has ended by `now` (the agent calls this on a timer). */
  flush(now: number): SensorEvent[] {
    const out: SensorEvent[] = [];
    for (const sensor of [...this.windows.keys()]) for (const e of this.closeBefore(sensor, now)) out.push(e);
    return out;
  }

  /** Summaries of all open windows (end of the recording). */
  flushAll(): SensorEvent[] {
    return this.flush(Number.POSITIVE_INFINITY);
  }

  private closeBefore(sensor: SensorEvent['sensor'], t: number): SensorEvent[] {
    const w = this.windows.get(sensor);
    if (w === undefined || t < w.start + this.windowMs) return [];
    this.windows.delete(sensor);
    if (w.readings === 0 || (w.accelerationPeak < this.minAcceleration && w.rotationPeak < this.minRotation)) return [];
    const event: SensorEvent = { kind: 'sensor', t: w.start, action: 'reading', sensor };
    if (sensor === 'accelerometer' || sensor === 'linear-acceleration') event.accelerationPeak = round2(w.accelerationPeak);
    if (sensor === 'gyroscope' || sensor === 'rotation-vector') event.rotationPeak = round2(w.rotationPeak);
    if (w.movedSince !== null && w.movedUntil !== null) event.durationMs = Math.round(w.movedUntil - w.movedSince);
    return [event];
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
