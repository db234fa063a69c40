/**
 * The app's life and where it goes: process start (`Instrumentation.callApplicationOnCreate`, which
 * runs `Application.onCreate` whether or not the app's subclass calls super), activity resumes and
 * pauses (`navigation` `activity`, `lifecycle` `foreground` / `background`), activity starts that
 * leave the app (`Instrumentation.execStartActivity`, the funnel of every `startActivity`:
 * `jump-app`, `jump-browser`, `jump-store`, `install-request`) and package-installer sessions.
 */
import type { LifecycleEvent, NavigationEvent } from '@apprights/runtime';
import { classifyIntent, type IntentSummary } from '../../../src/frida/encode.js';
import { context, emit, now } from '../context.js';
import { argTypesOf, classNameOf, guarded, inHook, methodOf, use, type JavaWrapper } from '../java.js';

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
            if (jump !== null) emit({ kind: 'navigation', t: now(), action: jump.action, target: jump.target });
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
            emit({ kind: 'navigation', t: now(), action: 'install-request', target: 'package-installer-session' });
          return overload.apply(this, args);
        };
      }
      installed.push('android.content.pm.PackageInstaller$Session.commit');
    }
  } catch {
    // PackageInstaller exists from API 21
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
