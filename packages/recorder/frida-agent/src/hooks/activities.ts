/**
 * The app's life and where it goes: process start (`Instrumentation.callApplicationOnCreate`, which
 * runs `Application.onCreate` whether or not the app's subclass calls super), activity resumes and
 * pauses (`navigation` `activity`, `lifecycle` `foreground` / `background`), activity starts that
 * leave the app (`Instrumentation.execStartActivity`, the funnel of every `startActivity`:
 * `jump-app`, `jump-browser`, `jump-store`, `install-request`) and package-installer sessions.
 */
import type { IntentEvent, LifecycleEvent, NavigationEvent } from '@apprights/runtime';
import { apiEvent, classifyIntent, downloadTarget, intentInfo, triggerOf, type IntentSummary } from '../../../src/frida/encode.js';
import { context, emit, now } from '../context.js';
import { argTypesOf, classNameOf, guarded, inHook, methodOf, stackHere, use, type JavaWrapper } from '../java.js';

/** An input this soon before a jump, start or download makes it the user's. */
const TRIGGER_WINDOW_MS = 2000;

function trigger(t: number) {
  const ctx = context();
  return triggerOf(ctx?.lastInput ?? null, t, TRIGGER_WINDOW_MS, ctx?.inputHooked === true);
}

/** Called just before `Application.onCreate` runs (the agent retries hooks of late classes there). */
let onApplicationCreate: (() => void) | null = null;

export function setApplicationCreateCallback(fn: () => void): void {
  onApplicationCreate = fn;
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** What `classifyIntent` needs from an Intent wrapper (raw values: classified and redacted there). */
function summariseIntent(intent: JavaWrapper): IntentSummary {
  const summary: IntentSummary = {};
  try {
    summary.action = str(intent.getAction());
    summary.data = str(intent.getDataString());
    summary.type = str(intent.getType());
    summary.package = str(intent.getPackage());
    const component = intent.getComponent() as JavaWrapper | null;
    if (component !== null) {
      summary.componentPackage = str(component.getPackageName());
      summary.componentClass = str(component.getClassName());
    }
  } catch {
    // a half-read intent is classified from what was read
  }
  return summary;
}

function processName(): string | null {
  try {
    return str(use('android.app.ActivityThread').currentProcessName());
  } catch {
    return null;
  }
}

export function hookActivities(): string[] {
  const installed: string[] = [];
  const Instrumentation = use('android.app.Instrumentation');

  const onCreate = methodOf(Instrumentation, 'callApplicationOnCreate');
  if (onCreate !== null) {
    for (const overload of onCreate.overloads) {
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null) {
          guarded(() => {
            ctx.process = processName();
            const event: LifecycleEvent = {
              kind: 'lifecycle',
              t: now(),
              action: 'process-start',
              cause: ctx.config.spawned === true ? 'launcher' : 'unknown',
            };
            event.component = classNameOf(args[0] as JavaWrapper | null);
            emit(event);
          });
          if (onApplicationCreate !== null) onApplicationCreate();
        }
        return overload.apply(this, args);
      };
    }
    installed.push('android.app.Instrumentation.callApplicationOnCreate');
  }

  const Activity = use('android.app.Activity');
  const onResume = methodOf(Activity, 'onResume');
  if (onResume !== null) {
    const overload = onResume.overload();
    overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
      const ctx = context();
      if (ctx !== null && !inHook()) {
        guarded(() => {
          const t = now();
          const foreground = ctx.foreground.resume(t);
          if (foreground !== null) emit(foreground);
          const nav: NavigationEvent = { kind: 'navigation', t, action: 'activity', target: classNameOf(this) };
          emit(nav);
        });
      }
      return overload.apply(this, args);
    };
    installed.push('android.app.Activity.onResume');
  }
  const onPause = methodOf(Activity, 'onPause');
  if (onPause !== null) {
    const overload = onPause.overload();
    overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
      const ctx = context();
      if (ctx !== null && !inHook()) ctx.foreground.pause(now());
      return overload.apply(this, args);
    };
    installed.push('android.app.Activity.onPause');
  }

  const execStart = methodOf(Instrumentation, 'execStartActivity');
  if (execStart !== null) {
    for (const overload of execStart.overloads) {
      const intentAt = argTypesOf(overload).indexOf('android.content.Intent');
      if (intentAt < 0) continue;
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        const intent = args[intentAt] as JavaWrapper | null;
        if (ctx !== null && intent !== null && !inHook()) {
          guarded(() => {
            const jump = classifyIntent(summariseIntent(intent), ctx.config.package);
            if (jump !== null) {
              const t = now();
              const stack = stackHere();
              const event: NavigationEvent = {
                kind: 'navigation',
                t,
                action: jump.action,
                target: jump.target,
                intent: jump.intent,
                ...trigger(t),
              };
              if (jump.action === 'install-request') event.via = 'apk-intent';
              if (stack.length > 0) event.stack = stack;
              emit(event);
            }
          });
        }
        return overload.apply(this, args);
      };
    }
    installed.push('android.app.Instrumentation.execStartActivity');
  }

  try {
    const commit = methodOf(use('android.content.pm.PackageInstaller$Session'), 'commit');
    if (commit !== null) {
      for (const overload of commit.overloads) {
        overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
          if (context() !== null && !inHook())
            guarded(() => {
              const t = now();
              const stack = stackHere();
              const event: NavigationEvent = {
                kind: 'navigation',
                t,
                action: 'install-request',
                target: 'package-installer-session',
                via: 'package-installer',
                ...trigger(t),
              };
              if (stack.length > 0) event.stack = stack;
              emit(event);
            });
          return overload.apply(this, args);
        };
      }
      installed.push('android.content.pm.PackageInstaller$Session.commit');
    }
  } catch {
    // PackageInstaller exists from API 21
  }
  // Downloads: DownloadManager.enqueue(Request): the URL's host and file, who asked (stack), the trigger.
  try {
    const enqueue = methodOf(use('android.app.DownloadManager'), 'enqueue');
    if (enqueue !== null) {
      for (const overload of enqueue.overloads) {
        overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
          if (context() !== null && !inHook())
            guarded(() => {
              const request = args[0] as JavaWrapper | null;
              let uri = '';
              try {
                uri = String((request as JavaWrapper).mUri.value);
              } catch {
                // a Request without the field (vendor builds): the download is still recorded
              }
              const t = now();
              const where = downloadTarget(uri);
              const stack = stackHere();
              // The catalogue's api event too (this hook owns the method: see DEDICATED in encode.ts).
              for (const id of context()?.dedicatedIds.get('download') ?? [])
                emit(apiEvent({ id, class: 'android.app.DownloadManager', method: 'enqueue', pi: null }, t, { stack }));
              const event: NavigationEvent = {
                kind: 'navigation',
                t,
                action: 'download-start',
                ...where,
                via: 'download-manager',
                ...trigger(t),
              };
              if (stack.length > 0) event.stack = stack;
              emit(event);
            });
          return overload.apply(this, args);
        };
      }
      installed.push('android.app.DownloadManager.enqueue');
    }
  } catch {
    // no DownloadManager in this process
  }

  // Starts of other apps' services and broadcasts to them: intent events (explicit or implicit).
  let ContextWrapper: JavaWrapper | null = null;
  try {
    ContextWrapper = use('android.content.ContextWrapper');
  } catch {
    // not loadable here: no intent events
  }
  const components: [string, IntentEvent['component']][] = [
    ['startService', 'service'],
    ['startForegroundService', 'service'],
    ['bindService', 'service'],
    ['sendBroadcast', 'receiver'],
  ];
  for (const [name, component] of ContextWrapper === null ? [] : components) {
    const method = methodOf(ContextWrapper!, name);
    if (method === null) continue;
    for (const overload of method.overloads) {
      const intentAt = argTypesOf(overload).indexOf('android.content.Intent');
      if (intentAt < 0) continue;
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        const intent = args[intentAt] as JavaWrapper | null;
        if (ctx !== null && intent !== null && !inHook()) {
          guarded(() => {
            const summary = summariseIntent(intent);
            const info = intentInfo(summary, component === 'service' ? 'service' : 'receiver');
            // The app's own components are its business; another package's, or an implicit broadcast, is a start.
            if (info.package === ctx.config.package) return;
            const t = now();
            const stack = stackHere();
            const event: IntentEvent = { kind: 'intent', t, explicit: info.explicit, component, ...trigger(t) };
            if (info.package !== undefined) event.target = info.package;
            if (summary.componentClass) event.targetComponent = summary.componentClass;
            if (info.action !== undefined) event.action = info.action;
            if (stack.length > 0) event.stack = stack;
            emit(event);
          });
        }
        return overload.apply(this, args);
      };
    }
    installed.push(`android.content.ContextWrapper.${name}`);
  }
  return installed;
}

/** Emits `background` once the app has had no resumed activity for the grace time (called on a timer). */
export function tickForeground(): void {
  const ctx = context();
  if (ctx === null) return;
  const event = ctx.foreground.tick(now());
  if (event !== null) emit(event);
}
