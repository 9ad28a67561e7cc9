/**
 * Breakpoint conditions and log messages, evaluated where the breakpoint was hit: the top frame
 * of the task (its user frame, or the kernel function being entered).
 */
import { formatValue, truthy } from './cvalue';
import type { Debugger } from './debugger';
import { evaluate, type EValue } from './expr';
import { FrameScope } from './frame_scope';
import { taskStack } from './stack';
import type { Task } from '../kernel/task';

export function topScope(dbg: Debugger, t: Task): FrameScope {
  const top = taskStack(dbg.kernel, dbg.images, t)[0];
  return dbg.scope(t, top);
}

/**
 * Whether `condition` holds in `t`'s top frame. A condition that cannot be evaluated stops
 * (and says why), as a native debugger does: silently never stopping would hide the mistake.
 */
export function conditionHolds(dbg: Debugger, t: Task, condition: string): boolean {
  try {
    const v = evaluate(condition, topScope(dbg, t));
    return 'kind' in v ? v.text !== '' : truthy(v);
  } catch (e) {
    dbg.say(`breakpoint condition '${condition}' cannot be evaluated: ${e instanceof Error ? e.message : String(e)}; stopping\n`);
    return true;
  }
}

/** A logpoint's message with each `{expression}` replaced by its value. */
export function interpolateLog(dbg: Debugger, t: Task, message: string): string {
  const scope = topScope(dbg, t);
  return message.replace(/\{([^{}]+)\}/g, (_m, expr: string) => {
    try {
      return show(scope, evaluate(expr, scope));
    } catch (e) {
      return `<${e instanceof Error ? e.message : String(e)}>`;
    }
  });
}

export function show(scope: FrameScope, v: EValue): string {
  return 'kind' in v ? JSON.stringify(v.text) : formatValue(scope.env, v, false);
}
