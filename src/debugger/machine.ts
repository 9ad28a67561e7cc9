/**
 * One call into the machine loop, with the user-mode breakpoint stop made explicit.
 *
 * The hart stops before an instruction the debugger's hook marks (cpu/hart.ts,
 * STOP_BREAKPOINT) with nothing of it executed, and the next `Kernel.run` resumes right there
 * (the hart never stops on the first instruction of a run). `Kernel.run` does not yet name that
 * stop among its results: its trap entry rejects the cause by throwing before any state
 * changes — the task is still current, in user mode, at the marked pc. This wrapper turns
 * exactly that case into a result.
 */
import { STOP_BREAKPOINT } from '../cpu/trap';
import type { Kernel, RunResult } from '../kernel/kernel';

export type MachineResult = RunResult | { kind: 'breakpoint' };

const UNEXPECTED_BREAKPOINT = `unexpected trap cause ${STOP_BREAKPOINT}`;

export function runMachine(k: Kernel, limit: number): MachineResult {
  try {
    return k.run(limit);
  } catch (e) {
    if (e instanceof Error && e.message === UNEXPECTED_BREAKPOINT) return { kind: 'breakpoint' };
    throw e;
  }
}
