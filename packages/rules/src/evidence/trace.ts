/**
 * What the runtime rules need from a trace: the app state and consent status at each event, SDK
 * attribution of call stacks (through `@apprights/runtime`), and the catalogue facts (PI category, permission) of an
 * API event. `@apprights/runtime` owns the trace format; these helpers only read its event model.
 */
import type { KnowledgeSnapshot, SensitiveApi } from '@apprights/knowledge';
import { attributeStack as attributeCall } from '@apprights/runtime';
import type {
  ApiEvent,
  AppState,
  ConsentEvent,
  LifecycleEvent,
  NavigationEvent,
  PermissionRequestEvent,
  Trace,
  TraceEvent,
  UserEvent,
} from '@apprights/runtime';
import type { EvidenceRef } from '../engine/types.js';

export type Located<E> = E & { line: number };
export type AnyEvent = Located<TraceEvent>;

/** An API call: a catalogue id or a class (a recorder may give only one of them). */
export const isApi = (e: AnyEvent): e is Located<ApiEvent> =>
  e.kind === 'api' && (typeof (e as ApiEvent).class === 'string' || typeof (e as ApiEvent).api === 'string');
export const isConsent = (e: AnyEvent): e is Located<ConsentEvent> => e.kind === 'consent';
export const isPermissionRequest = (e: AnyEvent): e is Located<PermissionRequestEvent> =>
  e.kind === 'permission-request' && Array.isArray((e as PermissionRequestEvent).permissions);
export const isLifecycle = (e: AnyEvent): e is Located<LifecycleEvent> => e.kind === 'lifecycle';
export const isNavigation = (e: AnyEvent): e is Located<NavigationEvent> => e.kind === 'navigation';
export const isUser = (e: AnyEvent): e is Located<UserEvent> => e.kind === 'user';

/** User actions that can start a feature (not `launch`, `back`, `home`: those open or leave the app). */
export const FEATURE_ACTIONS: ReadonlySet<UserEvent['action']> = new Set(['tap', 'swipe', 'text', 'shake']);

/** The consent status at an event: `none` before any consent event, then the last action. */
export type ConsentStatus = 'none' | ConsentEvent['action'];

export interface TimelineEntry {
  event: AnyEvent;
  /** The app state when the event happened (`readTrace` fills it from the lifecycle events); null while unknown. */
  state: AppState | null;
  consent: ConsentStatus;
}

/** Each event with the app state and the consent status in force when it happened. */
export function buildTimeline(trace: Trace): TimelineEntry[] {
  let consent: ConsentStatus = 'none';
  return trace.events.map((event) => {
    if (isConsent(event)) consent = event.action;
    return { event, state: event.state ?? null, consent };
  });
}

/**
 * Who made a call: `@apprights/runtime`'s attribution (the innermost frame outside the platform and
 * the SDK that owns it), told the app's package so that the app's own classes are never taken for an
 * SDK whose package space they happen to share. No stack: both null.
 */
export function attributeStack(
  knowledge: KnowledgeSnapshot,
  stack: readonly string[] | undefined,
  trace?: Pick<Trace, 'header'>,
): { sdk: string | null; frame: string | null } {
  const appPackage = trace?.header?.package;
  return attributeCall(stack ?? [], appPackage ? { appPackage, catalog: knowledge.sdks } : { catalog: knowledge.sdks });
}

/** The catalogue SDK that owns a class (a component started in the trace), longest package prefix first. */
export function sdkOfClass(knowledge: KnowledgeSnapshot, className: string, trace?: Pick<Trace, 'header'>): string | null {
  return attributeStack(knowledge, [`${className}.<init>(Unknown Source)`], trace).sdk;
}

/** The SDK's catalogue name in the language, else its id. */
export function sdkLabel(knowledge: KnowledgeSnapshot, id: string, lang: 'zh' | 'en'): string {
  return knowledge.sdks.get(id)?.name[lang] ?? id;
}

/** Who called, for messages: the SDK's name, or the app. */
export function callerLabel(knowledge: KnowledgeSnapshot, sdk: string | null, lang: 'zh' | 'en'): string {
  if (sdk) return lang === 'zh' ? `SDK ${sdkLabel(knowledge, sdk, 'zh')}` : `SDK ${sdkLabel(knowledge, sdk, 'en')}`;
  return lang === 'zh' ? '应用自身代码' : 'the app’s own code';
}

/** Per snapshot, so a newer snapshot handed to a running process is never judged by an older index. */
const signatureIndexes = new WeakMap<KnowledgeSnapshot, Map<string, SensitiveApi>>();

/** The catalogue API of an event: by id, else by class and method against the DEX signatures. */
export function catalogueApi(knowledge: KnowledgeSnapshot, event: ApiEvent): SensitiveApi | undefined {
  if (event.api) {
    const byId = knowledge.sensitiveApi(event.api);
    if (byId) return byId;
  }
  let signatureIndex = signatureIndexes.get(knowledge);
  if (!signatureIndex) {
    signatureIndex = new Map();
    for (const api of knowledge.sensitiveApis) {
      if (api.kind !== 'method' && api.kind !== 'field') continue;
      const member = api.signature.replace(/[(:].*$/, '');
      if (!signatureIndex.has(member)) signatureIndex.set(member, api);
    }
    signatureIndexes.set(knowledge, signatureIndex);
  }
  if (typeof event.class !== 'string' || typeof event.method !== 'string') return undefined;
  return signatureIndex.get(`L${event.class.replace(/\./g, '/')};->${event.method}`);
}

export interface ApiFacts {
  /** The catalogue id, else `Class.method`. */
  name: string;
  /** The PI category read: the event's own, else the catalogue's; null for none. */
  pi: string | null;
  /** The runtime permission the call usually needs. */
  permission: string | null;
  /** Whether the catalogue knows the API. */
  known: boolean;
}

export function apiFacts(knowledge: KnowledgeSnapshot, event: ApiEvent): ApiFacts {
  const api = catalogueApi(knowledge, event);
  return {
    name: event.api ?? api?.id ?? `${event.class}.${event.method}`,
    pi: event.pi ?? api?.pi ?? null,
    permission: api?.permission ?? null,
    known: api !== undefined,
  };
}

export function piLabel(knowledge: KnowledgeSnapshot, id: string, lang: 'zh' | 'en'): string {
  return knowledge.piCategory(id)?.[lang] ?? id;
}

/** `android.permission.CAMERA` → `CAMERA`, for messages. */
export function shortPermission(name: string): string {
  return name.replace(/^android\.permission\./, '');
}

/** The PI category a permission guards (permissions.json), or null. */
export function permissionPi(knowledge: KnowledgeSnapshot, name: string): string | null {
  return knowledge.permission(name)?.pi ?? null;
}

/**
 * The group a dangerous permission is asked in: its platform group when it names one, else its PI
 * category (Android 10 put most dangerous permissions in UNDEFINED), else the name itself.
 * Null for permissions that are not dangerous (nothing the user is asked for).
 */
export function permissionGroup(knowledge: KnowledgeSnapshot, name: string): string | null {
  if (!knowledge.isDangerousPermission(name)) return null;
  const permission = knowledge.permission(name)!;
  if (permission.group && !permission.group.endsWith('.UNDEFINED')) return permission.group.replace(/^android\.permission-group\./, '');
  return permission.pi ?? name;
}

export const REFUSALS: ReadonlySet<string> = new Set(['denied', 'denied-forever']);

/** The permissions a request's answers refused. */
export function refusedPermissions(event: PermissionRequestEvent): string[] {
  return event.permissions.filter((_, i) => REFUSALS.has(event.answers?.[i] ?? ''));
}

/** Seconds for messages: `2`, `0.5`, `3.25`. */
export function seconds(ms: number): string {
  return String(Math.round(ms / 10) / 100);
}

/** The evidence reference of an event. */
export function traceRef(event: { line: number; t: number }, detail?: string): EvidenceRef {
  return detail === undefined
    ? { kind: 'trace', event: event.line, time: event.t }
    : { kind: 'trace', event: event.line, time: event.t, detail };
}

/** The last event before index `i` (exclusive) that matches, within `windowMs` of `at`. */
export function userActionBefore(
  events: readonly AnyEvent[],
  i: number,
  windowMs: number,
  actions = FEATURE_ACTIONS,
): Located<UserEvent> | undefined {
  const at = events[i]!.t;
  for (let j = i - 1; j >= 0; j--) {
    const e = events[j]!;
    if (at - e.t > windowMs) return undefined;
    if (isUser(e) && actions.has(e.action)) return e;
  }
  return undefined;
}

export function joinList(items: readonly string[], lang: 'zh' | 'en'): string {
  return items.join(lang === 'zh' ? '、' : ', ');
}

/** The sentence-initial form of an English phrase. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What started a jump or start, as one rule for every rule that asks (self-start, shake, downloads). */
export interface TriggerJudgement {
  trigger: 'user' | 'app' | 'sensor' | 'push' | 'unknown';
  /** Whether the recorder wrote it (else it was worked out from the events before). */
  recorded: boolean;
  /** `low` for `unknown`: the trace cannot tell a start by the app from one the recorder missed input for. */
  confidence: 'high' | 'low';
  /** The user action that explains it, when one does. */
  userAction?: Located<UserEvent>;
  /** For `unknown`: what evidence would settle it. */
  settle: { zh: string; en: string };
}

const SETTLED = { zh: '', en: '' };

/** What would settle an unknown trigger, said the same way by every rule. */
export const UNKNOWN_TRIGGER_SETTLE = {
  zh: '触发方式未知：轨迹既没有记录 trigger，之前也没有用户输入事件，可能由应用自行发起，也可能是记录器未捕获输入。记录输入事件（adb getevent 或 Frida 点击钩子）和传感器读数，或由记录器填写 trigger，即可判定',
  en: 'the trigger is unknown: the trace records none and shows no user input before it, so the app may have started it on its own or the recorder missed the input. Input events (adb getevent or the Frida click hooks) and sensor readings before it, or a trigger written by the recorder, would settle it',
};

/**
 * The trigger of the event at index `i`: the recorder's `user`, `app`, `sensor` or `push` as
 * written; otherwise a user action (tap, swipe, text) within `windowMs` before makes it `user`, and
 * without one it stays `unknown` with low confidence — never dropped, never taken for certain.
 */
export function judgeTrigger(events: readonly AnyEvent[], i: number, windowMs: number): TriggerJudgement {
  const event = events[i]! as AnyEvent & { trigger?: string };
  const written = event.trigger;
  if (written === 'user' || written === 'app' || written === 'sensor' || written === 'push') {
    const userAction = written === 'user' ? userActionBefore(events, i, windowMs) : undefined;
    return { trigger: written, recorded: true, confidence: 'high', ...(userAction ? { userAction } : {}), settle: SETTLED };
  }
  const userAction = userActionBefore(events, i, windowMs);
  if (userAction) return { trigger: 'user', recorded: false, confidence: 'high', userAction, settle: SETTLED };
  return { trigger: 'unknown', recorded: written === 'unknown', confidence: 'low', settle: UNKNOWN_TRIGGER_SETTLE };
}

/**
 * Words of the features that need each kind of permission, in labels and resource ids (zh and en).
 * A tap excuses a permission request only when it plausibly leads to it: its node names the feature,
 * or it opened the screen that asks. Keyed by a part of the permission's name, so new permissions of
 * a known kind (READ_MEDIA_IMAGES, NEARBY_WIFI_DEVICES) match without a list of every name.
 */
const FEATURE_WORDS: { permission: RegExp; words: RegExp }[] = [
  { permission: /CAMERA/, words: /拍照|相机|拍摄|扫码|扫一扫|视频|camera|photo|scan|qr|video/i },
  { permission: /LOCATION/, words: /定位|位置|附近|地图|导航|城市|签到|location|map|nearby|navigat|city|check.?in/i },
  { permission: /RECORD_AUDIO/, words: /语音|录音|麦克风|说话|通话|voice|audio|record|mic|speak|call/i },
  { permission: /CONTACTS|GET_ACCOUNTS/, words: /通讯录|联系人|好友|邀请|contact|friend|invite/i },
  {
    permission: /STORAGE|READ_MEDIA|MEDIA_LOCATION/,
    words: /相册|图片|照片|上传|保存|下载|文件|头像|album|gallery|photo|image|picture|upload|save|download|file|avatar/i,
  },
  { permission: /PHONE|CALL|ANSWER_PHONE_CALLS/, words: /电话|拨打|呼叫|客服|call|phone|dial/i },
  { permission: /SMS|MMS/, words: /短信|验证码|sms|message|verification|code/i },
  { permission: /CALENDAR/, words: /日历|提醒|日程|预约|calendar|remind|schedule|appointment/i },
  { permission: /BODY_SENSORS|ACTIVITY_RECOGNITION/, words: /运动|步数|健康|心率|step|fitness|health|sport|heart/i },
  { permission: /BLUETOOTH|NEARBY_WIFI/, words: /蓝牙|设备|连接|配对|bluetooth|device|connect|pair/i },
  { permission: /NOTIFICATION/, words: /通知|消息|提醒|订阅|notif|message|remind|subscribe/i },
];

/** Taps on a consent dialog: agreeing or refusing is not asking for a feature. */
const CONSENT_WORDS = /同意|不同意|拒绝|暂不使用|仅浏览|隐私政策|用户协议|agree|accept|decline|disagree|privacy/i;
/** A consent event this soon after a tap makes the tap the consent answer. */
const CONSENT_TAP_MS = 3000;

export type TapRelation = 'related' | 'unrelated' | 'unknown';

/** Why a tap does not count as the user asking for a feature, or null when it may. */
export function notAFeatureTap(events: readonly AnyEvent[], j: number, ownPackage: string | undefined): 'consent' | 'other-window' | null {
  const tap = events[j]! as Located<UserEvent>;
  if (tap.package && ownPackage && tap.package !== ownPackage) return 'other-window';
  const label = `${tap.node ?? ''} ${tap.nodeText ?? ''}`;
  if (CONSENT_WORDS.test(label)) return 'consent';
  for (let k = j + 1; k < events.length; k++) {
    const e = events[k]!;
    if (e.t - tap.t > CONSENT_TAP_MS) break;
    if (isConsent(e) && e.action !== 'shown') return 'consent';
  }
  // The screen in front when the tap came: a consent or permission dialog the recorder marked.
  for (let k = j - 1; k >= 0; k--) {
    const e = events[k]! as AnyEvent & { role?: string };
    if (e.kind !== 'ui') continue;
    if (e.role === 'consent') return 'consent';
    if (e.role === 'permission') return 'other-window';
    break;
  }
  return null;
}

/** Whether a tap plausibly leads to a request for these permissions. */
export function tapRelation(events: readonly AnyEvent[], j: number, i: number, permissions: readonly string[]): TapRelation {
  const tap = events[j]! as Located<UserEvent>;
  // The tap opened the screen that asks: an activity or page change between the two.
  for (let k = j + 1; k < i; k++) {
    const e = events[k]!;
    if (isNavigation(e) && (e.action === 'activity' || e.action === 'page')) return 'related';
  }
  const label = [tap.node, tap.nodeText].filter((s): s is string => !!s && s.trim() !== '').join(' ');
  if (label === '') return 'unknown';
  const named = permissions.map((p) => p.replace(/^.*\./, ''));
  const kinds = FEATURE_WORDS.filter((f) => named.some((p) => f.permission.test(p)));
  if (kinds.length === 0) return 'unknown';
  return kinds.some((f) => f.words.test(label.replace(/[_./:-]/g, ' '))) ? 'related' : 'unrelated';
}

export interface ExcusingTap {
  tap: Located<UserEvent>;
  relation: TapRelation;
}

/**
 * The latest user action within `windowMs` before event `i` that may excuse a permission request:
 * not a consent answer, not on another window (a system dialog), with its relation to the request.
 */
export function featureTapBefore(
  events: readonly AnyEvent[],
  i: number,
  windowMs: number,
  permissions: readonly string[],
  ownPackage: string | undefined,
): ExcusingTap | undefined {
  const at = events[i]!.t;
  for (let j = i - 1; j >= 0; j--) {
    const e = events[j]!;
    if (at - e.t > windowMs) return undefined;
    if (!isUser(e) || !FEATURE_ACTIONS.has(e.action)) continue;
    if (notAFeatureTap(events, j, ownPackage)) continue;
    return { tap: e, relation: tapRelation(events, j, i, permissions) };
  }
  return undefined;
}
