/**
 * Where a step backwards lands, chosen from what one task did in the recent past (the debugger
 * replays that part of the run and records it, debugger.ts `searchBack`).
 */
import type { mm_struct } from '../kernel/mm/mm_types';
import type { SourcePlace } from './control';
import type { Position } from './history';

/** One thing the task did: a user instruction it was about to run, or a kernel function it entered. */
export interface PastEvent {
  readonly at: Position;
  /** The kernel function entered; null for a user instruction. */
  readonly kernel: string | null;
  readonly pc: number;
  readonly sp: bigint;
  /** The address space it ran in (its lines are looked up only when needed: most never are). */
  readonly mm: mm_struct | null;
}

/** Where the task is now, in user code. */
export interface UserPlace {
  readonly sp: bigint;
  readonly line: SourcePlace | null;
}

/**
 * The task's latest event: a step back from inside the kernel (its previous kernel function, or
 * the instruction that entered the kernel).
 */
export function previousEvent(past: readonly PastEvent[]): Position | null {
  return past.length === 0 ? null : past[past.length - 1].at;
}

/**
 * Reverse `next`: the start of the previous line the task ran in this function, or of the line
 * it is in when it stands in the middle of one. Instructions of functions it called (below its
 * stack pointer) are stepped over; code without line information is looked through.
 */
export function previousLine(past: readonly PastEvent[], here: UserPlace, wholeRun: boolean,
  lineAt: (e: PastEvent) => SourcePlace | null): Position | null {
  // The user events of this frame and its callers, newest first: callees (a lower sp) are
  // skipped, and so is code without line information.
  const inFrame = past.filter((e) => e.kernel === null && e.sp >= here.sp).reverse()
    .map((e) => ({ e, line: lineAt(e) })).filter((x) => x.line !== null);
  const same = (x: { line: SourcePlace | null }, l: SourcePlace | null) => l !== null && x.line !== null && x.line.file === l.file && x.line.line === l.line;
  let i = 0;
  // Standing at the start of a line: that line is done with; the one before it is wanted.
  if (here.line?.isStatementStart === true) while (i < inFrame.length && same(inFrame[i], here.line)) i++;
  const wanted = here.line?.isStatementStart === true ? inFrame[i]?.line ?? null : here.line;
  if (wanted === null) return null;
  // The earliest event of that line's run, back to where another line of the frame came before it.
  let start: PastEvent | undefined;
  for (; i < inFrame.length && same(inFrame[i], wanted); i++) start = inFrame[i].e;
  // A run reaching back to the edge of the past seen may have begun before it: look further back.
  if (start === undefined || (i === inFrame.length && !wholeRun)) return null;
  return start.at;
}
