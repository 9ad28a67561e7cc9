// Timing and parsing helpers shared by the benchmark sections.
import { spawnSync } from 'node:child_process';

export interface TimedRun {
  wallSeconds: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and measures its wall time from spawn to exit, startup included. */
export function timedRun(command: string, args: string[], cwd: string): TimedRun {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { wallSeconds, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** forkscope's `--stats` line: `forkscope: instructions=N wall=S.SSSs mips=M`. */
export function parseStats(stderr: string): { instructions: number; wallSeconds: number } {
  const m = /^forkscope: instructions=(\d+) wall=([\d.]+)s mips=[\d.]+$/m.exec(stderr);
  if (m === null) throw new Error(`no --stats line in forkscope's stderr:\n${stderr}`);
  return { instructions: Number(m[1]), wallSeconds: Number(m[2]) };
}

export function formatSeconds(s: number): string {
  return `${s.toFixed(3)} s`;
}

export function formatMips(instructions: number, seconds: number): string {
  return `${(instructions / seconds / 1e6).toFixed(1)} MIPS`;
}
