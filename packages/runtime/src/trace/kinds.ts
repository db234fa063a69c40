import type {
  AppState,
  ConsentAction,
  ComponentKind,
  ConsentEvent,
  DownloadChannel,
  KnownEvent,
  LifecycleEvent,
  NavigationEvent,
  PermissionAnswer,
  SensorEvent,
  StartCause,
  TraceEvent,
  UiEvent,
  UserEvent,
} from './types.js';

/** The event kinds this version of the format defines; any other kind is kept as an `UnknownEvent`. */
export const KNOWN_EVENT_KINDS = [
  'trace',
  'api',
  'consent',
  'permission-request',
  'lifecycle',
  'sensor',
  'navigation',
  'network',
  'ui',
  'user',
  'intent',
] as const satisfies readonly KnownEvent['kind'][];

export type KnownEventKind = (typeof KNOWN_EVENT_KINDS)[number];

/** The event interface of a known kind: `EventOfKind<'api'>` is `ApiEvent`. */
export type EventOfKind<K extends KnownEventKind> = Extract<KnownEvent, { kind: K }>;

/** An event as read, with its line in the trace. */
export type TraceLineEvent<E extends TraceEvent = TraceEvent> = E & { line: number };

const KNOWN = new Set<string>(KNOWN_EVENT_KINDS);

export function isKnownEventKind(kind: string): kind is KnownEventKind {
  return KNOWN.has(kind);
}

/**
 * Narrows an event to a known kind. `event.kind === 'api'` alone does not narrow, because
 * `UnknownEvent` also has a string `kind`; the reader has already checked the fields of known kinds,
 * so the kind is enough here.
 */
export function isEventOfKind<K extends KnownEventKind, E extends TraceEvent>(event: E, kind: K): event is E & EventOfKind<K> {
  return event.kind === kind;
}

/** The events of one kind, in trace order, with their lines. */
export function eventsOfKind<K extends KnownEventKind>(events: readonly TraceLineEvent[], kind: K): TraceLineEvent<EventOfKind<K>>[] {
  return events.filter((e): e is TraceLineEvent<EventOfKind<K>> => e.kind === kind);
}

/**
 * Every value of a union of string literals, checked both ways by the compiler: a value outside the
 * union fails `satisfies`, a missing one fails the tuple check. The reader, the schema test and the
 * README all use these lists, so they cannot drift from `types.ts`.
 */
function allOf<T extends string>() {
  return <const A extends readonly T[]>(values: A & ([T] extends [A[number]] ? unknown : 'a value of the union is missing')): A => values;
}

export const APP_STATES = allOf<AppState>()(['foreground', 'background', 'not-running']);
export const CONSENT_ACTIONS = allOf<ConsentAction>()(['shown', 'agreed', 'refused', 'withdrawn']);
export const CONSENT_DETECTED_BY = allOf<ConsentEvent['detectedBy']>()(['ui', 'user', 'hook', 'auto']);
export const PERMISSION_ANSWERS = allOf<PermissionAnswer>()(['granted', 'denied', 'denied-forever', 'dismissed', 'already-granted']);
export const START_CAUSES = allOf<StartCause>()([
  'launcher',
  'boot',
  'broadcast',
  'other-app',
  'push',
  'service',
  'alarm',
  'job',
  'unknown',
]);
export const LIFECYCLE_ACTIONS = allOf<LifecycleEvent['action']>()(['process-start', 'foreground', 'background', 'exit', 'crash']);
export const SENSOR_ACTIONS = allOf<SensorEvent['action']>()(['register', 'unregister', 'reading']);
export const SENSOR_TYPES = allOf<SensorEvent['sensor']>()([
  'accelerometer',
  'linear-acceleration',
  'gyroscope',
  'rotation-vector',
  'gravity',
  'magnetometer',
  'other',
]);
export const NAVIGATION_ACTIONS = allOf<NavigationEvent['action']>()([
  'activity',
  'page',
  'jump-app',
  'jump-browser',
  'jump-store',
  'download-start',
  'install-request',
  'deeplink',
]);
export const NAVIGATION_TRIGGERS = allOf<NonNullable<NavigationEvent['trigger']>>()(['user', 'app', 'sensor', 'push', 'unknown']);
export const UI_ROLES = allOf<NonNullable<UiEvent['role']>>()([
  'splash',
  'popup',
  'consent',
  'permission',
  'download-prompt',
  'ad',
  'main',
  'other',
]);
export const USER_ACTIONS = allOf<UserEvent['action']>()(['tap', 'swipe', 'shake', 'back', 'home', 'text', 'launch', 'key']);
export const USER_SOURCES = allOf<NonNullable<UserEvent['source']>>()(['explorer', 'getevent', 'frida', 'tester']);
export const COMPONENT_KINDS = allOf<ComponentKind>()(['activity', 'service', 'receiver', 'provider', 'unknown']);
export const DOWNLOAD_CHANNELS = allOf<DownloadChannel>()(['download-manager', 'package-installer', 'apk-intent', 'http', 'unknown']);
