// CPU time of child processes, next to wall time: on a shared, busy machine a run's wall time
// includes waiting for a core, its CPU time does not.
import { readFileSync } from 'node:fs';
import { timedRun, type TimedRun } from './measure';

/** USER_HZ: /proc reports times in these ticks; Linux fixes it at 100 on every architecture. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) of this process's children that have been waited for, and of
 * their waited-for descendants: cutime and cstime of /proc/self/stat (Linux only).
 */
function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis,
  // where field 3 (the state) starts; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / TICKS_PER_SECOND;
}

export interface CpuTimedRun extends TimedRun {
  /** User + system CPU seconds of the command and everything it waited for (10 ms ticks). */
  cpuSeconds: number;
}

/** timedRun, plus the CPU time the command used. */
export function cpuTimedRun(command: string, args: string[], cwd: string): CpuTimedRun {
  const before = reapedChildrenCpuSeconds();
  const run = timedRun(command, args, cwd);
  return { ...run, cpuSeconds: reapedChildrenCpuSeconds() - before };
}
