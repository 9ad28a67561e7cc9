/**
 * The run's timeline as the debugger drives it: the recorded inputs (history.ts) and where a
 * replay must halt. It is the one place that arms the machine to stop at a position — at the
 * next recorded input, to apply it exactly where it came in, or at the end of a replay — by
 * counting steps (Kernel.stepHalt) or kernel function entries (the probe rule 'position').
 */
import type { Kernel } from '../kernel/kernel';
import { comparePositions, History, positionOf, type Input, type Position } from './history';
import type { ProbeHub } from './probe';

export class Timeline {
  private readonly history = new History();
  /** Where the replay running now must halt (null: the run goes on). */
  private end: Position | null = null;

  constructor(private readonly probe: ProbeHub) {}

  /**
   * From `here`, `k` runs to `end` (null: on and on), halting on the way only to apply the
   * inputs recorded ahead.
   */
  runTo(k: Kernel, here: Position, end: Position | null): void {
    this.end = end;
    this.arm(k, here);
  }

  /**
   * `k` halts at the first place at or after machine step `steps`: where user code is next, or
   * a kernel function is entered (kernel threads may run long without user code).
   */
  runPast(k: Kernel, steps: number): void {
    this.runTo(k, positionOf(k, false), { steps, kcalls: -1, inKernel: false });
    this.probe.set('position', () => k.steps >= steps);
  }

  /**
   * `k` reached the position armed: applies the inputs recorded here, and says whether the run
   * goes on (false: the replay's end).
   */
  reached(k: Kernel, inKernel: boolean): boolean {
    const here = positionOf(k, inKernel);
    for (const input of this.history.at(here)) input.apply(k);
    if (this.end !== null && comparePositions(here, this.end) >= 0) return false;
    this.arm(k, here);
    return true;
  }

  /**
   * Records an input from outside made at `at` (where `k` stands) and applies it; returns the
   * inputs recorded later, which it drops (history.ts).
   */
  input(k: Kernel, at: Position, what: string, apply: Input['apply']): Input[] {
    const dropped = this.history.add({ at, what, apply });
    apply(k);
    this.arm(k, at);
    return dropped;
  }

  /** Arms `k` to halt at the next recorded input after `here`, or at the end, whichever is first. */
  private arm(k: Kernel, here: Position): void {
    let goal = this.history.after(here)?.at;
    if (this.end !== null && (goal === undefined || comparePositions(this.end, goal) < 0)) goal = this.end;
    k.stepHalt = Infinity;
    this.probe.clear('position');
    if (goal === undefined) return;
    const kcalls = goal.kcalls;
    if (goal.inKernel) this.probe.set('position', () => k.kcalls === kcalls);
    else k.stepHalt = goal.steps;
  }
}
