/**
 * One hook per method of the sensitive-API catalogue (the host's hook plan): every call becomes an
 * `api` event with the catalogue id, the personal-information category, redacted arguments and
 * result, and the caller's stack. Classes an SDK loads late are retried.
 */
import { apiEvent, matchContentUri, redactUri, type ApiHook } from '../../../src/frida/encode.js';
import { context, emit, now } from '../context.js';
import {
  argTypesOf,
  describe,
  exceptionName,
  guarded,
  inHook,
  methodOf,
  stackHere,
  use,
  type JavaMethod,
  type JavaWrapper,
} from '../java.js';

/** Ids hooked so far. */
export const hooked = new Set<string>();
/** Ids not hooked yet, with why. */
export const missing = new Map<string, string>();

function record(hook: ApiHook, overload: JavaMethod, receiver: JavaWrapper, args: unknown[]): unknown {
  const ctx = context();
  if (ctx === null || inHook()) return overload.apply(receiver, args);
  const limiter = hook.hot === true ? ctx.hotLimiter : ctx.limiter;
  const suppressed = limiter.take(hook.id, Date.now());
  if (suppressed === null) return overload.apply(receiver, args);
  return guarded(() => {
    const t = now();
    const stack = ctx.config.stacks === false ? [] : stackHere();
    const argTypes = argTypesOf(overload);
    const described = args.map((a, i) => describe(a, argTypes[i] ?? 'java.lang.Object'));
    let result: unknown;
    try {
      result = overload.apply(receiver, args);
    } catch (error) {
      emit(apiEvent(hook, t, { args: described, threw: exceptionName(error), stack, suppressed }));
      throw error;
    }
    const returnType = overload.returnType.className ?? overload.returnType.name;
    const details = { args: described, stack, suppressed } as Parameters<typeof apiEvent>[2];
    if (returnType !== 'void' && hook.method !== '$init') details.result = describe(result, returnType);
    emit(apiEvent(hook, t, details));
    return result;
  });
}

/** Installs one catalogue hook; returns null when done, else why not. */
export function hookApi(hook: ApiHook): string | null {
  let cls: JavaWrapper;
  try {
    cls = use(hook.class);
  } catch {
    return 'class not loaded';
  }
  const method = methodOf(cls, hook.method);
  if (method === null) return 'no such method';
  let overloads: JavaMethod[];
  if (hook.argTypes !== undefined) {
    try {
      overloads = [method.overload(...hook.argTypes)];
    } catch {
      return `no overload (${hook.argTypes.join(', ')})`;
    }
  } else {
    overloads = method.overloads;
  }
  let installed = 0;
  for (const overload of overloads) {
    try {
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        return record(hook, overload, this, args);
      };
      installed++;
    } catch {
      // an abstract or native method that cannot be replaced; the others still count
    }
  }
  return installed > 0 ? null : 'no overload could be hooked';
}

/** Installs the plan's hooks that are not installed yet; returns how many were added. */
export function installApiHooks(plan: readonly ApiHook[]): number {
  let added = 0;
  for (const hook of plan) {
    if (hooked.has(hook.id)) continue;
    const problem = hookApi(hook);
    if (problem === null) {
      hooked.add(hook.id);
      missing.delete(hook.id);
      added++;
    } else {
      missing.set(hook.id, problem);
    }
  }
  return added;
}

/**
 * `ContentResolver.query(Uri, …)` for the catalogue's content URIs (contacts, SMS, call log,
 * calendar, media …): an `api` event with the URI's id when it matches; other queries pass through.
 */
export function hookContentResolver(): string | null {
  const ctx = context();
  if (ctx === null || ctx.config.plan.contentUris.length === 0) return null;
  let cls: JavaWrapper;
  try {
    cls = use('android.content.ContentResolver');
  } catch {
    return 'class not loaded';
  }
  const query = methodOf(cls, 'query');
  if (query === null) return 'no such method';
  for (const overload of query.overloads) {
    const types = argTypesOf(overload);
    if (types[0] !== 'android.net.Uri') continue;
    overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
      const c = context();
      if (c === null || inHook()) return overload.apply(this, args);
      let uri = '';
      try {
        uri = String((args[0] as JavaWrapper | null)?.toString() ?? '');
      } catch {
        // not readable: pass through
      }
      const match = uri === '' ? null : matchContentUri(c.config.plan, uri);
      if (match === null) return overload.apply(this, args);
      const suppressed = c.limiter.take(match.id, Date.now());
      if (suppressed === null) return overload.apply(this, args);
      return guarded(() => {
        const t = now();
        const stack = c.config.stacks === false ? [] : stackHere();
        const result = overload.apply(this, args);
        const event = apiEvent({ id: match.id, class: 'android.content.ContentResolver', method: 'query', pi: match.pi }, t, {
          stack,
          suppressed,
          result: describe(result, 'android.database.Cursor'),
        });
        event.args = redactUri(uri);
        emit(event);
        return result;
      });
    };
  }
  return null;
}
