import { loadSdkCatalog, packageMatcher, type SdkCatalog, type SdkEntry } from '@apprights/knowledge';
import { eventsOfKind, type TraceLineEvent } from './kinds.js';
import type { AppState, ConsentEvent, LifecycleEvent, Trace, UserEvent } from './types.js';

export type ConsentStatus = 'none' | 'shown' | 'agreed' | 'refused' | 'withdrawn';

export interface ConsentAt {
  /** The last consent action at or before the time; `none` before any. */
  status: ConsentStatus;
  /** Time of the first `agreed` at or before the time, or null (also after a withdrawal it stays set). */
  agreedAt: number | null;
}

/**
 * Questions the runtime rules ask about a moment of the trace. "At t" includes events at exactly t
 * (an API call in the same millisecond as the agreement counts as after it: a recorder's clock cannot
 * order them, and we do not accuse on a tie); "before t" excludes them.
 */
export interface Timeline {
  /** Time of the first `agreed` consent event of the whole trace, or null. */
  readonly firstAgreedAt: number | null;
  readonly consentEvents: readonly TraceLineEvent<ConsentEvent>[];
  readonly lifecycleEvents: readonly TraceLineEvent<LifecycleEvent>[];
  readonly userEvents: readonly TraceLineEvent<UserEvent>[];
  consentAt(t: number): ConsentAt;
  /** The app's state set by the last lifecycle event at or before t; null before any. */
  stateAt(t: number): AppState | null;
  /** The last user event strictly before t, or null. */
  lastUserEventBefore(t: number): TraceLineEvent<UserEvent> | null;
}

/** Index of the last event with time ≤ t (or < t when `strict`), -1 if none; `events` sorted by time. */
function lastAtOrBefore(events: readonly { t: number }[], t: number, strict = false): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const before = strict ? events[mid]!.t < t : events[mid]!.t <= t;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Builds the timeline of a trace as read by `readTrace` (events sorted by time, states filled). Queries are O(log n). */
export function buildTimeline(trace: Trace): Timeline {
  const consentEvents = eventsOfKind(trace.events, 'consent');
  const lifecycleEvents = eventsOfKind(trace.events, 'lifecycle');
  const userEvents = eventsOfKind(trace.events, 'user');
  // For each consent event: the first agreement up to and including it.
  const agreedUpTo: (number | null)[] = [];
  let firstAgreed: number | null = null;
  for (const e of consentEvents) {
    if (e.action === 'agreed' && firstAgreed === null) firstAgreed = e.t;
    agreedUpTo.push(firstAgreed);
  }
  return {
    firstAgreedAt: firstAgreed,
    consentEvents,
    lifecycleEvents,
    userEvents,
    consentAt(t) {
      const i = lastAtOrBefore(consentEvents, t);
      return i < 0 ? { status: 'none', agreedAt: null } : { status: consentEvents[i]!.action, agreedAt: agreedUpTo[i]! };
    },
    stateAt(t) {
      const i = lastAtOrBefore(lifecycleEvents, t);
      return i < 0 ? null : (lifecycleEvents[i]!.state ?? null);
    },
    lastUserEventBefore(t) {
      const i = lastAtOrBefore(userEvents, t, true);
      return i < 0 ? null : userEvents[i]!;
    },
  };
}

export interface StackAttribution {
  /** The catalogue id of the SDK that made the call, or null for the app (or nobody known). */
  sdk: string | null;
  /** The frame that decided it: the SDK's frame, else the first frame of app code; null when the stack has neither. */
  frame: string | null;
}

export interface AttributeStackOptions {
  /** Default: the package's own catalogue (`loadSdkCatalog()`). */
  catalog?: SdkCatalog;
  /**
   * The app's package. A frame in it is the app's own code and ends the search, unless an SDK claims a
   * longer prefix (an app whose package lies in an SDK vendor's space, `com.tencent.news`).
   */
  appPackage?: string;
}

/** Platform and language runtime: they run on behalf of whoever called them, so they never decide. */
const FRAMEWORK_PREFIXES = ['android.', 'java.', 'javax.', 'kotlin.', 'com.android.', 'dalvik.', 'libcore.', 'sun.', 'jdk.'];

/**
 * `com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)` → `com.umeng.commonsdk.utils.UMUtils`.
 * Also takes `at ` prefixes (Java's printed traces), bare `Class.method`, and `Class` alone.
 */
export function frameClass(frame: string): string | null {
  let f = frame.trim();
  if (f.startsWith('at ')) f = f.slice(3).trim();
  const paren = f.indexOf('(');
  if (paren >= 0) f = f.slice(0, paren);
  f = f.trim();
  if (f === '' || /\s/.test(f)) return null;
  const dot = f.lastIndexOf('.');
  if (dot < 0) return null;
  // `Class.method`: the method starts lowercase (or `<init>`); a class name alone ends in an uppercase segment.
  const last = f.slice(dot + 1);
  return /^[a-z_$<]/.test(last) || last.startsWith('lambda$') ? f.slice(0, dot) : f;
}

function isFrameworkClass(name: string): boolean {
  return FRAMEWORK_PREFIXES.some((p) => name.startsWith(p));
}

function underPackage(name: string, pkg: string): boolean {
  return name.startsWith(pkg + '.');
}

/**
 * Who made a call, from its stack (innermost frame first). Framework frames are skipped. The first
 * frame in a catalogue SDK decides — except open-source libraries (AndroidX, OkHttp, ...), which run
 * on behalf of their caller and are passed over, and frames of the app's own package (when given),
 * which stop the search. Without an SDK frame the app made the call (sdk null, its first frame);
 * a stack of only library frames goes to the first library.
 */
export function attributeStack(stack: readonly string[], options: AttributeStackOptions = {}): StackAttribution {
  const matcher = packageMatcher(options.catalog ?? loadSdkCatalog());
  const appPackage = options.appPackage;
  let firstApp: string | null = null;
  let firstLibrary: { sdk: SdkEntry; frame: string } | null = null;
  for (const frame of stack) {
    if (typeof frame !== 'string') continue;
    const name = frameClass(frame);
    if (name === null || isFrameworkClass(name)) continue;
    const match = matcher.matchPackageOf(name);
    if (appPackage && underPackage(name, appPackage) && (!match || match.segments <= appPackage.split('.').length)) {
      return { sdk: null, frame };
    }
    if (!match) {
      firstApp ??= frame;
      continue;
    }
    if (match.sdk.category === 'open-source-library') {
      firstLibrary ??= { sdk: match.sdk, frame };
      continue;
    }
    return { sdk: match.sdk.id, frame };
  }
  if (firstApp !== null) return { sdk: null, frame: firstApp };
  if (firstLibrary) return { sdk: firstLibrary.sdk.id, frame: firstLibrary.frame };
  return { sdk: null, frame: null };
}
