/**
 * Runtime permission requests and their answers: `Activity.requestPermissions` (every path ends
 * there on Android 6+: ActivityCompat, fragments, the Activity Result API) and the support and
 * AndroidX `ActivityCompat.requestPermissions` (for the stack and the catalogue's `api` event); the
 * answer from the requesting activity class's `onRequestPermissionsResult`, hooked on first use.
 */
import { apiEvent, cleanPermissions } from '../../../src/frida/encode.js';
import { context, emit, emitAll, now } from '../context.js';
import { argTypesOf, classNameOf, guarded, inHook, methodOf, numbersOf, stackHere, stringsOf, use, type JavaWrapper } from '../java.js';

const resultHooked = new Set<string>();

function apiIds(hook: string): string[] {
  return context()?.dedicatedIds.get(hook) ?? [];
}

/** Records a request made by `activity` (a wrapper) for `permissions` with `requestCode`. */
function recordRequest(activity: JavaWrapper | null, permissions: unknown, requestCode: unknown, apiHook: string, apiClass: string): void {
  const ctx = context();
  if (ctx === null) return;
  const t = now();
  const stack = ctx.config.stacks === false ? [] : stackHere();
  const perms = stringsOf(permissions);
  const code = typeof requestCode === 'number' ? requestCode : -1;
  for (const id of apiIds(apiHook)) {
    const event = apiEvent({ id, class: apiClass, method: 'requestPermissions', pi: null }, t, { stack });
    event.args = cleanPermissions(perms).join(', ').slice(0, 300);
    emit(event);
  }
  let granted: boolean[] | undefined;
  if (activity !== null) {
    try {
      granted = cleanPermissions(perms).map((p) => activity.checkSelfPermission(p) === 0);
    } catch {
      granted = undefined;
    }
    hookResultOf(activity);
  }
  emitAll(ctx.permissions.request(code, perms, t, stack, granted));
}

/** Hooks `onRequestPermissionsResult` of the activity's class (once per class). */
function hookResultOf(activity: JavaWrapper): void {
  const className = classNameOf(activity);
  if (resultHooked.has(className)) return;
  resultHooked.add(className);
  try {
    const method = methodOf(use(className), 'onRequestPermissionsResult');
    if (method === null) return;
    const overload = method.overload('int', '[Ljava.lang.String;', '[I');
    overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
      const ctx = context();
      if (ctx !== null && !inHook()) {
        guarded(() => {
          const [code, permissions, results] = args;
          const perms = stringsOf(permissions);
          const grants = numbersOf(results, 256);
          let rationale: boolean[] | undefined;
          try {
            rationale = perms.map((p, i) =>
              grants[i] === 0 || typeof p !== 'string' ? true : Boolean(this.shouldShowRequestPermissionRationale(p)),
            );
          } catch {
            rationale = undefined;
          }
          const event = ctx.permissions.answer(typeof code === 'number' ? code : -1, perms, grants, rationale);
          if (event !== null) emit(event);
        });
      }
      return overload.apply(this, args);
    };
  } catch {
    // the class has no such method or cannot be loaded from here: the request is emitted without answers
  }
}

export function hookPermissions(): string[] {
  const installed: string[] = [];
  try {
    const method = methodOf(use('android.app.Activity'), 'requestPermissions');
    if (method !== null) {
      for (const overload of method.overloads) {
        const types = argTypesOf(overload);
        if (types[0] !== '[Ljava.lang.String;') continue;
        overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
          if (context() !== null && !inHook()) guarded(() => recordRequest(this, args[0], args[1], 'permission', 'android.app.Activity'));
          return guarded(() => overload.apply(this, args));
        };
      }
      installed.push('android.app.Activity.requestPermissions');
    }
  } catch {
    // Activity always exists; keep going if hooking it failed
  }
  for (const className of ['androidx.core.app.ActivityCompat', 'android.support.v4.app.ActivityCompat']) {
    try {
      const method = methodOf(use(className), 'requestPermissions');
      if (method === null) continue;
      for (const overload of method.overloads) {
        const types = argTypesOf(overload);
        if (types[0] !== 'android.app.Activity' || types[1] !== '[Ljava.lang.String;') continue;
        overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
          if (context() !== null && !inHook())
            guarded(() => recordRequest((args[0] as JavaWrapper | null) ?? null, args[1], args[2], 'activity-compat', className));
          // Activity.requestPermissions underneath sees inHook() and adds nothing.
          return guarded(() => overload.apply(this, args));
        };
      }
      installed.push(`${className}.requestPermissions`);
    } catch {
      // this app does not bundle that support library
    }
  }
  return installed;
}

/** Requests still without an answer after two minutes are written without one. */
export function expirePermissionRequests(all: boolean): void {
  const ctx = context();
  if (ctx === null) return;
  emitAll(ctx.permissions.expire(all ? Number.POSITIVE_INFINITY : now(), all ? 0 : 120_000));
}
