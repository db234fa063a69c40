/**
 * Sensor listeners: `SensorManager.registerListener` / `unregisterListener` become `sensor`
 * `register` / `unregister` events (with the stack: which SDK listens to the accelerometer), and
 * the readings the listener's class receives in `onSensorChanged` are summarised per 500 ms window
 * (peak linear acceleration, rotation, duration) instead of being sent one by one.
 */
import type { SensorEvent } from '@apprights/runtime';
import { apiEvent, sensorName } from '../../../src/frida/encode.js';
import { context, emit, emitAll, now } from '../context.js';
import { argTypesOf, classNameOf, guarded, inHook, methodOf, numbersOf, stackHere, use, type JavaWrapper } from '../java.js';

const listenerClassesHooked = new Set<string>();
/** Sensor types each listener registered, by identity hash (for `unregisterListener(listener)`). */
const registrations = new Map<number, Set<number>>();

function identity(obj: JavaWrapper): number {
  try {
    return Number(use('java.lang.System').identityHashCode(obj));
  } catch {
    return -1;
  }
}

function sensorTypeOf(sensor: JavaWrapper | null): number | null {
  if (sensor === null) return null;
  try {
    return Number(sensor.getType());
  } catch {
    return null;
  }
}

/** Wraps `onSensorChanged` of the listener's class (once per class) to feed the summariser. */
function hookListenerClass(listener: JavaWrapper): void {
  const className = classNameOf(listener);
  if (listenerClassesHooked.has(className)) return;
  listenerClassesHooked.add(className);
  try {
    const method = methodOf(use(className), 'onSensorChanged');
    if (method === null) return;
    const overload = method.overload('android.hardware.SensorEvent');
    overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
      const ctx = context();
      const event = args[0] as JavaWrapper | null;
      if (ctx !== null && event !== null && !inHook()) {
        guarded(() => {
          try {
            const type = sensorTypeOf(event.sensor.value as JavaWrapper | null);
            const values = numbersOf(event.values.value, 8);
            if (type !== null) emitAll(ctx.sensors.add({ t: now(), type, values }));
          } catch {
            // a reading that cannot be read is skipped
          }
        });
      }
      return overload.apply(this, args);
    };
  } catch {
    // a listener class we cannot load by name (a lambda in another class loader): registration still recorded
  }
}

export function hookSensors(): string[] {
  const installed: string[] = [];
  const SensorManager = use('android.hardware.SensorManager');
  const register = methodOf(SensorManager, 'registerListener');
  if (register !== null) {
    for (const overload of register.overloads) {
      const types = argTypesOf(overload);
      const listenerAt = types.indexOf('android.hardware.SensorEventListener');
      const sensorAt = types.indexOf('android.hardware.Sensor');
      if (listenerAt < 0 || sensorAt < 0) continue; // the pre-API-3 SensorListener overloads
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null && !inHook()) {
          guarded(() => {
            const t = now();
            const stack = ctx.config.stacks === false ? [] : stackHere();
            const listener = args[listenerAt] as JavaWrapper | null;
            const type = sensorTypeOf(args[sensorAt] as JavaWrapper | null);
            for (const id of ctx.dedicatedIds.get('sensor') ?? []) {
              const event = apiEvent({ id, class: 'android.hardware.SensorManager', method: 'registerListener', pi: 'sensors' }, t, {
                stack,
              });
              if (type !== null) event.args = `type=${type}`;
              emit(event);
            }
            if (type === null) return;
            const registered: SensorEvent = { kind: 'sensor', t, action: 'register', sensor: sensorName(type) };
            if (stack.length > 0) registered.stack = stack;
            emit(registered);
            if (listener !== null) {
              const key = identity(listener);
              registrations.set(key, new Set([...(registrations.get(key) ?? []), type]));
              hookListenerClass(listener);
            }
          });
        }
        return guarded(() => overload.apply(this, args));
      };
    }
    installed.push('android.hardware.SensorManager.registerListener');
  }
  const unregister = methodOf(SensorManager, 'unregisterListener');
  if (unregister !== null) {
    for (const overload of unregister.overloads) {
      const types = argTypesOf(overload);
      const listenerAt = types.indexOf('android.hardware.SensorEventListener');
      if (listenerAt < 0) continue;
      const sensorAt = types.indexOf('android.hardware.Sensor');
      overload.implementation = function (this: JavaWrapper, ...args: unknown[]) {
        const ctx = context();
        if (ctx !== null && !inHook()) {
          guarded(() => {
            const t = now();
            const listener = args[listenerAt] as JavaWrapper | null;
            if (listener === null) return;
            const key = identity(listener);
            const registered = registrations.get(key) ?? new Set<number>();
            const type = sensorAt >= 0 ? sensorTypeOf(args[sensorAt] as JavaWrapper | null) : null;
            const gone = type !== null ? [type] : [...registered];
            for (const g of gone) {
              registered.delete(g);
              emit({ kind: 'sensor', t, action: 'unregister', sensor: sensorName(g) });
            }
            if (registered.size === 0) registrations.delete(key);
          });
        }
        return guarded(() => overload.apply(this, args));
      };
    }
    installed.push('android.hardware.SensorManager.unregisterListener');
  }
  return installed;
}

/** Sends the summaries of sensor windows that have ended (called on a timer), or of all at the end. */
export function flushSensors(all: boolean): void {
  const ctx = context();
  if (ctx === null) return;
  emitAll(all ? ctx.sensors.flushAll() : ctx.sensors.flush(now()));
}
