/**
 * A runtime trace turns static call sites into observed ones: a sensitive API the trace saw being
 * called is `active`, and so is each listed caller found in the call's stack; an undeclared
 * permission is `active` when an API needing it was. Applied to the package facts before the rules
 * run, so the stored facts re-run to the same findings.
 */
import type { PackageFacts, TraceFacts } from '@apprights/rules';

/** `Landroid/telephony/TelephonyManager;->getDeviceId(...)` → `android.telephony.TelephonyManager.getDeviceId`. */
function javaMember(signature: string): string | undefined {
  const m = /^L([^;]+);->([^(:]+)/.exec(signature);
  return m ? `${m[1]!.replaceAll('/', '.')}.${m[2]}` : undefined;
}

/** Frames as the recorder writes them: `com.app.Util.imei(Util.java:12)`; the part before `(`. */
function frameMethod(frame: string): string {
  const at = frame.indexOf('(');
  return (at < 0 ? frame : frame.slice(0, at)).trim();
}

export function markActive(facts: PackageFacts, trace: TraceFacts | undefined): PackageFacts {
  if (!trace || facts.sensitiveApis.length === 0) return facts;
  const byId = new Map<string, string[][]>();
  const byMember = new Map<string, string[][]>();
  for (const event of trace.events) {
    if (event.kind !== 'api') continue;
    const e = event as { api?: string; class?: string; method?: string; stack?: string[] };
    const stack = Array.isArray(e.stack) ? e.stack.slice(0, 64).map(frameMethod) : [];
    const add = (map: Map<string, string[][]>, k: string) => {
      const list = map.get(k);
      if (list) list.push(stack);
      else map.set(k, [stack]);
    };
    if (typeof e.api === 'string') add(byId, e.api);
    if (typeof e.class === 'string' && typeof e.method === 'string') add(byMember, `${e.class}.${e.method}`);
  }
  if (byId.size === 0 && byMember.size === 0) return facts;
  const active = new Set<string>();
  const sensitiveApis = facts.sensitiveApis.map((use) => {
    const member = javaMember(use.signature);
    const stacks = [...(byId.get(use.api) ?? []), ...(member ? (byMember.get(member) ?? []) : [])];
    if (stacks.length === 0) return use;
    active.add(use.api);
    const frames = new Set(stacks.flat());
    return {
      ...use,
      reach: 'active' as const,
      callers: use.callers.map((c) => {
        const name = c.method.slice(0, Math.max(0, c.method.indexOf('(')));
        return frames.has(`${c.class}.${name}`) ? { ...c, reach: 'active' as const } : c;
      }),
    };
  });
  const reach = { ...(facts.permissionUse.reach ?? {}) };
  for (const permission of facts.permissionUse.usedUndeclared) {
    const needing = sensitiveApis.filter((u) => {
      const p = u.permission;
      return (Array.isArray(p) ? p[0] : p) === permission;
    });
    if (needing.some((u) => active.has(u.api))) reach[permission] = 'active';
  }
  const permissionUse = Object.keys(reach).length > 0 ? { ...facts.permissionUse, reach } : facts.permissionUse;
  return { ...facts, sensitiveApis, permissionUse };
}
