/**
 * What the user does in the app: view clicks (`View.performClick`, the funnel of every click
 * listener) as `user` `tap` events naming the node (its resource entry name, class, and a short
 * label unless it is an input field), and touches reaching an activity (`Activity.dispatchTouchEvent`)
 * as the last input for the triggers of jumps, starts and downloads, and key presses reaching an
 * activity (`Activity.dispatchKeyEvent`) as `user` `key`. Typed text is never read.
 */
import type { UserEvent } from '@apprights/runtime';
import { context, emit, now } from '../context.js';
import { classNameOf, guarded, inHook, methodOf, use, type JavaWrapper } from '../java.js';

/** MotionEvent.ACTION_UP and KeyEvent.ACTION_UP (both 1). */
const ACTION_UP = 1;

function entryName(view: JavaWrapper): string | null {
  try {
    const id = view.getId() as number;
    if (typeof id !== 'number' || id <= 0) return null;
    const resources = view.getResources() as JavaWrapper;
    return `${String(resources.getResourcePackageName(id))}:id/${String(resources.getResourceEntryName(id))}`;
  } catch {
    return null;
  }
}

function labelOf(view: JavaWrapper, cls: string): string | null {
  // Input fields hold what the user typed: never read them.
  if (/EditText|AutoComplete|Password/i.test(cls)) return null;
  try {
    const desc = view.getContentDescription();
    if (desc !== null && desc !== undefined && String(desc).trim() !== '') return String(desc).slice(0, 40);
  } catch {
    // no description
  }
  try {
    const text = view.getText?.();
    if (text !== null && text !== undefined && String(text).trim() !== '') return String(text).slice(0, 40);
  } catch {
    // not a TextView
  }
  return null;
}

export function hookInput(): string[] {
  const installed: string[] = [];
  let View: JavaWrapper | null = null;
  try {
    View = use('android.view.View');
  } catch {
    return installed;
  }
  const performClick = methodOf(View, 'performClick');
  if (performClick !== null) {
    for (const overload of performClick.overloads) {
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null && !inHook()) {
          guarded(() => {
            const t = now();
            const cls = classNameOf(this);
            const event: UserEvent = { kind: 'user', t, action: 'tap', nodeClass: cls, package: ctx.config.package, source: 'frida' };
            const node = entryName(this);
            if (node !== null) event.node = node;
            const label = labelOf(this, cls);
            if (label !== null) event.nodeText = label;
            emit(event);
            ctx.lastInput = { t, what: `click on ${node ?? cls}` };
          });
        }
        return overload.apply(this, args);
      };
    }
    installed.push('android.view.View.performClick');
  }
  const Activity = use('android.app.Activity');
  const dispatchTouch = methodOf(Activity, 'dispatchTouchEvent');
  if (dispatchTouch !== null) {
    for (const overload of dispatchTouch.overloads) {
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null && !inHook()) {
          guarded(() => {
            const event = args[0] as JavaWrapper | null;
            if (event !== null && (event.getActionMasked() as number) === ACTION_UP) ctx.lastInput = { t: now(), what: 'touch' };
          });
        }
        return overload.apply(this, args);
      };
    }
    installed.push('android.app.Activity.dispatchTouchEvent');
  }
  // Key presses (back, volume…): `user` `key` with the key code's name, on key up.
  const dispatchKey = methodOf(Activity, 'dispatchKeyEvent');
  if (dispatchKey !== null) {
    for (const overload of dispatchKey.overloads) {
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null && !inHook()) {
          guarded(() => {
            const event = args[0] as JavaWrapper | null;
            if (event === null || (event.getAction() as number) !== ACTION_UP) return;
            const t = now();
            const name = String(use('android.view.KeyEvent').keyCodeToString(event.getKeyCode() as number));
            const key: UserEvent = { kind: 'user', t, action: 'key', source: 'frida' };
            if (/^KEYCODE_[A-Z0-9_]{1,40}$/.test(name)) key.key = name;
            emit(key);
            ctx.lastInput = { t, what: `key ${key.key ?? 'press'}` };
          });
        }
        return overload.apply(this, args);
      };
    }
    installed.push('android.app.Activity.dispatchKeyEvent');
  }
  const ctx = context();
  if (ctx !== null && installed.length > 0) ctx.inputHooked = true;
  return installed;
}
