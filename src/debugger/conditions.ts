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

/**
 * Where a condition is evaluated: the task's top frame, or its innermost user frame with source
 * (a watched variable of the program is not in scope in the C library's read()).
 */
export type ConditionFrame = 'top' | 'user';

export function topScope(dbg: Debugger, t: Task, where: ConditionFrame = 'top'): FrameScope {
  const stack = taskStack(dbg.kernel, dbg.images, t);
  return dbg.scope(t, where === 'top' ? stack[0] : stack.find((f) => f.kind === 'user' && f.file !== undefined) ?? stack[0]);
}

/**
 * Whether `condition` holds in `t`'s top frame. A condition that cannot be evaluated stops
 * (and says why), as a native debugger does: silently never stopping would hide the mistake.
 */
export function conditionHolds(dbg: Debugger, t: Task, condition: string, where: ConditionFrame = 'top'): boolean {
  try {
    const v = evaluate(condition, topScope(dbg, t, where));
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
