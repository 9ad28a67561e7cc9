/**
 * The run's history, which reverse execution replays. The machine is deterministic (design.md,
 * decision 3): booted again from the same launch and given the same inputs at the same places,
 * it goes through the same states. So the debugger keeps no copies of the machine — a kernel
 * path is a suspended generator, which cannot be copied anyway — but the inputs from outside,
 * each with the position where it came in: bytes typed at the terminal, and the user's own
 * writes to memory and registers. Going back to a position is booting again and running there.
 */
import type { Kernel } from '../kernel/kernel';

/** A place in the run, as the machine counts (Kernel.steps and Kernel.kcalls). */
export interface Position {
  readonly steps: number;
  readonly kcalls: number;
  /**
   * Stopped at a kernel function's entry: reached again by counting kernel function entries.
   * Otherwise user code (or an idle wait) is next: reached by counting steps.
   */
  readonly inKernel: boolean;
}

export function positionOf(k: Kernel, inKernel: boolean): Position {
  return { steps: k.steps, kcalls: k.kcalls, inKernel };
}

/** Orders two positions of one run (both counters only grow; a loop position and a kernel one never share `steps`). */
export function comparePositions(a: Position, b: Position): number {
  return a.steps - b.steps || a.kcalls - b.kcalls;
}

export function describePosition(p: Position): string {
  return p.inKernel ? `kernel function entry ${p.kcalls} (step ${p.steps})` : `step ${p.steps}`;
}

/** Something from outside the machine that changed it. */
export interface Input {
  readonly at: Position;
  /** What it was, for messages ("a write of 4 bytes at 0x…"). */
  readonly what: string;
  readonly apply: (k: Kernel) => void;
}

export class History {
  private inputs: Input[] = [];

  /**
   * Records an input made at `input.at`. The inputs recorded after that position belonged to a
   * future this one changes: they are dropped (typing again, or writing again, makes new ones),
   * and returned.
   */
  add(input: Input): Input[] {
    const dropped = this.inputs.filter((i) => comparePositions(i.at, input.at) > 0);
    this.inputs = this.inputs.filter((i) => comparePositions(i.at, input.at) <= 0);
    this.inputs.push(input);
    return dropped;
  }

  /** The inputs made exactly at `p`, in the order they came. */
  at(p: Position): Input[] {
    return this.inputs.filter((i) => comparePositions(i.at, p) === 0 && i.at.inKernel === p.inKernel);
  }

  /** The first input after `p` (strictly), if any. */
  after(p: Position): Input | undefined {
    return this.inputs.find((i) => comparePositions(i.at, p) > 0);
  }
}
